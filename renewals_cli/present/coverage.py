"""The document of `renewals coverage`: cost to serve per segment or per CSM, the idle cost and the levers."""

from typing import Any

from renewals_cli.coverage import Coverage
from renewals_cli.load.export import RowAccounting
from renewals_cli.present.common import accounting_facts, iso, window_text
from renewals_cli.render.document import Document, Section
from renewals_cli.window import Window

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
        "window": {"from": iso(window.start), "to": iso(window.end)},
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
