"""The journey as a document: the touchpoints, one table per owner where people read them."""

import datetime as dt
from typing import Any

import polars as pl

from renewals_cli.journey import ACCOUNT_TOUCHPOINTS, TOUCHPOINTS, Journey
from renewals_cli.load.columns import ALIASES
from renewals_cli.present.common import accounting_facts, plural
from renewals_cli.render.document import Document, Section

# What a terminal has room for, most useful first (the owner is the table's title).
BRIEF = (
    "date",
    "days_until",
    "touchpoint",
    "account_name",
    "channel",
    "segment",
    "arr",
    "account_id",
    "opportunity_id",
)


def without_start_message(count: int, *, has_column: bool) -> str | None:
    """The line that says how many accounts have no start date (None when every account has one)."""
    if not count:
        return None
    subject = "1 account has" if count == 1 else f"{count:,} accounts have"
    them = "it" if count == 1 else "them"
    touchpoints = ", ".join(ACCOUNT_TOUCHPOINTS[:-1]) + f" or {ACCOUNT_TOUCHPOINTS[-1]}"
    if has_column:
        return f"{subject} no start date: no {touchpoints} touchpoint is listed for {them}."
    looked_for = ", ".join(ALIASES["start_date"])
    return (
        f"{subject} no start date (no start_date column; looked for headers: {looked_for}; name one with "
        f"--map start_date=HEADER): no {touchpoints} touchpoint is listed for {them}."
    )


def journey_document(result: Journey, as_of: dt.date, days: int, *, by_owner: bool, headline: bool) -> Document:
    """The touchpoints: one table (sorted by date), or `by_owner` one per owner (alphabetically), so that each CSM
    sees their own days; with a count per touchpoint in the headline when people read it."""
    listed = result.touchpoints
    facts: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "days": days,
        "until": (as_of + dt.timedelta(days=days)).isoformat(),
        "accounts_without_start": result.without_start,
        "rows": accounting_facts(result.accounting),
    }
    lines: list[tuple[str, str]] = []
    if headline:
        lines = [
            ("As of", as_of.isoformat()),
            ("Horizon", f"{days} days, to {facts['until']} inclusive"),
            ("Touchpoints", _counts(listed)),
        ]
        if result.without_start:
            lines.append(
                ("No start date", f"{plural(result.without_start, 'account', 'accounts')} (renewal touchpoints only)")
            )
    sections = _by_owner(listed) if by_owner and listed.height else (_section("touchpoints", "Touchpoints", listed),)
    return Document(title="Customer journey", sections=sections, facts=facts, headline=tuple(lines))


def _counts(listed: pl.DataFrame) -> str:
    if not listed.height:
        return "none in this horizon"
    counts = dict(listed.group_by("touchpoint").len().iter_rows())
    return " · ".join(f"{counts[name]:,} {name}" for name in TOUCHPOINTS if name in counts)


def _by_owner(listed: pl.DataFrame) -> tuple[Section, ...]:
    """One section per owner (every touchpoint has one: a CSM, else a rep), alphabetically, each by date."""
    sections = []
    for index, owner in enumerate(sorted(listed["owner"].unique().to_list())):
        theirs = listed.filter(pl.col("owner") == owner)
        title = f"{owner}: {plural(theirs.height, 'touchpoint', 'touchpoints')}"
        sections.append(_section(f"owner-{index + 1}", title, theirs))
    return tuple(sections)


def _section(name: str, title: str, frame: pl.DataFrame) -> Section:
    return Section(name=name, title=title, frame=frame, brief=BRIEF)
