"""`renewals upcoming`: the worklist of open renewals due soon or past due."""

from typing import Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.names import HUMAN_FORMATS, SEGMENTS, Format


@app.command(
    epilog=examples(
        "renewals upcoming export.csv",
        "renewals upcoming export.csv --rep 'Ann Lee' --days 90",
        "renewals upcoming export.csv --segment strategic --format csv > strategic-worklist.csv",
    )
)
def upcoming(
    files: o.Files,
    days: Annotated[int, typer.Option(min=0, help="Horizon in days after the as-of date.")] = 120,
    rep: Annotated[list[str] | None, typer.Option(help="Only this rep (repeat for several).")] = None,
    segment: Annotated[
        list[str] | None, typer.Option(help=f"Only this segment: {', '.join(SEGMENTS)} (repeat for several).")
    ] = None,
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    as_of: o.AsOf = None,
    strategic_arr: o.StrategicArr = None,
    smb_arr: o.SmbArr = None,
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
    """Open opportunities expiring within --days of the as-of date, past-due ones first, with the next action."""
    from renewals_cli import console
    from renewals_cli.documents import worklist_document
    from renewals_cli.render import render
    from renewals_cli.report import renewal_worklist

    fmt = common.output_format(fmt, output)
    settings = common.config(config)
    window = common.window(None, None, as_of)
    thresholds = common.thresholds(settings, strategic_arr, smb_arr)
    with console.working("Reading the export…"):
        export = common.load(settings, files, maps, encoding, delimiter, date_format, decimal_comma, sheet)
        worklist, accounting = renewal_worklist(
            export, window.as_of, thresholds, days=days, reps=rep or (), segments=segment or ()
        )
    common.check_rows(export, accounting, rejects, strict, tell=fmt is not Format.json)
    human = fmt in HUMAN_FORMATS
    common.deliver(render(worklist_document(worklist, window.as_of, days, headline=human), fmt), output)
