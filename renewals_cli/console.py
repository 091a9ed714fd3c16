"""The streams: data to stdout, messages to stderr, files written atomically. All console set-up lives here.

Rich is imported only for what needs it (a terminal, a table): a run whose output goes to a file or a pipe, as a
cron job's does, spares its import.
"""

import os
import sys
import tempfile
from contextlib import AbstractContextManager, nullcontext
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

from renewals_cli.errors import OutputError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

# Width of a table rendered into a file rather than a terminal.
FILE_WIDTH = 160


def stdout() -> "Console":
    """Rich decides colour from the terminal and NO_COLOR; `highlight=False` keeps numbers uncoloured."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def stderr() -> "Console":
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def working(message: str) -> AbstractContextManager[object]:
    """A transient spinner on stderr while long work runs, only when stderr is a terminal (never in cron logs)."""
    if not sys.stderr.isatty():
        return nullcontext()
    return stderr().status(message, spinner="dots")


def say(message: str) -> None:
    """A progress or accounting line on stderr (never on stdout, which carries data), as it is."""
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


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: a failed run never leaves half a file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = path.resolve() if path.is_symlink() else path  # write the link's target, keep the link
    if path.exists() and not path.is_file():  # /dev/stdout, a named pipe: nothing to rename over
        try:
            with path.open("wb") as stream:
                stream.write(data)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
        return
    directory = path.parent if str(path.parent) else Path()
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).chmod(_mode_for(path))
        Path(temporary).replace(path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what the umask gives a new file (mkstemp's 0600 would hide a report
    from the colleagues a cron job writes it for)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
