"""Account ARR and the strategic / enterprise / SMB tiers (SPEC §2)."""

from dataclasses import dataclass

import polars as pl

from renewals_cli.money import MONEY, dollars, micros
from renewals_cli.names import SEGMENTS as SEGMENTS  # re-exported for the core's users

Segment = pl.Enum(SEGMENTS)  # sorts in tier order, not alphabetically


@dataclass(frozen=True)
class Thresholds:
    """Account ARR at or above `strategic_arr` is strategic; at or above `smb_arr`, enterprise."""

    strategic_arr: float = 500_000.0
    smb_arr: float = 200_000.0


def arr_parts() -> dict[str, pl.Expr]:
    """What an account's ARR and segment are made of, as aggregations over some of its rows (all of them, or
    those of one rep or batch): `latest_arr`, the largest `arr_key` (the arr on the latest expiry date among the
    rows that have one, the largest on a tie); `prior_micros`, Σ prior_amount (in micros); and
    `strategic_flag`, whether any row is flagged strategic. Each is a plain max or sum, so that they are made
    in the same streaming group-by as the KPI sums, and add up over finer parts."""
    return {
        "latest_arr": arr_key(pl.col("expiry_date"), pl.col("arr")).max(),
        "prior_micros": micros(pl.col("prior_amount")).sum(),
        "strategic_flag": pl.col("strategic").fill_null(False).any(),
    }


# `arr_key`: a row's (expiry date, arr) as one integer that orders by date, then by amount. Amounts are below
# values.MAX_MONEY (1e15) in micros, so below DAY; days since 1970 are shifted to stay positive.
DAY = 10**21
DAYS_BEFORE_1970 = 2**31


def arr_key(expiry: pl.Expr, arr: pl.Expr) -> pl.Expr:
    """The row's (expiry date, arr) as one orderable integer (null without an arr): the largest key of an
    account's rows is the arr on its latest expiry date, the largest on a tie."""
    day = expiry.cast(pl.Int32).cast(MONEY) + DAYS_BEFORE_1970
    return pl.when(arr.is_not_null()).then(day * DAY + micros(arr))


def arr_of(key: pl.Expr) -> pl.Expr:
    """The arr an `arr_key` holds."""
    return dollars(key % DAY)


def segments_from(parts: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """One row per account from its `arr_parts` (one or more rows per account): `account_id`, `account_arr` and
    `segment` (the Segment enum).

    An account's ARR is the `arr` on its latest-expiring row among those that have one (the largest, if several
    such rows disagree); an account with no `arr` at all falls back to Σ prior_amount of its rows. It is
    strategic when any of its rows is flagged so or its ARR reaches the strategic threshold; else enterprise
    when its ARR reaches the SMB threshold; else SMB.
    """
    c = pl.col
    accounts = parts.group_by("account_id").agg(
        account_arr=pl.coalesce(arr_of(c("latest_arr").max()), dollars(c("prior_micros").sum())),
        strategic_flag=c("strategic_flag").any(),
    )
    segment = (
        pl.when(c("strategic_flag") | (c("account_arr") >= thresholds.strategic_arr))
        .then(pl.lit("strategic"))
        .when(c("account_arr") >= thresholds.smb_arr)
        .then(pl.lit("enterprise"))
        .otherwise(pl.lit("smb"))
    )
    return accounts.select("account_id", "account_arr", segment=segment.cast(Segment))


def account_segments(rows: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """`segments_from` the accepted `rows` (already limited to the window)."""
    return segments_from(rows.group_by("account_id").agg(**arr_parts()), thresholds)


def account_table(rows: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """What `renewals segments` lists, one row per account of `rows` (largest ARR first): `account_id`,
    `account_name`, `arr`, `segment`, `reps` (every rep of its rows, alphabetical) and `opportunities`."""
    rows_per_account = rows.group_by("account_id").agg(
        account_name=pl.col("account_name").max(),
        reps=pl.col("rep").unique().sort().str.join(", "),
        opportunities=pl.len(),
    )
    return (
        account_segments(rows, thresholds)
        .join(rows_per_account, on="account_id", how="left")
        .select("account_id", "account_name", pl.col("account_arr").alias("arr"), "segment", "reps", "opportunities")
        .sort(["arr", "account_id"], descending=[True, False])
        .with_columns(pl.col("segment").cast(pl.String))
    )
