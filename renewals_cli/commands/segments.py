"""`renewals segments`: one row per account with its ARR and segment."""

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.names import HUMAN_FORMATS, Format


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
    every_row: o.AllRows = False,
    as_of: o.AsOf = None,
    fiscal_year_start: o.FiscalYearStart = None,
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
    quiet: o.Quiet = False,
) -> None:
    """One row per account: account ARR, segment (strategic, enterprise, smb), reps, opportunities."""
    from renewals_cli import console, outputs
    from renewals_cli.present.segments import segments_document
    from renewals_cli.render import render
    from renewals_cli.segments import account_table
    from renewals_cli.window import within

    outputs.check_outputs([*files, config or outputs.DEFAULT_CONFIG], {"--output": output, "--rejects": rejects})
    fmt = common.output_format(fmt, output)
    settings = common.config(config)
    start_month = common.fiscal_start(settings, fiscal_year_start)
    window = common.window(start, end, as_of, quarter, every_row=every_row, start_month=start_month)
    thresholds = common.thresholds(settings, strategic_arr, smb_arr)
    with console.working("Reading the export…"):
        export = common.load(settings, files, maps, encoding, delimiter, date_format, decimal_comma, sheet)
        accounting, (accounts,) = export.read(lambda rows: [account_table(rows.filter(within(window)), thresholds)])
    common.check_accepted(export, accounting)
    common.check_rows(export, accounting, rejects, strict, tell=fmt is not Format.json)
    common.deliver(render(segments_document(accounts, window, summary=fmt in HUMAN_FORMATS), fmt), output)
