"""What each number is: one line per KPI saying its basis (count of rows, value, or accounts) and its
denominator, for the report's KPIs, the coaching columns and the coverage columns. The HTML report and the
workbook show the lines for the columns they hold; the docs quote them.

Statuses are read as of the as-of date: a row closed after it is still open.
"""

from collections.abc import Iterable

GLOSSARY: dict[str, str] = {
    "opportunities": "Count: renewal opportunities (rows) in the group.",
    "accounts": "Count: distinct accounts in the group.",
    "available": "Value: Σ prior amount of the group's rows, the value available to renew.",
    "won": "Count: rows won by the as-of date.",
    "lost": "Count: rows lost by the as-of date.",
    "open": "Count: rows still open at the as-of date (closed after it counts as open).",
    "resolution_rate": "Count: (won + lost) ÷ opportunities, the share of the pipeline that has answered.",
    "close_rate": "Count: won ÷ (won + lost), yes answers among answers.",
    "resolution_rate_value": "Value: Σ prior amount of won and lost rows ÷ available. First lever of the renewal rate.",
    "close_rate_value": "Value: Σ prior amount won ÷ Σ prior amount won or lost. Second lever of the renewal rate.",
    "conversion_rate": (
        "Value: Σ renewal amount ÷ Σ prior amount of won rows; 100% is flat, above is uplift, below is down-sell. "
        "Third lever of the renewal rate."
    ),
    "uplift": "Value: conversion rate − 100%; negative for down-sell.",
    "renewal_rate": (
        "Value: Σ renewal amount won ÷ available; equals resolution × close × conversion, all three by value."
    ),
    "due": "Count: rows expiring on or before the as-of date.",
    "past_due": "Count: open rows whose expiry date is before the as-of date.",
    "otrr": "Count: rows due and won on or before their expiry date ÷ rows due (on-time renewal rate).",
    "iqrr": (
        "Count: rows won by the last day of their expiry date's fiscal quarter ÷ opportunities "
        "(in-quarter renewal rate; progress to date while the quarter runs)."
    ),
    "retention_rate": (
        "Accounts: accounts whose latest renewal at stake (won, lost or due) was won ÷ accounts with a renewal at "
        "stake (logo retention)."
    ),
    "grr": (
        "Value: Σ renewal amount won, each capped at its prior amount ÷ Σ prior amount of rows won, lost or due "
        "(gross revenue retention)."
    ),
    "nrr": "Value: Σ renewal amount won ÷ Σ prior amount of rows won, lost or due (net revenue retention).",
    "value_growth": (
        "Accounts: mean over accounts with won renewals of (Σ renewal − Σ prior) ÷ Σ prior of their won rows, "
        "each account counting once."
    ),
    "churned_value": "Value: Σ prior amount of lost rows.",
    "weakest_lever": (
        "The value lever (resolution, close or conversion) with the lowest ratio of the rep's rate to the team's."
    ),
    "lever_gap": "Points: the rep's rate on the weakest lever minus the team's (−5.0 pts: five points below).",
    "top_heavy": "Resolution by value at least 15 points above resolution by count: the long tail is left unworked.",
    "coaching_action": "What usually fixes the weakest lever.",
    # Cost to serve and CSM coverage (`renewals coverage`); `accounts` is as above.
    "unassigned": "Count: accounts in the group without a CSM.",
    "arr": (
        "Value: Σ account ARR of the group's accounts (an account's arr on its latest-expiring row, else the sum "
        "of its prior amounts)."
    ),
    "csms": "Count: distinct CSMs with accounts in the group.",
    "accounts_per_csm": "Accounts: (accounts − unassigned) ÷ CSMs.",
    "arr_per_account": "Value: ARR ÷ accounts.",
    "arr_per_csm": "Value: ARR of the accounts that have a CSM ÷ CSMs.",
    "cost": (
        "Value: CSM cost allocated to the group, each CSM's annual cost spread over segments by their number of "
        "accounts in each."
    ),
    "cost_to_serve": "Value: cost ÷ ARR, the share of ARR spent on customer success.",
    "target": "The cost-to-serve target (15% unless set).",
    "over_target": "Whether cost to serve is above the target.",
}


def glossary_for(columns: Iterable[str]) -> list[tuple[str, str]]:
    """(column, definition) for each column that has one, in glossary order, once each."""
    wanted = set(columns)
    return [(column, text) for column, text in GLOSSARY.items() if column in wanted]
