"""The streams: data to stdout, messages to stderr, files written atomically. All console set-up lives here.

Rich is imported only for what needs it (a terminal, a table): a run whose output goes to a file or a pipe, as a
cron job's does, spares its import. `--quiet` (for cron) keeps progress and accounting lines off stderr; errors,
warnings and missed targets are told all the same (`warn`).
"""

import os
import shutil
import sys
from contextlib import AbstractContextManager, nullcontext
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

from renewals_cli import outputs
from renewals_cli.errors import OutputError
from renewals_cli.text import one_line

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

# Width of a table rendered into a file rather than a terminal.
FILE_WIDTH = 160

# Set by `--quiet` for the one run of the process (see `set_quiet`).
_quiet = False


def set_quiet(quiet: bool | None) -> bool | None:
    """`--quiet`: nothing on stderr but errors, warnings and missed targets. The option's callback: a command
    that declares the option needs no line of its own."""
    global _quiet  # one setting for the one run of the process
    _quiet = bool(quiet)
    return quiet


def reset() -> None:
    """The settings a run starts with (a test process runs many commands: none inherits the last one's)."""
    set_quiet(False)


def stdout() -> "Console":
    """Rich decides colour from the terminal and NO_COLOR; `highlight=False` keeps numbers uncoloured."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, width=_width())


def stderr() -> "Console":
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, width=_width())


def _width() -> int | None:
    """None (Rich's choice: COLUMNS, else the terminal's width, else 80) unless COLUMNS is 0, which Rich would take
    for a width of nothing, printing nothing: then the terminal's width, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) == 0:
        return shutil.get_terminal_size().columns
    return None


def working(message: str) -> AbstractContextManager[object]:
    """A transient spinner on stderr while long work runs, only when stderr is a terminal (never in cron logs)."""
    if _quiet or sys.stderr is None or not sys.stderr.isatty():
        return nullcontext()
    return stderr().status(message, spinner="dots")


def say(message: str) -> None:
    """A progress or accounting line on stderr (never on stdout, which carries data), as it is; none under
    `--quiet`."""
    if not _quiet:
        warn(message)


def warn(message: str) -> None:
    """A line on stderr that `--quiet` keeps: a warning, rejected rows, a missed target. Control characters and
    escape sequences (a rep's name can hold them) are removed."""
    if sys.stderr is None:  # closed (`2>&-`): the exit code still tells
        return
    message = one_line(message)
    if sys.stderr.isatty():
        stderr().print(message, markup=False, emoji=False)
    else:
        sys.stderr.write(f"{message}\n")
        sys.stderr.flush()


def to_text(renderable: "RenderableType", width: int = FILE_WIDTH) -> str:
    """A Rich renderable as plain text, for a file or a pipe."""
    from rich.console import Console

    buffer = StringIO()
    Console(file=buffer, width=width, no_color=True, color_system=None, highlight=False).print(renderable)
    return buffer.getvalue()


def emit(output: "str | bytes | RenderableType") -> None:
    """Write a command's result to stdout (a closed pipe is left to the caller: it is not an error)."""
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise OutputError("cannot write to standard output: it is closed (name a file with --output PATH)")
    try:
        if isinstance(output, bytes):
            sys.stdout.buffer.write(output)
            sys.stdout.flush()
        elif isinstance(output, str):
            sys.stdout.write(output)
            sys.stdout.flush()
        else:
            stdout().print(output)
    except BrokenPipeError:
        raise
    except OSError as error:  # stdout redirected to a full disk, say
        raise OutputError(f"cannot write to standard output ({error.strerror or error})") from None


def write_atomically(path: Path, content: "str | bytes | outputs.Writer", said: str = "") -> None:
    """Write `path` when the whole run has succeeded, atomically (see `outputs`); then tell `said` on stderr."""
    outputs.stage(path, content, said)
