"""`renewals segments`: one row per account with its ARR and segment."""

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.names import Format


@app.command(
    epilog=examples(
        "renewals segments export.csv",
        "renewals segments export.csv --strategic-arr 1M --format csv > accounts.csv",
    )
)
def segments(
    files: o.Files,
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    start: o.From = None,
    end: o.To = None,
    quarter: o.Quarter = None,
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
    """One row per account: account ARR, segment (strategic, enterprise, smb), reps, opportunities."""
    from renewals_cli import console
    from renewals_cli.documents import segments_document
    from renewals_cli.render import render
    from renewals_cli.report import account_segments

    fmt = common.output_format(fmt, output)
    settings = common.config(config)
    window = common.window(start, end, None, quarter)
    thresholds = common.thresholds(settings, strategic_arr, smb_arr)
    with console.working("Reading the export…"):
        export = common.load(settings, files, maps, encoding, delimiter, date_format, decimal_comma, sheet)
        accounts, accounting = account_segments(export, window, thresholds)
    common.check_rows(export, accounting, rejects, strict, tell=fmt is not Format.json)
    common.deliver(render(segments_document(accounts, window), fmt), output)
