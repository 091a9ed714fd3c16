"""The `renewals` command line: the commands, and the one error boundary that turns errors into exit codes."""

import os
import sys

import typer

from renewals_cli import console
from renewals_cli.commands import (  # noqa: F401 - each registers itself
    balance,
    changes,
    coverage,
    forecast,
    journey,
    report,
    sample,
    segments,
    upcoming,
    validate,
)
from renewals_cli.commands.app import app
from renewals_cli.errors import ExitCode, RenewalsError

# How soon the allocator Polars uses (jemalloc) hands freed pages back to the system: within 25 ms. Polars' own
# setting keeps them a second and more, for reuse; a report frees most of what it reads as it goes, and would
# peak with pages it no longer uses (the terminal report of 2M Parquet rows: 700 MiB, against 510 MiB with this
# setting, for up to 5% more time). Polars reads the variable when it is first imported and appends it to its
# own setting (the last of each option wins). A user's own setting is left as it is; Polars' own, which a Python
# process that imported Polars hands down to the commands it runs, is not.
ALLOCATOR = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:25,muzzy_decay_ms:0")
POLARS_ALLOCATOR = "dirty_decay_ms:500,muzzy_decay_ms:1000"


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exit with the code of the outcome (see `ExitCode`)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        code = app(args=args, prog_name="renewals", standalone_mode=False)
    except RenewalsError as error:
        if "--debug" in args:
            raise
        console.stderr().print(f"Error: {error}", markup=False, highlight=False)
        code = error.exit_code
    except typer.TyperException as error:  # usage errors found by the option parser
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            console.stderr().print(f"Error: {error.format_message()}", markup=False)
        code = error.exit_code
    except typer.Abort:
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        code = _quiet_after_closed_pipe()
    except KeyboardInterrupt:
        code = ExitCode.INTERRUPTED
    if code == ExitCode.INTERRUPTED:
        console.stderr().print("Interrupted.", markup=False)
    sys.exit(int(code or 0))


def entry() -> None:
    """The installed `renewals` command: `main`, then an immediate exit.

    By then every output is written, and stdout and stderr are flushed here; skipping the interpreter's teardown
    (freeing each frame a large report held, one by one) saves a tenth of a second and more per million rows.
    """
    name, setting = ALLOCATOR  # before Polars is imported
    if os.environ.get(name, POLARS_ALLOCATOR) == POLARS_ALLOCATOR:
        os.environ[name] = setting
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else ExitCode.DATA_ERROR
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _quiet_after_closed_pipe()
    except OSError as error:  # stdout is a full disk, say
        console.stderr().print(f"Error: cannot write the output ({error.strerror})", markup=False)
        code = ExitCode.DATA_ERROR
    sys.stderr.flush()
    os._exit(int(code))


def _quiet_after_closed_pipe() -> int:
    """The reader went away (`| head`): stop quietly, and keep Python from complaining while it exits."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return ExitCode.OK
