"""The fiscal calendar (SPEC §7): quarters, labels and `--quarter` for several start months."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from renewals_cli.calendar import Quarter, check_start_month, quarter_end, quarter_index, quarter_label, quarter_named
from renewals_cli.errors import UsageError


@pytest.mark.parametrize(
    ("day", "start", "label", "first", "last"),
    [
        (dt.date(2026, 1, 1), 1, "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 12, 31), 1, "2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        # A February start: FY2027 runs 2026-02-01 to 2027-01-31, its Q1 is February-April 2026.
        (dt.date(2026, 2, 1), 2, "FY2027-Q1", dt.date(2026, 2, 1), dt.date(2026, 4, 30)),
        (dt.date(2026, 4, 30), 2, "FY2027-Q1", dt.date(2026, 2, 1), dt.date(2026, 4, 30)),
        (dt.date(2027, 1, 31), 2, "FY2027-Q4", dt.date(2026, 11, 1), dt.date(2027, 1, 31)),
        (dt.date(2026, 1, 31), 2, "FY2026-Q4", dt.date(2025, 11, 1), dt.date(2026, 1, 31)),
        # A July start: FY2027 runs 2026-07-01 to 2027-06-30.
        (dt.date(2026, 7, 1), 7, "FY2027-Q1", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        (dt.date(2027, 6, 30), 7, "FY2027-Q4", dt.date(2027, 4, 1), dt.date(2027, 6, 30)),
        (dt.date(2026, 6, 30), 7, "FY2026-Q4", dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        # December start: FY2027 runs 2026-12-01 to 2027-11-30; its Q1 ends on the leap day of 2028's FY.
        (dt.date(2026, 12, 15), 12, "FY2027-Q1", dt.date(2026, 12, 1), dt.date(2027, 2, 28)),
        (dt.date(2028, 2, 29), 12, "FY2028-Q1", dt.date(2027, 12, 1), dt.date(2028, 2, 29)),
        (dt.date(2024, 2, 29), 1, "2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ],
)
def test_quarter_of_a_day(day: dt.date, start: int, label: str, first: dt.date, last: dt.date) -> None:
    quarter = Quarter.of(day, start)
    assert (quarter.label, quarter.first, quarter.last) == (label, first, last)


@pytest.mark.parametrize("start", [1, 2, 3, 4, 7, 10, 11, 12])
def test_every_month_of_a_fiscal_year(start: int) -> None:
    """Twelve months from the start month are Q1 Q1 Q1 Q2 … Q4, all in the fiscal year that ends in the last."""
    first = dt.date(2026, start, 1)
    months = [dt.date(2026 + (start - 1 + i) // 12, (start - 1 + i) % 12 + 1, 15) for i in range(12)]
    numbers = [Quarter.of(month, start).number for month in months]
    assert numbers == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    ends_in = months[-1].year
    assert {Quarter.of(month, start).fiscal_year for month in months} == {ends_in}
    assert Quarter.of(first, start).first == first


days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


@given(days, st.integers(min_value=1, max_value=12))
def test_expressions_agree_with_python(day: dt.date, start: int) -> None:
    quarter = Quarter.of(day, start)
    date = pl.lit(day, dtype=pl.Date)
    row = pl.select(
        index=quarter_index(date, start), end=quarter_end(date, start), label=quarter_label(date, start)
    ).row(0)
    assert row == (quarter.index, quarter.last, quarter.label)
    assert quarter.first <= day <= quarter.last
    assert quarter.next().first == quarter.last + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "start", "label"),
    [
        ("current", 1, "2026-Q4"),
        ("previous", 1, "2026-Q3"),
        ("next", 1, "2027-Q1"),
        ("2026-Q1", 1, "2026-Q1"),
        ("2026q2", 1, "2026-Q2"),
        ("current", 2, "FY2027-Q4"),
        ("next", 2, "FY2028-Q1"),
        ("FY2027-Q1", 2, "FY2027-Q1"),
        ("fy2027-q1", 2, "FY2027-Q1"),
    ],
)
def test_quarter_named(text: str, start: int, label: str) -> None:
    assert quarter_named(text, dt.date(2026, 12, 6), start).label == label


def test_fiscal_label_is_first_day_of_its_year() -> None:
    assert quarter_named("FY2027-Q1", dt.date(2026, 12, 6), 2).first == dt.date(2026, 2, 1)


@pytest.mark.parametrize(
    ("text", "start", "message"),
    [
        ("soon", 1, "--quarter soon: expected current, previous, next or a quarter such as 2026-Q3"),
        ("2027-Q1", 2, "--quarter 2027-Q1: expected current, previous, next or a quarter such as FY2027-Q1"),
        ("2026-Q5", 1, "--quarter 2026-Q5: expected current, previous, next or a quarter such as 2026-Q3"),
        ("0000-Q1", 1, "--quarter 0000-Q1: the year is outside the calendar"),
        ("9999-Q4", 1, "--quarter 9999-Q4: the year is outside the calendar"),
    ],
)
def test_bad_quarter(text: str, start: int, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        quarter_named(text, dt.date(2026, 12, 6), start)
    assert str(caught.value) == message


def test_start_month_range() -> None:
    assert check_start_month(12) == 12
    with pytest.raises(UsageError, match="--fiscal-year-start 13: expected a month from 1"):
        check_start_month(13)
