"""Header aliases, their matching and `--map` (SPEC §1, the table of canonical columns)."""

import re
from collections.abc import Callable
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renewals_cli.errors import InputError
from renewals_cli.load.columns import currency_header, resolve_columns

# The SPEC §1 table, copied by hand so that a change to the code's table cannot pass unnoticed.
SPEC_ALIASES: dict[str, tuple[str, ...]] = {
    "account_id": (
        "Account ID",
        "Account",
        "Account Name",
        "Customer",
        "Customer ID",
        "Company",
        "Company ID",
    ),
    "rep": (
        "Rep",
        "Owner",
        "Opportunity Owner",
        "Deal Owner",
        "Renewal Rep",
        "Account Owner",
        "Sales Agent",
    ),
    "expiry_date": (
        "Expiry Date",
        "Contract End Date",
        "End Date",
        "Renewal Date",
        "Expiration Date",
        "Term End Date",
    ),
    "prior_amount": (
        "Prior Amount",
        "Available To Renew",
        "ATR",
        "Prior ARR",
        "Previous Amount",
        "Expiring ARR",
        "Expiring Amount",
        "Original Amount",
    ),
    "status": ("Status", "Stage", "Opportunity Stage", "Deal Stage", "Outcome"),
    "renewal_amount": (
        "Renewal Amount",
        "Amount (Converted)",
        "Amount",
        "Closed Amount",
        "New ARR",
        "Renewed Amount",
    ),
    "close_date": ("Close Date", "Closed Date", "Resolution Date", "Date Closed"),
    "opportunity_id": ("Opportunity ID", "Deal ID", "Record ID", "ID"),
    # `Account Name` is the account name only when `Account ID` is also present.
    "account_name": ("Account Name", "Company Name"),
    "arr": ("ARR", "Account ARR", "Total ARR", "Current ARR"),
    "strategic": ("Strategic", "Is Strategic", "Strategic Account"),
    "batch": ("Batch", "Account Batch", "Renewal Batch"),
    "csm": ("CSM", "Customer Success Manager"),
    "start_date": (
        "Start Date",
        "Contract Start Date",
        "Customer Since",
        "Onboarding Date",
        "Subscription Start Date",
    ),
    "partner": ("Partner", "Channel Partner", "Reseller", "Partner Account"),
}
REQUIRED = ("account_id", "rep", "expiry_date", "prior_amount", "status")
SOURCE = "export.csv"

ALIAS_CASES = [(canonical, alias) for canonical, aliases in SPEC_ALIASES.items() for alias in aliases]
PAIR_CASES = [
    (canonical, earlier, later)
    for canonical, aliases in SPEC_ALIASES.items()
    for earlier, later in combinations(aliases, 2)
]


def other_required(canonical: str) -> list[str]:
    """Headers, named canonically, for every required column except `canonical`."""
    return [name for name in REQUIRED if name != canonical]


def headers_with(canonical: str, *headers: str) -> list[str]:
    """`headers` followed by the other required columns (for `account_name`, that includes an account id)."""
    return [*headers, *other_required(canonical)]


def lower_padded(header: str) -> str:
    return f"  {header.lower()}  "


def snake(header: str) -> str:
    return re.sub(r"\W+", "_", header).strip("_").lower()


def shouting_kebab(header: str) -> str:
    return re.sub(r"\s+", "-", header).upper()


@pytest.mark.parametrize(("canonical", "alias"), ALIAS_CASES)
def test_every_spec_alias_maps_to_its_canonical_column(canonical: str, alias: str) -> None:
    mapping = resolve_columns(headers_with(canonical, alias), {}, SOURCE)

    assert mapping.header_for(canonical) == alias


@pytest.mark.parametrize(("canonical", "alias"), ALIAS_CASES)
@pytest.mark.parametrize("spell", [snake, shouting_kebab, lower_padded])
def test_alias_matching_ignores_case_spaces_underscores_and_punctuation(
    canonical: str, alias: str, spell: Callable[[str], str]
) -> None:
    header = spell(alias)

    mapping = resolve_columns(headers_with(canonical, header), {}, SOURCE)

    assert mapping.header_for(canonical) == header


@pytest.mark.parametrize("header", ["Contract End Date", "contract_end_date", "CONTRACT-END-DATE", "contract.end.date"])
def test_contract_end_date_spellings_are_one_header(header: str) -> None:
    mapping = resolve_columns([header, *other_required("expiry_date")], {}, SOURCE)

    assert mapping.header_for("expiry_date") == header


@given(
    canonical_alias=st.sampled_from(ALIAS_CASES),
    flips=st.lists(st.booleans(), min_size=40, max_size=40),
    separator=st.sampled_from([" ", "_", "-", ".", "/", "  ", " - "]),
)
def test_any_casing_and_separator_of_an_alias_matches(
    canonical_alias: tuple[str, str], flips: list[bool], separator: str
) -> None:
    canonical, alias = canonical_alias
    cased = "".join(c.upper() if flip else c.lower() for c, flip in zip(alias, flips, strict=False))
    header = separator.join(cased.split(" "))

    mapping = resolve_columns(headers_with(canonical, header), {}, SOURCE)

    assert mapping.header_for(canonical) == header


@pytest.mark.parametrize(("canonical", "earlier", "later"), PAIR_CASES)
def test_earlier_alias_wins_whatever_the_header_order(canonical: str, earlier: str, later: str) -> None:
    mapping = resolve_columns(headers_with(canonical, later, earlier), {}, SOURCE)

    assert mapping.header_for(canonical) == earlier


def test_amount_converted_beats_amount() -> None:
    headers = ["Amount", "Amount (Converted)", *other_required("renewal_amount")]

    mapping = resolve_columns(headers, {}, SOURCE)

    assert mapping.header_for("renewal_amount") == "Amount (Converted)"


def test_account_name_is_the_account_id_when_there_is_no_account_id() -> None:
    mapping = resolve_columns(["Account Name", *other_required("account_id")], {}, SOURCE)

    assert mapping.header_for("account_id") == "Account Name"
    assert mapping.header_for("account_name") is None
    assert not mapping.has("account_name")


@pytest.mark.parametrize(
    "headers",
    [["Account ID", "Account Name"], ["Account Name", "Account ID"]],
    ids=["id-first", "name-first"],
)
def test_account_name_is_the_account_name_when_there_is_an_account_id(headers: list[str]) -> None:
    mapping = resolve_columns([*headers, *other_required("account_id")], {}, SOURCE)

    assert mapping.header_for("account_id") == "Account ID"
    assert mapping.header_for("account_name") == "Account Name"


def test_the_salesforce_opportunity_report_headers_map() -> None:
    headers = [
        "Opportunity ID",
        "Opportunity Name",
        "Account Name",
        "Opportunity Owner",
        "Stage",
        "Amount (Converted)",
        "Amount",
        "Close Date",
        "Contract End Date",
        "Available To Renew",
        "Currency",
    ]

    mapping = resolve_columns(headers, {}, SOURCE)

    assert mapping.headers == {
        "account_id": "Account Name",
        "rep": "Opportunity Owner",
        "expiry_date": "Contract End Date",
        "prior_amount": "Available To Renew",
        "status": "Stage",
        "renewal_amount": "Amount (Converted)",
        "close_date": "Close Date",
        "opportunity_id": "Opportunity ID",
    }


def test_optional_columns_may_be_absent() -> None:
    mapping = resolve_columns(list(REQUIRED), {}, SOURCE)

    assert mapping.headers == {name: name for name in REQUIRED}
    for optional in SPEC_ALIASES.keys() - set(REQUIRED):
        assert not mapping.has(optional)


def test_map_overrides_the_default_alias() -> None:
    headers = ["Amount (Converted)", "Amount", *other_required("renewal_amount")]

    mapping = resolve_columns(headers, {"renewal_amount": "Amount"}, SOURCE)

    assert mapping.header_for("renewal_amount") == "Amount"


def test_map_names_a_header_no_alias_knows() -> None:
    headers = ["Customer", "Sales Person", "Expiry Date", "Prior Amount", "Status"]

    mapping = resolve_columns(headers, {"rep": "Sales Person"}, SOURCE)

    assert mapping.header_for("rep") == "Sales Person"


def test_map_header_is_matched_like_an_alias() -> None:
    headers = ["Customer", "Sales Person", "Expiry Date", "Prior Amount", "Status"]

    mapping = resolve_columns(headers, {"rep": "sales_person"}, SOURCE)

    assert mapping.header_for("rep") == "Sales Person"


def test_a_mapped_header_still_feeds_its_own_canonical_column() -> None:
    headers = ["account_id", "rep", "close_date", "prior_amount", "status"]

    mapping = resolve_columns(headers, {"expiry_date": "close_date"}, SOURCE)

    assert mapping.header_for("expiry_date") == "close_date"
    assert mapping.header_for("close_date") == "close_date"


def test_map_naming_an_absent_header_is_an_error_naming_it() -> None:
    headers = ["Customer", "Owner", "Expiry Date", "Prior Amount", "Status"]

    with pytest.raises(InputError) as caught:
        resolve_columns(headers, {"rep": "Sales Person"}, SOURCE)

    assert str(caught.value) == (
        "export.csv: --map rep=Sales Person names a header the file does not have "
        "(headers: Customer, Owner, Expiry Date, Prior Amount, Status)"
    )


@pytest.mark.parametrize("canonical", REQUIRED)
def test_missing_required_column_names_it_the_aliases_and_map(canonical: str) -> None:
    looked_for = ", ".join((canonical, *SPEC_ALIASES[canonical]))

    with pytest.raises(InputError) as caught:
        resolve_columns(other_required(canonical), {}, SOURCE)

    assert str(caught.value) == (
        f"export.csv: no column for required '{canonical}' (looked for headers: {looked_for}); "
        f"name one with --map {canonical}=HEADER"
    )


@pytest.mark.parametrize("header", ["Currency", "currency", "Opportunity Currency", "CURRENCY_CODE"])
def test_currency_header_is_found(header: str) -> None:
    assert currency_header(["Account", header, "Amount"]) == header


def test_no_currency_header() -> None:
    assert currency_header(["Account", "Amount"]) is None
