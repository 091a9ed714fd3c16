"""What changed between two exports: the bridge of a quarter's open renewal pipeline, from the older export's
open renewals to the newer one's, one bucket per reason an opportunity moved.

Each export is its own snapshot: a row's status is the one its file states (no as-of reading). Opportunities are
matched by `opportunity_id`; an accepted row without one cannot be matched and takes no part. Amounts are summed
exactly, in whole millionths, so that every group's bridge balances to the cent:

    start_open + new + pulled_in + pushed_in + reopened + reassigned_in + amount_up
               − won − lost − slipped − pulled_out − removed − reassigned_out − amount_down = end_open

An outflow belongs to the opportunity's group in the older export (its old rep), an inflow to its group in the
newer one (its new rep), so the per-rep bridges add up to the team's.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from renewals_cli.calendar import Quarter
from renewals_cli.errors import InputError
from renewals_cli.load.export import Export, RowAccounting, accounting_from_states, row_state
from renewals_cli.money import dollars, micros
from renewals_cli.segments import SEGMENTS, Thresholds, account_segments

INFLOWS: tuple[str, ...] = ("new", "pulled_in", "pushed_in", "reopened", "reassigned_in", "amount_up")
OUTFLOWS: tuple[str, ...] = ("won", "lost", "slipped", "pulled_out", "removed", "reassigned_out", "amount_down")
BUCKETS: tuple[str, ...] = (*INFLOWS, *OUTFLOWS)
COUNTS: tuple[str, ...] = tuple(f"{bucket}_count" for bucket in BUCKETS)
MONEY: tuple[str, ...] = ("start_open", *BUCKETS, "end_open", "won_renewal")
BRIDGE_COLUMNS: tuple[str, ...] = (*MONEY, *COUNTS)
GROUPINGS: tuple[str, ...] = ("overall", "rep", "segment")
DETAIL_COLUMNS: tuple[str, ...] = (
    "opportunity_id",
    "account_id",
    "bucket",
    "old_rep",
    "new_rep",
    "expiry_date",
    "status",
    "prior_amount",
    "value",
)

# What each side of a pair keeps of its export's rows (besides opportunity_id).
SIDE_COLUMNS = ("account_id", "rep", "expiry_date", "status", "prior_amount", "renewal_amount")


@dataclass(frozen=True)
class Where:
    """Where an opportunity stands in one export (`old` or `new`) against the quarter: expressions over pairs."""

    name: str
    quarter: Quarter

    def col(self, column: str) -> pl.Expr:
        return pl.col(f"{self.name}_{column}")

    @property
    def present(self) -> pl.Expr:
        return pl.col(f"in_{self.name}")

    @property
    def open(self) -> pl.Expr:
        return self.present & (self.col("status") == "open")

    @property
    def closed(self) -> pl.Expr:
        return self.present & self.col("status").is_in(["won", "lost"])

    def status(self, status: str) -> pl.Expr:
        return self.present & (self.col("status") == status)

    @property
    def before(self) -> pl.Expr:
        return self.col("expiry_date") < self.quarter.first

    @property
    def within(self) -> pl.Expr:
        return self.col("expiry_date").is_between(self.quarter.first, self.quarter.last)

    @property
    def after(self) -> pl.Expr:
        return self.col("expiry_date") > self.quarter.last

    @property
    def open_in_quarter(self) -> pl.Expr:
        """Open, expiring in the quarter: the pipeline the bridge starts (old) or ends (new) with."""
        return self.open & self.within

    @property
    def amount(self) -> pl.Expr:
        """prior_amount in whole millionths, summed exactly."""
        return micros(self.col("prior_amount"))


def paired(old: pl.LazyFrame, new: pl.LazyFrame, quarter: Quarter) -> pl.LazyFrame:
    """The opportunities open in the quarter in either export's accepted rows, matched by opportunity_id:
    `old_<column>` and `new_<column>` for SIDE_COLUMNS (null on the side that lacks the opportunity), `in_old` and
    `in_new`. Every other opportunity is in no bucket."""
    old_at, new_at = Where("old", quarter), Where("new", quarter)

    def side(rows: pl.LazyFrame, name: str) -> pl.LazyFrame:
        return rows.filter(pl.col("opportunity_id").is_not_null()).select(
            "opportunity_id",
            *(pl.col(column).alias(f"{name}_{column}") for column in SIDE_COLUMNS),
            pl.lit(True).alias(f"in_{name}"),
        )

    def open_in_quarter_on_either(at: Where, rows: pl.LazyFrame, other: pl.LazyFrame) -> pl.LazyFrame:
        """The side's rows open in the quarter, or whose opportunity is open in it on the other side (found
        before the two sides are paired: a large export is paired by the few rows that matter)."""
        there = other.select("opportunity_id", pl.lit(True).alias("open_there"))
        mine = rows.join(there, on="opportunity_id", how="left")
        return mine.filter(at.open_in_quarter | pl.col("open_there").fill_null(False)).drop("open_there")

    olds, news = side(old, "old"), side(new, "new")
    old_open = olds.filter(old_at.open_in_quarter)
    new_open = news.filter(new_at.open_in_quarter)
    pairs = open_in_quarter_on_either(old_at, olds, new_open).join(
        open_in_quarter_on_either(new_at, news, old_open), on="opportunity_id", how="full", coalesce=True
    )
    return pairs.with_columns(pl.col("in_old", "in_new").fill_null(False))


def moves(quarter: Quarter) -> dict[str, pl.Expr]:
    """Each bucket's rule: whether an opportunity (a row of `paired`) moved through it."""
    old, new = Where("old", quarter), Where("new", quarter)
    both = old.open_in_quarter & new.open_in_quarter
    same_rep = old.col("rep") == new.col("rep")
    rules = {
        "new": ~old.present & new.open_in_quarter,
        "pulled_in": old.open & old.after & new.open_in_quarter,
        "pushed_in": old.open & old.before & new.open_in_quarter,
        "reopened": old.closed & new.open_in_quarter,
        "reassigned_in": both & ~same_rep,
        "amount_up": both & same_rep & (new.amount > old.amount),
        "won": old.open_in_quarter & new.status("won"),
        "lost": old.open_in_quarter & new.status("lost"),
        "slipped": old.open_in_quarter & new.open & new.after,
        "pulled_out": old.open_in_quarter & new.open & new.before,
        "removed": old.open_in_quarter & ~new.present,
        "reassigned_out": both & ~same_rep,
        "amount_down": both & same_rep & (new.amount < old.amount),
    }
    return {bucket: rule.fill_null(False) for bucket, rule in rules.items()}


def values(quarter: Quarter) -> dict[str, pl.Expr]:
    """What each bucket counts of an opportunity that moved through it, in millionths and positive: the new
    prior_amount of one entering, the old of one leaving, the difference of one whose amount changed."""
    old, new = Where("old", quarter), Where("new", quarter)
    amounts = dict.fromkeys(INFLOWS, new.amount) | dict.fromkeys(OUTFLOWS, old.amount)
    return amounts | {"amount_up": new.amount - old.amount, "amount_down": old.amount - new.amount}


def bridge(
    old: pl.LazyFrame,
    new: pl.LazyFrame,
    quarter: Quarter,
    by: str = "overall",
    thresholds: Thresholds | None = None,
) -> pl.LazyFrame:
    """The bridge per group (`by`: overall, rep or segment) from the accepted rows of the older and the newer
    export: the key column (`group` = `all`, `rep` or `segment`), then BRIDGE_COLUMNS. A group with no open row
    in the quarter in either export (hence no bucket) is not listed."""
    pairs = paired(old, new, quarter)
    if by == "segment":
        pairs = with_segments(pairs, old, new, thresholds or Thresholds())
    return bridge_of(pairs, quarter, by)


def bridge_of(pairs: pl.LazyFrame, quarter: Quarter, by: str) -> pl.LazyFrame:
    """The bridge per group of the `paired` opportunities (with their `segment` for `by` segment).

    An opportunity open in the quarter in the older export counts in its group there: in `start_open` and in the
    outflow it left by; one open in the quarter in the newer export counts in its group there: in `end_open` and
    in the inflow it came by. The two shares are summed per group, so every group's bridge balances.
    """
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {GROUPINGS}, not {by}")
    old_at, new_at = Where("old", quarter), Where("new", quarter)
    rule, value = moves(quarter), values(quarter)
    key = {"overall": (pl.lit("all"), pl.lit("all")), "rep": (old_at.col("rep"), new_at.col("rep"))}.get(
        by, (pl.col("segment"), pl.col("segment"))
    )

    def flows(at: Where, key: pl.Expr, pipeline: str, buckets: Sequence[str]) -> pl.LazyFrame:
        """One side's share of each pair open in the quarter on that side: its pipeline and its buckets."""
        extra = {"won_renewal": pl.when(rule["won"]).then(micros(pl.col("new_renewal_amount")))} if at is old_at else {}
        return pairs.filter(at.open_in_quarter).select(
            key.alias("key"),
            at.amount.alias(pipeline),
            *(pl.when(rule[b]).then(value[b]).otherwise(0).alias(b) for b in buckets),
            *(rule[b].cast(pl.Int64).alias(f"{b}_count") for b in buckets),
            **extra,
        )

    leaving = flows(old_at, key[0], "start_open", OUTFLOWS)
    entering = flows(new_at, key[1], "end_open", INFLOWS)
    summed = (
        pl.concat([leaving, entering], how="diagonal")
        .group_by("key")
        .agg(pl.col(*MONEY).fill_null(0).sum(), pl.col(*COUNTS).fill_null(0).sum())
    )
    name = {"overall": "group"}.get(by, by)
    order = pl.col("key").cast(pl.Enum(SEGMENTS)) if by == "segment" else pl.col("key")
    return summed.sort(order).select(
        pl.col("key").cast(pl.String).alias(name),
        *(dollars(pl.col(column)).alias(column) for column in MONEY),
        *(pl.col(column).cast(pl.Int64) for column in COUNTS),
    )


def with_segments(pairs: pl.LazyFrame, old: pl.LazyFrame, new: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """The pairs with their opportunity's `segment`: that of its account (in the newer export, or in the older
    for an opportunity the newer no longer has) as the newer export's rows segment it, or the older export's for
    an account the newer no longer has. Segments are taken over every accepted row of each export."""

    pairs = pairs.with_columns(pl.coalesce("new_account_id", "old_account_id").alias("account_id"))
    accounts = pairs.select("account_id").unique()

    def segment_of(rows: pl.LazyFrame, name: str) -> pl.LazyFrame:
        # An account's segment is of its own rows alone: those of the accounts paired are all it takes.
        theirs = rows.join(accounts, on="account_id", how="semi")
        return account_segments(theirs, thresholds).select("account_id", pl.col("segment").alias(f"{name}_segment"))

    return (
        pairs.join(segment_of(new, "new"), on="account_id", how="left")
        .join(segment_of(old, "old"), on="account_id", how="left")
        .with_columns(segment=pl.coalesce("new_segment", "old_segment"))
        .drop("account_id", "new_segment", "old_segment")
    )


def details(old: pl.LazyFrame, new: pl.LazyFrame, quarter: Quarter) -> pl.LazyFrame:
    """Every opportunity that moved, once per bucket it moved through (a reassigned one twice: out and in), in
    bucket order, largest value first: DETAIL_COLUMNS. `expiry_date`, `status` and `prior_amount` are as the
    newer export states them (the older, for a removed opportunity); `value` is what the bucket counts of it."""
    return moved(paired(old, new, quarter), quarter)


def moved(pairs: pl.LazyFrame, quarter: Quarter) -> pl.LazyFrame:
    """`details` of the `paired` opportunities."""
    rule, value = moves(quarter), values(quarter)
    now = {c: pl.coalesce(f"new_{c}", f"old_{c}") for c in ("account_id", "expiry_date", "status", "prior_amount")}
    listed = [
        pairs.filter(rule[bucket]).select(
            "opportunity_id",
            now["account_id"].alias("account_id"),
            pl.lit(bucket).alias("bucket"),
            pl.col("old_rep"),
            pl.col("new_rep"),
            now["expiry_date"].alias("expiry_date"),
            now["status"].alias("status"),
            now["prior_amount"].alias("prior_amount"),
            value[bucket].alias("value"),
        )
        for bucket in BUCKETS
    ]
    return (
        pl.concat(listed)
        .sort(
            pl.col("bucket").cast(pl.Enum(BUCKETS)), pl.col("value"), "opportunity_id", descending=[False, True, False]
        )
        .with_columns(dollars(pl.col("value")).alias("value"))
    )


@dataclass(frozen=True)
class Changes:
    """What `renewals changes` shows: the quarter, the bridge per group, the moved opportunities (when asked
    for), each export's row accounting and how many of its accepted rows had no opportunity_id."""

    quarter: Quarter
    by: str
    bridge: pl.DataFrame
    details: pl.DataFrame | None
    old: RowAccounting
    new: RowAccounting
    without_id: tuple[int, int]


def check_matchable(export: Export) -> None:
    """An export without opportunity_id cannot be compared: opportunities are matched by it."""
    if not export.has("opportunity_id"):
        raise InputError(
            f"{export.names}: no opportunity_id column; renewals changes matches opportunities across the two "
            "exports by that column (name it with --map opportunity_id=HEADER)"
        )


def compare_exports(
    old: Export, new: Export, quarter: Quarter, by: str, thresholds: Thresholds, *, with_details: bool = False
) -> Changes:
    """Bridge the quarter between two exports. Each is read once, one after the other, into the columns the
    bridge needs (memory is that of reading one export, plus both exports' kept columns); the two are then
    paired and summed in memory."""
    check_matchable(old)
    check_matchable(new)
    columns = ["opportunity_id", *SIDE_COLUMNS, *(("arr", "strategic") if by == "segment" else ())]
    newer = _read(new, columns)
    older = _read(old, columns)
    old_rows, new_rows = _accepted(older).lazy(), _accepted(newer).lazy()
    pairs = paired(old_rows, new_rows, quarter).collect().lazy()  # collected once, for every query that follows
    if by == "segment":
        pairs = with_segments(pairs, old_rows, new_rows, thresholds).collect().lazy()
    queries = [bridge_of(pairs, quarter, by), *([moved(pairs, quarter)] if with_details else [])]
    table, *listed = pl.collect_all(queries)
    return Changes(
        quarter=quarter,
        by=by,
        bridge=table,
        details=listed[0] if listed else None,
        old=_accounting(older),
        new=_accounting(newer),
        without_id=(_without_id(older), _without_id(newer)),
    )


def _read(export: Export, columns: Sequence[str]) -> pl.DataFrame:
    """Every row of the export: the `columns` and its `state` (see `load.export.row_state`: 0 when accepted), in
    one query, so that the file is parsed once."""
    (typed,) = export.collect(lambda rows: [rows.select(*columns, state=row_state(pl.lit(True)))])
    return typed


def _accepted(typed: pl.DataFrame) -> pl.DataFrame:
    return typed.filter(pl.col("state") == 0).drop("state")


def _accounting(typed: pl.DataFrame) -> RowAccounting:
    return accounting_from_states(typed.group_by("state").agg(opportunities=pl.len()))[0]


def _without_id(typed: pl.DataFrame) -> int:
    return typed.filter((pl.col("state") == 0) & pl.col("opportunity_id").is_null()).height
