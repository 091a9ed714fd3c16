"""The fiscal calendar: quarters of a fiscal year that starts in any month (SPEC §7).

A fiscal year is named by the calendar year in which it ends: with a February start, FY2027 runs from 2026-02-01 to
2027-01-31 and its Q1 is February to April 2026. With the default January start the fiscal year is the calendar
year and labels read `2026-Q1`; with any other start they read `FY2027-Q1`.

Every quarter has one number, its `index`: the count of quarters since year 0 of the calendar, shifted by the
start month. Two dates are in the same quarter when their indexes are equal, and a date lies on or before the end
of another date's quarter when its index is not greater. The same arithmetic is written twice: once on Python
dates (`Quarter`), once as Polars expressions (`quarter_index`, `quarter_label`, `quarter_end`).
"""

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from renewals_cli.errors import UsageError

JANUARY = 1


@dataclass(frozen=True, order=True)
class Quarter:
    """One fiscal quarter: `index` orders quarters, `start_month` is the fiscal year's first month (1-12)."""

    index: int
    start_month: int = JANUARY

    @classmethod
    def of(cls, day: dt.date, start_month: int = JANUARY) -> "Quarter":
        """The fiscal quarter that holds `day`."""
        return cls((day.year * 12 + day.month - start_month) // 3, start_month)

    @property
    def first(self) -> dt.date:
        """The quarter's first day."""
        month = self.index * 3 + self.start_month - 1  # months since year 0, January = 0
        return dt.date(month // 12, month % 12 + 1, 1)

    @property
    def last(self) -> dt.date:
        """The quarter's last day."""
        return self.next().first - dt.timedelta(days=1)

    @property
    def number(self) -> int:
        """1 to 4 within the fiscal year."""
        return (self.first.month - self.start_month) % 12 // 3 + 1

    @property
    def fiscal_year(self) -> int:
        """The calendar year in which the quarter's fiscal year ends."""
        first_of_year = self.first.year if self.first.month >= self.start_month else self.first.year - 1
        return first_of_year if self.start_month == JANUARY else first_of_year + 1

    @property
    def label(self) -> str:
        """`2026-Q1` with a January start, `FY2027-Q1` with any other."""
        prefix = "" if self.start_month == JANUARY else "FY"
        return f"{prefix}{self.fiscal_year}-Q{self.number}"

    def next(self, quarters: int = 1) -> "Quarter":
        """The quarter `quarters` after this one (before it when negative)."""
        return Quarter(self.index + quarters, self.start_month)

    def days(self) -> int:
        """How many days the quarter has."""
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return self.label


_LABEL = re.compile(r"(?P<fy>FY)?\s*(?P<year>\d{4})\s*-?\s*Q(?P<number>[1-4])", re.IGNORECASE)


def quarter_named(text: str, as_of: dt.date, start_month: int = JANUARY) -> Quarter:
    """`--quarter`: `current`, `previous` or `next` (relative to the quarter holding `as_of`), or a label as it is
    shown (`2026-Q3`; `FY2027-Q1` with a fiscal year that does not start in January)."""
    word = text.strip().lower()
    current = Quarter.of(as_of, start_month)
    relative = {"current": 0, "previous": -1, "next": 1}
    if word in relative:
        return current.next(relative[word])
    shown = "FY2027-Q1" if start_month != JANUARY else "2026-Q3"
    match = _LABEL.fullmatch(text.strip())
    # With a fiscal year that does not start in January, `2027-Q1` could be read as a calendar quarter: the label
    # must say FY, as it is shown.
    if match is None or (start_month != JANUARY and not match["fy"]):
        raise UsageError(f"--quarter {text}: expected current, previous, next or a quarter such as {shown}")
    year, number = int(match["year"]), int(match["number"])
    # The fiscal year ends in `year`: with a January start its first month is January of `year`, otherwise the
    # start month of the year before.
    first_year = year if start_month == JANUARY else year - 1
    if not 1 <= first_year <= 9998:
        raise UsageError(f"--quarter {text}: the year is outside the calendar")
    first_of_year = Quarter.of(dt.date(first_year, start_month, 1), start_month)
    return first_of_year.next(number - 1)


def check_start_month(month: int, where: str = "--fiscal-year-start") -> int:
    """A fiscal year's first month, 1 to 12."""
    if not 1 <= month <= 12:
        raise UsageError(f"{where} {month}: expected a month from 1 (January) to 12 (December)")
    return month


def quarter_index(date: pl.Expr, start_month: int = JANUARY) -> pl.Expr:
    """The date's fiscal quarter as one increasing number (see `Quarter.index`)."""
    months = date.dt.year().cast(pl.Int64) * 12 + date.dt.month().cast(pl.Int64) - start_month
    return months // 3


def quarter_end(date: pl.Expr, start_month: int = JANUARY) -> pl.Expr:
    """The last day of the date's fiscal quarter."""
    next_first = (quarter_index(date, start_month) + 1) * 3 + start_month - 1  # months since year 0
    return pl.date(next_first // 12, next_first % 12 + 1, 1) - pl.duration(days=1)


def quarter_label(date: pl.Expr, start_month: int = JANUARY) -> pl.Expr:
    """The date's fiscal quarter written as `Quarter.label` writes it."""
    shifted = date.dt.year().cast(pl.Int64) * 12 + date.dt.month().cast(pl.Int64) - start_month  # from the FY start
    number = (shifted % 12) // 3 + 1
    first_year = shifted // 12
    if start_month == JANUARY:
        return pl.format("{}-Q{}", first_year, number)
    return pl.format("FY{}-Q{}", first_year + 1, number)
