"""`renewals forecast` and `renewals changes`, timed beside `renewals report --by rep` on one canonical CSV.

    forecast: renewals forecast NEW --backtest 8 --as-of 2026-11-25
    changes:  renewals changes OLD NEW --as-of 2026-11-25

NEW is the canonical CSV the report reads; OLD is the export `renewals sample` writes with the same rows and seed
a week earlier (`--as-of 2026-11-18`). The three run in their own round-robin, so that each command's ratio to the
report is measured under the same load. A command this build does not have (`renewals forecast --help` exits
non-zero: it is built on another branch) is skipped with a note, not counted as a failure.
"""

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from exports import AS_OF, CANONICAL_CSV, generate, warm
from processes import Sample, round_robin, say, succeeds
from targets import Check, ratio_check

BY_REP, FORECAST, CHANGES = "report --by rep", "forecast", "changes"
CONTENDERS = (BY_REP, FORECAST, CHANGES)
OLD_AS_OF = "2026-11-18"
BACKTEST = 8
ROWS = 2_000_000  # the size the targets are set on


@dataclass(frozen=True)
class Target:
    contender: str
    measure: str  # "time" or "memory"
    limit: float  # at most this many times `report --by rep`'s


TARGETS = (Target(FORECAST, "time", 1.5), Target(CHANGES, "time", 2.5), Target(CHANGES, "memory", 2.0))


def paths(data: Path, rows: int) -> tuple[Path, Path]:
    """OLD and NEW: the canonical CSVs of `rows` rows as of a week before AS_OF and as of AS_OF."""
    return CANONICAL_CSV.path(data, rows, OLD_AS_OF), CANONICAL_CSV.path(data, rows)


def commands(renewals: str, data: Path, rows: int) -> dict[str, list[str]]:
    old, new = (str(path) for path in paths(data, rows))
    return {
        BY_REP: [renewals, "report", new, "--by", "rep", "--format", "csv", "--as-of", AS_OF],
        FORECAST: [renewals, "forecast", new, "--backtest", str(BACKTEST), "--as-of", AS_OF],
        CHANGES: [renewals, "changes", old, new, "--as-of", AS_OF],
    }


DOCS = {
    FORECAST: f"`renewals forecast FILE --backtest {BACKTEST} --as-of {AS_OF} > /dev/null`: where the quarter lands, "
    f"and the forecast's error over the last {BACKTEST} quarters",
    CHANGES: f"`renewals changes OLD FILE --as-of {AS_OF} > /dev/null`: the bridge of the quarter's open pipeline "
    f"from OLD, the export generated with `--as-of {OLD_AS_OF}` and the same seed",
}


@dataclass
class CommandResults:
    """The samples of the round-robin, and why a contender was skipped (not in this build) or failed."""

    rows: int = 0
    repeat: int = 0
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def wall(self, name: str) -> float | None:
        found = self.samples.get(name)
        return statistics.median(s.wall for s in found) if found else None

    def peak(self, name: str) -> float | None:
        found = self.samples.get(name)
        return statistics.median(s.peak for s in found) if found else None


def prepare(renewals: str, data: Path, rows: int, repeat: int) -> CommandResults:
    """Skip the commands this build lacks (saying so), generate the exports the others need (when not cached)
    and read them once; the results the run will fill."""
    results = CommandResults(rows=rows, repeat=repeat)
    for name in (FORECAST, CHANGES):
        if not succeeds([renewals, name, "--help"]):
            results.skipped[name] = f"`renewals {name}` is not in this build (`renewals {name} --help` fails): skipped"
            say(results.skipped[name])
    if CHANGES not in results.skipped:
        generate(renewals, data, rows, exports=(CANONICAL_CSV,), as_of=OLD_AS_OF)
    if len(results.skipped) < 2:
        generate(renewals, data, rows, exports=(CANONICAL_CSV,))
        warm([path for path in paths(data, rows) if path.exists()])
    return results


def run(renewals: str, data: Path, results: CommandResults, timeout: float) -> None:
    """The report, forecast and changes, `repeat` times round-robin with the order rotated; the skipped ones left
    out (and the report too when both are)."""
    names = [name for name in CONTENDERS if name not in results.skipped]
    if not results.rows or names == [BY_REP]:
        return
    rows, runs = results.rows, commands(renewals, data, results.rows)
    round_robin(
        {name: runs[name] for name in names},
        results.repeat,
        timeout,
        lambda repetition, name: f"rep {repetition + 1} · {rows:,} rows · canonical CSV · {name:<17}",
        results.samples,
        results.failures,
    )


def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}" if value is not None and base else "–"


def table(results: CommandResults) -> str:
    lines = [
        "| contender | wall s (median) | min–max s | × report --by rep | peak MiB | memory × report --by rep |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    base_wall, base_peak = results.wall(BY_REP), results.peak(BY_REP)
    for name in CONTENDERS:
        samples = results.samples.get(name, [])
        wall, peak = results.wall(name), results.peak(name)
        if name in results.skipped:
            lines.append(f"| {name} | skipped (not in this build) | | | | |")
        elif name in results.failures:
            lines.append(f"| {name} | failed | | | | |")
        elif wall is None or peak is None:
            lines.append(f"| {name} | not timed (nothing to compare it with) | | | | |")
        else:
            spread = f"{min(s.wall for s in samples):.2f}–{max(s.wall for s in samples):.2f}"
            lines.append(
                f"| {name} | {wall:.2f} | {spread} | {_ratio(wall, base_wall)} | {peak / 2**20:,.0f} | "
                f"{_ratio(peak, base_peak)} |"
            )
    return "\n".join(lines)


def section(results: CommandResults) -> str:
    """The BENCHMARKS.md section: what was run, the table, and what was skipped or failed."""
    if not results.rows:
        return ""
    contenders = "\n".join(f"- **{name}** — {doc}" for name, doc in DOCS.items())
    notes = [*results.skipped.values(), *(f"`{name}` failed: {why}" for name, why in results.failures.items())]
    listed = "".join(f"\n- {note}" for note in notes)
    timed = f"\n{table(results)}\n" if results.samples or results.failures else ""
    return f"""## Forecast and changes, beside the report

On the {results.rows:,}-row canonical CSV ({CANONICAL_CSV.path(Path(), results.rows).name}), in a round-robin
of their own ({results.repeat} time(s)) with **report --by rep** on the same file, which the ratios are to:

{contenders}
{timed}{listed}
"""


def checks(results: CommandResults) -> list[Check]:
    """Each TARGET, or `not measured` (with the reason) for a skipped or failed command; none when not run."""
    if not results.rows:
        return []
    where = f"{results.rows:,} rows, canonical CSV"
    found = []
    for target in TARGETS:
        name = f"{target.contender}: {target.measure} ≤ {target.limit:g}× report --by rep"
        if target.contender in results.skipped:
            found.append(Check(name, where, "skipped: not in this build", None))
            continue
        if target.measure == "time":
            value, base = results.wall(target.contender), results.wall(BY_REP)
        else:
            value, base = results.peak(target.contender), results.peak(BY_REP)
        found.append(ratio_check(name, where, value, base, target.limit))
    return found
