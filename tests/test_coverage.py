"""SPEC §6 cost to serve and coverage on hand-built frames; every expected number is worked out in a comment."""

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli.coverage import (
    COVERAGE_COLUMNS,
    IdleCost,
    account_csms,
    costs_from_mapping,
    coverage,
    idle_cost,
    levers,
    load_costs,
)
from renewals_cli.errors import InputError, UsageError
from renewals_cli.segments import Segment

ROW_SCHEMA = {"account_id": pl.String(), "expiry_date": pl.Date(), "csm": pl.String()}
ACCOUNT_SCHEMA = {"account_id": pl.String(), "account_arr": pl.Float64(), "segment": pl.String()}
COSTS_SCHEMA = {"csm": pl.String(), "annual_cost": pl.Float64()}
TABLE_SCHEMA = {
    "accounts": pl.Int64(),
    "unassigned": pl.Int64(),
    "arr": pl.Float64(),
    "csms": pl.Int64(),
    "accounts_per_csm": pl.Float64(),
    "arr_per_account": pl.Float64(),
    "arr_per_csm": pl.Float64(),
    "cost": pl.Float64(),
    "cost_to_serve": pl.Float64(),
    "target": pl.Float64(),
    "over_target": pl.Boolean(),
}


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def rows_frame(*rows: tuple[str, str, str | None]) -> pl.LazyFrame:
    """Accepted rows in the window: (account_id, expiry_date, csm)."""
    return pl.LazyFrame([(account, day(expiry), csm) for account, expiry, csm in rows], schema=ROW_SCHEMA, orient="row")


def accounts_frame(*accounts: tuple[str, float, str]) -> pl.LazyFrame:
    """One row per account: (account_id, account_arr, segment)."""
    return pl.LazyFrame(list(accounts), schema=ACCOUNT_SCHEMA, orient="row")


def costs_frame(**costs: float) -> pl.DataFrame:
    return pl.DataFrame(
        {"csm": [name.replace("_", " ") for name in costs], "annual_cost": [float(c) for c in costs.values()]},
        schema=COSTS_SCHEMA,
    )


def table(key: str, rows: dict[str, list[object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={key: pl.String(), **TABLE_SCHEMA})


# --- the account's CSM ------------------------------------------------------------------------------------


def csms_of(rows: pl.LazyFrame) -> dict[str, str | None]:
    frame = account_csms(rows).collect()
    assert frame.columns == ["account_id", "csm"]
    return dict(zip(frame["account_id"], frame["csm"], strict=True))


def test_the_csm_on_the_latest_expiring_row_wins() -> None:
    rows = rows_frame(("A", "2026-01-31", "Old Owner"), ("A", "2026-06-30", "New Owner"), ("A", "2026-03-31", None))
    assert csms_of(rows) == {"A": "New Owner"}


def test_a_tie_on_the_latest_expiry_date_goes_to_the_alphabetically_first_csm() -> None:
    rows = rows_frame(("A", "2026-06-30", "Zoe"), ("A", "2026-06-30", "Adam"), ("A", "2026-01-31", "Aaron"))
    # Aaron sorts first but is on an earlier row; of the two latest rows, Adam < Zoe.
    assert csms_of(rows) == {"A": "Adam"}


def test_a_latest_row_without_a_csm_leaves_the_earlier_named_csm() -> None:
    rows = rows_frame(("A", "2026-01-31", "Grace Kim"), ("A", "2026-06-30", None), ("A", "2026-09-30", "  "))
    # Only rows that name a CSM count; a blank cell names nobody.
    assert csms_of(rows) == {"A": "Grace Kim"}


def test_an_account_no_row_assigns_has_no_csm() -> None:
    rows = rows_frame(("B", "2026-01-31", None), ("A", "2026-02-28", "Hal Ito"), ("B", "2026-06-30", None))
    assert csms_of(rows) == {"A": "Hal Ito", "B": None}


# --- the book every coverage test below uses -------------------------------------------------------------

# Grace Kim (120,000) serves three strategic accounts and one SMB account: 3/4 of her cost is strategic's,
# 1/4 SMB's. Hal Ito (90,000) serves two enterprise accounts and one SMB account: 2/3 and 1/3. Ivy Lo (75,000)
# has no account in the window: idle. M2 has no CSM: unassigned.
ROWS = rows_frame(
    ("S1", "2026-03-31", "Grace Kim"),
    ("S2", "2026-04-30", "Grace Kim"),
    ("S3", "2026-05-31", "Hal Ito"),  # S3's earlier row names Hal ...
    ("S3", "2026-08-31", "Grace Kim"),  # ... its latest names Grace
    ("M1", "2026-06-30", "Grace Kim"),
    ("E1", "2026-03-31", "Hal Ito"),
    ("E2", "2026-07-31", "Hal Ito"),
    ("M3", "2026-09-30", "Hal Ito"),
    ("M2", "2026-02-28", None),
)
ACCOUNTS = accounts_frame(
    ("S1", 600_000, "strategic"),
    ("S2", 700_000, "strategic"),
    ("S3", 800_000, "strategic"),
    ("E1", 300_000, "enterprise"),
    ("E2", 250_000, "enterprise"),
    ("M1", 50_000, "smb"),
    ("M2", 30_000, "smb"),
    ("M3", 20_000, "smb"),
)
COSTS = costs_frame(Grace_Kim=120_000, Hal_Ito=90_000, Ivy_Lo=75_000)


def test_coverage_by_segment_every_column() -> None:
    got = coverage(ROWS, ACCOUNTS, COSTS, by="segment", target=0.15)
    expected = table(
        "segment",
        {
            "segment": ["strategic", "enterprise", "smb"],
            "accounts": [3, 2, 3],  # S1-S3; E1, E2; M1, M2, M3
            "unassigned": [0, 0, 1],  # M2
            "arr": [2_100_000.0, 550_000.0, 100_000.0],  # 600k+700k+800k; 300k+250k; 50k+30k+20k
            "csms": [1, 1, 2],  # Grace; Hal; Grace and Hal
            "accounts_per_csm": [3.0, 2.0, 1.0],  # 3/1; 2/1; (3 - 1 unassigned)/2
            "arr_per_account": [700_000.0, 275_000.0, 100_000 / 3],  # arr / accounts
            "arr_per_csm": [2_100_000.0, 550_000.0, 35_000.0],  # smb: (M1 50k + M3 20k) / 2, M2 has no CSM
            # Grace 120k * 3/4; Hal 90k * 2/3; Grace 120k * 1/4 + Hal 90k * 1/3 = 30k + 30k. Ivy is idle.
            "cost": [90_000.0, 60_000.0, 60_000.0],
            "cost_to_serve": [90_000 / 2_100_000, 60_000 / 550_000, 0.6],  # 0.043, 0.109, 60k/100k
            "target": [0.15, 0.15, 0.15],
            "over_target": [False, False, True],
        },
    )
    assert_frame_equal(got, expected)
    assert got.columns == ["segment", *COVERAGE_COLUMNS]


def test_coverage_by_csm_every_column() -> None:
    got = coverage(ROWS, ACCOUNTS, COSTS, by="csm", target=0.15)
    expected = table(
        "csm",
        {
            "csm": ["Grace Kim", "Hal Ito", "Ivy Lo", "unassigned"],
            "accounts": [4, 3, 0, 1],  # S1, S2, S3, M1; E1, E2, M3; none; M2
            "unassigned": [0, 0, 0, 1],
            "arr": [2_150_000.0, 570_000.0, 0.0, 30_000.0],  # 2.1M + 50k; 550k + 20k; 0; 30k
            "csms": [1, 1, 1, 0],  # a CSM's own row counts them; unassigned has none
            "accounts_per_csm": [4.0, 3.0, 0.0, None],  # the idle CSM carries 0; null without a CSM
            "arr_per_account": [537_500.0, 190_000.0, None, 30_000.0],  # arr / accounts; null with no account
            "arr_per_csm": [2_150_000.0, 570_000.0, 0.0, None],
            "cost": [120_000.0, 90_000.0, 75_000.0, 0.0],  # each CSM's whole annual_cost; unassigned costs nothing
            "cost_to_serve": [120_000 / 2_150_000, 90_000 / 570_000, None, 0.0],  # 0.056, 0.158, no ARR, 0/30k
            "target": [0.15, 0.15, 0.15, 0.15],
            "over_target": [False, True, None, False],  # Hal's 0.158 > 0.15
        },
    )
    assert_frame_equal(got, expected)
    assert got.columns == ["csm", *COVERAGE_COLUMNS]


def test_idle_cost_is_the_cost_of_csms_without_accounts_in_the_window() -> None:
    assert idle_cost(ROWS, COSTS) == IdleCost(csms=("Ivy Lo",), cost=75_000.0)
    by_segment = coverage(ROWS, ACCOUNTS, COSTS, by="segment", target=0.15)
    # Allocated 90k + 60k + 60k, plus Ivy's idle 75k, is every CSM's annual cost: 120k + 90k + 75k.
    assert float(by_segment["cost"].sum()) + 75_000.0 == COSTS["annual_cost"].sum() == 285_000.0


def test_no_idle_cost_when_every_csm_has_an_account() -> None:
    assert idle_cost(ROWS, costs_frame(Grace_Kim=120_000, Hal_Ito=90_000)) == IdleCost(csms=(), cost=0.0)


def test_a_csm_split_three_to_one_across_two_segments() -> None:
    rows = rows_frame(*((a, "2026-03-31", "Grace Kim") for a in ("S1", "S2", "S3", "M1")))
    accounts = accounts_frame(
        ("S1", 600_000, "strategic"), ("S2", 600_000, "strategic"), ("S3", 600_000, "strategic"), ("M1", 40_000, "smb")
    )
    got = coverage(rows, accounts, costs_frame(Grace_Kim=120_000), by="segment", target=0.15)
    # 3 of her 4 accounts are strategic: 75% of 120k; the SMB one carries 25%.
    assert got.select("segment", "cost", "cost_to_serve").rows() == [
        ("strategic", 90_000.0, 90_000 / 1_800_000),
        ("smb", 30_000.0, 30_000 / 40_000),
    ]


def test_a_fractional_split_sums_back_to_the_whole_cost() -> None:
    rows = rows_frame(("E1", "2026-03-31", "Hal Ito"), ("E2", "2026-03-31", "Hal Ito"), ("M1", "2026-03-31", "Hal Ito"))
    accounts = accounts_frame(("E1", 300_000, "enterprise"), ("E2", 300_000, "enterprise"), ("M1", 10_000, "smb"))
    got = coverage(rows, accounts, costs_frame(Hal_Ito=100_000), by="segment", target=0.15)
    # 2/3 and 1/3 of 100k, to the millionth as money is summed.
    assert got["cost"].to_list() == [66_666.666667, 33_333.333333]
    assert got["cost"].sum() == pytest.approx(100_000.0)


def test_segments_without_accounts_have_no_row_and_enum_segments_are_accepted() -> None:
    accounts = ACCOUNTS.filter(pl.col("segment") != "enterprise").with_columns(pl.col("segment").cast(Segment))
    rows = ROWS.filter(~pl.col("account_id").is_in(["E1", "E2"]))
    got = coverage(rows, accounts, COSTS, by="segment", target=0.15)
    assert got["segment"].to_list() == ["strategic", "smb"]
    assert got.schema["segment"] == pl.String
    # Hal now serves only M3: his whole 90k lands on SMB, with Grace's 30k.
    assert got.filter(segment="smb")["cost"].item() == 120_000.0


def test_an_unassigned_only_book_has_zero_cost_and_no_csm_ratios() -> None:
    rows = rows_frame(("M1", "2026-03-31", None), ("M2", "2026-03-31", None))
    accounts = accounts_frame(("M1", 10_000, "smb"), ("M2", 30_000, "smb"))
    by_segment = coverage(rows, accounts, costs_frame(Grace_Kim=1), by="segment", target=0.15)
    assert by_segment.row(0, named=True) == {
        "segment": "smb",
        "accounts": 2,
        "unassigned": 2,
        "arr": 40_000.0,
        "csms": 0,
        "accounts_per_csm": None,  # no CSM
        "arr_per_account": 20_000.0,
        "arr_per_csm": None,
        "cost": 0.0,
        "cost_to_serve": 0.0,
        "target": 0.15,
        "over_target": False,
    }
    by_csm = coverage(rows, accounts, costs_frame(Grace_Kim=1), by="csm", target=0.15)
    assert by_csm.select("csm", "accounts", "cost").rows() == [("Grace Kim", 0, 1.0), ("unassigned", 2, 0.0)]


def test_no_unassigned_row_when_every_account_has_a_csm() -> None:
    rows = ROWS.filter(pl.col("account_id") != "M2")
    accounts = ACCOUNTS.filter(pl.col("account_id") != "M2")
    assert coverage(rows, accounts, COSTS, by="csm", target=0.15)["csm"].to_list() == ["Grace Kim", "Hal Ito", "Ivy Lo"]


def test_zero_arr_gives_null_cost_to_serve_and_over_target() -> None:
    rows = rows_frame(("M1", "2026-03-31", "Grace Kim"))
    got = coverage(rows, accounts_frame(("M1", 0, "smb")), costs_frame(Grace_Kim=100), by="segment", target=0.15)
    assert got.select("arr", "cost", "cost_to_serve", "over_target").row(0) == (0.0, 100.0, None, None)


def test_an_empty_window_gives_empty_tables_with_every_column() -> None:
    rows, accounts = rows_frame(), accounts_frame()
    by_segment = coverage(rows, accounts, COSTS, by="segment", target=0.15)
    assert by_segment.is_empty()
    assert by_segment.columns == ["segment", *COVERAGE_COLUMNS]
    # Every CSM is idle: listed with zero accounts and their whole cost.
    by_csm = coverage(rows, accounts, COSTS, by="csm", target=0.15)
    assert by_csm.select("csm", "accounts", "cost").rows() == [
        ("Grace Kim", 0, 120_000.0),
        ("Hal Ito", 0, 90_000.0),
        ("Ivy Lo", 0, 75_000.0),
    ]


def test_the_target_is_reported_and_decides_over_target() -> None:
    got = coverage(ROWS, ACCOUNTS, COSTS, by="segment", target=0.1)
    # 0.043, 0.109 and 0.6 against 0.10.
    assert got.select("target", "over_target").rows() == [(0.1, False), (0.1, True), (0.1, True)]


@pytest.mark.parametrize("target", [-0.1, math.nan, math.inf])
def test_an_invalid_target_is_a_usage_error(target: float) -> None:
    with pytest.raises(UsageError, match=r"expected a cost-to-serve fraction such as 0\.15"):
        coverage(ROWS, ACCOUNTS, COSTS, by="segment", target=target)


# --- CSMs missing from the costs ---------------------------------------------------------------------------


def test_a_csm_missing_from_the_costs_is_named() -> None:
    with pytest.raises(InputError) as info:
        coverage(ROWS, ACCOUNTS, costs_frame(Grace_Kim=120_000), by="segment", target=0.15)
    assert str(info.value) == (
        "no annual_cost for CSM Hal Ito named in the export; add a row to the CSM costs (--csm-costs file or "
        "[csm_costs])"
    )


def test_every_missing_csm_is_named_in_order() -> None:
    with pytest.raises(InputError) as info:
        coverage(ROWS, ACCOUNTS, costs_frame(Ivy_Lo=1), by="csm", target=0.15)
    assert str(info.value) == (
        "no annual_cost for CSMs Grace Kim, Hal Ito named in the export; add rows to the CSM costs "
        "(--csm-costs file or [csm_costs])"
    )


def test_a_csm_named_only_on_a_superseded_row_still_needs_a_cost() -> None:
    rows = rows_frame(("A", "2026-01-31", "Old Owner"), ("A", "2026-06-30", "Grace Kim"))
    accounts = accounts_frame(("A", 100_000, "smb"))
    # SPEC §6: a CSM *named in the export* but missing from the costs is an error, owner of an account or not.
    with pytest.raises(InputError, match=r"^no annual_cost for CSM Old Owner named"):
        coverage(rows, accounts, costs_frame(Grace_Kim=1), by="segment", target=0.15)
    # With a cost they are listed as idle: no account of theirs is in the window.
    got = coverage(rows, accounts, costs_frame(Grace_Kim=1, Old_Owner=2), by="csm", target=0.15)
    assert got.select("csm", "accounts").rows() == [("Grace Kim", 1), ("Old Owner", 0)]


# --- the costs file ----------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "costs.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def costs_of(frame: pl.DataFrame) -> dict[str, float]:
    assert frame.schema == pl.Schema(COSTS_SCHEMA)
    return dict(zip(frame["csm"], frame["annual_cost"], strict=True))


def test_costs_file_reads_money_renderings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'csm,annual_cost\nGrace Kim,"$120,000"\nHal Ito,USD 95000.50\nIvy Lo,85k\nJo Park,1.2M\nKai Roe,0\n',
    )
    assert costs_of(load_costs(path)) == {
        "Grace Kim": 120_000.0,
        "Hal Ito": 95_000.5,
        "Ivy Lo": 85_000.0,
        "Jo Park": 1_200_000.0,
        "Kai Roe": 0.0,
    }


def test_costs_file_headers_match_loosely_and_extra_columns_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffTeam;Customer Success Manager;Annual Cost\nEMEA; Grace Kim ;120000\n\n")
    # A BOM, `;` delimiters, the CSM column's export alias, a padded name and a trailing blank line.
    assert costs_of(load_costs(path)) == {"Grace Kim": 120_000.0}


def test_costs_file_in_windows_1252_with_a_decimal_comma(tmp_path: Path) -> None:
    path = write(tmp_path, "CSM;annual_cost\nJosé Núñez;€120.000,50\n", encoding="cp1252")
    assert costs_of(load_costs(path, decimal_comma=True)) == {"José Núñez": 120_000.5}


def test_costs_file_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "costs.parquet"
    pl.DataFrame({"csm": ["Grace Kim"], "annual_cost": [120_000]}).write_parquet(path)
    assert costs_of(load_costs(path)) == {"Grace Kim": 120_000.0}


COSTS_ERRORS = [
    pytest.param(
        "csm,cost\nGrace Kim,1\n",
        "no annual_cost column (headers: csm, cost); expected columns csm and annual_cost",
        id="missing-annual_cost",
    ),
    pytest.param(
        "annual_cost\n1\n",
        "no csm column (headers: annual_cost); expected columns csm and annual_cost",
        id="missing-csm",
    ),
    pytest.param(
        "name,cost\nGrace Kim,1\n",
        "no csm or annual_cost column (headers: name, cost); expected columns csm and annual_cost",
        id="missing-both",
    ),
    pytest.param(
        "csm,annual_cost\n",
        "no CSM is listed (expected columns csm and annual_cost, one row per CSM)",
        id="header-only",
    ),
    pytest.param(
        "csm,annual_cost\nGrace Kim,120000\nHal Ito,lots\n",
        "line 3: annual_cost 'lots' for CSM 'Hal Ito' is not an amount",
        id="unparseable",
    ),
    pytest.param(
        'csm,annual_cost\nGrace Kim,"(5,000)"\n',
        "line 2: annual_cost '(5,000)' for CSM 'Grace Kim' is negative",
        id="negative-in-parentheses",
    ),
    pytest.param(
        "csm,annual_cost\n\nGrace Kim,-1\n",
        "line 3: annual_cost '-1' for CSM 'Grace Kim' is negative",
        id="negative-after-a-blank-line",
    ),
    pytest.param(
        "csm,annual_cost\nGrace Kim,\n",
        "line 2: annual_cost is empty for CSM 'Grace Kim'",
        id="empty-cost",
    ),
    pytest.param(
        "csm,annual_cost\nGrace Kim,1\n  ,90000\n",
        "line 3: the csm is empty (annual_cost '90000')",
        id="empty-csm",
    ),
    pytest.param(
        "csm,annual_cost\nGrace Kim,1\nHal Ito,2\nGrace Kim ,1\n",
        "CSM 'Grace Kim' is listed twice (line 2 and line 4)",
        id="duplicate-csm",
    ),
    pytest.param(
        "csm,annual_cost\nGrace Kim,120000 EUR 5\n",
        "line 2: annual_cost '120000 EUR 5' for CSM 'Grace Kim' is not an amount",
        id="trailing-text",
    ),
]


@pytest.mark.parametrize(("text", "message"), COSTS_ERRORS)
def test_a_malformed_costs_file_is_an_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_costs(path)
    assert str(info.value) == f"{path}: {message}"


def test_a_missing_costs_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError) as info:
        load_costs(path)
    assert str(info.value) == f"{path}: no such file (expected columns csm and annual_cost)"


@pytest.mark.parametrize("text", ["", "\n  \n", "\ufeff"])
def test_an_empty_costs_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_costs(path)
    assert str(info.value) == f"{path}: the file is empty (expected columns csm and annual_cost, one row per CSM)"


def test_a_directory_is_not_a_costs_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_costs(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, expected a CSV file with columns csm and annual_cost"


# --- the [csm_costs] table of renewals.toml ----------------------------------------------------------------


def test_costs_from_mapping_takes_numbers_and_money_text() -> None:
    table = {"Grace Kim": 120_000, "Hal Ito": 95_000.5, "Ivy Lo": "$85,000", " Jo Park ": "1.2M"}
    assert costs_of(costs_from_mapping(table)) == {
        "Grace Kim": 120_000.0,
        "Hal Ito": 95_000.5,
        "Ivy Lo": 85_000.0,
        "Jo Park": 1_200_000.0,
    }


MAPPING_ERRORS = [
    pytest.param({"Grace Kim": -5}, "annual_cost '-5' for CSM 'Grace Kim' is negative", id="negative"),
    pytest.param({"Grace Kim": "lots"}, "annual_cost 'lots' for CSM 'Grace Kim' is not an amount", id="text"),
    pytest.param({"Grace Kim": True}, "annual_cost 'True' for CSM 'Grace Kim' is not an amount", id="boolean"),
    pytest.param({"Grace Kim": math.nan}, "annual_cost 'nan' for CSM 'Grace Kim' is not an amount", id="nan"),
    pytest.param({"Grace Kim": ""}, "annual_cost is empty for CSM 'Grace Kim'", id="empty-cost"),
    pytest.param({" ": 1}, "the csm is empty (annual_cost '1')", id="empty-name"),
    pytest.param({"Grace Kim": 1, "Grace Kim ": 2}, "CSM 'Grace Kim' is listed twice", id="duplicate"),
    pytest.param({}, "no CSM is listed (expected columns csm and annual_cost, one row per CSM)", id="empty-table"),
]


@pytest.mark.parametrize(("table_", "message"), MAPPING_ERRORS)
def test_a_malformed_costs_table_is_an_error_naming_the_table(table_: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as info:
        costs_from_mapping(table_)
    assert str(info.value) == f"renewals.toml [csm_costs]: {message}"


def test_costs_from_mapping_names_the_config_file_it_came_from() -> None:
    with pytest.raises(InputError, match=r"^team\.toml \[csm_costs\]: annual_cost '-5'"):
        costs_from_mapping({"Grace Kim": -5}, source="team.toml [csm_costs]")


# --- levers --------------------------------------------------------------------------------------------------


def segment_table(*rows: tuple[str, int, float, int, float]) -> pl.DataFrame:
    """A by-segment table from (segment, accounts, arr, csms, cost), every account assigned, target 0.15."""
    frame = pl.DataFrame(rows, schema=["segment", "accounts", "arr", "csms", "cost"], orient="row").with_columns(
        pl.col("arr", "cost").cast(pl.Float64)
    )
    c = pl.col
    return frame.select(
        "segment",
        "accounts",
        unassigned=pl.lit(0, dtype=pl.Int64),
        arr="arr",
        csms="csms",
        accounts_per_csm=c("accounts") / c("csms"),
        arr_per_account=c("arr") / c("accounts"),
        arr_per_csm=c("arr") / c("csms"),
        cost="cost",
        cost_to_serve=c("cost") / c("arr"),
        target=pl.lit(0.15),
        over_target=c("cost") / c("arr") > 0.15,
    )


def test_levers_for_smb_with_few_accounts_per_csm() -> None:
    got = levers(coverage(ROWS, ACCOUNTS, COSTS, by="segment", target=0.15))
    # Only SMB is over (0.6). Its cost per CSM, 60k / 2 = 30k, is below the book's 210k / 4 CSMs = 52.5k, so
    # the lever is accounts per CSM: 1.0 now, * 0.6 / 0.15 = 4.0 would meet the target.
    assert got == {
        "smb": "raise accounts per CSM: one-to-many programmes for the long tail (now 1.0; about 4.0 meets the 15% "
        "target)"
    }


def test_levers_name_cost_per_csm_when_a_segment_pays_far_more_per_csm() -> None:
    frame = segment_table(
        ("strategic", 10, 5_000_000, 2, 300_000),  # 150k per CSM, cost to serve 0.06
        ("enterprise", 40, 4_000_000, 4, 800_000),  # 200k per CSM, 0.2: over
        ("smb", 200, 4_000_000, 4, 400_000),  # 100k per CSM, 0.1
    )
    # Book: 1.5M / 10 CSMs = 150k per CSM; enterprise's 200k is more than 1.2 * 150k = 180k.
    # 200k / (0.2 / 0.15) = 150k would meet the target.
    assert levers(frame) == {
        "enterprise": "lower cost per CSM: a less senior or pooled coverage model (now 200,000; about 150,000 meets "
        "the 15% target)"
    }


def test_levers_name_accounts_per_csm_for_a_segment_of_small_accounts() -> None:
    frame = segment_table(
        ("strategic", 10, 10_000_000, 2, 300_000),  # 1M per account
        ("enterprise", 40, 4_000_000, 4, 640_000),  # 100k per account (below the book's 14M / 50 = 280k); 0.16
    )
    # Enterprise costs 160k per CSM, under 1.2 * 940k / 6 = 188k; its accounts are smaller than the book's.
    # 10 accounts per CSM now; * 0.16 / 0.15 = 10.7.
    assert levers(frame) == {
        "enterprise": "raise accounts per CSM: pooled coverage (now 10.0; about 10.7 meets the 15% target)"
    }


def test_levers_name_arr_per_account_for_the_large_accounts() -> None:
    frame = segment_table(
        ("strategic", 10, 2_000_000, 2, 400_000),  # 200k per CSM, 200k per account: 0.2, over
        ("smb", 200, 4_000_000, 2, 400_000),  # 200k per CSM, 20k per account: 0.1
    )
    # Both pay the book's 800k / 4 = 200k per CSM; strategic's accounts are above the book's 6M / 210 = 28.6k.
    # 200k per account now; * 0.2 / 0.15 = 266,667 would meet the target.
    assert levers(frame) == {
        "strategic": "raise ARR per account: expansion, or move accounts too small for this coverage to a lighter "
        "tier (now 200,000; about 266,667 meets the 15% target)"
    }


def test_levers_with_a_zero_target_name_the_lever_without_a_goal() -> None:
    frame = segment_table(("smb", 100, 1_000_000, 2, 100_000)).with_columns(
        target=pl.lit(0.0), over_target=pl.lit(True)
    )
    assert levers(frame) == {"smb": "raise accounts per CSM: one-to-many programmes for the long tail (now 50.0)"}


def test_levers_say_nothing_when_every_segment_meets_the_target() -> None:
    assert levers(coverage(ROWS, ACCOUNTS, COSTS, by="segment", target=0.9)) == {}


def test_levers_need_a_table_by_segment() -> None:
    with pytest.raises(ValueError, match="by segment"):
        levers(coverage(ROWS, ACCOUNTS, COSTS, by="csm", target=0.15))


# --- identities on random books ----------------------------------------------------------------------------

CSM_NAMES = ("Ann", "Bob", "Cy", "Dee")


@st.composite
def books(draw: st.DrawFn) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.DataFrame]:
    n = draw(st.integers(min_value=0, max_value=12))
    csms = draw(st.lists(st.sampled_from((*CSM_NAMES, None)), min_size=n, max_size=n))
    arrs = draw(st.lists(st.integers(min_value=0, max_value=900_000), min_size=n, max_size=n))
    segments = draw(st.lists(st.sampled_from(("strategic", "enterprise", "smb")), min_size=n, max_size=n))
    costs = draw(st.lists(st.integers(min_value=0, max_value=300_000), min_size=4, max_size=4))
    ids = [f"A{i}" for i in range(n)]
    rows = rows_frame(*((a, "2026-03-31", c) for a, c in zip(ids, csms, strict=True)))
    accounts = accounts_frame(*zip(ids, map(float, arrs), segments, strict=True))
    return rows, accounts, costs_frame(**dict(zip(CSM_NAMES, costs, strict=True)))


@settings()  # the examples of the Hypothesis profile (tests/conftest.py)
@given(books())
def test_groupings_partition_accounts_arr_and_cost(book: tuple[pl.LazyFrame, pl.LazyFrame, pl.DataFrame]) -> None:
    rows, accounts, costs = book
    by_segment = coverage(rows, accounts, costs, by="segment", target=0.15)
    by_csm = coverage(rows, accounts, costs, by="csm", target=0.15)
    n = accounts.collect().height
    assert by_segment["accounts"].sum() == by_csm["accounts"].sum() == n
    assert by_segment["unassigned"].sum() == by_csm["unassigned"].sum()
    assert by_segment["arr"].sum() == pytest.approx(by_csm["arr"].sum())
    # Allocated cost plus idle cost is every CSM's cost; by CSM every cost is listed once.
    idle = idle_cost(rows, costs)
    assert float(by_segment["cost"].sum()) + idle.cost == pytest.approx(costs["annual_cost"].sum(), abs=1e-4)
    assert by_csm["cost"].sum() == pytest.approx(costs["annual_cost"].sum())
    assert set(idle.csms) == set(by_csm.filter(pl.col("accounts") == 0, pl.col("csm") != "unassigned")["csm"])
