"""What every document says alike: counts in words, the window, the row accounting as text and as JSON."""

import datetime as dt
from typing import Any

from renewals_cli.calendar import Quarter
from renewals_cli.load.export import RowAccounting
from renewals_cli.window import Window


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def plural(count: int, one: str, many: str) -> str:
    """`1 account`, `2,000 accounts`."""
    return f"{count:,} {one if count == 1 else many}"


def window_text(window: Window) -> str:
    """`every row`, `2026-01-01 to 2026-03-31`, `from 2026-01-01`, `to 2026-03-31`."""
    if window.default_end and window.end:
        quarter = Quarter.of(window.as_of, window.start_month).label
        start = f"{window.start.isoformat()} " if window.start else ""
        return f"{start}to {window.end.isoformat()} (expiry date; due, and the quarter {quarter} in progress)"
    if window.start and window.end:
        return f"{window.start.isoformat()} to {window.end.isoformat()} (expiry date)"
    if window.start:
        return f"from {window.start.isoformat()} (expiry date)"
    if window.end:
        return f"to {window.end.isoformat()} (expiry date)"
    return "every row"


def accounting_text(accounting: RowAccounting) -> str:
    """`1,204 read · 1,190 accepted · 9 rejected · 5 skipped (blank or footer lines)`."""
    text = f"{accounting.read:,} read · {accounting.accepted:,} accepted · {accounting.rejected:,} rejected"
    if accounting.skipped:
        text += f" · {accounting.skipped:,} skipped (blank or report footer lines)"
    return text


def zero_prior_text(zero_prior: int, in_window: int) -> str:
    """The warning for rows without an amount to renew: they count as opportunities but weigh nothing by value."""
    return (
        f"{zero_prior:,} of {in_window:,} rows in the window have a prior_amount of 0: they count in the count rates "
        "but weigh nothing in the value rates (renewal rate, GRR, NRR, churned value), which describe the other "
        "rows only; if another column holds the amount to renew, name it with --map prior_amount=HEADER"
    )


def accounting_facts(accounting: RowAccounting) -> dict[str, Any]:
    """Row accounting as JSON."""
    return {
        "read": accounting.read,
        "accepted": accounting.accepted,
        "rejected": accounting.rejected,
        "skipped": accounting.skipped,
        "reject_reasons": accounting.reasons,
    }
