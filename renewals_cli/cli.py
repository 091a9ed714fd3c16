"""The `renewals` command line: the commands, and the one error boundary that turns errors into exit codes."""

import sys

import typer

from renewals_cli import console
from renewals_cli.commands import coverage, report, sample, segments, upcoming, validate  # noqa: F401 - each registers itself
from renewals_cli.commands.app import app
from renewals_cli.errors import ExitCode, RenewalsError


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


def _quiet_after_closed_pipe() -> int:
    """The reader went away (`| head`): stop quietly, and keep Python from complaining while it exits."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return ExitCode.OK
