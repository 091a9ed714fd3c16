"""`renewals balance`: each column on tiny hand-built frames, the Gini of known distributions, then the command
line."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli.balance import BALANCE_COLUMNS, balance, gini
from renewals_cli.load.validate import CANONICAL_SCHEMA
from renewals_cli.segments import Thresholds
from tests.clirun import run

ROW_COLUMNS = (
    "account_id", "rep", "partner", "expiry_date", "prior_amount", "status", "close_date", "arr", "strategic",
)  # fmt: skip
ROW_SCHEMA = {name: CANONICAL_SCHEMA[name] for name in ROW_COLUMNS}
AS_OF = dt.date(2026, 3, 15)


def opp(
    account_id: str,
    prior: float,
    status: str = "open",
    *,
    close: str | None = None,
    rep: str = "ann",
    partner: str | None = None,
    arr: float | None = None,
    strategic: bool = False,
) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "rep": rep,
        "partner": partner,
        "expiry_date": dt.date(2026, 3, 31),
        "prior_amount": float(prior),
        "status": status,
        "close_date": None if close is None else dt.date.fromisoformat(close),
        "arr": arr,
        "strategic": strategic,
    }


def table(rows: list[dict[str, Any]], by: str = "rep") -> pl.DataFrame:
    frame = pl.LazyFrame(rows, schema=ROW_SCHEMA)
    return balance(frame, Thresholds(), as_of=AS_OF, by=by).collect()  # type: ignore[arg-type]


def gini_of(values: list[float]) -> float | None:
    frame = pl.LazyFrame({"available": values}, schema={"available": pl.Float64})
    result: float | None = gini(frame).collect()["gini"][0]
    return result


# --- the table ------------------------------------------------------------------------------------------------

BOOK = [
    # ann: 3 small SMB contracts (100 each), two answered by Mar 15
    opp("S1", 100, "won", close="2026-03-01", rep="ann"),
    opp("S2", 100, "lost", close="2026-03-10", rep="ann"),
    opp("S3", 100, rep="ann"),
    # bob: one strategic contract (600k, answered) and one SMB (100, open): top-heavy
    opp("T1", 600_000, "won", close="2026-03-15", rep="bob"),
    opp("S4", 100, rep="bob"),
    # cy: one enterprise contract (300k), won after Mar 15: open as of Mar 15
    opp("E1", 300_000, "won", close="2026-03-16", rep="cy"),
]


def test_every_column_worked_by_hand() -> None:
    total = 900_400.0  # 300 + 600,100 + 300,000
    expected = pl.DataFrame(
        [
            # ann: 3/6 opportunities, 300 of the value; 2 of 3 answered by count, 200/300 by value
            ("ann", 3, 0.5, 300.0, 300 / total, (300 / total) / 0.5, 3, 0, 0, 2 / 3, 200 / 300, False),
            # bob: 2/6; 600,100; 1 of 2 answered, 600,000 / 600,100 by value: 0.9998 - 0.5 >= 0.15
            ("bob", 2, 1 / 3, 600_100.0, 600_100 / total, 600_100 / total * 3, 1, 0, 1, 0.5, 600_000 / 600_100, True),
            # cy: 1/6; nothing answered as of Mar 15
            ("cy", 1, 1 / 6, 300_000.0, 300_000 / total, (300_000 / total) / (1 / 6), 0, 1, 0, 0.0, 0.0, False),
        ],
        schema={
            "rep": pl.String,
            "opportunities": pl.Int64,
            "share_of_opportunities": pl.Float64,
            "available": pl.Float64,
            "share_of_available": pl.Float64,
            "value_mix": pl.Float64,
            "smb_opportunities": pl.Int64,
            "enterprise_opportunities": pl.Int64,
            "strategic_opportunities": pl.Int64,
            "resolution_rate": pl.Float64,
            "resolution_rate_value": pl.Float64,
            "top_heavy": pl.Boolean,
        },
        orient="row",
    )  # fmt: skip
    assert tuple(expected.columns[1:]) == BALANCE_COLUMNS
    assert_frame_equal(table(BOOK), expected, rel_tol=1e-12)


def test_shares_add_up_to_one() -> None:
    result = table(BOOK)
    assert result["share_of_opportunities"].sum() == pytest.approx(1.0, rel=1e-12)
    assert result["share_of_available"].sum() == pytest.approx(1.0, rel=1e-12)


def test_value_mix_is_one_for_an_even_book() -> None:
    rows = [opp("A", 100, rep="ann"), opp("B", 100, rep="bob"), opp("C", 300, rep="cy"), opp("D", 300, rep="cy")]
    # ann and bob: 1/4 of the contracts, 100/800 = 1/8 of the value; cy: 2/4 of the contracts, 600/800 of the value
    assert table(rows)["value_mix"].to_list() == pytest.approx([0.5, 0.5, 1.5], rel=1e-12)
    assert table(rows[:2])["value_mix"].to_list() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("won_prior", "other_prior", "top_heavy"),
    [
        (65.0, 35.0, True),  # by value 0.65, by count 0.5: 0.15 ahead
        (64.0, 36.0, False),  # 0.14 ahead
        (50.0, 50.0, False),
    ],
)
def test_top_heavy_from_fifteen_points_of_value_ahead_of_count(
    won_prior: float, other_prior: float, top_heavy: bool
) -> None:
    rows = [opp("A", won_prior, "won", close="2026-03-01"), opp("B", other_prior)]
    assert table(rows)["top_heavy"].to_list() == [top_heavy]


def test_nothing_available_gives_null_shares_of_value_and_not_top_heavy() -> None:
    result = table([opp("A", 0, "won", close="2026-03-01", rep="ann"), opp("B", 0, rep="bob")])
    assert result.select("share_of_available", "value_mix", "resolution_rate_value", "top_heavy").rows() == [
        (None, None, None, False),
        (None, None, None, False),
    ]
    assert result["resolution_rate"].to_list() == [1.0, 0.0]


def test_rows_without_a_partner_belong_to_direct() -> None:
    rows = [
        opp("A", 100, partner="Northwind"),
        opp("B", 200),  # no partner
        opp("C", 300),
        opp("D", 400, partner="Acme Resale"),
    ]
    result = table(rows, by="partner")
    assert result.select("partner", "opportunities", "available").rows() == [
        ("Acme Resale", 1, 400.0),
        ("Northwind", 1, 100.0),
        ("direct", 2, 500.0),
    ]


def test_segments_are_the_windows_accounts() -> None:
    # Account A: 150k + 100k of prior in the rows given (the window): enterprise, both of its rows
    rows = [opp("A", 150_000, rep="ann"), opp("A", 100_000, rep="bob"), opp("B", 10, strategic=True, rep="bob")]
    result = table(rows)
    assert result.select("rep", "smb_opportunities", "enterprise_opportunities", "strategic_opportunities").rows() == [
        ("ann", 0, 1, 0),
        ("bob", 0, 1, 1),
    ]
    # the same account with only its 150k row in the window is SMB
    assert table(rows[:1])["smb_opportunities"].to_list() == [1]


def test_no_rows_gives_an_empty_table_and_a_null_gini() -> None:
    result = table([])
    assert result.height == 0
    assert result.columns == ["rep", *BALANCE_COLUMNS]
    assert gini(result.lazy()).collect()["gini"][0] is None


# --- the Gini coefficient ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([100.0, 100.0, 100.0], 0.0),  # equal: 0
        ([1234.56] * 7, 0.0),
        ([0.0, 0.0, 0.0, 500.0], 3 / 4),  # one holds everything: (n - 1) / n
        ([0.0, 42.0], 1 / 2),
        ([7.0], 0.0),  # a single group
        # 1, 2, 3: pairs |1-2|+|1-3|+|2-3| = 4, counted twice = 8; 8 / (2 * 3 * 6) = 2/9
        ([3.0, 1.0, 2.0], 2 / 9),
        # 0, 0, 1, 1: 4 unequal pairs of difference 1, twice = 8; 8 / (2 * 4 * 2) = 1/2
        ([1.0, 0.0, 1.0, 0.0], 1 / 2),
    ],
)
def test_gini_of_known_distributions(values: list[float], expected: float) -> None:
    assert gini_of(values) == pytest.approx(expected, rel=1e-12, abs=0.0)


def test_gini_is_null_when_nothing_is_held() -> None:
    assert gini_of([0.0, 0.0]) is None
    assert gini_of([]) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**9).map(lambda cents: cents / 100), min_size=1, max_size=12))
def test_gini_is_the_mean_absolute_difference_formula(values: list[float]) -> None:
    total = sum(values)
    pairs = sum(abs(a - b) for a in values for b in values)
    expected = None if total == 0 else pairs / (2 * len(values) * total)
    got = gini_of(values)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-15)


# --- the command line -------------------------------------------------------------------------------------------

EXPORT = [
    "Opportunity ID,Account ID,Rep,Expiry Date,Prior Amount,Status,Renewal Amount,Close Date,Reseller",
    'O1,A1,Ann,2026-03-31,100,Closed Won,100,2026-03-01,=HYPERLINK("http://x")',
    "O2,A2,Ann,2026-02-28,300,Open,,,",
    "O3,A3,Bob,2026-03-01,600,Closed Lost,,2026-03-10,Northwind",
    "O4,A4,Bob,2026-04-01,1000,Open,,,Northwind",  # after the quarter holding Mar 15: out of the default window
]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("\n".join(EXPORT) + "\n", encoding="utf-8")
    return path


def csv_rows(text: str) -> list[dict[str, Any]]:
    return pl.read_csv(text.encode()).to_dicts()


def test_cli_default_window_is_the_quarter_holding_the_as_of_date(
    capsys: pytest.CaptureFixture[str], export: Path
) -> None:
    result = run(capsys, "balance", str(export), "--as-of", "2026-03-15", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "rep,opportunities,share_of_opportunities,available,share_of_available,value_mix,smb_opportunities,"
        "enterprise_opportunities,strategic_opportunities,resolution_rate,resolution_rate_value,top_heavy\n"
        "Ann,2,0.6666666666666666,400.0,0.4,0.6000000000000001,2,0,0,0.5,0.25,false\n"
        "Bob,1,0.3333333333333333,600.0,0.6,1.8,1,0,0,1.0,1.0,false\n"
    )
    assert result.stderr == "Rows: 4 read · 4 accepted · 0 rejected\n"


def test_cli_fiscal_year_start_moves_the_default_window(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    # A fiscal year starting in February: the quarter holding Mar 15 runs February to April, so O4 is in
    args = ["balance", str(export), "--as-of", "2026-03-15", "--fiscal-year-start", "2", "--format", "json"]
    payload = json.loads(run(capsys, *args).stdout)
    assert payload["window"] == {"from": None, "to": "2026-04-30"}
    assert [group["opportunities"] for group in payload["groups"]] == [2, 2]


def test_cli_quarter_takes_one_quarter_of_expiry_dates(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    # The quarter after the one holding Mar 15 holds only O4 (Bob, expiring Apr 1)
    args = ["balance", str(export), "--as-of", "2026-03-15", "--quarter", "next", "--format", "json"]
    payload = json.loads(run(capsys, *args).stdout)
    assert payload["window"] == {"from": "2026-04-01", "to": "2026-06-30"}
    assert [(group["rep"], group["opportunities"]) for group in payload["groups"]] == [("Bob", 1)]


def test_cli_partner_csv_neutralises_formula_injection(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "balance", str(export), "--as-of", "2026-03-15", "--by", "partner", "--all", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert [(r["partner"], r["opportunities"], r["available"]) for r in rows] == [
        ('\'=HYPERLINK("http://x")', 1, 100.0),
        ("Northwind", 2, 1600.0),
        ("direct", 1, 300.0),
    ]


def test_cli_json_carries_the_gini(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "balance", str(export), "--as-of", "2026-03-15", "--all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    # Ann 400, Bob 1600: |400 - 1600| twice = 2400; 2400 / (2 * 2 * 2000) = 0.3
    assert payload["gini"] == pytest.approx(0.3, rel=1e-12)
    assert payload["window"] == {"from": None, "to": None}
    assert payload["rows"]["in_window"] == 4


def test_cli_terminal_shows_the_gini_and_a_bar_per_group(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "balance", str(export), "--as-of", "2026-03-15")
    assert result.exit_code == 0, result.stderr
    assert "Gini of available  0.100 (0: every rep holds the same value; towards 1: one holds it all)" in result.stdout
    assert "3 in window (1 row outside it)" in result.stdout
    # the longest share (Ann's contracts, 66.7%) fills the bar
    # (Ann 400, Bob 600: |400 - 600| twice = 400; 400 / (2 * 2 * 1000) = 0.1)
    assert "│ Ann │ ████████████████  66.7% │ ██████████░░░░░░  40.0% │" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "csm"], "Error: --by csm: expected one of rep, partner\n"),
        (["--all", "--to", "2026-12-31"], "Error: --all cannot be combined with --to\n"),
        (["--quarter", "next", "--all"], "Error: --quarter cannot be combined with --from, --to or --all\n"),
        (
            ["--from", "2026-06-01"],
            "Error: --from 2026-06-01 is after 2026-03-31, the last day of the quarter holding the as-of date; "
            "add --to or --all\n",
        ),
        (
            ["--fiscal-year-start", "13"],
            "Error: --fiscal-year-start 13: expected a month from 1 (January) to 12 (December)\n",
        ),
    ],
)
def test_cli_usage_errors(capsys: pytest.CaptureFixture[str], export: Path, args: list[str], message: str) -> None:
    result = run(capsys, "balance", str(export), "--as-of", "2026-03-15", *args)
    assert result.exit_code == 2
    assert result.stderr == message


@pytest.mark.parametrize("suffix", ["csv", "json", "md", "html", "xlsx", "parquet"])
def test_cli_every_format_writes_a_file(
    capsys: pytest.CaptureFixture[str], export: Path, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"balance.{suffix}"
    result = run(capsys, "balance", str(export), "--as-of", "2026-03-15", "--by", "partner", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    assert path.stat().st_size > 0
    if suffix == "parquet":
        assert pl.read_parquet(path).columns == ["partner", *BALANCE_COLUMNS]


@st.composite
def books(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=15))):
        status = draw(st.sampled_from(["open", "won", "lost"]))
        rows.append(
            opp(
                draw(st.sampled_from(["A", "B", "C", "D"])),
                draw(st.sampled_from([0, 50, 1_000, 150_000, 400_000])),
                status,
                close=None if status == "open" else draw(st.sampled_from(["2026-03-01", "2026-03-31"])),
                rep=draw(st.sampled_from(["ann", "bob", "cy"])),
                partner=draw(st.none() | st.sampled_from(["Northwind", "Acme Resale"])),
            )
        )
    return rows


@settings(max_examples=40, deadline=None)
@given(rows=books(), by=st.sampled_from(["rep", "partner"]))
def test_groups_partition_the_window(rows: list[dict[str, Any]], by: str) -> None:
    result = table(rows, by=by)
    assert result["opportunities"].sum() == len(rows)
    assert result["available"].sum() == pytest.approx(sum(r["prior_amount"] for r in rows), rel=1e-12)
    assert result["share_of_opportunities"].sum() == pytest.approx(1.0, rel=1e-12)
    per_segment = result.select(
        pl.sum_horizontal("smb_opportunities", "enterprise_opportunities", "strategic_opportunities")
    ).to_series()
    assert per_segment.to_list() == result["opportunities"].to_list()
    for row in result.iter_rows(named=True):
        if row["share_of_available"] is not None:
            assert row["value_mix"] == pytest.approx(row["share_of_available"] / row["share_of_opportunities"])
