"""The state of a renewal opportunity as of a date (SPEC §3).

An export holds each opportunity's status today. Read as of a date A, a row is won (lost) when its status is won
(lost) and it closed on or before A; any other row, open or closed after A, was still open on A. Every command that
reads statuses (the report, the worklist, the forecast, the journey, the book balance) reads them through here.
"""

import datetime as dt

import polars as pl


def won_by(as_of: dt.date | pl.Expr) -> pl.Expr:
    """The row was won on or before `as_of`."""
    return (pl.col("status") == "won") & (pl.col("close_date") <= as_of)


def lost_by(as_of: dt.date | pl.Expr) -> pl.Expr:
    """The row was lost on or before `as_of`."""
    return (pl.col("status") == "lost") & (pl.col("close_date") <= as_of)


def resolved_by(as_of: dt.date | pl.Expr) -> pl.Expr:
    """The row was won or lost on or before `as_of`."""
    return won_by(as_of) | lost_by(as_of)


def open_at(as_of: dt.date | pl.Expr) -> pl.Expr:
    """The row was still open on `as_of`: open today, or closed after `as_of`."""
    return ~resolved_by(as_of)
