"""The error hierarchy and the exit codes of every command (SPEC §4)."""

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
    return text.splitlines()[0] if text else type(exc).__name__
