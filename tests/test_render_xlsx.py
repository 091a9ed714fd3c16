"""The Excel workbook, read back with openpyxl: sheets, frozen headers, typed cells, number formats, safe text."""

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from openpyxl.utils.escape import unescape
from openpyxl.worksheet.worksheet import Worksheet

from renewals_cli.present.glossary import GLOSSARY
from renewals_cli.render import xlsx
from renewals_cli.render.cells import label
from renewals_cli.render.document import Document, Section
from tests.clirun import run
from tests.conftest import DATA

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
# The overall KPIs the summary shows, by the label in its first column.
LABELS_OF = {label(c): c for c in ("opportunities", "available", "renewal_rate", "grr", "churned_value", "otrr")}
LONG = "Coaching: each rep's weakest lever against the team"


COACHING = pl.DataFrame({"rep": ["Ann"], "weakest_lever": ["close"], "lever_gap": [-0.0132]})
TOTALS = {
    "group": "all",
    "opportunities": 7,
    "available": 960_000.0,
    "renewal_rate": 0.69,
    "resolution_rate_value": 0.927,
    "close_rate_value": 0.719,
    "conversion_rate": 1.034,
    "churned_value": 250_000.0,
    "grr": None,
}
MISSED = pl.DataFrame(
    {
        "grouping": ["overall", "rep", "rep"],
        "group": ["overall", "=Ann Lee", "Bob Ray"],
        "kpi": ["renewal_rate", "close_rate", "grr"],
        "value": [0.69, 0.6, 0.5],
        "target": [0.8, 0.7, 0.75],
    }
)


def document(currency: str | None = None) -> Document:
    return Document(
        title="Renewal report",
        sections=(
            Section("rep", "By rep", REPS, below=frozenset({(1, "close_rate")})),
            Section("opportunities", "Open renewals", WORKLIST),
            Section("coaching", LONG, COACHING, sheet="Coaching by rep"),
            Section("long", LONG, pl.DataFrame({"rep": ["Ann"]})),
            Section("again", "By rep", pl.DataFrame({"rep": []}, schema={"rep": pl.String})),
            Section("summary", "Summary", pl.DataFrame({"x": [1]})),
        ),
        headline=(("Window", "every row"), ("Targets", "=1 missed: rep Ann close_rate")),
        totals=TOTALS,
        missed=MISSED,
        currency=currency,
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
        "Coaching by rep",  # the section's own short sheet name
        "Coaching - each rep's weakest",  # a long title without one, cut at a word
        "By rep (2)",
        "Summary (2)",
        "Missed targets",
        "Glossary",
    ]
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len({name.lower() for name in book.sheetnames}) == len(book.sheetnames)


def test_sheet_names_follow_excel_s_rules() -> None:
    names = xlsx.sheet_names(["a/b?c", "x" * 40, "x" * 40, "'quoted'", "[]", "SUMMARY", "glossary", "T\x1b[2J\x07"])
    assert names == ["a - b - c", "x" * 31, "x" * 27 + " (2)", "quoted", "Table", "SUMMARY (2)", "glossary", "T"]
    assert xlsx.sheet_names(["Glossary"], reserved=["Summary", "Glossary"]) == ["Glossary (2)"]
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
    assert summary["B4"].data_type == "s"
    assert [summary["A16"].value, summary["B16"].value] == ["Sheets", "By rep"]
    assert [summary[f"B{row}"].value for row in range(16, 24)] == book.sheetnames[1:]
    assert summary["B17"].hyperlink.location == "'Open renewals'!A1"
    assert summary["C16"].value == "3 rows"
    assert [summary["C22"].value, summary["C23"].value] == ["3 missed", "what each KPI is"]


def test_summary_has_the_overall_kpis_as_numbers_with_what_each_is(book: openpyxl.Workbook) -> None:
    summary = sheet(book, "Summary")
    assert [summary[f"{c}6"].value for c in "ABC"] == ["Overall", "Value", "What it is"]
    rows = [[summary[f"{c}{row}"].value for c in "AB"] for row in range(7, 15)]
    assert rows == [
        ["Opps", 7],
        ["Available", 960_000],
        ["Resolution $", 0.927],
        ["Close $", 0.719],
        ["Conversion", 1.034],
        ["Renewal", 0.69],
        ["GRR", None],
        ["Churned", 250_000],
    ]
    assert [summary[f"B{row}"].number_format for row in range(7, 15)] == [
        "#,##0", "#,##0", "0.0%", "0.0%", "0.0%", "0.0%", "General", "#,##0",
    ]  # fmt: skip
    assert summary["C12"].value == GLOSSARY["renewal_rate"]
    assert summary["B12"].data_type == "n"


def test_amounts_take_the_currency_format_and_stay_numbers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(document(currency="usd"))))
    rep = sheet(book, "By rep")
    assert rep["C2"].value == 1_200_000.5
    assert rep["C2"].number_format == "[$USD] #,##0.00"
    assert rep["B2"].number_format == "#,##0"  # a count is not money
    assert rep["D2"].number_format == "0.0%"
    assert sheet(book, "Open renewals")["D2"].number_format == "[$USD] #,##0.00"
    assert sheet(book, "Summary")["B8"].number_format == "[$USD] #,##0.00"


@pytest.mark.parametrize(
    ("currency", "number_format"),
    [
        (None, "#,##0"),
        ("", "#,##0"),
        ("EUR", "[$EUR] #,##0.00"),
        ("€", "[$€] #,##0.00"),
        ('US"D];@', "[$USD] #,##0.00"),  # nothing that could end the format or start another section
    ],
)
def test_currency_format(currency: str | None, number_format: str) -> None:
    assert xlsx.currency_format(currency) == number_format


def test_points_are_fractions_shown_with_a_sign(book: openpyxl.Workbook) -> None:
    coaching = sheet(book, "Coaching by rep")
    assert values(coaching) == [["Rep", "Weakest lever", "vs team (pts)"], ["Ann", "close", -0.0132]]
    assert coaching["C2"].number_format == "+0.0%;-0.0%;0.0%"


def test_every_missed_target_is_listed(book: openpyxl.Workbook) -> None:
    missed = sheet(book, "Missed targets")
    assert values(missed) == [
        ["Grouping", "Group", "KPI", "Column", "Value", "Target", "Gap (points)"],
        ["overall", "overall", "Renewal", "renewal_rate", 0.69, 0.8, pytest.approx(-0.11)],
        ["rep", "=Ann Lee", "Close #", "close_rate", 0.6, 0.7, pytest.approx(-0.1)],
        ["rep", "Bob Ray", "GRR", "grr", 0.5, 0.75, -0.25],
    ]
    assert missed["B3"].data_type == "s"
    assert [missed[f"{c}2"].number_format for c in "EFG"] == ["0.0%", "0.0%", "+0.0%;-0.0%;0.0%"]
    assert missed.freeze_panes == "A2"


def test_no_missed_targets_sheet_without_misses() -> None:
    plain = Document("Renewal report", (Section("rep", "By rep", REPS),), missed=MISSED.clear())
    assert "Missed targets" not in openpyxl.load_workbook(io.BytesIO(xlsx.render(plain))).sheetnames


def test_the_glossary_sheet_defines_each_kpi_in_the_workbook(book: openpyxl.Workbook) -> None:
    glossary = values(sheet(book, "Glossary"))
    assert glossary[0] == ["KPI", "Column", "Basis and definition"]
    # The KPIs of the tables (not of the summary): opportunities, available, close_rate, conversion, coaching.
    columns = ["opportunities", "available", "close_rate", "conversion_rate", "weakest_lever", "lever_gap"]
    columns.append("top_heavy")
    assert glossary[1:] == [[label(c), c, GLOSSARY[c]] for c in columns]


def test_an_empty_table_is_a_header_row() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(document())))
    assert values(sheet(book, "By rep (2)")) == [["Rep"]]


def test_a_document_without_headline_still_has_a_summary() -> None:
    plain = Document(title="Accounts by segment", sections=(Section("accounts", "Accounts", pl.DataFrame()),))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(plain)))
    assert book.sheetnames == ["Summary", "Accounts"]  # no KPI, no glossary
    assert sheet(book, "Summary")["A1"].value == "Accounts by segment"


def test_the_report_workbook_from_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "renewals.toml"
    config.write_text("[targets]\nrenewal_rate = 0.8\n\n[targets.rep]\nclose_rate_value = 0.9\n")
    target = tmp_path / "weekly.xlsx"
    args = ["report", str(DATA / "book.csv"), "--as-of", "2026-05-01", "--config", str(config)]
    assert run(capsys, *args, "-o", str(target)).exit_code == 0
    overall = json.loads(run(capsys, *args, "--by", "overall", "-f", "json").stdout)["groups"][0]
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == [
        "Summary", "By segment", "By rep", "By batch", "Forecast by rep", "Coaching by rep", "Missed targets",
        "Glossary",
    ]  # fmt: skip
    summary = sheet(workbook, "Summary")
    figures = {
        row[0].value: row[1].value for row in summary.iter_rows(min_col=1, max_col=2) if row[0].value in LABELS_OF
    }
    assert figures == {label(c): overall[c] for c in LABELS_OF.values()}
    missed = values(sheet(workbook, "Missed targets"))[1:]
    # Under 80%: the whole book (69.0%), enterprise (0.0%) and SMB (70.0%), both reps (Ann 72.9%, Bob 38.2%);
    # and Ann's close $ (70.6%) is under the reps' 90%.
    assert [(row[1], row[3]) for row in missed] == [
        ("overall", "renewal_rate"),
        ("enterprise", "renewal_rate"),
        ("smb", "renewal_rate"),
        ("Ann Lee", "renewal_rate"),
        ("Ann Lee", "close_rate_value"),
        ("Bob Ray", "renewal_rate"),
    ]
