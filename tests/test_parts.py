"""A large Parquet export is read in parts of whole accounts; the report is the same as read whole."""

import datetime as dt
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from renewals_cli import parts
from renewals_cli.kpis import GROUPINGS
from renewals_cli.load.export import LoadOptions, load_export
from renewals_cli.report import build_report
from renewals_cli.sample import write_sample
from renewals_cli.segments import Thresholds
from renewals_cli.window import Window

AS_OF = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def export_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parts") / "export.parquet"
    write_sample(path, 3000, seed=4, as_of=AS_OF)
    return path


def test_a_parquet_export_is_split_by_its_row_count(export_path: Path) -> None:
    export = load_export([str(export_path)], LoadOptions())
    assert parts.count(export, rows_per_part=3000) == 1
    assert parts.count(export, rows_per_part=700) == 5  # 3000 rows / 700, rounded up


def test_the_parts_hold_whole_accounts_and_every_row(export_path: Path) -> None:
    export = load_export([str(export_path)], LoadOptions())
    with parts.split(export, 5, ("account_id", "skipped")) as rows_of_parts:
        frames = [rows.collect() for rows in rows_of_parts]
    assert sum(frame.height for frame in frames) == 3000
    accounts = [set(frame["account_id"]) for frame in frames]
    assert sum(len(a) for a in accounts) == len(set().union(*accounts))  # no account in two parts


def test_a_csv_export_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    write_sample(path, 300, seed=4, as_of=AS_OF)
    assert parts.count(load_export([str(path)], LoadOptions()), rows_per_part=10) == 1


def test_the_report_in_parts_is_the_report_read_whole(export_path: Path) -> None:
    window = Window.default(AS_OF)

    def report(rows_per_part: int) -> dict:
        export = load_export([str(export_path)], LoadOptions())
        return build_report(export, window, Thresholds(), GROUPINGS, churn=True, rows_per_part=rows_per_part)

    whole, split = report(10_000), report(700)
    assert (split.accounting, split.in_window, split.later, split.zero_prior) == (
        whole.accounting, whole.in_window, whole.later, whole.zero_prior
    )  # fmt: skip
    for grouping in GROUPINGS:
        assert_frame_equal(split.tables[grouping], whole.tables[grouping], rel_tol=1e-12, check_row_order=False)
    for name in whole.churn:
        assert_frame_equal(split.churn[name], whole.churn[name], rel_tol=1e-12)
