"""The speed choices left in the tool, each timed against the plain code it stands for (`variant.py`).

A choice stays only where it buys at least 10% of wall time or of peak memory on the report it is made for, at
2,000,000 rows. Each choice and the command as it is run on the same export in one round-robin (the order
rotated between repetitions), so that both are measured under the same load.
"""

import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from exports import AS_OF, EXPORTS, Export, generate, warm
from processes import Sample, round_robin

HERE = Path(__file__).resolve().parent
ROWS = 2_000_000
EARNS = 0.10  # what a choice must buy, in wall time or in peak memory
REPEAT = 5  # at the least: a gain near EARNS is within the noise of three runs on a shared machine
CANONICAL_CSV, CANONICAL_PARQUET, SALESFORCE_CSV = EXPORTS
BY_REP, TERMINAL = "report --by rep", "report (terminal)"


@dataclass(frozen=True)
class Choice:
    name: str  # as `variant.py` names it
    made: str  # what the tool does
    instead_of: str  # the plain code the variant runs
    export: Export
    report: str  # BY_REP or TERMINAL


CHOICES = (
    Choice(
        "read twice",
        "the terminal report and its forecast read rows held once for both (`Export.hold`)",
        "each reads the export",
        CANONICAL_CSV,
        TERMINAL,
    ),
    Choice(
        "checks apart",
        "detection's checks over a CSV file's rows read the rows' own text, in the report's pass "
        "(`validate.checks_of`)",
        "checks reading the file by themselves",
        CANONICAL_CSV,
        BY_REP,
    ),
    Choice(
        "checks apart",
        "detection's checks over a CSV file's rows read the rows' own text, in the report's pass "
        "(`validate.checks_of`)",
        "checks reading the file by themselves",
        SALESFORCE_CSV,
        BY_REP,
    ),
    Choice(
        "duplicates marked",
        "repeated opportunity ids looked for only when detection saw one (`Detected.ids_distinct`)",
        "every row looked at",
        CANONICAL_PARQUET,
        BY_REP,
    ),
)
AS_IS = "as is"  # (variant.py's name for the command with every choice made)


def arguments(path: Path, report: str) -> list[str]:
    by_rep = ["--by", "rep", "--format", "csv"] if report == BY_REP else []
    return ["report", str(path), *by_rep, "--as-of", AS_OF]


@dataclass
class ChoiceResults:
    rows: int = 0
    repeat: int = 0
    samples: dict[tuple[str, str, str], list[Sample]] = field(default_factory=dict)  # (export, report, variant)
    failures: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def median(self, key: tuple[str, str, str], what: str) -> float | None:
        found = self.samples.get(key)
        return statistics.median(getattr(s, what) for s in found) if found else None


def run(renewals: str, data: Path, rows: int, repeat: int, timeout: float) -> ChoiceResults:
    """Every choice undone, and each report it is measured on as it is, `repeat` times round-robin."""
    results = ChoiceResults(rows=rows, repeat=repeat)
    if not rows:
        return results
    exports = list(dict.fromkeys(choice.export for choice in CHOICES))
    generate(renewals, data, rows, exports=exports)
    warm([export.path(data, rows) for export in exports])
    runs: dict[tuple[str, str, str], list[str]] = {}
    for choice in CHOICES:
        args = arguments(choice.export.path(data, rows), choice.report)
        for name in (AS_IS, choice.name):  # both started alike, through variant.py
            runs[(choice.export.label, choice.report, name)] = [sys.executable, str(HERE / "variant.py"), name, *args]
    round_robin(
        runs,
        repeat,
        timeout,
        lambda repetition, key: f"choices · rep {repetition + 1} · {rows:,} rows · {' · '.join(key)}",
        results.samples,
        results.failures,
    )
    return results


def _gain(plain: float | None, made: float | None) -> float | None:
    """What the choice buys: the share of the plain variant's cost it saves (negative: it costs more)."""
    return None if plain is None or made is None or not plain else 1 - made / plain


def section(results: ChoiceResults) -> str:
    """The BENCHMARKS.md section: one row per choice, with what it buys and whether that earns its place."""
    if not results.rows:
        return ""
    lines = [
        "## The speed choices, each against the plain code",
        "",
        f"`python benchmarks/run.py --choices-rows {results.rows}`: each choice the tool makes for speed or memory, "
        f"and the same report with that choice undone (`benchmarks/variant.py` puts the plain code back in the "
        f"process), on {results.rows:,} rows, {results.repeat} time(s) round-robin. A choice earns its place when "
        f"it saves at least {EARNS:.0%} of the plain code's wall time or peak memory.",
        "",
        "| choice | instead of | report | file | wall s: plain → as is | saves | peak MiB: plain → as is | saves | |",
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for choice in CHOICES:
        plain = (choice.export.label, choice.report, choice.name)
        as_is = (choice.export.label, choice.report, AS_IS)
        walls = results.median(plain, "wall"), results.median(as_is, "wall")
        peaks = results.median(plain, "peak"), results.median(as_is, "peak")
        if None in walls or None in peaks:
            lines.append(
                f"| {choice.made} | {choice.instead_of} | {choice.report} | {choice.export.label} | failed | | | | |"
            )
            continue
        time_gain, memory_gain = _gain(*walls), _gain(*peaks)
        earns = max(time_gain or 0, memory_gain or 0) >= EARNS
        lines.append(
            f"| {choice.made} | {choice.instead_of} | {choice.report} | {choice.export.label} | "
            f"{walls[0]:.2f} → {walls[1]:.2f} | {time_gain:+.0%} | {peaks[0] / 2**20:,.0f} → {peaks[1] / 2**20:,.0f} "
            f"| {memory_gain:+.0%} | {'earns its place' if earns else '**does not**'} |"
        )
    return "\n".join(lines) + "\n"
