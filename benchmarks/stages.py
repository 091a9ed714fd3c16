"""Where a report's time goes, stage by stage, as a cron job pays it: each stage in a fresh process.

    python benchmarks/stages.py EXPORT [--grouping overall --grouping rep] [--repeat 5]

Stage N runs everything up to and including step N, then exits (as `renewals` does): the difference
between two stages' medians is what that step costs a single run, page faults and cold caches included (timing a
step inside one warm process hides them, and misleads). Steps: imports (the CLI, Polars); `load_export` (encoding,
delimiter, headers, detection over the first rows, the typed plan); `build_report` (the one pass over the file,
detection confirmed in it, and the roll-ups), over the default window (as `renewals report` without `--all`).
"""

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time

STAGES = ("imports", "load_export", "build_report")
AS_OF = dt.date(2026, 11, 25)


def run_stage(stage: int, path: str, groupings: list[str]) -> None:
    """Run the steps up to `stage` in this process, then exit as `renewals` does."""
    import polars as pl  # noqa: F401 - the import is what stage 0 measures

    import renewals_cli.cli  # noqa: F401
    from renewals_cli.load.export import LoadOptions, load_export
    from renewals_cli.report import build_report
    from renewals_cli.segments import Thresholds
    from renewals_cli.window import Window

    if stage >= 1:
        export = load_export([path], LoadOptions())
        if stage >= 2:
            build_report(export, Window.default(AS_OF), Thresholds(), groupings)
    sys.exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", help="a CSV or Parquet export (e.g. one `make bench` generated)")
    parser.add_argument("--grouping", action="append", help="groupings to report (default: overall and rep)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each stage, alternating")
    parser.add_argument("--stage", type=int, help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args()
    groupings = args.grouping or ["overall", "rep"]
    if args.stage is not None:
        run_stage(args.stage, args.export, groupings)
    walls: dict[int, list[float]] = {stage: [] for stage in range(len(STAGES))}
    command = [sys.executable, __file__, args.export, *(f"--grouping={g}" for g in groupings)]
    for _ in range(args.repeat):
        for stage in walls:
            start = time.perf_counter()
            subprocess.run([*command, f"--stage={stage}"], check=True)
            walls[stage].append(time.perf_counter() - start)
    previous = 0.0
    print(f"{'stage':<14}{'median s':>10}{'step s':>9}   ({args.repeat} runs each, {', '.join(groupings)})")
    for stage, name in enumerate(STAGES):
        median = statistics.median(walls[stage])
        print(f"{name:<14}{median:>10.2f}{median - previous:>9.2f}")
        previous = median


if __name__ == "__main__":
    main()
