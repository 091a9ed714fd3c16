"""The report: the row accounting and one KPI table per grouping, over the accepted rows of the window (SPEC §3).

One read of the export gives the row accounting, each account's segment (and CSM), and the accounts' sums per
row key (`kpis.account_sums`); every grouping's table is rolled up from those sums (a large Parquet export is
read in parts of whole accounts: see `parts`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from renewals_cli import parts
from renewals_cli.churn import churn_by_reason, lost_rows
from renewals_cli.coaching import coach
from renewals_cli.coverage import account_csms
from renewals_cli.kpis import (
    UNASSIGNED,
    account_sums,
    add_totals,
    all_totals,
    keys_of,
    kpis_from,
    row_keys,
    row_values,
    with_row_keys,
)
from renewals_cli.load import reasons
from renewals_cli.load.export import (
    STATE_LATER,
    Export,
    Held,
    RowAccounting,
    accepted,
    accounting_from_states,
    row_state,
)
from renewals_cli.segments import Thresholds, account_segments, arr_parts, segments_from
from renewals_cli.window import Window, later, within


@dataclass(frozen=True)
class Report:
    """What `renewals report` shows: the window, the row accounting (with how many accepted rows are in the
    window and how many expire after it) and one KPI table per grouping."""

    window: Window
    accounting: RowAccounting
    in_window: int
    later: int
    zero_prior: int  # rows of the window whose prior_amount is 0: they weigh nothing in the value rates
    tables: dict[str, pl.DataFrame]
    churn: dict[str, pl.DataFrame] = field(default_factory=dict)  # by reason, overall and per segment


def account_partials(
    rows: pl.LazyFrame, groupings: Sequence[str], window: Window, selected: pl.Expr | None = None
) -> pl.LazyFrame:
    """The accepted `rows` (typed) of the window that are `selected` (by default all of them), summed per (row
    keys the groupings need, account): the KPI sums (`kpis.account_sums`), what each account's segment is made
    of (`segments.arr_parts`), and how many rows have no amount to renew (`zero_prior`)."""
    keys = row_keys(groupings)
    counted = accepted(rows).filter(_counted(window, selected))
    valued = with_row_keys(counted, keys, window.start_month).with_columns(
        **row_values(window.as_of, window.start_month)
    )
    alongside = {**arr_parts(), "zero_prior": (pl.col("prior_amount") == 0).sum()}
    return account_sums(valued, keys, alongside=alongside)


def row_states(rows: pl.LazyFrame, window: Window, selected: pl.Expr | None = None) -> pl.LazyFrame:
    """How many `rows` have each state (`load.export.row_state`; 0 for the rows `account_partials` sums): the
    row accounting. (Which text columns reading made alike is not counted here: that would read every text
    column of every row; `renewals validate` says it.)"""
    return rows.group_by(state=row_state(_counted(window, selected), later(window))).agg(opportunities=pl.len())


def _counted(window: Window, selected: pl.Expr | None) -> pl.Expr:
    """An accepted row counts in the report: it falls in the window and is selected."""
    return within(window) & (True if selected is None else selected)


def totals_from(
    partials: pl.LazyFrame, groupings: Sequence[str], thresholds: Thresholds, csms: pl.LazyFrame | None = None
) -> dict[str, pl.LazyFrame]:
    """Each grouping's group totals (`kpis.group_totals`) from the `account_partials` of the accepted rows in the
    window; `csms` (account_id, csm) when a grouping is by CSM."""
    accounts = segments_from(partials, thresholds).select("account_id", "segment")
    if csms is not None:
        accounts = accounts.join(csms.with_columns(pl.col("csm").fill_null(UNASSIGNED)), on="account_id", how="left")
    return all_totals(partials, accounts, groupings)


def kpi_tables_of(
    rows: pl.LazyFrame, groupings: Sequence[str], *, window: Window, thresholds: Thresholds
) -> dict[str, pl.LazyFrame]:
    """Each grouping's KPI table over the accepted `rows` (canonical columns) that fall in the window."""
    by_csm = any("csm" in keys_of(grouping) for grouping in groupings)
    csms = account_csms(rows.filter(within(window))) if by_csm else None
    typed = rows.with_columns(skipped=pl.lit(False), reject_code=pl.lit(0, dtype=reasons.CODE))
    partials = account_partials(typed, groupings, window)
    totals = totals_from(partials, groupings, thresholds, csms)
    return {grouping: kpis_from(totals[grouping], keys_of(grouping)) for grouping in groupings}


# What a report, and the forecast it shows, read of each row: the columns a large export's parts are written with
# (see `parts`), and those the terminal report holds once for both (`load.export.Export.hold`).
READ_COLUMNS = (
    "account_id", "rep", "batch", "partner", "csm", "churn_reason", "expiry_date", "close_date", "status",
    "prior_amount", "renewal_amount", "arr", "strategic", "skipped", "reject_code",
)  # fmt: skip


@dataclass
class _Sums:
    """What each part of a read adds up to (see `build_report`)."""

    states: list[pl.DataFrame] = field(default_factory=list)
    totals: dict[str, list[pl.DataFrame]] = field(default_factory=dict)
    lost: list[pl.DataFrame] = field(default_factory=list)
    zero_prior: int = 0


def build_report(
    export: Export | Held,
    window: Window,
    thresholds: Thresholds,
    groupings: Sequence[str],
    selected: pl.Expr | None = None,
    *,
    churn: bool = False,
    rows_per_part: int = parts.ROWS_PER_PART,
) -> Report:
    """Read the export, summing its rows per account (`account_partials`), and roll every grouping's KPI table
    up from those sums; the `rep` table also carries the coaching columns (`coaching.COACHING_COLUMNS`), against
    the team's rates. Only the `selected` rows count (see `filters`). With `churn`, also the churn breakdown by
    reason (see `churn`).

    The export is read once; a large Parquet export is split into parts of whole accounts (see `parts`), so
    that the per-account sums of one part only are held in memory; the group totals of the parts add up."""
    wanted = [*groupings, "overall"] if "rep" in groupings and "overall" not in groupings else list(groupings)
    by_csm = any("csm" in keys_of(grouping) for grouping in wanted)
    sums = _Sums(totals={grouping: [] for grouping in wanted})

    def queries(rows: pl.LazyFrame) -> list[pl.LazyFrame]:
        kept = _counted(window, selected)
        csms = [account_csms(accepted(rows).filter(kept))] if by_csm else []
        lost = [lost_rows(accepted(rows).filter(kept), window.as_of)] if churn else []
        return [row_states(rows, window, selected), account_partials(rows, wanted, window, selected), *lost, *csms]

    def add(states: pl.DataFrame, summed: pl.DataFrame, *more: pl.DataFrame) -> None:
        """A part's sums added to the others'."""
        lost, csms = (more[:1], more[1:]) if churn else ((), more)
        partials = summed.lazy()
        totals = totals_from(partials, wanted, thresholds, csms[0].lazy() if csms else None)
        if lost:
            segments = segments_from(partials, thresholds).select("account_id", "segment")
            totals["__lost"] = lost[0].lazy().join(segments, on="account_id", how="left")
        collected = dict(zip(totals, pl.collect_all(list(totals.values()), engine="streaming"), strict=True))
        sums.lost += [collected.pop("__lost")] if lost else []
        for grouping, frame in collected.items():
            sums.totals[grouping].append(frame)
        sums.states.append(states)
        sums.zero_prior += int(summed["zero_prior"].sum())

    count = parts.count(export, rows_per_part)
    if count == 1 or not isinstance(export, Export):
        add(*export.collect(queries))
    else:
        with parts.split(export, count, READ_COLUMNS) as rows_of_parts:
            for rows in rows_of_parts:
                add(*pl.collect_all(queries(rows), engine="streaming"))
    added = [kpis_from(add_totals(sums.totals[g], keys_of(g)), keys_of(g)) for g in wanted]
    tables = dict(zip(wanted, pl.collect_all(added), strict=True))
    if "rep" in tables:
        tables["rep"] = coach(tables["rep"], tables["overall"])
    states = pl.concat(sums.states)
    accounting, in_window = accounting_from_states(states)
    return Report(
        window=window,
        accounting=accounting,
        in_window=in_window,
        later=int(states.filter(pl.col("state") == STATE_LATER)["opportunities"].sum()),
        zero_prior=sums.zero_prior,
        tables={grouping: tables[grouping] for grouping in groupings},
        churn=_churn(pl.concat(sums.lost)) if churn else {},
    )


def _churn(lost: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The churn breakdown by reason, overall and per segment, of the lost rows (with their account's segment)."""
    overall, per_segment = pl.collect_all([churn_by_reason(lost.lazy()), churn_by_reason(lost.lazy(), ["segment"])])
    return {"overall": overall, "segment": per_segment.with_columns(pl.col("segment").cast(pl.String))}


def account_attributes(rows: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """One row per account of `rows`: its `segment` and its `csm` (null when no row names one)."""
    segments = account_segments(rows, thresholds).select("account_id", "segment")
    return segments.join(account_csms(rows), on="account_id", how="left")
