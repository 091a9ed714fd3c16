"""SPEC §4 `renewals upcoming`: the worklist on tiny hand-built frames; every expected day count is worked out
in a comment."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewals_cli.errors import UsageError
from renewals_cli.segments import Segment
from renewals_cli.worklist import WORKLIST_COLUMNS, worklist

ROW_SCHEMA: dict[str, pl.DataType] = {
    "opportunity_id": pl.String(),
    "account_id": pl.String(),
    "account_name": pl.String(),
    "rep": pl.String(),
    "expiry_date": pl.Date(),
    "prior_amount": pl.Float64(),
    "status": pl.String(),
    "close_date": pl.Date(),
}
WORKLIST_SCHEMA: dict[str, pl.DataType] = {
    "opportunity_id": pl.String(),
    "account_id": pl.String(),
    "account_name": pl.String(),
    "rep": pl.String(),
    "segment": pl.String(),
    "expiry_date": pl.Date(),
    "days_to_expiry": pl.Int64(),
    "prior_amount": pl.Float64(),
    "action": pl.String(),
}

AS_OF = dt.date(2026, 3, 15)


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def opp(
    opportunity_id: str,
    account_id: str,
    expiry: str,
    status: str = "open",
    *,
    rep: str = "ann",
    prior: float = 100.0,
    account_name: str | None = None,
    close: str | None = None,
) -> dict[str, Any]:
    """One accepted row, with only the columns the worklist reads; a won or lost row closed on 2026-03-01 unless
    `close` says otherwise."""
    if close is None and status != "open":
        close = "2026-03-01"
    return {
        "opportunity_id": opportunity_id,
        "account_id": account_id,
        "account_name": account_name,
        "rep": rep,
        "expiry_date": day(expiry),
        "prior_amount": prior,
        "status": status,
        "close_date": None if close is None else day(close),
    }


def rows_frame(rows: Sequence[Mapping[str, Any]]) -> pl.LazyFrame:
    return pl.LazyFrame(list(rows), schema=ROW_SCHEMA)


def accounts_frame(segments: Mapping[str, str]) -> pl.LazyFrame:
    """One row per account, segment typed as `segments.accounts` types it (an Enum)."""
    return pl.LazyFrame(
        {"account_id": list(segments), "segment": list(segments.values())},
        schema={"account_id": pl.String(), "segment": Segment},
    )


def expected(rows: Sequence[tuple[Any, ...]]) -> pl.DataFrame:
    """Worklist rows as tuples in WORKLIST_COLUMNS order, expiry dates written as ISO strings."""
    fixed = [(*r[:5], day(r[5]), *r[6:]) for r in rows]
    return pl.DataFrame(fixed, schema=WORKLIST_SCHEMA, orient="row")


def run(
    rows: Sequence[Mapping[str, Any]],
    tiers: Mapping[str, str] | None = None,
    *,
    as_of: dt.date = AS_OF,
    **options: Any,
) -> pl.DataFrame:
    """The collected worklist; `tiers` maps account_id to segment (every account `smb` when not given)."""
    accounts = accounts_frame(tiers if tiers is not None else {r["account_id"]: "smb" for r in rows})
    return worklist(rows_frame(rows), accounts, as_of=as_of, **options).collect()


def ids(frame: pl.DataFrame) -> list[str]:
    return frame["opportunity_id"].to_list()


# --- which rows, and their action --------------------------------------------------------------------------

# As of 2026-03-15: March has 31 days, so 03-31 is day 16, 04-30 day 46, 05-31 day 77, 06-13 day 90,
# 06-30 day 107, 07-13 day 120.
BOUNDARIES = [
    opp("o-121", "A", "2026-07-14"),  # day 121: beyond the default window
    opp("o-120", "A", "2026-07-13"),  # day 120: last day of the quote window
    opp("o-91", "A", "2026-06-14"),  # day 91: first day of the quote window
    opp("o-90", "A", "2026-06-13"),  # day 90: the 90-day touchpoint is reached
    opp("o-0", "A", "2026-03-15"),  # day 0: expires today, not yet past due
    opp("o-1", "A", "2026-03-14"),  # day -1: past due
]


def test_boundaries_of_each_action_in_the_default_window():
    assert_frame_equal(
        run(BOUNDARIES, {"A": "enterprise"}),
        expected(
            [
                ("o-1", "A", None, "ann", "enterprise", "2026-03-14", -1, 100.0, "past_due"),
                ("o-0", "A", None, "ann", "enterprise", "2026-03-15", 0, 100.0, "due_90"),
                ("o-90", "A", None, "ann", "enterprise", "2026-06-13", 90, 100.0, "due_90"),
                ("o-91", "A", None, "ann", "enterprise", "2026-06-14", 91, 100.0, "quote_window"),
                ("o-120", "A", None, "ann", "enterprise", "2026-07-13", 120, 100.0, "quote_window"),
            ]
        ),
    )


def test_won_and_lost_rows_are_never_on_the_worklist():
    rows = [
        opp("won-soon", "A", "2026-03-20", "won"),
        opp("lost-soon", "A", "2026-03-20", "lost"),
        opp("won-past", "A", "2026-01-10", "won"),
        opp("lost-past", "A", "2026-01-10", "lost"),
        opp("open", "A", "2026-03-20"),
    ]
    assert ids(run(rows)) == ["open"]


def test_rows_closed_after_the_as_of_date_are_still_on_the_worklist():
    rows = [
        opp("won-later", "A", "2026-03-20", "won", close="2026-03-16"),  # the day after AS_OF: open then
        opp("lost-later", "A", "2026-03-21", "lost", close="2026-04-01"),
        opp("won-on-the-day", "A", "2026-03-20", "won", close="2026-03-15"),  # closed on AS_OF: not open
    ]
    assert ids(run(rows)) == ["won-later", "lost-later"]


def test_past_due_rows_are_included_however_old():
    rows = [opp("ancient", "A", "2019-03-15"), opp("soon", "A", "2026-04-14")]
    result = run(rows)
    # 2019-03-15 → 2026-03-15 is 7 years and two leap days (2020-02-29, 2024-02-29) = 7 * 365 + 2 = 2557 days.
    # 2026-04-14 is day 16 + 14 = 30.
    assert result.select("opportunity_id", "days_to_expiry", "action").rows() == [
        ("ancient", -2557, "past_due"),
        ("soon", 30, "due_90"),
    ]


def test_days_narrows_the_window_but_keeps_past_due_rows():
    rows = [
        opp("late", "A", "2025-12-01"),
        opp("d30", "A", "2026-04-14"),  # day 30: in
        opp("d31", "A", "2026-04-15"),  # day 31: out
        opp("d90", "A", "2026-06-13"),  # out
    ]
    assert ids(run(rows, days=30)) == ["late", "d30"]


def test_days_zero_keeps_today_and_past_due_only():
    rows = [opp("late", "A", "2026-03-14"), opp("today", "A", "2026-03-15"), opp("tomorrow", "A", "2026-03-16")]
    assert ids(run(rows, days=0)) == ["late", "today"]


def test_days_beyond_120_labels_the_far_rows_upcoming():
    rows = [
        *BOUNDARIES,
        opp("o-200", "A", "2026-10-01"),  # 07-13 is day 120; + 18 (07-31) + 31 (08-31) + 30 (09-30) + 1 = day 200
        opp("o-201", "A", "2026-10-02"),  # day 201: beyond --days 200
    ]
    result = run(rows, days=200)
    assert result.select("opportunity_id", "days_to_expiry", "action").rows() == [
        ("o-1", -1, "past_due"),
        ("o-0", 0, "due_90"),
        ("o-90", 90, "due_90"),
        ("o-91", 91, "quote_window"),
        ("o-120", 120, "quote_window"),
        ("o-121", 121, "upcoming"),
        ("o-200", 200, "upcoming"),
    ]


def test_negative_days_is_a_usage_error():
    with pytest.raises(UsageError, match=r"^--days must be 0 or more, not -1\.$"):
        worklist(rows_frame([]), accounts_frame({}), as_of=AS_OF, days=-1)


# --- day arithmetic across leap days and year ends ---------------------------------------------------------


def test_days_counted_from_a_leap_day():
    rows = [
        opp("next-day", "A", "2028-03-01"),  # 1
        opp("a-year-on", "A", "2029-02-28"),  # 2028-03-01 → 2029-02-28 is 364 days, +1 = 365
        opp("day-before", "A", "2028-02-28"),  # -1
        opp("leap-year-ago", "A", "2027-02-28"),  # 2027-02-28 → 2028-02-28 is 365 days (no leap day between), +1
    ]
    result = run(rows, as_of=day("2028-02-29"), days=400)
    assert result.select("opportunity_id", "days_to_expiry").rows() == [
        ("leap-year-ago", -366),
        ("day-before", -1),
        ("next-day", 1),
        ("a-year-on", 365),
    ]


def test_days_counted_across_a_year_end():
    rows = [
        opp("new-year", "A", "2027-01-01"),  # 1
        opp("new-year-day", "A", "2026-01-01"),  # 2026 is 365 days long: -364
        opp("leap-day", "A", "2028-02-29"),  # 365 (2027) + 31 (Jan 2028) + 29 = 425
    ]
    result = run(rows, as_of=day("2026-12-31"), days=425)
    assert result.select("opportunity_id", "days_to_expiry", "action").rows() == [
        ("new-year-day", -364, "past_due"),
        ("new-year", 1, "due_90"),
        ("leap-day", 425, "upcoming"),
    ]


# --- order -------------------------------------------------------------------------------------------------


def test_sorted_by_expiry_then_account_then_opportunity():
    rows = [
        opp("o-9", "B", "2026-04-01"),
        opp("o-3", "A", "2026-05-01"),
        opp("o-2", "B", "2026-04-01"),
        opp("o-8", "A", "2026-04-01"),
        opp("o-1", "A", "2026-04-01"),
        opp("o-7", "C", "2026-03-01"),
    ]
    # 03-01 first (past due); then 04-01 for A (o-1, o-8) before B (o-2, o-9); then 05-01.
    assert ids(run(rows)) == ["o-7", "o-1", "o-8", "o-2", "o-9", "o-3"]


def test_empty_opportunity_ids_sort_after_the_named_ones_in_input_order():
    rows = [
        opp("", "A", "2026-04-01", prior=1.0),
        opp("o-2", "A", "2026-04-01"),
        opp("", "A", "2026-04-01", prior=2.0),
        opp("o-1", "A", "2026-04-01"),
    ]
    for row in rows:
        row["opportunity_id"] = row["opportunity_id"] or None
    result = run(rows)
    assert result.select("opportunity_id", "prior_amount").rows() == [
        ("o-1", 100.0),
        ("o-2", 100.0),
        (None, 1.0),
        (None, 2.0),
    ]


# --- filters -----------------------------------------------------------------------------------------------

FILTERED = [
    opp("o-1", "A", "2026-04-01", rep="ann"),
    opp("o-2", "B", "2026-04-02", rep="bob"),
    opp("o-3", "C", "2026-04-03", rep="cy"),
    opp("o-4", "A", "2026-04-04", rep="Ann"),
]
FILTERED_SEGMENTS = {"A": "strategic", "B": "enterprise", "C": "smb"}


def test_no_filter_keeps_every_row():
    assert ids(run(FILTERED, FILTERED_SEGMENTS)) == ["o-1", "o-2", "o-3", "o-4"]


def test_rep_filter_is_exact_and_keeps_any_of_the_reps():
    # "Ann" is not "ann": rep names are matched exactly.
    assert ids(run(FILTERED, FILTERED_SEGMENTS, reps=["ann"])) == ["o-1"]
    assert ids(run(FILTERED, FILTERED_SEGMENTS, reps=["ann", "cy"])) == ["o-1", "o-3"]
    assert ids(run(FILTERED, FILTERED_SEGMENTS, reps=["nobody"])) == []


def test_segment_filter_keeps_any_of_the_segments():
    assert ids(run(FILTERED, FILTERED_SEGMENTS, segments=["strategic"])) == ["o-1", "o-4"]
    assert ids(run(FILTERED, FILTERED_SEGMENTS, segments=["smb", "enterprise"])) == ["o-2", "o-3"]


def test_rep_and_segment_filters_combine():
    assert ids(run(FILTERED, FILTERED_SEGMENTS, reps=["ann", "bob"], segments=["strategic", "smb"])) == ["o-1"]


def test_unknown_segment_is_a_usage_error():
    with pytest.raises(UsageError, match=r"^Unknown segment 'mid': choose from strategic, enterprise, smb\.$"):
        run(FILTERED, FILTERED_SEGMENTS, segments=["smb", "mid"])


# --- columns -----------------------------------------------------------------------------------------------


def test_columns_and_types_are_exactly_the_worklist_columns():
    result = run([opp("o-1", "A", "2026-04-01", account_name="Acme Ltd", prior=1234.5)], {"A": "strategic"})
    assert tuple(result.columns) == WORKLIST_COLUMNS
    assert dict(result.schema) == WORKLIST_SCHEMA
    assert result.row(0) == ("o-1", "A", "Acme Ltd", "ann", "strategic", day("2026-04-01"), 17, 1234.5, "due_90")


def test_without_opportunity_id_the_rows_need_no_such_column():
    rows = [
        opp("x", "B", "2026-04-01", prior=1.0),
        opp("x", "A", "2026-04-01", prior=2.0),
        opp("x", "B", "2026-04-01", prior=3.0),
        opp("x", "A", "2026-03-01", prior=4.0),
    ]
    frame = rows_frame(rows).drop("opportunity_id")
    result = worklist(frame, accounts_frame({"A": "smb", "B": "smb"}), as_of=AS_OF, with_opportunity_id=False)
    collected = result.collect()
    assert tuple(collected.columns) == WORKLIST_COLUMNS[1:]
    # By expiry, then account; B's two rows on 04-01 keep their input order (1.0 before 3.0).
    assert collected.select("account_id", "prior_amount").rows() == [("A", 4.0), ("A", 2.0), ("B", 1.0), ("B", 3.0)]


def test_segment_comes_from_the_accounts_frame_and_only_from_its_two_columns():
    # Extra columns of the accounts frame (a segments table has account_name too) must not leak or clash.
    accounts = accounts_frame({"A": "enterprise"}).with_columns(account_name=pl.lit("From accounts"), arr=1.0)
    rows = rows_frame([opp("o-1", "A", "2026-04-01", account_name="From row"), opp("o-2", "Z", "2026-04-02")])
    result = worklist(rows, accounts, as_of=AS_OF).collect()
    # Z is not in the accounts frame: its segment is null rather than the row being lost.
    assert result.select("opportunity_id", "account_name", "segment").rows() == [
        ("o-1", "From row", "enterprise"),
        ("o-2", None, None),
    ]


def test_empty_input_gives_an_empty_worklist_with_the_columns():
    result = worklist(rows_frame([]), accounts_frame({}), as_of=AS_OF).collect()
    assert result.height == 0
    assert dict(result.schema) == WORKLIST_SCHEMA
