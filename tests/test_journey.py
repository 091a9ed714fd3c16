"""`renewals journey`: touchpoints on tiny hand-built frames (every date worked out in a comment), then the
command line."""

import calendar
import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli.errors import UsageError
from renewals_cli.journey import JOURNEY_COLUMNS, Filters, touchpoints, without_start
from renewals_cli.load.validate import CANONICAL_SCHEMA
from renewals_cli.segments import Thresholds
from tests.clirun import run

ROW_COLUMNS = (
    "opportunity_id", "account_id", "account_name", "rep", "expiry_date", "prior_amount", "status", "close_date",
    "arr", "strategic", "csm", "start_date",
)  # fmt: skip
ROW_SCHEMA = {name: CANONICAL_SCHEMA[name] for name in ROW_COLUMNS}
JOURNEY_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "days_until": pl.Int64(),
    "touchpoint": pl.String(),
    "account_id": pl.String(),
    "account_name": pl.String(),
    "opportunity_id": pl.String(),
    "owner": pl.String(),
    "segment": pl.String(),
    "arr": pl.Float64(),
    "channel": pl.String(),
}

AS_OF = dt.date(2026, 3, 15)  # the default horizon (14 days) ends 2026-03-29


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def opp(
    account_id: str,
    expiry: str,
    *,
    opportunity_id: str | None = None,
    status: str = "open",
    close: str | None = None,
    start: str | None = None,
    rep: str = "ann",
    csm: str | None = None,
    prior: float = 100.0,
    arr: float | None = None,
    account_name: str | None = None,
) -> dict[str, Any]:
    """One accepted row."""
    return {
        "opportunity_id": opportunity_id,
        "account_id": account_id,
        "account_name": account_name,
        "rep": rep,
        "expiry_date": day(expiry),
        "prior_amount": prior,
        "status": status,
        "close_date": None if close is None else day(close),
        "arr": arr,
        "strategic": False,
        "csm": csm,
        "start_date": None if start is None else day(start),
    }


def listed(rows: list[dict[str, Any]], *, as_of: dt.date = AS_OF, days: int = 14, **filters: Any) -> pl.DataFrame:
    frame = pl.LazyFrame(rows, schema=ROW_SCHEMA)
    return touchpoints(frame, Thresholds(), as_of=as_of, days=days, filters=Filters(**filters)).collect()


def brief(frame: pl.DataFrame) -> list[tuple[str, int, str, str]]:
    """(date, days_until, touchpoint, account_id) per touchpoint."""
    return [
        (d.isoformat(), n, t, a) for d, n, t, a in frame.select("date", "days_until", "touchpoint", "account_id").rows()
    ]


# --- each touchpoint at its boundaries --------------------------------------------------------------------------

# Far-off expiry dates (renewal touchpoints in 2027) keep the renewal touchpoints out of the account tests.
FAR = "2027-12-31"


def test_welcome_on_the_first_and_last_day_of_the_horizon() -> None:
    rows = [
        opp("W-1", FAR, start="2026-03-14"),  # yesterday: not listed
        opp("W0", FAR, start="2026-03-15"),  # today: day 0
        opp("W14", FAR, start="2026-03-29"),  # last day of the horizon
        opp("W15", FAR, start="2026-03-30"),  # one day beyond
    ]
    assert brief(listed(rows)) == [("2026-03-15", 0, "welcome", "W0"), ("2026-03-29", 14, "welcome", "W14")]


def test_day_30_and_day_60_at_their_boundaries() -> None:
    rows = [
        opp("D30", FAR, start="2026-02-13"),  # Feb 13 + 15 = Feb 28, + 15 = Mar 15: day 0
        opp("D30-late", FAR, start="2026-02-28"),  # + 30 = Mar 30: day 15, beyond
        opp("D60", FAR, start="2026-01-28"),  # Jan 28 + 3 = Jan 31, + 28 = Feb 28, + 29 = Mar 29: day 14
        opp("D60-early", FAR, start="2026-01-14"),  # + 60 = Mar 15: day 0
        opp("D60-gone", FAR, start="2026-01-13"),  # + 60 = Mar 14: yesterday
    ]
    assert brief(listed(rows)) == [
        ("2026-03-15", 0, "day_30", "D30"),
        ("2026-03-15", 0, "day_60", "D60-early"),
        ("2026-03-29", 14, "day_60", "D60"),
    ]


@pytest.mark.parametrize(
    ("start", "month_6"),
    [
        ("2025-09-29", "2026-03-29"),  # an ordinary six months
        ("2025-08-31", "2026-02-28"),  # the 31st of August, six months later: clamped to February's last day
        ("2024-08-29", "2025-02-28"),  # no 29 February in 2025: clamped
        ("2024-08-31", "2025-02-28"),
        ("2023-08-31", "2024-02-29"),  # a leap year: February's last day is the 29th
        ("2025-12-31", "2026-06-30"),  # June has 30 days
        ("2026-01-31", "2026-07-31"),  # July has 31: not clamped
    ],
)
def test_month_6_is_six_calendar_months_clamped_to_the_month_end(start: str, month_6: str) -> None:
    on = day(month_6)
    found = listed([opp("M6", "2030-12-31", start=start)], as_of=on, days=0, touchpoints=["month_6"])
    assert brief(found) == [(month_6, 0, "month_6", "M6")]
    # and the day before it, nothing
    assert listed([opp("M6", "2030-12-31", start=start)], as_of=on - dt.timedelta(days=1), days=0).is_empty()


def test_quote_120_and_renewal_90_at_their_boundaries() -> None:
    rows = [
        opp("Q0", "2026-07-13", opportunity_id="q0"),  # 2026-03-15 + 120 days (Mar 16, Apr 30, May 31, Jun 30, +13)
        opp("Q14", "2026-07-27", opportunity_id="q14"),  # quote on Mar 29 (day 14)
        opp("Q15", "2026-07-28", opportunity_id="q15"),  # quote on Mar 30: beyond
        opp("R0", "2026-06-13", opportunity_id="r0"),  # 90 days after Mar 15: renewal_90 today (its quote is past)
        opp("R14", "2026-06-27", opportunity_id="r14"),  # renewal_90 on Mar 29
        opp("R-1", "2026-06-12", opportunity_id="r-1"),  # renewal_90 yesterday
    ]
    found = listed(rows)
    assert brief(found) == [
        ("2026-03-15", 0, "quote_120", "Q0"),
        ("2026-03-15", 0, "renewal_90", "R0"),
        ("2026-03-29", 14, "quote_120", "Q14"),
        ("2026-03-29", 14, "renewal_90", "R14"),
    ]
    assert found["opportunity_id"].to_list() == ["q0", "r0", "q14", "r14"]


def test_days_0_lists_only_today() -> None:
    rows = [
        opp("A", "2026-07-13", opportunity_id="a", start="2026-03-15"),  # welcome and quote_120 today
        opp("B", "2026-07-14", opportunity_id="b", start="2026-03-16"),  # both tomorrow
    ]
    assert brief(listed(rows, days=0)) == [("2026-03-15", 0, "welcome", "A"), ("2026-03-15", 0, "quote_120", "A")]
    assert listed(rows, days=1).height == 4


def test_rows_closed_after_the_as_of_date_still_get_renewal_touchpoints() -> None:
    rows = [
        opp("WON-LATER", "2026-07-13", opportunity_id="w1", status="won", close="2026-03-20"),  # open on Mar 15
        opp("LOST-LATER", "2026-07-13", opportunity_id="l1", status="lost", close="2026-04-01"),
        opp("WON", "2026-07-13", opportunity_id="w0", status="won", close="2026-03-15"),  # won by Mar 15
        opp("LOST", "2026-07-13", opportunity_id="l0", status="lost", close="2026-03-01"),
    ]
    assert listed(rows)["opportunity_id"].to_list() == ["l1", "w1"]


def test_an_accounts_start_is_its_earliest_start_date() -> None:
    rows = [
        opp("A", FAR, opportunity_id="a1", start="2026-03-20"),
        opp("A", FAR, opportunity_id="a2", start="2026-03-16"),  # the account's start: one welcome, on Mar 16
        opp("A", FAR, opportunity_id="a3"),
    ]
    assert brief(listed(rows)) == [("2026-03-16", 1, "welcome", "A")]


# --- owner, name, segment, channel ------------------------------------------------------------------------------


def test_owner_is_the_accounts_csm_for_every_touchpoint() -> None:
    rows = [
        opp("A", "2026-07-13", opportunity_id="a1", rep="rob", csm="Cara", start="2026-03-15"),
        opp("A", "2026-07-14", opportunity_id="a2", rep="rob", csm="Dan"),  # the latest-expiring row: Dan
        opp("A", "2026-08-01", opportunity_id="a3", rep="rob"),  # names no CSM: does not count
    ]
    # welcome and a1's quote_120 on Mar 15, a2's quote_120 on Mar 16
    assert listed(rows, days=1).select("touchpoint", "owner").rows() == [
        ("welcome", "Dan"),
        ("quote_120", "Dan"),
        ("quote_120", "Dan"),
    ]


def test_without_a_csm_renewal_touchpoints_go_to_the_opportunitys_rep_and_account_ones_to_the_latest_rep() -> None:
    rows = [
        opp("A", "2026-07-13", opportunity_id="a1", rep="rob", start="2026-03-15"),
        opp("A", "2026-06-13", opportunity_id="a2", rep="sue"),
        opp("A", "2026-09-30", opportunity_id="a3", rep="zed"),  # the latest-expiring row
        opp("A", "2026-09-30", opportunity_id="a4", rep="tom"),  # ... and on a tie, the first name: tom
    ]
    found = listed(rows)
    assert found.select("touchpoint", "opportunity_id", "owner").rows() == [
        ("welcome", None, "tom"),
        ("quote_120", "a1", "rob"),
        ("renewal_90", "a2", "sue"),
    ]


def test_csm_on_a_tie_of_expiry_dates_is_the_first_name() -> None:
    rows = [
        opp("A", "2026-07-13", opportunity_id="a1", csm="Zoe", start="2026-03-15"),
        opp("A", "2026-07-13", opportunity_id="a2", csm="Yan"),
    ]
    assert set(listed(rows)["owner"]) == {"Yan"}


def test_account_name_is_the_latest_expiring_rows() -> None:
    rows = [
        opp("A", "2026-07-13", opportunity_id="a1", account_name="Acme Old", start="2026-03-15"),
        opp("A", "2026-09-30", opportunity_id="a2", account_name="Acme Corp"),
        opp("A", "2026-10-31", opportunity_id="a3"),  # no name on the latest row: the latest that has one
    ]
    assert set(listed(rows)["account_name"]) == {"Acme Corp"}


def test_segment_arr_and_channel_from_every_accepted_row() -> None:
    rows = [
        # SMB: 150k of prior over two rows (no arr) -> one_to_many
        opp("S", "2026-07-13", opportunity_id="s1", prior=100_000),
        opp("S", "2020-01-31", opportunity_id="s0", prior=50_000, status="won", close="2020-01-15"),
        # enterprise by its reported arr
        opp("E", "2026-07-13", opportunity_id="e1", arr=250_000),
        # strategic: 300k + 250k of prior, one row long expired (no window: every row counts)
        opp("T", "2026-07-13", opportunity_id="t1", prior=300_000),
        opp("T", "2019-06-30", opportunity_id="t0", prior=250_000, status="lost", close="2019-06-01"),
    ]
    found = listed(rows).select("account_id", "segment", "arr", "channel").rows()
    assert found == [
        ("E", "enterprise", 250_000.0, "csm"),
        ("S", "smb", 150_000.0, "one_to_many"),
        ("T", "strategic", 550_000.0, "csm"),
    ]


def test_columns_and_types() -> None:
    rows = [opp("A", "2026-07-13", opportunity_id="a1", account_name="Acme", csm="Cara", start="2026-03-15")]
    expected = pl.DataFrame(
        [
            (day("2026-03-15"), 0, "welcome", "A", "Acme", None, "Cara", "smb", 100.0, "one_to_many"),
            (day("2026-03-15"), 0, "quote_120", "A", "Acme", "a1", "Cara", "smb", 100.0, "one_to_many"),
        ],
        schema=JOURNEY_SCHEMA,
        orient="row",
    )
    assert tuple(expected.columns) == JOURNEY_COLUMNS
    assert_frame_equal(listed(rows, days=0), expected)


def test_order_is_date_then_touchpoint_then_account_then_opportunity() -> None:
    rows = [
        opp("B", "2026-07-13", opportunity_id="b2", start="2026-02-13"),  # day_30 and quote_120 today
        opp("B", "2026-07-13", opportunity_id="b1"),
        opp("A", "2026-07-13", opportunity_id="a1", start="2026-03-15"),  # welcome and quote_120 today
        opp("C", "2026-06-13", start="2026-03-14"),  # renewal_90 today, no opportunity id
        opp("C", "2026-06-13", opportunity_id="c1"),
    ]
    found = listed(rows, days=0)
    assert found.select("touchpoint", "account_id", "opportunity_id").rows() == [
        ("welcome", "A", None),
        ("day_30", "B", None),
        ("quote_120", "A", "a1"),
        ("quote_120", "B", "b1"),
        ("quote_120", "B", "b2"),
        ("renewal_90", "C", "c1"),
        ("renewal_90", "C", None),
    ]


# --- filters and accounts without a start ------------------------------------------------------------------------

FILTERED = [
    opp("A", "2026-07-13", opportunity_id="a1", rep="rob", csm="Cara", start="2026-03-15"),
    opp("B", "2026-07-13", opportunity_id="b1", rep="rob", arr=300_000, start="2026-03-15"),
    opp("C", "2026-07-13", opportunity_id="c1", rep="sue"),  # no start
    opp("D", "2026-07-13", opportunity_id="d1", rep="rob", arr=300_000),  # no start, enterprise
]


def test_filters() -> None:
    assert listed(FILTERED, owners=["rob"])["account_id"].to_list() == ["B", "B", "D"]
    assert listed(FILTERED, segments=["enterprise"])["account_id"].to_list() == ["B", "B", "D"]
    assert listed(FILTERED, touchpoints=["welcome"])["account_id"].to_list() == ["A", "B"]
    assert listed(FILTERED, owners=["Cara", "sue"], touchpoints=["quote_120"])["account_id"].to_list() == ["A", "C"]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"segments": ["mid"]}, "--segment mid: expected one of strategic, enterprise, smb"),
        (
            {"touchpoints": ["day_90"]},
            "--touchpoint day_90: expected one of welcome, day_30, day_60, month_6, quote_120, renewal_90",
        ),
    ],
)
def test_unknown_filter_values_are_usage_errors(filters: dict[str, list[str]], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        listed(FILTERED, **filters)
    assert str(raised.value) == message


def count_without_start(**filters: Any) -> int:
    frame = pl.LazyFrame(FILTERED, schema=ROW_SCHEMA)
    return int(without_start(frame, Thresholds(), Filters(**filters)).collect()["accounts"][0])


def test_accounts_without_a_start_are_counted_among_the_filtered_accounts() -> None:
    assert count_without_start() == 2
    assert count_without_start(owners=["sue"]) == 1
    assert count_without_start(segments=["enterprise"]) == 1
    assert count_without_start(owners=["Cara"]) == 0
    assert count_without_start(touchpoints=["quote_120", "renewal_90"]) == 0  # no account touchpoint asked for
    assert count_without_start(touchpoints=["month_6"]) == 2


# --- the command line --------------------------------------------------------------------------------------------

EXPORT = [
    "Opportunity ID,Account ID,Account Name,Rep,Expiry Date,Prior Amount,Status,Renewal Amount,Close Date,CSM,"
    "Customer Since",
    "O1,A1,Acme,Ann,2026-07-13,1000,Open,,,Cara,2026-03-15",  # welcome and quote_120 today (Cara)
    "O2,A2,Beta,Bob,2026-06-27,300000,Open,,,,2025-09-29",  # month_6 and renewal_90 on Mar 29 (Bob)
    "O3,A3,Gamma,Cy,2026-07-20,600000,Closed Won,600000,2026-03-20,,",  # won after Mar 15: quote_120 on Mar 22
    "O4,A4,Delta,Dee,2026-09-30,5000,Open,,,,",  # nothing in the horizon; no start either
]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("\n".join(EXPORT) + "\n", encoding="utf-8")
    return path


def test_cli_csv(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "journey", str(export), "--as-of", "2026-03-15", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "date,days_until,touchpoint,account_id,account_name,opportunity_id,owner,segment,arr,channel\n"
        "2026-03-15,0,welcome,A1,Acme,,Cara,smb,1000.0,one_to_many\n"
        "2026-03-15,0,quote_120,A1,Acme,O1,Cara,smb,1000.0,one_to_many\n"
        "2026-03-22,7,quote_120,A3,Gamma,O3,Cy,strategic,600000.0,csm\n"
        "2026-03-29,14,month_6,A2,Beta,,Bob,enterprise,300000.0,csm\n"
        "2026-03-29,14,renewal_90,A2,Beta,O2,Bob,enterprise,300000.0,csm\n"
    )
    assert result.stderr == (
        "Rows: 4 read · 4 accepted · 0 rejected\n"
        "2 accounts have no start date: no welcome, day_30, day_60 or month_6 touchpoint is listed for them.\n"
    )


def test_cli_without_a_start_date_column_says_how_to_name_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Account,Rep,Expiry Date,Prior Amount,Status\nA1,Ann,2026-07-13,1000,Open\n", encoding="utf-8")
    result = run(capsys, "journey", str(path), "--as-of", "2026-03-15", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["2026-03-15,0,quote_120,A1,,,Ann,smb,1000.0,one_to_many"]
    assert result.stderr.splitlines()[1] == (
        "1 account has no start date (no start_date column; looked for headers: Start Date, Contract Start Date, "
        "Customer Since, Onboarding Date, Subscription Start Date; name one with --map start_date=HEADER): "
        "no welcome, day_30, day_60 or month_6 touchpoint is listed for it."
    )


def test_cli_terminal_groups_by_owner(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    result = run(capsys, "journey", str(export), "--as-of", "2026-03-15")
    assert result.exit_code == 0, result.stderr
    titles = [line.strip() for line in result.stdout.splitlines() if "touchpoint" in line and ":" in line]
    assert titles == ["Bob: 2 touchpoints", "Cara: 2 touchpoints", "Cy: 1 touchpoint"]
    assert "1 welcome · 1 month_6 · 2 quote_120 · 1 renewal_90" in result.stdout


def test_cli_json_carries_the_count_of_accounts_without_a_start(
    capsys: pytest.CaptureFixture[str], export: Path
) -> None:
    result = run(capsys, "journey", str(export), "--as-of", "2026-03-15", "--days", "0", "--format", "json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["accounts_without_start"] == 2
    assert payload["days"] == 0
    assert [(t["touchpoint"], t["owner"]) for t in payload["touchpoints"]] == [
        ("welcome", "Cara"),
        ("quote_120", "Cara"),
    ]


def test_cli_filters(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    filters = ["--owner", "Bob", "--touchpoint", "month_6"]
    result = run(capsys, "journey", str(export), "--as-of", "2026-03-15", "-f", "csv", *filters)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["2026-03-29,14,month_6,A2,Beta,,Bob,enterprise,300000.0,csm"]
    # Bob owns no account without a start date: nothing to say
    assert result.stderr == "Rows: 4 read · 4 accepted · 0 rejected\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--segment", "mid"], "Error: --segment mid: expected one of strategic, enterprise, smb\n"),
        (
            ["--touchpoint", "kickoff"],
            "Error: --touchpoint kickoff: expected one of welcome, day_30, day_60, month_6, quote_120, renewal_90\n",
        ),
    ],
)
def test_cli_unknown_filter_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], export: Path, args: list[str], message: str
) -> None:
    result = run(capsys, "journey", str(export), *args)
    assert result.exit_code == 2
    assert result.stderr == message


def test_cli_negative_days_is_a_usage_error(capsys: pytest.CaptureFixture[str], export: Path) -> None:
    assert run(capsys, "journey", str(export), "--days", "-1").exit_code == 2


def test_cli_unparseable_start_date_rejects_the_row(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Account,Rep,Expiry Date,Prior Amount,Status,Start Date\n"
        "A1,Ann,2026-07-13,1000,Open,2026-03-15\n"
        "A2,Bob,2026-07-13,1000,Open,soon\n",
        encoding="utf-8",
    )
    result = run(capsys, "journey", str(path), "--as-of", "2026-03-15", "-f", "csv", "--strict")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: 1 rows rejected under --strict (1 invalid start_date)"


@pytest.mark.parametrize("suffix", ["csv", "json", "md", "html", "xlsx", "parquet"])
def test_cli_every_format_writes_a_file(
    capsys: pytest.CaptureFixture[str], export: Path, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"journey.{suffix}"
    result = run(capsys, "journey", str(export), "--as-of", "2026-03-15", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    assert path.stat().st_size > 0
    if suffix == "parquet":
        assert pl.read_parquet(path).columns == list(JOURNEY_COLUMNS)
        assert pl.read_parquet(path).height == 5


# --- against a plain Python reading of the rules ------------------------------------------------------------------


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` + `months` calendar months, clamped to the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def reference(rows: list[dict[str, Any]], as_of: dt.date, days: int) -> list[tuple[Any, ...]]:
    """(date, touchpoint, account_id, opportunity_id, owner), in the documented order."""
    by_account: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_account.setdefault(row["account_id"], []).append(row)

    def latest_first(candidates: list[dict[str, Any]], column: str) -> Any:
        named = [r for r in candidates if r[column] is not None]
        if not named:
            return None
        latest = max(r["expiry_date"] for r in named)
        return min(r[column] for r in named if r["expiry_date"] == latest)

    found = []
    for account, theirs in by_account.items():
        csm = latest_first(theirs, "csm")
        starts = [r["start_date"] for r in theirs if r["start_date"] is not None]
        if starts:
            start = min(starts)
            dates = [start, start + dt.timedelta(days=30), start + dt.timedelta(days=60), add_months(start, 6)]
            for name, date in zip(("welcome", "day_30", "day_60", "month_6"), dates, strict=True):
                found.append((date, name, account, None, csm or latest_first(theirs, "rep")))
        for row in theirs:
            if row["status"] != "open" and row["close_date"] <= as_of:
                continue
            for name, before in (("quote_120", 120), ("renewal_90", 90)):
                date = row["expiry_date"] - dt.timedelta(days=before)
                found.append((date, name, account, row["opportunity_id"], csm or row["rep"]))
    order = ("welcome", "day_30", "day_60", "month_6", "quote_120", "renewal_90")
    kept = [t for t in found if as_of <= t[0] <= as_of + dt.timedelta(days=days)]
    return sorted(kept, key=lambda t: (t[0], order.index(t[1]), t[2], t[3] is None, t[3] or ""))


# Starts and expiry dates around the as-of dates drawn below, so that most examples list touchpoints.
DAYS = st.dates(min_value=dt.date(2025, 2, 1), max_value=dt.date(2026, 9, 30))


@st.composite
def random_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=4, max_value=14))
    rows = []
    for index in range(count):
        status = draw(st.sampled_from(["open", "won", "lost"]))
        rows.append(
            {
                "opportunity_id": f"o{index:02d}",
                "account_id": draw(st.sampled_from(["A", "B", "C"])),
                "account_name": None,
                "rep": draw(st.sampled_from(["rob", "sue", "tom"])),
                "expiry_date": draw(DAYS),
                "prior_amount": 100.0,
                "status": status,
                "close_date": None if status == "open" else draw(DAYS),
                "arr": None,
                "strategic": False,
                "csm": draw(st.none() | st.sampled_from(["Cara", "Dan"])),
                "start_date": draw(st.none() | DAYS),
            }
        )
    return rows


@settings(max_examples=60, deadline=None)
@given(rows=random_rows(), as_of=st.dates(min_value=dt.date(2025, 8, 1), max_value=dt.date(2026, 3, 31)),
       days=st.integers(min_value=0, max_value=60))  # fmt: skip
def test_touchpoints_match_the_rules_read_plainly(rows: list[dict[str, Any]], as_of: dt.date, days: int) -> None:
    found = listed(rows, as_of=as_of, days=days)
    assert found.select("date", "touchpoint", "account_id", "opportunity_id", "owner").rows() == reference(
        rows, as_of, days
    )
    assert found["days_until"].to_list() == [(d - as_of).days for d in found["date"]]
    event("touchpoints listed" if found.height else "none listed")


# --- hostile inputs: the journey and the balance fail (or read) exactly as `segments` does -------------------------

HOSTILE = Path(__file__).parent / "data" / "hostile"


# One of each kind of the corpus that `tests/test_hostile.py` runs every other command against.
HOSTILE_SAMPLE = (
    "valid.parquet", "header_only.csv", "empty.csv", "missing_column.csv", "ragged_long.csv", "impossible_dates.csv",
    "formula_cells.csv", "salesforce_footer.csv", "mixed_currencies.csv", "utf16le_bom.csv", "expiry_date_null.parquet",
)  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE_SAMPLE)
def test_hostile_inputs_end_as_for_every_command(capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = str(HOSTILE / name)
    segments = run(capsys, "segments", path, "--format", "csv")
    for args in (("journey", "--as-of", "2026-05-01"), ("balance", "--as-of", "2026-05-01", "--by", "partner")):
        result = run(capsys, args[0], path, *args[1:], "--format", "csv")
        assert result.exit_code == segments.exit_code, result.stderr
        assert "Traceback" not in result.stderr
        if segments.exit_code:
            assert result.stderr == segments.stderr
        else:
            assert result.stderr.splitlines()[0] == segments.stderr.splitlines()[0]  # the same row accounting
