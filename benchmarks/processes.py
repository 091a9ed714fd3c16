"""Running the contenders: each as its own process, timed from spawn to exit, with its own peak memory.

`renewals` runs from a byte-compiled copy of `renewals_cli` taken when the run starts (`snapshot`), so that edits
made in the work tree during a long run do not mix code versions.
"""

import compileall
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
K = TypeVar("K")  # what names a measurement
CHILD_ENV = {"COLUMNS": "200"}


@dataclass(frozen=True)
class Sample:
    """One timed run of one process."""

    wall: float  # seconds, from spawn to exit
    peak: int  # the process's peak RSS, bytes


class BenchError(Exception):
    """A contender failed or disagreed: the numbers would mean nothing."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def tools() -> tuple[str, str]:
    """The venv's Python and its `renewals` entry point."""
    python = sys.executable
    renewals = Path(python).parent / "renewals"
    found = str(renewals) if renewals.exists() else shutil.which("renewals")
    if found is None:
        raise BenchError("cannot find the `renewals` command; install the package (make run) first")
    return python, found


# Importing Polars sets this variable (its allocator's setting) in the importing process: the harness imports it
# to compare outputs, and its children must start with the variable as the harness was given it, as from a shell.
ALLOCATOR_VARIABLE = "_RJEM_MALLOC_CONF"
GIVEN_ALLOCATOR = os.environ.get(ALLOCATOR_VARIABLE)
SNAPSHOT: Path | None = None


def child_env() -> dict[str, str]:
    env = {**os.environ, **CHILD_ENV}
    env.pop(ALLOCATOR_VARIABLE, None)
    if GIVEN_ALLOCATOR is not None:
        env[ALLOCATOR_VARIABLE] = GIVEN_ALLOCATOR
    if SNAPSHOT is not None:  # the package as it was when the run started (see `snapshot`)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SNAPSHOT), env.get("PYTHONPATH")]))
    return env


def snapshot(into: Path) -> None:
    """Measure a copy of renewals_cli taken now: a long run in a shared work tree must not mix code versions.

    PYTHONPATH comes before the editable install's finder, so the children import the copy.
    """
    global SNAPSHOT
    shutil.copytree(ROOT / "renewals_cli", into / "renewals_cli", ignore=shutil.ignore_patterns("__pycache__"))
    # Byte-compiled as pip installs a package: PYTHONDONTWRITEBYTECODE would otherwise recompile it every run.
    compileall.compile_dir(into / "renewals_cli", quiet=1)
    SNAPSHOT = into


def measure(command: Sequence[str], timeout: float) -> Sample:
    """Run the command with stdout to /dev/null; its wall time and its own peak RSS (wait4 reaps it alone)."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=child_env()
        )
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if wall >= timeout:
            raise BenchError(f"`{shlex.join(command)}` timed out after {timeout:.0f} s")
        if process.returncode != 0:
            stderr.seek(0)
            tail = stderr.read().decode(errors="replace").strip().splitlines()[-5:]
            raise BenchError(f"`{shlex.join(command)}` exited {process.returncode}:\n  " + "\n  ".join(tail))
    return Sample(wall=wall, peak=usage.ru_maxrss * 1024)  # ru_maxrss is in KiB on Linux


def take(
    key: K, command: Sequence[str], timeout: float, label: str, samples: dict[K, list[Sample]], failures: dict[K, str]
) -> None:
    """Measure the command once, saying how it went after `label`: its sample is added to `samples[key]`, or why it
    failed to `failures[key]` (a failed measurement is left out, and the run goes on)."""
    try:
        sample = measure(command, timeout)
    except BenchError as exc:
        failures.setdefault(key, str(exc).splitlines()[0])
        say(f"{label} FAILED: {exc}")
        return
    samples.setdefault(key, []).append(sample)
    say(f"{label} {sample.wall:7.2f} s {sample.peak / 2**20:8,.0f} MiB")


def round_robin(
    runs: Mapping[K, Sequence[str]],
    repeat: int,
    timeout: float,
    label: Callable[[int, K], str],
    samples: dict[K, list[Sample]],
    failures: dict[K, str],
) -> None:
    """Every command `repeat` times, the order rotated from one repetition to the next (see `take`); `label` says
    which repetition and command a line is about."""
    keys = list(runs)
    for repetition in range(repeat):
        shift = repetition % len(keys)
        for key in keys[shift:] + keys[:shift]:
            take(key, runs[key], timeout, label(repetition, key), samples, failures)


def output_of(command: Sequence[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=child_env(), check=False)
    if done.returncode != 0:
        raise BenchError(f"`{shlex.join(command)}` exited {done.returncode}:\n  {done.stderr.strip()}")
    return done.stdout


def succeeds(command: Sequence[str]) -> bool:
    """The command exits 0 (its output discarded), as the children would run it."""
    done = subprocess.run(command, capture_output=True, env=child_env(), check=False)
    return done.returncode == 0
