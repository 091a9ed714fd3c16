"""Hypothesis over whole export files: a valid export gives the same KPIs however it is rendered, and malformed
bytes end in a clean `RenewalsError` or in rows that are all accounted for — never in any other exception.

CI runs the few examples per test of the `ci` profile of tests/conftest.py; `make fuzz` runs its `fuzz` profile.
"""

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli.errors import RenewalsError
from renewals_cli.load import validate
from renewals_cli.load.columns import ALIASES, resolve_columns
from renewals_cli.load.export import Export, LoadOptions, load_export
from renewals_cli.load.values import fold_label as normalise
from renewals_cli.report import Report, build_report
from renewals_cli.segments import Thresholds
from renewals_cli.window import Window

# The examples of the Hypothesis profile (tests/conftest.py): a few in CI, thousands under `make fuzz`.
BUDGET = settings()


AS_OF = dt.date(2026, 3, 15)
WINDOW = Window(as_of=AS_OF)
COMPARED = ("overall", "segment", "rep")
REQUIRED = ("account_id", "rep", "expiry_date", "prior_amount", "status", "renewal_amount", "close_date")
OPTIONAL = ("opportunity_id", "arr", "strategic", "batch", "csm")
# Partitioned exactly by the segment rows (an account has one segment, so `accounts` too).
PARTITIONED = ("opportunities", "accounts", "available", "won", "lost", "open", "due", "past_due", "churned_value")

# ---------------------------------------------------------------------------------------------- valid exports

# Letters a CRM really writes in names: ASCII, Western European, and some outside Windows-1252.
NAME_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ éüßçØñ'-.Łő"
names = st.text(alphabet=NAME_LETTERS, min_size=1, max_size=12).map(str.strip).filter(bool)
dates = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31))
cents = st.one_of(st.integers(0, 200_000_000), st.sampled_from([0, 100_000, 20_000_000, 50_000_000]))
WON_LABELS = ("Closed Won", "Won", "Renewed", "Closed/Won", "closedwon", "Yes", "CLOSED WON", "closed_won")
LOST_LABELS = ("Closed Lost", "Lost", "Churned", "Cancelled", "closedlost", "No", "closed - lost")
OPEN_LABELS = ("Open", "Quoted", "Negotiation", "Contract sent", "Pending", "Renewal Identified")


@st.composite
def opportunity(draw: st.DrawFn, accounts: Sequence[str], reps: Sequence[str]) -> dict[str, Any]:
    """One valid opportunity in canonical values: won rows have a renewal amount and close date, lost rows a
    close date."""
    status = draw(st.sampled_from(["won", "lost", "open"]))
    return {
        "account_id": draw(st.sampled_from(accounts)),
        "rep": draw(st.sampled_from(reps)),
        "expiry_date": draw(dates),
        "prior_amount": draw(cents) / 100,
        "status": status,
        "status_label": draw(st.sampled_from({"won": WON_LABELS, "lost": LOST_LABELS, "open": OPEN_LABELS}[status])),
        "renewal_amount": draw(cents) / 100 if status == "won" else None,
        "close_date": draw(dates) if status != "open" else None,
        "arr": draw(st.none() | cents.map(lambda c: c / 100)),
        "strategic": draw(st.booleans()),
        "batch": draw(st.sampled_from(["Wave 1", "Wave 2", "FY26-Q4"])),
        "csm": draw(st.none() | st.sampled_from(reps)),
    }


@dataclass(frozen=True)
class Book:
    """A valid export: canonical rows, the optional columns it has, and how its rendering writes it."""

    rows: list[dict[str, Any]]
    optional: tuple[str, ...]
    headers: dict[str, str]  # canonical -> the header the rendering writes
    money: list[dict[str, int]]  # per row, per money column: which MONEY renderer
    date_layouts: dict[str, str]  # per date column: iso, datetime, us, eu or iso+us
    flags: str  # how `strategic` is written
    delimiter: str
    encoding: str
    newline: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (*REQUIRED, *self.optional)


MONEY: list[Callable[[float], str | None]] = [
    lambda v: f"{v:.2f}",
    lambda v: f"{v:.2f}".rstrip("0").rstrip("."),
    lambda v: f"{v:,.2f}",
    lambda v: f"${v:,.2f}",
    lambda v: f"USD {v:,.2f}",
    lambda v: f"{v / 1000:.0f}k" if v % 1000 == 0 else None,  # 250k, only for whole thousands
]
FLAGS = {"true/false": ("true", "false"), "yes/no": ("Yes", "No"), "1/0": ("1", "0"), "x/empty": ("x", "")}
HEADER_STYLES: list[Callable[[str], str]] = [
    lambda h: h,
    str.lower,
    str.upper,
    normalise,
    lambda h: h.replace(" ", "_").lower(),
    lambda h: h.replace(" ", "-").title(),
]


@st.composite
def books(draw: st.DrawFn) -> Book:
    accounts = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    reps = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    rows = draw(st.lists(opportunity(accounts, reps), min_size=1, max_size=15))
    for i, row in enumerate(rows):
        row["opportunity_id"] = f"OPP-{i}"
    optional = tuple(c for c in OPTIONAL if draw(st.booleans()))
    columns = (*REQUIRED, *optional)
    headers = {c: draw(st.sampled_from(HEADER_STYLES))(draw(st.sampled_from((c, *ALIASES[c])))) for c in columns}
    # Only renderings whose headers map back to the columns meant (`Account Name` is an alias of two columns).
    assume(resolve_columns(list(headers.values()), {}, "book").headers == {c: headers[c] for c in columns})
    money = [{c: draw(st.integers(0, len(MONEY) - 1)) for c in ("prior_amount", "renewal_amount", "arr")} for _ in rows]
    return Book(
        rows=rows,
        optional=optional,
        headers=headers,
        money=money,
        date_layouts={
            c: draw(st.sampled_from(["iso", "datetime", "us", "eu", "iso+us"])) for c in ("expiry_date", "close_date")
        },
        flags=draw(st.sampled_from(sorted(FLAGS))),
        delimiter=draw(st.sampled_from([",", ";", "\t"])),
        encoding=draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
    )


def canonical_csv(book: Book) -> bytes:
    """Canonical headers, ISO dates, plain numbers: the export as `renewals sample` would write it."""
    return _csv([list(book.columns), *(_plain(book, row) for row in book.rows)], ",", "\n").encode("utf-8")


def rendered_table(book: Book) -> list[list[str]]:
    """The same export as a CRM or spreadsheet might write it: header aliases, money and date renderings, status
    labels, flags; the header row first."""
    layouts = {c: _unambiguous(book, c, layout) for c, layout in book.date_layouts.items()}
    true, false = FLAGS[book.flags]
    table = [[book.headers[c] for c in book.columns]]
    for index, (row, money) in enumerate(zip(book.rows, book.money, strict=True)):
        cells = dict(zip(book.columns, _plain(book, row), strict=True))
        for column in ("prior_amount", "renewal_amount", "arr"):
            if row[column] is not None and column in cells:
                cells[column] = MONEY[money[column]](row[column]) or cells[column]
        for column in ("expiry_date", "close_date"):
            if row[column] is not None:
                cells[column] = _date(row[column], layouts[column], index=index)
        cells["status"] = row["status_label"]
        if "strategic" in cells:
            cells["strategic"] = true if row["strategic"] else false
        table.append([cells[c] for c in book.columns])
    return table


def rendered_csv(book: Book) -> bytes:
    """`rendered_table` with the book's delimiter, line endings and encoding (UTF-8 when the names need it)."""
    text = _csv(rendered_table(book), book.delimiter, book.newline)
    try:
        return text.encode(book.encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


def parquet_frame(book: Book) -> pl.DataFrame:
    """The same export as typed Parquet columns."""
    types = {"expiry_date": pl.Date, "close_date": pl.Date, "strategic": pl.Boolean}
    types |= dict.fromkeys(("prior_amount", "renewal_amount", "arr"), pl.Float64)
    data = {c: [row[c] if c != "status" else row["status_label"] for row in book.rows] for c in book.columns}
    return pl.DataFrame({c: pl.Series(c, v, dtype=types.get(c, pl.String)) for c, v in data.items()})


def _plain(book: Book, row: dict[str, Any]) -> list[str]:
    values = {c: "" if row[c] is None else str(row[c]) for c in book.columns}
    values["status"] = row["status"]
    values["strategic"] = "true" if row["strategic"] else "false"
    return [values[c] for c in book.columns]


def _unambiguous(book: Book, column: str, layout: str) -> str:
    """Slashed dates are read only when the column shows which layout it is (a day above 12); else ISO."""
    if layout not in ("us", "eu", "iso+us"):
        return layout
    slashed = [row[column] for i, row in enumerate(book.rows) if row[column] and (layout != "iso+us" or i % 2)]
    return layout if any(d.day > 12 for d in slashed) else "iso"


def _date(day: dt.date, layout: str, *, index: int) -> str:
    if layout == "datetime":
        return f"{day.isoformat()}T09:30:00Z" if index % 2 else f"{day.isoformat()} 17:05"
    if layout == "us" or (layout == "iso+us" and index % 2):
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    if layout == "eu":
        return f"{day.day}/{day.month}/{day.year}"
    return day.isoformat()


def _csv(table: list[list[str]], delimiter: str, newline: str) -> str:
    """The table as CSV, every field holding a CR or an LF quoted as RFC 4180 has it (Python 3.11's writer quotes
    only the characters of its own line terminator, and a lone CR ends a line as LF and CR LF do)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    lines = []
    for row in table:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        lines.append(buffer.getvalue().removesuffix("\r\n") + newline)
    return "".join(lines)


def report_of(path: Path) -> tuple[Report, Export]:
    """The report of one file, every row in the window, and the export it was built from."""
    export = load_export([str(path)], LoadOptions())
    return build_report(export, WINDOW, Thresholds(), COMPARED), export


def write(directory: str, name: str, content: bytes) -> Path:
    path = Path(directory) / name
    path.write_bytes(content)
    return path


@BUDGET
@given(books())
def test_csv_parquet_and_rendered_headers_give_the_same_kpis(book: Book) -> None:
    with tempfile.TemporaryDirectory() as directory:
        plain, _ = report_of(write(directory, "canonical.csv", canonical_csv(book)))
        rendered, _ = report_of(write(directory, "crm-export.csv", rendered_csv(book)))
        parquet_path = Path(directory) / "export.parquet"
        parquet_frame(book).write_parquet(parquet_path)
        typed, _ = report_of(parquet_path)
    n = len(book.rows)
    for report in (plain, rendered, typed):
        assert (report.accounting.read, report.accounting.accepted, report.accounting.rejected) == (n, n, 0)
    for grouping in COMPARED:
        assert_frame_equal(rendered.tables[grouping], plain.tables[grouping])
        assert_frame_equal(typed.tables[grouping], plain.tables[grouping])
    assert_identities(rendered)


def assert_identities(report: Report) -> None:
    """SPEC §3: won + lost + open = opportunities; renewal_rate = resolution_rate_value x close_rate_value x
    conversion_rate; the segment rows partition the overall counts and sums; every accepted row is in the report."""
    overall = report.tables["overall"].row(0, named=True)
    assert overall["opportunities"] == report.accounting.accepted
    for grouping in COMPARED:
        for group in report.tables[grouping].iter_rows(named=True):
            assert group["won"] + group["lost"] + group["open"] == group["opportunities"]
            factors = [group[k] for k in ("resolution_rate_value", "close_rate_value", "conversion_rate")]
            if None not in factors:
                product = factors[0] * factors[1] * factors[2]
                assert group["renewal_rate"] == pytest.approx(product, rel=1e-9, abs=1e-12)
    segments = report.tables["segment"]
    for column in PARTITIONED:
        assert segments[column].sum() == pytest.approx(overall[column], rel=1e-12, abs=1e-6)


# ---------------------------------------------------------------------------------------------- malformed bytes

# Pieces of what breaks parsers: digits and signs, separators, quotes, line breaks, NUL, a footer, a formula.
GARBAGE = st.lists(
    st.sampled_from([*"0123456789-.,;$€()kMx=+@ \t\r\n\"'\\/:TZé", "\x00", "Grand Totals", "NaN", "1e300"]),
    max_size=8,
).map("".join)


@st.composite
def garbled(draw: st.DrawFn) -> tuple[bytes, int]:
    """A valid export with random cells replaced by garbage (quoted as a CSV writer would), and its row count."""
    book = draw(books())
    table = rendered_table(book)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.sampled_from(range(len(table))))  # the header too, as often as any row
        j = draw(st.integers(0, len(table[i]) - 1))
        table[i][j] = draw(GARBAGE)
    return _csv(table, book.delimiter, book.newline).encode("utf-8"), len(table) - 1


@st.composite
def truncated(draw: st.DrawFn) -> bytes:
    """A valid export cut anywhere, as a copy interrupted mid-file leaves it."""
    content = rendered_csv(draw(books()))
    return content[: draw(st.integers(0, len(content)))]


@st.composite
def flipped(draw: st.DrawFn) -> bytes:
    """A valid export with a few bytes overwritten."""
    content = bytearray(canonical_csv(draw(books())))
    for _ in range(draw(st.integers(1, 8))):
        content[draw(st.integers(0, len(content) - 1))] = draw(st.integers(0, 255))
    return bytes(content)


def assert_clean(content: bytes, name: str = "export.csv", rows: int | None = None) -> None:
    """Loading and reporting either raise a RenewalsError with a one-line message, or account for every row."""
    with tempfile.TemporaryDirectory() as directory:
        try:
            report, export = report_of(write(directory, name, content))
            accepted = export.accepted().collect().height
        except RenewalsError as error:
            assert str(error)
            assert "\n" not in str(error)
            return
    accounting = report.accounting
    assert accounting.read == accounting.accepted + accounting.rejected + accounting.skipped
    assert accounting.accepted == accepted == report.tables["overall"]["opportunities"][0]
    if rows is not None:
        assert accounting.read == rows


HEADER = ",".join(REQUIRED).encode() + b"\n"
# Text made of what CSV parsers look at, so that random content reaches the parser, not only the decoder.
CSVISH = st.text(alphabet=st.sampled_from([*',;\t"\r\n 0123456789-/.$abcW']), max_size=400).map(str.encode)


@BUDGET
@given(
    st.binary(max_size=4000) | CSVISH | CSVISH.map(HEADER.__add__),
    st.sampled_from(["export.csv", "export.parquet", "export"]),
)
def test_random_bytes_never_crash(content: bytes, name: str) -> None:
    assert_clean(content, name)


@BUDGET
@given(truncated())
def test_truncated_exports_never_crash(content: bytes) -> None:
    assert_clean(content)


@BUDGET
@given(flipped())
def test_exports_with_flipped_bytes_never_crash(content: bytes) -> None:
    assert_clean(content)


@BUDGET
@given(garbled())
def test_garbage_cells_are_rejected_never_lost(export: tuple[bytes, int]) -> None:
    content, rows = export
    assert_clean(content, rows=rows)


def typed_or_error(path: Path, sample_rows: int) -> pl.DataFrame | str:
    """The typed rows and the report's row accounting when detection first looks at `sample_rows` rows (the
    report's pass confirms them), or the error's class."""
    with mock.patch.object(validate, "SAMPLE_ROWS", sample_rows):
        try:
            export = load_export([str(path)], LoadOptions())
            report = build_report(export, WINDOW, Thresholds(), ["overall"])
            rows = export.rows.collect()
        except RenewalsError as error:
            return type(error).__name__
    return rows.with_columns(read=pl.lit(report.accounting.read), accepted=pl.lit(report.accounting.accepted))


@BUDGET
@given(garbled(), st.integers(1, 6))
def test_detection_from_the_first_rows_types_as_detection_from_every_row(
    export: tuple[bytes, int], sample_rows: int
) -> None:
    content, _ = export
    with tempfile.TemporaryDirectory() as directory:
        path = write(directory, "export.csv", content)
        sampled, whole = typed_or_error(path, sample_rows), typed_or_error(path, 1_000_000)
    if isinstance(whole, str) or isinstance(sampled, str):
        assert sampled == whole
    else:
        assert_frame_equal(sampled, whole)
