"""The benchmark inputs: exports written by `renewals sample`, generated once and cached by rows, seed, style and
as-of date."""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from processes import ROOT, output_of, say

AS_OF = "2026-11-25"
SEED = 1


@dataclass(frozen=True)
class Export:
    """One benchmark input file."""

    label: str  # "canonical CSV", "canonical Parquet", "Salesforce CSV"
    style: str
    suffix: str
    canonical: bool  # the targets are set on the canonical exports

    def path(self, data: Path, rows: int, as_of: str = AS_OF) -> Path:
        return data / f"{self.style}-{rows}rows-seed{SEED}-{as_of}{self.suffix}"


EXPORTS = (
    Export("canonical CSV", "canonical", ".csv", canonical=True),
    Export("canonical Parquet", "canonical", ".parquet", canonical=True),
    Export("Salesforce CSV", "salesforce", ".csv", canonical=False),
)
CANONICAL_CSV, LARGE = EXPORTS[0], EXPORTS[1]


def generate(renewals: str, data: Path, rows: int, exports: Sequence[Export] = EXPORTS, as_of: str = AS_OF) -> None:
    """Write every export of `rows` rows, as of `as_of`, that is not in the cache yet."""
    data.mkdir(parents=True, exist_ok=True)
    for export in exports:
        path = export.path(data, rows, as_of)
        if path.exists():
            continue
        say(f"generating {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} …")
        start = time.perf_counter()
        output_of(
            [
                renewals,
                "sample",
                str(path),
                "--rows",
                str(rows),
                "--seed",
                str(SEED),
                "--style",
                export.style,
                "--as-of",
                as_of,
            ]
        )
        say(f"  {time.perf_counter() - start:.1f} s, {path.stat().st_size / 2**20:,.0f} MiB")


def warm(paths: Sequence[Path]) -> None:
    """Read every file once so that no contender pays for the first read from disk."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass
