"""`renewals forecast`: where the quarter's renewal rate lands, and how far past forecasts were off."""

from typing import Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import UsageError
from renewals_cli.names import HUMAN_FORMATS, QUARTER_GROUPINGS, Format


@app.command(
    epilog=examples(
        "renewals forecast export.csv",
        "renewals forecast export.csv --backtest 4   # the forecast with its error over the last 4 quarters",
        "renewals forecast export.csv --by rep --quarter next --format csv > next-quarter.csv",
        "renewals forecast export.csv --fiscal-year-start 2 --quarter FY2027-Q3 --as-of 2026-08-15",
    )
)
@o.shared_options
def forecast(
    files: o.Files,
    by: Annotated[str, typer.Option(help="overall, rep or segment.")] = "overall",
    quarter: Annotated[
        str,
        typer.Option(
            metavar="current|next|LABEL",
            help="The quarter to forecast: current, next or a label as shown (2026-Q3); not one that has ended "
            "(see --backtest).",
        ),
    ] = "current",
    backtest: Annotated[
        int,
        typer.Option(
            min=0, metavar="N", help="Also forecast each of the last N ended quarters, beside where it landed."
        ),
    ] = 0,
    history: Annotated[
        int, typer.Option(min=1, metavar="N", help="Past quarters to learn from (those before the as-of date's).")
    ] = 4,
    min_cell: Annotated[
        int,
        typer.Option(
            min=1, metavar="N", help="Training rows a cell (segment, days to expiry) needs for its own rates."
        ),
    ] = 20,
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    as_of: o.AsOf = None,
    fiscal_year_start: o.FiscalYearStart = None,
    *,
    tiers: o.Tiers,
    reading: o.Reading,
) -> None:
    """Where the quarter's NRR and GRR land: won so far plus the open renewals at the rates of past quarters."""
    from renewals_cli import console
    from renewals_cli import forecast as core
    from renewals_cli.calendar import quarter_named
    from renewals_cli.present.forecast import forecast_document, why_none
    from renewals_cli.render import render
    from renewals_cli.window import Window

    if by not in QUARTER_GROUPINGS:
        raise UsageError(f"--by {by}: expected one of {', '.join(QUARTER_GROUPINGS)}")
    fmt, settings = common.prepare(files, reading, fmt, output)
    day = common.as_of_date(as_of)
    start_month = common.fiscal_start(settings, fiscal_year_start)
    try:
        target = quarter_named(quarter, day, start_month)
        ended = target.last < day
        forward = core.plan(target, day, history)
        runs = (forward, *core.backtest_plans(forward, backtest))
        for each in runs:
            _ = each.quarter.last, each.snapshots
    except (OverflowError, ValueError):
        raise UsageError(
            "--as-of, --quarter, --history or --backtest reach beyond the calendar (years 1-9999)"
        ) from None
    if ended:
        raise UsageError(
            f"--quarter {quarter}: {target.label} ended before the as-of date {day.isoformat()}; "
            "--backtest N shows how past quarters' forecasts fared"
        )
    thresholds = common.thresholds(settings, tiers)
    with console.working("Reading the export…"):
        export = common.load_with(settings, files, reading)
        rows, accounting = core.read_rows(export, thresholds, runs)
        result = core.forecast(
            rows.lazy(), forward, by=by, min_cell=min_cell, backtest=backtest, targets=settings.targets
        )
    every_row = Window(as_of=day, start_month=start_month)  # the forecast has no window
    common.check_nonempty(export, accounting, accounting.accepted, every_row)
    common.check_rows(export, accounting, reading.rejects, reading.strict, tell=fmt is not Format.json)
    human = fmt in HUMAN_FORMATS
    if not result.learned and fmt in (Format.csv, Format.parquet):  # (people read it in the headline, JSON in facts)
        console.say(f"No forecast: {why_none(result)}")
    document = forecast_document(result, accounting, by, human=human, fiscal_year_start=start_month, min_cell=min_cell)
    common.deliver(render(document, fmt), output)
