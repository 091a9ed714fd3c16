"""One export made of one or more files: mapped, typed, with rejected and skipped rows marked (SPEC §1)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from renewals_cli.load.columns import ColumnMapping, resolve_columns
from renewals_cli.load.sources import Source, expand_paths, open_source
from renewals_cli.load.validate import ParseOptions, typed_rows

DUPLICATE_ID = "duplicate opportunity_id"


@dataclass(frozen=True)
class LoadOptions:
    """Everything that decides how files are read."""

    column_map: Mapping[str, str] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    parse: ParseOptions = field(default_factory=ParseOptions)


@dataclass(frozen=True)
class Export:
    """Every row read, typed; `skipped` marks blank and footer lines, `reject_reason` the rejected rows."""

    rows: pl.LazyFrame
    sources: tuple[Source, ...]
    mappings: tuple[ColumnMapping, ...]

    def has(self, canonical: str) -> bool:
        """Whether any file of the export has this column."""
        return any(m.has(canonical) for m in self.mappings)

    def accepted(self) -> pl.LazyFrame:
        """The rows KPIs are computed on."""
        return self.rows.filter(~pl.col("skipped") & pl.col("reject_reason").is_null())


def load_export(patterns: Sequence[str], options: LoadOptions) -> Export:
    """Open, map and type every file; rejected rows are marked with their reasons, never dropped."""
    sources = tuple(
        open_source(path, encoding=options.encoding, delimiter=options.delimiter) for path in expand_paths(patterns)
    )
    mappings = tuple(resolve_columns(s.headers, options.column_map, str(s.path)) for s in sources)
    frames = [typed_rows(s, m, options.parse) for s, m in zip(sources, mappings, strict=True)]
    rows = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    return Export(rows=_mark_duplicates(rows), sources=sources, mappings=mappings)


def _mark_duplicates(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Reject every occurrence of an opportunity_id after its first, in file order."""
    kept_id = pl.when(~pl.col("skipped")).then(pl.col("opportunity_id"))
    duplicate = kept_id.is_not_null() & ~kept_id.is_first_distinct()
    reason = pl.col("reject_reason")
    return rows.with_columns(
        reject_reason=pl.when(duplicate)
        .then(pl.concat_str([reason, pl.lit(DUPLICATE_ID)], separator="; ", ignore_nulls=True))
        .otherwise(reason)
    )


@dataclass(frozen=True)
class RowAccounting:
    """Rows read = accepted + rejected + skipped; reasons count each rejected row once per reason it has."""

    read: int
    accepted: int
    rejected: int
    skipped: int
    reasons: dict[str, int]


def accounting_query(rows: pl.LazyFrame) -> pl.LazyFrame:
    """One row of counts: read, skipped, rejected."""
    rejected = pl.col("reject_reason").is_not_null()
    return rows.select(
        read=pl.len(),
        skipped=pl.col("skipped").sum(),
        rejected=rejected.sum(),
    )


def reasons_query(rows: pl.LazyFrame) -> pl.LazyFrame:
    """How many rejected rows give each reason."""
    return (
        rows.select(reason=pl.col("reject_reason").drop_nulls().str.split("; "))
        .explode("reason")
        .group_by("reason")
        .len()
        .sort(["len", "reason"], descending=[True, False])
    )


def row_accounting(counts: pl.DataFrame, reasons: pl.DataFrame) -> RowAccounting:
    """Assemble the results of `accounting_query` and `reasons_query`."""
    read, skipped, rejected = (int(counts[c][0] or 0) for c in ("read", "skipped", "rejected"))
    return RowAccounting(
        read=read,
        accepted=read - skipped - rejected,
        rejected=rejected,
        skipped=skipped,
        reasons={str(r): int(n) for r, n in reasons.iter_rows()},
    )


def rejected_rows(export: Export) -> pl.DataFrame:
    """Every rejected row as the file had it, with `source`, `row` and `reject_reason` columns."""
    marked = export.rows.filter(pl.col("reject_reason").is_not_null()).select("source", "row", "reject_reason")
    parts = []
    for source in export.sources:
        original = source.frame.with_row_index("row", offset=1).with_columns(pl.all().exclude("row").cast(pl.String))
        parts.append(marked.filter(pl.col("source") == str(source.path)).join(original, on="row", how="left"))
    frame = pl.concat(parts, how="diagonal_relaxed").collect()
    # Columns of fields beyond the header are kept up to the last one a rejected row fills.
    extras = list(dict.fromkeys(e for source in export.sources for e in source.extras if e in frame.columns))
    filled = [i for i, e in enumerate(extras) if frame[e].null_count() < frame.height]
    empty = extras[filled[-1] + 1 :] if filled else extras
    return frame.select("source", "row", pl.all().exclude("source", "row", "reject_reason", *empty), "reject_reason")
