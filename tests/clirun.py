"""Run the `renewals` command line in-process, through the same error boundary as the installed command."""

import contextlib
import io
from dataclasses import dataclass

import pytest

from renewals_cli.cli import main


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """`renewals ARGS…` with stdout and stderr kept apart."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    return Result(exit_code=code if isinstance(code, int) else 1, stdout=out, stderr=err)


def invoke(*args: str) -> Result:
    """`renewals ARGS…` in this process, its stdout and stderr captured apart, without a fixture: a test (or a
    module's shared runs) may invoke it any number of times. The streams are not terminals, as in a pipe."""
    out, err = _stream(), _stream()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
            code: object = 0
        except SystemExit as exited:
            code = exited.code
    return Result(exit_code=code if isinstance(code, int) else 1, stdout=_text(out), stderr=_text(err))


def _stream() -> io.TextIOWrapper:
    """A text stream with a binary `buffer`, as sys.stdout has (binary formats are written to the buffer)."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace", newline="")


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", errors="replace")
