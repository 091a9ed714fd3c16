"""Excel: a Summary sheet (the headline, and the overall KPIs as numbers), one sheet per table with typed,
formatted cells, then the missed targets and a glossary.

Rates are fractions shown as percents, amounts are numbers shown in the report's currency (or with thousands
separators when none is named), so the workbook computes like the data it came from. Text is written as text: a
workbook string cell is never run as a formula, so it is stored exactly as the export had it (no CSV-style quote).
"""

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl
import xlsxwriter

from renewals_cli.present.glossary import glossary_for
from renewals_cli.render.cells import MONEY_COLUMNS, POINT_COLUMNS, RATE_COLUMNS, label, one_line
from renewals_cli.render.document import Document

SUMMARY = "Summary"
MISSED = "Missed targets"
GLOSSARY = "Glossary"
# Excel's limits on sheet names: 31 characters, none of these, no apostrophe at either end, unique ignoring case.
SHEET_CHARS = 31
FORBIDDEN = re.compile(r"\s*[\[\]:*?/\\]+\s*")
NUMBER_FORMATS = {
    "rate": "0.0%",
    # A difference of two rates, in points: stored as a fraction like the rates it compares.
    "points": "+0.0%;-0.0%;0.0%",
    "money": "#,##0",
    "integer": "#,##0",
    "float": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
# How wide each kind of number shows, for the column widths.
SHOWN = {"rate": "{:.1%}", "points": "{:+.1%}", "money": "{:,.2f}", "integer": "{:,}", "float": "{:,.2f}"}
BELOW = "#b91c1c"
# Column widths in characters: wide enough for a heading or a typical value, never wider than this.
MAX_WIDTH = 60
# What a currency may be written with inside a number format: letters (an ISO code) and currency signs.
CURRENCY_TEXT = re.compile(r"[^A-Za-z$€£¥₹₩₽¢]")


def currency_format(currency: str | None) -> str:
    """The number format for amounts: `[$USD] #,##0.00` for a currency, thousands separators without one."""
    code = CURRENCY_TEXT.sub("", currency or "")[:8]
    code = code.upper() if code.isalpha() else code
    return f"[${code}] #,##0.00" if code else NUMBER_FORMATS["money"]


def sheet_names(titles: list[str], reserved: Sequence[str] = (SUMMARY,)) -> list[str]:
    """Valid, distinct sheet names for the tables, besides the `reserved` ones: each title, cut at a word where it
    must be, with ` (2)` and so on when two would be the same."""
    taken = {name.lower() for name in reserved}
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
    if column in POINT_COLUMNS:
        return "points"
    if column in RATE_COLUMNS:
        return "rate"
    if column in MONEY_COLUMNS and isinstance(value, float):  # (a report's `won` is a count, a bridge's an amount)
        return "money"
    return "integer" if isinstance(value, int) else "float"


class _Formats:
    """One workbook format per kind of cell, red when the cell is under its target; created on first use."""

    def __init__(self, workbook: Any, currency: str | None) -> None:
        self.workbook = workbook
        self.numbers = NUMBER_FORMATS | {"money": currency_format(currency)}
        self.made: dict[tuple[str, bool], Any] = {}

    def __call__(self, kind: str, below: bool = False) -> Any:
        key = (kind, below)
        if key not in self.made:
            properties: dict[str, Any] = {}
            if kind in self.numbers:
                properties["num_format"] = self.numbers[kind]
            if kind in ("header", "title"):
                properties["bold"] = True
            if kind == "header":
                properties |= {"bottom": 1, "text_wrap": True, "valign": "bottom"}
            if kind == "title":
                properties["font_size"] = 14
            if kind == "wrap":
                properties |= {"text_wrap": True, "valign": "top"}
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
        return len(SHOWN[kind].format(value)) + (5 if kind == "money" else 0)
    if isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, formats(_kind(column, value), below))
        return 16 if isinstance(value, dt.datetime) else 10
    text = str(value)
    sheet.write_string(row, col, text, formats("text", below))
    return len(text)


def _frame_sheet(
    workbook: Any, name: str, frame: pl.DataFrame, formats: _Formats, below: frozenset[tuple[int, str]] = frozenset()
) -> None:
    sheet = workbook.add_worksheet(name)
    widths = []
    for col, column in enumerate(frame.columns):
        sheet.write_string(0, col, label(column), formats("header"))
        widths.append(len(label(column)))
    for index, row in enumerate(frame.iter_rows()):
        for col, (column, value) in enumerate(zip(frame.columns, row, strict=True)):
            shown = _write(sheet, index + 1, col, column, value, formats, (index, column) in below)
            widths[col] = max(widths[col], shown)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width + 2, MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    if frame.width:
        sheet.autofilter(0, 0, frame.height, frame.width - 1)


def _missed(workbook: Any, missed: pl.DataFrame, formats: _Formats) -> None:
    """Every missed target: the group, the KPI (its column name and label), its value and target, as rates."""
    sheet = workbook.add_worksheet(MISSED)
    headers = ["Grouping", "Group", "KPI", "Column", "Value", "Target", "Gap (points)"]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, formats("header"))
    for index, (grouping, group, kpi, value, target) in enumerate(
        missed.select("grouping", "group", "kpi", "value", "target").iter_rows(), start=1
    ):
        sheet.write_string(index, 0, grouping, formats("text"))
        sheet.write_string(index, 1, group, formats("text"))
        sheet.write_string(index, 2, label(kpi), formats("text"))
        sheet.write_string(index, 3, kpi, formats("text"))
        sheet.write_number(index, 4, value, formats("rate"))
        sheet.write_number(index, 5, target, formats("rate"))
        sheet.write_number(index, 6, value - target, formats("points"))
    widths = [len(h) for h in headers]
    for row in missed.iter_rows():
        widths[1] = max(widths[1], len(str(row[1])))
        widths[3] = max(widths[3], len(str(row[2])))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width, 10) + 2, MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, missed.height, len(headers) - 1)


def _glossary(workbook: Any, terms: list[tuple[str, str]], formats: _Formats) -> None:
    sheet = workbook.add_worksheet(GLOSSARY)
    for col, header in enumerate(("KPI", "Column", "Basis and definition")):
        sheet.write_string(0, col, header, formats("header"))
    for row, (column, definition) in enumerate(terms, start=1):
        sheet.write_string(row, 0, label(column), formats("text"))
        sheet.write_string(row, 1, column, formats("text"))
        sheet.write_string(row, 2, definition, formats("wrap"))
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 100)
    sheet.freeze_panes(1, 0)


def _summary(workbook: Any, document: Document, sheets: list[tuple[str, str]], formats: _Formats) -> None:
    """The title, the headline, the overall KPIs as numbers (with what each is), and a link to every sheet."""
    sheet = workbook.add_worksheet(SUMMARY)
    sheet.write_string(0, 0, document.title, formats("title"))
    row = 2
    for name, text in document.headline:
        sheet.write_string(row, 0, name, formats("header"))
        sheet.write_string(row, 1, text, formats("text"))
        row += 1
    widths = [len(name) for name, _ in document.headline] or [0]
    texts = [len(text) for _, text in document.headline] or [0]
    if document.totals:
        row += 1
        sheet.write_string(row, 0, "Overall", formats("header"))
        sheet.write_string(row, 1, "Value", formats("header"))
        sheet.write_string(row, 2, "What it is", formats("header"))
        for column, definition in glossary_for(document.totals):
            row += 1
            sheet.write_string(row, 0, label(column), formats("text"))
            texts.append(_write(sheet, row, 1, column, document.totals[column], formats, False))
            sheet.write_string(row, 2, definition, formats("text"))
            widths.append(len(label(column)))
        row += 1
    sheet.set_column(0, 0, max(*widths, 12) + 2)
    sheet.set_column(1, 1, min(max(*texts, 12) + 2, 2 * MAX_WIDTH))
    row += 1
    sheet.write_string(row, 0, "Sheets", formats("header"))
    for offset, (name, what) in enumerate(sheets):
        quoted = name.replace("'", "''")
        sheet.write_url(row + offset, 1, f"internal:'{quoted}'!A1", string=name)
        sheet.write_string(row + offset, 2, what, formats("text"))


def render(document: Document) -> bytes:
    """The document as an .xlsx workbook: Summary first, then each table on its own sheet, then the missed
    targets (when the document has any) and the glossary of the KPIs shown."""
    buffer = io.BytesIO()
    # Infinity (which no KPI should give) shows as an Excel error rather than failing the whole workbook.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True, "remove_timezone": True})
    formats = _Formats(workbook, document.currency)
    missed = document.missed if document.missed is not None and document.missed.height else None
    terms = glossary_for(c for section in document.sections for c in section.frame.columns)
    reserved = [SUMMARY] + ([MISSED] if missed is not None else []) + ([GLOSSARY] if terms else [])
    names = sheet_names([section.sheet or section.title for section in document.sections], reserved)
    sheets = [(name, f"{section.frame.height:,} rows") for name, section in zip(names, document.sections, strict=True)]
    if missed is not None:
        sheets.append((MISSED, f"{missed.height:,} missed"))
    if terms:
        sheets.append((GLOSSARY, "what each KPI is"))
    _summary(workbook, document, sheets, formats)
    for name, section in zip(names, document.sections, strict=True):
        _frame_sheet(workbook, name, section.frame, formats, section.below)
    if missed is not None:
        _missed(workbook, missed, formats)
    if terms:
        _glossary(workbook, terms, formats)
    workbook.close()
    return buffer.getvalue()
