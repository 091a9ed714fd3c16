"""`make bench`: how `renewals report` compares with reading the file, plain Polars, DuckDB and pandas (issue 5).

    python benchmarks/run.py [--rows 2000000 5000000] [--repeat 3] [--commands-rows 2000000] [--choices-rows 2000000]
                             [--large 50000000]
                             [--quick] [--output FILE]

Generates the exports once with `renewals sample` (cached in benchmarks/data/ by rows, seed, style and as-of
date): a canonical CSV, the same as Parquet, and a Salesforce-styled CSV (`$1,234.50`, `03/31/2026`). Checks
on a small export that the plain Polars, DuckDB and pandas versions give the tool's per-rep KPIs, then times
every contender on every export as its own process, round-robin (each repetition runs every contender once, the
order rotated from one repetition to the next), and reports the median wall time and peak memory (the child's
own RSS high-water mark, from wait4) with ratios to the floor, to plain Polars and to DuckDB. Then times
`renewals forecast` and `renewals changes` beside `report --by rep` on one canonical CSV (forecast_changes.py).
Writes BENCHMARKS.md.
"""

import argparse
import datetime as dt
import math
import os
import platform
import shlex
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import choices
import forecast_changes
from common import KPI_COLUMNS
from exports import AS_OF, EXPORTS, LARGE, SEED, Export, generate, warm
from machine import cpu_model, memory_total, revision, version
from processes import ROOT, BenchError, Sample, measure, output_of, say, snapshot, take, tools
from targets import Check, checks_table, ratio_check

HERE = Path(__file__).resolve().parent
VERIFY_ROWS = 20_000
TOLERANCE = 1e-9
HELP_RUNS = 10

FLOOR, POLARS, BY_REP, FULL = "floor", "polars", "report --by rep", "report (terminal)"
DUCKDB, PANDAS = "duckdb", "pandas"
CONTENDERS = (FLOOR, POLARS, BY_REP, FULL, DUCKDB, PANDAS)
OTHERS = (POLARS, DUCKDB, PANDAS)  # the independent implementations, checked against the tool
CONTENDER_DOCS = {
    FLOOR: "a bare Polars read of the file in a fresh Python: `pl.read_csv(path, infer_schema=False)` "
    "(all text, as the tool reads it) or `pl.read_parquet(path)`",
    POLARS: "`benchmarks/polars_kpis.py`: the same per-rep KPIs in plain Polars, one lazy query on the streaming "
    "engine, the CSV reader typing the dates and amounts it can: what the tool's own stack needs for the KPIs "
    "alone, with no row checked",
    BY_REP: f"`renewals report FILE --by rep --format csv --as-of {AS_OF} > /dev/null` (the KPIs and the coaching "
    "columns)",
    FULL: f"`renewals report FILE --as-of {AS_OF} > /dev/null` with COLUMNS=200: the headline and the "
    "segment, rep and batch tables",
    DUCKDB: "`benchmarks/duckdb_kpis.py`: the same per-rep KPIs as DuckDB SQL (`benchmarks/duckdb_kpis.sql`) "
    "over `read_csv`/`read_parquet` of the file, parsing the Salesforce money and dates in DuckDB",
    PANDAS: "`benchmarks/pandas_kpis.py`: the same per-rep KPIs in straightforward pandas "
    "(`read_csv(usecols=…)`/`read_parquet(columns=…)`, two group-bys)",
}


def commands(python: str, renewals: str, path: Path, export: Export) -> dict[str, list[str]]:
    reader = "read_parquet(p)" if export.suffix == ".parquet" else "read_csv(p, infer_schema=False)"
    floor = f"import sys; import polars as pl; p = sys.argv[1]; pl.{reader}"
    kpis = ["--style", export.style, "--as-of", AS_OF]
    return {
        FLOOR: [python, "-c", floor, str(path)],
        BY_REP: [renewals, "report", str(path), "--by", "rep", "--format", "csv", "--as-of", AS_OF],
        FULL: [renewals, "report", str(path), "--as-of", AS_OF],
        POLARS: [python, str(HERE / "polars_kpis.py"), str(path), *kpis],
        DUCKDB: [python, str(HERE / "duckdb_kpis.py"), str(path), *kpis],
        PANDAS: [python, str(HERE / "pandas_kpis.py"), str(path), *kpis],
    }


# ---------------------------------------------------------------------------------------------- verification


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b)) + 1e-12


def disagreements(expected_csv: str, actual_csv: str) -> list[str]:
    """Where two per-rep KPI CSVs differ beyond a relative TOLERANCE (empty cells count as NaN)."""
    import io

    import polars as pl

    def load(text: str) -> pl.DataFrame:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
        missing = [c for c in ("rep", *KPI_COLUMNS) if c not in frame.columns]
        if missing:
            raise BenchError(f"output lacks columns {', '.join(missing)}")
        values = [pl.col(c).cast(pl.Float64).fill_null(float("nan")) for c in KPI_COLUMNS]
        return frame.select("rep", *values).sort("rep")

    expected, actual = load(expected_csv), load(actual_csv)
    if expected["rep"].to_list() != actual["rep"].to_list():
        return [f"reps differ: {expected['rep'].to_list()} vs {actual['rep'].to_list()}"]
    problems = []
    for column in KPI_COLUMNS:
        for rep, a, b in zip(expected["rep"], expected[column], actual[column], strict=True):
            if not _close(a, b):
                problems.append(f"{column} for {rep}: renewals {a!r}, got {b!r}")
    return problems


def verify(python: str, renewals: str, data: Path) -> None:
    """The other implementations must give the tool's per-rep KPIs on a small export before any of them is timed."""
    generate(renewals, data, VERIFY_ROWS)
    for export in EXPORTS:
        path = export.path(data, VERIFY_ROWS)
        runs = commands(python, renewals, path, export)
        expected = output_of(runs[BY_REP])
        for name in OTHERS:
            problems = disagreements(expected, output_of(runs[name]))
            if problems:
                listed = "\n  ".join(problems[:10])
                raise BenchError(
                    f"{name} disagrees with `renewals report --by rep` on {path.name} ({len(problems)} values "
                    f"beyond rel {TOLERANCE:g}); fix the implementation before timing it:\n  {listed}"
                )
        say(f"verified: {', '.join(OTHERS)} give the tool's per-rep KPIs on the {VERIFY_ROWS:,}-row {export.label}")


# ---------------------------------------------------------------------------------------------- the run

Key = tuple[int, str, str]  # rows, export label, contender


@dataclass
class Results:
    """Every sample taken, and why a measurement that failed did (it is left out, the run goes on)."""

    samples: dict[Key, list[Sample]] = field(default_factory=dict)
    failures: dict[Key, str] = field(default_factory=dict)
    help: list[Sample] = field(default_factory=list)
    large: dict[str, Sample] = field(default_factory=dict)  # --large: one run of each report on a huge Parquet
    large_rows: int = 0
    commands: forecast_changes.CommandResults = field(default_factory=forecast_changes.CommandResults)
    speed_choices: choices.ChoiceResults = field(default_factory=choices.ChoiceResults)

    def wall(self, key: Key) -> float | None:
        found = self.samples.get(key)
        return statistics.median(s.wall for s in found) if found else None

    def peak(self, key: Key) -> float | None:
        found = self.samples.get(key)
        return statistics.median(s.peak for s in found) if found else None


def run(python: str, renewals: str, data: Path, sizes: Sequence[int], repeat: int, timeout: float) -> Results:
    """Every contender on every export, `repeat` times, round-robin with the contender order rotated."""
    results = Results()
    total = repeat * len(sizes) * len(EXPORTS) * len(CONTENDERS)
    done = 0
    for repetition in range(repeat):
        shift = repetition % len(CONTENDERS)
        order = CONTENDERS[shift:] + CONTENDERS[:shift]
        for rows in sizes:
            for export in EXPORTS:
                runs = commands(python, renewals, export.path(data, rows), export)
                for name in order:
                    key = (rows, export.label, name)
                    done += 1
                    where = f"[{done}/{total}] rep {repetition + 1} · {rows:,} rows · {export.label:<17} · {name:<17}"
                    take(key, runs[name], timeout, where, results.samples, results.failures)
    results.help = [measure([renewals, "--help"], timeout) for _ in range(HELP_RUNS)]
    return results


def run_large(renewals: str, data: Path, rows: int, timeout: float, results: Results) -> None:
    """Issue 5's file larger than memory: each report once on a canonical Parquet export of `rows` rows."""
    path = LARGE.path(data, rows)
    generate(renewals, data, rows, exports=(LARGE,))
    warm([path])
    results.large_rows = rows
    for name, command in commands(sys.executable, renewals, path, LARGE).items():
        if name not in (BY_REP, FULL):
            continue
        try:
            sample = measure(command, timeout)
        except BenchError as exc:
            results.failures.setdefault((rows, LARGE.label, name), str(exc).splitlines()[0])
            say(f"large · {rows:,} rows · {name} FAILED: {exc}")
            continue
        results.large[name] = sample
        say(f"large · {rows:,} rows · {name:<17} {sample.wall:7.2f} s {sample.peak / 2**20:8,.0f} MiB")


def large_section(results: Results) -> str:
    if not results.large:
        return ""
    lines = [
        f"## A file larger than memory: {results.large_rows:,} rows of Parquet",
        "",
        f"`python benchmarks/run.py --large {results.large_rows}`: each report once on a canonical Parquet export of "
        f"{results.large_rows:,} rows ({LARGE.path(Path(), results.large_rows).name}; read whole as a DataFrame it "
        "would take several times the memory shown). The report writes the rows it reads once, partitioned by "
        "account, to a temporary directory, and reads the parts back in turn (`renewals_cli/parts.py`): only one "
        "part's sums per account are held at a time.",
        "",
        "| contender | wall s | peak MiB |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {s.wall:.1f} | {s.peak / 2**20:,.0f} |" for name, s in results.large.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- reporting


def _ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}" if value is not None and base else "–"


def results_table(results: Results, sizes: Sequence[int]) -> str:
    lines = [
        "| rows | file | contender | wall s (median) | min–max s | × floor | × Polars | × DuckDB | peak MiB "
        "| memory × floor |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rows in sizes:
        for export in EXPORTS:
            floor_wall = results.wall((rows, export.label, FLOOR))
            floor_peak = results.peak((rows, export.label, FLOOR))
            polars_wall = results.wall((rows, export.label, POLARS))
            duck_wall = results.wall((rows, export.label, DUCKDB))
            for name in CONTENDERS:
                key = (rows, export.label, name)
                samples = results.samples.get(key, [])
                wall, peak = results.wall(key), results.peak(key)
                if wall is None or peak is None:
                    lines.append(f"| {rows:,} | {export.label} | {name} | failed | | | | | | |")
                    continue
                spread = f"{min(s.wall for s in samples):.2f}–{max(s.wall for s in samples):.2f}"
                lines.append(
                    f"| {rows:,} | {export.label} | {name} | {wall:.2f} | {spread} | {_ratio(wall, floor_wall)} | "
                    f"{_ratio(wall, polars_wall)} | {_ratio(wall, duck_wall)} | {peak / 2**20:,.0f} | "
                    f"{_ratio(peak, floor_peak)} |"
                )
    return "\n".join(lines)


def failures_list(results: Results) -> str:
    """Every failed measurement, of the main round-robin, of forecast and changes and of the speed choices."""
    rows = results.commands.rows
    return "\n".join(
        [
            *(f"- {rows:,} rows, {label}, {name}: {why}" for (rows, label, name), why in results.failures.items()),
            *(f"- {rows:,} rows, canonical CSV, {name}: {why}" for name, why in results.commands.failures.items()),
            *(
                f"- {results.speed_choices.rows:,} rows, {label}, {report}, {variant}: {why}"
                for (label, report, variant), why in results.speed_choices.failures.items()
            ),
        ]
    )


def checks(results: Results, sizes: Sequence[int]) -> list[Check]:
    """The targets of issue 5, each on every export and size it names."""
    found: list[Check] = []
    for rows in sizes:
        for export in EXPORTS:
            where = f"{rows:,} rows, {export.label}"
            floor = results.wall((rows, export.label, FLOOR))
            by_rep = results.wall((rows, export.label, BY_REP))
            full = results.wall((rows, export.label, FULL))
            duck = results.wall((rows, export.label, DUCKDB))
            if export.canonical:
                found.append(ratio_check("report --by rep ≤ 1.5× floor", where, by_rep, floor, 1.5))
                found.append(ratio_check("full report ≤ 2× floor", where, full, floor, 2.0))
            else:
                for name, value in ((BY_REP, by_rep), (FULL, full)):
                    found.append(ratio_check(f"Salesforce CSV: {name} ≤ 2.5× its floor", where, value, floor, 2.5))
            if by_rep is None or duck is None:
                found.append(Check("report --by rep faster than DuckDB", where, "not measured", None))
            else:
                found.append(
                    Check(
                        "report --by rep faster than DuckDB",
                        where,
                        f"{by_rep:.2f} s vs {duck:.2f} s ({by_rep / duck:.2f}×)",
                        by_rep < duck,
                    )
                )
            if export.canonical:
                floor_peak = results.peak((rows, export.label, FLOOR))
                for name in (BY_REP, FULL):
                    found.append(
                        ratio_check(
                            f"{name}: peak memory ≤ 1.5× floor",
                            where,
                            results.peak((rows, export.label, name)),
                            floor_peak,
                            1.5,
                        )
                    )
    help_wall = statistics.median(s.wall for s in results.help)
    found.append(
        Check("`renewals --help` ≤ 0.3 s", f"median of {len(results.help)}", f"{help_wall:.3f} s", help_wall <= 0.3)
    )
    return found + forecast_changes.checks(results.commands)


def document(
    *,
    command: str,
    started: dt.datetime,
    code: str,
    load: tuple[tuple[float, ...], tuple[float, ...]],
    sizes: Sequence[int],
    repeat: int,
    results: Results,
    found: Sequence[Check],
) -> str:
    small = [f"{rows:,}" for rows in sizes if rows < 2_000_000]
    if len(small) == len(sizes):
        scope = (
            "The issue sets its targets on exports of 2M rows and up; this run has none, so every line is indicative."
        )
    elif small:
        scope = (
            f"The issue sets its targets on exports of 2M rows and up: the {', '.join(small)}-row lines are indicative."
        )
    else:
        scope = ""
    if 0 < results.commands.rows < forecast_changes.ROWS:
        scope += (
            f" Forecast and changes ran on {results.commands.rows:,} rows, not the {forecast_changes.ROWS:,} their "
            "targets are set on: indicative."
        )
    contenders = "\n".join(f"- **{name}** — {doc}" for name, doc in CONTENDER_DOCS.items())
    help_wall = statistics.median(s.wall for s in results.help)
    help_peak = statistics.median(s.peak for s in results.help)
    load_text = "{} at the start, {} at the end".format(*(" / ".join(f"{v:.1f}" for v in avg) for avg in load))
    failed = failures_list(results)
    failures = f"\nFailed measurements (left out of the medians):\n\n{failed}\n" if failed else ""
    return f"""# Benchmarks

`renewals report` against the cost of reading the file, plain Polars, DuckDB and pandas (issue 5), and
`renewals forecast` and `renewals changes` against the report. Generated by `benchmarks/run.py`; do not edit by
hand, rerun it.

## Machine and versions

- Date: {started:%Y-%m-%d %H:%M} (the machine's local time)
- CPU: {cpu_model()}, {os.cpu_count()} cores; memory: {memory_total()}; {platform.system()} {platform.release()}
- Python {platform.python_version()}, polars {version("polars")}, duckdb {version("duckdb")},
  pandas {version("pandas")}, pyarrow {version("pyarrow")}
- renewals {version("renewals")} at commit {code}
- A shared 2-core virtual machine with other work running at the same time (load average over 1 / 5 / 15 min:
  {load_text}): absolute times are noisy and inflated; the ratios, measured in one run with alternating
  repetitions, are what to read.

## Reproduce

```
make bench
# or: {command}
```

Exports are generated once by `renewals sample --seed {SEED} --as-of {AS_OF}` and cached in `benchmarks/data/`
(delete it to regenerate them after changing the generator).

## What is measured

Each contender runs as its own process with stdout to /dev/null, on the same file, {repeat} time(s) round-robin
(every contender once per repetition, the order rotated between repetitions). The table shows the median wall time
(spawn to exit: Python start-up and imports included) and the median peak memory (the process's own RSS
high-water mark, from `wait4`). `renewals` runs from a byte-compiled copy of `renewals_cli` taken when the run
started, so that edits made during a long run do not mix versions.

Before timing, the plain Polars, DuckDB and pandas versions were checked against `renewals report --by rep --format
csv` on {VERIFY_ROWS:,}-row exports of each kind: every KPI of SPEC §3 agrees to a relative {TOLERANCE:g} (the
coaching columns the tool appends are not compared). Like the tool without `--all`, each counts the rows expiring
by the end of the calendar quarter that holds the as-of date, a row won or lost only when it closed by that date,
and an account retained when its last renewal at stake was won. None of them validates rows as `renewals` does
(the generated exports are clean), so each does less work than the tool. The plain Polars version is the cost of
the KPIs alone on the tool's own stack: `× Polars` is what reading every column as text, confirming detection over
every row, checking each row and summing money exactly add to it.

{contenders}

## Results

{results_table(results, sizes)}

`renewals --help`: median {help_wall:.3f} s over {len(results.help)} runs, peak {help_peak / 2**20:,.0f} MiB.
{failures}
{large_section(results)}
{forecast_changes.section(results.commands)}
{choices.section(results.speed_choices)}
## Targets

{scope}

{checks_table(found)}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2_000_000, 5_000_000], help="export sizes")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 200,000 rows, 1 repetition")
    parser.add_argument(
        "--output", type=Path, help="the report to write (default BENCHMARKS.md; with --quick, none unless named)"
    )
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where exports are cached")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a measurement is abandoned")
    parser.add_argument(
        "--commands-rows",
        type=int,
        metavar="ROWS",
        help=f"the canonical CSV forecast and changes are timed on (default {forecast_changes.ROWS:,}, or the "
        "largest --rows when all are smaller; 0 skips them)",
    )
    parser.add_argument(
        "--choices-rows",
        type=int,
        metavar="ROWS",
        help=f"the exports each speed choice is timed on against the plain code (default {choices.ROWS:,}, or the "
        "largest --rows when all are smaller; 0 skips them)",
    )
    parser.add_argument(
        "--large", type=int, default=0, metavar="ROWS", help="also report once on a Parquet export this large"
    )
    args = parser.parse_args()
    sizes, repeat = ([200_000], 1) if args.quick else (args.rows, args.repeat)
    commands_rows = min(forecast_changes.ROWS, max(sizes)) if args.commands_rows is None else args.commands_rows
    choices_rows = min(choices.ROWS, max(sizes)) if args.choices_rows is None else args.choices_rows
    output = args.output or (None if args.quick else ROOT / "BENCHMARKS.md")
    command = shlex.join(["python", "benchmarks/run.py", *sys.argv[1:]])

    try:
        with tempfile.TemporaryDirectory(prefix="renewals-bench-") as copy:
            code = revision()
            snapshot(Path(copy))
            python, renewals = tools()
            verify(python, renewals, args.data)
            for rows in sizes:
                generate(renewals, args.data, rows)
            more = forecast_changes.CommandResults()
            if commands_rows:
                more = forecast_changes.prepare(renewals, args.data, commands_rows, repeat)
            warm([export.path(args.data, rows) for rows in sizes for export in EXPORTS])
            output_of([python, "-c", "import polars, duckdb, pandas"])  # shared libraries into the page cache
            started, load_start = dt.datetime.now(), os.getloadavg()
            results = run(python, renewals, args.data, sizes, repeat, args.timeout)
            forecast_changes.run(renewals, args.data, more, args.timeout)
            results.commands = more
            choices_repeat = repeat if args.quick else max(repeat, choices.REPEAT)
            results.speed_choices = choices.run(renewals, args.data, choices_rows, choices_repeat, args.timeout)
            load_end = os.getloadavg()
            if args.large:
                run_large(renewals, args.data, args.large, args.timeout, results)
    except BenchError as exc:
        say(f"Error: {exc}")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None

    found = checks(results, sizes)
    print(results_table(results, sizes))
    print(f"\nrenewals --help: median {statistics.median(s.wall for s in results.help):.3f} s\n")
    if results.commands.samples or results.commands.failures:
        print(f"{forecast_changes.table(results.commands)}\n")
    print(choices.section(results.speed_choices))
    print(checks_table(found))
    failed = failures_list(results)
    if failed:
        print(f"\nFailed measurements:\n{failed}")
    if output is not None:
        text = document(
            command=command,
            started=started,
            code=code,
            load=(load_start, load_end),
            sizes=sizes,
            repeat=repeat,
            results=results,
            found=found,
        )
        partial = output.with_name(f".{output.name}.partial")
        partial.write_text(text)
        partial.replace(output)
        say(f"wrote {output}")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
