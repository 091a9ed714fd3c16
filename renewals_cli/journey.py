"""The customer journey of `renewals journey`: the CSM touchpoints due in the next days.

Two kinds of touchpoint. Per account with a start (the earliest `start_date` over its accepted rows): `welcome` on
the start, `day_30` and `day_60` 30 and 60 days after it, `month_6` six calendar months after it (clamped to the
month's last day: 2024-08-31 gives 2025-02-28). Per opportunity open as of the as-of date A (state.open_at, so one
closed after A still counts): `quote_120` and `renewal_90`, 120 and 90 days before its expiry date. Listed are those
dated from A to A + `days`, inclusive.

Every row is read (no report window): a touchpoint is due whatever quarter its contract expires in.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from renewals_cli.coverage import account_csms
from renewals_cli.errors import UsageError
from renewals_cli.load.export import Export, RowAccounting
from renewals_cli.segments import SEGMENTS, Thresholds, account_segments
from renewals_cli.state import open_at

WELCOME, DAY_30, DAY_60, MONTH_6 = "welcome", "day_30", "day_60", "month_6"
QUOTE_120, RENEWAL_90 = "quote_120", "renewal_90"
ACCOUNT_TOUCHPOINTS: tuple[str, ...] = (WELCOME, DAY_30, DAY_60, MONTH_6)
RENEWAL_TOUCHPOINTS: tuple[str, ...] = (QUOTE_120, RENEWAL_90)
# Also the order of touchpoints falling on the same day.
TOUCHPOINTS: tuple[str, ...] = (*ACCOUNT_TOUCHPOINTS, *RENEWAL_TOUCHPOINTS)
Touchpoint = pl.Enum(TOUCHPOINTS)

# The low-touch long tail (SMB) is served one-to-many (email, webinars, community), other accounts by their CSM.
ONE_TO_MANY, CSM = "one_to_many", "csm"

JOURNEY_COLUMNS: tuple[str, ...] = (
    "date",
    "days_until",
    "touchpoint",
    "account_id",
    "account_name",
    "opportunity_id",
    "owner",
    "segment",
    "arr",
    "channel",
)

DEFAULT_DAYS = 14


@dataclass(frozen=True)
class Filters:
    """Which touchpoints to list: an empty sequence keeps every value."""

    owners: Sequence[str] = ()
    segments: Sequence[str] = ()
    touchpoints: Sequence[str] = ()


def check_filters(filters: Filters) -> None:
    """Raise UsageError for a segment or touchpoint that does not exist, listing the choices."""
    for option, given, choices in (
        ("--segment", filters.segments, SEGMENTS),
        ("--touchpoint", filters.touchpoints, TOUCHPOINTS),
    ):
        unknown = [value for value in given if value not in choices]
        if unknown:
            raise UsageError(f"{option} {unknown[0]}: expected one of {', '.join(choices)}")


def accounts(rows: pl.LazyFrame, thresholds: Thresholds) -> pl.LazyFrame:
    """One row per account of `rows` (accepted rows): `account_id`, `start` (earliest start_date, null when none),
    `account_name`, `csm`, `account_owner`, `segment` (text) and `arr` (SPEC §2, over `rows`).

    `account_name` is the name on the account's latest-expiring row among those that give one (alphabetically first
    on a tie). `csm` is the account's CSM (see `coverage.account_csms`); `account_owner` is that CSM, else the rep
    on the account's latest-expiring row (alphabetically first on a tie): who owns the account's own touchpoints.
    """
    expiry = pl.col("expiry_date")
    named = expiry.filter(pl.col("account_name").is_not_null())
    summary = rows.group_by("account_id").agg(
        start=pl.col("start_date").min(),
        account_name=pl.col("account_name").filter(expiry == named.max()).min(),
        latest_rep=pl.col("rep").filter(expiry == expiry.max()).min(),
    )
    tiers = account_segments(rows, thresholds).select(
        "account_id", segment=pl.col("segment").cast(pl.String), arr="account_arr"
    )
    return (
        summary.join(account_csms(rows), on="account_id", how="left")
        .join(tiers, on="account_id", how="left")
        .select(
            "account_id",
            "start",
            "account_name",
            "csm",
            account_owner=pl.coalesce("csm", "latest_rep"),
            segment="segment",
            arr="arr",
        )
    )


def _within(as_of: dt.date, days: int) -> pl.Expr:
    return pl.col("date").is_between(pl.lit(as_of), pl.lit(as_of + dt.timedelta(days=days)))


def _account_touchpoints(accounts_: pl.LazyFrame, as_of: dt.date, days: int) -> pl.LazyFrame:
    start = pl.col("start")
    dates = {
        WELCOME: start,
        DAY_30: start + pl.duration(days=30),
        DAY_60: start + pl.duration(days=60),
        MONTH_6: start.dt.offset_by("6mo"),  # Polars clamps to the month's last day
    }
    with_start = accounts_.filter(start.is_not_null())
    each = [
        with_start.select(
            date=date,
            touchpoint=pl.lit(name, dtype=Touchpoint),
            account_id="account_id",
            opportunity_id=pl.lit(None, dtype=pl.String),
            owner="account_owner",
        )
        for name, date in dates.items()
    ]
    return pl.concat(each, how="vertical").filter(_within(as_of, days))


def _renewal_touchpoints(rows: pl.LazyFrame, accounts_: pl.LazyFrame, as_of: dt.date, days: int) -> pl.LazyFrame:
    expiry = pl.col("expiry_date")
    dates = {QUOTE_120: expiry - pl.duration(days=120), RENEWAL_90: expiry - pl.duration(days=90)}
    open_rows = rows.filter(open_at(as_of))
    each = [
        open_rows.select(
            date=date,
            touchpoint=pl.lit(name, dtype=Touchpoint),
            account_id="account_id",
            opportunity_id="opportunity_id",
            rep="rep",
        )
        for name, date in dates.items()
    ]
    due = pl.concat(each, how="vertical").filter(_within(as_of, days))
    csms = accounts_.select("account_id", "csm")
    return due.join(csms, on="account_id", how="left").select(
        "date", "touchpoint", "account_id", "opportunity_id", owner=pl.coalesce("csm", "rep")
    )


def touchpoints(
    rows: pl.LazyFrame,
    thresholds: Thresholds,
    *,
    as_of: dt.date,
    days: int = DEFAULT_DAYS,
    filters: Filters = Filters(),
) -> pl.LazyFrame:
    """The touchpoints of `rows` (every accepted row, canonical columns) dated from `as_of` to `as_of` + `days`
    inclusive, as JOURNEY_COLUMNS.

    `days_until` is date − as_of (Int64). `opportunity_id` is the opportunity's (renewal touchpoints; null for
    account touchpoints). `owner` is the account's CSM, else the opportunity's rep for a renewal touchpoint and
    the account's owner (see `accounts`) for an account touchpoint. `segment` and `arr` are the account's;
    `channel` is `one_to_many` for SMB accounts, `csm` for the others.

    Ordered by date, then touchpoint (in TOUCHPOINTS order), account_id and opportunity_id (nulls last); rows still
    tied keep the order of `rows`. Raises UsageError for a negative `days` or an unknown filter value.
    """
    if days < 0:
        raise UsageError(f"--days must be 0 or more, not {days}")
    check_filters(filters)
    accounts_ = accounts(rows, thresholds)
    due = pl.concat(
        [_account_touchpoints(accounts_, as_of, days), _renewal_touchpoints(rows, accounts_, as_of, days)],
        how="vertical",
    )
    listed = due.join(
        accounts_.select("account_id", "account_name", "segment", "arr"),
        on="account_id",
        how="left",
        maintain_order="left",
    ).with_columns(
        days_until=(pl.col("date") - pl.lit(as_of)).dt.total_days().cast(pl.Int64),
        channel=pl.when(pl.col("segment") == "smb").then(pl.lit(ONE_TO_MANY)).otherwise(pl.lit(CSM)),
    )
    listed = _filtered(listed, filters, owner="owner")
    return (
        listed.sort(["date", "touchpoint", "account_id", "opportunity_id"], nulls_last=True, maintain_order=True)
        .with_columns(pl.col("touchpoint").cast(pl.String))
        .select(JOURNEY_COLUMNS)
    )


def _filtered(frame: pl.LazyFrame, filters: Filters, *, owner: str) -> pl.LazyFrame:
    if filters.owners:
        frame = frame.filter(pl.col(owner).is_in(list(filters.owners)))
    if filters.segments:
        frame = frame.filter(pl.col("segment").is_in(list(filters.segments)))
    if filters.touchpoints:
        frame = frame.filter(pl.col("touchpoint").cast(pl.String).is_in(list(filters.touchpoints)))
    return frame


def without_start(rows: pl.LazyFrame, thresholds: Thresholds, filters: Filters = Filters()) -> pl.LazyFrame:
    """How many accounts of `rows` have no start date (one row, `accounts`): their account touchpoints cannot be
    dated. Counted among the accounts the owner and segment filters keep (by the account's owner, see `accounts`);
    0 when the touchpoint filter keeps no account touchpoint."""
    check_filters(filters)
    if filters.touchpoints and not set(filters.touchpoints) & set(ACCOUNT_TOUCHPOINTS):
        return pl.LazyFrame({"accounts": [0]}, schema={"accounts": pl.Int64})
    missing = accounts(rows, thresholds).filter(pl.col("start").is_null())
    kept = _filtered(missing, Filters(owners=filters.owners, segments=filters.segments), owner="account_owner")
    return kept.select(accounts=pl.len().cast(pl.Int64))


@dataclass(frozen=True)
class Journey:
    """What `renewals journey` shows: the touchpoints, how many accounts have no start date, the row accounting."""

    touchpoints: pl.DataFrame
    without_start: int
    accounting: RowAccounting


def journey(
    export: Export,
    thresholds: Thresholds,
    *,
    as_of: dt.date,
    days: int = DEFAULT_DAYS,
    filters: Filters = Filters(),
) -> Journey:
    """The export's touchpoints (see `touchpoints`) over every accepted row, with the row accounting."""
    check_filters(filters)
    accounting, (listed, missing) = export.read(
        lambda rows: [
            touchpoints(rows, thresholds, as_of=as_of, days=days, filters=filters),
            without_start(rows, thresholds, filters),
        ]
    )
    return Journey(touchpoints=listed, without_start=int(missing["accounts"][0]), accounting=accounting)
