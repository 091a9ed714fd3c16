"""Reading a large export in parts, to bound memory (a measured trade of time for memory, see BENCHMARKS.md).

The report holds its per-account sums in memory, and a large export has millions of accounts. Every report figure
adds up over disjoint sets of accounts (`kpis.add_totals`), so a large Parquet export is read once per part, each
part the accounts whose id hashes to it, and only one part's sums are held at a time. A CSV's row count is not
known before it is read (that would be a pass of its own), so a CSV is read whole.
"""

import polars as pl

from renewals_cli.load.export import Export, Held

ROWS_PER_PART = 2_500_000
SEED = 20261125  # (any fixed seed: the same accounts fall in the same part on every run)


def of(export: Export | Held, rows_per_part: int = ROWS_PER_PART) -> list[pl.Expr | None]:
    """The filters that split the export's rows into parts of whole accounts; [None] for the whole export."""
    if not export.sources or any(source.kind != "parquet" for source in export.sources):
        return [None]
    rows = sum(int(source.frame.select(pl.len()).collect().item()) for source in export.sources)  # (metadata)
    count = -(-rows // rows_per_part)
    if count <= 1:
        return [None]
    part = pl.col("account_id").hash(seed=SEED) % count
    return [part == index for index in range(count)]
