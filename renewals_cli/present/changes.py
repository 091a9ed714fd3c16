"""`renewals changes` for people and machines: the bridge as a document, and as a waterfall on a terminal."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import polars as pl

from renewals_cli.changes import BUCKETS, COUNTS, INFLOWS, MONEY, Changes
from renewals_cli.load.export import RowAccounting
from renewals_cli.present.common import accounting_facts, accounting_text, plural
from renewals_cli.render.document import Document, Section

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

TITLES = {"overall": "Team", "rep": "By rep", "segment": "By segment"}
STEP_LABELS = {
    "start_open": "Open at start",
    "new": "New",
    "pulled_in": "Pulled in",
    "pushed_in": "Pushed in",
    "reopened": "Reopened",
    "reassigned_in": "Reassigned in",
    "amount_up": "Amount up",
    "won": "Won",
    "lost": "Lost",
    "slipped": "Slipped",
    "pulled_out": "Pulled out",
    "removed": "Removed",
    "reassigned_out": "Reassigned out",
    "amount_down": "Amount down",
    "end_open": "Open at end",
}


def team_totals(bridge: pl.DataFrame) -> dict[str, float]:
    """The team's bridge: every group's summed (each opportunity's move counts in one group's bridge)."""
    sums = bridge.select(pl.col(*MONEY, *COUNTS).sum()).row(0, named=True) if bridge.height else {}
    return {column: sums.get(column) or 0 for column in (*MONEY, *COUNTS)}


def changes_document(
    changes: Changes, old_name: str, new_name: str, as_of: dt.date, *, headline: bool, details_first: bool = False
) -> Document:
    """The bridge per group, and the moved opportunities when asked for (first, for a format that carries one
    table), with the quarter and both exports' row accounting."""
    quarter = changes.quarter
    facts: dict[str, Any] = {
        "quarter": {"label": quarter.label, "first": quarter.first.isoformat(), "last": quarter.last.isoformat()},
        "as_of": as_of.isoformat(),
        "by": changes.by,
        "old": _side(old_name, changes.old, changes.without_id[0]),
        "new": _side(new_name, changes.new, changes.without_id[1]),
    }
    lines: list[tuple[str, str]] = []
    if headline:
        totals = team_totals(changes.bridge)
        net = totals["end_open"] - totals["start_open"]
        lines = [
            ("Quarter", f"{quarter.label} ({quarter.first.isoformat()} to {quarter.last.isoformat()}, expiry date)"),
            ("As of", as_of.isoformat()),
            ("Old export", f"{old_name}: {rows_text(changes.old, changes.without_id[0])}"),
            ("New export", f"{new_name}: {rows_text(changes.new, changes.without_id[1])}"),
            (
                "Open pipeline",
                f"{totals['start_open']:,.0f} → {totals['end_open']:,.0f} ({net:+,.0f}); "
                f"{totals['won']:,.0f} won renewing at {totals['won_renewal']:,.0f}, {totals['lost']:,.0f} lost"
                if changes.bridge.height
                else f"no open renewal expires in {quarter.label} in either export",
            ),
        ]
    moved = [c for c in BUCKETS if changes.bridge.height and changes.bridge[c].sum() != 0]
    key = {"overall": "group"}.get(changes.by, changes.by)
    sections = [
        Section(
            name="groups",
            title=f"{TITLES[changes.by]}: open pipeline {quarter.label}",
            frame=changes.bridge,
            brief=(
                key,
                "start_open",
                "end_open",
                *moved,
                "won_renewal",
            ),  # both ends first: a narrow terminal cuts the rest
        )
    ]
    if headline and changes.bridge.height:
        sections.insert(0, Section(name="waterfall", title="Open pipeline, start to end", frame=waterfall(totals)))
    if changes.details is not None:
        opportunities = Section(name="opportunities", title="Moved opportunities", frame=changes.details)
        sections = [opportunities, *sections] if details_first else [*sections, opportunities]
    return Document(title="What changed", sections=tuple(sections), facts=facts, headline=tuple(lines))


def waterfall(totals: Mapping[str, float]) -> pl.DataFrame:
    """The team's bridge as steps: `step` and its signed `change` (the open pipeline at start and end as it is)."""
    shown = ("start_open", *(b for b in BUCKETS if totals[b]), "end_open")
    sign = {step: -1 if step in BUCKETS and step not in INFLOWS else 1 for step in shown}
    return pl.DataFrame(
        {"step": [STEP_LABELS[s] for s in shown], "change": [sign[s] * float(totals[s]) for s in shown]}
    )


def _side(name: str, accounting: RowAccounting, without_id: int) -> dict[str, Any]:
    return {"file": name, "rows": accounting_facts(accounting), "without_opportunity_id": without_id}


def rows_text(accounting: RowAccounting, without_id: int) -> str:
    """The row accounting, and the accepted rows that could not be matched."""
    text = accounting_text(accounting)
    if without_id:
        text += f" · {plural(without_id, 'accepted row', 'accepted rows')} without opportunity_id left out"
    return text


def terminal(document: Document, totals: Mapping[str, float]) -> "RenderableType":
    """The headline, the team's waterfall, then the tables."""
    from rich.console import Group

    from renewals_cli.render import table

    parts = [table.render(replace(document, sections=()))]
    if any(totals.values()):
        parts.append(Waterfall(totals))
    tables = tuple(section for section in document.sections if section.name != "waterfall")  # (drawn above)
    return Group(*parts, table.render(replace(document, headline=(), sections=tables)))


# Columns of a waterfall line besides its bar: the label, the amount, the count, and the spaces between.
LABEL_WIDTH = max(len(label) for label in STEP_LABELS.values())
GAPS = 3
MIN_BAR = 10


@dataclass(frozen=True)
class Waterfall:
    """The bridge as horizontal bars to one scale: the open pipeline at the start, each bucket that moved it
    (inflows right, outflows left, from where the previous step left off), the open pipeline at the end."""

    totals: Mapping[str, float]

    def steps(self) -> list[tuple[str, float, float, int | None]]:
        """(column, from, to, count) of each bar: the start, each non-zero bucket in order, the end."""
        start = float(self.totals["start_open"])
        steps: list[tuple[str, float, float, int | None]] = [("start_open", 0.0, start, None)]
        level = start
        for bucket in BUCKETS:
            value = float(self.totals[bucket])
            if value == 0:
                continue
            after = level + value if bucket in INFLOWS else level - value
            steps.append((bucket, level, after, int(self.totals[f"{bucket}_count"])))
            level = after
        steps.append(("end_open", 0.0, float(self.totals["end_open"]), None))
        return steps

    def __rich_console__(self, console: "Console", options: "ConsoleOptions") -> "RenderResult":
        from rich.table import Table
        from rich.text import Text

        steps = self.steps()
        amounts = [self._amount(column, low, high) for column, low, high, _ in steps]
        counts = ["" if n is None else plural(n, "opp", "opps") for *_, n in steps]
        amount_width = max(len(a) for a in amounts)
        count_width = max(len(c) for c in counts)
        bar_width = max(MIN_BAR, options.max_width - LABEL_WIDTH - amount_width - count_width - GAPS * 2)
        top = max(max(low, high) for _, low, high, _ in steps)
        scale = bar_width / top if top > 0 else 0.0
        grid = Table.grid(padding=(0, GAPS - 2, 0, 0), pad_edge=False)
        grid.add_column(width=LABEL_WIDTH)
        grid.add_column(justify="right", width=amount_width)
        grid.add_column(justify="right", width=count_width)
        grid.add_column(width=bar_width, no_wrap=True)
        for (column, low, high, _), amount, count in zip(steps, amounts, counts, strict=True):
            left, right = sorted((low, high))
            length = max(1, round(right * scale) - round(left * scale)) if right > left else 0
            offset = min(round(left * scale), bar_width - length)  # a sliver at the top still shows
            style = "cyan" if column in ("start_open", "end_open") else "green" if column in INFLOWS else "red"
            bar = Text(" " * offset) + Text("█" * length, style=style)
            grid.add_row(STEP_LABELS[column], amount, count, bar)
        yield Text("Open pipeline, start to end", style="bold")
        yield grid

    @staticmethod
    def _amount(column: str, low: float, high: float) -> str:
        if column in ("start_open", "end_open"):
            return f"{high:,.0f}"
        return f"{high - low:+,.0f}"
