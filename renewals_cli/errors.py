"""The error hierarchy and the exit codes of every command (SPEC §4)."""

from collections.abc import Sequence
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in `--help` and the README."""

    OK = 0
    DATA_ERROR = 1
    USAGE_ERROR = 2
    TARGET_MISSED = 3
    INTERRUPTED = 130


class RenewalsError(Exception):
    """A failure the user can act on; its message is one actionable sentence."""

    exit_code = ExitCode.DATA_ERROR


class InputError(RenewalsError):
    """A file cannot be read, or its columns or values cannot be understood."""


class RejectedRowsError(RenewalsError):
    """`--strict` was given and some rows were rejected."""


class OutputError(RenewalsError):
    """The report could not be written where the user asked."""


class UsageError(RenewalsError):
    """An option value that the option parser could not check by itself."""

    exit_code = ExitCode.USAGE_ERROR


def first_line(exc: BaseException) -> str:
    """The first line of a library's error message, to quote inside one of ours."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= FIRST_LINE_CHARS else line[: FIRST_LINE_CHARS - 1] + "…"


# A library's message may quote a whole line of the file: cut short.
FIRST_LINE_CHARS = 200


# An error quotes at most this many items of a list (headers, sheets, files), each at most this long: a message
# stays one readable line whatever the file holds.
LISTED_ITEMS = 10
LISTED_CHARS = 60


def listed(items: Sequence[str], limit: int = LISTED_ITEMS, *, chars: int | None = LISTED_CHARS) -> str:
    """Items joined by commas for a message: the first `limit` (each cut to `chars`), then how many more
    (`… and 4,990 more`)."""
    shown = [item if chars is None or len(item) <= chars else item[: chars - 1] + "…" for item in items[:limit]]
    more = f" … and {len(items) - limit:,} more" if len(items) > limit else ""
    return ", ".join(shown) + more
