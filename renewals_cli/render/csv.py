"""CSV for spreadsheets: one table, full precision, empty cells for nulls, formula injection neutralised."""

import csv
import io

import polars as pl

from renewals_cli.render.document import Document

# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading `'` when it would otherwise be read as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a single quote; numbers stay numbers."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    starts = "^[" + "".join(FORMULA_PREFIXES).replace("-", r"\-") + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(starts)).then("'" + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text
    )


def write_csv(frame: pl.DataFrame) -> str:
    """The frame as CSV with every text cell and every header formula-safe: the one way this tool writes CSV
    (reports and the rejected rows alike). A header comes from the export's own file for rejected rows, so it is
    as untrusted as a cell."""
    if not frame.columns:
        return frame.write_csv()
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(formula_safe(name) for name in frame.columns)
    return header.getvalue() + neutralise(frame).write_csv(include_header=False)


def render(document: Document) -> str:
    """The document's first table as CSV."""
    return write_csv(document.sections[0].frame)
