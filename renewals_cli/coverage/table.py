"""Cost to serve and CSM coverage per segment or per CSM (SPEC §6).

Each account has one CSM (or none); a CSM's `annual_cost` is spread over the segments they serve in proportion
to the number of their accounts in each. Everything is rolled up from one small frame of "parts" — accounts, ARR
and allocated cost per (segment, CSM) — so both groupings read the same numbers.
"""

import math
from dataclasses import dataclass
from typing import Literal

import polars as pl

from renewals_cli.coverage.costs import text
from renewals_cli.coverage.levers import levers
from renewals_cli.errors import InputError, UsageError
from renewals_cli.kpis import UNASSIGNED, ratio
from renewals_cli.money import MONEY, dollars, micros
from renewals_cli.segments import Segment

COVERAGE_COLUMNS: tuple[str, ...] = (
    "accounts",
    "unassigned",
    "arr",
    "csms",
    "accounts_per_csm",
    "arr_per_account",
    "arr_per_csm",
    "cost",
    "cost_to_serve",
    "target",
    "over_target",
)
DEFAULT_TARGET = 0.15


# ---------------------------------------------------------------------------------------------- accounts


def account_csms(rows: pl.LazyFrame) -> pl.LazyFrame:
    """One row per account of `rows`: `account_id` and its `csm` (null when no row names one), by account_id.

    The CSM is the non-empty `csm` on the account's latest-expiring row among the rows that name one; on a tie
    of expiry dates the alphabetically first name (by code point: `Bob` before `ann`).
    """
    named = rows.select("account_id", "expiry_date", csm=text(pl.col("csm"))).filter(pl.col("csm").is_not_null())
    latest = named.filter(pl.col("expiry_date") == pl.col("expiry_date").max().over("account_id"))
    chosen = latest.group_by("account_id").agg(pl.col("csm").min())
    every = rows.select("account_id").unique()
    return every.join(chosen, on="account_id", how="left").sort("account_id")


# ---------------------------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class IdleCost:
    """CSMs in the costs whose accounts are all outside the window: their cost is not allocated to a segment."""

    csms: tuple[str, ...]  # alphabetical
    cost: float  # Σ their annual_cost


def coverage(
    rows: pl.LazyFrame,
    accounts: pl.LazyFrame,
    costs: pl.DataFrame,
    *,
    by: Literal["segment", "csm"],
    target: float = DEFAULT_TARGET,
) -> pl.DataFrame:
    """Cost to serve per segment or per CSM: the key column (`segment` or `csm`), then COVERAGE_COLUMNS.

    `rows` are the accepted rows of the window (`account_id`, `expiry_date`, `csm`); `accounts` has one row per
    account of those rows with `account_id`, `account_arr` and `segment` (String or the Segment enum). By
    segment: a row per segment that has accounts, in tier order. By CSM: a row per CSM of `costs`
    (alphabetical; CSMs without accounts show 0 accounts and their whole cost), then `unassigned` when some
    account has no CSM. Raises `InputError` naming every CSM of `rows` missing from `costs`.

    Money sums are exact decimals (as in the KPIs), so the same export gives the same figures on every run.
    """
    _check_target(target)
    named = rows.select(text(pl.col("csm")).drop_nulls().unique())
    parts = _parts(_assigned(rows, accounts), costs.lazy())
    if by == "segment":
        allocated = dollars(micros(pl.col("allocated")).sum())
        table = _rollup(parts, "segment", cost=allocated, target=target).sort("segment")
        table = table.with_columns(pl.col("segment").cast(pl.String))
    elif by == "csm":
        # CSMs with no account in the window join as parts of zero accounts, so they get a row of their own.
        idle = (
            costs.lazy()
            .join(parts, on="csm", how="anti")
            .select(
                segment=pl.lit(None, dtype=Segment),
                csm="csm",
                accounts=pl.lit(0, dtype=pl.Int64),
                arr=pl.lit(0, dtype=MONEY),
                annual_cost="annual_cost",
                allocated="annual_cost",
            )
        )
        everyone = pl.concat([parts, idle], how="vertical")
        own_cost = pl.col("annual_cost").first().fill_null(0.0)  # the whole annual_cost; 0 for `unassigned`
        table = _rollup(everyone, "csm", cost=own_cost, target=target).sort("csm", nulls_last=True)
        table = table.with_columns(pl.col("csm").fill_null(UNASSIGNED))
    else:
        raise ValueError(f"coverage by {by!r}: expected 'segment' or 'csm'")
    names, result = pl.collect_all([named, table])
    _check_costs(names["csm"], costs)
    return result


@dataclass(frozen=True)
class Coverage:
    """What `renewals coverage` shows: the table, the cost of CSMs with no account in the window, the levers."""

    table: pl.DataFrame
    idle: IdleCost
    levers: dict[str, str]


def csm_coverage(
    rows: pl.LazyFrame,
    accounts: pl.LazyFrame,
    costs: pl.DataFrame,
    *,
    by: Literal["segment", "csm"],
    target: float,
) -> Coverage:
    """Cost to serve and CSM coverage (SPEC §6) over the accepted rows of the window and their accounts'
    segments."""
    table = coverage(rows, accounts, costs, by=by, target=target)
    return Coverage(
        table=table,
        idle=idle_cost(rows, costs),
        levers=levers(table) if by == "segment" else {},
    )


def idle_cost(rows: pl.LazyFrame, costs: pl.DataFrame) -> IdleCost:
    """The CSMs of `costs` with no account in `rows` (the window) and their total cost, which `coverage` by
    segment does not allocate (so Σ segment cost + idle cost = Σ annual_cost)."""
    with_accounts = account_csms(rows).select("csm").drop_nulls()
    idle = costs.lazy().join(with_accounts, on="csm", how="anti").sort("csm").collect()
    return IdleCost(csms=tuple(idle["csm"].to_list()), cost=float(idle["annual_cost"].sum()))


def _check_target(target: float) -> None:
    if not (math.isfinite(target) and target >= 0):
        raise UsageError(f"target {target}: expected a cost-to-serve fraction such as 0.15 (15%)")


def _check_costs(named: pl.Series, costs: pl.DataFrame) -> None:
    missing = sorted(set(named.to_list()) - set(costs["csm"].to_list()))
    if missing:
        names = ", ".join(missing)
        raise InputError(
            f"no annual_cost for {'CSM' if len(missing) == 1 else 'CSMs'} {names} named in the export; "
            f"add {'a row' if len(missing) == 1 else 'rows'} to the CSM costs (--csm-costs file or [csm_costs])"
        )


def _assigned(rows: pl.LazyFrame, accounts: pl.LazyFrame) -> pl.LazyFrame:
    """One row per account: account_id, segment (Segment enum), account_arr and csm (null: unassigned)."""
    return accounts.select(
        "account_id",
        "account_arr",
        pl.col("segment").cast(pl.String).cast(Segment),
    ).join(account_csms(rows), on="account_id", how="left")


def _parts(assigned: pl.LazyFrame, costs: pl.LazyFrame) -> pl.LazyFrame:
    """Accounts, ARR and allocated cost per (segment, CSM); the CSM is null for the unassigned accounts.

    A CSM's cost is allocated to a segment in proportion to their accounts in it: annual_cost × k / n for k of
    their n accounts.
    """
    per_pair = assigned.group_by("segment", "csm").agg(
        accounts=pl.len().cast(pl.Int64),
        arr=micros(pl.col("account_arr")).sum(),
    )
    csm_accounts = pl.col("accounts").sum().over("csm")
    return (
        per_pair.join(costs, on="csm", how="left")
        .with_columns(allocated=pl.col("annual_cost") * pl.col("accounts") / csm_accounts)
        .sort("segment", "csm", nulls_last=True)  # sums add parts in one order on every run
    )


def _rollup(parts: pl.LazyFrame, key: str, *, cost: pl.Expr, target: float) -> pl.LazyFrame:
    """The SPEC §6 columns per `key` from the parts; `cost` is the group's cost aggregation."""
    c = pl.col
    has_csm = c("csm").is_not_null()
    sums = parts.group_by(key, maintain_order=True).agg(
        accounts=c("accounts").sum(),
        unassigned=c("accounts").filter(~has_csm).sum(),
        arr=dollars(c("arr").sum()),
        csms=c("csm").drop_nulls().n_unique().cast(pl.Int64),
        arr_assigned=dollars(c("arr").filter(has_csm).sum()),
        cost=cost,
    )
    cost_to_serve = ratio(c("cost"), c("arr"))
    return sums.select(
        key,
        "accounts",
        "unassigned",
        "arr",
        "csms",
        accounts_per_csm=ratio(c("accounts") - c("unassigned"), c("csms")),
        arr_per_account=ratio(c("arr"), c("accounts")),
        arr_per_csm=ratio(c("arr_assigned"), c("csms")),
        cost="cost",
        cost_to_serve=cost_to_serve,
        target=pl.lit(target, dtype=pl.Float64),
        over_target=cost_to_serve > target,
    )
