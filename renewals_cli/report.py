"""The report: row accounting plus KPI tables for the requested groupings, from one pass over the rows."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from renewals_cli.coaching import coach
from renewals_cli.coverage import IdleCost, coverage, idle_cost, levers
from renewals_cli.errors import InputError, first_line
from renewals_cli.kpis import Window, in_window, kpi_tables, partials, row_keys
from renewals_cli.load.columns import ALIASES
from renewals_cli.load.export import Export, RowAccounting, accounting_query, reasons_query, row_accounting
from renewals_cli.segments import Thresholds
from renewals_cli.worklist import worklist


@dataclass(frozen=True)
class Report:
    """What `renewals report` shows: the window, the row accounting and one KPI table per grouping."""

    window: Window
    accounting: RowAccounting
    in_window: int
    tables: dict[str, pl.DataFrame]


def account_partials(export: Export, window: Window, thresholds: Thresholds, keys: Sequence[str] = ()) -> pl.LazyFrame:
    """Partial sums per (account, `keys`…) of the accepted rows in the window, with segments."""
    return partials(in_window(export.accepted(), window), as_of=window.as_of, thresholds=thresholds, keys=keys)


def collect_with_accounting(export: Export, *queries: pl.LazyFrame) -> tuple[list[pl.DataFrame], RowAccounting]:
    """Collect queries over the export together with its row accounting, sharing one read of the files."""
    try:
        *results, counts, reasons = pl.collect_all(
            [*queries, accounting_query(export.rows), reasons_query(export.rows)]
        )
    except pl.exceptions.PolarsError as exc:
        names = ", ".join(str(s.path) for s in export.sources)
        raise InputError(f"{names}: cannot be read ({first_line(exc)})") from None
    return results, row_accounting(counts, reasons)


def build_report(export: Export, window: Window, thresholds: Thresholds, groupings: Sequence[str]) -> Report:
    """Read the rows once: accounting and partials together; every grouping is rolled up from the partials.

    The `rep` table also carries the coaching columns (`coaching.COACHING_COLUMNS`) when `overall` is asked for.
    """
    fine_query = account_partials(export, window, thresholds, row_keys(groupings))
    (fine,), accounting = collect_with_accounting(export, fine_query)
    tables = kpi_tables(fine, groupings)
    if "rep" in tables and "overall" in tables:
        tables["rep"] = coach(tables["rep"], tables["overall"])
    in_window_rows = int(fine["opportunities"].sum()) if fine.height else 0
    return Report(
        window=window,
        accounting=accounting,
        in_window=in_window_rows,
        tables=tables,
    )


def account_segments(export: Export, window: Window, thresholds: Thresholds) -> tuple[pl.DataFrame, RowAccounting]:
    """One row per account: account_id, account_name, arr, segment, reps, opportunities (largest ARR first)."""
    fine = account_partials(export, window, thresholds, keys=("rep",))
    names = in_window(export.accepted(), window).group_by("account_id").agg(pl.col("account_name").max())
    query = (
        fine.group_by("account_id")
        .agg(
            arr=pl.col("account_arr").first(),
            segment=pl.col("segment").first(),
            reps=pl.col("rep").unique().sort().str.join(", "),
            opportunities=pl.col("opportunities").sum(),
        )
        .join(names, on="account_id", how="left")
        .select("account_id", "account_name", "arr", "segment", "reps", "opportunities")
        .sort(["arr", "account_id"], descending=[True, False])
        .with_columns(pl.col("segment").cast(pl.String))
    )
    (result,), accounting = collect_with_accounting(export, query)
    return result, accounting


def renewal_worklist(
    export: Export,
    as_of: dt.date,
    thresholds: Thresholds,
    *,
    days: int,
    reps: Sequence[str] = (),
    segments: Sequence[str] = (),
) -> tuple[pl.DataFrame, RowAccounting]:
    """The open opportunities to work now (see `worklist.worklist`), segments from every accepted row."""
    accounts = account_partials(export, Window(as_of=as_of), thresholds).select("account_id", "segment").unique()
    query = worklist(
        export.accepted(),
        accounts,
        as_of=as_of,
        days=days,
        reps=reps,
        segments=segments,
        with_opportunity_id=export.has("opportunity_id"),
    )
    (result,), accounting = collect_with_accounting(export, query)
    return result, accounting


@dataclass(frozen=True)
class Coverage:
    """What `renewals coverage` shows: the table, the cost of CSMs with no account in the window, the levers."""

    table: pl.DataFrame
    idle: IdleCost
    levers: dict[str, str]
    accounting: RowAccounting


def csm_coverage(
    export: Export,
    window: Window,
    thresholds: Thresholds,
    costs: pl.DataFrame,
    *,
    by: Literal["segment", "csm"],
    target: float,
) -> Coverage:
    """Cost to serve and CSM coverage (SPEC §6) over the accepted rows of the window."""
    if not export.has("csm"):
        looked_for = ", ".join(("csm", *ALIASES["csm"]))
        raise InputError(
            f"{', '.join(str(s.path) for s in export.sources)}: no csm column (looked for headers: {looked_for}); "
            "name one with --map csm=HEADER"
        )
    rows_query = in_window(export.accepted(), window).select("account_id", "expiry_date", "csm")
    accounts_query = (
        account_partials(export, window, thresholds)
        .group_by("account_id")
        .agg(pl.col("account_arr").first(), pl.col("segment").first())
    )
    (rows, accounts), accounting = collect_with_accounting(export, rows_query, accounts_query)
    table = coverage(rows.lazy(), accounts.lazy(), costs, by=by, target=target)
    return Coverage(
        table=table,
        idle=idle_cost(rows.lazy(), costs),
        levers=levers(table) if by == "segment" else {},
        accounting=accounting,
    )
