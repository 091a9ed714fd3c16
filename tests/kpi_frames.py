"""Hand-built accepted-row frames for the KPI tests, typed as the loader types accepted rows (CANONICAL_SCHEMA)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import pytest

from renewals_cli.kpis import keys_of
from renewals_cli.load.validate import CANONICAL_SCHEMA
from renewals_cli.report import kpi_tables_of
from renewals_cli.segments import Thresholds
from renewals_cli.window import Window

ROW_COLUMNS = (
    "account_id",
    "account_name",
    "rep",
    "expiry_date",
    "prior_amount",
    "status",
    "renewal_amount",
    "close_date",
    "arr",
    "strategic",
    "batch",
    "csm",
)
ROW_SCHEMA = {name: CANONICAL_SCHEMA[name] for name in ROW_COLUMNS} | {"partner": pl.String()}


def day(iso: str) -> dt.date:
    """`day("2026-03-31")`: dates read like the SPEC writes them."""
    return dt.date.fromisoformat(iso)


def opp(
    account_id: str,
    expiry: str,
    prior: float,
    status: str = "open",
    *,
    renewal: float | None = None,
    close: str | None = None,
    rep: str = "ann",
    arr: float | None = None,
    strategic: bool | None = None,
    batch: str | None = "B1",
    account_name: str | None = None,
    partner: str | None = None,
    csm: str | None = None,
) -> dict[str, Any]:
    """One accepted renewal opportunity."""
    return {
        "account_id": account_id,
        "account_name": account_name,
        "rep": rep,
        "expiry_date": day(expiry),
        "prior_amount": float(prior),
        "status": status,
        "renewal_amount": None if renewal is None else float(renewal),
        "close_date": None if close is None else day(close),
        "arr": None if arr is None else float(arr),
        "strategic": strategic,
        "batch": batch,
        "csm": csm,
        "partner": partner,
    }


def frame(rows: Sequence[Mapping[str, Any]]) -> pl.LazyFrame:
    """Accepted rows as the KPI code receives them."""
    return pl.LazyFrame(list(rows), schema=ROW_SCHEMA)


def tables(
    rows: Sequence[Mapping[str, Any]] | pl.LazyFrame,
    groupings: Sequence[str],
    *,
    as_of: dt.date,
    thresholds: Thresholds | None = None,
    start_month: int = 1,
) -> dict[str, pl.DataFrame]:
    """The KPI table of each grouping, through the same two steps as `renewals report` (every row in the window;
    `start_month` the first month of the fiscal year)."""
    lazy = rows if isinstance(rows, pl.LazyFrame) else frame(rows)
    window = Window(as_of=as_of, start_month=start_month)
    found = kpi_tables_of(lazy, groupings, window=window, thresholds=thresholds or Thresholds())
    return dict(zip(found, pl.collect_all(list(found.values())), strict=True))


def overall(
    rows: Sequence[Mapping[str, Any]] | pl.LazyFrame, *, as_of: dt.date, thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """The single row of the `overall` table."""
    table = tables(rows, ["overall"], as_of=as_of, thresholds=thresholds)["overall"]
    assert table.height == 1
    return table.row(0, named=True)


def by_key(table: pl.DataFrame, grouping: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """A grouping's table as {key tuple: row}."""
    keys = keys_of(grouping) or ["group"]
    return {tuple(row[k] for k in keys): row for row in table.iter_rows(named=True)}


def assert_kpis(actual: Mapping[str, Any], expected: Mapping[str, Any], rel: float = 1e-12) -> None:
    """Each expected KPI: None means null, an int an exact count, a float equal to rel."""
    for name, want in expected.items():
        got = actual[name]
        if want is None:
            assert got is None, f"{name}: expected null, got {got!r}"
        elif isinstance(want, int):
            assert got == want, f"{name}: expected {want}, got {got!r}"
        else:
            assert got is not None, f"{name}: expected {want}, got null"
            assert got == pytest.approx(want, rel=rel), f"{name}: expected {want}, got {got!r}"
