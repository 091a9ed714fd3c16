"""CSV for spreadsheets: one table, full precision, empty cells for nulls, formula injection neutralised."""

import polars as pl

from renewals_cli.render.document import Document

# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a single quote; numbers stay numbers."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    starts = "^[" + "".join(FORMULA_PREFIXES).replace("-", r"\-") + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(starts)).then("'" + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text
    )


def render(document: Document) -> str:
    """The document's first table as CSV."""
    return neutralise(document.sections[0].frame).write_csv()
