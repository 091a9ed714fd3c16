"""`renewals journey`: the CSM touchpoints due in the next days."""

from typing import Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.names import HUMAN_FORMATS, Format

TOUCHPOINT_NAMES = "welcome, day_30, day_60, month_6, quote_120, renewal_90"
# Formats people read top to bottom: one table per owner, so that each CSM finds their own week.
BY_OWNER = frozenset({Format.table, Format.markdown, Format.html})


@app.command(
    epilog=examples(
        "renewals journey export.csv",
        "renewals journey export.csv --owner 'Ann Lee' --days 7",
        "renewals journey export.csv --touchpoint welcome --touchpoint day_30 --format csv > onboarding.csv",
    )
)
@o.shared_options
def journey(
    files: o.Files,
    days: Annotated[int, typer.Option(min=0, help="Horizon in days after the as-of date (0: today only).")] = 14,
    owner: Annotated[list[str] | None, typer.Option(help="Only this owner: CSM or rep (repeat for several).")] = None,
    segment: o.Segment = None,
    touchpoint: Annotated[
        list[str] | None, typer.Option(help=f"Only this touchpoint: {TOUCHPOINT_NAMES} (repeat for several).")
    ] = None,
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    as_of: o.AsOf = None,
    *,
    tiers: o.Tiers,
    reading: o.Reading,
) -> None:
    """CSM touchpoints due from the as-of date to --days after it, per owner.

    Welcome, day 30, day 60 and month 6 after an account's start date; the quote (120 days) and the renewal call
    (90 days) before each open renewal.
    """
    from renewals_cli import console
    from renewals_cli.journey import Filters, check_filters
    from renewals_cli.journey import journey as read_journey
    from renewals_cli.present.journey import journey_document, without_start_message
    from renewals_cli.render import render

    filters = Filters(owners=owner or (), segments=segment or (), touchpoints=touchpoint or ())
    check_filters(filters)
    fmt, settings = common.prepare(files, reading, fmt, output)
    day = common.as_of_date(as_of)
    thresholds = common.thresholds(settings, tiers)
    with console.working("Reading the export…"):
        export = common.load_with(settings, files, reading)
        result = read_journey(export, thresholds, as_of=day, days=days, filters=filters)
    common.check_accepted(export, result.accounting)
    common.check_rows(export, result.accounting, reading.rejects, reading.strict, tell=fmt is not Format.json)
    message = without_start_message(result.without_start, has_column=export.has("start_date"))
    if message:
        console.say(message)
    document = journey_document(result, day, days, by_owner=fmt in BY_OWNER, headline=fmt in HUMAN_FORMATS)
    common.deliver(render(document, fmt), output)
