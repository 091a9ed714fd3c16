"""The KPIs of SPEC §3 as Polars expressions, rolled up from account-level partial sums into any grouping.

Rows are summed into partials per (account, and every rep or batch key the groupings need), in one group-by over
the typed rows, and those rolled up per account (with its segment); a batch table beside others is summed from
partials of its own (see `batches_apart`), in the same pass. Each grouping then sums its partials per group,
and rolls up per (group, account) only the four sums the account-level KPIs (`accounts`, `retention_rate`,
`value_growth`) need, where its partials are finer than its accounts; the KPIs are computed from these group
totals, which add up over disjoint sets of accounts (so a large export can be reported in parts). No grouping
reads the rows again.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from renewals_cli.names import GROUPINGS as GROUPINGS  # re-exported for the core's users
from renewals_cli.segments import MICROS, Thresholds, arr_key, dollars, tiers

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

# Money is summed exactly, to a millionth: a float sum of fractions depends on the order threads add rows in,
# so the same export would give reports that differ in the last digits from run to run. MONEY is the exact
# decimal for a sum of amounts.
MONEY = pl.Decimal(38, 6)
GROWTH = pl.Decimal(38, 18)  # an account's value growth, a ratio, summed exactly for the same reason
# The money partials are whole millionths (micros: MICROS to a unit). The rows' group-by sums them as floats: a
# float sum of whole numbers below EXACT_FLOAT is exact in any order, and costs less time and memory than a
# 128-bit sum (such a sum per group and thread is most of that group-by's memory). A group whose sum reaches
# EXACT_FLOAT ($9 billion) is summed again as Int128 (see `partial_sets`). The partials are then integers, and
# everything summed from them is summed exactly: as Int64 (see EXACT_INT), else as Int128.
EXACT_FLOAT = 2.0**53
# The per-account roll-up of the partials and each grouping's totals sum their micros as Int64: exact, as every
# sum of them is, when their grand total is below 2**63 (here as a float total, with a margin for its rounding;
# accepted money is never negative, so no sum exceeds it); else as Int128. The totals keep money as Int128.
EXACT_INT = 2.0**62
PARTIAL_MONEY = pl.Int128()


@dataclass(frozen=True)
class Window:
    """The report window on expiry_date (inclusive; None is open-ended) and the as-of date."""

    as_of: dt.date
    start: dt.date | None = None
    end: dt.date | None = None


def in_window(rows: pl.LazyFrame, window: Window) -> pl.LazyFrame:
    """The rows whose expiry_date falls in the window."""
    return rows.filter(within(window))


def within(window: Window) -> pl.Expr:
    """The row's expiry_date falls in the window."""
    expiry = pl.col("expiry_date")
    inside = expiry.is_not_null()
    if window.start is not None:
        inside &= expiry >= window.start
    if window.end is not None:
        inside &= expiry <= window.end
    return inside


def quarter_label(date: pl.Expr) -> pl.Expr:
    """`2026-Q1` for a date in the first quarter of 2026."""
    return pl.format("{}-Q{}", date.dt.year(), date.dt.quarter())


def batch_label() -> pl.Expr:
    """A row's batch: its non-empty `batch`, else the calendar quarter of its expiry date. (The quarter is written
    out only for rows without a batch: the others' text would be thrown away, at a tenth of a second per 2M rows.)
    """
    unbatched = pl.when(pl.col("batch").is_null()).then(pl.col("expiry_date"))
    return pl.coalesce(pl.col("batch"), quarter_label(unbatched))


def quarter_index(date: pl.Expr) -> pl.Expr:
    """The date's calendar quarter as one increasing number (year × 4 + quarter): a close date is on or before
    the last day of the expiry date's quarter exactly when its quarter index is not greater (cheaper than building
    the quarter's last day on every row)."""
    return date.dt.year().cast(pl.Int32) * 4 + date.dt.quarter().cast(pl.Int32)


# What each row adds to a group's partial sums: `*_n` and the counts are 0/1, the others money in micros (0 when
# the row does not count), whole floats or else (`exact`) Int128. Computed as columns first and then summed: a
# plain sum runs more than twice as fast in a group-by as a sum over a filter. `opportunities` is the group's row
# count.
def _row_partials(as_of: dt.date, *, exact: bool = False) -> dict[str, pl.Expr]:
    status = pl.col("status")
    won, lost, open_ = status == "won", status == "lost", status == "open"
    expiry, close = pl.col("expiry_date"), pl.col("close_date")
    dtype = PARTIAL_MONEY if exact else pl.Float64()

    def micros(amount: str) -> pl.Expr:
        # (null where it cannot be cast: only on a rejected row, an infinite or enormous amount, which
        # `batch_sums` computes before it sets such rows aside)
        return (pl.col(amount) * MICROS).round().cast(dtype, strict=False)

    prior, renewal = micros("prior_amount"), micros("renewal_amount")
    due = expiry <= as_of
    at_stake = won | lost | due  # rows that count for retention, GRR and NRR

    def money_if(condition: pl.Expr, amount: pl.Expr) -> pl.Expr:
        return pl.when(condition).then(amount).otherwise(pl.lit(0, dtype=dtype))

    return {
        "won": won,
        "lost": lost,
        "open": open_,
        "due": due,
        "past_due": open_ & (expiry < as_of),
        "on_time_n": won & due & (close <= expiry),
        "in_quarter_n": won & (quarter_index(close) <= quarter_index(expiry)),
        "at_stake_n": at_stake,
        "available": prior,
        "prior_won": money_if(won, prior),
        "prior_lost": money_if(lost, prior),
        "prior_at_stake": money_if(at_stake, prior),
        "renewal_won": money_if(won, renewal),
        "retained_won": money_if(won, pl.min_horizontal(renewal, prior)),
    }


PARTIAL_COLUMNS: tuple[str, ...] = ("opportunities", *_row_partials(dt.date(2000, 1, 1)))
COUNTS: tuple[str, ...] = PARTIAL_COLUMNS[1:9]  # the 0/1 partials (conditions on the row)
MONEY_PARTIALS: tuple[str, ...] = PARTIAL_COLUMNS[9:]  # in micros


def summed(name: str, *, fits: bool = False) -> pl.Expr:
    """The sum of a partial column over partials, exact: money as Int128, unless the partials' money `fits` an
    Int64 sum (see EXACT_INT), and is summed as it is (a 128-bit sum costs more)."""
    column = pl.col(name)
    return (column.cast(PARTIAL_MONEY) if name in MONEY_PARTIALS and not fits else column).sum()


# Each sum in a group-by is a scattered update per row, so the counts are summed packed: FIELD_BITS bits each,
# FIELDS to a UInt64, one sum for several counts. No field can overflow in a group of fewer than 2**FIELD_BITS
# rows; partials with a larger group are summed again unpacked (see `partial_sets`), as are those too large for
# float money (EXACT_FLOAT).
FIELD_BITS = 16
FIELDS = 4
MAX_PACKED_GROUP = 2**FIELD_BITS - 1


def _packs() -> list[tuple[str, tuple[str, ...]]]:
    """The packed columns and the counts each holds, in field order."""
    chunks = [COUNTS[i : i + FIELDS] for i in range(0, len(COUNTS), FIELDS)]
    return [(f"__counts_{i}", chunk) for i, chunk in enumerate(chunks)]


def _packed(counts: Mapping[str, pl.Expr]) -> dict[str, pl.Expr]:
    """The counts as packed columns (see FIELD_BITS)."""
    return {
        name: pl.sum_horizontal(
            counts[count].cast(pl.UInt64) * (1 << (FIELD_BITS * i)) for i, count in enumerate(chunk)
        )
        for name, chunk in _packs()
    }


def _unpacked() -> dict[str, pl.Expr]:
    """Each count's sum, from the sums of the packed columns."""
    return {
        count: ((pl.col(name) // (1 << (FIELD_BITS * i))) % (1 << FIELD_BITS)).cast(pl.Int64)
        for name, chunk in _packs()
        for i, count in enumerate(chunk)
    }


def batch_sums(rows: pl.LazyFrame, *, as_of: dt.date, accepted: pl.Expr, fast: bool = True) -> list[pl.LazyFrame]:
    """A batch's partials apart from the accounts' (see `batches_apart`), over the `accepted` rows: the
    PARTIAL_COLUMNS sums per batch, exact (counts as Int64, money as PARTIAL_MONEY), and the ACCOUNT_SUMS per
    (batch, account), their money as floats when `fast` (as `fine_sums`'; the counts are not packed).

    Fast, a sum per batch adds each row's float micros as an integer: exact when the account sums are (see
    `_checked`), as no row's amount exceeds its account's. Each group-by keeps its rows by a key rather than a
    filter: three queries over one filter of the rows would make it a shared plan of its own beside the rows',
    and the file would be read once for each (see `report._read`).
    """
    partials = _row_partials(as_of, exact=not fast)
    counts = {name: partials.pop(name).fill_null(False) for name in COUNTS}
    batch = batch_label().cast(pl.Categorical)
    keep = accepted.alias("__accepted")

    def kept(sums: pl.LazyFrame) -> pl.LazyFrame:
        return sums.filter(pl.col("__accepted")).drop("__accepted")

    exact = (
        pl.col(name).cast(pl.Int64 if name in COUNTS else PARTIAL_MONEY, strict=False).sum()  # (as `micros`)
        for name in PARTIAL_COLUMNS[1:]
    )
    per_batch = (
        rows.with_columns(**counts, **partials, batch=batch)
        .group_by("batch", keep)
        .agg(pl.len().cast(pl.Int64).alias("opportunities"), *exact)
    )
    account_counts = {name: counts[name] for name in ACCOUNT_SUMS if name in COUNTS}
    account_money = {name: partials[name] for name in ACCOUNT_SUMS if name in MONEY_PARTIALS}
    batch_accounts = (
        rows.with_columns(**account_counts, **account_money, batch=batch)
        .group_by("batch", "account_id", keep)
        .agg(pl.len().cast(pl.Int64).alias("opportunities"), pl.col(*ACCOUNT_SUMS).sum())
        .with_columns(pl.col(*account_counts).cast(pl.Int64))
    )
    return [kept(per_batch), kept(batch_accounts)]


def fine_sums(
    rows: pl.LazyFrame,
    *,
    as_of: dt.date,
    keys: Sequence[str] = ("rep", "batch"),
    segments: bool = True,
    fast: bool = True,
) -> pl.LazyFrame:
    """Partial sums of accepted rows per (account, `keys`…), with what the account's segment needs
    (`strategic_flag`, `arr_key`) when `segments` is set.

    `keys` are the row attributes a grouping needs (`rep`, `batch`); the fewer, the smaller the partials (a batch
    is nearly one row per account; see `batch_label`). Both are Categorical: a group-by hashes their few distinct
    labels as integers, a third faster than as text beside the account id. `fast`, the counts are summed packed
    (see FIELD_BITS) and the money as floats (see MICROS), which `partial_sets` checks; else as Int64 and Int128.
    """
    partials = _row_partials(as_of, exact=not fast)
    counts = {name: partials.pop(name) for name in COUNTS}
    if fast:
        columns = {**_packed({name: count.fill_null(False) for name, count in counts.items()}), **partials}
    else:
        columns = {**{name: count.fill_null(False).cast(pl.Int64) for name, count in counts.items()}, **partials}
    labels = {"rep": pl.col("rep"), "batch": batch_label()}
    columns |= {key: labels[key].cast(pl.Categorical) for key in keys}
    tier_inputs = {}
    if segments:
        columns["arr_key"] = arr_key(pl.col("arr"), pl.col("expiry_date"))
        tier_inputs = {"strategic_flag": pl.col("strategic").any(), "arr_key": pl.col("arr_key").max()}
    sum_columns = [name for name in columns if name not in (*keys, "arr_key")]
    sums = (
        rows.with_columns(**columns)
        .group_by("account_id", *keys)
        .agg(
            pl.len().cast(pl.Int64).alias("opportunities"), *(pl.col(name).sum() for name in sum_columns), **tier_inputs
        )
    )
    if fast:
        sums = sums.with_columns(**_unpacked()).drop(name for name, _ in _packs())
    return sums.select("account_id", *keys, *PARTIAL_COLUMNS, *tier_inputs)


def row_keys(grouping: str) -> tuple[str, ...]:
    """The row attributes a grouping's partials keep (a segment is the account's): `rep,segment` → (rep,)."""
    keys = keys_of(grouping)
    return tuple(key for key in ("rep", "batch") if key in keys)


def partial_keys(groupings: Sequence[str]) -> tuple[str, ...]:
    """The row keys the partials are summed by: every one any of the groupings needs (`row_keys`), in the order
    (rep, batch). One group-by over the rows serves every grouping: in the streaming engine a second group-by over
    the same rows (one per key) costs nearly a second pass, more than rolling the finer partials up afterwards."""
    wanted = {key for grouping in groupings for key in row_keys(grouping)}
    return tuple(key for key in ("rep", "batch") if key in wanted)


def batches_apart(groupings: Sequence[str]) -> bool:
    """Whether the `batch` table is summed from partials of its own (see `batch_sums`), beside partials per
    account (and rep) for the other groupings: when it is the one grouping by batch, and not the only grouping.
    A batch is nearly one row per account, so partials per (account, rep, batch) are nearly as many as the rows,
    and rolling them up per account costs a third of the pass; the batch table needs no more than a sum per
    batch and the few ACCOUNT_SUMS per (batch, account)."""
    batched = [grouping for grouping in groupings if "batch" in keys_of(grouping)]
    return batched == ["batch"] and len(groupings) > 1


def rolled_up(groupings: Sequence[str]) -> bool:
    """Whether the groupings' partials are rolled up per account: unless every grouping is by exactly the row
    keys, and none by segment (`--by rep`: see `all_totals`)."""
    keys = partial_keys(groupings)
    by_row_keys = all(row_keys(grouping) == keys and "segment" not in keys_of(grouping) for grouping in groupings)
    return not (keys and by_row_keys)


@dataclass(frozen=True)
class Partials:
    """The partial sums of a read: per (account, `keys`) (`fine`), and per account (`accounts`: with `account_arr`
    and `segment` and every partial sum when a grouping needs segments, else the ACCOUNT_SUMS); and the results
    of any other queries collected alongside.

    `accounts` is None when the groupings need no roll-up per account (see `rolled_up`): each rolls up from
    `fine` alone.

    `one_rep` when the keys are rep and batch and every account has a single rep (as in a CRM that gives each
    account an owner): `accounts` then carries it, and the partials per (account, rep, batch) are per (account,
    batch). `fits` when every sum of the partials' money fits an Int64 (see `summed`). `batches`, when they are
    apart (see `batches_apart`): the sums per batch and the ACCOUNT_SUMS per (batch, account).
    """

    keys: tuple[str, ...]
    fine: pl.DataFrame
    accounts: pl.DataFrame | None
    results: list[pl.DataFrame]
    one_rep: bool = False
    fits: bool = False
    batches: tuple[pl.DataFrame, pl.DataFrame] | None = None


def accounts_of(partials: Partials) -> pl.DataFrame:
    """The partials per account, which a read for segments always has."""
    if partials.accounts is None:
        raise ValueError("the partials were read without their per-account roll-up")
    return partials.accounts


def partial_sets(
    rows: pl.LazyFrame,
    *,
    as_of: dt.date,
    groupings: Sequence[str],
    thresholds: Thresholds,
    alongside: Sequence[pl.LazyFrame] = (),
    accepted: pl.Expr | None = None,
) -> Partials:
    """The partials the groupings need, from the `accepted` rows (None: every row); the `alongside` queries are
    collected in the same pass (sharing what they compute of the rows)."""
    apart = batches_apart(groupings)
    others = [grouping for grouping in groupings if not (apart and grouping == "batch")]
    keys = partial_keys(others)  # (with batches apart, no other grouping is by batch)
    segmented = any("segment" in keys_of(grouping) for grouping in groupings)
    kept = pl.lit(True) if accepted is None else accepted

    def sums(*, fast: bool = True) -> list[pl.LazyFrame]:
        """The partials per (account, keys), then those `batch_sums` makes when batches are apart."""
        fine = fine_sums(rows.filter(kept), as_of=as_of, keys=keys, segments=segmented, fast=fast)
        return [fine, *(batch_sums(rows, as_of=as_of, accepted=kept, fast=fast) if apart else [])]

    fast_sums = sums()
    made = pl.collect_all([*fast_sums, *alongside], engine="streaming")
    results = made[len(fast_sums) :]
    # (only the fine sums pack their counts)
    exact = [_checked(made[0], packed=True), *(_checked(frame, packed=False) for frame in made[1 : len(fast_sums)])]
    del made  # (the float sums: their money is cast in `exact`, and need not be held beside it)
    partials_ = [frame for frame in exact if frame is not None]
    if len(partials_) < len(exact):
        partials_ = pl.collect_all(sums(fast=False), engine="streaming")
    first, *batches = partials_
    fits = _fits(first)
    batches_ = (batches[0], batches[1]) if batches else None
    if not rolled_up(others):
        return Partials(keys=keys, fine=first, accounts=None, results=results, fits=fits, batches=batches_)
    tier_inputs = {"strategic_flag": pl.col("strategic_flag").any(), "arr_key": pl.col("arr_key").max()}
    rep = pl.col("rep")  # every accepted row has one (min and max stream; `first` would not)
    reps = {"rep": rep.min(), "one_rep": rep.min() == rep.max()} if keys == ("rep", "batch") else {}
    packs_counts = bool(keys) and segmented  # (the account-level sums alone hold one count in each pack)

    def per_account(*, fast: bool = True) -> pl.LazyFrame:
        """The partials rolled up per account; `fast`, as the rows are (every count packed, checked alike; money
        as Int64, which `fits`)."""
        accounts_ = first.lazy()
        if keys:
            # The segment table sums the accounts; without it only their account-level sums are wanted (the
            # overall table's other sums come from the partials), and the accounts take a quarter of the memory.
            names = PARTIAL_COLUMNS if segmented else ACCOUNT_SUMS
            packed = fast and packs_counts
            if packed:
                accounts_ = accounts_.with_columns(**_packed({count: pl.col(count) for count in COUNTS}))
                names = ("opportunities", *(name for name, _ in _packs()), *MONEY_PARTIALS)
            sums = (pl.col(n).sum() if fast and n in MONEY_PARTIALS else summed(n) for n in names)
            accounts_ = accounts_.group_by("account_id").agg(*sums, **(tier_inputs if segmented else {}), **reps)
            if packed:
                accounts_ = accounts_.with_columns(**_unpacked()).drop(name for name, _ in _packs())
        return tiers(accounts_, thresholds) if segmented else accounts_

    checked = _checked(per_account().collect(engine="streaming"), packed=packs_counts) if fits else None
    accounts_ = checked if checked is not None else per_account(fast=False).collect(engine="streaming")
    if segmented:
        first = first.drop(*tier_inputs)
    one_rep = bool(reps) and bool(accounts_["one_rep"].all())
    if reps:  # an account's rep is kept only when it is its one rep
        accounts_ = accounts_.drop("one_rep", *([] if one_rep else ["rep"]))
    return Partials(
        keys=keys, fine=first, accounts=accounts_, results=results, one_rep=one_rep, fits=fits, batches=batches_
    )


def _fits(partials: pl.DataFrame) -> bool:
    """Whether every sum of the partials' money fits an Int64 (see EXACT_INT)."""
    return bool(partials.select(pl.max_horizontal(pl.col(MONEY_PARTIALS).cast(pl.Float64).sum())).item() < EXACT_INT)


def _checked(sums: pl.DataFrame, *, packed: bool) -> pl.DataFrame | None:
    """Sums made the fast way, with their money (micros) as Int64; None when they must be made again exactly: a
    float sum reached EXACT_FLOAT (it may then have been rounded), or, with `packed` counts, a group has more rows
    than a field holds."""
    floats = [name for name in MONEY_PARTIALS if sums.schema.get(name) == pl.Float64]
    largest = sums.select(pl.max_horizontal(pl.col(floats).max()).fill_null(0)).item() if floats else 0
    if largest >= EXACT_FLOAT or (packed and (sums["opportunities"].max() or 0) > MAX_PACKED_GROUP):
        return None
    return sums.with_columns(pl.col(floats).cast(pl.Int64))


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator as a float, null when the denominator is 0."""
    return pl.when(denominator != 0).then(numerator.cast(pl.Float64) / denominator.cast(pl.Float64))


# The sums an account-level KPI needs per (group, account): retention asks whether the account was at stake and
# won, value growth its won prior and renewal amounts. Only these are rolled up per account; every other KPI is
# a plain sum over the group's partials.
ACCOUNT_SUMS: tuple[str, ...] = ("at_stake_n", "won", "prior_won", "renewal_won")


def _account_level() -> dict[str, pl.Expr]:
    """Per group, over its per-(group, account) ACCOUNT_SUMS; `pl.len()` counts the group's accounts."""
    c = pl.col
    at_stake = c("at_stake_n") > 0
    growing = c("prior_won") > 0
    account_growth = ratio(c("renewal_won") - c("prior_won"), c("prior_won"))
    return {
        "accounts": pl.len().cast(pl.Int64),
        "at_stake_accounts": at_stake.sum(),
        "retained_accounts": (at_stake & (c("won") > 0)).sum(),
        # Σ of the accounts' growth as exact decimals: a float sum would depend on the order threads add
        # accounts in, and so differ in the last digits from run to run.
        "growth_sum": account_growth.filter(growing).cast(GROWTH, strict=False).sum(),
        "growth_accounts": growing.sum(),
    }


ACCOUNT_LEVEL: tuple[str, ...] = tuple(_account_level())


def _kpis() -> dict[str, pl.Expr]:
    """Each KPI of SPEC §3 from a group's PARTIAL_COLUMNS sums and its ACCOUNT_LEVEL figures."""
    c = pl.col
    n, won, lost, available = c("opportunities"), c("won"), c("lost"), c("available")
    prior_won, prior_lost, renewal_won = c("prior_won"), c("prior_lost"), c("renewal_won")
    return {
        "opportunities": n,
        "accounts": c("accounts"),
        "available": dollars(available),
        "won": won,
        "lost": lost,
        "open": c("open"),
        "resolution_rate": ratio(won + lost, n),
        "close_rate": ratio(won, won + lost),
        "resolution_rate_value": ratio(prior_won + prior_lost, available),
        "close_rate_value": ratio(prior_won, prior_won + prior_lost),
        "conversion_rate": ratio(renewal_won, prior_won),
        "uplift": ratio(renewal_won, prior_won) - 1,
        "renewal_rate": ratio(renewal_won, available),
        "due": c("due"),
        "past_due": c("past_due"),
        "otrr": ratio(c("on_time_n"), c("due")),
        "iqrr": ratio(c("in_quarter_n"), n),
        "retention_rate": ratio(c("retained_accounts"), c("at_stake_accounts")),
        "grr": ratio(c("retained_won"), c("prior_at_stake")),
        "nrr": ratio(renewal_won, c("prior_at_stake")),
        "value_growth": ratio(c("growth_sum"), c("growth_accounts")),
        "churned_value": dollars(prior_lost),
    }


def keys_of(grouping: str) -> list[str]:
    """The key columns of a grouping: `rep,segment` → [rep, segment]; `overall` → []."""
    return [] if grouping == "overall" else grouping.split(",")


def per_account(partials_: pl.LazyFrame, keys: Sequence[str], *, fits: bool = False) -> pl.LazyFrame:
    """The ACCOUNT_SUMS per (group, account) of a grouping's keys (`fits`: see `summed`)."""
    return partials_.group_by(*keys, "account_id").agg(summed(name, fits=fits) for name in ACCOUNT_SUMS)


def group_totals(
    partials_: pl.LazyFrame, accounts_: pl.LazyFrame, grouping: str, *, fits: bool = False
) -> pl.LazyFrame:
    """Per group of `grouping` (its key columns; none for `overall`): the PARTIAL_COLUMNS sums (money as
    PARTIAL_MONEY; summed as Int64 when it `fits`, see `summed`) and the ACCOUNT_LEVEL figures — everything a KPI
    is computed from, and all of it additive over disjoint sets of accounts.

    `partials_` are partial sums (any finer keys), `accounts_` their `per_account` roll-up for this grouping.
    """
    keys = keys_of(grouping)
    sums = [summed(name, fits=fits) for name in PARTIAL_COLUMNS]
    if not keys:
        totals = pl.concat([partials_.select(sums), accounts_.select(**_account_level())], how="horizontal")
    else:
        by_group = partials_.group_by(*keys).agg(sums)
        totals = by_group.join(accounts_.group_by(*keys).agg(**_account_level()), on=keys)
    return totals.with_columns(pl.col(MONEY_PARTIALS).cast(PARTIAL_MONEY))


def kpis_from(totals: pl.LazyFrame, grouping: str) -> pl.LazyFrame:
    """One row per group of `grouping` from its `group_totals`: the key columns (or `group` = `all`), then
    KPI_COLUMNS in SPEC order."""
    keys = keys_of(grouping)
    if not keys:
        return totals.select(pl.lit("all").alias("group"), **_kpis())
    # A rep or batch as text (sorted by its letters); a segment in tier order, then as text.
    texts = [pl.col(key) if key == "segment" else pl.col(key).cast(pl.String) for key in keys]
    table = totals.select(*texts, **_kpis()).sort(keys)
    return table.with_columns(pl.col("segment").cast(pl.String)) if "segment" in keys else table


def add_totals(parts: Sequence[pl.DataFrame], grouping: str) -> pl.LazyFrame:
    """The `group_totals` of the union of disjoint sets of accounts, from each set's."""
    keys = keys_of(grouping)
    columns = [*PARTIAL_COLUMNS, *ACCOUNT_LEVEL]
    stacked = pl.concat([part.lazy() for part in parts], how="vertical")
    if not keys:
        return stacked.select(pl.col(name).sum() for name in columns)
    return stacked.group_by(*keys).agg(pl.col(name).sum() for name in columns)


def team_totals(rep_totals: pl.LazyFrame) -> pl.LazyFrame:
    """The team's PARTIAL_COLUMNS sums, from the `rep` grouping's totals: every accepted row has one rep, so the
    reps' sums add up to the team's. (Their ACCOUNT_LEVEL figures do not: an account with two reps is counted
    twice. The coaching levers are plain sums, and so come out as the overall table's.)"""
    return rep_totals.select(pl.col(name).sum() for name in (*PARTIAL_COLUMNS, *ACCOUNT_LEVEL))


def all_totals(partials: Partials, groupings: Sequence[str]) -> dict[str, pl.DataFrame]:
    """Every requested grouping's `group_totals`, from the partials.

    `overall` and `segment` take their account-level figures from the partials per account (a segment is an
    attribute of its account), and `segment` its sums too; a grouping by exactly the partials' keys (`rep` from
    partials per (account, rep)) rolls up from them with no per-account roll-up; any other from them rolled up per
    (group, account), unless every account has one rep (see `Partials.one_rep`): a rep's accounts are then the
    per-account partials, a batch's the partials themselves. A `batch` table summed apart rolls up from its own
    partials (see `Partials.batches`).
    """
    fine = partials.fine.lazy()
    if any(row_keys(g) and "segment" in keys_of(g) for g in groupings):
        segments = accounts_of(partials).lazy().select("account_id", "segment")
        fine = fine.join(segments, on="account_id", how="left").cache()

    def totals(grouping: str) -> pl.LazyFrame:
        keys, fits = row_keys(grouping), partials.fits
        if grouping == "batch" and partials.batches is not None:
            per_batch, batch_accounts = partials.batches
            return group_totals(per_batch.lazy(), batch_accounts.lazy(), grouping, fits=fits)
        if keys and (keys == partials.keys or (partials.one_rep and keys == ("batch",))):
            return group_totals(fine, fine, grouping, fits=fits)
        if not keys:
            accounts_ = accounts_of(partials).lazy()
            return group_totals(accounts_ if "segment" in keys_of(grouping) else fine, accounts_, grouping, fits=fits)
        if partials.one_rep and keys == ("rep",):
            return group_totals(fine, accounts_of(partials).lazy(), grouping, fits=fits)
        return group_totals(fine, per_account(fine, keys_of(grouping), fits=fits), grouping, fits=fits)

    frames = pl.collect_all([totals(g) for g in groupings], engine="streaming")
    return dict(zip(groupings, frames, strict=True))


def kpi_tables(partials: Partials, groupings: Sequence[str]) -> dict[str, pl.DataFrame]:
    """Every requested grouping's KPI table from the partials: `report.build_report` with the export in one part
    (the tests' way in to the KPIs)."""
    totals = all_totals(partials, groupings)
    frames = pl.collect_all([kpis_from(add_totals([totals[g]], g), g) for g in groupings])
    return dict(zip(groupings, frames, strict=True))
