"""Cost to serve and CSM coverage per segment or per CSM (SPEC §6).

Each account has one CSM (or none); a CSM's `annual_cost` is spread over the segments they serve in proportion
to the number of their accounts in each. Everything is rolled up from one small frame of "parts" — accounts, ARR
and allocated cost per (segment, CSM) — so both groupings read the same numbers.
"""

import codecs
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from renewals_cli.errors import InputError, UsageError, first_line, listed
from renewals_cli.kpis import MONEY, ratio
from renewals_cli.load.columns import normalise
from renewals_cli.load.sources import open_source
from renewals_cli.load.values import money_from
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
UNASSIGNED = "unassigned"  # the `csm` key of the accounts no row assigns
CONFIG_SOURCE = "renewals.toml [csm_costs]"

# Headers accepted for the costs file's columns (folded like export headers); `csm` takes the export's aliases.
_COST_HEADERS: dict[str, tuple[str, ...]] = {
    "csm": ("csm", "Customer Success Manager"),
    "annual_cost": ("annual_cost",),
}
_EXPECTED = "expected columns csm and annual_cost"
_COSTS_SCHEMA = {"csm": pl.String(), "annual_cost": pl.Float64()}


# ---------------------------------------------------------------------------------------------- costs


def load_costs(path: Path, *, decimal_comma: bool = False) -> pl.DataFrame:
    """The CSM costs file as `csm` (String), `annual_cost` (Float64), one row per CSM in file order.

    CSV (encoding and delimiter detected as for exports) or Parquet; headers match case-, space- and
    punctuation-insensitively, `csm` also as `Customer Success Manager`; other columns are ignored, as are blank
    lines. Costs are money as in SPEC §1 (`$120,000`, `120k`). Raises `InputError` naming the file (and the line)
    for a missing or empty file, a missing column, an empty csm, a missing, unparseable or negative cost, or a
    CSM listed twice.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file ({_EXPECTED})") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a CSV file with columns csm and annual_cost") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise InputError(f"{path}: the file is empty ({_EXPECTED}, one row per CSM)")
    source = open_source(path, encoding=None, delimiter=None)
    by_folded: dict[str, str] = {}
    for header in source.headers:
        by_folded.setdefault(normalise(header), header)
    found = {
        name: next((by_folded[normalise(a)] for a in aliases if normalise(a) in by_folded), None)
        for name, aliases in _COST_HEADERS.items()
    }
    missing = [name for name, header in found.items() if header is None]
    if missing:
        raise InputError(f"{path}: no {' or '.join(missing)} column (headers: {listed(source.headers)}); {_EXPECTED}")
    csm_header, cost_header = found["csm"], found["annual_cost"]
    assert csm_header is not None and cost_header is not None
    schema = source.frame.collect_schema()
    # The header is line 1 and polars keeps blank lines as empty rows, so row i (from 0) is on line i + 2.
    where = "line" if source.kind == "csv" else "row"
    offset = 2 if source.kind == "csv" else 1
    raw = source.frame.select(
        where=pl.format(f"{where} {{}}", pl.int_range(pl.len()) + offset),
        csm=_text(pl.col(csm_header)),
        text=_text(pl.col(cost_header)),
        annual_cost=money_from(pl.col(cost_header), schema[cost_header], decimal_comma=decimal_comma),
    )
    try:
        entries = raw.collect()
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{path}: cannot be read ({first_line(exc)})") from None
    blank = entries["csm"].is_null() & entries["text"].is_null()
    return _validated(entries.filter(~blank), str(path))


def costs_from_mapping(table: Mapping[str, object], *, source: str = CONFIG_SOURCE) -> pl.DataFrame:
    """The `[csm_costs]` table of renewals.toml (`{"Grace Kim": 120000, "Ann Lee": "$95,000"}`) as `load_costs`
    returns a costs file: the same columns, money rules and errors, with `source` naming the table."""
    entries = pl.DataFrame(
        {
            "where": [None] * len(table),
            "csm": [name.strip() or None for name in table],
            "text": [_cost_text(value) for value in table.values()],
        },
        schema={"where": pl.String(), "csm": pl.String(), "text": pl.String()},
    )
    numeric = [not isinstance(v, bool) and isinstance(v, int | float) for v in table.values()]
    # TOML numbers are taken as they are (finite only); text is money as a costs file writes it.
    number = money_from(pl.col("text").cast(pl.Float64, strict=False), pl.Float64(), decimal_comma=False)
    entries = entries.with_columns(
        annual_cost=pl.when(pl.Series(numeric, dtype=pl.Boolean))
        .then(number)
        .otherwise(money_from(pl.col("text"), pl.String(), decimal_comma=False))
    )
    return _validated(entries, source)


def _text(column: pl.Expr) -> pl.Expr:
    """Trimmed text, null when empty: as the loader types text, so hand-built rows behave like loaded ones."""
    value = column.cast(pl.String).str.strip_chars()
    return pl.when(value != "").then(value)


def _cost_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value).strip() or None


def _validated(entries: pl.DataFrame, source: str) -> pl.DataFrame:
    """Check entries (`where`, `csm`, `text` as written, parsed `annual_cost`): the first problem raises."""
    if entries.is_empty():
        raise InputError(f"{source}: no CSM is listed ({_EXPECTED}, one row per CSM)")
    seen: dict[str, str | None] = {}
    for where, csm, text, cost in entries.select("where", "csm", "text", "annual_cost").iter_rows():
        at = f"{source}: {where}" if where else source
        if csm is None:
            raise InputError(f"{at}: the csm is empty (annual_cost {text!r})")
        if text is None:
            raise InputError(f"{at}: annual_cost is empty for CSM {csm!r}")
        if cost is None:
            raise InputError(f"{at}: annual_cost {text!r} for CSM {csm!r} is not an amount")
        if cost < 0:
            raise InputError(f"{at}: annual_cost {text!r} for CSM {csm!r} is negative")
        if csm in seen:
            lines = f" ({seen[csm]} and {where})" if where else ""
            raise InputError(f"{source}: CSM {csm!r} is listed twice{lines}")
        seen[csm] = where
    return entries.select(pl.col(name).cast(dtype) for name, dtype in _COSTS_SCHEMA.items())


# ---------------------------------------------------------------------------------------------- accounts


def account_csms(rows: pl.LazyFrame) -> pl.LazyFrame:
    """One row per account of `rows`: `account_id` and its `csm` (null when no row names one), by account_id.

    The CSM is the non-empty `csm` on the account's latest-expiring row among the rows that name one; on a tie
    of expiry dates the alphabetically first name (by code point: `Bob` before `ann`).
    """
    named = rows.select("account_id", "expiry_date", csm=_text(pl.col("csm"))).filter(pl.col("csm").is_not_null())
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
    named = rows.select(_text(pl.col("csm")).drop_nulls().unique())
    parts = _parts(_assigned(rows, accounts), costs.lazy())
    if by == "segment":
        table = _rollup(parts, "segment", cost=_money_sum(pl.col("allocated")), target=target).sort("segment")
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
        arr=pl.col("account_arr").cast(MONEY).sum(),
    )
    csm_accounts = pl.col("accounts").sum().over("csm")
    return (
        per_pair.join(costs, on="csm", how="left")
        .with_columns(allocated=pl.col("annual_cost") * pl.col("accounts") / csm_accounts)
        .sort("segment", "csm", nulls_last=True)  # sums add parts in one order on every run
    )


def _money_sum(column: pl.Expr) -> pl.Expr:
    return column.cast(MONEY).sum().cast(pl.Float64)


def _rollup(parts: pl.LazyFrame, key: str, *, cost: pl.Expr, target: float) -> pl.LazyFrame:
    """The SPEC §6 columns per `key` from the parts; `cost` is the group's cost aggregation."""
    c = pl.col
    has_csm = c("csm").is_not_null()
    sums = parts.group_by(key, maintain_order=True).agg(
        accounts=c("accounts").sum(),
        unassigned=c("accounts").filter(~has_csm).sum(),
        arr=_money_sum(c("arr")),
        csms=c("csm").drop_nulls().n_unique().cast(pl.Int64),
        arr_assigned=_money_sum(c("arr").filter(has_csm)),
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


# ---------------------------------------------------------------------------------------------- levers

COST_MARGIN = 1.2  # cost per CSM this far above the table's average is the lever to pull


def levers(table: pl.DataFrame) -> dict[str, str]:
    """One line of advice per over-target segment of a `coverage(..., by="segment")` table, in table order.

    Cost to serve is (roughly) cost per CSM ÷ (accounts per CSM × ARR per account), so one of the three has to
    move. The lever named is, in this order:

    1. cost per CSM, when the segment's cost / csms is more than 20% above the table's (Σ cost / Σ csms): its
       CSMs cost more than the book's for the ARR they carry;
    2. accounts per CSM, for `smb` and for any segment whose ARR per account is below the table's (Σ arr /
       Σ accounts): smaller accounts need coverage that scales — pooled CSMs, one-to-many programmes;
    3. ARR per account otherwise: the large accounts already have dedicated CSMs, so the ARR has to follow —
       expansion, or moving accounts too small for that coverage to a lighter-touch tier.

    Each line ends with the lever's value now and the value that alone would meet the target: the current one
    scaled by cost_to_serve / target (down for cost per CSM, up for the others).
    """
    if "segment" not in table.columns:
        raise ValueError("levers() takes a coverage table by segment")
    book_cost_per_csm = _divide(float(table["cost"].sum()), float(table["csms"].sum()))
    book_arr_per_account = _divide(float(table["arr"].sum()), float(table["accounts"].sum()))
    advice: dict[str, str] = {}
    for row in table.filter(pl.col("over_target").fill_null(False)).iter_rows(named=True):
        segment = row["segment"]
        cost_per_csm = row["cost"] / row["csms"]  # over target implies a cost, hence a CSM
        small_accounts = book_arr_per_account is not None and row["arr_per_account"] < book_arr_per_account
        if book_cost_per_csm is not None and cost_per_csm > COST_MARGIN * book_cost_per_csm:
            lever = "lower cost per CSM: a less senior or pooled coverage model"
            advice[segment] = _advice(lever, cost_per_csm, row, lower=True)
        elif segment == "smb" or small_accounts:
            how = "one-to-many programmes for the long tail" if segment == "smb" else "pooled coverage"
            advice[segment] = _advice(f"raise accounts per CSM: {how}", row["accounts_per_csm"], row, digits=1)
        else:
            lever = "raise ARR per account: expansion, or move accounts too small for this coverage to a lighter tier"
            advice[segment] = _advice(lever, row["arr_per_account"], row)
    return advice


def _advice(lever: str, now: float, row: dict[str, Any], *, lower: bool = False, digits: int = 0) -> str:
    """`LEVER (now X; about Y meets the 15% target)`, Y being the value that alone brings cost_to_serve to target."""
    target = row["target"]
    if target <= 0:  # nothing but zero cost meets a zero target
        return f"{lever} (now {now:,.{digits}f})"
    factor = row["cost_to_serve"] / target
    goal = now / factor if lower else now * factor
    return f"{lever} (now {now:,.{digits}f}; about {goal:,.{digits}f} meets the {target * 100:g}% target)"


def _divide(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None
