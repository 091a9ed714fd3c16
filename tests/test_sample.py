"""The synthetic export generator (SPEC §4 `renewals sample`): exact, deterministic, realistic, one book per seed.

Salesforce and HubSpot renderings are parsed back here with plain Python, independently of the loader, and must
describe the very same opportunities as the canonical rendering.
"""

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from renewals_cli.sample import DEFAULT_AS_OF, STYLES, Style, generate, write_sample

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
]
COLUMNS: dict[Style, list[str]] = {
    "canonical": CANONICAL_COLUMNS,
    "salesforce": SALESFORCE_COLUMNS,
    "hubspot": HUBSPOT_COLUMNS,
}
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
        }
    )


@pytest.mark.parametrize("style", STYLES)
def test_opportunity_ids_are_unique(style: Style) -> None:
    ids = generate(5_000, seed=11, style=style)[ID_COLUMN[style]]
    assert ids.null_count() == 0
    assert ids.n_unique() == 5_000


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
        pl.col(column).n_unique().alias(column) for column in ("account_name", "rep", "arr", "strategic", "csm")
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


def test_salesforce_writes_money_dates_and_stages_as_a_report_export_does() -> None:
    salesforce = generate(3_000, seed=9, style="salesforce")
    for column in ("Available To Renew", "Amount (Converted)", "Account ARR"):
        assert all(re.fullmatch(r"\$\d{1,3}(,\d{3})*\.\d\d", m) for m in salesforce[column].drop_nulls()), column
    assert any("," in m for m in salesforce["Available To Renew"])
    for column in ("Contract End Date", "Close Date"):
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
    assert {"Closed won", "Closed lost", "Contract sent"} <= set(hubspot["Deal Stage"])


def test_every_style_gives_the_same_totals_by_rep_and_status() -> None:
    """What a report computes from each style must agree, whatever the rendering."""
    canonical = generate(4_000, seed=12)
    salesforce = generate(4_000, seed=12, style="salesforce").select(
        rep="Opportunity Owner",
        status=pl.col("Stage").map_elements(status_of, return_dtype=pl.String),
        prior_amount=pl.col("Available To Renew").map_elements(dollars, return_dtype=pl.Float64),
    )
    hubspot = generate(4_000, seed=12, style="hubspot").select(
        rep="Deal Owner",
        status=pl.col("Deal Stage").map_elements(status_of, return_dtype=pl.String),
        prior_amount="Expiring ARR",
    )

    def totals(export: pl.DataFrame) -> pl.DataFrame:
        return export.group_by("rep", "status").agg(pl.len(), pl.col("prior_amount").sum()).sort("rep", "status")

    assert_frame_equal(totals(salesforce), totals(canonical))
    assert_frame_equal(totals(hubspot), totals(canonical))


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
