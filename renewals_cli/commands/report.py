"""`renewals report`: KPIs per segment, rep and batch."""

from typing import Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import ExitCode, UsageError
from renewals_cli.names import GROUPINGS, HUMAN_FORMATS, Format

HUMAN_GROUPINGS = ["overall", "segment", "rep", "batch"]


@app.command(
    epilog=examples(
        "renewals report export.csv",
        "renewals report export.csv --by rep --format csv > reps.csv",
        "renewals report 'exports/*.csv' --quarter previous -o last-quarter.json",
        "renewals report export.csv -o weekly.md --fail-under   # exit 3 when a target in renewals.toml is missed",
    )
)
def report(
    files: o.Files,
    by: Annotated[str | None, typer.Option(help=f"One grouping: {', '.join(GROUPINGS)}.")] = None,
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    start: o.From = None,
    end: o.To = None,
    quarter: o.Quarter = None,
    as_of: o.AsOf = None,
    strategic_arr: o.StrategicArr = None,
    smb_arr: o.SmbArr = None,
    fail_under: Annotated[
        bool, typer.Option("--fail-under", help="Exit 3 when a KPI misses a target of renewals.toml.")
    ] = False,
    config: o.Config = None,
    maps: o.MapOption = None,
    encoding: o.Encoding = None,
    delimiter: o.Delimiter = None,
    sheet: o.Sheet = None,
    date_format: o.DateFormat = None,
    decimal_comma: o.DecimalComma = None,
    rejects: o.Rejects = None,
    strict: o.Strict = False,
    debug: o.Debug = False,
) -> None:
    """Renewal KPIs per segment, rep and batch: resolution x close x conversion, GRR/NRR, retention."""
    from renewals_cli import console
    from renewals_cli.documents import report_document
    from renewals_cli.render import render
    from renewals_cli.report import build_report
    from renewals_cli.targets import misses

    if by is not None and by not in GROUPINGS:
        raise UsageError(f"--by {by}: expected one of {', '.join(GROUPINGS)}")
    fmt = common.output_format(fmt, output)
    settings = common.config(config)
    window = common.window(start, end, as_of, quarter)
    thresholds = common.thresholds(settings, strategic_arr, smb_arr)
    human = fmt in HUMAN_FORMATS
    shown = [by] if by else (HUMAN_GROUPINGS if human else ["overall"])
    checked = ["overall", "segment", "rep"] if settings.targets else []
    headline = ["overall"] if human else []  # (the rep table's coaching needs no overall table)
    wanted = sorted({*shown, *checked, *headline}, key=GROUPINGS.index)
    with console.working("Reading the export…"):
        export = common.load(settings, files, maps, encoding, delimiter, date_format, decimal_comma, sheet)
        result = build_report(export, window, thresholds, wanted)
    common.check_rows(export, result.accounting, rejects, strict, tell=fmt is not Format.json)
    common.deliver(render(report_document(result, shown, headline=human, targets=settings.targets), fmt), output)
    if fail_under:
        if not settings.targets:
            raise UsageError("--fail-under needs [targets] in renewals.toml (or --config PATH)")
        missed = [miss for g in checked for _, miss in misses(result.tables[g], g, settings.targets)]
        for miss in missed:
            console.say(f"Missed target: {miss}")
        if missed:
            raise typer.Exit(ExitCode.TARGET_MISSED)
