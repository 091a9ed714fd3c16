"""One book, many renderings: Salesforce- and HubSpot-shaped headers, CSV and Parquet give the same KPIs."""

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewals_cli.kpis import GROUPINGS
from renewals_cli.load.export import LoadOptions, load_export
from renewals_cli.report import build_report
from renewals_cli.sample import write_sample
from renewals_cli.segments import Thresholds
from renewals_cli.window import Window

AS_OF = dt.date(2026, 11, 25)
ROWS = 3000


def tables(path: Path, groupings: list[str]) -> dict[str, pl.DataFrame]:
    export = load_export([str(path)], LoadOptions())
    report = build_report(export, Window(as_of=AS_OF), Thresholds(), groupings)
    assert report.accounting.rejected == 0
    assert report.accounting.accepted == ROWS
    return report.tables


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("books")
    paths = {
        "canonical.csv": ("canonical", folder / "canonical.csv"),
        "canonical.parquet": ("canonical", folder / "canonical.parquet"),
        "salesforce.csv": ("salesforce", folder / "salesforce.csv"),
        "hubspot.csv": ("hubspot", folder / "hubspot.csv"),
    }
    for style, path in paths.values():
        write_sample(path, ROWS, seed=11, style=style, as_of=AS_OF)  # type: ignore[arg-type]
    return {name: path for name, (_, path) in paths.items()}


def assert_same(left: dict[str, pl.DataFrame], right: dict[str, pl.DataFrame]) -> None:
    assert left.keys() == right.keys()
    for grouping in left:
        assert_frame_equal(left[grouping], right[grouping], check_exact=False, rel_tol=1e-12)


def test_csv_and_parquet_give_identical_kpis(books: dict[str, Path]) -> None:
    groupings = list(GROUPINGS)
    assert_same(tables(books["canonical.csv"], groupings), tables(books["canonical.parquet"], groupings))


def test_salesforce_headers_money_and_us_dates_give_identical_kpis(books: dict[str, Path]) -> None:
    groupings = list(GROUPINGS)
    assert_same(tables(books["canonical.csv"], groupings), tables(books["salesforce.csv"], groupings))


def test_hubspot_datetimes_and_stages_give_identical_kpis(books: dict[str, Path]) -> None:
    # HubSpot exports carry no arr and no batch: segments fall back to Σ prior_amount and batches to quarters,
    # so compare the groupings that do not depend on either.
    groupings = ["overall", "rep", "partner"]
    assert_same(tables(books["canonical.csv"], groupings), tables(books["hubspot.csv"], groupings))


@pytest.mark.parametrize("name", ["canonical.parquet", "salesforce.csv", "hubspot.csv"])
def test_every_style_loads_the_same_start_dates_partners_and_churn_reasons(books: dict[str, Path], name: str) -> None:
    """Customer Since / Contract Start Date (US dates, HubSpot datetimes), the partner and the loss reason are read
    back as the canonical export states them, row for row."""

    def optional_columns(path: Path) -> pl.DataFrame:
        export = load_export([str(path)], LoadOptions())
        assert all(export.has(column) for column in ("start_date", "partner", "churn_reason"))
        return export.accepted().select("row", "start_date", "partner", "churn_reason").collect()

    canonical = optional_columns(books["canonical.csv"])
    assert canonical["start_date"].null_count() < canonical.height // 10
    assert_frame_equal(optional_columns(books[name]), canonical)
