"""Book balance (`renewals balance`): is each rep's (or partner's) share of contracts in line with their share of
the value?

Unless account sizes are spread evenly, whoever holds the top-dollar deals works them and leaves the long tail
untouched. Per group of the window's rows: its share of the opportunities beside its share of the value available
to renew (`value_mix`, 1 for an even book), its opportunities per segment, and how much of its book has been
answered by count and by value as of the as-of date (`top_heavy` when value runs 15 points or more ahead). The Gini
coefficient of `available` across the groups says how unevenly the value is spread (0: every group holds the same).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

from renewals_cli.coaching import TOP_HEAVY_GAP
from renewals_cli.kpis import DIRECT
from renewals_cli.load.export import Export, RowAccounting
from renewals_cli.money import dollars, micros
from renewals_cli.segments import Thresholds, account_segments
from renewals_cli.state import resolved_by
from renewals_cli.window import Window, within

BALANCE_COLUMNS: tuple[str, ...] = (
    "opportunities",
    "share_of_opportunities",
    "available",
    "share_of_available",
    "value_mix",
    "smb_opportunities",
    "enterprise_opportunities",
    "strategic_opportunities",
    "resolution_rate",
    "resolution_rate_value",
    "top_heavy",
)
GROUPS: tuple[str, ...] = ("rep", "partner")
Group = Literal["rep", "partner"]


def group_key(by: Group) -> pl.Expr:
    """A row's group: its rep, or its partner (`direct` when it has none)."""
    if by == "rep":
        return pl.col("rep")
    if by == "partner":
        return pl.col("partner").fill_null(DIRECT)
    raise ValueError(f"balance by {by!r}: expected one of {', '.join(GROUPS)}")


def balance(rows: pl.LazyFrame, thresholds: Thresholds, *, as_of: dt.date, by: Group) -> pl.LazyFrame:
    """One row per group of `rows` (the accepted rows of the window): the key column (`rep` or `partner`), then
    BALANCE_COLUMNS, by key.

    Segments are the accounts' over `rows` (SPEC §2: over the window). Shares are of the totals over every group:
    `share_of_available` is null when nothing is available; `value_mix` = share_of_available /
    share_of_opportunities; `resolution_rate` = rows won or lost by `as_of` / opportunities;
    `resolution_rate_value` the same by prior_amount (null when the group's available is 0); `top_heavy` is
    resolution_rate_value − resolution_rate ≥ 0.15 (false when either is null).
    """
    segments = account_segments(rows, thresholds).select("account_id", "segment")
    resolved = resolved_by(as_of)
    prior = micros(pl.col("prior_amount"))
    segment = pl.col("segment")
    groups = (
        rows.join(segments, on="account_id", how="left")
        .group_by(group_key(by).alias(by))
        .agg(
            opportunities=pl.len().cast(pl.Int64),
            available=prior.sum(),
            resolved=resolved.sum().cast(pl.Int64),
            resolved_value=prior.filter(resolved).sum(),
            smb_opportunities=(segment == "smb").sum().cast(pl.Int64),
            enterprise_opportunities=(segment == "enterprise").sum().cast(pl.Int64),
            strategic_opportunities=(segment == "strategic").sum().cast(pl.Int64),
        )
    )
    available = dollars(pl.col("available"))
    total_available = dollars(pl.col("available").sum())
    share_of_available = pl.when(total_available > 0).then(available / total_available)
    share_of_opportunities = pl.col("opportunities") / pl.col("opportunities").sum()
    resolution_rate = pl.col("resolved") / pl.col("opportunities")
    resolution_rate_value = pl.when(available > 0).then(dollars(pl.col("resolved_value")) / available)
    return (
        groups.with_columns(
            share_of_opportunities=share_of_opportunities,
            share_of_available=share_of_available,
            value_mix=share_of_available / share_of_opportunities,
            resolution_rate=resolution_rate,
            resolution_rate_value=resolution_rate_value,
            available=available,
        )
        .with_columns(
            top_heavy=((pl.col("resolution_rate_value") - pl.col("resolution_rate")) >= TOP_HEAVY_GAP).fill_null(False)
        )
        .sort(by)
        .select(by, *BALANCE_COLUMNS)
    )


def gini(values: pl.LazyFrame, column: str = "available") -> pl.LazyFrame:
    """The Gini coefficient of `column` across the rows of `values` (one row, `gini`): Σ_i Σ_j |x_i − x_j| /
    (2 · n · Σ x); 0 when every row holds the same, (n − 1) / n when one holds everything; null when Σ x = 0.

    Computed from the values in ascending order as Σ_i (2i − n − 1) · x_(i) / (n · Σ x), which is the same sum
    (each |x_i − x_j| counted from both ends) in n steps rather than n², with exact products (of micros).
    """
    x = micros(pl.col(column))
    n = pl.len().cast(pl.Int64)
    weight = 2 * pl.int_range(1, pl.len() + 1, dtype=pl.Int64) - n - 1
    total = x.sum().cast(pl.Float64)
    spread = (weight * x).sum().cast(pl.Float64)
    return values.sort(column).select(gini=pl.when(total > 0).then(spread / (n * total)))


@dataclass(frozen=True)
class Balance:
    """What `renewals balance` shows: the table, the Gini of `available`, the row accounting and how many
    accepted rows the window holds."""

    table: pl.DataFrame
    gini: float | None
    accounting: RowAccounting
    in_window: int


def book_balance(export: Export, window: Window, thresholds: Thresholds, *, by: Group) -> Balance:
    """The balance (see `balance`) of the export's accepted rows in the window, as of its as-of date, with the
    Gini of `available`."""
    accounting, (collected,) = export.read(
        lambda rows: [balance(rows.filter(within(window)), thresholds, as_of=window.as_of, by=by)]
    )
    spread = gini(collected.lazy()).collect()
    return Balance(
        table=collected,
        gini=spread["gini"][0],
        accounting=accounting,
        in_window=int(collected["opportunities"].sum()),
    )
