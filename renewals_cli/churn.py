"""Why renewals were lost: the churn breakdown, when the export has a `churn_reason` column.

Per reason (and per segment): the renewals lost as of the as-of date, their value (Σ prior_amount, what
`churned_value` sums) and each reason's share of the group's churned value. A lost row without a reason counts
under `unspecified`, so the reasons add up to the KPI tables' `lost` and `churned_value`.
"""

import datetime as dt
from collections.abc import Sequence

import polars as pl

from renewals_cli.money import dollars, micros
from renewals_cli.state import lost_by

UNSPECIFIED = "unspecified"
CHURN_COLUMNS: tuple[str, ...] = ("churn_reason", "lost", "churned_value", "share_of_churned_value")


def lost_rows(rows: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """The rows lost as of A, with what the breakdown reads of them."""
    return rows.filter(lost_by(as_of)).select(
        "account_id",
        churn_reason=pl.col("churn_reason").fill_null(UNSPECIFIED),
        prior_micros=micros(pl.col("prior_amount")),
    )


def churn_by_reason(lost: pl.LazyFrame, keys: Sequence[str] = ()) -> pl.LazyFrame:
    """Per (`keys`, reason) of `lost_rows` (joined to whatever `keys` need): `lost`, `churned_value` and
    `share_of_churned_value` within the group; the largest churned value first."""
    per_reason = lost.group_by(*keys, "churn_reason").agg(
        lost=pl.len().cast(pl.Int64), value=pl.col("prior_micros").sum()
    )
    group_total = pl.col("value").sum().over(keys) if keys else pl.col("value").sum()
    share = pl.when(group_total != 0).then(pl.col("value").cast(pl.Float64) / group_total.cast(pl.Float64))
    return per_reason.select(
        *keys,
        "churn_reason",
        "lost",
        churned_value=dollars(pl.col("value")),
        share_of_churned_value=share,
    ).sort([*keys, "churned_value", "churn_reason"], descending=[*(False for _ in keys), True, False])
