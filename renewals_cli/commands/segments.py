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
@o.shared_options
def segments(
    files: o.Files,
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    *,
    period: o.Period,
    tiers: o.Tiers,
    reading: o.Reading,
) -> None:
    """One row per account: account ARR, segment (strategic, enterprise, smb), reps, opportunities."""
    from renewals_cli import console
    from renewals_cli.present.segments import segments_document
    from renewals_cli.render import render
    from renewals_cli.segments import account_table
    from renewals_cli.window import within

    fmt, settings = common.prepare(files, reading, fmt, output)
    window = common.window(settings, period)
    thresholds = common.thresholds(settings, tiers)
    with console.working("Reading the export…"):
        export = common.load_with(settings, files, reading)
        accounting, (accounts,) = export.read(lambda rows: [account_table(rows.filter(within(window)), thresholds)])
    common.check_accepted(export, accounting)
    common.check_rows(export, accounting, reading.rejects, reading.strict, tell=fmt is not Format.json)
    common.deliver(render(segments_document(accounts, window, summary=fmt in HUMAN_FORMATS), fmt), output)
