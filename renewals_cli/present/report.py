"""The report's document: the headline, a table per grouping, the changes since an earlier export, the forecast
of the quarter, churn by reason, coaching and the missed targets."""

import datetime as dt
from typing import Any

import polars as pl

from renewals_cli.coaching import COACHING_COLUMNS
from renewals_cli.compare import CHANGE, PREVIOUS, change_cell, compare, fell_below, key_columns
from renewals_cli.forecast import Forecast
from renewals_cli.kpis import keys_of
from renewals_cli.present.common import accounting_facts, accounting_text, iso, plural, window_text
from renewals_cli.present.forecast import band_text, why_none
from renewals_cli.render.cells import cell
from renewals_cli.render.document import Document, Section
from renewals_cli.report import Report
from renewals_cli.targets import Miss, Targets, misses

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


# The KPIs whose change a terminal shows beside a table (`report --compare`); machine formats carry every one.
CHANGE_KPIS = (
    "opportunities", "available", "renewal_rate", "resolution_rate_value", "close_rate_value", "conversion_rate",
    "grr", "nrr", "retention_rate", "otrr", "iqrr", "past_due",
)  # fmt: skip


def change_section(compared: pl.DataFrame, grouping: str, since: dt.date, targets: Targets | None) -> Section:
    """A grouping's KPI changes as people read them (`▲ 2.1 pts`), red where a KPI fell below its target."""
    keys = key_columns(grouping)
    cells: dict[str, list[str]] = {key: compared[key].to_list() for key in keys}
    below: set[tuple[int, str]] = set()
    for index, row in enumerate(compared.iter_rows(named=True)):
        wanted = (targets or Targets()).for_group({k: row[k] for k in keys})
        for kpi in CHANGE_KPIS:
            fell = fell_below(row[kpi], row[kpi + PREVIOUS], wanted.get(kpi))
            cells.setdefault(kpi, []).append(change_cell(kpi, row[kpi + CHANGE]).text)
            if fell:
                below.add((index, kpi))
    frame = pl.DataFrame(cells, schema={**dict.fromkeys(keys, pl.String), **dict.fromkeys(CHANGE_KPIS, pl.String)})
    return Section(
        name=f"{grouping}_change",
        title=f"{TITLES[grouping]}: change since {since.isoformat()}",
        frame=frame,
        below=frozenset(below),
    )


FORECAST_NOTE = (
    "Won to date plus the open renewals, each weighted by how renewals open at the same point of past quarters "
    "(same segment, same days to expiry) went on to renew; renewals forecast shows the method and its backtest."
)


# What the weekly report shows of the forecast per rep; `renewals forecast` has every column.
WEEKLY_FORECAST = (
    "rep", "renewed_to_date", "forecast_nrr", "forecast_grr", "target", "gap", "won_to_date", "open_value",
)  # fmt: skip


def weekly_forecast(table: pl.DataFrame) -> pl.DataFrame:
    """The forecast per rep as the weekly report shows it: WEEKLY_FORECAST (`renewed_to_date` is won to date over
    the value available, where the forecast starts from), without `target` and `gap` when no target is set."""
    columns = [c for c in WEEKLY_FORECAST if table["target"].drop_nulls().len() or c not in ("target", "gap")]
    renewed_to_date = pl.when(pl.col("available") > 0).then(pl.col("won_to_date") / pl.col("available"))
    return table.with_columns(renewed_to_date=renewed_to_date).select(columns)


def outlook_text(outlook: Forecast) -> str:
    """`2026-Q4: NRR lands at 80.8% ± 2.4 pts, backtested over 3 quarters · GRR 76.0%`, or why there is none."""
    overall = outlook.overall.row(0, named=True)
    label = outlook.run.quarter.label
    if not outlook.learned or overall["forecast_nrr"] is None:
        return f"{label}: no forecast, {why_none(outlook)}"
    band = band_text(overall["forecast_nrr"], outlook.backtest)
    return f"{label}: NRR {band} · GRR {cell('forecast_grr', overall['forecast_grr'])}"


def report_document(
    report: Report,
    groupings: list[str],
    *,
    headline: bool,
    targets: Targets | None = None,
    previous: Report | None = None,
    outlook: Forecast | None = None,
) -> Document:
    """The report's tables in the order asked for, with the headline when people will read it; with a `previous`
    report (`--compare`), each KPI beside its previous value and change (machine formats), or a table of changes
    after each table (people)."""
    tables = dict(report.tables)
    compared = {}
    if previous is not None:
        compared = {g: compare(tables[g], previous.tables[g], g) for g in groupings if g in previous.tables}
        if not headline:
            tables |= compared
    window = report.window
    facts: dict[str, Any] = {
        "window": {"from": iso(window.start), "to": iso(window.end)},
        "as_of": window.as_of.isoformat(),
        "rows": accounting_facts(report.accounting) | {"in_window": report.in_window, "later": report.later},
        "by": groupings[0] if len(groupings) == 1 else groupings,
    }
    if previous is not None:
        facts["compared_with"] = {
            "as_of": previous.window.as_of.isoformat(),
            "rows": accounting_facts(previous.accounting) | {"in_window": previous.in_window},
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
        if outlook is not None:
            lines.append(("Forecast", outlook_text(outlook)))
        if previous is not None:
            earlier = f"as of {previous.window.as_of.isoformat()}: {accounting_text(previous.accounting)}"
            lines.append(("Compared with", earlier))
    shown = [g for g in groupings if not (headline and g == "overall" and len(groupings) > 1)]
    sections = tuple(
        Section(
            name="groups" if len(shown) == 1 else grouping,
            title=TITLES[grouping],
            # (people read the rep table's coaching columns in the coaching table that follows it)
            frame=tables[grouping].drop(COACHING_COLUMNS, strict=False) if headline else tables[grouping],
            brief=(*keys_of(grouping), *BRIEF_KPIS),
            below=frozenset(
                (index, miss.kpi) for index, miss in misses(report.tables[grouping], grouping, targets or Targets())
            ),
            note=LEVERS_NOTE if headline and index == 0 else "",
        )
        for index, grouping in enumerate(shown)
    )
    if headline:
        with_changes: list[Section] = []
        for section, grouping in zip(sections, shown, strict=True):
            with_changes.append(section)
            if grouping in compared and previous is not None:
                with_changes.append(change_section(compared[grouping], grouping, previous.window.as_of, targets))
        if headline and "overall" in compared and previous is not None and "overall" not in shown:
            with_changes.insert(0, change_section(compared["overall"], "overall", previous.window.as_of, targets))
        sections = tuple(with_changes)
    if outlook is not None:
        sections += (
            Section(
                name="forecast",
                title=f"Where {outlook.run.quarter.label} lands, by rep",
                frame=weekly_forecast(outlook.table),
                note=FORECAST_NOTE,
                sheet="Forecast by rep",
            ),
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
                brief=("rep", "weakest_lever", "coaching_action", "lever_gap", "top_heavy"),
                note=COACHING_NOTE,
                sheet="Coaching by rep",
            ),
        )
    missed = missed_frame(_missed(report, targets)) if headline and targets else None
    return Document(
        title="Renewal report", sections=sections, facts=facts, headline=tuple(lines), totals=totals, missed=missed
    )
