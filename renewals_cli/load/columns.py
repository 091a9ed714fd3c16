"""Header aliases and the mapping of an export's headers to canonical columns (SPEC §1)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from renewals_cli.errors import InputError, listed
from renewals_cli.load.values import fold_label

# In SPEC order: when two headers match one canonical column, the earlier alias wins.
ALIASES: dict[str, tuple[str, ...]] = {
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
    "churn_reason": (
        "Churn Reason",
        "Loss Reason",
        "Closed Lost Reason",
        "Reason Lost",
    ),
}

REQUIRED: tuple[str, ...] = ("account_id", "rep", "expiry_date", "prior_amount", "status")
CANONICAL: tuple[str, ...] = tuple(ALIASES)

# Headers naming the currency of the amounts; several values in one are refused (SPEC §1).
CURRENCY_HEADERS: tuple[str, ...] = ("Currency", "Opportunity Currency", "Amount Currency", "Currency Code")


@dataclass(frozen=True)
class ColumnMapping:
    """Which header of the export feeds each canonical column."""

    headers: dict[str, str]

    def header_for(self, canonical: str) -> str | None:
        return self.headers.get(canonical)

    def has(self, canonical: str) -> bool:
        return canonical in self.headers


def resolve_columns(headers: Sequence[str], overrides: Mapping[str, str], source: str) -> ColumnMapping:
    """Map headers to canonical columns: `--map` overrides first, then the canonical name, then aliases in order.

    A header feeds at most one canonical column; canonical columns are resolved in SPEC order, which is what
    makes `Account Name` the account id when there is no `Account ID`, and the account name when there is.
    Raises `InputError` for a missing required column or an override naming an absent header.
    """
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(fold_label(header), header)
    chosen: dict[str, str] = {}
    for canonical, header in overrides.items():
        actual = header if header in headers else by_norm.get(fold_label(header))
        if actual is None:
            raise InputError(
                f"{source}: --map {canonical}={header} names a header the file does not have "
                f"(headers: {listed(headers)})"
            )
        chosen[canonical] = actual
    # Only alias matches claim a header: `--map expiry_date=close_date` still leaves `close_date` its own column.
    claimed: set[str] = set()
    for canonical, aliases in ALIASES.items():
        if canonical in chosen:
            continue
        for candidate in (canonical, *aliases):
            found = by_norm.get(fold_label(candidate))
            if found is not None and found not in claimed:
                chosen[canonical] = found
                claimed.add(found)
                break
    missing = [c for c in REQUIRED if c not in chosen]
    if missing:
        canonical = missing[0]
        looked_for = ", ".join((canonical, *ALIASES[canonical]))
        raise InputError(
            f"{source}: no column for required '{canonical}' (looked for headers: {looked_for}); "
            f"name one with --map {canonical}=HEADER"
        )
    return ColumnMapping(headers=chosen)


def currency_header(headers: Sequence[str]) -> str | None:
    """The header holding the amounts' currency, if the export has one."""
    wanted = {fold_label(h) for h in CURRENCY_HEADERS}
    return next((h for h in headers if fold_label(h) in wanted), None)
