"""Detection from a file's first rows, confirmed over every row in the report's own pass: whatever the later rows
hold, the rows are typed exactly as detection over the whole file types them (SPEC §1)."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewals_cli.errors import InputError
from renewals_cli.load import sources, validate
from renewals_cli.load.export import Export, LoadOptions, load_export
from renewals_cli.load.reasons import reject_reason
from renewals_cli.report import build_report
from renewals_cli.segments import Thresholds
from renewals_cli.window import Window

HEADER = "Opportunity ID,Account ID,Rep,Expiry Date,Prior Amount,Status,Renewal Amount,Close Date,Strategic,Currency"
FIRST_ROWS = (
    "O1,A1,Ann,2026-03-31,1000,Open,,,false,USD",
    "O2,A2,Bob,2026-04-30,2000,Won,2100,2026-04-15,false,USD",
)
SAMPLE = len(FIRST_ROWS)
WINDOW = Window(as_of=dt.date(2026, 6, 30))
GROUPINGS = ["overall", "segment", "rep", "batch"]


@pytest.fixture
def first_rows_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Detection looks at the FIRST_ROWS alone before the checks."""
    monkeypatch.setattr(validate, "SAMPLE_ROWS", SAMPLE)
    yield


def write(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def load(path: Path) -> Export:
    return load_export([str(path)], LoadOptions())


def typed(export: Export) -> pl.DataFrame:
    return export.rows.with_columns(reject_reason=reject_reason(pl.col("reject_code"))).collect()


def collected_plans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The plans of every `pl.collect_all` from here on, as they are collected."""
    plans = []
    collect_all = pl.collect_all

    def explained(queries: list[pl.LazyFrame], **options: object) -> list[pl.DataFrame]:
        plans.append(pl.explain_all(queries))
        return collect_all(queries, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pl, "collect_all", explained)
    return plans


def whole_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> pl.DataFrame:
    """The typed rows when detection looks at every row at once."""
    with monkeypatch.context() as patch:
        patch.setattr(validate, "SAMPLE_ROWS", 1_000_000)
        return typed(load(path))


LATER_ROWS = [
    pytest.param('O3,A3,Cy,2026-05-31,"$1,234.50",Open,,,false,USD', id="money-of-another-shape"),
    pytest.param("O3,A3,Cy,2026-05-31,USD 1.2k,Open,,,false,USD", id="money-with-a-code-and-suffix"),
    pytest.param("O3,A3,Cy,2026-05-31,12.5.0,Open,,,false,USD", id="invalid-money"),
    pytest.param("O3,A3,Cy,2026-05-31,500,Closed Lost,,2026-05-01,false,USD", id="status-label-not-seen-before"),
    pytest.param("O3,A3,Cy,2026-05-31,500,,,,false,USD", id="missing-status"),
    pytest.param("O3,A3,Cy,2026-05-31,500,Open,,,yes,USD", id="strategic-label-not-seen-before"),
    pytest.param("O3,A3,Cy,2026-05-31,500,Open,,,maybe,USD", id="invalid-strategic-label"),
    pytest.param("O1,A3,Cy,2026-05-31,500,Open,,,false,USD", id="duplicate-id"),
    pytest.param("O3,A3,Cy,05/31/2026,500,Open,,,false,USD", id="date-of-another-layout"),
    pytest.param("O3,A3,Cy,2026-05-31T10:00:00Z,500,Open,,,false,USD", id="datetime"),
    pytest.param("O3,A3,Cy,2026-02-30,500,Open,,,false,USD", id="invalid-date"),
]


@pytest.mark.parametrize("later", LATER_ROWS)
@pytest.mark.usefixtures("first_rows_only")
def test_a_later_row_unlike_the_first_ones_is_typed_as_whole_file_detection_types_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: str
) -> None:
    path = write(tmp_path, *FIRST_ROWS, later)
    assert_frame_equal(typed(load(path)), whole_file(path, monkeypatch))


@pytest.mark.parametrize(
    ("later", "column", "value", "reason"),
    [
        pytest.param('O3,A3,Cy,2026-05-31,"$1,234.50",Open,,,false,USD', "prior_amount", 1234.5, None, id="money"),
        pytest.param("O3,A3,Cy,2026-05-31,500,Closed Lost,,2026-05-01,false,USD", "status", "lost", None, id="label"),
        pytest.param("O3,A3,Cy,2026-05-31,500,Open,,,yes,USD", "strategic", True, None, id="flag"),
        pytest.param("O3,A3,Cy,05/31/2026,500,Open,,,false,USD", "expiry_date", dt.date(2026, 5, 31), None, id="date"),
        pytest.param("O1,A3,Cy,2026-05-31,500,Open,,,false,USD", "rep", "Cy", "duplicate opportunity_id", id="dup"),
    ],
)
@pytest.mark.usefixtures("first_rows_only")
def test_a_later_row_unlike_the_first_ones_has_its_value(
    tmp_path: Path, later: str, column: str, value: object, reason: str | None
) -> None:
    last = typed(load(write(tmp_path, *FIRST_ROWS, later))).row(-1, named=True)
    assert (last[column], last["reject_reason"]) == (value, reason)


@pytest.mark.usefixtures("first_rows_only")
def test_later_dates_settle_what_the_first_ones_leave_ambiguous(tmp_path: Path) -> None:
    # 01/02/2026 could be either; 13/02/2026 only day-first: the whole column is day-first.
    rows = [
        "O1,A1,Ann,01/02/2026,1000,Open,,,false,USD",
        "O2,A2,Bob,03/04/2026,2000,Open,,,false,USD",
        "O3,A3,Cy,13/02/2026,500,Open,,,false,USD",
    ]
    expiry = typed(load(write(tmp_path, *rows)))["expiry_date"].to_list()
    assert expiry == [dt.date(2026, 2, 1), dt.date(2026, 4, 3), dt.date(2026, 2, 13)]


def test_dates_the_first_rows_leave_ambiguous_are_settled_by_rows_from_across_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sorted by expiry date: the first rows' days are all 12 or less; later in the file they are not. Rows from
    # across the file settle the layout, without a detection pass over every row (the checks confirm it in the
    # report's own pass).
    monkeypatch.setattr(validate, "SAMPLE_ROWS", 10)
    monkeypatch.setattr(sources, "SPREAD_BYTES", 2_000)
    days = [1 + i * 28 // 600 for i in range(600)]
    path = write(tmp_path, *(f"O{i},A{i},Ann,{day:02d}/03/2026,100,Open,,,false,USD" for i, day in enumerate(days)))
    plans = collected_plans(monkeypatch)
    export = load(path)
    assert not any("Csv SCAN" in plan for plan in plans)
    assert export.guesses[0].detected.layouts["expiry_date"].slashed == "dmy"
    assert export.guesses[0].checks  # still confirmed over every row
    assert typed(export)["expiry_date"].to_list() == [dt.date(2026, 3, day) for day in days]


@pytest.mark.usefixtures("first_rows_only")
def test_later_dates_of_the_other_order_are_an_error(tmp_path: Path) -> None:
    rows = [
        "O1,A1,Ann,03/31/2026,1000,Open,,,false,USD",
        "O2,A2,Bob,04/30/2026,2000,Open,,,false,USD",
        "O3,A3,Cy,31/05/2026,500,Open,,,false,USD",
    ]
    export = load(write(tmp_path, *rows))
    with pytest.raises(InputError, match="mixes month-first and day-first dates"):
        build_report(export, WINDOW, Thresholds(), GROUPINGS)


@pytest.mark.usefixtures("first_rows_only")
def test_a_later_currency_is_an_error(tmp_path: Path) -> None:
    export = load(write(tmp_path, *FIRST_ROWS, "O3,A3,Cy,2026-05-31,500,Open,,,false,EUR"))
    with pytest.raises(InputError, match=r"several currencies \(EUR, USD\)"):
        build_report(export, WINDOW, Thresholds(), GROUPINGS)


@pytest.mark.usefixtures("first_rows_only")
def test_first_rows_that_tell_the_truth_are_confirmed_without_typing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = load(write(tmp_path, *FIRST_ROWS, "O3,A3,Cy,2026-05-31,500,Open,,,false,USD"))
    assert export.guesses[0].checks
    plans = collected_plans(monkeypatch)
    (amounts,) = export.collect(lambda rows: [rows.select("prior_amount")])
    assert len(plans) == 1  # the rows and their checks, in one pass: nothing made again
    assert amounts["prior_amount"].to_list() == [1000.0, 2000.0, 500.0]


@pytest.mark.usefixtures("first_rows_only")
def test_a_report_parses_a_csv_file_once_for_its_rows_and_their_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = load(write(tmp_path, *FIRST_ROWS, "O3,A3,Cy,2026-05-31,500,Open,,,false,USD"))
    plans = collected_plans(monkeypatch)
    report = build_report(export, WINDOW, Thresholds(), GROUPINGS)
    assert report.accounting.read == 3
    assert sum(plan.count("Csv SCAN") for plan in plans) == 1


@pytest.mark.usefixtures("first_rows_only")
def test_first_rows_that_mislead_are_typed_anew(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = load(write(tmp_path, *FIRST_ROWS, 'O3,A3,Cy,2026-05-31,"$1,234.50",Open,,,false,USD'))
    plans = collected_plans(monkeypatch)
    (amounts,) = export.collect(lambda rows: [rows.select("prior_amount")])
    assert len(plans) == 2  # the checks typed the file anew: the query is made again of those rows
    assert amounts["prior_amount"].to_list() == [1000.0, 2000.0, 1234.5]
    assert export.rows.collect()["prior_amount"].to_list() == [1000.0, 2000.0, 1234.5]


def test_a_file_no_longer_than_the_first_rows_needs_no_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "SAMPLE_ROWS", SAMPLE + 1)
    assert load(write(tmp_path, *FIRST_ROWS)).guesses[0].checks == {}


@pytest.mark.parametrize("later", LATER_ROWS)
def test_the_report_is_that_of_whole_file_detection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, later: str
) -> None:
    path = write(tmp_path, *FIRST_ROWS, later)
    whole = build_report(load(path), WINDOW, Thresholds(), GROUPINGS)
    monkeypatch.setattr(validate, "SAMPLE_ROWS", SAMPLE)
    sampled = build_report(load(path), WINDOW, Thresholds(), GROUPINGS)
    assert (sampled.accounting, sampled.in_window) == (whole.accounting, whole.in_window)
    for grouping in GROUPINGS:
        assert_frame_equal(sampled.tables[grouping], whole.tables[grouping])


@pytest.mark.usefixtures("first_rows_only")
def test_a_named_date_format_is_used_for_every_row_whatever_the_later_dates(tmp_path: Path) -> None:
    rows = [
        "O1,A1,Ann,03/04/2026,1000,Open,,,false,USD",
        "O2,A2,Bob,01/02/2026,2000,Open,,,false,USD",
        "O3,A3,Cy,31/05/2026,500,Open,,,false,USD",
        "O4,A4,Di,05/31/2026,500,Open,,,false,USD",
    ]
    options = LoadOptions(parse=validate.ParseOptions(date_format="%d/%m/%Y"))
    export = load_export([str(write(tmp_path, *rows))], options)
    frame = typed(export)
    assert frame["expiry_date"].to_list() == [dt.date(2026, 4, 3), dt.date(2026, 2, 1), dt.date(2026, 5, 31), None]
    assert frame["reject_reason"].to_list() == [None, None, None, "invalid expiry_date"]


@pytest.mark.usefixtures("first_rows_only")
def test_a_later_unreadable_line_is_an_error_naming_the_file_and_format(tmp_path: Path) -> None:
    path = write(tmp_path, *FIRST_ROWS, "O3,A3,Cy,2026-05-31,500,Open,,,false,USD", 'O4,A4,Di,2026-05-31,"1,0')
    with pytest.raises(InputError, match=r"export\.csv: cannot be read as CSV \("):
        build_report(load(path), WINDOW, Thresholds(), GROUPINGS)


def test_labels_from_across_the_file_are_mapped_like_those_of_the_first_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sorted by stage: the first rows have one label, later pieces of the file the others.
    monkeypatch.setattr(validate, "SAMPLE_ROWS", 10)
    monkeypatch.setattr(sources, "SPREAD_BYTES", 2_000)
    stages = ["Closed Won"] * 300 + ["Quote Sent"] * 300 + ["Churned"] * 300
    rows = [
        f"O{i},A{i},Ann,2026-03-31,100,{stage},100,2026-03-01,{'yes' if i > 500 else ''},USD"
        for i, stage in enumerate(stages)
    ]
    path = write(tmp_path, *rows)
    export = load(path)
    guessed = export.guesses[0].detected
    assert guessed.statuses == {"Closed Won": "won", "Quote Sent": "open", "Churned": "lost"}
    assert guessed.flags == {"yes": True}
    assert_frame_equal(typed(export), whole_file(path, monkeypatch))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_rows_from_across_a_file_are_rows_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setattr(sources, "SPREAD_BYTES", 500)
    monkeypatch.setattr(sources, "SPREAD_ROWS", 3)
    # A quoted field with line breaks: a piece may begin inside it, and is then misread or left out.
    rows = [f'O{i},A{i},Ann,2026-03-31,100,"Stage\n{i % 7}",,,,USD' for i in range(200)]
    path = write(tmp_path, *rows)
    if suffix == ".parquet":
        pl.read_csv(path, infer_schema=False).write_parquet(path := tmp_path / "export.parquet")
    source = sources.open_source(path, encoding=None, delimiter=None)
    pieces = sources.spread_rows(source, ["Status"])
    assert pieces
    assert all(piece.columns == ["Status"] for piece in pieces)
    if suffix == ".parquet":  # slices of rows: exactly the file's values
        assert {v for piece in pieces for v in piece["Status"]} <= {f"Stage\n{i}" for i in range(7)}


FIRST_ROWS_FILES = {
    "plain": "\n".join([HEADER, *(f"O{i},A{i},Ann,2026-03-31,{i}00,Open,,,false,USD" for i in range(40))]) + "\n",
    "crlf, no final line break": "\r\n".join(
        [HEADER, *(f"O{i},A{i},Bob,2026-03-31,7,Won,8,2026-03-01" for i in range(40))]
    ),
    "quoted line breaks": "\n".join(
        [HEADER, *(f'O{i},A{i},"Ann\nLee",2026-03-31,"1,000",Open,,,,USD' for i in range(40))]
    ),
    "ragged, extra fields, blank lines": "\n".join(
        [HEADER, *(f"O{i},A{i}" + ",x" * (i % 15) if i % 5 else "" for i in range(40))]
    ),
    "byte order mark": "\ufeff" + "\n".join([HEADER, *(f"O{i},Å{i},Zoë" for i in range(40))]),
    "fewer rows than wanted": "\n".join([HEADER, "O1,A1,Ann", "O2,A2,Bob"]),
}


@pytest.mark.parametrize("rows", [1, 7, 39, 40, 41, 100])
@pytest.mark.parametrize("name", FIRST_ROWS_FILES)
def test_first_rows_read_from_the_first_bytes_are_the_files_first_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, rows: int
) -> None:
    monkeypatch.setattr(sources, "SNIFF_BYTES", 100)  # the bytes read are estimated from these: often too few
    path = tmp_path / "export.csv"
    path.write_bytes(FIRST_ROWS_FILES[name].encode())
    source = sources.open_source(path, encoding=None, delimiter=None)

    first = sources.first_rows(source, rows)

    assert first is not None
    assert_frame_equal(first, source.frame.head(rows).collect())


def test_first_rows_give_up_on_rows_longer_than_first_bytes_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "FIRST_BYTES", 1000)
    path = write(tmp_path, *(f"O{i},A{i},Ann,2026-03-31,1000,Open,,,false,USD" for i in range(100)))
    source = sources.open_source(path, encoding=None, delimiter=None)

    assert sources.first_rows(source, 10) is not None
    assert sources.first_rows(source, 50) is None
    monkeypatch.setattr(validate, "SAMPLE_ROWS", 50)  # detection then reads the file's first rows itself
    assert_frame_equal(typed(load(path)), whole_file(path, monkeypatch))


def test_mapped_labels_read_as_the_per_row_parser_reads_each_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first rows map two labels to won, and a blank status and an unreadable flag to None; the later rows
    # bring labels the lookup does not know (no piece from across the file shows them).
    monkeypatch.setattr(validate, "SAMPLE_ROWS", 6)
    monkeypatch.setattr(sources, "SPREAD_BYTES", 1)
    labels = [
        ("Won", "yes"),
        ("Closed Won", "x"),
        ("  ", "maybe"),
        ("Lost", ""),
        ("Open", "no"),
        ("Won", "maybe"),
        ("Negotiation", "TRUE"),
        ("  ", "x"),
        ("closed/won", "perhaps"),
        ("Churned", ""),
    ]
    rows = [
        f"O{i},A{i},Ann,2026-03-31,100,{status},100,2026-03-01,{flag},USD" for i, (status, flag) in enumerate(labels)
    ]
    export = load(write(tmp_path, *rows))
    detected = export.guesses[0].detected
    assert detected.statuses == {"Won": "won", "Closed Won": "won", "  ": None, "Lost": "lost", "Open": "open"}
    assert detected.flags == {"yes": True, "x": True, "maybe": None, "no": False}
    got = typed(export)
    assert got["status"].to_list() == ["won", "won", None, "lost", "open", "won", "open", None, "won", "lost"]
    assert got["strategic"].to_list() == [True, True, None, False, False, None, True, True, None, False]
