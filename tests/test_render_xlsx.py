"""The Excel workbook, read back with openpyxl: sheets, frozen headers, typed cells, number formats, safe text."""

import datetime as dt
import io

import openpyxl
import polars as pl
import pytest
from openpyxl.utils.escape import unescape
from openpyxl.worksheet.worksheet import Worksheet

from renewals_cli.render import xlsx
from renewals_cli.render.document import Document, Section

REPS = pl.DataFrame(
    {
        "rep": ["Ann Lee", "=HYPERLINK(1)", "Bo Chen"],
        "opportunities": [12, 7, 3],
        "available": [1_200_000.5, 350_000.0, 90_000.0],
        "close_rate": [0.8, 0.6, 1.0],
        "conversion_rate": [1.25, 0.9, None],
        "top_heavy": [False, True, None],
    }
)
WORKLIST = pl.DataFrame(
    {
        "account_name": ["+1 Corp", "-minus", "@at", "\tTab", "\rReturn", "Plain"],
        "expiry_date": [dt.date(2026, 1, 31), None, dt.date(2026, 3, 1), dt.date(2026, 4, 1), None, None],
        "days_to_expiry": [-5, 0, 40, 100, 10, 20],
        "prior_amount": [400_000.0, 1.5, None, 3.0, 4.0, 5.0],
    }
)
LONG = "Coaching: each rep's weakest lever against the team"


def document() -> Document:
    return Document(
        title="Renewal report",
        sections=(
            Section("rep", "By rep", REPS, below=frozenset({(1, "close_rate")})),
            Section("opportunities", "Open renewals", WORKLIST),
            Section("coaching", LONG, pl.DataFrame({"rep": ["Ann"]})),
            Section("again", "By rep", pl.DataFrame({"rep": []}, schema={"rep": pl.String})),
            Section("summary", "Summary", pl.DataFrame({"x": [1]})),
        ),
        headline=(("Window", "every row"), ("Targets", "=1 missed: rep Ann close_rate")),
    )


@pytest.fixture(scope="module")
def book() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(xlsx.render(document())))


def sheet(book: openpyxl.Workbook, name: str) -> Worksheet:
    found = book[name]
    assert isinstance(found, Worksheet)
    return found


def values(ws: Worksheet) -> list[list[object]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_one_sheet_per_table_after_the_summary(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [
        "Summary",
        "By rep",
        "Open renewals",
        "Coaching - each rep's weakest",
        "By rep (2)",
        "Summary (2)",
    ]


def test_sheet_names_follow_excel_s_rules() -> None:
    names = xlsx.sheet_names(["a/b?c", "x" * 40, "x" * 40, "'quoted'", "[]", "SUMMARY"])
    assert names == ["a - b - c", "x" * 31, "x" * 27 + " (2)", "quoted", "Table", "SUMMARY (2)"]
    assert all(len(name) <= 31 for name in names)


def test_header_rows_are_frozen_labelled_and_filterable(book: openpyxl.Workbook) -> None:
    for name in book.sheetnames[1:]:
        assert sheet(book, name).freeze_panes == "A2", name
    rep = sheet(book, "By rep")
    assert values(rep)[0] == ["Rep", "Opps", "Available", "Close #", "Conversion", "Top-heavy"]
    assert rep["A1"].font.b
    assert rep.auto_filter.ref == "A1:F4"


def test_cells_keep_their_types_and_formats(book: openpyxl.Workbook) -> None:
    rep = sheet(book, "By rep")
    assert values(rep)[1:] == [
        ["Ann Lee", 12, 1_200_000.5, 0.8, 1.25, False],
        ["=HYPERLINK(1)", 7, 350_000, 0.6, 0.9, True],
        ["Bo Chen", 3, 90_000, 1.0, None, None],
    ]
    assert type(rep["B2"].value) is int
    assert rep["B2"].number_format == "#,##0"
    assert rep["C2"].number_format == "#,##0"  # money: thousands separators
    assert rep["D2"].number_format == "0.0%"  # rates: stored as fractions, shown as percents
    assert rep["E2"].number_format == "0.0%"
    assert rep["E4"].value is None  # a null rate (no closed renewals) is an empty cell, not 0
    assert rep["E4"].data_type == "n"


def test_dates_are_dates_and_nulls_empty(book: openpyxl.Workbook) -> None:
    worklist = sheet(book, "Open renewals")
    assert worklist["B2"].value == dt.datetime(2026, 1, 31)
    assert worklist["B2"].is_date
    assert worklist["B2"].number_format == "yyyy-mm-dd"
    assert worklist["B3"].value is None
    assert worklist["C2"].value == -5  # a negative number stays a number
    assert worklist["D4"].value is None
    assert worklist["D3"].value == 1.5


def test_text_that_looks_like_a_formula_is_stored_as_text_as_written(book: openpyxl.Workbook) -> None:
    worklist = sheet(book, "Open renewals")
    # Control characters are stored escaped (`_x000D_`), which Excel reads back and openpyxl leaves as they are.
    assert [unescape(str(worklist[f"A{row}"].value)) for row in range(2, 8)] == [
        "+1 Corp",
        "-minus",
        "@at",
        "\tTab",
        "\rReturn",
        "Plain",
    ]
    assert {worklist[f"A{row}"].data_type for row in range(2, 8)} == {"s"}  # a string cell never runs
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)


def test_below_target_cells_are_red(book: openpyxl.Workbook) -> None:
    rep = sheet(book, "By rep")
    assert rep["D3"].font.color.rgb == "FFB91C1C"
    assert rep["D3"].number_format == "0.0%"
    assert rep["D2"].font.color is None or rep["D2"].font.color.rgb != "FFB91C1C"


def test_summary_has_the_headline_and_the_sheets(book: openpyxl.Workbook) -> None:
    summary = sheet(book, "Summary")
    assert summary["A1"].value == "Renewal report"
    assert [summary["A3"].value, summary["B3"].value] == ["Window", "every row"]
    assert [summary["A4"].value, summary["B4"].value] == ["Targets", "=1 missed: rep Ann close_rate"]
    assert [summary[f"B{row}"].value for row in range(6, 11)] == book.sheetnames[1:]
    assert summary["B7"].hyperlink.location == "'Open renewals'!A1"
    assert summary["C6"].value == "3 rows"


def test_an_empty_table_is_a_header_row() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(document())))
    assert values(sheet(book, "By rep (2)")) == [["Rep"]]


def test_a_document_without_headline_still_has_a_summary() -> None:
    plain = Document(title="Accounts by segment", sections=(Section("accounts", "Accounts", pl.DataFrame()),))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(plain)))
    assert book.sheetnames == ["Summary", "Accounts"]
    assert sheet(book, "Summary")["A1"].value == "Accounts by segment"
