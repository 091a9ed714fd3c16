"""The report: row accounting plus KPI tables for the requested groupings, from one pass over the rows (one per
part for a large Parquet export); also the other commands' reads of the export."""

import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import polars as pl

from renewals_cli.coaching import coach
from renewals_cli.coverage import IdleCost, coverage, idle_cost, levers
from renewals_cli.errors import InputError
from renewals_cli.kpis import (
    Partials,
    Window,
    accounts_of,
    add_totals,
    all_totals,
    batches_apart,
    in_window,
    kpis_from,
    partial_keys,
    partial_sets,
    rolled_up,
    team_totals,
    within,
)
from renewals_cli.load.columns import ALIASES
from renewals_cli.load.export import Export, RowAccounting, accounting_from_states, row_state
from renewals_cli.segments import Thresholds
from renewals_cli.worklist import check_segments, due, listed


@dataclass(frozen=True)
class Report:
    """What `renewals report` shows: the window, the row accounting and one KPI table per grouping."""

    window: Window
    accounting: RowAccounting
    in_window: int
    tables: dict[str, pl.DataFrame]


@dataclass(frozen=True)
class Pass:
    """What one read of the export gives: the partial sums of the accepted rows in the window (per account and
    the grouping's row keys, and per account with its segment), the row accounting, how many accepted rows are in
    the window, and the results of any other queries over the rows collected alongside."""

    fine: pl.DataFrame
    accounts: pl.DataFrame
    accounting: RowAccounting
    in_window: int
    results: list[pl.DataFrame]


def read_export(
    export: Export, window: Window, thresholds: Thresholds, grouping: str, queries: Sequence[pl.LazyFrame] = ()
) -> Pass:
    """Read the rows once: the partials one grouping needs (see `kpis.partial_sets`) and the accounts with their
    segments, the row accounting and the queries' results, from one pass."""
    read, states = _read_whole(export, window, thresholds, [grouping, "segment"], queries)
    accounting, in_window_rows = accounting_from_states(states)
    return Pass(
        fine=read.fine,
        accounts=accounts_of(read),
        accounting=accounting,
        in_window=in_window_rows,
        results=read.results,
    )


def _read_whole(
    export: Export,
    window: Window,
    thresholds: Thresholds,
    groupings: Sequence[str],
    queries: Sequence[pl.LazyFrame] = (),
) -> tuple[Partials, pl.DataFrame]:
    """`_read` of every row of the export, confirming detection in the same pass: the rows are read again only
    when detection, having seen every row, types some file anew (queries over `export.rows` were made of
    confirmed rows already)."""
    rows, checks = export.provisional()
    read, states = _read(export, rows, window, thresholds, groupings, [*queries, *checks])
    if not checks:
        return read, states
    ours = len(read.results) - len(checks)
    if export.confirm(read.results[ours:]):
        return replace(read, results=read.results[:ours]), states
    return _read(export, export.rows, window, thresholds, groupings, queries)


def _read(
    export: Export,
    rows: pl.LazyFrame,
    window: Window,
    thresholds: Thresholds,
    groupings: Sequence[str],
    queries: Sequence[pl.LazyFrame] = (),
) -> tuple[Partials, pl.DataFrame]:
    """The partials of `rows` for the groupings, and their (`state`, `opportunities`) counts.

    The rows are typed once and shared (Polars' common subplan elimination) by the states' small group-by, the
    partials' group-by over the accepted rows of the window and the queries. Each takes the rows themselves (the
    state is computed twice): a query over a frame derived from them would make them a second shared plan, and
    the file would be read once for each.
    """
    state = row_state(within(window))
    states = rows.group_by("normalised", state=state).agg(opportunities=pl.len())
    with _reading(export):
        read = partial_sets(
            rows,
            as_of=window.as_of,
            groupings=groupings,
            thresholds=thresholds,
            alongside=[states, *queries],
            accepted=state == 0,
        )
    return replace(read, results=read.results[1:]), read.results[0]


def count_rows(export: Export) -> RowAccounting:
    """The row accounting alone."""

    def states(rows: pl.LazyFrame) -> pl.LazyFrame:
        return rows.group_by("normalised", state=row_state(pl.lit(True))).agg(opportunities=pl.len())

    rows, checks = export.provisional()  # detection confirmed in the same pass, as a report's
    counted, *results = _collect(export, [states(rows), *checks])
    if checks and not export.confirm(results):
        (counted,) = _collect(export, [states(export.rows)])
    return accounting_from_states(counted)[0]


def _collect(export: Export, queries: Sequence[pl.LazyFrame]) -> list[pl.DataFrame]:
    with _reading(export):
        return pl.collect_all(queries)


@contextmanager
def _reading(export: Export) -> Iterator[None]:
    """A file that fails while its rows are computed is one line naming the export's files."""
    try:
        yield
    except pl.exceptions.PolarsError as exc:
        raise export.unreadable(exc) from None


# A report holds per-account partial sums in memory, and large exports have millions of accounts. A Parquet
# export above this many rows is reported in parts, each a disjoint set of accounts (by a hash of account_id),
# whose group totals add up (see kpis.add_totals): memory stays that of one part. The typed rows are written once,
# partitioned, to a temporary directory, and each part read back from there. A CSV's row count is not known
# before it is read (that would be a pass of its own), so a CSV is reported whole. ROWS_PER_PART is for the
# finest partials, per (account, rep, batch) and rolled up per account. The terminal report's, with its batches
# apart (see kpis.batches_apart), take less, and are read in parts of ROWS_PER_APART_PART rows (measured on 5M
# rows in one part: 1.10 GiB, 1.46 times a bare read's memory, in 4.4 s; in two parts, 5.5 s). Partials per
# (account, rep) alone, not rolled up (`--by rep`: see `kpis.rolled_up`), take well under half the memory per
# row of the finest (measured on 5M rows: 0.82 GiB against 1.94 GiB), and are read in parts of ROWS_PER_REP_PART.
ROWS_PER_PART = 4_000_000
ROWS_PER_APART_PART = 6_000_000
ROWS_PER_REP_PART = 10_000_000
PART_SEED = 20261125
# What fine_sums reads of each row.
ROW_COLUMNS = (
    "account_id",
    "rep",
    "batch",
    "expiry_date",
    "close_date",
    "prior_amount",
    "renewal_amount",
    "status",
    "arr",
    "strategic",
    "skipped",
    "reject_code",
    "normalised",
)


def build_report(
    export: Export, window: Window, thresholds: Thresholds, groupings: Sequence[str], *, parts: int | None = None
) -> Report:
    """Read the rows once; every grouping is rolled up from the partials (per part, then added).

    The `rep` table also carries the coaching columns (`coaching.COACHING_COLUMNS`), against the team's rates
    summed from the reps' (see `kpis.team_totals`: `overall` need not be asked for).
    """
    parts = parts or _parts(export, groupings)
    totals: dict[str, list[pl.DataFrame]] = {grouping: [] for grouping in groupings}
    states = []
    with _in_parts(export, parts) as rows_of_parts:
        for rows in rows_of_parts:
            if rows is None:
                read, part_states = _read_whole(export, window, thresholds, groupings)
            else:
                read, part_states = _read(export, rows, window, thresholds, groupings)
            states.append(part_states)
            for grouping, frame in all_totals(read, groupings).items():
                totals[grouping].append(frame)
    summed = {grouping: add_totals(totals[grouping], grouping) for grouping in groupings}
    queries = [kpis_from(summed[grouping], grouping) for grouping in groupings]
    if "rep" in summed:
        queries.append(kpis_from(team_totals(summed["rep"]), "overall"))
    frames = pl.collect_all(queries)
    tables = dict(zip(groupings, frames[: len(groupings)], strict=True))
    if "rep" in tables:
        tables["rep"] = coach(tables["rep"], frames[-1])
    accounting, in_window_rows = accounting_from_states(pl.concat(states))
    return Report(window=window, accounting=accounting, in_window=in_window_rows, tables=tables)


def _parts(export: Export, groupings: Sequence[str]) -> int:
    """How many parts to report the export in (1 unless it is a large Parquet export)."""
    if any(source.kind != "parquet" for source in export.sources):
        return 1
    rows = sum(int(source.frame.select(pl.len()).collect().item()) for source in export.sources)  # metadata
    if not rolled_up(groupings) and "batch" not in partial_keys(groupings):
        per_part = ROWS_PER_REP_PART
    else:
        per_part = ROWS_PER_APART_PART if batches_apart(groupings) else ROWS_PER_PART
    return max(1, -(-rows // per_part))


@contextmanager
def _in_parts(export: Export, parts: int) -> Iterator[list[pl.LazyFrame | None]]:
    """The export's rows as `parts` disjoint sets of accounts (None, for the whole export, when `parts` is 1)."""
    if parts == 1:
        yield [None]
        return
    with tempfile.TemporaryDirectory(prefix="renewals-parts-") as directory:
        part = (pl.col("account_id").hash(seed=PART_SEED) % parts).alias("part")
        try:
            with _reading(export):
                # Read back once, soon: written fast (lz4, no statistics) rather than small.
                export.rows.select(*ROW_COLUMNS, part).sink_parquet(
                    pl.PartitionBy(directory, key="part", include_key=False),
                    mkdir=True,
                    compression="lz4",
                    statistics=False,
                )
        except OSError as exc:
            raise InputError(f"cannot write the report's parts to {directory} ({exc.strerror})") from None
        written = sorted(Path(directory).glob("part=*"))
        yield [pl.scan_parquet(folder / "*.parquet") for folder in written] or [export.rows.head(0)]


def account_segments(export: Export, window: Window, thresholds: Thresholds) -> tuple[pl.DataFrame, RowAccounting]:
    """One row per account: account_id, account_name, arr, segment, reps, opportunities (largest ARR first)."""
    names = in_window(export.accepted(), window).group_by("account_id").agg(pl.col("account_name").max())
    read = read_export(export, window, thresholds, "rep,segment", queries=[names])
    reps = (
        read.fine.lazy().group_by("account_id").agg(reps=pl.col("rep").cast(pl.String).unique().sort().str.join(", "))
    )
    result = (
        read.accounts.lazy()
        .join(reps, on="account_id", how="left")
        .join(read.results[0].lazy(), on="account_id", how="left")
        .select("account_id", "account_name", pl.col("account_arr").alias("arr"), "segment", "reps", "opportunities")
        .sort(["arr", "account_id"], descending=[True, False])
        .with_columns(pl.col("segment").cast(pl.String))
    )
    return result.collect(), read.accounting


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
    check_segments(segments)
    # The rows to list are found in the same read as the segments, which are joined to them afterwards.
    due_query = due(export.accepted(), as_of=as_of, days=days, reps=reps)
    read = read_export(export, Window(as_of=as_of), thresholds, "segment", queries=[due_query])
    accounts = read.accounts.lazy().select("account_id", "segment")
    with_id = export.has("opportunity_id")
    result = listed(read.results[0].lazy(), accounts, segments=segments, with_opportunity_id=with_id).collect()
    return result, read.accounting


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
            f"{export.names}: no csm column (looked for headers: {looked_for}); name one with --map csm=HEADER"
        )
    rows_query = in_window(export.accepted(), window).select("account_id", "expiry_date", "csm")
    read = read_export(export, window, thresholds, "segment", queries=[rows_query])
    rows, accounting = read.results[0], read.accounting
    accounts = read.accounts.select("account_id", "account_arr", "segment")
    table = coverage(rows.lazy(), accounts.lazy(), costs, by=by, target=target)
    return Coverage(
        table=table,
        idle=idle_cost(rows.lazy(), costs),
        levers=levers(table) if by == "segment" else {},
        accounting=accounting,
    )
