"""A large Parquet export is reported in parts (disjoint sets of accounts): the parts must add up to the whole."""

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli import report
from renewals_cli.kpis import GROUPINGS, Window, rolled_up
from renewals_cli.load.export import LoadOptions, load_export
from renewals_cli.report import build_report
from renewals_cli.segments import Thresholds
from tests.kpi_frames import ROW_SCHEMA
from tests.test_identities import FAST, as_of_dates, books

# A row every check rejects for one reason or another, so that the row accounting is split across parts too.
REJECTED = {"account_id": None, "rep": "ann", "expiry_date": None, "prior_amount": -1.0, "status": None}


def report_in(
    parts: int, book: list[dict[str, Any]], as_of: dt.date, rejected: int, groupings: tuple[str, ...] = GROUPINGS
) -> Any:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "export.parquet"
        rows = [*book, *([REJECTED] * rejected)]
        frame = pl.DataFrame(rows, schema=ROW_SCHEMA).with_row_index("opportunity_id")
        frame.with_columns(pl.col("opportunity_id").cast(pl.String)).write_parquet(path)
        export = load_export([str(path)], LoadOptions())
        return build_report(export, Window(as_of=as_of), Thresholds(), groupings, parts=parts)


@FAST
@given(books, as_of_dates, st.integers(2, 5), st.integers(0, 2))
def test_a_report_read_in_parts_is_the_report_read_whole(book, as_of, parts, rejected):
    whole = report_in(1, book, as_of, rejected)
    split = report_in(parts, book, as_of, rejected)

    assert split.accounting == whole.accounting
    assert split.in_window == whole.in_window
    assert list(split.tables) == list(whole.tables)
    for grouping, table in whole.tables.items():
        assert_frame_equal(split.tables[grouping], table, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)


@FAST
@given(books, as_of_dates, st.sampled_from([("overall", "rep"), ("rep",), ("overall", "batch"), ("batch,rep",)]))
def test_groupings_without_segments_give_the_tables_of_the_full_report(book, as_of, groupings):
    # Without a segment grouping, segments are not worked out at all, and without `overall` nor any other grouping
    # the per-account roll-up neither (the rep table's coaching then compares to the team's rates summed from the
    # reps'): the tables must not change.
    full = report_in(1, book, as_of, 1)
    some = report_in(1, book, as_of, 1, groupings)

    assert some.accounting == full.accounting
    assert list(some.tables) == list(groupings)
    for grouping in groupings:
        assert_frame_equal(some.tables[grouping], full.tables[grouping], check_exact=False, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("groupings", "rolled"),
    [
        (["rep"], False),
        (["batch,rep"], False),
        (["overall"], True),
        (["segment"], True),
        (["rep,segment"], True),
        (["overall", "rep"], True),
        (["rep", "batch"], True),
    ],
)
def test_partials_are_rolled_up_per_account_unless_every_grouping_is_by_the_row_keys(groupings, rolled):
    assert rolled_up(groupings) is rolled


def test_a_rep_report_and_the_terminal_report_are_read_in_larger_parts(tmp_path, monkeypatch):
    # Partials per (account, rep) that are not rolled up take less memory per row than the finest partials, and
    # so do the terminal report's, with its batches apart.
    monkeypatch.setattr(report, "ROWS_PER_PART", 3)
    monkeypatch.setattr(report, "ROWS_PER_APART_PART", 4)
    monkeypatch.setattr(report, "ROWS_PER_REP_PART", 5)
    rows = [
        {"account_id": f"a{i}", "rep": "ann", "expiry_date": dt.date(2026, 1, 1), "prior_amount": 1.0, "status": "open"}
        for i in range(10)
    ]
    frame = pl.DataFrame(rows, schema=ROW_SCHEMA)
    frame.write_parquet(tmp_path / "export.parquet")
    frame.write_csv(tmp_path / "export.csv")
    parquet = load_export([str(tmp_path / "export.parquet")], LoadOptions())
    csv = load_export([str(tmp_path / "export.csv")], LoadOptions())

    groupings = (["rep"], ["batch,rep"], ["overall", "rep"], ["segment"], ["overall", "segment", "rep", "batch"])
    assert [report._parts(parquet, grouping) for grouping in groupings] == [2, 4, 4, 4, 3]
    assert report._parts(csv, ["overall", "rep"]) == 1  # (a CSV's rows are not counted before it is read)
