"""Reading a large export in parts, to bound memory (a measured trade of time for memory, see BENCHMARKS.md).

The report holds its per-account sums in memory, and a large export has millions of accounts. Every report figure
adds up over disjoint sets of accounts (`kpis.add_totals`), so a large Parquet export is reported in parts, each
the accounts whose id hashes to it: the rows the report reads are written once, partitioned, to a temporary
directory (fast to write and read back: lz4, no statistics), and each part is read back in turn, so that only
one part's sums are held at a time. A CSV's row count is not known before it is read (that would be a pass of
its own), so a CSV is read whole.
"""

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from renewals_cli.errors import InputError
from renewals_cli.load.export import Export, Held

ROWS_PER_PART = 4_000_000
SEED = 20261125  # (any fixed seed: the same accounts fall in the same part on every run)


def count(export: Export | Held, rows_per_part: int = ROWS_PER_PART) -> int:
    """How many parts to report the export in: 1 unless it is a large Parquet export."""
    if not export.sources or any(source.kind != "parquet" for source in export.sources):
        return 1
    rows = sum(int(source.frame.select(pl.len()).collect().item()) for source in export.sources)  # (metadata)
    return max(1, -(-rows // rows_per_part))


@contextmanager
def split(export: Export, parts: int, columns: Sequence[str]) -> Iterator[list[pl.LazyFrame]]:
    """The export's typed rows (`columns` of them) as `parts` disjoint sets of whole accounts."""
    with tempfile.TemporaryDirectory(prefix="renewals-parts-") as directory:
        part = (pl.col("account_id").hash(seed=SEED) % parts).alias("part")
        try:
            export.rows.select(*columns, part).sink_parquet(
                pl.PartitionBy(directory, key="part", include_key=False),
                mkdir=True,
                compression="lz4",
                statistics=False,
            )
        except pl.exceptions.PolarsError as exc:
            raise export.unreadable(exc) from None
        except OSError as exc:
            raise InputError(f"cannot write the report's parts to {directory} ({exc.strerror})") from None
        written = sorted(Path(directory).glob("part=*"))
        yield [pl.scan_parquet(folder / "*.parquet") for folder in written]
