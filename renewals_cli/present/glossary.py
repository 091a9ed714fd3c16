"""What each number is: one line per KPI saying its basis (count of rows, value, or accounts) and its
denominator. The HTML report and the workbook show the lines for the columns they hold; the docs quote them.

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
}


def glossary_for(columns: Iterable[str]) -> list[tuple[str, str]]:
    """(column, definition) for each column that has one, in glossary order, once each."""
    wanted = set(columns)
    return [(column, text) for column, text in GLOSSARY.items() if column in wanted]
