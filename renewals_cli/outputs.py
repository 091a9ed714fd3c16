"""The files a run writes: checked before any work, and committed together only when the whole run succeeded.

A run stages each output (report, rejects, sample) in a temporary file of its own beside the target
(`tempfile.mkstemp`, so concurrent runs never share one), and the command line renames them all into place when the
command has finished. A run that fails, is interrupted or is terminated removes its temporary files and leaves
every existing file as it was. A target that is not a regular file (`/dev/stdout`, a named pipe) cannot be renamed
over: its bytes are kept and written to it at commit.
"""

import glob
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from renewals_cli.errors import OutputError, UsageError

# Writes the output's content into the file at the given path.
Writer = Callable[[Path], None]

# The settings file a command reads when it is given no --config (config.DEFAULT_NAME, named here without
# importing the config module, which imports Polars).
DEFAULT_CONFIG = Path("renewals.toml")


def check_outputs(
    inputs: Iterable[str | Path | None], outputs: Mapping[str, Path | None] | Iterable[tuple[str, Path | None]]
) -> None:
    """A usage error, before any work, when an output would overwrite an input or another output.

    `inputs` are the files the run reads (globs are expanded); `outputs` pairs each option (`--output`) with its
    path (an option given several times, several pairs).
    Paths are compared after resolving symlinks, and as the same file (device and inode) when both exist; an
    input that does not exist is not read (the run fails on it). Targets that are not regular files (`/dev/stdout`,
    a named pipe) are not compared: writing to them destroys nothing.
    """
    read = [path for item in inputs if item is not None for path in _expand(str(item))]
    seen: list[tuple[str, Path]] = []
    for option, path in outputs.items() if isinstance(outputs, Mapping) else outputs:
        if path is None or not _regular_or_new(path):
            continue
        for source in read:
            if _exists(source) and _same(path, source):
                raise UsageError(f"{option} {path} is the input file {source}: write the output to another file")
        for other_option, other in seen:
            if _same(path, other):
                raise UsageError(f"{option} {path} is also the {other_option} file: give each output a file of its own")
        seen.append((option, path))


def _expand(pattern: str) -> list[Path]:
    """The files a FILE argument names (a glob matching nothing names none: the loader says so)."""
    if glob.has_magic(pattern) and not Path(pattern).exists():
        return [Path(match) for match in glob.glob(pattern)]  # noqa: PTH207 - Path.glob takes no absolute patterns
    return [Path(pattern)]


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long, a NUL byte: reading it fails, and says so
        return False


def _regular_or_new(path: Path) -> bool:
    try:
        return path.is_file() or not path.exists()
    except (OSError, ValueError):  # writing it fails, and says so
        return False


def _same(one: Path, other: Path) -> bool:
    try:
        if one.exists() and other.exists():
            return one.samefile(other)
        return one.resolve() == other.resolve()
    except (OSError, ValueError, RuntimeError):  # a symlink loop, say: not provably the same file
        return False


@dataclass
class _Staged:
    """One output: its target and either its temporary file or, for a target that is no regular file, its bytes."""

    target: Path
    temporary: Path | None
    data: bytes | None
    message: str


_staged: list[_Staged] = []


def stage(path: Path, content: str | bytes | Writer, message: str = "") -> None:
    """Write one output beside `path`, to be renamed into place by `commit` (`message` is what to say then).

    `content` is text (written as UTF-8), bytes, or a function that writes the file at the path it is given.
    """
    _ctrl_c_ends_the_run()
    try:
        special = path.exists() and not path.is_file()  # (through a symlink: /dev/stdout is one)
        target = path.resolve() if path.is_symlink() else path  # write the link's target, keep the link
    except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a NUL byte, a symlink loop
        raise OutputError(f"{path}: cannot write here ({getattr(exc, 'strerror', None) or exc})") from None
    if special:
        if path.is_dir():
            raise OutputError(f"{path}: cannot write (Is a directory)")
        _staged.append(_Staged(path, None, _bytes(content), message))
        return
    directory = target.parent if str(target.parent) else Path()
    try:
        handle, name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write here ({exc.strerror})") from None
    temporary = Path(name)
    _staged.append(_Staged(target, temporary, None, message))  # registered first: `discard` removes it, whatever
    try:
        if callable(content):
            os.close(handle)
            content(temporary)
        else:
            with os.fdopen(handle, "wb") as file:
                file.write(content.encode("utf-8") if isinstance(content, str) else content)
        with temporary.open("rb+") as file:
            os.fsync(file.fileno())
        temporary.chmod(_mode_for(target))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _ctrl_c_ends_the_run() -> None:
    """Once an output is staged, Ctrl-C must end the run: Polars' own handler of it (installed below Python's,
    to abort a query) swallows it, and restarts a write blocked on a reader. Python's handler is set again."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.siginterrupt(signal.SIGINT, True)


def _bytes(content: str | bytes | Writer) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="renewals-") as directory:  # a writer needs a file of its own
        path = Path(directory) / "output"
        content(path)
        return path.read_bytes()


def commit() -> list[str]:
    """Rename every staged output into place, in the order staged; the messages to say for them."""
    said = []
    try:
        while _staged:
            staged = _staged[0]
            if staged.temporary is None:
                _write_through(staged.target, staged.data or b"")
            else:
                try:
                    staged.temporary.replace(staged.target)
                except OSError as exc:
                    raise OutputError(f"{staged.target}: cannot write ({exc.strerror})") from None
            _staged.pop(0)
            if staged.message:
                said.append(staged.message)
    finally:
        discard()
    return said


def _write_through(target: Path, data: bytes) -> None:
    try:
        with target.open("wb") as stream:
            stream.write(data)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror})") from None


def discard() -> None:
    """Remove every staged output's temporary file: the run failed, and existing files stay as they were."""
    while _staged:
        staged = _staged.pop()
        if staged.temporary is not None:
            staged.temporary.unlink(missing_ok=True)


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what the umask gives a new file (mkstemp's 0600 would hide a report
    from the colleagues a cron job writes it for)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
