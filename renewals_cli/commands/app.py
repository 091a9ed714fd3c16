"""The Typer application every command module registers with."""

from typing import Any

import typer
from typer.core import TyperArgument

_typer_metavar = TyperArgument.make_metavar


def _metavar_as_written(self: TyperArgument, ctx: Any, *, usage: bool = False) -> str:
    """A declared metavar as it is written (`FILE...`): Typer would wrap a required one in braces (`{FILE...}`)."""
    return self.metavar if self.metavar is not None else _typer_metavar(self, ctx, usage=usage)


TyperArgument.make_metavar = _metavar_as_written  # type: ignore[method-assign]

EXIT_CODES = (
    "Exit codes: 0 success, 1 data or file error, 2 usage error, 3 missed target, 130 interrupted "
    "(128 + the signal: 143 SIGTERM, 129 SIGHUP)."
)

app = typer.Typer(
    name="renewals",
    help=f"Renewal performance reports from CRM exports (CSV or Parquet).\n\n{EXIT_CODES}",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # a traceback with locals would print customer rows
    add_completion=False,
)


def examples(*lines: str) -> str:
    """A command's epilog: its examples, then the exit codes."""
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in lines) + f"\n\n{EXIT_CODES}"
