"""Excel: a Summary sheet with the headline, then one sheet per table with typed, formatted cells.

Rates are fractions shown as percents and amounts are numbers shown with thousands separators, so the workbook
computes like the data it came from. Text that a spreadsheet would run as a formula is neutralised, as in CSV.
"""

import datetime as dt
import io
import math
import re
from decimal import Decimal
from typing import Any

import xlsxwriter

from renewals_cli.render.cells import MONEY_COLUMNS, RATE_COLUMNS, label, one_line
from renewals_cli.render.document import Document, Section

SUMMARY = "Summary"
# Excel's limits on sheet names: 31 characters, none of these, no apostrophe at either end, unique ignoring case.
SHEET_CHARS = 31
FORBIDDEN = re.compile(r"\s*[\[\]:*?/\\]+\s*")
NUMBER_FORMATS = {
    "rate": "0.0%",
    "money": "#,##0",
    "integer": "#,##0",
    "float": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
# How wide each kind of number shows, for the column widths.
SHOWN = {"rate": "{:.1%}", "money": "{:,.0f}", "integer": "{:,}", "float": "{:,.2f}"}
BELOW = "#b91c1c"
# Column widths in characters: wide enough for a heading or a typical value, never wider than this.
MAX_WIDTH = 60


def sheet_names(titles: list[str]) -> list[str]:
    """Valid, distinct sheet names for the tables, after the Summary sheet: each title, cut at a word where it
    must be, with ` (2)` and so on when two would be the same."""
    taken = {SUMMARY.lower()}
    names = []
    for title in titles:
        base = FORBIDDEN.sub(" - ", one_line(title)).strip(" -'") or "Table"
        if len(base) > SHEET_CHARS:
            cut = base[:SHEET_CHARS]
            base = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" -'")
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_CHARS - len(suffix)].rstrip() + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def _kind(column: str, value: object) -> str:
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if column in RATE_COLUMNS:
        return "rate"
    if column in MONEY_COLUMNS:
        return "money"
    return "integer" if isinstance(value, int) else "float"


class _Formats:
    """One workbook format per kind of cell, red when the cell is under its target; created on first use."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.made: dict[tuple[str, bool], Any] = {}

    def __call__(self, kind: str, below: bool = False) -> Any:
        key = (kind, below)
        if key not in self.made:
            properties: dict[str, Any] = {}
            if kind in NUMBER_FORMATS:
                properties["num_format"] = NUMBER_FORMATS[kind]
            if kind in ("header", "title"):
                properties["bold"] = True
            if kind == "header":
                properties |= {"bottom": 1, "text_wrap": True, "valign": "bottom"}
            if kind == "title":
                properties["font_size"] = 14
            if below:
                properties |= {"font_color": BELOW, "bold": True}
            self.made[key] = self.workbook.add_format(properties)
        return self.made[key]


def _write(sheet: Any, row: int, col: int, column: str, value: object, formats: _Formats, below: bool) -> int:
    """Write one cell as its type; returns how many characters wide it shows."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        sheet.write_blank(row, col, None, formats("text", below))
        return 0
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, formats("text", below))
        return 5
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, int | float):
        kind = _kind(column, value)
        sheet.write_number(row, col, value, formats(kind, below))
        return len(SHOWN[kind].format(value))
    if isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, formats(_kind(column, value), below))
        return 16 if isinstance(value, dt.datetime) else 10
    text = str(value)
    sheet.write_string(row, col, text, formats("text", below))
    return len(text)


def _table(workbook: Any, name: str, section: Section, formats: _Formats) -> None:
    sheet = workbook.add_worksheet(name)
    frame = section.frame
    widths = []
    for col, column in enumerate(frame.columns):
        sheet.write_string(0, col, label(column), formats("header"))
        widths.append(len(label(column)))
    for index, row in enumerate(frame.iter_rows()):
        for col, (column, value) in enumerate(zip(frame.columns, row, strict=True)):
            shown = _write(sheet, index + 1, col, column, value, formats, (index, column) in section.below)
            widths[col] = max(widths[col], shown)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width + 2, MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    if frame.width:
        sheet.autofilter(0, 0, frame.height, frame.width - 1)


def _summary(workbook: Any, document: Document, names: list[str], formats: _Formats) -> None:
    sheet = workbook.add_worksheet(SUMMARY)
    sheet.write_string(0, 0, document.title, formats("title"))
    row = 2
    for name, text in document.headline:
        sheet.write_string(row, 0, name, formats("header"))
        sheet.write_string(row, 1, text, formats("text"))
        row += 1
    widths = [len(name) for name, _ in document.headline] or [0]
    texts = [len(text) for _, text in document.headline] or [0]
    sheet.set_column(0, 0, max(*widths, 12) + 2)
    sheet.set_column(1, 1, min(max(*texts, 12) + 2, 2 * MAX_WIDTH))
    row += 1
    sheet.write_string(row, 0, "Sheets", formats("header"))
    for offset, (name, section) in enumerate(zip(names, document.sections, strict=True)):
        quoted = name.replace("'", "''")
        sheet.write_url(row + offset, 1, f"internal:'{quoted}'!A1", string=name)
        sheet.write_string(row + offset, 2, f"{section.frame.height:,} rows", formats("text"))


def render(document: Document) -> bytes:
    """The document as an .xlsx workbook: Summary first, then each table on its own sheet."""
    buffer = io.BytesIO()
    # Infinity (which no KPI should give) shows as an Excel error rather than failing the whole workbook.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True, "remove_timezone": True})
    formats = _Formats(workbook)
    names = sheet_names([section.title for section in document.sections])
    _summary(workbook, document, names, formats)
    for name, section in zip(names, document.sections, strict=True):
        _table(workbook, name, section, formats)
    workbook.close()
    return buffer.getvalue()
