"""The forecast (SPEC §8): where a quarter's renewal rate lands, learned from the export's own past quarters.

A forecast of quarter Q as of date A counts what is won and lost by A, and projects each renewal still open at A
with the rate at which renewals like it renewed in the past: the history quarters' rows that were open at the same
position in their quarter, in the same cell (segment, days to expiry). A backtest makes the forecast a past quarter
would have had at that position and sets it beside what the quarter landed at.

Every forecast here is a `Run` (a quarter, an as-of date, the history it learns from). The runs of one command
(the forward forecast and each backtest quarter's) are computed together, as frames keyed by `run`, so that the
rows are joined once to a small frame of (quarter, snapshot date) pairs rather than once per forecast.

The rows this module reads are accepted rows with `rep`, `expiry_date`, `close_date`, `status`, `prior_amount`,
`renewal_amount` and the account's `segment` (over every accepted row of the export).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from renewals_cli.calendar import Quarter, quarter_index
from renewals_cli.kpis import ratio
from renewals_cli.load.export import Export, Held, RowAccounting
from renewals_cli.money import MICROS, amount_if, dollars, micros
from renewals_cli.segments import SEGMENTS, Segment, Thresholds, account_segments
from renewals_cli.state import lost_by, open_at, won_by
from renewals_cli.targets import Targets

DEFAULT_HISTORY = 4
DEFAULT_MIN_CELL = 20

# Days to expiry at a date, in the buckets a cell is made of.
BUCKETS: tuple[str, ...] = ("overdue", "0-30", "31-60", "61-90", "91+")
Bucket = pl.Enum(BUCKETS)

FORECAST_COLUMNS: tuple[str, ...] = (
    "opportunities", "available", "won_to_date", "lost_to_date", "open", "open_value", "projected_renewal",
    "projected_retained", "forecast_nrr", "forecast_grr", "target", "gap",
)  # fmt: skip
BACKTEST_COLUMNS: tuple[str, ...] = (
    "quarter", "as_of", "forecast_nrr", "landed_nrr", "error_nrr", "forecast_grr", "landed_grr", "error_grr",
    "baseline_nrr", "baseline_error_nrr", "bias_nrr", "bias_grr", "baseline_bias_nrr",
)  # fmt: skip
# The key column of each grouping of the forecast (`group` holds `all` for the whole cohort).
GROUP_KEYS = {"overall": "group", "rep": "rep", "segment": "segment"}
ROW_COLUMNS = ("rep", "segment", "expiry_date", "close_date", "status", "prior_amount", "renewal_amount")

RUN = pl.Int32()


@dataclass(frozen=True)
class Run:
    """One forecast: `quarter` as of `as_of`, learned from the `history` quarters (oldest first)."""

    quarter: Quarter
    as_of: dt.date
    history: tuple[Quarter, ...]

    @property
    def position(self) -> int:
        """d: days from the quarter's first day to the as-of date (0 on the first day; negative before it)."""
        return (self.as_of - self.quarter.first).days

    def snapshot(self, past: Quarter) -> dt.date:
        """t_H: the same position inside a history quarter, or its last day if that comes first."""
        return min(past.first + dt.timedelta(days=self.position), past.last)

    @property
    def snapshots(self) -> tuple[dt.date, ...]:
        """The snapshot date of each history quarter (OverflowError or ValueError beyond the calendar)."""
        return tuple(self.snapshot(past) for past in self.history)


def plan(quarter: Quarter, as_of: dt.date, history: int = DEFAULT_HISTORY) -> Run:
    """The forecast of `quarter` as of `as_of`, learned from the `history` quarters just before the one holding
    `as_of` (counted as quarters, empty ones included: every one has ended by `as_of`)."""
    holding = Quarter.of(as_of, quarter.start_month)
    return Run(quarter, as_of, tuple(holding.next(-k) for k in range(history, 0, -1)))


def backtest_plans(forward: Run, quarters: int) -> tuple[Run, ...]:
    """The forecasts a backtest compares with what landed: for each of the `quarters` most recent quarters whose
    last day is on or before the forward forecast's as-of date (oldest first), the forecast made at the same
    position d inside it (or on its last day, if earlier), with as much history as the forward forecast."""
    latest = Quarter.of(forward.as_of, forward.quarter.start_month)
    if latest.last > forward.as_of:
        latest = latest.next(-1)
    runs = []
    for back in range(quarters - 1, -1, -1):
        past = latest.next(-back)
        as_of = forward.snapshot(past)  # its first day + d, or its last day: the rule of a history snapshot
        runs.append(plan(past, as_of, len(forward.history)))
    return tuple(runs)


def bucket(expiry: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The bucket of days to expiry `expiry − day`: overdue (< 0), 0-30, 31-60, 61-90, 91+."""
    days = (expiry - day).dt.total_days()
    return (
        pl.when(days < 0)
        .then(pl.lit("overdue"))
        .when(days <= 30)
        .then(pl.lit("0-30"))
        .when(days <= 60)
        .then(pl.lit("31-60"))
        .when(days <= 90)
        .then(pl.lit("61-90"))
        .otherwise(pl.lit("91+"))
        .cast(Bucket)
    )


def _retained() -> pl.Expr:
    return pl.min_horizontal("renewal_amount", "prior_amount")


def read_rows(export: Export | Held, thresholds: Thresholds, runs: Sequence[Run]) -> tuple[pl.DataFrame, RowAccounting]:
    """The accepted rows of every quarter the runs read (ROW_COLUMNS, each row with its account's segment over
    every accepted row of the export: no window), and the row accounting, from one read of the export.

    A CSV file is read once, keeping the few columns of every accepted row that the segments and the forecast
    need, and the rest is computed in memory: two queries over the rows (the segments over all of them, the
    quarters' rows) would each parse it. A Parquet file is read by two such queries, so that a large export's
    rows are not all held.
    """
    columns = ("account_id", *(c for c in ROW_COLUMNS if c != "segment"), "arr", "strategic")
    start_month = runs[0].quarter.start_month
    in_quarters = quarter_index(pl.col("expiry_date"), start_month).is_in(quarters_read(runs))

    def cohorts(accepted: pl.LazyFrame, segments: pl.LazyFrame) -> pl.LazyFrame:
        return accepted.filter(in_quarters).join(segments, on="account_id", how="left").select(ROW_COLUMNS)

    if export.sources and all(source.kind == "parquet" for source in export.sources):
        # A Parquet file is read by column, cheaply: the segments and the quarters' rows are two queries, and
        # only the quarters' rows are held (a large export's every row would not fit).
        accounting, (segments, rows) = export.read(
            lambda accepted: [
                account_segments(accepted, thresholds).select("account_id", "segment"),
                accepted.filter(in_quarters).select(columns),
            ]
        )
        return cohorts(rows.lazy(), segments.lazy()).collect(), accounting
    accounting, (accepted,) = export.read(lambda rows: [rows.select(columns)])
    every_segment = account_segments(accepted.lazy(), thresholds).select("account_id", "segment")
    return cohorts(accepted.lazy(), every_segment).collect(), accounting


def with_quarters(rows: pl.LazyFrame, start_month: int) -> pl.LazyFrame:
    """The rows with `quarter`, the index of their expiry date's fiscal quarter: a quarter's cohort."""
    return rows.with_columns(quarter=quarter_index(pl.col("expiry_date"), start_month))


def runs_frame(runs: Sequence[Run]) -> pl.LazyFrame:
    """One row per run: `run` (its place in `runs`), its cohort's `quarter` index, `as_of` and `last_day`."""
    return pl.LazyFrame(
        {
            "run": list(range(len(runs))),
            "quarter": [r.quarter.index for r in runs],
            "as_of": [r.as_of for r in runs],
            "last_day": [r.quarter.last for r in runs],
        },
        schema={"run": RUN, "quarter": pl.Int64, "as_of": pl.Date, "last_day": pl.Date},
    )


def snapshots_frame(runs: Sequence[Run]) -> pl.LazyFrame:
    """One row per run and history quarter: `run`, the history `quarter` index, its `snapshot` date (t_H) and
    `last_day`."""
    pairs = [
        (number, past.index, snapshot, past.last)
        for number, r in enumerate(runs)
        for past, snapshot in zip(r.history, r.snapshots, strict=True)
    ]
    schema: dict[str, pl.DataType] = {"run": RUN, "quarter": pl.Int64(), "snapshot": pl.Date(), "last_day": pl.Date()}
    return pl.LazyFrame(pairs, schema=schema, orient="row")


def quarters_read(runs: Sequence[Run]) -> list[int]:
    """The indexes of every quarter the runs read: their cohorts' and their history's."""
    return sorted({r.quarter.index for r in runs} | {past.index for r in runs for past in r.history})


def training_rows(rows: pl.LazyFrame, snapshots: pl.LazyFrame) -> pl.LazyFrame:
    """The training rows of each distinct (history quarter, snapshot date) pair: the quarter's cohort rows open at
    the snapshot, with their segment and bucket then, and what they `renewed` (renewal_amount) and `retained`
    (min(renewal, prior)) if won by the last day of their quarter, else 0.

    `rows` carry `quarter` (see `with_quarters`). Runs share most pairs: each pair is computed once.
    """
    pairs = snapshots.select("quarter", "snapshot", "last_day").unique()
    renewed_in_quarter = won_by(pl.col("last_day"))
    return (
        rows.join(pairs, on="quarter")
        .filter(open_at(pl.col("snapshot")))
        .select(
            "quarter",
            "snapshot",
            "segment",
            "prior_amount",
            bucket=bucket(pl.col("expiry_date"), pl.col("snapshot")),
            renewed=amount_if(renewed_in_quarter, micros(pl.col("renewal_amount"))),
            retained=amount_if(renewed_in_quarter, micros(_retained())),
        )
    )


SUMS = ("rows", "prior", "renewed", "retained")  # money in micros (see `money`), summed exactly


def cell_sums(training: pl.LazyFrame, snapshots: pl.LazyFrame) -> pl.LazyFrame:
    """Each run's training rows summed per cell (`run`, `segment`, `bucket`): `rows`, `prior` (Σ prior_amount),
    `renewed`, `retained`, over the (quarter, snapshot) pairs of its history."""
    per_pair = training.group_by("quarter", "snapshot", "segment", "bucket").agg(
        rows=pl.len().cast(pl.Int64),
        prior=micros(pl.col("prior_amount")).sum(),
        renewed=pl.col("renewed").sum(),
        retained=pl.col("retained").sum(),
    )
    return (
        snapshots.join(per_pair, on=["quarter", "snapshot"])
        .group_by("run", "segment", "bucket")
        .agg(pl.col(SUMS).sum())
    )


def learning(sums: pl.LazyFrame, runs: pl.LazyFrame) -> pl.LazyFrame:
    """Per run: its `training_rows`, whether it `learned` anything (some training row, with Σ prior_amount > 0:
    otherwise there is no forecast), and the naive `baseline_rate` of the backtest, Σ renewed / Σ prior over
    every training row."""
    every = sums.group_by("run").agg(pl.col(SUMS).sum())
    return (
        runs.select("run")
        .join(every, on="run", how="left")
        .select(
            "run",
            training_rows=pl.col("rows").fill_null(0),
            learned=pl.col("prior").fill_null(0) > 0,
            baseline_rate=share("renewed", "prior"),
        )
    )


def _cells() -> pl.LazyFrame:
    """Every cell (segment, bucket)."""
    segments = pl.LazyFrame({"segment": SEGMENTS}, schema={"segment": Segment})
    return segments.join(pl.LazyFrame({"bucket": BUCKETS}, schema={"bucket": Bucket}), how="cross")


def cell_rates(sums: pl.LazyFrame, runs: pl.LazyFrame, min_cell: int = DEFAULT_MIN_CELL) -> pl.LazyFrame:
    """Each run's rates for every cell: `r` (renewed / prior) and `g` (retained / prior), and the `level` they come
    from. A cell's own training rows when it has at least `min_cell` of them and their Σ prior_amount > 0
    (`cell`); else its bucket's over every segment, on the same condition (`bucket`); else every training row's
    (`all`); null when there is no training row, or their Σ prior_amount is 0."""
    by_bucket = sums.group_by("run", "bucket").agg(pl.col(SUMS).sum().name.prefix("bucket_"))
    every = sums.group_by("run").agg(pl.col(SUMS).sum().name.prefix("all_"))
    grid = (
        runs.select("run")
        .join(_cells(), how="cross")
        .join(sums, on=["run", "segment", "bucket"], how="left")
        .join(by_bucket, on=["run", "bucket"], how="left")
        .join(every, on="run", how="left")
    )

    def enough(prefix: str) -> pl.Expr:
        return (pl.col(f"{prefix}rows") >= min_cell) & (pl.col(f"{prefix}prior") > 0)

    def rate(numerator: str) -> pl.Expr:
        return (
            pl.when(enough(""))
            .then(share(numerator, "prior"))
            .when(enough("bucket_"))
            .then(share(f"bucket_{numerator}", "bucket_prior"))
            .when(pl.col("all_prior") > 0)
            .then(share(f"all_{numerator}", "all_prior"))
        )

    level = (
        pl.when(enough(""))
        .then(pl.lit("cell"))
        .when(enough("bucket_"))
        .then(pl.lit("bucket"))
        .when(pl.col("all_prior") > 0)
        .then(pl.lit("all"))
    )
    return grid.select("run", "segment", "bucket", level=level, r=rate("renewed"), g=rate("retained"))


def cohort_sums(rows: pl.LazyFrame, runs: pl.LazyFrame, keys: Sequence[str] = ()) -> pl.LazyFrame:
    """Each run's cohort (its quarter's rows) summed per group `keys`, segment and bucket at the as-of date A:
    opportunities, available, what was won (`won_to_date`, `retained_to_date`: min(renewal, prior)) and lost by A,
    what was open at A (`open`, `open_value`), and what the quarter landed at on its last day E
    (`landed_renewal`, `landed_retained`). Money in micros."""
    as_of, last_day = pl.col("as_of"), pl.col("last_day")
    won, lost, still_open, landed = won_by(as_of), lost_by(as_of), open_at(as_of), won_by(last_day)
    prior, renewal, retained = micros(pl.col("prior_amount")), micros(pl.col("renewal_amount")), micros(_retained())
    by = ["run", *dict.fromkeys([*keys, "segment", "bucket"])]
    return (
        rows.join(runs, on="quarter")
        .with_columns(bucket=bucket(pl.col("expiry_date"), as_of))
        .group_by(by)
        .agg(
            opportunities=pl.len().cast(pl.Int64),
            available=prior.sum(),
            won_to_date=renewal.filter(won).sum(),
            retained_to_date=retained.filter(won).sum(),
            lost_to_date=prior.filter(lost).sum(),
            open=still_open.sum().cast(pl.Int64),
            open_value=prior.filter(still_open).sum(),
            landed_renewal=renewal.filter(landed).sum(),
            landed_retained=retained.filter(landed).sum(),
        )
    )


COHORT_SUMS = (
    "opportunities", "available", "won_to_date", "retained_to_date", "lost_to_date", "open", "open_value",
    "landed_renewal", "landed_retained",
)  # fmt: skip


def projections(
    cohort: pl.LazyFrame, rates: pl.LazyFrame, learned: pl.LazyFrame, keys: Sequence[str] = ()
) -> pl.LazyFrame:
    """Each run's groups: the cohort sums, and the projection as of A.

    projected_renewal = won_to_date + Σ over rows open at A of prior_amount × r(cell at A), summed here cell by
    cell (Σ open_value × r); projected_retained likewise from retained_to_date and g. Null when the run learned
    nothing. With no `keys`, every run has one row, also when its cohort is empty. Money in micros (the projections
    as floats).
    """
    per_group = (
        cohort.join(rates, on=["run", "segment", "bucket"], how="left")
        .group_by("run", *keys)
        .agg(
            pl.col(COHORT_SUMS).sum(),
            open_renewal=_at_rate("open_value", "r").sum(),
            open_retained=_at_rate("open_value", "g").sum(),
        )
    )
    if not keys:
        per_group = (
            learned.select("run")
            .join(per_group, on="run", how="left")
            .with_columns(pl.col(*COHORT_SUMS, "open_renewal", "open_retained").fill_null(0))
        )
    return per_group.join(learned, on="run", how="left").with_columns(
        projected_renewal=pl.when(pl.col("learned")).then(_plus("won_to_date", "open_renewal")),
        projected_retained=pl.when(pl.col("learned")).then(_plus("retained_to_date", "open_retained")),
    )


# A cell's open value at its rate is a fraction of a micro: it is summed as a whole number of millionths of a
# micro, exactly (a float sum depends on the order threads add the cells in: the same export would give a
# forecast a digit apart from one run to the next).
FRACTIONS = 10**6


def _at_rate(amount: str, rate: str) -> pl.Expr:
    """An amount in micros at a rate, in whole FRACTIONS of a micro."""
    return (pl.col(amount).cast(pl.Float64) * pl.col(rate) * FRACTIONS).round().cast(pl.Int128, strict=False)


def _plus(exact: str, projected: str) -> pl.Expr:
    """Micros plus FRACTIONS of a micro, in micros (a float)."""
    return (pl.col(exact) * FRACTIONS + pl.col(projected)).cast(pl.Float64) / FRACTIONS


def share(amount: str, available: str = "available") -> pl.Expr:
    """amount / available, null when nothing is available."""
    return ratio(pl.col(amount), pl.col(available))


def forecast_table(projected: pl.DataFrame, by: str, targets: Targets) -> pl.DataFrame:
    """The forecast's table: the grouping's key column, then FORECAST_COLUMNS; reps by name, segments in tier
    order. `target` is the group's `renewal_rate` target, `gap` forecast_nrr − target."""
    key = GROUP_KEYS[by]
    table = projected.sort(key) if by != "overall" else projected.with_columns(group=pl.lit("all"))
    table = table.with_columns(pl.col(key).cast(pl.String)).with_columns(
        forecast_nrr=share("projected_renewal"), forecast_grr=share("projected_retained")
    )
    table = table.with_columns(
        *(dollars(pl.col(c)).alias(c) for c in ("available", "won_to_date", "lost_to_date", "open_value")),
        *(pl.col(c) / MICROS for c in ("projected_renewal", "projected_retained")),
    )
    goals = [targets.for_group({} if by == "overall" else {key: value}).get("renewal_rate") for value in table[key]]
    return table.with_columns(target=pl.Series(goals, dtype=pl.Float64)).select(
        key, *FORECAST_COLUMNS[:-1], gap=pl.col("forecast_nrr") - pl.col("target")
    )


def backtest_table(projected: pl.DataFrame, runs: Sequence[Run]) -> pl.DataFrame:
    """One row per backtest run (`projected` without keys, in the order of `runs`): the forecast beside what the
    quarter landed at and the naive baseline, errors as forecast − landed; then a `mean` row holding the mean
    absolute errors (in the error columns) and the mean signed errors (in the bias columns)."""
    rows = (
        projected.sort("run")
        .with_columns(
            quarter=pl.Series([r.quarter.label for r in runs], dtype=pl.String),
            as_of=pl.Series([r.as_of for r in runs], dtype=pl.Date),
            forecast_nrr=share("projected_renewal"),
            landed_nrr=share("landed_renewal"),
            forecast_grr=share("projected_retained"),
            landed_grr=share("landed_retained"),
            baseline_nrr=share("won_to_date") + share("open_value") * pl.col("baseline_rate"),
        )
        .with_columns(
            error_nrr=pl.col("forecast_nrr") - pl.col("landed_nrr"),
            error_grr=pl.col("forecast_grr") - pl.col("landed_grr"),
            baseline_error_nrr=pl.col("baseline_nrr") - pl.col("landed_nrr"),
        )
        .with_columns(
            bias_nrr=pl.lit(None, pl.Float64),
            bias_grr=pl.lit(None, pl.Float64),
            baseline_bias_nrr=pl.lit(None, pl.Float64),
        )
        .select(BACKTEST_COLUMNS)
    )
    errors = ("error_nrr", "error_grr", "baseline_error_nrr")
    mean = rows.select(
        quarter=pl.lit("mean"),
        **{column: pl.col(column).abs().mean() for column in errors},
        bias_nrr=pl.col("error_nrr").mean(),
        bias_grr=pl.col("error_grr").mean(),
        baseline_bias_nrr=pl.col("baseline_error_nrr").mean(),
    )
    return pl.concat([rows, mean], how="diagonal_relaxed").select(BACKTEST_COLUMNS)


@dataclass(frozen=True)
class Forecast:
    """A forecast: its run; its `overall` table (one row, `group` = `all`) and the `table` of the grouping asked
    for (the same frame for `overall`); how many training rows it learned from, and whether it `learned` anything
    (if not, there is no forecast); and the backtest table, when one was asked for."""

    run: Run
    overall: pl.DataFrame
    table: pl.DataFrame
    training_rows: int
    learned: bool
    backtest: pl.DataFrame | None = None


def forecast(
    rows: pl.LazyFrame,
    forward: Run,
    *,
    by: str = "overall",
    min_cell: int = DEFAULT_MIN_CELL,
    backtest: int = 0,
    targets: Targets | None = None,
) -> Forecast:
    """The forecast of `forward` overall and per group of `by` (overall, rep or segment), and the backtest of the
    `backtest` most recent ended quarters (none when 0). `rows` are accepted rows with ROW_COLUMNS (others are
    ignored); the computation is collected once."""
    runs = (forward, *backtest_plans(forward, backtest))
    rows = with_quarters(rows.select(ROW_COLUMNS), forward.quarter.start_month)
    frame, snapshots = runs_frame(runs), snapshots_frame(runs)
    sums = cell_sums(training_rows(rows, snapshots), snapshots)
    rates = cell_rates(sums, frame, min_cell)
    learned = learning(sums, frame)
    every_run = projections(cohort_sums(rows, frame), rates, learned)  # the whole cohort of each run
    queries = [every_run]
    if by != "overall":
        first, keys = pl.col("run") == 0, [GROUP_KEYS[by]]
        queries.append(projections(cohort_sums(rows, frame.filter(first), keys), rates, learned.filter(first), keys))
    every_run_frame, *grouped = pl.collect_all(queries)
    ahead = every_run_frame.filter(pl.col("run") == 0)
    overall = forecast_table(ahead, "overall", targets or Targets())
    return Forecast(
        run=forward,
        overall=overall,
        table=forecast_table(grouped[0], by, targets or Targets()) if grouped else overall,
        training_rows=int(ahead["training_rows"][0]),
        learned=bool(ahead["learned"][0]),
        backtest=backtest_table(every_run_frame.filter(pl.col("run") > 0), runs[1:]) if backtest else None,
    )
