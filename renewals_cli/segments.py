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


def reported_arr(rows: pl.LazyFrame) -> pl.LazyFrame:
    """One row per account that has an `arr` value: `reported_arr`, the value on its latest-expiring row with one
    (the largest, if several such rows disagree).

    A join on the latest date rather than a filter inside the aggregation: the nested form runs per group and
    cost several seconds on a million rows.
    """
    with_arr = rows.filter(pl.col("arr").is_not_null()).select("account_id", "expiry_date", "arr")
    latest = with_arr.group_by("account_id").agg(pl.col("expiry_date").max().alias("latest"))
    return (
        with_arr.join(latest, on="account_id")
        .filter(pl.col("expiry_date") == pl.col("latest"))
        .group_by("account_id")
        .agg(pl.col("arr").max().alias("reported_arr"))
    )


def accounts(partials: pl.LazyFrame, reported: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """One row per account: `account_arr` and `segment`.

    `partials` holds `available` and `strategic_flag` per group of the account's rows; `reported` is
    `reported_arr`. An account without a reported ARR falls back to Σ prior_amount of its rows.
    """
    per_account = (
        partials.group_by("account_id")
        .agg(available=pl.col("available").sum().cast(pl.Float64), strategic_flag=pl.col("strategic_flag").any())
        .join(reported, on="account_id", how="left")
        .select(
            "account_id",
            "strategic_flag",
            account_arr=pl.coalesce(pl.col("reported_arr"), pl.col("available")),
        )
    )
    segment = (
        pl.when(pl.col("strategic_flag") | (pl.col("account_arr") >= thresholds.strategic_arr))
        .then(pl.lit("strategic"))
        .when(pl.col("account_arr") >= thresholds.smb_arr)
        .then(pl.lit("enterprise"))
        .otherwise(pl.lit("smb"))
    )
    return per_account.with_columns(segment=segment.cast(Segment))
