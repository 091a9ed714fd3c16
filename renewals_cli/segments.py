"""Account ARR and the strategic / enterprise / SMB tiers (SPEC §2)."""

from dataclasses import dataclass

import polars as pl

from renewals_cli.names import SEGMENTS as SEGMENTS  # re-exported for the core's users

Segment = pl.Enum(SEGMENTS)  # sorts in tier order, not alphabetically


@dataclass(frozen=True)
class Thresholds:
    """Account ARR at or above `strategic_arr` is strategic; at or above `smb_arr`, enterprise."""

    strategic_arr: float = 500_000.0
    smb_arr: float = 200_000.0


def account_segments(rows: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """One row per account of `rows` (accepted rows, already limited to the window): `account_id`,
    `account_arr` and `segment` (the Segment enum).

    An account's ARR is the `arr` on its latest-expiring row among those that have one (the largest, if several
    such rows disagree); an account with no `arr` at all falls back to Σ prior_amount of its rows. It is
    strategic when any of its rows is flagged so or its ARR reaches the strategic threshold; else enterprise
    when its ARR reaches the SMB threshold; else SMB.
    """
    arr, expiry = pl.col("arr"), pl.col("expiry_date")
    latest_with_arr = expiry.filter(arr.is_not_null()).max()
    reported = arr.filter(arr.is_not_null() & (expiry == latest_with_arr)).max()
    accounts = rows.group_by("account_id").agg(
        account_arr=pl.coalesce(reported, pl.col("prior_amount").sum()),
        strategic_flag=pl.col("strategic").fill_null(False).any(),
    )
    segment = (
        pl.when(pl.col("strategic_flag") | (pl.col("account_arr") >= thresholds.strategic_arr))
        .then(pl.lit("strategic"))
        .when(pl.col("account_arr") >= thresholds.smb_arr)
        .then(pl.lit("enterprise"))
        .otherwise(pl.lit("smb"))
    )
    return accounts.select("account_id", "account_arr", segment=segment.cast(Segment))


# An account's ARR is the `arr` on its latest-expiring row that has one (the largest, if several such rows
# disagree). Each row's (expiry date, arr) is packed into one integer that orders the same way, so that the account's
# ARR is a plain `max` of it, in the same group-by as every other partial sum. arr is kept to a millionth, as
# every amount is summed (kpis.MONEY), and is below values.MAX_MONEY, so it fits beneath the date.
ARR_KEY = pl.Int128()
MICROS = 10**6  # amounts are kept as whole millionths (see kpis)
_DAY = 10**21  # > MAX_MONEY x MICROS
_EPOCH_OFFSET = 2**31  # days are an Int32: offset to keep keys positive


def arr_key(arr: pl.Expr, expiry: pl.Expr) -> pl.Expr:
    """A row's (expiry date, arr) as one orderable integer; null where the row has no arr."""
    day = expiry.cast(pl.Int32).cast(ARR_KEY) + _EPOCH_OFFSET
    micros = (arr * MICROS).round().cast(ARR_KEY)
    return pl.when(arr.is_not_null()).then(day * _DAY + micros)


def dollars(micros: pl.Expr) -> pl.Expr:
    """An integer amount of millionths as the float nearest its value. (Polars divides a float column by a
    number as a multiplication by its inverse, which is a digit off for a third of amounts: 6848438.489999999
    for 6848438.49. The exact decimal's conversion is not.)"""
    millionth = pl.lit("0.000001").cast(pl.Decimal(38, 6))  # (a Decimal literal would import numpy)
    return (micros.cast(pl.Decimal(38, 0)) * millionth).cast(pl.Float64)


def reported_arr(key: pl.Expr) -> pl.Expr:
    """The arr of the greatest `arr_key` of an account's rows (null if none has an arr)."""
    return dollars(key % _DAY)


def tiers(accounts: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """Each account's `account_arr` and `segment`, in place of the `strategic_flag` and `arr_key` its rows were
    summed into (one row per account, with `available`, Σ prior_amount). An account without a reported ARR falls
    back to Σ prior_amount of its rows (`available` is in micros, as every money partial)."""
    arr = pl.coalesce(reported_arr(pl.col("arr_key")), dollars(pl.col("available")))
    segment = (
        pl.when(pl.col("strategic_flag") | (pl.col("account_arr") >= thresholds.strategic_arr))
        .then(pl.lit("strategic"))
        .when(pl.col("account_arr") >= thresholds.smb_arr)
        .then(pl.lit("enterprise"))
        .otherwise(pl.lit("smb"))
    )
    return (
        accounts.with_columns(account_arr=arr)
        .with_columns(segment=segment.cast(Segment))
        .drop("strategic_flag", "arr_key")
    )
