"""Hypothesis: the identities SPEC §3 says must hold, on random books of accepted rows, for every grouping.

Amounts are whole currency units so that sums are exact in any order: an account's ARR never lands a rounding
error away from a segment threshold, and partition checks can compare money exactly.
"""

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renewals_cli.kpis import GROUPINGS, KPI_COLUMNS, keys_of
from renewals_cli.segments import Thresholds
from tests.kpi_frames import by_key, tables

FAST = settings()  # the examples of the Hypothesis profile (tests/conftest.py)

AS_OF = dt.date(2026, 3, 15)
# Dates around the as-of date and quarter ends come up often, so that `≤` versus `<` is exercised.
BOUNDARIES = [dt.date.fromisoformat(d) for d in ("2025-12-31", "2026-01-01", "2026-03-31", "2026-04-01")]
NEAR_AS_OF = [AS_OF + dt.timedelta(days=n) for n in (-1, 0, 1)]
dates = st.one_of(
    st.sampled_from(BOUNDARIES + NEAR_AS_OF),
    st.dates(min_value=dt.date(2025, 10, 1), max_value=dt.date(2026, 9, 30)),
)
# Zero and the default thresholds on purpose, so that boundaries and empty denominators come up.
amounts = st.one_of(
    st.sampled_from([0.0, 199_999.0, 200_000.0, 500_000.0]),
    st.integers(0, 400_000).map(float),
)


@st.composite
def accepted_row(draw: st.DrawFn) -> dict[str, Any]:
    """One accepted opportunity: won rows have renewal_amount and close_date, lost rows close_date.

    Lost and open rows may carry a renewal amount or a close date too (a quote, an expected close date),
    which no KPI may read.
    """
    status = draw(st.sampled_from(["won", "lost", "open"]))
    return {
        "account_id": draw(st.sampled_from(["acme", "globex", "initech", "umbrella", "hooli", "stark"])),
        "account_name": None,
        "rep": draw(st.sampled_from(["ann", "bob", "cho"])),
        "expiry_date": draw(dates),
        "prior_amount": draw(amounts),
        "status": status,
        "renewal_amount": draw(amounts if status == "won" else st.none() | amounts),
        "close_date": draw(dates if status != "open" else st.none() | dates),
        "arr": draw(st.none() | amounts),
        "strategic": draw(st.sampled_from([None, None, False, True])),
        "batch": draw(st.sampled_from([None, "Wave 1", "Wave 2"])),
        "partner": draw(st.sampled_from([None, "Acme Resellers", "Zeta Channel"])),
        "csm": draw(st.sampled_from([None, "Cleo", "Dev"])),
    }


books = st.lists(accepted_row(), max_size=20)
# A rep per account, as a CRM that gives each account an owner has (the report takes a shorter way then).
OWNERS = {"acme": "ann", "globex": "bob", "initech": "cho", "umbrella": "ann", "hooli": "bob", "stark": "cho"}
owned_books = books.map(lambda book: [{**row, "rep": OWNERS[row["account_id"]]} for row in book])
as_of_dates = st.one_of(st.just(AS_OF), dates)

SUMMED = ("opportunities", "won", "lost", "open", "due", "past_due", "accounts", "available", "churned_value")
BOUNDED_RATES = (
    "resolution_rate",
    "close_rate",
    "resolution_rate_value",
    "close_rate_value",
    "otrr",
    "iqrr",
    "retention_rate",
    "grr",
)


def all_tables(
    book: list[dict[str, Any]], as_of: dt.date, groupings: Sequence[str] = GROUPINGS
) -> dict[str, list[dict[str, Any]]]:
    """Each grouping's KPI rows as dicts."""
    got = tables(book, groupings, as_of=as_of)
    return {g: got[g].to_dicts() for g in groupings}


def total(rows: Iterable[dict[str, Any]], column: str) -> Any:
    return sum(row[column] for row in rows)


@FAST
@given(books, as_of_dates)
def test_row_identities_hold_in_every_group_of_every_grouping(book, as_of):
    for grouping, rows in all_tables(book, as_of).items():
        for row in rows:
            where = (grouping, row)
            # renewal_rate = resolution_rate_value * close_rate_value * conversion_rate
            factors = (row["resolution_rate_value"], row["close_rate_value"], row["conversion_rate"])
            if row["renewal_rate"] is not None and None not in factors:
                product = factors[0] * factors[1] * factors[2]
                assert row["renewal_rate"] == pytest.approx(product, rel=1e-9, abs=1e-15), where
            # won + lost + open = opportunities, and the counts that are subsets stay within their sets
            assert row["won"] + row["lost"] + row["open"] == row["opportunities"], where
            assert row["past_due"] <= min(row["due"], row["open"]), where
            assert row["due"] <= row["opportunities"], where
            assert 1 <= row["accounts"] <= row["opportunities"] or grouping == "overall", where
            # shares are fractions in [0, 1]; uplift is conversion - 1; capping can only lower GRR below NRR
            for rate in BOUNDED_RATES:
                assert row[rate] is None or 0.0 <= row[rate] <= 1.0, (rate, *where)
            if row["conversion_rate"] is not None:
                assert row["uplift"] == pytest.approx(row["conversion_rate"] - 1, rel=1e-12, abs=1e-15), where
            assert (row["grr"] is None) == (row["nrr"] is None), where
            if row["grr"] is not None:
                assert row["grr"] <= row["nrr"] * (1 + 1e-12), where


@FAST
@given(books, as_of_dates)
def test_segment_rep_and_batch_rows_partition_the_overall_row(book, as_of):
    got = all_tables(book, as_of)
    (whole,) = got["overall"]
    # whole amounts: every sum is exact, whatever the order.
    # An account has one segment, so segments partition accounts too.
    for column in SUMMED:
        assert total(got["segment"], column) == whole[column], ("segment", column)
    # An account can have several reps and batches: those partition rows and money, not accounts.
    for grouping in ("rep", "batch", "rep,segment", "batch,segment", "batch,rep", "partner", "partner,segment", "csm"):
        for column in SUMMED:
            if column != "accounts":
                assert total(got[grouping], column) == whole[column], (grouping, column)


@FAST
@given(
    books | owned_books,
    as_of_dates,
    st.sampled_from([Thresholds(), Thresholds(strategic_arr=300_000, smb_arr=100_000)]),
)
def test_every_grouping_matches_a_plain_reading_of_the_spec(book, as_of, thresholds):
    got = tables(book, GROUPINGS, as_of=as_of, thresholds=thresholds)
    expected = reference_tables(book, as_of, thresholds)
    for grouping in GROUPINGS:
        actual = by_key(got[grouping], grouping)
        assert set(actual) == set(expected[grouping]), grouping
        for key, want in expected[grouping].items():
            for column in KPI_COLUMNS:
                have = actual[key][column]
                if want[column] is None:
                    assert have is None, (grouping, key, column, have)
                else:
                    assert have == pytest.approx(want[column], rel=1e-9, abs=1e-12), (grouping, key, column)


# --- SPEC §2 and §3 read literally, row by row, in plain Python --------------------------------------------


def quarter_end(date: dt.date) -> dt.date:
    month = (date.month - 1) // 3 * 3 + 3
    return dt.date(date.year, month, calendar.monthrange(date.year, month)[1])


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator != 0 else None


def reference_segments(book: list[dict[str, Any]], thresholds: Thresholds) -> dict[str, str]:
    segments = {}
    for account in {r["account_id"] for r in book}:
        rows = [r for r in book if r["account_id"] == account]
        with_arr = [r for r in rows if r["arr"] is not None]
        if with_arr:
            latest = max(r["expiry_date"] for r in with_arr)
            arr = max(r["arr"] for r in with_arr if r["expiry_date"] == latest)
        else:
            arr = sum(r["prior_amount"] for r in rows)
        if any(r["strategic"] is True for r in rows) or arr >= thresholds.strategic_arr:
            segments[account] = "strategic"
        elif arr >= thresholds.smb_arr:
            segments[account] = "enterprise"
        else:
            segments[account] = "smb"
    return segments


def reference_csms(book: list[dict[str, Any]]) -> dict[str, str]:
    """SPEC §6: the csm on the account's latest-expiring row that names one, alphabetically first on ties."""
    csms = {}
    for account in {r["account_id"] for r in book}:
        named = [r for r in book if r["account_id"] == account and r["csm"]]
        if named:
            latest = max(r["expiry_date"] for r in named)
            csms[account] = min(r["csm"] for r in named if r["expiry_date"] == latest)
    return csms


def reference_kpis(group: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    def closed(row: dict[str, Any], status: str) -> bool:
        return bool(row["status"] == status and row["close_date"] <= as_of)

    won = [r for r in group if closed(r, "won")]
    lost = [r for r in group if closed(r, "lost")]
    open_ = [r for r in group if not (closed(r, "won") or closed(r, "lost"))]
    due = [r for r in group if r["expiry_date"] <= as_of]
    at_stake = [r for r in group if closed(r, "won") or closed(r, "lost") or r["expiry_date"] <= as_of]
    prior = sum(r["prior_amount"] for r in group)
    prior_won = sum(r["prior_amount"] for r in won)
    prior_answered = prior_won + sum(r["prior_amount"] for r in lost)
    renewal_won = sum(r["renewal_amount"] for r in won)
    prior_at_stake = sum(r["prior_amount"] for r in at_stake)

    accounts = {r["account_id"] for r in group}
    accounts_at_stake = {r["account_id"] for r in at_stake}
    retained = set()
    for account in accounts_at_stake:
        stakes = [r for r in at_stake if r["account_id"] == account]
        last = max(r["expiry_date"] for r in stakes)
        if any(r in won for r in stakes if r["expiry_date"] == last):
            retained.add(account)
    growth = []
    for account in accounts:
        account_won = [r for r in won if r["account_id"] == account]
        account_prior = sum(r["prior_amount"] for r in account_won)
        if account_prior > 0:
            growth.append((sum(r["renewal_amount"] for r in account_won) - account_prior) / account_prior)

    conversion = ratio(renewal_won, prior_won)
    return {
        "opportunities": len(group),
        "accounts": len(accounts),
        "available": prior,
        "won": len(won),
        "lost": len(lost),
        "open": len(open_),
        "resolution_rate": ratio(len(won) + len(lost), len(group)),
        "close_rate": ratio(len(won), len(won) + len(lost)),
        "resolution_rate_value": ratio(prior_answered, prior),
        "close_rate_value": ratio(prior_won, prior_answered),
        "conversion_rate": conversion,
        "uplift": None if conversion is None else conversion - 1,
        "renewal_rate": ratio(renewal_won, prior),
        "due": len(due),
        "past_due": sum(r["expiry_date"] < as_of for r in open_),
        "otrr": ratio(sum(r["expiry_date"] <= as_of and r["close_date"] <= r["expiry_date"] for r in won), len(due)),
        "iqrr": ratio(sum(r["close_date"] <= quarter_end(r["expiry_date"]) for r in won), len(group)),
        "retention_rate": ratio(len(retained), len(accounts_at_stake)),
        "grr": ratio(sum(min(r["renewal_amount"], r["prior_amount"]) for r in won), prior_at_stake),
        "nrr": ratio(renewal_won, prior_at_stake),
        "value_growth": sum(growth) / len(growth) if growth else None,
        "churned_value": sum(r["prior_amount"] for r in lost),
    }


def reference_tables(
    book: list[dict[str, Any]], as_of: dt.date, thresholds: Thresholds
) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    segments = reference_segments(book, thresholds)
    csms = reference_csms(book)

    def key_value(row: dict[str, Any], key: str) -> Any:
        if key == "segment":
            return segments[row["account_id"]]
        if key == "partner":
            return row["partner"] or "direct"
        if key == "csm":
            return csms.get(row["account_id"]) or "unassigned"
        if key == "batch":
            expiry = row["expiry_date"]
            return row["batch"] or f"{expiry.year}-Q{(expiry.month - 1) // 3 + 1}"
        return row[key]

    result: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for grouping in GROUPINGS:
        keys = keys_of(grouping)
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in book:
            groups[tuple(key_value(row, k) for k in keys) if keys else ("all",)].append(row)
        if not keys:
            groups.setdefault(("all",), [])
        result[grouping] = {key: reference_kpis(rows, as_of) for key, rows in groups.items()}
    return result
