"""The book balance as a document: the table, the Gini of available, and on a terminal a bar per group."""

import datetime as dt
from typing import Any

import polars as pl

from renewals_cli.balance import Balance
from renewals_cli.present.common import accounting_facts, accounting_text, plural, window_text
from renewals_cli.render.document import Document, Section
from renewals_cli.window import Window

# What a terminal has room for, most telling first.
BRIEF = (
    "opportunities", "share_of_opportunities", "available", "share_of_available", "value_mix", "resolution_rate",
    "resolution_rate_value", "top_heavy", "smb_opportunities", "enterprise_opportunities", "strategic_opportunities",
)  # fmt: skip
BAR_WIDTH = 16
FULL, EMPTY = "█", "░"


def bar(share: float | None, longest: float) -> str:
    """`████░░░░ 25.0%`: a share as a bar scaled so that `longest` fills it, then the share in percent."""
    if share is None:
        return "—"
    filled = round(BAR_WIDTH * share / longest) if longest > 0 else 0
    return f"{FULL * filled}{EMPTY * (BAR_WIDTH - filled)} {share:6.1%}"


def bars(table: pl.DataFrame, by: str) -> pl.DataFrame:
    """Per group, its share of the contracts beside its share of the value, as bars on one scale."""
    shares = [*table["share_of_opportunities"].drop_nulls(), *table["share_of_available"].drop_nulls()]
    longest = max(shares, default=0.0)
    return pl.DataFrame(
        {
            by: table[by],
            "contracts": [bar(share, longest) for share in table["share_of_opportunities"]],
            "value": [bar(share, longest) for share in table["share_of_available"]],
        },
        schema={by: pl.String, "contracts": pl.String, "value": pl.String},
    )


def gini_text(gini: float | None, by: str) -> str:
    """The Gini line: its value and how to read it."""
    if gini is None:
        return "— (nothing available to renew)"
    return f"{gini:.3f} (0: every {by} holds the same value; towards 1: one holds it all)"


def balance_document(result: Balance, window: Window, by: str, *, headline: bool, with_bars: bool) -> Document:
    """The balance table (and `with_bars`, a bar chart of contracts against value); the Gini is a fact, and the
    last headline line."""
    facts: dict[str, Any] = {
        "window": {"from": _iso(window.start), "to": _iso(window.end)},
        "as_of": window.as_of.isoformat(),
        "by": by,
        "rows": accounting_facts(result.accounting) | {"in_window": result.in_window},
        "gini": result.gini,
    }
    lines: list[tuple[str, str]] = []
    if headline:
        left_out = result.accounting.accepted - result.in_window
        lines = [
            ("Window", window_text(window)),
            ("As of", window.as_of.isoformat()),
            (
                "Rows",
                f"{accounting_text(result.accounting)} · {result.in_window:,} in window"
                + (f" ({plural(left_out, 'row', 'rows')} outside it)" if left_out else ""),
            ),
            ("Gini of available", gini_text(result.gini, by)),
        ]
    title = "By rep" if by == "rep" else "By partner (direct: sold without one)"
    sections = [Section(name="groups", title=title, frame=result.table, brief=(by, *BRIEF))]
    if with_bars:
        chart = bars(result.table, by)
        sections.append(Section(name="bars", title="Share of contracts beside share of value", frame=chart))
    return Document(title="Book balance", sections=tuple(sections), facts=facts, headline=tuple(lines))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
