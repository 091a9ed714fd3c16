"""`renewals report`: KPIs per segment, rep and batch."""

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import ExitCode, UsageError
from renewals_cli.names import GROUPINGS, HUMAN_FORMATS, Format

if TYPE_CHECKING:
    from renewals_cli.forecast import Forecast
    from renewals_cli.load.export import Export, Held
    from renewals_cli.segments import Thresholds
    from renewals_cli.targets import Targets
    from renewals_cli.window import Window

HUMAN_GROUPINGS = ["overall", "segment", "rep", "batch"]


@app.command(
    epilog=examples(
        "renewals report export.csv",
        "renewals report export.csv --by rep --format csv > reps.csv",
        "renewals report 'exports/*.csv' --quarter previous -o last-quarter.json",
        "renewals report export.csv -o weekly.md --fail-under   # exit 3 when a target in renewals.toml is missed",
    )
)
@o.shared_options
def report(
    files: o.Files,
    by: Annotated[str | None, typer.Option(help=f"One grouping: {', '.join(GROUPINGS)}.")] = None,
    fmt: o.FormatOption = None,
    output: o.OutputPaths = None,
    rep: o.Rep = None,
    segment: o.Segment = None,
    csm: o.Csm = None,
    partner: o.Partner = None,
    compare_with: Annotated[
        Path | None,
        typer.Option("--compare", metavar="OLD", help="An earlier export: each KPI beside its value there."),
    ] = None,
    compare_as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--compare-as-of",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="The as-of date of the earlier export (default: 7 days before the as-of date).",
        ),
    ] = None,
    currency: o.Currency = None,
    with_forecast: Annotated[
        bool,
        typer.Option(
            "--forecast/--no-forecast",
            help="People's formats end with where the quarter lands (renewals forecast: overall and per rep).",
        ),
    ] = True,
    fail_under: Annotated[
        bool, typer.Option("--fail-under", help="Exit 3 when a KPI misses a target of renewals.toml.")
    ] = False,
    *,
    period: o.Period,
    tiers: o.Tiers,
    reading: o.Reading,
) -> None:
    """Renewal KPIs per segment, rep and batch: resolution x close x conversion, GRR/NRR, retention."""
    from renewals_cli import console, parts
    from renewals_cli.filters import Filters
    from renewals_cli.present.common import accounting_text, plural, zero_prior_text
    from renewals_cli.present.report import report_document
    from renewals_cli.render import render
    from renewals_cli.report import READ_COLUMNS, build_report
    from renewals_cli.targets import misses

    if by is not None and by not in GROUPINGS:
        raise UsageError(f"--by {by}: expected one of {', '.join(GROUPINGS)}")
    common.check_outputs([*files, compare_with], reading, output or [])
    deliveries = common.deliveries(fmt, output)
    settings = common.config(reading.config)
    if fail_under and not settings.targets:
        raise UsageError("--fail-under needs [targets] in renewals.toml (or --config PATH)")
    window = common.window(settings, period)
    thresholds = common.thresholds(settings, tiers)
    human = any(each in HUMAN_FORMATS for each, _ in deliveries)
    with console.working("Reading the export…"):
        export = common.load_with(settings, files, reading)
        asked = Filters(tuple(rep or ()), tuple(segment or ()), tuple(csm or ()), tuple(partner or ()))
        _, selected = common.selection(export, window, thresholds, asked)
        # People see the segment, rep and batch tables, and the partner table when the export names partners;
        # machine formats carry one grouping.
        partners = ["partner"] if export.has("partner") else []
        shown_to_people = ([by] if by else [*HUMAN_GROUPINGS, *partners]) if human else []
        shown_to_machines = [by] if by else ["overall"]
        shown = {*shown_to_people, *(["overall"] if human else []), *shown_to_machines}
        checked = ["overall", "segment", "rep"] if settings.targets else []
        wanted = sorted({*shown, *checked}, key=GROUPINGS.index)
        # The report and the forecast read the same rows, held in memory once. An export large enough to be read
        # in parts is not held, and the forecast (which holds the rows of nine quarters) is left to its command.
        whole = parts.count(export) == 1
        forecasting = human and with_forecast and whole
        if human and with_forecast and not whole:
            console.say("Forecast left out: the export is too large to hold its quarters' rows; run renewals forecast")
        source = export.hold(READ_COLUMNS) if forecasting else export
        churn = human and export.has("churn_reason")
        result = build_report(source, window, thresholds, wanted, selected, churn=churn)
        previous = None
        if compare_with is not None:
            old_export = common.load_with(settings, [str(compare_with)], reading)
            earlier = compare_as_of.date() if compare_as_of else window.as_of - dt.timedelta(days=7)
            previous = build_report(old_export, replace(window, as_of=earlier), thresholds, wanted, selected)
        outlook = weekly_forecast(source, window, thresholds, settings.targets) if forecasting else None
    common.check_nonempty(export, result.accounting, result.in_window, window)
    if previous is not None:
        console.say(f"Rows in {compare_with} (compared with): {accounting_text(previous.accounting)}")
    common.check_rows(
        export,
        result.accounting,
        reading.rejects,
        reading.strict,
        tell=any(f is not Format.json for f, _ in deliveries),
    )
    if result.zero_prior:
        console.warn(f"Warning: {zero_prior_text(result.zero_prior, result.in_window)}")
    for each, path in deliveries:
        for_people = each in HUMAN_FORMATS
        sections = shown_to_people if for_people else shown_to_machines
        document = report_document(
            result,
            sections,
            headline=for_people,
            targets=settings.targets,
            previous=previous,
            outlook=outlook if for_people else None,
        )
        document = replace(document, currency=currency or settings.currency)
        common.deliver(render(document, each), path)
    if fail_under:
        # Every cell shown below its target counts, in whichever table it is.
        missed = [miss for g in result.tables for _, miss in misses(result.tables[g], g, settings.targets)]
        for miss in missed:
            console.warn(f"Missed target: {miss}")
        if missed:
            console.warn(f"{plural(len(missed), 'target', 'targets')} missed: exit {int(ExitCode.TARGET_MISSED)}")
            raise typer.Exit(ExitCode.TARGET_MISSED)


BACKTESTED_QUARTERS = 4  # how many past quarters the weekly report's forecast band is measured over


def weekly_forecast(
    export: "Export | Held", window: "Window", thresholds: "Thresholds", targets: "Targets"
) -> "Forecast":
    """The forecast of the quarter holding the as-of date, per rep, with its backtest (`renewals forecast`)."""
    from renewals_cli import forecast as core
    from renewals_cli.calendar import Quarter

    forward = core.plan(Quarter.of(window.as_of, window.start_month), window.as_of)
    runs = (forward, *core.backtest_plans(forward, BACKTESTED_QUARTERS))
    rows, _ = core.read_rows(export, thresholds, runs)
    return core.forecast(rows.lazy(), forward, by="rep", backtest=BACKTESTED_QUARTERS, targets=targets)
