"""The synthetic export generator (SPEC §4 `renewals sample`): exact, deterministic, realistic, one book per seed.

Salesforce and HubSpot renderings are parsed back here with plain Python, independently of the loader, and must
describe the very same opportunities as the canonical rendering.
"""

import calendar
import hashlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli.sample import CHURN_REASONS, DEFAULT_AS_OF, PARTNERS, STYLES, Style, generate, write_sample

CANONICAL_COLUMNS = [
    "opportunity_id",
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
    "start_date",
    "partner",
    "churn_reason",
]
SALESFORCE_COLUMNS = [
    "Opportunity ID",
    "Opportunity Name",
    "Account ID",
    "Account Name",
    "Opportunity Owner",
    "Contract End Date",
    "Available To Renew",
    "Stage",
    "Amount (Converted)",
    "Close Date",
    "Account ARR",
    "Strategic Account",
    "Renewal Batch",
    "CSM",
    "Contract Start Date",
    "Partner Account",
    "Loss Reason",
]
HUBSPOT_COLUMNS = [
    "Record ID",
    "Deal Name",
    "Company ID",
    "Company Name",
    "Deal Owner",
    "Renewal Date",
    "Expiring ARR",
    "Deal Stage",
    "Amount",
    "Close Date",
    "Strategic",
    "Customer Success Manager",
    "Customer Since",
    "Channel Partner",
    "Closed Lost Reason",
]
COLUMNS: dict[Style, list[str]] = {
    "canonical": CANONICAL_COLUMNS,
    "salesforce": SALESFORCE_COLUMNS,
    "hubspot": HUBSPOT_COLUMNS,
}
# The columns every style had before start_date, partner and churn_reason were added (the first ones, in order).
FORMER_COLUMNS: dict[Style, int] = {"canonical": 13, "salesforce": 14, "hubspot": 12}
ID_COLUMN: dict[Style, str] = {"canonical": "opportunity_id", "salesforce": "Opportunity ID", "hubspot": "Record ID"}

# SPEC §1 status values, compared case-, space- and punctuation-insensitively; anything else non-empty is open.
WON_STAGES = {"closedwon", "won", "renewed", "yes"}
LOST_STAGES = {"closedlost", "lost", "churned", "cancelled", "no"}


def status_of(stage: str) -> str:
    """What SPEC §1 says a stage means."""
    key = re.sub(r"[^a-z0-9]", "", stage.lower())
    return "won" if key in WON_STAGES else "lost" if key in LOST_STAGES else "open"


def dollars(text: str | None) -> float | None:
    """`$1,234.50` as a number."""
    return None if text is None else float(text.removeprefix("$").replace(",", ""))


def day(text: str | None, layout: str) -> date | None:
    """A date (or the date of a datetime) written in `layout`."""
    return None if text is None else datetime.strptime(text, layout).date()


def number(identifier: str) -> int:
    """The number at the end of an id (`OPP-000012` -> 12)."""
    match = re.search(r"\d+$", identifier)
    assert match, identifier
    return int(match.group())


def same_numbering(ids: pl.Series, canonical_ids: pl.Series) -> bool:
    """Whether two id columns number the rows alike, up to a constant offset."""
    return len({number(a) - number(b) for a, b in zip(ids, canonical_ids, strict=True)}) == 1


# --- shape and determinism ----------------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_the_same_arguments_give_the_same_export(style: Style) -> None:
    assert_frame_equal(generate(500, seed=3, style=style), generate(500, seed=3, style=style))


def test_another_seed_gives_another_book() -> None:
    first, second = generate(200, seed=1), generate(200, seed=2)
    assert first["prior_amount"].to_list() != second["prior_amount"].to_list()
    assert first["account_name"].to_list() != second["account_name"].to_list()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("rows", [0, 1, 2, 3, 10, 999])
def test_row_count_is_exactly_what_was_asked(style: Style, rows: int) -> None:
    assert generate(rows, style=style).height == rows


@pytest.mark.parametrize("style", STYLES)
def test_each_style_has_its_crm_headers_and_an_empty_export_keeps_them(style: Style) -> None:
    full, empty = generate(20, style=style), generate(0, style=style)
    assert full.columns == COLUMNS[style]
    assert empty.schema == full.schema


def test_canonical_values_have_canonical_types() -> None:
    assert generate(50).schema == pl.Schema(
        {
            "opportunity_id": pl.String,
            "account_id": pl.String,
            "account_name": pl.String,
            "rep": pl.String,
            "expiry_date": pl.Date,
            "prior_amount": pl.Float64,
            "status": pl.String,
            "renewal_amount": pl.Float64,
            "close_date": pl.Date,
            "arr": pl.Float64,
            "strategic": pl.Boolean,
            "batch": pl.String,
            "csm": pl.String,
            "start_date": pl.Date,
            "partner": pl.String,
            "churn_reason": pl.String,
        }
    )


@pytest.mark.parametrize("style", STYLES)
def test_opportunity_ids_are_unique(style: Style) -> None:
    ids = generate(5_000, seed=11, style=style)[ID_COLUMN[style]]
    assert ids.null_count() == 0
    assert ids.n_unique() == 5_000


# SHA-256 of repr(rows) of the former columns, computed with the generator as it was before the start_date,
# partner and churn_reason draws existed: new kinds of draw must leave every existing value as it was.
FORMER_DIGESTS: dict[tuple[Style, int, int, date], str] = {
    ("canonical", 400, 1, DEFAULT_AS_OF): "f5e619804a1d155da4ff9315c76234ae071185765d000dd7116cacb54579d307",
    ("canonical", 333, 8, date(2024, 2, 29)): "8e570746e41d8839f30a4d9daf6b1063b6e8d3c249874be8182885841ac05e53",
    ("salesforce", 400, 1, DEFAULT_AS_OF): "c01b0c69c0ab333ec7722a577bf12242725dc72a8e65d4b483e47e007fc2c369",
    ("salesforce", 333, 8, date(2024, 2, 29)): "6d3386d8afa1b93ad00e9f26b1e4d752929b079c36f976edb2952a101e1737bb",
    ("hubspot", 400, 1, DEFAULT_AS_OF): "b14f811b1d9001fbf5bf00e4c04a3785f1d5baeb28d7a9928f0d2c5bdbc518a1",
    ("hubspot", 333, 8, date(2024, 2, 29)): "0a5a2aa543fef2f1737802dc1509f6fecbef48bb4f783099530068f353cc2599",
}


@pytest.mark.parametrize(("style", "rows", "seed", "as_of"), list(FORMER_DIGESTS))
def test_new_columns_leave_the_former_columns_as_they_were(style: Style, rows: int, seed: int, as_of: date) -> None:
    export = generate(rows, seed=seed, style=style, as_of=as_of)
    former = export.select(export.columns[: FORMER_COLUMNS[style]])
    assert hashlib.sha256(repr(former.rows()).encode()).hexdigest() == FORMER_DIGESTS[(style, rows, seed, as_of)]


def test_the_first_rows_are_the_ones_frozen_when_the_new_columns_came() -> None:
    """The same promise, readable: the first rows of a small book, former columns then the new ones."""
    head = generate(400, seed=1).head(3)
    assert head.select(head.columns[:13]).row(0) == (
        "OPP-000175", "ACC-000135", "Riverbend Networks S.A.", "Daniel Kowalski", date(2025, 11, 25), 9674.0,
        "lost", None, date(2025, 12, 15), 12789.0, False, "FY26-Q4", "Ben Carter",
    )  # fmt: skip
    assert head.select("opportunity_id", "start_date", "partner", "churn_reason").rows() == [
        ("OPP-000175", date(2026, 4, 23), None, "Acquired or merged"),
        ("OPP-000146", date(2024, 11, 24), None, "Missing features"),
        ("OPP-000078", date(2022, 6, 10), None, "Low adoption"),
    ]


def test_another_seed_draws_other_start_dates_partners_and_reasons() -> None:
    first, second = generate(2_000, seed=1), generate(2_000, seed=2)
    for column in ("start_date", "partner", "churn_reason"):
        assert first[column].to_list() != second[column].to_list(), column


def test_rows_come_sorted_by_expiry_date() -> None:
    assert generate(2_000, seed=4)["expiry_date"].is_sorted()


def test_a_negative_row_count_is_refused() -> None:
    with pytest.raises(ValueError, match="rows must be zero or more, not -1"):
        generate(-1)


def test_an_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sample style 'pipedrive'"):
        generate(10, style="pipedrive")  # type: ignore[arg-type]


# --- the rules every row follows ----------------------------------------------------------------------------


def check_rows_follow_the_rules(export: pl.DataFrame, as_of: date) -> None:
    """SPEC §1 validity plus the generator's own promises, on a canonical export."""
    assert set(export["status"]) <= {"open", "won", "lost"}
    won = export.filter(pl.col("status") == "won")
    lost = export.filter(pl.col("status") == "lost")
    still_open = export.filter(pl.col("status") == "open")
    assert won["renewal_amount"].null_count() == 0
    assert won["close_date"].null_count() == 0
    assert lost["close_date"].null_count() == 0
    assert lost["renewal_amount"].null_count() == lost.height
    assert still_open["close_date"].null_count() == still_open.height
    assert still_open["renewal_amount"].null_count() == still_open.height
    # Nothing is closed in the future, and no money is negative.
    assert all(closed <= as_of for closed in export["close_date"].drop_nulls())
    assert (export["prior_amount"] > 0).all()
    # A renewal is a down-sell, a price uplift or an expansion: never a collapse or a multiple.
    assert all(0.74 <= ratio <= 1.36 for ratio in won["renewal_amount"] / won["prior_amount"])
    assert export["opportunity_id"].n_unique() == export.height
    assert export["expiry_date"].is_sorted()
    # A churn reason only on a lost row; a partner and a start date are the account's, on every row of it.
    assert export.filter(pl.col("status") != "lost")["churn_reason"].null_count() == export.height - lost.height
    assert set(export["partner"].drop_nulls()) <= set(PARTNERS)
    assert set(export["churn_reason"].drop_nulls()) <= set(CHURN_REASONS)
    # A start is at most six years (and a bit) old, and lies at most two weeks ahead.
    assert all(
        as_of - timedelta(days=6 * 366) <= start <= as_of + timedelta(days=14)
        for start in export["start_date"].drop_nulls()
    )


def test_rows_follow_the_rules_on_a_large_book() -> None:
    check_rows_follow_the_rules(generate(50_000, seed=5), DEFAULT_AS_OF)


@settings()  # the examples of the Hypothesis profile (tests/conftest.py)
@given(
    rows=st.integers(min_value=0, max_value=60),
    seed=st.integers(min_value=0, max_value=2**40),
    as_of=st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)),
)
def test_rows_follow_the_rules_for_any_size_seed_and_date(rows: int, seed: int, as_of: date) -> None:
    export = generate(rows, seed=seed, as_of=as_of)
    assert export.height == rows
    check_rows_follow_the_rules(export, as_of)
    # Expiries sit in the two years around as_of (month-end contracts can end a few days later).
    assert all(
        as_of - timedelta(days=366) <= expiry <= as_of + timedelta(days=366 + 31) for expiry in export["expiry_date"]
    )


def test_accounts_keep_their_attributes_across_their_opportunities() -> None:
    export = generate(5_000, seed=6)
    per_account = export.group_by("account_id").agg(
        pl.col(column).n_unique().alias(column)
        for column in ("account_name", "rep", "arr", "strategic", "csm", "start_date", "partner")
    )
    assert (per_account.drop("account_id").max_horizontal() == 1).all()


# --- a realistic book ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book() -> pl.DataFrame:
    """A mid-sized canonical export, shared by the realism checks."""
    return generate(20_000, seed=0)


def test_account_arr_is_long_tailed(book: pl.DataFrame) -> None:
    accounts = book.group_by("account_id").agg(pl.col("arr").first(), pl.len().alias("opportunities"))
    arr = accounts["arr"].drop_nulls()
    strategic = (arr >= 500_000).mean()
    enterprise = ((arr >= 200_000) & (arr < 500_000)).mean()
    assert strategic is not None and enterprise is not None
    assert 0.002 < strategic < 0.05  # a few strategic accounts
    assert strategic < enterprise < 0.15  # some enterprise
    assert (arr < 200_000).mean() > 0.8  # and a long tail of SMB
    assert arr.median() < arr.mean()
    assert accounts["opportunities"].mean() >= 2  # several opportunities per account over time
    assert 0.9 <= accounts["arr"].is_not_null().mean() < 1.0  # ARR mostly filled


def test_few_accounts_are_flagged_strategic_and_some_have_no_csm(book: pl.DataFrame) -> None:
    accounts = book.group_by("account_id").agg(pl.col("strategic").first(), pl.col("csm").first())
    assert 0 < accounts["strategic"].sum() < 0.05 * accounts.height
    assert 0.1 < accounts["csm"].is_null().mean() < 0.6
    assert 3 <= accounts["csm"].drop_nulls().n_unique() <= 8


def test_a_team_of_realistically_named_reps_in_named_batches(book: pl.DataFrame) -> None:
    reps = book["rep"].unique()
    assert 8 <= reps.len() <= 15
    assert all(re.fullmatch(r"[A-Z][a-z]+ [A-Z][A-Za-z']+", rep) for rep in reps)
    assert all(re.fullmatch(r"FY\d\d-Q[1-4]", batch) for batch in book["batch"].unique())
    assert book["batch"].n_unique() >= 8  # two years of quarters


def test_past_expiries_are_mostly_resolved_and_future_ones_mostly_open(book: pl.DataFrame) -> None:
    past = book.filter(pl.col("expiry_date") < DEFAULT_AS_OF)["status"]
    future = book.filter(pl.col("expiry_date") >= DEFAULT_AS_OF)["status"]
    assert 0.35 < past.len() / book.height < 0.65
    assert (past == "won").mean() > 0.7
    assert 0.03 < (past == "lost").mean() < 0.25
    assert 0 < (past == "open").sum() < 0.1 * past.len()  # some past due
    assert (future == "open").mean() > 0.85
    assert (future == "won").sum() > 0  # some early renewals


def test_won_renewals_are_early_on_time_or_late_around_a_modest_uplift(book: pl.DataFrame) -> None:
    won = book.filter(pl.col("status") == "won")
    conversion = won["renewal_amount"].sum() / won["prior_amount"].sum()
    assert 0.97 < conversion < 1.12
    assert (won["renewal_amount"] < won["prior_amount"]).any()  # down-sells exist
    lead = (won["expiry_date"] - won["close_date"]).dt.total_days()
    assert (lead > 0).any() and (lead == 0).any() and (lead < 0).any()
    assert 0.5 < (lead >= 0).mean() < 0.95


def test_an_account_starts_before_its_first_contract_unless_it_is_young(book: pl.DataFrame) -> None:
    """Established accounts became customers before the first contract in the book began (a year before its
    earliest expiry), young ones within the last year, or in the next two weeks; a few have no start."""
    accounts = book.group_by("account_id").agg(pl.col("start_date").first(), first_expiry=pl.col("expiry_date").min())
    young_since = DEFAULT_AS_OF - timedelta(days=365)
    for start, first_expiry in accounts.select("start_date", "first_expiry").iter_rows():
        if start is not None and start < young_since:
            leap_day = (first_expiry.month, first_expiry.day) == (2, 29)
            first_contract_start = date(first_expiry.year - 1, first_expiry.month, 28 if leap_day else first_expiry.day)
            assert start < first_contract_start, (start, first_expiry)
    starts = accounts["start_date"]
    assert 0.03 < starts.is_null().mean() < 0.08  # real CRMs have blanks
    assert 0.1 < (starts >= young_since).mean() < 0.22  # a growing customer base: many young accounts
    assert 0 < (starts > DEFAULT_AS_OF).sum() < 0.01 * accounts.height  # signed, starting within two weeks
    assert starts.min() < DEFAULT_AS_OF - timedelta(days=5 * 365)  # spread over some six years
    years = starts.dt.year().value_counts()
    assert years.height >= 6


def add_months(day: date, months: int) -> date:
    """`day` plus calendar months, clamped to the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def test_the_sample_book_has_every_onboarding_touchpoint_in_the_next_two_weeks() -> None:
    """`make sample-data`'s book: welcome, day 30, day 60 and month 6 all fall due within 14 days of as_of."""
    starts = generate(2_000, seed=1).group_by("account_id").agg(pl.col("start_date").first())["start_date"]
    due = {
        "welcome": lambda start: start,
        "day_30": lambda start: start + timedelta(days=30),
        "day_60": lambda start: start + timedelta(days=60),
        "month_6": lambda start: add_months(start, 6),
    }
    horizon = DEFAULT_AS_OF + timedelta(days=14)
    for touchpoint, when in due.items():
        count = sum(DEFAULT_AS_OF <= when(start) <= horizon for start in starts.drop_nulls())
        assert 1 <= count <= 15, touchpoint


def test_about_a_quarter_of_accounts_come_through_a_partner_mostly_the_long_tail(book: pl.DataFrame) -> None:
    accounts = book.group_by("account_id").agg(pl.col("partner").first(), pl.col("prior_amount").max())
    partnered = accounts["partner"].is_not_null()
    assert 0.18 < partnered.mean() < 0.32
    assert 3 <= accounts["partner"].drop_nulls().n_unique() <= 4
    small = accounts.filter(pl.col("prior_amount") < 20_000)["partner"].is_not_null().mean()
    large = accounts.filter(pl.col("prior_amount") >= 200_000)["partner"].is_not_null().mean()
    assert small is not None and large is not None
    assert large < small / 2
    counts = accounts["partner"].drop_nulls().value_counts(sort=True)["count"]
    assert counts[0] > 2 * counts[-1]  # some partners sell far more than others


def test_most_lost_rows_give_one_of_a_handful_of_reasons(book: pl.DataFrame) -> None:
    lost = book.filter(pl.col("status") == "lost")["churn_reason"]
    assert 0.05 < lost.is_null().mean() < 0.15  # some reps leave it blank
    counts = lost.drop_nulls().value_counts(sort=True)["count"]
    assert 4 <= counts.len() <= 8
    assert counts[0] > 2 * counts[-1]  # unequal weights


# --- every style renders the same book ----------------------------------------------------------------------


def test_salesforce_renders_the_same_opportunities() -> None:
    canonical, salesforce = generate(3_000, seed=9), generate(3_000, seed=9, style="salesforce")
    assert same_numbering(salesforce["Opportunity ID"], canonical["opportunity_id"])
    assert same_numbering(salesforce["Account ID"], canonical["account_id"])
    assert salesforce["Account Name"].to_list() == canonical["account_name"].to_list()
    assert salesforce["Opportunity Owner"].to_list() == canonical["rep"].to_list()
    assert [day(d, "%m/%d/%Y") for d in salesforce["Contract End Date"]] == canonical["expiry_date"].to_list()
    assert [dollars(m) for m in salesforce["Available To Renew"]] == canonical["prior_amount"].to_list()
    assert [status_of(s) for s in salesforce["Stage"]] == canonical["status"].to_list()
    assert [dollars(m) for m in salesforce["Amount (Converted)"]] == canonical["renewal_amount"].to_list()
    assert [day(d, "%m/%d/%Y") for d in salesforce["Close Date"]] == canonical["close_date"].to_list()
    assert [dollars(m) for m in salesforce["Account ARR"]] == canonical["arr"].to_list()
    assert [flag == "Yes" for flag in salesforce["Strategic Account"]] == canonical["strategic"].to_list()
    assert set(salesforce["Strategic Account"]) == {"Yes", ""}
    assert salesforce["Renewal Batch"].to_list() == canonical["batch"].to_list()
    assert salesforce["CSM"].to_list() == canonical["csm"].to_list()
    assert [day(d, "%m/%d/%Y") for d in salesforce["Contract Start Date"]] == canonical["start_date"].to_list()
    assert salesforce["Partner Account"].to_list() == canonical["partner"].to_list()
    assert salesforce["Loss Reason"].to_list() == canonical["churn_reason"].to_list()


def test_salesforce_writes_money_dates_and_stages_as_a_report_export_does() -> None:
    salesforce = generate(3_000, seed=9, style="salesforce")
    for column in ("Available To Renew", "Amount (Converted)", "Account ARR"):
        assert all(re.fullmatch(r"\$\d{1,3}(,\d{3})*\.\d\d", m) for m in salesforce[column].drop_nulls()), column
    assert any("," in m for m in salesforce["Available To Renew"])
    for column in ("Contract End Date", "Close Date", "Contract Start Date"):
        assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in salesforce[column].drop_nulls()), column
    open_stages = set(salesforce["Stage"]) - {"Closed Won", "Closed Lost"}
    assert {"Negotiation", "Quote Sent", "Pending"} <= open_stages
    assert len(salesforce["Opportunity ID"][0]) == 15


def test_hubspot_renders_the_same_opportunities_without_arr_or_batch() -> None:
    canonical, hubspot = generate(3_000, seed=9), generate(3_000, seed=9, style="hubspot")
    assert same_numbering(hubspot["Record ID"], canonical["opportunity_id"])
    assert same_numbering(hubspot["Company ID"], canonical["account_id"])
    assert hubspot["Company Name"].to_list() == canonical["account_name"].to_list()
    assert hubspot["Deal Owner"].to_list() == canonical["rep"].to_list()
    assert [day(d, "%Y-%m-%d %H:%M") for d in hubspot["Renewal Date"]] == canonical["expiry_date"].to_list()
    assert hubspot["Expiring ARR"].to_list() == canonical["prior_amount"].to_list()
    assert [status_of(s) for s in hubspot["Deal Stage"]] == canonical["status"].to_list()
    assert hubspot["Amount"].to_list() == canonical["renewal_amount"].to_list()
    assert [day(d, "%Y-%m-%d %H:%M") for d in hubspot["Close Date"]] == canonical["close_date"].to_list()
    assert [flag == "true" for flag in hubspot["Strategic"]] == canonical["strategic"].to_list()
    assert hubspot["Customer Success Manager"].to_list() == canonical["csm"].to_list()
    assert [day(d, "%Y-%m-%d %H:%M") for d in hubspot["Customer Since"]] == canonical["start_date"].to_list()
    assert hubspot["Channel Partner"].to_list() == canonical["partner"].to_list()
    assert hubspot["Closed Lost Reason"].to_list() == canonical["churn_reason"].to_list()
    assert {"Closed won", "Closed lost", "Contract sent"} <= set(hubspot["Deal Stage"])


def test_every_style_gives_the_same_totals_by_rep_and_status() -> None:
    """What a report computes from each style must agree, whatever the rendering."""
    canonical = generate(4_000, seed=12)
    salesforce = generate(4_000, seed=12, style="salesforce").select(
        rep="Opportunity Owner",
        status=pl.col("Stage").map_elements(status_of, return_dtype=pl.String),
        prior_amount=pl.col("Available To Renew").map_elements(dollars, return_dtype=pl.Float64),
        partner="Partner Account",
        churn_reason="Loss Reason",
    )
    hubspot = generate(4_000, seed=12, style="hubspot").select(
        rep="Deal Owner",
        status=pl.col("Deal Stage").map_elements(status_of, return_dtype=pl.String),
        prior_amount="Expiring ARR",
        partner="Channel Partner",
        churn_reason="Closed Lost Reason",
    )

    def totals(export: pl.DataFrame, *keys: str) -> pl.DataFrame:
        return export.group_by(*keys).agg(pl.len(), pl.col("prior_amount").sum()).sort(*keys, nulls_last=True)

    for keys in (("rep", "status"), ("partner", "status"), ("churn_reason", "status")):
        assert_frame_equal(totals(salesforce, *keys), totals(canonical, *keys))
        assert_frame_equal(totals(hubspot, *keys), totals(canonical, *keys))


# --- files --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_parquet_holds_exactly_the_generated_frame(tmp_path: Path, style: Style) -> None:
    path = tmp_path / "sample.parquet"
    write_sample(path, 700, seed=2, style=style)
    assert_frame_equal(pl.read_parquet(path), generate(700, seed=2, style=style))
    assert list(tmp_path.iterdir()) == [path]  # no partial file left behind


def test_csv_reads_back_as_the_generated_frame(tmp_path: Path) -> None:
    path = tmp_path / "sample.CSV"
    write_sample(path, 700, seed=2)
    expected = generate(700, seed=2)
    assert_frame_equal(pl.read_csv(path, schema=expected.schema), expected)
    assert path.read_text().splitlines()[0] == ",".join(CANONICAL_COLUMNS)


def test_salesforce_csv_quotes_names_with_commas(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    write_sample(path, 2_000, seed=2, style="salesforce")
    text = path.read_text()
    assert text.startswith("Opportunity ID,Opportunity Name,Account ID,Account Name,Opportunity Owner,")
    assert '"Holdings, Inc."' not in text and ' Holdings, Inc."' in text
    assert_frame_equal(pl.read_csv(path, infer_schema=False), generate(2_000, seed=2, style="salesforce"))


def test_an_unknown_file_type_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in \.csv or \.parquet"):
        write_sample(tmp_path / "sample.xlsx", 10)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "sample.csv"
    path.write_text("old contents\n")
    write_sample(path, 5)
    assert pl.read_csv(path).height == 5
