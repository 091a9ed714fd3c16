"""The renewal worklist of `renewals upcoming` (SPEC §4): open opportunities due soon, with the action each needs."""

from collections.abc import Sequence
from datetime import date

import polars as pl

from renewals_cli.errors import UsageError
from renewals_cli.segments import SEGMENTS
from renewals_cli.state import open_at

WORKLIST_COLUMNS: tuple[str, ...] = (
    "opportunity_id",
    "account_id",
    "account_name",
    "rep",
    "segment",
    "expiry_date",
    "days_to_expiry",
    "prior_amount",
    "action",
)

DEFAULT_DAYS = 120

# Actions by days to expiry, from the most urgent; `upcoming` only appears when --days reaches beyond 120.
PAST_DUE = "past_due"
DUE_90 = "due_90"
QUOTE_WINDOW = "quote_window"
UPCOMING = "upcoming"
ACTIONS: tuple[str, ...] = (PAST_DUE, DUE_90, QUOTE_WINDOW, UPCOMING)


def action(days_to_expiry: pl.Expr) -> pl.Expr:
    """`past_due` below 0 days, `due_90` for 0–90, `quote_window` for 91–120, `upcoming` beyond 120."""
    return (
        pl.when(days_to_expiry < 0)
        .then(pl.lit(PAST_DUE))
        .when(days_to_expiry <= 90)
        .then(pl.lit(DUE_90))
        .when(days_to_expiry <= 120)
        .then(pl.lit(QUOTE_WINDOW))
        .otherwise(pl.lit(UPCOMING))
    )


def worklist(
    rows: pl.LazyFrame,
    accounts: pl.LazyFrame,
    *,
    as_of: date,
    days: int = DEFAULT_DAYS,
    reps: Sequence[str] = (),
    segments: Sequence[str] = (),
    with_opportunity_id: bool = True,
) -> pl.LazyFrame:
    """The open opportunities of `rows` expiring at most `days` days after `as_of`, past-due ones included.

    `rows` are accepted rows (canonical columns); `accounts` holds one row per account with its `account_id`
    and `segment` (SPEC §2), and only those two columns are read from it. The result has WORKLIST_COLUMNS —
    without `opportunity_id` when `with_opportunity_id` is false, in which case `rows` need not have that
    column. `days_to_expiry` is expiry_date − as_of in days (Int64, negative when past due); `segment` is
    text, null for an account missing from `accounts`; `account_name` is the row's own, null when empty.

    Rows are ordered by expiry_date, account_id, then opportunity_id (empty ids last); rows still tied keep
    the order of `rows`, so the list is the same on every run.

    `action` is `past_due` (< 0 days), `due_90` (0–90), `quote_window` (91–120) and, which the SPEC does not
    name because its default window ends at 120 days, `upcoming` for opportunities further out when
    `days` > 120. `reps` keeps rows whose rep is exactly one of them, `segments` rows of one of those
    segments; an empty sequence keeps every row.

    Raises UsageError when `days` is negative or a segment is not one of SEGMENTS.
    """
    return listed(
        due(rows, as_of=as_of, days=days, reps=reps),
        accounts,
        segments=segments,
        with_opportunity_id=with_opportunity_id,
    )


def due(
    rows: pl.LazyFrame,
    *,
    as_of: date,
    days: int = DEFAULT_DAYS,
    reps: Sequence[str] = (),
    since: int | None = None,
) -> pl.LazyFrame:
    """The open rows of `worklist`, with `days_to_expiry`, in the order of `rows` (see `worklist`); past-due
    rows at most `since` days overdue when it is given."""
    if days < 0:
        raise UsageError(f"--days must be 0 or more, not {days}.")
    days_to_expiry = (pl.col("expiry_date") - pl.lit(as_of, dtype=pl.Date)).dt.total_days().cast(pl.Int64)
    found = rows.with_columns(days_to_expiry=days_to_expiry).filter(open_at(as_of) & (pl.col("days_to_expiry") <= days))
    if since is not None:
        found = found.filter(pl.col("days_to_expiry") >= -since)
    return found.filter(pl.col("rep").is_in(list(reps))) if reps else found


def check_segments(segments: Sequence[str]) -> None:
    """Raise UsageError for a segment that is not one of SEGMENTS."""
    unknown = [s for s in segments if s not in SEGMENTS]
    if unknown:
        raise UsageError(f"Unknown segment {unknown[0]!r}: choose from {', '.join(SEGMENTS)}.")


SORTS: tuple[str, ...] = ("expiry", "value")


def listed(
    due_rows: pl.LazyFrame,
    accounts: pl.LazyFrame,
    *,
    segments: Sequence[str] = (),
    with_opportunity_id: bool = True,
    sort: str = "expiry",
    extra: Sequence[str] = (),
) -> pl.LazyFrame:
    """The `due` rows with their account's segment and action, filtered to `segments`, in worklist order: by
    expiry date, or with `sort` = `value` the largest prior_amount first. `extra` columns (of the rows, or of
    `accounts` such as `csm`) follow the worklist's."""
    check_segments(segments)
    if sort not in SORTS:
        raise UsageError(f"--sort {sort}: expected one of {', '.join(SORTS)}")
    account_columns = [name for name in extra if name in accounts.collect_schema().names()]
    tiers = accounts.select("account_id", *account_columns, segment=pl.col("segment").cast(pl.String))
    rows = due_rows.join(tiers, on="account_id", how="left", maintain_order="left")
    if segments:
        rows = rows.filter(pl.col("segment").is_in(list(segments)))
    order = ["expiry_date", "account_id", "opportunity_id"] if with_opportunity_id else ["expiry_date", "account_id"]
    descending = [False] * len(order)
    if sort == "value":
        order, descending = ["prior_amount", *order], [True, *descending]
    columns = WORKLIST_COLUMNS if with_opportunity_id else WORKLIST_COLUMNS[1:]
    return (
        rows.sort(order, descending=descending, nulls_last=True, maintain_order=True)
        .with_columns(action=action(pl.col("days_to_expiry")))
        .select(*columns, *extra)
    )
