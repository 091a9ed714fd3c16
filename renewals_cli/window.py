"""The report window on expiry dates, and the as-of date (SPEC §3).

By default a report covers every row expiring on or before the last day of the (fiscal) quarter that holds the
as-of date: what is due, plus the quarter in progress. Renewals expiring later are pipeline, not performance yet;
`--to` moves the end and `--all` takes every row. `--from` has no default.
"""

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewals_cli.calendar import JANUARY, Quarter


@dataclass(frozen=True)
class Window:
    """Rows whose expiry_date is from `start` to `end`, inclusive (None: open-ended), read as of `as_of`;
    `start_month` is the first month of the fiscal year, which every quarter follows."""

    as_of: dt.date
    start: dt.date | None = None
    end: dt.date | None = None
    start_month: int = JANUARY
    default_end: bool = False  # `end` is the default one (the end of the quarter holding as_of)

    @classmethod
    def default(cls, as_of: dt.date, start_month: int = JANUARY, start: dt.date | None = None) -> "Window":
        """Up to the last day of the quarter that holds `as_of` (from `start` when given)."""
        end = Quarter.of(as_of, start_month).last
        return cls(as_of=as_of, start=start, end=end, start_month=start_month, default_end=True)


def within(window: Window) -> pl.Expr:
    """The row's expiry_date falls in the window."""
    expiry = pl.col("expiry_date")
    inside = expiry.is_not_null()
    if window.start is not None:
        inside &= expiry >= window.start
    if window.end is not None:
        inside &= expiry <= window.end
    return inside


def later(window: Window) -> pl.Expr:
    """The row expires after the window's end (false when the window has no end)."""
    return pl.lit(False) if window.end is None else pl.col("expiry_date") > window.end
