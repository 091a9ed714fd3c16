"""Run the `renewals` command line in-process, through the same error boundary as the installed command."""

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
