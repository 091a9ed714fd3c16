"""The installed `renewals` command in a real process: pipes, colour, and no traceback on bad input."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.clirun import invoke

RENEWALS = Path(sys.executable).with_name("renewals")


def renewals(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | (env or {})
    return subprocess.run(
        [str(RENEWALS), *args], capture_output=True, text=True, env=environment, timeout=120, check=False
    )


def test_closed_pipe_ends_quietly(book: Path) -> None:
    shell = f"'{RENEWALS}' report '{book}' --by rep --format csv --as-of 2026-05-01 | head -c 10 >/dev/null"
    producer = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"'{RENEWALS}' sample --rows 20000 | head -n 1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert producer.stdout.startswith("opportunity_id,")
    assert producer.stderr == ""
    assert producer.returncode == 0
    small = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=60, check=False)
    assert small.stderr == "Rows: 7 read · 7 accepted · 0 rejected\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_a_full_disk_on_stdout_is_one_line_and_exit_1(book: Path, fmt: str) -> None:
    with open("/dev/full", "w") as full:  # noqa: PTH123 - a device
        result = subprocess.run(
            [str(RENEWALS), "report", str(book), "--as-of", "2026-05-01", "--format", fmt],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "Error: cannot write to standard output (No space left on device)"
    assert "Traceback" not in result.stderr


def test_a_usage_error_exits_2_through_the_prompt_exit(book: Path) -> None:
    result = renewals("report", str(book), "--as-of", "2026-13-01")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--as-of" in result.stderr


def test_no_colour_when_not_a_terminal(book: Path) -> None:
    result = renewals("report", str(book), "--as-of", "2026-05-01")
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout


def test_no_colour_with_no_color_even_when_forced(book: Path) -> None:
    terminal = {"FORCE_COLOR": "1", "TERM": "xterm-256color"}
    forced = renewals("report", str(book), "--as-of", "2026-05-01", env=terminal)
    assert "\x1b[36m" in forced.stdout  # the control: a forced terminal gets the headline's cyan border
    plain = renewals("report", str(book), "--as-of", "2026-05-01", env=terminal | {"NO_COLOR": "1"})
    assert "\x1b[3" not in plain.stdout  # no foreground colour codes


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("random.bin", bytes(range(256)) * 8, "not a text export"),
        ("empty.csv", b"", "the file is empty"),
        (
            "ambiguous.csv",
            b"account_id,rep,expiry_date,prior_amount,status\nA,Ann,01/02/2026,5,open\n",
            "--date-format",
        ),
        ("wrong.csv", b"name,value\nx,1\n", "no column for required 'account_id'"),
        ("unterminated.csv", b'account_id,rep,expiry_date,prior_amount,status\n"A,Ann,2026-01-01,5,open\n', ""),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    """In this process, through the installed command's entry point (what a process adds is tested above)."""
    path = tmp_path / name
    path.write_bytes(content)
    for command in ("report", "segments", "validate"):
        result = invoke(command, str(path))
        assert "Traceback" not in result.stderr
        assert result.exit_code in (0, 1), result.stderr
        if result.exit_code == 1 and message:
            assert message in result.stderr
            assert result.stderr.startswith("Error: ")
            assert result.stderr.count("\n") == 1


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [str(RENEWALS), "sample", str(tmp_path / "big.parquet"), "--rows", "20000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert stderr == "Interrupted.\n"
    assert not (tmp_path / "big.parquet").exists()
