"""How values look to people (terminal, markdown): percents for rates, thousands separators for amounts."""

import datetime as dt

import polars as pl

from renewals_cli.changes import MONEY as CHANGES_MONEY
from renewals_cli.kpis import MONEY_KPIS, RATE_KPIS
from renewals_cli.text import one_line as one_line  # re-exported for the renderers

# The forecast's rates, and its differences of two rates (shown in points).
FORECAST_RATES = ("forecast_nrr", "forecast_grr", "landed_nrr", "landed_grr", "baseline_nrr", "renewed_to_date")
FORECAST_POINTS = (
    "gap", "error_nrr", "error_grr", "baseline_error_nrr", "bias_nrr", "bias_grr", "baseline_bias_nrr",
)  # fmt: skip
RATE_COLUMNS = frozenset(
    {
        *RATE_KPIS,
        *FORECAST_RATES,
        "cost_to_serve",
        "target",
        "share_of_opportunities",
        "share_of_available",
        "share_of_churned_value",
    }
)
# Differences of two rates, shown in percentage points (`-4.5 pts`) and stored as fractions (-0.045).
POINT_COLUMNS = frozenset({"lever_gap", *FORECAST_POINTS})
MONEY_COLUMNS = frozenset(
    {*MONEY_KPIS, "arr", "prior_amount", "renewal_amount", "cost", "arr_per_account", "arr_per_csm"}
    | {"won_to_date", "lost_to_date", "open_value", "projected_renewal", "projected_retained"}
) | frozenset(
    (*CHANGES_MONEY, "value", "change")
)  # `renewals changes`: its `won` and `lost` are amounts, a report's counts
# (whole numbers either way, shown alike)

LABELS = {
    "opportunities": "Opps",
    "accounts": "Accounts",
    "available": "Available",
    "won": "Won",
    "lost": "Lost",
    "open": "Open",
    "resolution_rate": "Resolution #",
    "close_rate": "Close #",
    "resolution_rate_value": "Resolution $",
    "close_rate_value": "Close $",
    "conversion_rate": "Conversion",
    "uplift": "Uplift",
    "renewal_rate": "Renewal",
    "due": "Due",
    "past_due": "Past due",
    "otrr": "OTRR",
    "iqrr": "IQRR",
    "retention_rate": "Retention",
    "grr": "GRR",
    "nrr": "NRR",
    "value_growth": "Value growth",
    "churned_value": "Churned",
    "segment": "Segment",
    "rep": "Rep",
    "batch": "Batch",
    "group": "Group",
    "days_to_expiry": "Days",
    "prior_amount": "Prior amount",
    "expiry_date": "Expiry",
    "account_name": "Account",
    "opportunity_id": "Opportunity",
    "account_id": "Account ID",
    "action": "Action",
    "weakest_lever": "Weakest lever",
    "lever_gap": "vs team (pts)",
    "coaching_action": "What fixes it",
    "top_heavy": "Top-heavy",
    "csm": "CSM",
    "csms": "CSMs",
    "unassigned": "Unassigned",
    "arr": "ARR",
    "accounts_per_csm": "Accounts/CSM",
    "arr_per_account": "ARR/account",
    "arr_per_csm": "ARR/CSM",
    "cost": "Cost",
    "cost_to_serve": "Cost to serve",
    "target": "Target",
    "over_target": "Over target",
    "days_until": "Days",
    "share_of_opportunities": "Share of opps",
    "share_of_available": "Share of value",
    "share_of_churned_value": "Share of churn",
    "value_mix": "Value mix",
    "smb_opportunities": "SMB opps",
    "enterprise_opportunities": "Enterprise opps",
    "strategic_opportunities": "Strategic opps",
    "won_to_date": "Won to date",
    "renewed_to_date": "Renewed to date",
    "lost_to_date": "Lost to date",
    "open_value": "Open value",
    "projected_renewal": "Projected renewal",
    "projected_retained": "Projected retained",
    "forecast_nrr": "Forecast NRR",
    "forecast_grr": "Forecast GRR",
    "gap": "Gap",
    "quarter": "Quarter",
    "as_of": "As of",
    "landed_nrr": "Landed NRR",
    "error_nrr": "Error NRR",
    "landed_grr": "Landed GRR",
    "error_grr": "Error GRR",
    "baseline_nrr": "Baseline NRR",
    "baseline_error_nrr": "Baseline error",
    "bias_nrr": "Bias NRR",
    "bias_grr": "Bias GRR",
    "baseline_bias_nrr": "Baseline bias",
}


# A terminal escape sequence: CSI (`ESC [ … final`, colours, clearing), OSC (`ESC ] … BEL` or `ESC ] … ESC \\`,
# window titles, hyperlinks), ESC and one more character, or the one-character C1 CSI.
def label(column: str) -> str:
    """A short column heading."""
    return LABELS.get(column, column.replace("_", " ").capitalize())


def cell(column: str, value: object) -> str:
    """A value as people read it: `87.3%`, `+2.5 pts`, `1,234,567`, `—` for a null (an empty denominator)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and column in POINT_COLUMNS:
        return f"{value * 100:+.1f} pts"
    if isinstance(value, float) and column in RATE_COLUMNS:
        return f"{value:.1%}"
    if isinstance(value, int | float) and column in MONEY_COLUMNS:
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def is_numeric(dtype: pl.DataType) -> bool:
    """Whether a column's cells align right."""
    return dtype.is_numeric()
