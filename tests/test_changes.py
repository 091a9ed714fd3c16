"""`renewals changes`: every bucket of the bridge worked by hand, the identity in every group, and the command."""

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli.calendar import Quarter
from renewals_cli.changes import (
    BRIDGE_COLUMNS,
    BUCKETS,
    DETAIL_COLUMNS,
    INFLOWS,
    MONEY,
    OUTFLOWS,
    bridge,
    compare_exports,
    details,
)
from renewals_cli.commands import common
from renewals_cli.config import Config
from renewals_cli.segments import Thresholds
from tests.clirun import run

Q = Quarter.of(dt.date(2026, 5, 1))  # 2026-Q2: April to June
IN_Q, BEFORE_Q, AFTER_Q = dt.date(2026, 5, 15), dt.date(2026, 3, 20), dt.date(2026, 8, 10)
SCHEMA = {
    "opportunity_id": pl.String,
    "account_id": pl.String,
    "rep": pl.String,
    "expiry_date": pl.Date,
    "status": pl.String,
    "prior_amount": pl.Float64,
    "renewal_amount": pl.Float64,
    "close_date": pl.Date,
    "arr": pl.Float64,
    "strategic": pl.Boolean,
}


def opp(
    opportunity_id: str = "OP-1",
    *,
    rep: str = "Ann",
    expiry: dt.date = IN_Q,
    status: str = "open",
    prior: float = 100.0,
    renewal: float | None = None,
    account: str = "ACME",
    arr: float | None = None,
) -> dict[str, Any]:
    """One accepted row, open in the quarter unless told otherwise."""
    closed = dt.date(2026, 5, 20) if status != "open" else None
    if status == "won" and renewal is None:
        renewal = prior
    return {
        "opportunity_id": opportunity_id,
        "account_id": account,
        "rep": rep,
        "expiry_date": expiry,
        "status": status,
        "prior_amount": prior,
        "renewal_amount": renewal,
        "close_date": closed,
        "arr": arr,
        "strategic": None,
    }


def rows(*opportunities: dict[str, Any]) -> pl.LazyFrame:
    return pl.LazyFrame(list(opportunities), schema=SCHEMA)


def team(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, Any]:
    """The overall bridge as one dict (its one row)."""
    table = bridge(rows(*old), rows(*new), Q).collect()
    assert table.height == 1
    return table.row(0, named=True)


def expected(start: float, end: float, won_renewal: float = 0.0, **moved: tuple[float, int]) -> dict[str, Any]:
    """A bridge row: every bucket zero but those `moved` (value, count)."""
    row: dict[str, Any] = {"group": "all", "start_open": start, "end_open": end, "won_renewal": won_renewal}
    for bucket in BUCKETS:
        value, count = moved.get(bucket, (0.0, 0))
        row[bucket], row[f"{bucket}_count"] = value, count
    return {column: row[column] for column in ("group", *BRIDGE_COLUMNS)}


# One pair of exports per bucket, its value and count worked out by hand.
BUCKET_CASES = {
    "new": ([], [opp(prior=120)], expected(0, 120, new=(120, 1))),
    "pulled_in": (
        [opp(expiry=AFTER_Q, prior=80)],
        [opp(prior=90)],  # the new amount enters
        expected(0, 90, pulled_in=(90, 1)),
    ),
    "pushed_in": ([opp(expiry=BEFORE_Q, prior=70)], [opp(prior=70)], expected(0, 70, pushed_in=(70, 1))),
    "reopened": ([opp(status="lost", prior=60)], [opp(prior=65)], expected(0, 65, reopened=(65, 1))),
    "reopened from won": (
        [opp(status="won", prior=60, expiry=BEFORE_Q)],
        [opp(prior=60)],
        expected(0, 60, reopened=(60, 1)),
    ),
    "won": (
        [opp(prior=100)],
        [opp(status="won", prior=105, renewal=130)],  # the old amount leaves; the renewal is the new file's
        expected(100, 0, won_renewal=130, won=(100, 1)),
    ),
    "lost": ([opp(prior=100)], [opp(status="lost")], expected(100, 0, lost=(100, 1))),
    "slipped": ([opp(prior=100)], [opp(expiry=AFTER_Q, prior=90)], expected(100, 0, slipped=(100, 1))),
    "pulled_out": ([opp(prior=100)], [opp(expiry=BEFORE_Q)], expected(100, 0, pulled_out=(100, 1))),
    "removed": ([opp(prior=100), opp("OP-2", prior=5)], [opp("OP-2", prior=5)], expected(105, 5, removed=(100, 1))),
    "reassigned": (
        [opp(rep="Ann", prior=100)],
        [opp(rep="Bob", prior=100)],
        expected(100, 100, reassigned_out=(100, 1), reassigned_in=(100, 1)),
    ),
    "amount_up": ([opp(prior=100.10)], [opp(prior=130.35)], expected(100.10, 130.35, amount_up=(30.25, 1))),
    "amount_down": ([opp(prior=100)], [opp(prior=40.5)], expected(100, 40.5, amount_down=(59.5, 1))),
}


@pytest.mark.parametrize("case", list(BUCKET_CASES))
def test_each_bucket_by_hand(case: str) -> None:
    old, new, row = BUCKET_CASES[case]
    assert team(old, new) == row


def test_rep_amount_and_expiry_change_at_once_within_the_quarter() -> None:
    """Open in the quarter in both, with another rep, amount and expiry date: reassigned (out at the old amount,
    in at the new), not an amount change."""
    old = [opp(rep="Ann", prior=100, expiry=dt.date(2026, 4, 2))]
    new = [opp(rep="Bob", prior=150, expiry=dt.date(2026, 6, 29))]
    assert team(old, new) == expected(100, 150, reassigned_out=(100, 1), reassigned_in=(150, 1))
    by_rep = bridge(rows(*old), rows(*new), Q, "rep").collect()
    assert by_rep["rep"].to_list() == ["Ann", "Bob"]
    assert by_rep.select("start_open", "reassigned_out", "reassigned_in", "end_open").rows() == [
        (100.0, 100.0, 0.0, 0.0),
        (0.0, 0.0, 150.0, 150.0),
    ]


def test_rep_amount_and_expiry_change_out_of_the_quarter() -> None:
    """Slipped with another rep and amount: the old amount leaves the old rep; the new rep has no open row in
    the quarter in either file and is not listed."""
    old = [opp(rep="Ann", prior=100)]
    new = [opp(rep="Bob", prior=150, expiry=AFTER_Q)]
    assert team(old, new) == expected(100, 0, slipped=(100, 1))
    by_rep = bridge(rows(*old), rows(*new), Q, "rep").collect()
    assert by_rep.select("rep", "start_open", "slipped", "end_open").rows() == [("Ann", 100.0, 100.0, 0.0)]


def test_won_belongs_to_the_old_rep_with_its_renewal() -> None:
    old = [opp(rep="Ann", prior=100)]
    new = [opp(rep="Bob", status="won", prior=100, renewal=120)]
    by_rep = bridge(rows(*old), rows(*new), Q, "rep").collect()
    assert by_rep.select("rep", "won", "won_renewal", "won_count").rows() == [("Ann", 100.0, 120.0, 1)]


def test_the_quarter_includes_its_first_and_last_day() -> None:
    old = [opp("OP-1", expiry=Q.first, prior=10), opp("OP-2", expiry=Q.last, prior=20)]
    new = [opp("OP-1", expiry=Q.first - dt.timedelta(days=1), prior=10), opp("OP-2", expiry=Q.last, prior=20)]
    assert team(old, new) == expected(30, 20, pulled_out=(10, 1))


def test_what_does_not_touch_the_quarter_is_no_bucket() -> None:
    """Open after the quarter then won; lost then won; open before then open after: none moves the quarter's
    pipeline, and no group is listed."""
    old = [opp("OP-1", expiry=AFTER_Q), opp("OP-2", status="lost"), opp("OP-3", expiry=BEFORE_Q)]
    new = [opp("OP-1", expiry=AFTER_Q, status="won"), opp("OP-2", status="won"), opp("OP-3", expiry=AFTER_Q)]
    assert bridge(rows(*old), rows(*new), Q).collect().height == 0
    assert details(rows(*old), rows(*new), Q).collect().height == 0


def test_unchanged_and_equal_amounts_are_no_bucket() -> None:
    """Same rep and amount, expiry moved within the quarter: listed (open in both), nothing moved."""
    old = [opp(prior=100, expiry=dt.date(2026, 4, 1))]
    new = [opp(prior=100, expiry=dt.date(2026, 6, 1))]
    assert team(old, new) == expected(100, 100)


def test_rows_without_an_opportunity_id_take_no_part() -> None:
    old = [opp(prior=100), opp(None, prior=7)]  # type: ignore[arg-type]
    new = [opp(prior=100), opp(None, prior=9)]  # type: ignore[arg-type]
    assert team(old, new) == expected(100, 100)


def test_segments_from_the_new_export_or_the_old_for_an_account_it_no_longer_has() -> None:
    """ACME is strategic in OLD (ARR 600k) but SMB in NEW: its opportunity counts as SMB from start to end. GONE
    (ARR 300k, enterprise) is in OLD only: its removed opportunity is enterprise's."""
    old = [opp("OP-1", account="ACME", arr=600_000), opp("OP-2", account="GONE", prior=300_000)]
    new = [opp("OP-1", account="ACME", arr=50_000, prior=110)]
    table = bridge(rows(*old), rows(*new), Q, "segment", Thresholds()).collect()
    assert table.select("segment", "start_open", "amount_up", "removed", "end_open").rows() == [
        ("enterprise", 300_000.0, 0.0, 300_000.0, 0.0),
        ("smb", 100.0, 10.0, 0.0, 110.0),
    ]


def test_details_list_each_bucket_an_opportunity_moved_through() -> None:
    old = [opp("OP-1", rep="Ann", prior=100), opp("OP-2", prior=50), opp("OP-3", rep="Cy", prior=30)]
    new = [opp("OP-1", rep="Bob", prior=120), opp("OP-2", status="won", renewal=55)]
    listed = details(rows(*old), rows(*new), Q).collect()
    assert listed.columns == list(DETAIL_COLUMNS)
    assert listed.select(
        "opportunity_id", "bucket", "old_rep", "new_rep", "status", "prior_amount", "value"
    ).rows() == [
        ("OP-1", "reassigned_in", "Ann", "Bob", "open", 120.0, 120.0),
        ("OP-2", "won", "Ann", "Ann", "won", 100.0, 50.0),  # the old amount left
        ("OP-3", "removed", "Cy", None, "open", 30.0, 30.0),
        ("OP-1", "reassigned_out", "Ann", "Bob", "open", 120.0, 100.0),
    ]


# The bridge checked against a plain reading of the bucket table, one opportunity at a time.
def reference(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> dict[str, float]:
    """The team's bridge in whole millionths, bucket by bucket as the table reads."""
    olds = {r["opportunity_id"]: r for r in old}
    news = {r["opportunity_id"]: r for r in new}
    sums: dict[str, float] = defaultdict(int)

    def micros(row: dict[str, Any]) -> int:
        return round(row["prior_amount"] * 10**6)

    def where(row: dict[str, Any] | None) -> str:
        if row is None:
            return "absent"
        if row["status"] != "open":
            return "closed"
        day = row["expiry_date"]
        return "before" if day < Q.first else "after" if day > Q.last else "in"

    for key in olds.keys() | news.keys():
        o, n = olds.get(key), news.get(key)
        was, now = where(o), where(n)
        if was == "in":
            sums["start_open"] += micros(o)  # type: ignore[arg-type]
        if now == "in":
            sums["end_open"] += micros(n)  # type: ignore[arg-type]
        if was == "in" and now == "in":
            assert o is not None and n is not None
            if o["rep"] != n["rep"]:
                sums["reassigned_out"] += micros(o)
                sums["reassigned_in"] += micros(n)
            elif micros(n) > micros(o):
                sums["amount_up"] += micros(n) - micros(o)
            elif micros(n) < micros(o):
                sums["amount_down"] += micros(o) - micros(n)
        elif now == "in":
            bucket = {"absent": "new", "after": "pulled_in", "before": "pushed_in", "closed": "reopened"}[was]
            sums[bucket] += micros(n)  # type: ignore[arg-type]
        elif was == "in":
            assert o is not None
            status = n["status"] if n else None
            bucket = {"absent": "removed", "after": "slipped", "before": "pulled_out"}.get(now) or str(status)
            sums[bucket] += micros(o)
            if bucket == "won":
                assert n is not None
                sums["won_renewal"] += round(n["renewal_amount"] * 10**6)
    return {column: sums[column] for column in MONEY}


AMOUNTS = st.sampled_from([0.0, 0.1, 0.2, 0.7, 1.0, 99.99, 100.0, 1234.56, 250_000.0, 333_333.33])
DAYS = st.sampled_from([BEFORE_Q, Q.first, IN_Q, Q.last, AFTER_Q])


@st.composite
def side(draw: st.DrawFn, opportunity_id: str) -> dict[str, Any] | None:
    if draw(st.integers(0, 4)) == 0:
        return None  # absent from this export
    return opp(
        opportunity_id,
        rep=draw(st.sampled_from(["Ann", "Bob", "Cy"])),
        account=draw(st.sampled_from(["A", "B", "C", "D"])),
        expiry=draw(DAYS),
        status=draw(st.sampled_from(["open", "open", "won", "lost"])),
        prior=draw(AMOUNTS),
        renewal=draw(AMOUNTS),
        arr=draw(st.sampled_from([None, 100_000.0, 300_000.0, 700_000.0])),
    )


@st.composite
def export_pairs(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    ids = [f"OP-{i}" for i in range(draw(st.integers(0, 14)))]
    pairs = [(draw(side(i)), draw(side(i))) for i in ids]
    return [o for o, _ in pairs if o], [n for _, n in pairs if n]


def in_micros(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns((pl.col(*MONEY) * 10**6).round().cast(pl.Int64))


@settings(max_examples=40, deadline=None)
@given(export_pairs())
def test_the_bridge_balances_in_every_group_and_reps_add_up_to_the_team(
    pair: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    old, new = rows(*pair[0]), rows(*pair[1])
    tables = {by: in_micros(bridge(old, new, Q, by, Thresholds()).collect()) for by in ("overall", "rep", "segment")}
    inflows = pl.sum_horizontal(*INFLOWS)
    outflows = pl.sum_horizontal(*OUTFLOWS)
    for table in tables.values():
        balance = table.select(pl.col("start_open") + inflows - outflows - pl.col("end_open"))
        assert balance.to_series().to_list() == [0] * table.height
    team = tables["overall"].drop("group")
    want = reference(pair[0], pair[1])
    if team.height:
        assert {c: team[c][0] for c in MONEY} == want
    else:
        assert set(want.values()) <= {0}
    listed = details(old, new, Q).collect().group_by("bucket").agg((pl.col("value") * 10**6).round().sum())
    for bucket, value in listed.iter_rows():
        assert team[bucket][0] == value  # each bucket's details add up to it
    for by in ("rep", "segment"):
        summed = tables[by].drop(by).sum()
        assert_frame_equal(summed, team if team.height else summed.clear(1).fill_null(0), check_dtypes=False)


# Two renderings of the same pair of exports give the same bridge.
CANONICAL_HEADER = "opportunity_id,account_id,rep,expiry_date,prior_amount,status,renewal_amount,close_date\n"
CANONICAL_OLD = (
    "OP-1,ACME,José Müller,2026-05-15,1234.50,open,,\n"
    "OP-2,BETA,Ann Lee,2026-06-30,2000,open,,\n"
    "OP-3,BETA,Ann Lee,2026-04-01,300,open,,\n"
    "OP-4,GAMMA,Ann Lee,2026-08-01,400,open,,\n"
    "OP-5,GAMMA,José Müller,2026-05-02,500,Closed Lost,,2026-03-21\n"
)
CANONICAL_NEW = (
    "OP-1,ACME,Ann Lee,2026-05-16,1300.25,open,,\n"
    "OP-2,BETA,Ann Lee,2026-06-30,2000,won,2100.75,2026-05-13\n"
    "OP-4,GAMMA,Ann Lee,2026-05-20,400,open,,\n"
    "OP-5,GAMMA,José Müller,2026-05-02,500,open,,\n"
    "OP-6,DELTA,José Müller,2026-04-12,600,open,,\n"
)
SALESFORCE_HEADER = "Opportunity ID;Account Name;Opportunity Owner;Contract End Date;Available To Renew;Stage;Amount (Converted);Close Date\r\n"  # noqa: E501
SALESFORCE_OLD = (
    "OP-1;ACME;José Müller;05/15/2026;$1,234.50;Negotiation;;\r\n"
    "OP-2;BETA;Ann Lee;06/30/2026;$2,000.00;Quoted;;\r\n"
    "OP-3;BETA;Ann Lee;04/01/2026;$300.00;Open;;\r\n"
    "OP-4;GAMMA;Ann Lee;08/01/2026;$400.00;Open;;\r\n"
    "OP-5;GAMMA;José Müller;05/02/2026;$500.00;Closed Lost;;03/21/2026\r\n"
)
SALESFORCE_NEW = (
    "OP-1;ACME;Ann Lee;05/16/2026;$1,300.25;Contract sent;;\r\n"
    "OP-2;BETA;Ann Lee;06/30/2026;$2,000.00;Closed Won;$2,100.75;05/13/2026\r\n"
    "OP-4;GAMMA;Ann Lee;05/20/2026;$400.00;Open;;\r\n"
    "OP-5;GAMMA;José Müller;05/02/2026;$500.00;Open;;\r\n"
    "OP-6;DELTA;José Müller;04/12/2026;$600.00;Open;;\r\n"
)


def write(path: Path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture
def canonical(tmp_path: Path) -> tuple[str, str]:
    return (
        write(tmp_path / "old.csv", CANONICAL_HEADER + CANONICAL_OLD),
        write(tmp_path / "new.csv", CANONICAL_HEADER + CANONICAL_NEW),
    )


def changes_of(old: str, new: str, by: str) -> pl.DataFrame:
    settings_ = Config()
    exports = [common.load(settings_, [f], None, None, None, None, None) for f in (old, new)]
    return compare_exports(*exports, quarter=Q, by=by, thresholds=Thresholds()).bridge


@pytest.mark.parametrize("by", ["overall", "rep", "segment"])
def test_a_salesforce_rendering_in_cp1252_gives_the_same_bridge(
    tmp_path: Path, canonical: tuple[str, str], by: str
) -> None:
    old = write(tmp_path / "old-sf.csv", SALESFORCE_HEADER + SALESFORCE_OLD, "cp1252")
    new = write(tmp_path / "new-sf.csv", SALESFORCE_HEADER + SALESFORCE_NEW, "cp1252")
    assert_frame_equal(changes_of(old, new, by), changes_of(*canonical, by))


def test_the_canonical_pair_worked_by_hand(canonical: tuple[str, str]) -> None:
    """OP-1 reassigned José → Ann (1234.50 out, 1300.25 in); OP-2 won (2000, renewing at 2100.75); OP-3 removed;
    OP-4 pulled in; OP-5 reopened; OP-6 new."""
    table = changes_of(*canonical, "rep")
    assert table.select("rep", "start_open", "reassigned_out", "won", "removed", "end_open").rows() == [
        ("Ann Lee", 2300.0, 0.0, 2000.0, 300.0, 1700.25),
        ("José Müller", 1234.5, 1234.5, 0.0, 0.0, 1100.0),
    ]
    assert table.select("rep", "reassigned_in", "pulled_in", "reopened", "new", "won_renewal").rows() == [
        ("Ann Lee", 1300.25, 400.0, 0.0, 0.0, 2100.75),
        ("José Müller", 0.0, 0.0, 500.0, 600.0, 0.0),
    ]


# The command line.
AS_OF = "2026-05-10"


def test_csv_columns_and_row_accounting(capsys: pytest.CaptureFixture[str], canonical: tuple[str, str]) -> None:
    result = run(capsys, "changes", *canonical, "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(result.stdout.encode())
    assert table.columns == ["group", *BRIDGE_COLUMNS]
    assert table["start_open"].to_list() == [3534.5]
    assert table["end_open"].to_list() == [2800.25]
    assert result.stderr == (
        f"Rows in OLD {canonical[0]}: 5 read · 5 accepted · 0 rejected\n"
        f"Rows in NEW {canonical[1]}: 5 read · 5 accepted · 0 rejected\n"
    )


def test_a_rejected_row_counts_as_absent(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old = write(tmp_path / "old.csv", CANONICAL_HEADER + "OP-1,ACME,Ann,2026-05-15,oops,open,,\n")
    new = write(tmp_path / "new.csv", CANONICAL_HEADER + "OP-1,ACME,Ann,2026-05-15,100,open,,\n")
    result = run(capsys, "changes", old, new, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["old"]["rows"]["rejected"] == 1
    assert payload["groups"][0]["new"] == 100.0
    assert payload["quarter"] == {"label": "2026-Q2", "first": "2026-04-01", "last": "2026-06-30"}
    assert result.stderr == ""  # JSON carries the row counts
    table = run(capsys, "changes", old, new, "--as-of", AS_OF, "--format", "csv")
    assert table.stderr == (
        f"Rows in OLD {old}: 1 read · 0 accepted · 1 rejected (--rejects PATH lists them)\n"
        f"Rows in NEW {new}: 1 read · 1 accepted · 0 rejected\n"
    )
    rejects = tmp_path / "rejects.csv"
    listed = run(capsys, "changes", old, new, "--as-of", AS_OF, "--format", "csv", "--rejects", str(rejects))
    assert listed.exit_code == 0
    assert pl.read_csv(rejects).select("source", "opportunity_id").rows() == [(old, "OP-1")]
    strict = run(capsys, "changes", old, new, "--as-of", AS_OF, "--format", "csv", "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.endswith("Error: 1 rows rejected under --strict (1 in OLD, 0 in NEW)\n")


def test_missing_opportunity_id_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    new = write(tmp_path / "new.csv", CANONICAL_HEADER + CANONICAL_NEW)
    old = write(tmp_path / "old.csv", "account_id,rep,expiry_date,prior_amount,status\nACME,Ann,2026-05-15,1,open\n")
    result = run(capsys, "changes", old, new, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {old}: no opportunity_id column; renewals changes matches opportunities across the two exports "
        "by that column (name it with --map opportunity_id=HEADER)\n"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--by", "batch"], "Error: --by batch: expected one of overall, rep, segment\n"),
        (["--quarter", "Q5"], "Error: --quarter Q5: expected current, previous, next or a quarter such as 2026-Q3\n"),
        (["--fiscal-year-start", "13"], "Error: --fiscal-year-start 13: expected a month from 1 (January) to 12"),
    ],
)
def test_usage_errors(
    capsys: pytest.CaptureFixture[str], canonical: tuple[str, str], option: list[str], message: str
) -> None:
    result = run(capsys, "changes", *canonical, "--as-of", AS_OF, *option)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_quarter_and_fiscal_year(capsys: pytest.CaptureFixture[str], canonical: tuple[str, str]) -> None:
    """With a February fiscal start, 2026-05-10 is in FY2027-Q2 (May to July): OP-4 (2026-08-01) is after it."""
    result = run(capsys, "changes", *canonical, "--as-of", AS_OF, "--fiscal-year-start", "2", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["quarter"]["label"] == "FY2027-Q2"
    previous = run(capsys, "changes", *canonical, "--as-of", AS_OF, "--quarter", "previous", "-f", "json")
    assert json.loads(previous.stdout)["quarter"]["label"] == "2026-Q1"


def test_details_csv(capsys: pytest.CaptureFixture[str], canonical: tuple[str, str]) -> None:
    result = run(capsys, "changes", *canonical, "--as-of", AS_OF, "--details", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    listed = pl.read_csv(result.stdout.encode())
    assert listed.columns == list(DETAIL_COLUMNS)
    assert listed["bucket"].to_list() == [
        "new", "pulled_in", "reopened", "reassigned_in", "won", "removed", "reassigned_out",
    ]  # fmt: skip


def test_terminal_shows_the_waterfall_and_the_rep_table(
    capsys: pytest.CaptureFixture[str], canonical: tuple[str, str]
) -> None:
    result = run(capsys, "changes", *canonical, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Open at start"))
    labels = [line[:14].strip() for line in lines[start : start + 9]]
    assert labels == [
        "Open at start", "New", "Pulled in", "Reopened", "Reassigned in", "Won", "Removed", "Reassigned out",
        "Open at end",
    ]  # fmt: skip
    assert "By rep: open pipeline 2026-Q2" in result.stdout
    assert "José Müller" in result.stdout


@pytest.mark.parametrize("suffix", ["md", "html", "xlsx", "parquet", "json"])
def test_every_format(
    capsys: pytest.CaptureFixture[str], canonical: tuple[str, str], tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"bridge.{suffix}"
    result = run(capsys, "changes", *canonical, "--as-of", AS_OF, "--by", "segment", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    assert path.stat().st_size > 0
    if suffix == "parquet":
        assert pl.read_parquet(path).columns == ["segment", *BRIDGE_COLUMNS]


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "changes", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "Exit codes:" in result.stdout


HOSTILE = Path(__file__).parent / "data" / "hostile"


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.iterdir()))
def test_a_hostile_file_against_itself(capsys: pytest.CaptureFixture[str], name: str) -> None:
    """Every awkward file of the corpus, compared with itself: a one-line error, or nothing moved."""
    path = str(HOSTILE / name)
    result = run(capsys, "changes", path, path, "--as-of", AS_OF, "--format", "json")
    assert "Traceback" not in result.stderr
    if result.exit_code != 0:
        assert result.exit_code in (1, 2)
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
        return
    for group in json.loads(result.stdout)["groups"]:
        assert group["start_open"] == group["end_open"]
        assert all(group[bucket] == 0 for bucket in BUCKETS)


def test_the_team_waterfall_steps_from_start_to_end_with_signed_moves() -> None:
    from renewals_cli.present.changes import waterfall
    from renewals_cli.render import html
    from renewals_cli.render.document import Section

    moves = dict.fromkeys(("start_open", "end_open", "won_renewal", *BUCKETS), 0.0)
    moves |= {"start_open": 1000.0, "new": 300.0, "won": 200.0, "slipped": 100.0, "end_open": 1000.0}
    steps = waterfall(moves)
    assert steps.rows() == [
        ("Open at start", 1000.0),
        ("New", 300.0),
        ("Won", -200.0),
        ("Slipped", -100.0),
        ("Open at end", 1000.0),
    ]
    chart = "".join(html.waterfall_chart(Section("waterfall", "Open pipeline", steps)))
    # The axis reaches 1,300 (start + new): New floats from 1,000, Won from 1,100 down, Slipped from 1,000 down.
    assert chart.count('class="bar"') == 5
    assert '<td width="76.9%"' in chart  # New's bar starts at 1,000 / 1,300
    assert '<td width="84.6%"' in chart  # Won's at 1,100 / 1,300
