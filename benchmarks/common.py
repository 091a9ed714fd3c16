"""What the independent KPI implementations share: the export styles' headers and SPEC §3's column order.

Deliberately independent of `renewals_cli`: the Polars, DuckDB and pandas versions are what a power user would write
from the KPI definitions alone, so they check the tool as much as they race it.
"""

import argparse
import datetime as dt

# The SPEC §3 columns, in order, that every implementation writes after the `rep` key.
KPI_COLUMNS = (
    "opportunities",
    "accounts",
    "available",
    "won",
    "lost",
    "open",
    "resolution_rate",
    "close_rate",
    "resolution_rate_value",
    "close_rate_value",
    "conversion_rate",
    "uplift",
    "renewal_rate",
    "due",
    "past_due",
    "otrr",
    "iqrr",
    "retention_rate",
    "grr",
    "nrr",
    "value_growth",
    "churned_value",
)

# The headers of the columns the per-rep KPIs need, in each style `renewals sample` writes.
HEADERS = {
    "canonical": {
        "account_id": "account_id",
        "rep": "rep",
        "expiry_date": "expiry_date",
        "prior_amount": "prior_amount",
        "status": "status",
        "renewal_amount": "renewal_amount",
        "close_date": "close_date",
    },
    "salesforce": {
        "account_id": "Account ID",
        "rep": "Opportunity Owner",
        "expiry_date": "Contract End Date",
        "prior_amount": "Available To Renew",
        "status": "Stage",
        "renewal_amount": "Amount (Converted)",
        "close_date": "Close Date",
    },
}
MONEY = ("prior_amount", "renewal_amount")
DATES = ("expiry_date", "close_date")
US_DATE = "%m/%d/%Y"  # how the Salesforce style writes dates

# Status labels folded as SPEC §1 folds them (case, spaces and punctuation removed); anything else is open.
WON = ("closedwon", "won", "renewed", "yes")
LOST = ("closedlost", "lost", "churned", "cancelled", "no")


def arguments(description: str) -> argparse.Namespace:
    """FILE --style STYLE --as-of DATE [--output PATH]: the interface every implementation has."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("file", help="a .csv or .parquet export written by `renewals sample`")
    parser.add_argument("--style", choices=sorted(HEADERS), default="canonical")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--output", default="-", help="CSV of the per-rep KPIs; '-' for stdout")
    return parser.parse_args()
