"""Turning core results into documents every renderer can show: titles, headline lines, JSON facts."""

import datetime as dt
from typing import Any

import polars as pl

from renewals_cli.calendar import Quarter
from renewals_cli.coaching import COACHING_COLUMNS
from renewals_cli.coverage import Coverage
from renewals_cli.kpis import keys_of
from renewals_cli.load.columns import CANONICAL
from renewals_cli.load.export import Export, RowAccounting
from renewals_cli.render.cells import cell
from renewals_cli.render.document import Document, Section
from renewals_cli.report import Report
from renewals_cli.segments import Segment
from renewals_cli.targets import Miss, Targets, misses
from renewals_cli.window import Window

TITLES = {
    "overall": "Overall",
    "segment": "By segment",
    "rep": "By rep",
    "batch": "By batch",
    "rep,segment": "By rep and segment",
    "batch,segment": "By batch and segment",
    "batch,rep": "By batch and rep",
    "partner": "By partner",
    "partner,segment": "By partner and segment",
    "csm": "By CSM",
}

# What a terminal has room for; csv, json, markdown and parquet carry every KPI column. The renewal rate comes
# with the three levers that multiply to it (by value), then the two rates by count.
BRIEF_KPIS = (
    "opportunities",
    "available",
    "renewal_rate",
    "resolution_rate_value",
    "close_rate_value",
    "conversion_rate",
    "resolution_rate",
    "close_rate",
    "grr",
    "nrr",
    "retention_rate",
    "otrr",
    "iqrr",
    "past_due",
    "accounts",
    "churned_value",
)
LEVERS_NOTE = (
    "Renewal = Resolution $ × Close $ × Conversion: the three levers, by value, multiply to the renewal rate. "
    "Resolution # and Close # are the same rates by count of opportunities."
)
COACHING_NOTE = (
    "Weakest lever: the value lever furthest below the team's, as a ratio; vs team: the rep's rate on it minus "
    "the team's, in percentage points."
)


def _iso(day: dt.date | None) -> str | None:
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


def _overall_lines(overall: dict[str, Any]) -> list[tuple[str, str]]:
    def show(column: str) -> str:
        return cell(column, overall[column])

    return [
        (
            "Book",
            f"{plural(overall['opportunities'], 'opportunity', 'opportunities')} · "
            f"{plural(overall['accounts'], 'account', 'accounts')} · "
            f"{show('available')} available to renew",
        ),
        (
            "Renewal rate",
            f"{show('renewal_rate')} = resolution {show('resolution_rate_value')} × "
            f"close {show('close_rate_value')} × conversion {show('conversion_rate')} (by value)",
        ),
        ("By count", f"resolution {show('resolution_rate')} · close {show('close_rate')}"),
        ("Retention", f"GRR {show('grr')} · NRR {show('nrr')} · logo retention {show('retention_rate')}"),
        ("Timeliness", f"on-time {show('otrr')} · in-quarter {show('iqrr')} · {show('past_due')} past due"),
        ("Churned", f"{show('churned_value')} lost"),
        *_retention_note(overall),
    ]


def _retention_note(overall: dict[str, Any]) -> list[tuple[str, str]]:
    """Why GRR sits below logo retention, when past-due renewals are what pulls it down."""
    grr, retention, past_due = overall["grr"], overall["retention_rate"], overall["past_due"]
    if grr is None or retention is None or not past_due or grr >= retention:
        return []
    return [
        (
            "Note",
            f"GRR is by value and counts the {plural(past_due, 'past-due renewal', 'past-due renewals')} as not "
            "retained until they close; logo retention counts accounts by their last renewal",
        )
    ]


def _missed(report: Report, targets: Targets) -> list[Miss]:
    checked = [g for g in ("overall", "segment", "rep") if g in report.tables]
    return [miss for g in checked for _, miss in misses(report.tables[g], g, targets)]


def missed_frame(missed: list[Miss]) -> pl.DataFrame:
    """Every missed target, one row each."""
    return pl.DataFrame(
        [(m.grouping, m.group, m.kpi, m.value, m.target) for m in missed],
        schema={"grouping": pl.String, "group": pl.String, "kpi": pl.String, "value": pl.Float64,
                "target": pl.Float64},
        orient="row",
    )  # fmt: skip


def _targets_text(report: Report, targets: Targets) -> str:
    missed = _missed(report, targets)
    if not missed:
        return "every target met"
    shown = "; ".join(str(miss) for miss in missed[:3])
    more = f"; and {len(missed) - 3} more" if len(missed) > 3 else ""
    return f"{len(missed)} missed: {shown}{more}"


def report_document(
    report: Report, groupings: list[str], *, headline: bool, targets: Targets | None = None
) -> Document:
    """The report's tables in the order asked for, with the headline when people will read it."""
    window = report.window
    facts: dict[str, Any] = {
        "window": {"from": _iso(window.start), "to": _iso(window.end)},
        "as_of": window.as_of.isoformat(),
        "rows": accounting_facts(report.accounting) | {"in_window": report.in_window, "later": report.later},
        "by": groupings[0] if len(groupings) == 1 else groupings,
    }
    lines: list[tuple[str, str]] = []
    totals: dict[str, Any] = {}
    if headline:
        lines = [
            ("Window", window_text(window)),
            ("As of", window.as_of.isoformat()),
            ("Rows", accounting_text(report.accounting) + f" · {report.in_window:,} in window"),
        ]
        if report.later:
            later = plural(report.later, "renewal expiring", "renewals expiring")
            lines.append(("Left out", f"{later} after the window (pipeline, not performance yet): --to or --all"))
        overall = report.tables.get("overall")
        if overall is not None and overall.height:
            totals = overall.row(0, named=True)
            lines += _overall_lines(totals)
        if targets:
            lines.append(("Targets", _targets_text(report, targets)))
    shown = [g for g in groupings if not (headline and g == "overall" and len(groupings) > 1)]
    sections = tuple(
        Section(
            name="groups" if len(shown) == 1 else grouping,
            title=TITLES[grouping],
            frame=report.tables[grouping],
            brief=(*keys_of(grouping), *BRIEF_KPIS),
            below=frozenset(
                (index, miss.kpi) for index, miss in misses(report.tables[grouping], grouping, targets or Targets())
            ),
            note=LEVERS_NOTE if headline and index == 0 else "",
        )
        for index, grouping in enumerate(shown)
    )
    for grouping, frame in report.churn.items():
        title = "Churn by reason" if grouping == "overall" else "Churn by reason and segment"
        sections += (Section(name=f"churn_{grouping}", title=title, frame=frame),)
    if headline and "rep" in shown:
        coaching = report.tables["rep"].select("rep", *COACHING_COLUMNS)
        sections += (
            Section(
                name="coaching",
                title="Coaching: each rep's weakest lever against the team",
                frame=coaching,
                note=COACHING_NOTE,
                sheet="Coaching by rep",
            ),
        )
    missed = missed_frame(_missed(report, targets)) if headline and targets else None
    return Document(
        title="Renewal report", sections=sections, facts=facts, headline=tuple(lines), totals=totals, missed=missed
    )


def segments_document(accounts: pl.DataFrame, window: Window, *, summary: bool = False) -> Document:
    """One row per account with its ARR and segment; with `summary` (for people), then one row per segment."""
    facts: dict[str, Any] = {"window": {"from": _iso(window.start), "to": _iso(window.end)}}
    sections = [Section(name="accounts", title="Accounts", frame=accounts)]
    if summary:
        per_segment = (
            accounts.group_by("segment")
            .agg(accounts=pl.len(), arr=pl.col("arr").sum(), opportunities=pl.col("opportunities").sum())
            .with_columns(pl.col("segment").cast(Segment))
            .sort("segment")
            .with_columns(pl.col("segment").cast(pl.String), pl.col("accounts").cast(pl.Int64))
        )
        sections.append(Section(name="segments", title="By segment", frame=per_segment))
    return Document(title="Accounts by segment", sections=tuple(sections), facts=facts)


def validation_document(export: Export, accounting: RowAccounting) -> Document:
    """How each file's headers were mapped, and why rows were rejected."""
    mapping = pl.DataFrame(
        [
            {"column": canonical, "header": mapping.header_for(canonical) or "", "file": str(source.path)}
            for source, mapping in zip(export.sources, export.mappings, strict=True)
            for canonical in CANONICAL
            if mapping.has(canonical)
        ],
        schema={"column": pl.String, "header": pl.String, "file": pl.String},
    )
    reasons = pl.DataFrame(
        {"reject_reason": list(accounting.reasons), "rows": list(accounting.reasons.values())},
        schema={"reject_reason": pl.String, "rows": pl.Int64},
    )
    sections = [Section(name="columns", title="Columns", frame=mapping)]
    if accounting.reasons:
        sections.append(Section(name="reject_reasons", title="Rejected rows by reason", frame=reasons))
    return Document(
        title="Validation",
        sections=tuple(sections),
        facts={"rows": accounting_facts(accounting)},
        headline=(("Rows", accounting_text(accounting)),),
    )


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


COVERAGE_BRIEF = (
    "cost_to_serve", "accounts_per_csm", "arr_per_account", "cost", "arr", "accounts", "csms", "unassigned",
    "arr_per_csm", "over_target", "target",
)  # fmt: skip


def coverage_document(
    result: Coverage, accounting: RowAccounting, window: Window, by: str, target: float, *, headline: bool
) -> Document:
    """The coverage table; over-target cost-to-serve cells are marked, and the levers said per segment."""
    table = result.table
    over = frozenset((index, "cost_to_serve") for index, flag in enumerate(table["over_target"].to_list()) if flag)
    lines: list[tuple[str, str]] = []
    if headline:
        lines = [("Window", window_text(window)), ("Target", f"cost to serve ≤ {target:.1%} of ARR")]
        if result.idle.csms:
            lines.append(
                ("Idle", f"{', '.join(result.idle.csms)}: {result.idle.cost:,.0f} with no account in the window")
            )
        lines += [(segment, advice) for segment, advice in result.levers.items()]
    facts: dict[str, Any] = {
        "window": {"from": _iso(window.start), "to": _iso(window.end)},
        "target": target,
        "idle": {"csms": list(result.idle.csms), "cost": result.idle.cost},
        "rows": accounting_facts(accounting),
        "by": by,
    }
    title = "Cost to serve by segment" if by == "segment" else "Cost to serve by CSM"
    return Document(
        title="CSM coverage",
        sections=(Section(name="groups", title=title, frame=table, below=over, brief=(by, *COVERAGE_BRIEF)),),
        facts=facts,
        headline=tuple(lines),
    )
