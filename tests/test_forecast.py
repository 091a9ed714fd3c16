"""SPEC §8 `renewals forecast`: the forecast and its backtest on tiny exports worked out by hand (each expected
value is written as the sum that gives it), the identities it must keep, and the command line."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli.calendar import Quarter, quarter_named
from renewals_cli.forecast import (
    BACKTEST_COLUMNS,
    FORECAST_COLUMNS,
    ROW_COLUMNS,
    Bucket,
    backtest_plans,
    bucket,
    cell_rates,
    cell_sums,
    forecast,
    learning,
    plan,
    runs_frame,
    snapshots_frame,
    training_rows,
    with_quarters,
)
from renewals_cli.segments import Segment
from renewals_cli.targets import Targets
from tests.clirun import run

SCHEMA: dict[str, pl.DataType] = {
    "rep": pl.String(),
    "segment": Segment,
    "expiry_date": pl.Date(),
    "close_date": pl.Date(),
    "status": pl.String(),
    "prior_amount": pl.Float64(),
    "renewal_amount": pl.Float64(),
}


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def opp(
    expiry: str,
    prior: float,
    status: str = "open",
    renewal: float | None = None,
    close: str | None = None,
    *,
    segment: str = "smb",
    rep: str = "ann",
) -> dict[str, Any]:
    """One accepted row with its account's segment."""
    return {
        "rep": rep,
        "segment": segment,
        "expiry_date": day(expiry),
        "close_date": day(close) if close else None,
        "status": status,
        "prior_amount": prior,
        "renewal_amount": renewal,
    }


def frame(*rows: dict[str, Any]) -> pl.LazyFrame:
    return pl.LazyFrame(list(rows), schema=SCHEMA)


Q1_2026, Q2_2026, Q3_2026 = (quarter_named(f"2026-Q{n}", day("2026-01-01")) for n in (1, 2, 3))

# The worked book: forecast 2026-Q2 as of 2026-05-01 (d = 30), learned from 2026-Q1 alone (--history 1) at its
# snapshot 2026-01-31, with --min-cell 2. Training rows (open on 2026-01-31) and their bucket then:
TRAINING = (
    opp("2026-02-15", 100, "won", 120, "2026-02-10"),  # smb 0-30: renewed 120, retained 100
    opp("2026-02-20", 200, "won", 150, "2026-03-01"),  # smb 0-30: renewed 150, retained 150
    opp("2026-02-25", 300, "lost", None, "2026-02-26", segment="strategic"),  # strategic 0-30: 0
    opp("2026-03-15", 400, "won", 400, "2026-04-05"),  # smb 31-60: won after its quarter ended: 0
    opp("2026-03-20", 100, "won", 110, "2026-03-10", segment="strategic"),  # strategic 31-60: 110, 100
    opp("2026-03-25", 0, segment="enterprise"),  # enterprise 31-60, prior 0
    opp("2026-03-25", 0, segment="enterprise"),  # enterprise 31-60, prior 0
    opp("2026-01-20", 80, "won", 80, "2026-02-01"),  # smb overdue (-11 days): 80, 80
)
NOT_TRAINING = (opp("2026-01-10", 50, "won", 60, "2026-01-05"),)  # won before the snapshot
# The cohort of 2026-Q2, as of 2026-05-01, and the cell each open row is projected with:
COHORT = (
    opp("2026-05-20", 1000),  # ann, smb 0-30 (19 days): the cell's own rates
    opp("2026-05-25", 500, segment="strategic", rep="bob"),  # strategic 0-30: one training row, bucket rates
    opp("2026-06-15", 200),  # ann, smb 31-60: one training row, bucket rates
    opp("2026-04-20", 300, "won", 330, "2026-05-10", rep="bob"),  # closed after A: open, smb overdue, all rows
    opp("2026-04-10", 400, "won", 500, "2026-04-05"),  # ann, won by A
    opp("2026-06-30", 100, "lost", None, "2026-04-15", segment="enterprise", rep="bob"),  # lost by A
    opp("2026-06-10", 100, segment="enterprise", rep="bob"),  # enterprise 31-60: its cell's prior is 0
)
LATER = (opp("2026-08-01", 700),)  # 2026-Q3: not in the cohort
BOOK = frame(*TRAINING, *NOT_TRAINING, *COHORT, *LATER)
AS_OF = day("2026-05-01")

# Rates: cell (smb, 0-30) 270/300 (retained 250/300); bucket 0-30 270/600 (250/600); bucket 31-60 110/500
# (100/500); every training row 460/1180 (430/1180).
R_SMB_0_30, G_SMB_0_30 = 270 / 300, 250 / 300
R_0_30, G_0_30 = 270 / 600, 250 / 600
R_31_60, G_31_60 = 110 / 500, 100 / 500
R_ALL, G_ALL = 460 / 1180, 430 / 1180


def test_buckets_of_days_to_expiry() -> None:
    days = [-1, 0, 30, 31, 60, 61, 90, 91, 400]
    expiry = [day("2026-05-01") + dt.timedelta(days=n) for n in days]
    found = pl.select(bucket(pl.lit(pl.Series(expiry)), pl.lit(day("2026-05-01"))).alias("b"))["b"]
    assert found.to_list() == ["overdue", "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "91+", "91+"]
    assert found.dtype == Bucket


def test_position_history_and_snapshots() -> None:
    run_ = plan(Q2_2026, AS_OF, history=4)
    assert run_.position == 30
    assert [q.label for q in run_.history] == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert run_.snapshot(Q1_2026) == day("2026-01-31")


def test_a_position_past_the_end_of_a_shorter_quarter_is_its_last_day() -> None:
    run_ = plan(Q3_2026, day("2026-09-30"), history=2)  # d = 91: Q3 has 92 days, Q1 90
    assert run_.position == 91
    assert run_.snapshot(Q1_2026) == day("2026-03-31")  # 2026-01-01 + 91 = 2026-04-02, after Q1's last day
    assert run_.snapshot(Q2_2026) == day("2026-06-30")  # 2026-04-01 + 91 = 2026-07-01
    # A backtest of Q1 at d = 91 is made on its last day, its position counted from there (89 days).
    (q1,) = [r for r in backtest_plans(plan(Q3_2026, day("2026-09-30")), 3) if r.quarter == Q1_2026]
    assert (q1.as_of, q1.position) == (day("2026-03-31"), 89)
    assert q1.snapshot(Quarter.of(day("2025-10-01"))) == day("2025-12-29")  # 2025-10-01 + 89


def test_backtest_quarters_are_the_last_ended_ones_at_the_same_position() -> None:
    runs = backtest_plans(plan(Q3_2026, day("2026-07-15"), history=3), 2)
    assert [(r.quarter.label, r.as_of) for r in runs] == [
        ("2026-Q1", day("2026-01-15")),
        ("2026-Q2", day("2026-04-15")),
    ]
    assert [q.label for q in runs[0].history] == ["2025-Q2", "2025-Q3", "2025-Q4"]
    # On a quarter's last day, that quarter has ended by A: it is the latest backtested.
    on_last_day = backtest_plans(plan(Q2_2026, day("2026-06-30")), 1)
    assert [(r.quarter.label, r.as_of) for r in on_last_day] == [("2026-Q2", day("2026-06-30"))]


def test_next_quarter_has_a_negative_position_and_the_same_history() -> None:
    run_ = plan(Q3_2026, AS_OF, history=1)  # 2026-05-01 is 61 days before 2026-07-01
    assert run_.position == -61
    assert [q.label for q in run_.history] == ["2026-Q1"]  # the quarters before the one holding A
    assert run_.snapshot(Q1_2026) == day("2025-11-01")  # 61 days before 2026-01-01


def test_february_fiscal_start() -> None:
    first = quarter_named("FY2027-Q1", day("2026-03-03"), start_month=2)  # February to April 2026
    run_ = plan(first, day("2026-03-03"), history=1)
    assert run_.position == 30  # February 2026 has 28 days
    (past,) = run_.history
    assert (past.label, past.first, past.last) == ("FY2026-Q4", day("2025-11-01"), day("2026-01-31"))
    assert run_.snapshot(past) == day("2025-12-01")


def test_cell_rates_with_each_fallback_level() -> None:
    runs = [plan(Q2_2026, AS_OF, history=1)]
    snapshots = snapshots_frame(runs)
    rows = with_quarters(BOOK, 1)
    sums = cell_sums(training_rows(rows, snapshots), snapshots)
    rates = cell_rates(sums, runs_frame(runs), min_cell=2).collect()
    levels = {
        (s, b): (level, r, g) for s, b, level, r, g in rates.select("segment", "bucket", "level", "r", "g").rows()
    }
    assert len(levels) == 15  # every (segment, bucket)
    assert levels["smb", "0-30"] == ("cell", R_SMB_0_30, G_SMB_0_30)
    assert levels["strategic", "0-30"] == ("bucket", R_0_30, G_0_30)  # one training row < --min-cell 2
    assert levels["enterprise", "31-60"] == ("bucket", R_31_60, G_31_60)  # two rows, but Σ prior = 0
    assert levels["smb", "overdue"] == ("all", R_ALL, G_ALL)  # its bucket has one row
    assert levels["enterprise", "91+"] == ("all", R_ALL, G_ALL)  # no training row in the bucket
    learned = learning(sums, runs_frame(runs)).collect()
    assert learned.row(0, named=True) == {"run": 0, "training_rows": 8, "learned": True, "baseline_rate": R_ALL}


def expected_row(key: tuple[str, str], **columns: Any) -> pl.DataFrame:
    """One row of a forecast table: its key column, then FORECAST_COLUMNS."""
    return pl.DataFrame(
        [{key[0]: key[1], **columns}],
        schema={
            key[0]: pl.String,
            **{c: pl.Int64 if c in ("opportunities", "open") else pl.Float64 for c in FORECAST_COLUMNS},
        },
    )


def expected_overall(**columns: Any) -> pl.DataFrame:
    return expected_row(("group", "all"), **columns)


def test_forecast_overall_worked_by_hand() -> None:
    result = forecast(BOOK, plan(Q2_2026, AS_OF, history=1), min_cell=2)
    projected_renewal = 500 + 1000 * R_SMB_0_30 + 500 * R_0_30 + 200 * R_31_60 + 300 * R_ALL + 100 * R_31_60
    projected_retained = 400 + 1000 * G_SMB_0_30 + 500 * G_0_30 + 200 * G_31_60 + 300 * G_ALL + 100 * G_31_60
    expected = expected_overall(
        opportunities=7,
        available=2600.0,
        won_to_date=500.0,
        lost_to_date=100.0,
        open=5,
        open_value=2100.0,
        projected_renewal=projected_renewal,
        projected_retained=projected_retained,
        forecast_nrr=projected_renewal / 2600,
        forecast_grr=projected_retained / 2600,
        target=None,
        gap=None,
    )
    assert_frame_equal(result.table, expected, rel_tol=1e-12)
    assert result.training_rows == 8
    assert result.learned


def test_forecast_per_rep_and_segment_with_targets() -> None:
    targets = Targets(overall={"renewal_rate": 0.9}, segments={"smb": {"renewal_rate": 0.8}})
    by_rep = forecast(BOOK, plan(Q2_2026, AS_OF, history=1), by="rep", min_cell=2, targets=targets).table
    assert by_rep.columns == ["rep", *FORECAST_COLUMNS]
    ann_renewal = 500 + 1000 * R_SMB_0_30 + 200 * R_31_60
    ann_retained = 400 + 1000 * G_SMB_0_30 + 200 * G_31_60
    ann = expected_row(
        ("rep", "ann"),
        opportunities=3,
        available=1600.0,
        won_to_date=500.0,
        lost_to_date=0.0,
        open=2,
        open_value=1200.0,
        projected_renewal=ann_renewal,
        projected_retained=ann_retained,
        forecast_nrr=ann_renewal / 1600,
        forecast_grr=ann_retained / 1600,
        target=0.9,
        gap=ann_renewal / 1600 - 0.9,
    )
    assert_frame_equal(by_rep.head(1), ann, rel_tol=1e-12)
    bob = by_rep.row(1, named=True)
    bob_renewal = 500 * R_0_30 + 300 * R_ALL + 100 * R_31_60
    assert (bob["rep"], bob["opportunities"], bob["lost_to_date"], bob["open"]) == ("bob", 4, 100.0, 3)
    assert bob["projected_renewal"] == pytest.approx(bob_renewal, rel=1e-12)
    assert bob["forecast_nrr"] == pytest.approx(bob_renewal / 1000, rel=1e-12)

    by_segment = forecast(BOOK, plan(Q2_2026, AS_OF, history=1), by="segment", min_cell=2, targets=targets).table
    assert by_segment["segment"].to_list() == ["strategic", "enterprise", "smb"]  # tier order
    assert by_segment["target"].to_list() == [0.9, 0.9, 0.8]
    assert by_segment["projected_renewal"].to_list() == pytest.approx(
        [500 * R_0_30, 100 * R_31_60, 500 + 1000 * R_SMB_0_30 + 200 * R_31_60 + 300 * R_ALL], rel=1e-12
    )
    assert by_segment["lost_to_date"].to_list() == [0.0, 100.0, 0.0]


def test_a_quarter_with_no_history_has_no_forecast() -> None:
    result = forecast(frame(*COHORT), plan(Q2_2026, AS_OF, history=4))
    expected = expected_overall(
        opportunities=7,
        available=2600.0,
        won_to_date=500.0,
        lost_to_date=100.0,
        open=5,
        open_value=2100.0,
        projected_renewal=None,
        projected_retained=None,
        forecast_nrr=None,
        forecast_grr=None,
        target=None,
        gap=None,
    )
    assert_frame_equal(result.table, expected)
    assert (result.training_rows, result.learned) == (0, False)


# The backtest's book: forecast 2026-Q3 as of 2026-07-15 (d = 14), --history 1, --min-cell 1, --backtest 2:
# 2026-Q1 as of 2026-01-15 (learned from 2025-Q4: empty) and 2026-Q2 as of 2026-04-15 (from 2026-Q1 on 2026-01-15).
BACKTEST_BOOK = frame(
    opp("2026-02-10", 100, "won", 90, "2026-02-01"),  # Q1, smb 0-30 on 01-15: renewed 90, retained 90
    opp("2026-03-10", 100, "lost", None, "2026-03-01", segment="strategic"),  # Q1, strategic 31-60: 0
    opp("2026-05-01", 200, "won", 240, "2026-04-10"),  # Q2: won by 04-15 (retained 200), and landed
    opp("2026-06-01", 200, "won", 220, "2026-05-01"),  # Q2: open on 04-15, smb 31-60 (47 days): bucket rate 0
    opp("2026-06-15", 100, segment="strategic"),  # Q2: open, strategic 61-90: every training row's 90/200
    opp("2026-06-20", 100, "won", 100, "2026-07-05"),  # Q2: open, smb 61-90 (all rows' rate); won after Q2 ended
)


def test_backtest_worked_by_hand() -> None:
    result = forecast(BACKTEST_BOOK, plan(Q3_2026, day("2026-07-15"), history=1), min_cell=1, backtest=2)
    assert result.backtest is not None
    forecast_nrr, forecast_grr = (240 + 0 + 100 * 0.45 + 100 * 0.45) / 600, (200 + 0 + 45 + 45) / 600
    landed_nrr, landed_grr = (240 + 220) / 600, (200 + 200) / 600
    baseline_nrr = 240 / 600 + (400 / 600) * (90 / 200)
    expected = pl.DataFrame(
        [
            ["2026-Q1", day("2026-01-15"), None, 90 / 200, None, None, 90 / 200, None, None, None, None, None, None],
            [
                "2026-Q2",
                day("2026-04-15"),
                forecast_nrr,
                landed_nrr,
                forecast_nrr - landed_nrr,
                forecast_grr,
                landed_grr,
                forecast_grr - landed_grr,
                baseline_nrr,
                baseline_nrr - landed_nrr,
                None,
                None,
                None,
            ],
            [
                "mean",
                None,
                None,
                None,
                abs(forecast_nrr - landed_nrr),
                None,
                None,
                abs(forecast_grr - landed_grr),
                None,
                abs(baseline_nrr - landed_nrr),
                forecast_nrr - landed_nrr,
                forecast_grr - landed_grr,
                baseline_nrr - landed_nrr,
            ],
        ],
        schema={c: pl.String if c == "quarter" else pl.Date if c == "as_of" else pl.Float64 for c in BACKTEST_COLUMNS},
        orient="row",
    )
    assert_frame_equal(result.backtest, expected, rel_tol=1e-12)
    assert result.table["opportunities"].to_list() == [0]  # nothing expires in 2026-Q3
    assert result.table["forecast_nrr"].to_list() == [None]


def test_the_forecast_is_the_same_whatever_order_the_rows_come_in() -> None:
    rows = BOOK.collect()
    forward = plan(Q2_2026, AS_OF, history=1)
    results = [forecast(order.lazy(), forward, by="rep", min_cell=2, backtest=1) for order in (rows, rows.reverse())]
    assert_frame_equal(results[0].table, results[1].table, check_exact=True)
    assert results[0].backtest is not None and results[1].backtest is not None
    assert_frame_equal(results[0].backtest, results[1].backtest, check_exact=True)


# Properties, on random books of a few quarters around 2026.
DAYS = st.integers(min_value=0, max_value=2 * 365)
BASE = day("2025-07-01")


@st.composite
def books(draw: st.DrawFn, *, resolved_before: dt.date | None = None) -> pl.LazyFrame:
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        expiry = BASE + dt.timedelta(days=draw(DAYS))
        prior = float(draw(st.integers(min_value=0, max_value=1000)))
        status = draw(st.sampled_from(["open", "won", "lost"]))
        close = expiry + dt.timedelta(days=draw(st.integers(min_value=-120, max_value=60)))
        if resolved_before is not None and Quarter.of(expiry) == Quarter.of(resolved_before):
            status = draw(st.sampled_from(["won", "lost"]))
            close = min(close, resolved_before)
        renewal = float(draw(st.integers(min_value=0, max_value=1500))) if status == "won" else None
        segment = draw(st.sampled_from(["strategic", "enterprise", "smb"]))
        rep = draw(st.sampled_from(["ann", "bob"]))
        rows.append(opp(expiry.isoformat(), prior, status, renewal, close.isoformat() if status != "open" else None,
                        segment=segment, rep=rep))  # fmt: skip
    return frame(*rows)


def close(found: float | None, expected: float | None) -> bool:
    """Equal to a relative 1e-9, or both null."""
    return found == expected if found is None or expected is None else found == pytest.approx(expected, rel=1e-9)


AS_OFS = st.integers(min_value=300, max_value=2 * 365).map(lambda n: BASE + dt.timedelta(days=n))


@settings(max_examples=20, deadline=None)
@given(data=st.data(), as_of=AS_OFS, min_cell=st.integers(min_value=1, max_value=4))
def test_with_no_open_row_the_forecast_is_the_result_to_date(
    data: st.DataObject, as_of: dt.date, min_cell: int
) -> None:
    rows = data.draw(books(resolved_before=as_of))
    result = forecast(rows, plan(Quarter.of(as_of), as_of, history=2), min_cell=min_cell).overall.row(0, named=True)
    assert result["open"] == 0
    if result["available"] and result["forecast_nrr"] is not None:
        cohort = rows.filter(pl.col("expiry_date").is_between(Quarter.of(as_of).first, Quarter.of(as_of).last))
        won = cohort.filter(pl.col("status") == "won").collect()
        retained = won.select(pl.min_horizontal("renewal_amount", "prior_amount")).to_series().sum()
        assert result["forecast_nrr"] == pytest.approx(result["won_to_date"] / result["available"], rel=1e-9)
        assert result["forecast_grr"] == pytest.approx(retained / result["available"], rel=1e-9)


@settings(max_examples=15, deadline=None)
@given(rows=books(), as_of=AS_OFS, backtest=st.integers(min_value=1, max_value=3), history=st.integers(1, 3))
def test_a_backtest_row_is_the_forecast_made_at_its_as_of_date(
    rows: pl.LazyFrame, as_of: dt.date, backtest: int, history: int
) -> None:
    forward = plan(Quarter.of(as_of), as_of, history=history)
    table = forecast(rows, forward, min_cell=2, backtest=backtest).backtest
    assert table is not None and table.height == backtest + 1
    for past, row in zip(backtest_plans(forward, backtest), table.head(backtest).rows(named=True), strict=True):
        alone = forecast(rows, plan(past.quarter, past.as_of, history=history), min_cell=2).overall
        assert (row["quarter"], row["as_of"]) == (past.quarter.label, past.as_of)
        assert close(row["forecast_nrr"], alone["forecast_nrr"][0])
        assert close(row["forecast_grr"], alone["forecast_grr"][0])
        landed = rows.filter(
            pl.col("expiry_date").is_between(past.quarter.first, past.quarter.last)
        ).select(
            available=pl.col("prior_amount").sum(),
            landed=pl.col("renewal_amount").filter(
                (pl.col("status") == "won") & (pl.col("close_date") <= past.quarter.last)
            ).sum(),
        ).collect().row(0, named=True)  # fmt: skip
        expected = landed["landed"] / landed["available"] if landed["available"] else None
        assert close(row["landed_nrr"], expected)


@settings(max_examples=15, deadline=None)
@given(rows=books(), as_of=AS_OFS)
def test_groups_partition_the_overall_forecast(rows: pl.LazyFrame, as_of: dt.date) -> None:
    forward = plan(Quarter.of(as_of), as_of, history=3)
    overall = forecast(rows, forward, min_cell=2).overall
    for by in ("rep", "segment"):
        table = forecast(rows, forward, by=by, min_cell=2).table
        for column in ("opportunities", "available", "won_to_date", "lost_to_date", "open", "open_value"):
            assert table[column].sum() == pytest.approx(overall[column][0], rel=1e-9)
        if overall["projected_renewal"][0] is not None:
            assert table["projected_renewal"].sum() == pytest.approx(overall["projected_renewal"][0], rel=1e-9)


def test_rows_need_only_the_forecast_columns() -> None:
    assert set(ROW_COLUMNS) == set(SCHEMA)


# The command line, on an export of the backtest's book plus a 2026-Q3 cohort. Forecast 2026-Q3 as of 2026-07-15
# (d = 14) with --history 1 --min-cell 1: learned from 2026-Q2's rows open on 2026-04-15 (smb 31-60: renewed 220
# of 200; strategic 61-90 and smb 61-90: 0 of 100 each). Each row is its own account, smb unless flagged.
EXPORT = """opportunity_id,account_id,rep,expiry_date,prior_amount,status,renewal_amount,close_date,strategic
H1,A1,ann,2026-02-10,100,won,90,2026-02-01,
H2,A2,bob,2026-03-10,100,lost,,2026-03-01,yes
P1,A3,ann,2026-05-01,200,won,240,2026-04-10,
P2,A4,ann,2026-06-01,200,won,220,2026-05-01,
P3,A5,bob,2026-06-15,100,open,,,yes
P4,A6,bob,2026-06-20,100,won,100,2026-07-05,
C1,A7,ann,2026-08-20,1000,open,,,
C2,A8,bob,2026-07-10,500,won,450,2026-07-12,
C3,A9,bob,2026-09-30,200,open,,,yes
C4,A10,ann,2026-08-01,300,lost,,2026-07-01,
"""
OPTIONS = ("--as-of", "2026-07-15", "--history", "1", "--min-cell", "1")
# C1 (smb 31-60, 1000) at 220/200; C3 (strategic 61-90, 200) at 0; C2 won 450 by A; C4 lost 300.
FORWARD_NRR, FORWARD_GRR = (450 + 1000 * 220 / 200) / 2000, (450 + 1000 * 200 / 200) / 2000


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def test_cli_csv_has_the_forecast_columns(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "forecast", str(export), *OPTIONS, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(result.stdout.encode())
    assert table.columns == ["group", *FORECAST_COLUMNS]
    row = table.row(0, named=True)
    assert (row["group"], row["opportunities"], row["available"], row["open"]) == ("all", 4, 2000.0, 2)
    assert (row["won_to_date"], row["lost_to_date"], row["open_value"]) == (450.0, 300.0, 1200.0)
    assert row["forecast_nrr"] == pytest.approx(FORWARD_NRR, rel=1e-12)
    assert row["forecast_grr"] == pytest.approx(FORWARD_GRR, rel=1e-12)
    assert row["target"] is None and row["gap"] is None
    assert result.stderr == "Rows: 10 read · 10 accepted · 0 rejected\n"


def test_cli_by_rep_and_segment_key_columns(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    for by, keys in (("rep", ["ann", "bob"]), ("segment", ["strategic", "smb"])):
        result = run(capsys, "forecast", str(export), *OPTIONS, "--by", by, "--format", "csv")
        assert result.exit_code == 0, result.stderr
        table = pl.read_csv(result.stdout.encode())
        assert table.columns == [by, *FORECAST_COLUMNS]
        assert table[by].to_list() == keys


def test_cli_backtest_csv_and_json(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "forecast", str(export), *OPTIONS, "--backtest", "2", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(result.stdout.encode())
    assert table.columns == list(BACKTEST_COLUMNS)
    assert table["quarter"].to_list() == ["2026-Q1", "2026-Q2", "mean"]
    assert table["error_nrr"][1] == pytest.approx((330 - 460) / 600, rel=1e-12)  # see test_backtest_worked_by_hand
    result = run(capsys, "forecast", str(export), *OPTIONS, "--backtest", "2", "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["quarter"] == "2026-Q3"
    assert (payload["as_of"], payload["position"], payload["history"]) == ("2026-07-15", 14, ["2026-Q2"])
    assert (payload["training_rows"], payload["message"], payload["min_cell"]) == (3, None, 1)
    assert payload["rows"]["accepted"] == 10
    assert [row["quarter"] for row in payload["backtest"]] == ["2026-Q1", "2026-Q2", "mean"]
    assert payload["forecast"][0]["forecast_nrr"] == pytest.approx(FORWARD_NRR, rel=1e-12)
    assert result.stderr == ""


def test_cli_headline(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "forecast", str(export), *OPTIONS, "--backtest", "2", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    headline = result.stdout.split("\n\n")[1]
    assert headline == (
        "- **Quarter:** 2026-Q3 · 2026-07-01 to 2026-09-30 · as of 2026-07-15, 14 days in (of 92)\n"
        "- **Rows:** 10 read · 10 accepted · 0 rejected\n"
        "- **Cohort:** 4 opportunities expiring in the quarter · 2,000 available to renew\n"
        "- **To date:** 450 renewed · 300 lost · 2 renewals open worth 1,200\n"
        "- **Forecast:** NRR lands at 77.5% ± 21.7 pts, backtested over 1 quarter (the export holds too little "
        "history for the other 1 of 2) · GRR 72.5%\n"
        "- **Learned from:** 3 renewals open at the same point of 2026-Q2\n"
        "- **Backtest:** mean error 21.7 pts (bias -21.7 pts) against 6.7 pts for one rate over every renewal"
    )


def test_cli_no_history(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "forecast", str(export), "--as-of", "2026-01-15", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "- **Forecast:** none: the export holds no earlier quarter to learn from\n" in result.stdout
    result = run(capsys, "forecast", str(export), "--as-of", "2026-01-15", "--format", "csv")
    assert result.stderr == (
        "Rows: 10 read · 10 accepted · 0 rejected\nNo forecast: the export holds no earlier quarter to learn from\n"
    )
    assert pl.read_csv(result.stdout.encode())["forecast_nrr"].to_list() == [None]
    result = run(capsys, "forecast", str(export), "--as-of", "2026-01-15", "--format", "json")
    assert json.loads(result.stdout)["message"] == "no forecast: the export holds no earlier quarter to learn from"


def test_cli_next_quarter_and_fiscal_start(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "forecast", str(export), *OPTIONS, "--quarter", "next", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "2026-Q4 · 2026-10-01 to 2026-12-31 · as of 2026-07-15, 78 days before it starts" in result.stdout
    result = run(capsys, "forecast", str(export), *OPTIONS, "--fiscal-year-start", "2", "--format", "json")
    payload = json.loads(result.stdout)
    assert (payload["quarter"], payload["first_day"], payload["history"]) == ("FY2027-Q2", "2026-05-01", ["FY2027-Q1"])


def test_cli_target_from_config(capsys: pytest.CaptureFixture[str], export: Path, tmp_path: Path) -> None:
    config = tmp_path / "renewals.toml"
    config.write_text("[targets]\nrenewal_rate = 0.8\n", encoding="utf-8")
    result = run(capsys, "forecast", str(export), *OPTIONS, "--config", str(config), "--format", "csv")
    row = pl.read_csv(result.stdout.encode()).row(0, named=True)
    assert row["target"] == 0.8
    assert row["gap"] == pytest.approx(FORWARD_NRR - 0.8, rel=1e-12)
    result = run(capsys, "forecast", str(export), *OPTIONS, "--config", str(config), "--format", "markdown")
    assert "- **Target:** renewal rate 80.0% · gap -2.5 pts\n" in result.stdout


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "xlsx", "parquet"])
def test_cli_every_format(capsys: pytest.CaptureFixture[str], export: Path, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"forecast.{fmt}"
    result = run(capsys, "forecast", str(export), *OPTIONS, "--backtest", "2", "--format", fmt, "-o", str(path))
    assert result.exit_code == 0, result.stderr
    assert path.stat().st_size > 0
    if fmt == "parquet":
        assert pl.read_parquet(path).columns == list(BACKTEST_COLUMNS)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("--quarter", "previous"),
            2,
            "Error: --quarter previous: 2026-Q2 ended before the as-of date 2026-07-15; --backtest N shows how past "
            "quarters' forecasts fared\n",
        ),
        (
            ("--quarter", "2026-Q5"),
            2,
            "Error: --quarter 2026-Q5: expected current, previous, next or a quarter such as 2026-Q3\n",
        ),
        (("--by", "batch"), 2, "Error: --by batch: expected one of overall, rep, segment\n"),
        (
            ("--fiscal-year-start", "13"),
            2,
            "Error: --fiscal-year-start 13: expected a month from 1 (January) to 12 (December)\n",
        ),
        (
            ("--fiscal-year-start", "0"),
            2,
            "Error: --fiscal-year-start 0: expected a month from 1 (January) to 12 (December)\n",
        ),
    ],
)
def test_cli_usage_errors(
    capsys: pytest.CaptureFixture[str], export: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    result = run(capsys, "forecast", str(export), *OPTIONS, *args)
    assert (result.exit_code, result.stderr, result.stdout) == (code, message, "")


def test_cli_missing_file_and_bad_counts(capsys: pytest.CaptureFixture[str], tmp_path: Path, export: Path) -> None:
    result = run(capsys, "forecast", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert run(capsys, "forecast", str(export), "--history", "0").exit_code == 2
    assert run(capsys, "forecast", str(export), "--backtest", "-1").exit_code == 2


HOSTILE = Path(__file__).parent / "data" / "hostile"


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.iterdir()))
def test_cli_reads_hostile_files_as_the_report_does(capsys: pytest.CaptureFixture[str], name: str) -> None:
    report = run(capsys, "report", str(HOSTILE / name), "--as-of", "2026-05-01", "--format", "csv")
    result = run(capsys, "forecast", str(HOSTILE / name), "--as-of", "2026-05-01", "--format", "csv")
    assert result.exit_code == report.exit_code
    if result.exit_code:
        assert (result.stderr, result.stdout) == (report.stderr, "")
    else:
        accounting = [line for line in result.stderr.splitlines() if line.startswith("Rows: ")]
        assert accounting == [line for line in report.stderr.splitlines() if line.startswith("Rows: ")]
        assert len(accounting) == 1


def test_cli_beyond_the_calendar(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    for args in (("--quarter", "9998-Q4"), ("--history", "10000")):
        result = run(capsys, "forecast", str(export), *args)
        assert (result.exit_code, result.stderr) == (
            2,
            "Error: --as-of, --quarter, --history or --backtest reach beyond the calendar (years 1-9999)\n",
        )
    result = run(capsys, "forecast", str(export), "--as-of", "9999-12-01")  # refused by the option itself
    assert result.exit_code == 2
    assert result.stderr.endswith("9999-12-01 is outside the calendar (expected 0002-01-01 to 9998-12-31)\n")


def test_cli_fiscal_year_start_from_config(capsys: pytest.CaptureFixture[str], export: Path, tmp_path: Path) -> None:
    config = tmp_path / "renewals.toml"
    config.write_text("fiscal_year_start = 2\n", encoding="utf-8")
    result = run(capsys, "forecast", str(export), *OPTIONS, "--config", str(config), "--format", "json")
    assert json.loads(result.stdout)["quarter"] == "FY2027-Q2"
    result = run(capsys, "forecast", str(export), *OPTIONS, "--config", str(config), "--fiscal-year-start", "1")
    assert result.exit_code == 0
    assert "2026-Q3 · 2026-07-01 to 2026-09-30" in result.stdout


def test_cli_says_when_there_is_too_little_history_to_backtest(
    capsys: pytest.CaptureFixture[str], export: Path
) -> None:
    # 2026-Q2 as of 2026-04-15 is forecast from 2026-Q1 (as test_backtest_worked_by_hand's 2026-Q2 row); its
    # backtest, 2026-Q1 as of 2026-01-15, would learn from 2025-Q4, which the export does not hold.
    options = ("--as-of", "2026-04-15", "--history", "1", "--min-cell", "1", "--backtest", "1")
    result = run(capsys, "forecast", str(export), *options, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert (
        "- **Forecast:** NRR lands at 55.0%; not backtested: the export holds too little history to backtest the last "
        "quarter · GRR 48.3%\n"
    ) in result.stdout
