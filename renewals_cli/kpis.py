"""The KPIs of a group of renewal opportunities (SPEC §3), as Polars expressions to read beside the spec.

Three steps, each one small query:

1. `row_values`: what each row adds to its group's sums as of the as-of date A — won, lost or open as of A, due,
   past due, renewed on time or in its quarter, its amounts where they count, its renewal at stake.
2. `account_sums`: per (row keys, account), the counts and money sums of its rows and its last renewal at
   stake; `roll_up` sums them further, per (group, account).
3. `group_totals` then `kpis_from`: per group, the sums over its accounts (which add up over disjoint sets of
   accounts: `add_totals`), and each KPI as one expression.

Money is summed exactly (see `money`) and turned back into an amount only for display.
"""

import datetime as dt
from collections.abc import Mapping, Sequence

import polars as pl

from renewals_cli.calendar import JANUARY, quarter_index, quarter_label
from renewals_cli.money import amount_if, dollars, micros
from renewals_cli.names import GROUPINGS as GROUPINGS  # re-exported for the core's users
from renewals_cli.state import lost_by, won_by

KPI_COLUMNS: tuple[str, ...] = (
    "opportunities",
    "accounts",
    "available",
    "won",
    "lost",
    "open",
    "resolution_rate",
    "close_rate",
    "resolution_rate_value",
    "close_rate_value",
    "conversion_rate",
    "uplift",
    "renewal_rate",
    "due",
    "past_due",
    "otrr",
    "iqrr",
    "retention_rate",
    "grr",
    "nrr",
    "value_growth",
    "churned_value",
)

COUNT_KPIS = frozenset({"opportunities", "accounts", "won", "lost", "open", "due", "past_due"})
MONEY_KPIS = frozenset({"available", "churned_value"})
RATE_KPIS = frozenset(KPI_COLUMNS) - COUNT_KPIS - MONEY_KPIS  # fractions

DIRECT = "direct"  # the partner of a row that names none (SPEC §10)
UNASSIGNED = "unassigned"  # the CSM of an account no row assigns (SPEC §6)


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator as a float; null when the denominator is 0."""
    return pl.when(denominator != 0).then(numerator.cast(pl.Float64) / denominator.cast(pl.Float64))


def batch_label(start_month: int = JANUARY) -> pl.Expr:
    """A row's batch: its non-empty `batch`, else the fiscal quarter of its expiry date (`2026-Q1`)."""
    return pl.coalesce(pl.col("batch"), quarter_label(pl.col("expiry_date"), start_month))


# ---------------------------------------------------------------------------------------------- 1. per row


def row_values(as_of: dt.date, start_month: int = JANUARY) -> dict[str, pl.Expr]:
    """What each row adds to its group's sums, as of A: 1 or 0 for the counts, amounts in micros (0 where the
    row does not count). A row is won (lost) as of A when its status is won (lost) and it closed on or before A;
    any other row is open as of A."""
    expiry, close = pl.col("expiry_date"), pl.col("close_date")
    won, lost = won_by(as_of), lost_by(as_of)
    due = expiry <= as_of
    # a renewal that has been decided or should have been: the base of retention, GRR and NRR
    at_stake = won | lost | due
    prior, renewal = micros(pl.col("prior_amount")), micros(pl.col("renewal_amount"))

    return {
        "won": won,
        "lost": lost,
        "open": ~(won | lost),
        "due": due,
        "past_due": ~(won | lost) & (expiry < as_of),
        # renewed by the expiry date, among the rows due by A
        "on_time": won & due & (close <= expiry),
        # renewed by the last day of the (fiscal) quarter the contract expires in; early renewals count
        "in_quarter": won & (quarter_index(close, start_month) <= quarter_index(expiry, start_month)),
        "available": prior,
        "prior_won": amount_if(won, prior),
        "prior_lost": amount_if(lost, prior),
        "prior_at_stake": amount_if(at_stake, prior),
        "renewal_won": amount_if(won, renewal),
        "retained_won": amount_if(won, pl.min_horizontal(renewal, prior)),
        "last_renewal": pl.when(at_stake).then(last_renewal_key(expiry, won)),
    }


def last_renewal_key(expiry: pl.Expr, won: pl.Expr) -> pl.Expr:
    """A renewal at stake as one number that orders as logo retention reads it: by expiry date, and on the same
    day a won row above the others. The largest over an account's rows is its last renewal; odd when that
    renewal was won."""
    return expiry.cast(pl.Int64) * 2 + won.cast(pl.Int64)


# ---------------------------------------------------------------------------------------------- 2. per account

SUMMED: tuple[str, ...] = (
    "won", "lost", "open", "due", "past_due", "on_time", "in_quarter",
    "available", "prior_won", "prior_lost", "prior_at_stake", "renewal_won", "retained_won",
)  # fmt: skip


def account_sums(
    valued: pl.LazyFrame, keys: Sequence[str], alongside: Mapping[str, pl.Expr] | None = None
) -> pl.LazyFrame:
    """Per (`keys`, account) of rows carrying `row_values`: their count, the sums, and the account's last
    renewal at stake (`last_renewal`). `alongside` are other aggregations per (keys, account) made in the same
    group-by (what an account's segment is made of, see `segments`)."""
    return valued.group_by(*keys, "account_id").agg(
        pl.len().alias("opportunities"),
        *(pl.col(name).sum() for name in SUMMED),
        pl.col("last_renewal").max(),
        **(alongside or {}),
    )


def roll_up(sums: pl.LazyFrame, keys: Sequence[str]) -> pl.LazyFrame:
    """`account_sums` made per finer keys, rolled up per (`keys`, account): the sums add up, and the last
    renewal is the latest of the parts'."""
    return sums.group_by(*keys, "account_id").agg(
        *(pl.col(name).sum() for name in ("opportunities", *SUMMED)), pl.col("last_renewal").max()
    )


# ---------------------------------------------------------------------------------------------- 3. per group


# Each account's value growth (a ratio) is summed as a whole number of 1e-18ths, exactly: a float sum depends on
# the order threads add the accounts in, and the same export would give a mean a digit apart from run to run.
GROWTH_UNITS = 10**18


def growth_units(growth: pl.Expr) -> pl.Expr:
    """A value growth as a whole number of GROWTH_UNITS, to be summed exactly."""
    return (growth * GROWTH_UNITS).round().cast(pl.Int128, strict=False)


def group_totals(accounts: pl.LazyFrame, keys: Sequence[str]) -> pl.LazyFrame:
    """Per group of `keys`, from its `account_sums` (one row per account of the group): the sums over its
    accounts, and the account-level figures of retention and value growth. Every total adds up over disjoint
    sets of accounts (see `add_totals`)."""
    c = pl.col
    at_stake = c("last_renewal").is_not_null()
    growing = c("prior_won") > 0
    growth = ratio(c("renewal_won") - c("prior_won"), c("prior_won"))
    totals = [
        *(c(name).sum() for name in ("opportunities", *SUMMED)),
        pl.len().alias("accounts"),
        at_stake.sum().alias("at_stake_accounts"),
        (c("last_renewal") % 2 == 1).sum().alias("retained_accounts"),  # the last renewal was won
        growth_units(growth).filter(growing).sum().alias("growth_sum"),
        growing.sum().alias("growth_accounts"),
    ]
    return accounts.group_by(*keys).agg(totals) if keys else accounts.select(totals)


def add_totals(parts: Sequence[pl.DataFrame], keys: Sequence[str]) -> pl.LazyFrame:
    """The `group_totals` of the union of disjoint sets of accounts, from each set's."""
    stacked = pl.concat([part.lazy() for part in parts], how="vertical")
    summed = (pl.all().exclude(keys) if keys else pl.all()).sum()
    return stacked.group_by(*keys).agg(summed) if keys else stacked.select(summed)


def kpi_expressions() -> dict[str, pl.Expr]:
    """Each KPI of a group from its `group_totals`, in SPEC order."""
    c = pl.col
    n, won, lost = (c(name).cast(pl.Int64) for name in ("opportunities", "won", "lost"))
    available, prior_won, prior_lost, renewal_won = c("available"), c("prior_won"), c("prior_lost"), c("renewal_won")
    conversion = ratio(renewal_won, prior_won)
    return {
        "opportunities": n,
        "accounts": c("accounts").cast(pl.Int64),
        "available": dollars(available),
        "won": won,
        "lost": lost,
        "open": c("open").cast(pl.Int64),
        "resolution_rate": ratio(won + lost, n),
        "close_rate": ratio(won, won + lost),
        "resolution_rate_value": ratio(prior_won + prior_lost, available),
        "close_rate_value": ratio(prior_won, prior_won + prior_lost),
        "conversion_rate": conversion,
        "uplift": conversion - 1,
        "renewal_rate": ratio(renewal_won, available),
        "due": c("due").cast(pl.Int64),
        "past_due": c("past_due").cast(pl.Int64),
        "otrr": ratio(c("on_time"), c("due")),
        "iqrr": ratio(c("in_quarter"), n),
        "retention_rate": ratio(c("retained_accounts"), c("at_stake_accounts")),
        "grr": ratio(c("retained_won"), c("prior_at_stake")),
        "nrr": ratio(renewal_won, c("prior_at_stake")),
        "value_growth": ratio(c("growth_sum"), c("growth_accounts").cast(pl.Float64) * float(GROWTH_UNITS)),
        "churned_value": dollars(prior_lost),
    }


def keys_of(grouping: str) -> list[str]:
    """The key columns of a grouping: `rep,segment` → [rep, segment]; `overall` → []."""
    return [] if grouping == "overall" else grouping.split(",")


def kpis_from(totals: pl.LazyFrame, keys: Sequence[str]) -> pl.LazyFrame:
    """One row per group: its key columns (or `group` = `all`), then KPI_COLUMNS; groups sorted by key (a segment
    in tier order)."""
    if not keys:
        return totals.select(pl.lit("all").alias("group"), **kpi_expressions())
    # A rep, batch, partner or CSM sorts by its letters; a segment in tier order (then shown as text).
    table = totals.select(*keys, **kpi_expressions()).sort(keys)
    return table.with_columns(pl.col("segment").cast(pl.String)) if "segment" in keys else table


# ---------------------------------------------------------------------------------------------- groupings

# Keys read from each row; the others (`segment`, `csm`) belong to the row's account.
ROW_KEYS: tuple[str, ...] = ("rep", "batch", "partner")
ACCOUNT_KEYS: tuple[str, ...] = ("segment", "csm")


def row_keys(groupings: Sequence[str]) -> list[str]:
    """The row keys any of the groupings needs, in ROW_KEYS order."""
    wanted = {key for grouping in groupings for key in keys_of(grouping)}
    return [key for key in ROW_KEYS if key in wanted]


def with_row_keys(rows: pl.LazyFrame, keys: Sequence[str], start_month: int = JANUARY) -> pl.LazyFrame:
    """The rows with the key columns `keys` (of ROW_KEYS): `batch` as `batch_label`, `partner` as `direct` when
    the row names none."""
    columns = {"rep": pl.col("rep"), "batch": batch_label(start_month), "partner": pl.col("partner").fill_null(DIRECT)}
    return rows.with_columns(columns[key] for key in keys) if keys else rows


def all_totals(partials: pl.LazyFrame, accounts: pl.LazyFrame, groupings: Sequence[str]) -> dict[str, pl.LazyFrame]:
    """Each grouping's `group_totals` from `account_sums` per (row keys, account) and `accounts` (one row per
    account: `account_id` and every ACCOUNT_KEYS column a grouping needs)."""
    totals = {}
    for grouping in groupings:
        keys = keys_of(grouping)
        by_account = roll_up(partials, [key for key in keys if key in ROW_KEYS])
        if any(key in ACCOUNT_KEYS for key in keys):
            by_account = by_account.join(accounts, on="account_id", how="left")
        totals[grouping] = group_totals(by_account, keys)
    return totals
