"""The document of `renewals upcoming`: the worklist, with a count and value per action."""

import datetime as dt

import polars as pl

from renewals_cli.present.common import plural
from renewals_cli.render.document import Document, Section


def worklist_document(
    worklist: pl.DataFrame,
    as_of: dt.date,
    days: int,
    *,
    headline: bool,
    since: int | None = None,
    largest_first: bool = False,
) -> Document:
    """The renewal worklist, with a count and value per action when people read it."""
    lines: list[tuple[str, str]] = []
    if headline:
        overdue = "past-due renewals included" if since is None else f"past-due renewals up to {since} days overdue"
        lines = [("As of", as_of.isoformat()), ("Horizon", f"expiring within {days} days, {overdue}")]
        by_action = worklist.group_by("action", maintain_order=True).agg(
            pl.len().alias("n"), pl.col("prior_amount").sum().alias("value")
        )
        for action, n, value in by_action.iter_rows():
            lines.append(
                (
                    ACTION_LABELS.get(action, action),
                    f"{plural(n, 'opportunity', 'opportunities')} · {value:,.0f} to renew",
                )
            )
    return Document(
        title="Renewal worklist",
        sections=(
            Section(
                name="opportunities",
                title="Open renewals, largest first" if largest_first else "Open renewals by expiry date",
                frame=worklist,
                brief=WORKLIST_BRIEF,
            ),
        ),
        facts={"as_of": as_of.isoformat(), "days": days},
        headline=tuple(lines),
    )


WORKLIST_BRIEF = (
    "account_name", "action", "days_to_expiry", "prior_amount", "rep", "stage", "expiry_date", "segment", "csm",
    "account_id", "opportunity_id",
)  # fmt: skip

ACTION_LABELS = {
    "past_due": "Past due",
    "due_90": "Due within 90 days",
    "quote_window": "Quote now (91–120 days)",
    "upcoming": "Later",
}
