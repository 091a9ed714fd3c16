"""The `renewals` command line: the commands, and the one error boundary that turns errors into exit codes."""

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator

import typer
import typer.core
import typer.main

from renewals_cli import console, outputs
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
from renewals_cli.errors import ExitCode, RenewalsError, first_line


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exit with the code of the outcome (see `ExitCode`).

    The files a command writes are renamed into place only once it has finished (even with a missed target's
    exit 3); on any error, interruption or signal they are not, and existing files stay as they were.
    """
    args = sys.argv[1:] if argv is None else argv
    console.reset()
    try:
        with _signals_end_the_run():
            code = _run(args)
    except _Ended as ended:  # (in the instant after the run)
        code = 128 + ended.signal
    if code in (ExitCode.INTERRUPTED, *SIGNAL_CODES):
        console.warn(SIGNAL_CODES.get(code, "Interrupted."))
    sys.exit(int(code or 0))


def _run(args: list[str]) -> int:
    """The command's exit code; every error told on stderr in one line (a traceback only with --debug)."""
    try:
        code = _command().main(args=args, prog_name="renewals", standalone_mode=False)
        if code == ExitCode.INTERRUPTED:  # Typer hands back Ctrl-C in the command as its exit code: commit nothing
            return int(code)
        _ctrl_c_interrupts_a_blocked_write()
        for message in outputs.commit():
            console.say(message)
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
    except (typer.Abort, KeyboardInterrupt):
        code = ExitCode.INTERRUPTED
    except _Ended as ended:
        code = 128 + ended.signal
    except BrokenPipeError:
        code = _quiet_after_closed_pipe()
    except Exception as error:  # a defect: still one line, and the traceback with --debug
        if "--debug" in args:
            raise
        console.stderr().print(
            f"Error: internal error ({type(error).__name__}: {first_line(error)}); "
            "--debug shows the traceback, please report it",
            markup=False,
            highlight=False,
        )
        code = ExitCode.DATA_ERROR
    finally:
        outputs.discard()
    return int(code or 0)


# SIGTERM (`kill`, a supervisor's stop, a cron timeout) and SIGHUP (the terminal went away) end a run as Ctrl-C
# does: temporary files removed, existing files untouched, one line on stderr, exit 128 + the signal's number.
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
SIGNAL_CODES = {128 + s: f"Interrupted ({signal.Signals(s).name})." for s in ENDING_SIGNALS}


class _Ended(BaseException):  # (not an error: a signal that ends the run)
    """Raised in the main thread by the handler of an ending signal."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.signal = number


def _end(number: int, _frame: object) -> None:
    raise _Ended(number)


@functools.cache
def _command() -> "typer.core.TyperCommand | typer.core.TyperGroup":
    """The command line as Click runs it, built from `app` once per process (Typer would build it anew for every
    run, which a test process making hundreds of runs would feel)."""
    command = typer.main.get_command(app)
    assert isinstance(command, typer.core.TyperCommand | typer.core.TyperGroup)
    return command


def _ctrl_c_interrupts_a_blocked_write() -> None:
    """Polars handles Ctrl-C (to abort a query) with the flag that restarts an interrupted system call: a write
    waiting for a reader (`-o` a named pipe) would go on waiting. Clear the flag, keep the handler."""
    if threading.current_thread() is threading.main_thread():
        signal.siginterrupt(signal.SIGINT, True)


@contextlib.contextmanager
def _signals_end_the_run() -> Iterator[None]:
    """Handle ENDING_SIGNALS while the run lasts (in the main thread only: the one Python lets handle them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _end) for number in ENDING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def entry() -> None:
    """The installed `renewals` command: `main`, then stdout and stderr flushed here, where a reader that went away
    or a full disk is still ours to tell, not Python's at its exit."""
    _occupy_closed_streams()
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else ExitCode.DATA_ERROR
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        code = _quiet_after_closed_pipe()
    except OSError as error:  # stdout is a full disk, say
        console.stderr().print(f"Error: cannot write the output ({error.strerror})", markup=False)
        code = ExitCode.DATA_ERROR
    with contextlib.suppress(OSError, AttributeError):  # (closed, or None when started closed)
        sys.stderr.flush()
    sys.exit(int(code))


def _occupy_closed_streams() -> None:
    """Started with stdin, stdout or stderr closed (`>&-`): put /dev/null in its place (Python leaves sys.stdout
    None, so a report for stdout is still an error), lest a file the run opens take the number and receive what
    is meant for the stream."""
    for number in (0, 1, 2):
        try:
            os.fstat(number)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one


def _quiet_after_closed_pipe() -> int:
    """The reader went away (`| head`): stop quietly, and keep Python from complaining while it exits."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    return ExitCode.OK
