"""Seeded generator of realistic synthetic CRM renewal exports (SPEC §4, `renewals sample`).

`generate` first builds one *book* of renewal opportunities — a pure function of (rows, seed, as_of) — and then
renders it as the chosen CRM would export it. The styles differ only in column names and value renderings (and
HubSpot exports carry no `arr` or `batch` column), so every style of one book yields the same KPIs.

The book models what a renewals leader sees:
- accounts with a long-tailed (lognormal) ARR: a few strategic accounts, some enterprise, a long tail of SMB;
- each account holds one or more annual contracts (larger accounts hold more); each contract comes up for renewal
  once in the year before `as_of` and once in the year after it, a quarter of them on a month end;
- the customer's answer arrives around the expiry date (mostly within a few weeks either side, with a long late
  tail of stalled deals); an answer not arrived by `as_of` leaves the row open, so past expiries are mostly
  resolved (some still open: past due) and future expiries mostly open (a few renewed early);
- smaller accounts churn more often; won rows renew at 0.75-1.35 x the prior amount (down-sell, price uplift or
  expansion); lost rows have a close date and no renewal amount; open rows have neither;
- each account became a customer on one start date, carried by every row of the account: mostly before its first
  contract in the book began, spread over the six years before `as_of`, and for a realistic share of young
  accounts within the last year (a few starting in the next two weeks), so that the journey's onboarding
  touchpoints have something to show; some accounts have the date blank;
- about a quarter of accounts, mostly in the long tail, were sold through a channel partner, the rest direct;
- most lost rows name a churn reason, a few leave it blank.

Random draws come from SHAKE-128 keyed by (seed, purpose) and become columns through vectorised Polars
operations: no Python loop per row, the same values on every platform and Python version, and a new kind of draw
never shifts the values of the existing ones.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Literal, cast, get_args

import polars as pl
import pyarrow as pa

Style = Literal["canonical", "salesforce", "hubspot"]
STYLES: tuple[Style, ...] = get_args(Style)
DEFAULT_AS_OF = date(2026, 11, 25)

REPS = (
    "Maya Patel",
    "Jordan Reyes",
    "Sofia Lindqvist",
    "Marcus Okafor",
    "Emily Chen",
    "Daniel Kowalski",
    "Aisha Rahman",
    "Lucas Moreau",
    "Hannah Becker",
    "Tom O'Brien",
    "Priya Nair",
)
# Books are uneven: tenured reps carry more accounts than this year's hires.
_REP_WEIGHTS = (1.4, 1.3, 1.2, 1.1, 1.0, 1.0, 0.9, 0.9, 0.8, 0.6, 0.4)
CSMS = ("Grace Kim", "Omar Haddad", "Lena Fischer", "Ben Carter", "Ines Duarte")
# Channel partners, the busiest first; an account sold without one is direct (the partner left empty).
PARTNERS = ("Northgate Solutions", "Bluefin Consulting", "Apex Cloud Partners", "Keel & Co. Resellers")
_PARTNER_WEIGHTS = (0.4, 0.3, 0.2, 0.1)
# Why renewals were lost, the commonest first; None: the rep left the reason blank.
CHURN_REASONS = (
    "Budget cuts",
    "Switched to a competitor",
    "Low adoption",
    "Missing features",
    "Acquired or merged",
    "Went out of business",
    None,
)
_CHURN_REASON_WEIGHTS = (0.24, 0.20, 0.17, 0.12, 0.09, 0.08, 0.10)

_NAME_PREFIXES = (
    "Acme", "Northwind", "Blue Harbor", "Summit", "Ironclad", "Brightline", "Cedar", "Pioneer", "Silverline",
    "Evergreen", "Redwood", "Keystone", "Lighthouse", "Granite", "Meridian", "Nimbus", "Orchid", "Polaris",
    "Quantum", "Riverbend", "Sterling", "Tidewater", "Vertex", "Willow", "Atlas", "Beacon", "Crescent", "Falcon",
    "Horizon", "O'Hara",
)  # fmt: skip
_NAME_CORES = (
    "Logistics", "Health", "Analytics", "Foods", "Energy", "Robotics", "Capital", "Media", "Software", "Bio",
    "Retail", "Manufacturing", "Labs", "Networks", "Insurance", "Travel", "Education", "Pharma", "Security",
    "Freight",
)  # fmt: skip
# Some suffixes carry a comma so that CSV quoting is exercised the way real account names exercise it.
_NAME_SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "Group", "Holdings, Inc.", "Co.", "S.A.", "Corp.", "AG")

# Open stages in the order a renewal moves through them; the book stores the position, styles name it.
_SALESFORCE_STAGES = ("Renewal Identified", "Pending", "Quote Sent", "Negotiation", "Closed Won", "Closed Lost")
_HUBSPOT_STAGES = (
    "Appointment scheduled",
    "Qualified to buy",
    "Decision maker bought-in",
    "Contract sent",
    "Closed won",
    "Closed lost",
)
_OPEN_STAGES = 4  # the stage lists above: four open stages, then won, then lost
# English month names whatever the process locale (strftime's %b follows it).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_CONTRACTS_PER_ACCOUNT = 1.3  # mean over candidate accounts; larger accounts draw more contracts
_MEDIAN_ACCOUNT_ARR = 20_000.0
_ARR_SIGMA = 1.3  # lognormal spread: about 0.7% of accounts reach 500k and 4% reach 200k
_MIN_ACCOUNT_ARR = 1_200.0  # the smallest plan: $100 a month
_STRATEGIC_ARR = 500_000.0
_ENTERPRISE_ARR = 200_000.0

_YOUNG_ACCOUNTS = 0.15  # the share of accounts that became customers within the last year (or start soon)
_START_LEAD_DAYS = 14  # how far ahead of `as_of` a signed young account's start may lie
_MAX_START_GAP_DAYS = 4 * 365  # an established account's start precedes its first contract by up to this
_START_BLANK = 0.05  # the share of accounts whose start date the CRM leaves empty

_STATUS = pl.Enum(["open", "won", "lost"])
_EPOCH = date(1970, 1, 1)  # Polars stores a Date as the number of days since this one


def generate(
    rows: int,
    *,
    seed: int = 0,
    style: Style = "canonical",
    as_of: date = DEFAULT_AS_OF,
) -> pl.DataFrame:
    """A synthetic renewal export of exactly `rows` rows, one per opportunity, sorted by expiry date.

    The same (rows, seed, as_of) always gives the same frame, and the same opportunities in every style.
    Raises ValueError for a negative `rows` or an unknown `style`.
    """
    if rows < 0:
        raise ValueError(f"rows must be zero or more, not {rows}")
    if style not in STYLES:
        raise ValueError(f"unknown sample style {style!r}; expected one of {', '.join(STYLES)}")
    if rows == 0:
        # The model needs at least one account; an empty export keeps the style's columns and types.
        return generate(1, seed=seed, style=style, as_of=as_of).clear()
    return _RENDERERS[style](_book(rows, seed, as_of))


def write_sample(
    path: Path,
    rows: int,
    *,
    seed: int = 0,
    style: Style = "canonical",
    as_of: date = DEFAULT_AS_OF,
) -> None:
    """Write `generate(rows, ...)` to `path` as CSV or Parquet, chosen by the suffix (`.csv`, `.parquet`).

    The file appears complete or not at all: it is written to a temporary file of its own beside `path` (runs
    writing the same path at once never share one) and then moved into place.
    Raises ValueError for any other suffix, before any work is done.
    """
    write = _writer_for(path)
    frame = generate(rows, seed=seed, style=style, as_of=as_of)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    partial = Path(name)
    try:
        write(frame, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def writer(frame: pl.DataFrame, path: Path) -> Callable[[Path], None]:
    """What writes `frame` to a file at any path in the format `path`'s suffix names (ValueError for another)."""
    write = _writer_for(path)
    return lambda target: write(frame, target)


def _writer_for(path: Path) -> Callable[[pl.DataFrame, Path], None]:
    write = _WRITERS.get(path.suffix.lower())
    if write is None:
        raise ValueError(f"cannot write a sample to {path}: the file name must end in .csv or .parquet")
    return write


_WRITERS: dict[str, Callable[[pl.DataFrame, Path], None]] = {
    ".csv": lambda frame, path: frame.write_csv(path),
    ".parquet": lambda frame, path: frame.write_parquet(path),
}


# --- random draws -------------------------------------------------------------------------------------------


def _uniform(seed: int, purpose: str, n: int) -> pl.Series:
    """`n` independent draws, uniform on the open interval (0, 1), fixed by (seed, purpose, n)."""
    raw = hashlib.shake_128(f"renewals-sample:{seed}:{purpose}".encode()).digest(4 * n)
    words = pl.Series(purpose, pa.Array.from_buffers(pa.uint32(), n, [None, pa.py_buffer(raw)]))
    # The half-step offset keeps 0 out, so log(u) is always finite.
    return (words.cast(pl.Float64) + 0.5) / 2**32


def _normal(seed: int, purpose: str, n: int) -> pl.Series:
    """`n` standard normal draws (Box-Muller), fixed by (seed, purpose, n)."""
    radius = (-2.0 * _uniform(seed, f"{purpose}/radius", n).log()).sqrt()
    angle = 2.0 * math.pi * _uniform(seed, f"{purpose}/angle", n)
    return radius * angle.cos()


def _pick(u: pl.Series, weights: tuple[float, ...]) -> pl.Series:
    """For each uniform draw, the index of the option it falls on when options get `weights` shares of (0, 1)."""
    total = sum(weights)
    edges = pl.Series([sum(weights[: i + 1]) / total for i in range(len(weights) - 1)])
    return edges.search_sorted(u, side="right")


# --- calendar -----------------------------------------------------------------------------------------------


def _per_day(days: pl.Series, value: Callable[[date], object], dtype: type[pl.DataType]) -> pl.Series:
    """`value(day)` for each date in `days` (null stays null), computed once per calendar day of their range.

    A book's dates span a few years, so a table of a thousand-odd entries looked up by position replaces
    per-row calendar arithmetic and formatting, which cost far more at millions of rows.
    """
    numbers = days.cast(pl.Int32)
    present = numbers.drop_nulls()
    if present.is_empty():
        return pl.Series(days.name, [None] * len(days), dtype=dtype)
    first, last = cast(int, present.min()), cast(int, present.max())
    table = pl.Series([value(_EPOCH + timedelta(days=n)) for n in range(first, last + 1)], dtype=dtype)
    return table.gather(numbers - first).alias(days.name)


def _day_number(day: date) -> int:
    """`day` as Polars stores a Date: days since 1970-01-01."""
    return (day - _EPOCH).days


def _month_end(day: date) -> date:
    """The last day of `day`'s month."""
    first_of_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _a_year_later(day: date) -> date:
    """The same day a year later (29 February becomes 28 February)."""
    return date(day.year + 1, day.month, min(day.day, 28 if day.month == 2 else 31))


def _a_year_earlier(day: date) -> date:
    """The same day a year earlier (29 February becomes 28 February)."""
    return date(day.year - 1, day.month, min(day.day, 28 if day.month == 2 else 31))


def _fiscal_quarter(day: date) -> str:
    """The fiscal quarter of `day`, written `FY27-Q1`, for fiscal years starting in February and named by the
    calendar year they end in (the Salesforce convention)."""
    fiscal_year = day.year + (1 if day.month >= 2 else 0)
    return f"FY{fiscal_year % 100:02d}-Q{(day.month - 2) % 12 // 3 + 1}"


# --- the book -----------------------------------------------------------------------------------------------


def _book(rows: int, seed: int, as_of: date) -> pl.DataFrame:
    """The underlying opportunities (rows >= 1), sorted by expiry date, with canonical values and the helper
    columns the renderers use.

    Columns: opportunity_no, account_no (0-based, in creation order), expiry_date, prior_amount, status,
    renewal_amount, close_date, close_minute, open_stage, churn_reason, account_name, rep, strategic, csm,
    partner, arr, start_date, batch.
    """
    contracts_needed = (rows + 1) // 2
    renewing_twice = rows - contracts_needed  # contracts whose next renewal also falls in the export
    accounts = _accounts(max(1, round(contracts_needed / _CONTRACTS_PER_ACCOUNT)), seed)
    contracts = _contracts(contracts_needed, accounts["size"], seed, as_of)
    this_year = _resolve(contracts, 0, seed, as_of)
    # A contract renewed this year comes up again at what it renewed at. Rows are not otherwise chained by
    # outcome: a line lost this year still has a next-year row, standing for the account's other business that
    # renews then. No KPI can tell, and it keeps the export at exactly `rows` rows.
    renewed = this_year.head(renewing_twice)
    next_year = _resolve(
        renewed.select(
            "account_no",
            "size",
            _per_day(renewed["expiry_date"], _a_year_later, pl.Date),
            prior_amount=pl.coalesce("renewal_amount", "prior_amount"),
        ),
        1,
        seed,
        as_of,
    )
    latest_prior = pl.concat([next_year["prior_amount"], this_year["prior_amount"].slice(renewing_twice)])
    accounts = accounts.with_columns(
        arr=_reported_arr(contracts["account_no"], latest_prior, len(accounts), seed),
        start_date=_customer_since(contracts["account_no"], contracts["expiry_date"], len(accounts), seed, as_of),
    ).drop("size")
    # Opportunity numbers follow creation order (this year's renewals were created before next year's); the
    # stable sort keeps that order among rows expiring on the same day.
    book = (
        pl.concat([this_year, next_year])
        .drop("size")
        .with_columns(opportunity_no=pl.int_range(pl.len()))
        .sort("expiry_date", maintain_order=True)
    )
    # Account attributes are looked up by position (account_no is the row of `accounts`): cheaper than a join.
    return pl.concat([book, accounts[book["account_no"]]], how="horizontal").with_columns(
        batch=_per_day(book["expiry_date"], _fiscal_quarter, pl.String)
    )


def _accounts(n: int, seed: int) -> pl.DataFrame:
    """`n` candidate accounts, account_no being the row number: size (target ARR), account_name, rep, strategic,
    csm, partner. Candidates that draw no contract do not appear in the export, leaving gaps in the ids as real
    CRMs do."""
    size = (
        (math.log(_MEDIAN_ACCOUNT_ARR) + _ARR_SIGMA * _normal(seed, "account/size", n))
        .exp()
        .clip(lower_bound=_MIN_ACCOUNT_ARR)
    )
    names = pl.Series([" ".join(parts) for parts in itertools.product(_NAME_PREFIXES, _NAME_CORES, _NAME_SUFFIXES)])
    frame = pl.DataFrame(
        {
            "size": size,
            "u_strategic": _uniform(seed, "account/strategic", n),
            "u_csm": _uniform(seed, "account/csm", n),
            "u_partnered": _uniform(seed, "account/partnered", n),
            "named_partner": pl.Series(PARTNERS).gather(_pick(_uniform(seed, "account/partner", n), _PARTNER_WEIGHTS)),
        }
    )
    strategic_odds = (
        pl.when(pl.col("size") >= _STRATEGIC_ARR)
        .then(0.6)
        .when(pl.col("size") >= _ENTERPRISE_ARR)
        .then(0.25)
        .otherwise(0.003)  # the odd logo account kept strategic for its brand, whatever it pays
    )
    # Larger accounts get a named CSM; much of the long tail is served digitally, with nobody assigned.
    assigned_odds = (
        pl.when(pl.col("size") >= _ENTERPRISE_ARR).then(0.97).when(pl.col("size") >= 50_000).then(0.85).otherwise(0.55)
    )
    # Channel partners sell mostly to the long tail; large accounts are mostly sold direct.
    partnered_odds = (
        pl.when(pl.col("size") >= _ENTERPRISE_ARR).then(0.05).when(pl.col("size") >= 50_000).then(0.15).otherwise(0.3)
    )
    # Clipped because `when` evaluates this for unassigned accounts too, where it would run past the list.
    csm_index = (pl.col("u_csm") / assigned_odds * len(CSMS)).floor().cast(pl.Int64).clip(0, len(CSMS) - 1)
    name_index = (_uniform(seed, "account/name", n) * len(names)).floor().cast(pl.Int64)  # names may repeat
    return frame.select(
        "size",
        account_name=names.gather(name_index),
        rep=pl.Series(REPS).gather(_pick(_uniform(seed, "account/rep", n), _REP_WEIGHTS)),
        strategic=pl.col("u_strategic") < strategic_odds,
        csm=pl.when(pl.col("u_csm") < assigned_odds).then(pl.lit(pl.Series(CSMS)).gather(csm_index)),
        partner=pl.when(pl.col("u_partnered") < partnered_odds).then("named_partner"),
    )


def _contracts(n: int, account_size: pl.Series, seed: int, as_of: date) -> pl.DataFrame:
    """`n` annual contracts: account_no, size, expiry_date (the expiry in the year before `as_of`), prior_amount.

    Each contract's account is drawn in proportion to a weight growing with the account's size, so larger
    accounts hold more contracts; a contract's amount is a share of its account's size, so that an account's
    contracts add up to its size on average.
    """
    weight = 1.0 + 0.8 * (account_size / _MEDIAN_ACCOUNT_ARR).log10().clip(0.0, 2.0)
    cumulative = weight.cum_sum()
    # Sorted draws make the search one sweep and number an account's contracts consecutively, as a CRM creating
    # them together would; account_no comes out sorted, and saying so lets later group-bys take a fast path.
    drawn = (_uniform(seed, "contract/account", n) * cumulative[-1]).sort()
    account_no = (
        cumulative.search_sorted(drawn, side="right").clip(upper_bound=len(weight) - 1).cast(pl.Int64).set_sorted()
    )
    days_ago = (_uniform(seed, "contract/anniversary", n) * 365).ceil().cast(pl.Int32)
    anniversary = (_day_number(as_of) - days_ago).cast(pl.Date)
    contracts = pl.DataFrame(
        {
            "account_no": account_no,
            "size": account_size.gather(account_no),
            "expected_contracts": (weight * (n / cumulative[-1])).gather(account_no),
            "share": 0.4 + 1.2 * _uniform(seed, "contract/share", n),  # averages 1
            "anniversary": anniversary,
            "month_end": _per_day(anniversary, _month_end, pl.Date),
            "u_month_end": _uniform(seed, "contract/month_end", n),
        }
    )
    return contracts.select(
        "account_no",
        "size",
        # A quarter of contracts are written to end on a month end; the rest on their signature anniversary.
        expiry_date=pl.when(pl.col("u_month_end") < 0.25).then("month_end").otherwise("anniversary"),
        prior_amount=(pl.col("size") * pl.col("share") / pl.col("expected_contracts")).round(0).clip(lower_bound=300.0),
    )


def _resolve(opportunities: pl.DataFrame, year: int, seed: int, as_of: date) -> pl.DataFrame:
    """Add status, renewal_amount, close_date, close_minute, open_stage and churn_reason to one year's
    opportunities (year 0: the contracts' expiry before `as_of`, 1: the one after), as they stand on `as_of`."""
    n = len(opportunities)
    draws = pl.DataFrame(
        {
            "u_timing": _uniform(seed, f"year{year}/timing", n),
            "u_churn": _uniform(seed, f"year{year}/churn", n),
            "u_conversion": _uniform(seed, f"year{year}/conversion", n),
            "u_minute": _uniform(seed, f"year{year}/minute", n),
            "u_stage": _uniform(seed, f"year{year}/stage", n),
            "reason": pl.Series(CHURN_REASONS, dtype=pl.String).gather(
                _pick(_uniform(seed, f"year{year}/churn_reason", n), _CHURN_REASON_WEIGHTS)
            ),
        }
    )
    today = _day_number(as_of)
    # Steps as separate columns: eager Polars would otherwise evaluate a shared sub-expression once per use.
    return (
        pl.concat([opportunities, draws], how="horizontal")
        .with_columns(
            expiry=pl.col("expiry_date").cast(pl.Int32),
            delay=_answer_delay(pl.col("u_timing"), pl.col("size")),
        )
        .with_columns(answered=pl.col("expiry") + pl.col("delay") <= today)
        .with_columns(
            status=pl.when(~pl.col("answered"))
            .then(pl.lit("open", _STATUS))
            .when(pl.col("u_churn") < _churn_odds(pl.col("size")))
            .then(pl.lit("lost", _STATUS))
            .otherwise(pl.lit("won", _STATUS))
        )
        .with_columns(
            renewal_amount=pl.when(pl.col("status") == "won").then(
                (pl.col("prior_amount") * _conversion(pl.col("u_conversion"))).round(2)
            ),
            close_date=pl.when("answered").then(pl.col("expiry") + pl.col("delay")).cast(pl.Date),
            # Only HubSpot shows it: the time of day a rep marked the deal closed, in office hours.
            close_minute=pl.when("answered").then((8 * 60 + pl.col("u_minute") * 10 * 60).floor().cast(pl.Int32)),
            open_stage=pl.when(~pl.col("answered")).then(_open_stage(pl.col("expiry") - today, pl.col("u_stage"))),
            churn_reason=pl.when(pl.col("status") == "lost").then("reason"),
        )
        .drop(*draws.columns, "expiry", "delay", "answered")
    )


def _answer_delay(u: pl.Expr, size: pl.Expr) -> pl.Expr:
    """Days from expiry to the customer's answer (negative: early), by inverse CDF of one uniform draw.

    88% answer near the expiry (logistic, spread about two weeks; larger accounts negotiate earlier), the rest
    stall, with an exponential tail averaging 80 days late.
    """
    near = u < 0.88
    v = pl.when(near).then(u / 0.88).otherwise((u - 0.88) / 0.12)
    centre = -8.0 - 12.0 * (size / _MEDIAN_ACCOUNT_ARR).log10().clip(0.0, 2.0)
    delay = pl.when(near).then(centre + 9.0 * (v / (1.0 - v)).log()).otherwise(-80.0 * (1.0 - v).log())
    return delay.round(0).cast(pl.Int32)


def _churn_odds(size: pl.Expr) -> pl.Expr:
    """Probability that an answered renewal is lost: about 18% for a $10k account down to 6% at $1M."""
    return (0.18 - 0.06 * (size / 10_000).log10()).clip(0.03, 0.25)


def _conversion(u: pl.Expr) -> pl.Expr:
    """Renewal amount / prior amount of a won renewal, by inverse CDF of one uniform draw.

    15% down-sell (0.75-0.97), 60% flat or price uplift (1.00-1.07), 25% expansion (1.07-1.35): about 1.05
    on average.
    """
    return (
        pl.when(u < 0.15)
        .then(0.75 + (u / 0.15) * 0.22)
        .when(u < 0.75)
        .then(1.00 + ((u - 0.15) / 0.60) * 0.07)
        .otherwise(1.07 + ((u - 0.75) / 0.25) * 0.28)
    )


def _open_stage(days_to_expiry: pl.Expr, u: pl.Expr) -> pl.Expr:
    """Position (0-3) in the open stages, by one uniform draw: far-off renewals sit early in the pipeline,
    near or past-due ones late."""
    return (3.5 - days_to_expiry / 40 + 1.5 * (u - 0.5)).floor().clip(0, _OPEN_STAGES - 1).cast(pl.Int8)


def _reported_arr(account_no: pl.Series, latest_prior: pl.Series, accounts: int, seed: int) -> pl.Series:
    """Per account (by position), the ARR the CRM shows on it: the sum of its contracts' latest amounts.

    About 6% of accounts have the field empty, as in any CRM where it is kept up by hand.
    """
    # Summed in whole cents: integer sums do not depend on the order a parallel group-by adds them in.
    totals = (
        pl.DataFrame({"account_no": account_no, "cents": (latest_prior * 100).round(0).cast(pl.Int64)})
        .group_by("account_no")
        .agg(pl.col("cents").sum())
    )
    cents = pl.Series("cents", [None] * accounts, dtype=pl.Int64).scatter(totals["account_no"], totals["cents"])
    kept = _uniform(seed, "account/arr_kept", accounts) >= 0.06
    # Rounded again: Polars divides by multiplying with 0.01, which can land a hair off the nearest cent.
    return pl.select(arr=pl.when(kept).then((cents / 100).round(2))).to_series()


def _customer_since(account_no: pl.Series, first_expiry: pl.Series, accounts: int, seed: int, as_of: date) -> pl.Series:
    """Per account (by position), the date it became a customer, given each contract's account and the expiry
    of its renewal in the year before `as_of`.

    An established account started from a day to four years before its first contract did (a year before that
    contract's earliest expiry), short gaps more often than long ones as a growing customer base has more young
    customers than old: starts spread over the six years before `as_of`. A young account (15%) became a customer
    within the last year, or signed and starts within the next two weeks; the book gives it renewals all the same,
    so its start can come after its first renewal. About 5% of accounts have the date empty.
    """
    earliest = (
        pl.DataFrame({"account_no": account_no, "expiry": first_expiry.cast(pl.Int32)})
        .group_by("account_no")
        .agg(pl.col("expiry").min())
    )
    expiry = pl.Series("expiry", [None] * accounts, dtype=pl.Int32).scatter(earliest["account_no"], earliest["expiry"])
    first_contract_start = _per_day(expiry.cast(pl.Date), _a_year_earlier, pl.Date).cast(pl.Int32)
    gap = (1 + _uniform(seed, "account/start_gap", accounts).pow(2) * (_MAX_START_GAP_DAYS - 1)).floor()
    recent = (_uniform(seed, "account/start_recent", accounts) * (365 + _START_LEAD_DAYS + 1)).floor()
    young = _uniform(seed, "account/start_young", accounts) < _YOUNG_ACCOUNTS
    known = _uniform(seed, "account/start_known", accounts) >= _START_BLANK
    day = pl.when(young).then(_day_number(as_of) + _START_LEAD_DAYS - recent).otherwise(first_contract_start - gap)
    return pl.select(start_date=pl.when(known).then(day.cast(pl.Int32).cast(pl.Date))).to_series()


# --- rendering ----------------------------------------------------------------------------------------------


def _render_canonical(book: pl.DataFrame) -> pl.DataFrame:
    """Canonical column names (SPEC §1), ISO dates, plain numbers, status open/won/lost."""
    digits = max(6, len(str(len(book))))  # wide enough for every number, as accounts never outnumber rows
    return book.select(
        opportunity_id=_numbered("OPP-", "opportunity_no", digits),
        account_id=_numbered("ACC-", "account_no", digits),
        account_name="account_name",
        rep="rep",
        expiry_date="expiry_date",
        prior_amount="prior_amount",
        status=pl.col("status").cast(pl.String),
        renewal_amount="renewal_amount",
        close_date="close_date",
        arr="arr",
        strategic="strategic",
        batch="batch",
        csm="csm",
        start_date="start_date",
        partner="partner",
        churn_reason="churn_reason",
    )


def _render_salesforce(book: pl.DataFrame) -> pl.DataFrame:
    """A Salesforce opportunity report: its headers, 15-character ids, `$1,234.50`, US dates, Stage names."""
    month = _per_day(book["expiry_date"], lambda day: f"{_MONTHS[day.month - 1]} {day.year}", pl.String)
    return book.select(
        _numbered("0065e", "opportunity_no", 10).alias("Opportunity ID"),
        pl.format("{} - Renewal - {}", "account_name", month).alias("Opportunity Name"),
        _numbered("0015e", "account_no", 10).alias("Account ID"),
        pl.col("account_name").alias("Account Name"),
        pl.col("rep").alias("Opportunity Owner"),
        _per_day(book["expiry_date"], _us_date, pl.String).alias("Contract End Date"),
        _dollars(book["prior_amount"]).alias("Available To Renew"),
        _stage(_SALESFORCE_STAGES).alias("Stage"),
        _dollars(book["renewal_amount"]).alias("Amount (Converted)"),
        _per_day(book["close_date"], _us_date, pl.String).alias("Close Date"),
        _dollars(book["arr"]).alias("Account ARR"),
        pl.when(pl.col("strategic")).then(pl.lit("Yes")).otherwise(pl.lit("")).alias("Strategic Account"),
        pl.col("batch").alias("Renewal Batch"),
        pl.col("csm").alias("CSM"),
        _per_day(book["start_date"], _us_date, pl.String).alias("Contract Start Date"),
        pl.col("partner").alias("Partner Account"),
        pl.col("churn_reason").alias("Loss Reason"),
    )


def _render_hubspot(book: pl.DataFrame) -> pl.DataFrame:
    """A HubSpot deals export: its headers, numeric record ids, `2026-03-31 14:05` datetimes, deal stages;
    no account ARR and no batch (HubSpot deals carry neither)."""
    clock = pl.Series([f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(24 * 60)])
    return book.select(
        (pl.col("opportunity_no") + 9_000_000_001).cast(pl.String).alias("Record ID"),
        pl.format("{} renewal {}", "account_name", pl.col("expiry_date").dt.year()).alias("Deal Name"),
        (pl.col("account_no") + 5_000_000_001).cast(pl.String).alias("Company ID"),
        pl.col("account_name").alias("Company Name"),
        pl.col("rep").alias("Deal Owner"),
        _per_day(book["expiry_date"], lambda day: f"{day.isoformat()} 00:00", pl.String).alias("Renewal Date"),
        pl.col("prior_amount").alias("Expiring ARR"),
        _stage(_HUBSPOT_STAGES).alias("Deal Stage"),
        pl.col("renewal_amount").alias("Amount"),
        pl.concat_str(
            _per_day(book["close_date"], date.isoformat, pl.String),
            pl.lit(clock).gather(pl.col("close_minute")),
            separator=" ",
        ).alias("Close Date"),
        pl.col("strategic").cast(pl.String).alias("Strategic"),
        pl.col("csm").alias("Customer Success Manager"),
        _per_day(book["start_date"], lambda day: f"{day.isoformat()} 00:00", pl.String).alias("Customer Since"),
        pl.col("partner").alias("Channel Partner"),
        pl.col("churn_reason").alias("Closed Lost Reason"),
    )


_RENDERERS: dict[Style, Callable[[pl.DataFrame], pl.DataFrame]] = {
    "canonical": _render_canonical,
    "salesforce": _render_salesforce,
    "hubspot": _render_hubspot,
}


def _numbered(prefix: str, column: str, digits: int) -> pl.Expr:
    """`prefix` then the 1-based number zero-padded to `digits`: fixed width, so text order is number order."""
    # Adding 10**digits and dropping the leading 1 pads with zeros several times faster than str.zfill.
    padded = (pl.col(column) + (10**digits + 1)).cast(pl.String).str.slice(1)
    return pl.concat_str(pl.lit(prefix), padded)


def _stage(stages: tuple[str, ...]) -> pl.Expr:
    """The stage name of each row from a CRM's list: its open stages in order, then won, then lost."""
    index = (
        pl.when(pl.col("status") == "won")
        .then(_OPEN_STAGES)
        .when(pl.col("status") == "lost")
        .then(_OPEN_STAGES + 1)
        .otherwise(pl.col("open_stage"))
    )
    return pl.lit(pl.Series(stages)).gather(index)


def _us_date(day: date) -> str:
    """A date as US Salesforce users see it: `03/31/2026`."""
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def _dollars(amounts: pl.Series) -> pl.Series:
    """Money as a Salesforce report writes it, `$1,234.50`, for amounts below a trillion; null stays null."""
    cents = (amounts * 100).round(0).cast(pl.Int64)
    dollars = cents // 100
    # Assembled from lookup tables of digit groups, chosen by integer arithmetic: several times faster than
    # formatting text per row or choosing text with `when`.
    leading = pl.Series([f"${group}" for group in range(1000)])
    following = pl.Series(["", *(f",{group:03d}" for group in range(1000))])  # 0: the group is not shown
    fraction = pl.Series([f".{hundredths:02d}" for hundredths in range(100)])
    shown = [(dollars >= 1000 ** (power + 1)).cast(pl.Int64) for power in range(3)]
    lead = dollars // (1000 ** (shown[0] + shown[1] + shown[2]))
    groups = [following.gather((dollars // 1000**power % 1000 + 1) * shown[power]) for power in (2, 1, 0)]
    return pl.select(pl.concat_str(leading.gather(lead), *groups, fraction.gather(cents % 100))).to_series()
