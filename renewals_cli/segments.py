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


def arr_partials() -> list[pl.Expr]:
    """Per-group aggregations over rows from which account ARR can be rolled up (see `accounts`).

    `arr_expiry` is the latest expiry date among rows with an `arr` value, `arr_latest` the largest `arr` on
    those rows, `strategic_flag` whether any row flags the account, `arr_prior` the Σ prior_amount fallback.
    """
    with_arr = pl.col("arr").is_not_null()
    latest = pl.col("expiry_date").filter(with_arr).max()
    return [
        latest.alias("arr_expiry"),
        pl.col("arr").filter(with_arr & (pl.col("expiry_date") == latest)).max().alias("arr_latest"),
        pl.col("strategic").any().alias("strategic_flag"),
    ]


def accounts(partials: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """One row per account: `account_arr` and `segment`, from partials holding `arr_partials` and `available`.

    ARR is the `arr` on the account's latest-expiring row that has one (the largest on a tie); an account with
    no `arr` at all falls back to Σ prior_amount of its rows.
    """
    latest = pl.col("arr_expiry").max()
    arr_value = pl.col("arr_latest").filter(pl.col("arr_expiry") == latest).max()
    per_account = partials.group_by("account_id").agg(
        account_arr=pl.coalesce(arr_value, pl.col("available").sum().cast(pl.Float64)),
        strategic_flag=pl.col("strategic_flag").any(),
    )
    segment = (
        pl.when(pl.col("strategic_flag") | (pl.col("account_arr") >= thresholds.strategic_arr))
        .then(pl.lit("strategic"))
        .when(pl.col("account_arr") >= thresholds.smb_arr)
        .then(pl.lit("enterprise"))
        .otherwise(pl.lit("smb"))
    )
    return per_account.with_columns(segment=segment.cast(Segment))
