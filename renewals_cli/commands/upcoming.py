"""`renewals upcoming`: the worklist of open renewals due soon or past due."""

from typing import Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.names import HUMAN_FORMATS, Format


@app.command(
    epilog=examples(
        "renewals upcoming export.csv",
        "renewals upcoming export.csv --rep 'Ann Lee' --days 90",
        "renewals upcoming export.csv --segment strategic --format csv > strategic-worklist.csv",
    )
)
@o.shared_options
def upcoming(
    files: o.Files,
    days: Annotated[int, typer.Option(min=0, help="Horizon in days after the as-of date.")] = 120,
    rep: o.Rep = None,
    segment: o.Segment = None,
    since: Annotated[
        int | None, typer.Option(min=0, metavar="DAYS", help="Past-due renewals at most this many days overdue.")
    ] = None,
    sort: Annotated[str, typer.Option(metavar="expiry|value", help="By expiry date, or the largest first.")] = "expiry",
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    as_of: o.AsOf = None,
    *,
    tiers: o.Tiers,
    reading: o.Reading,
) -> None:
    """Open opportunities expiring within --days of the as-of date, past-due ones first, with the next action."""
    import polars as pl

    from renewals_cli import console
    from renewals_cli.filters import check_segments, spelled
    from renewals_cli.present.worklist import worklist_document
    from renewals_cli.render import render
    from renewals_cli.report import account_attributes
    from renewals_cli.worklist import due, listed

    fmt, settings = common.prepare(files, reading, fmt, output)
    day = common.as_of_date(as_of)
    thresholds = common.thresholds(settings, tiers)
    with console.working("Reading the export…"):
        export = common.load_with(settings, files, reading)
        # Every accepted row counts for an account's segment and CSM here, not only the window's.
        accounting, (found, accounts, reps) = export.read(
            lambda rows: [
                due(rows, as_of=day, days=days, since=since),
                account_attributes(rows, thresholds),
                rows.select(pl.col("rep").unique()),
            ]
        )
        chosen = spelled("--rep", rep or (), reps["rep"].to_list())
        if chosen:
            found = found.filter(pl.col("rep").is_in(chosen))
        listing = listed(
            found.lazy(),
            accounts.lazy(),
            segments=check_segments(segment or ()),
            with_opportunity_id=export.has("opportunity_id"),
            sort=sort,
            extra=("stage", "csm"),
        )
        worklist = listing.collect()
        if len(chosen) == 1:  # the rep's own list: the rep column would say the same on every row
            worklist = worklist.drop("rep")
    common.check_accepted(export, accounting)
    common.check_rows(export, accounting, reading.rejects, reading.strict, tell=fmt is not Format.json)
    human = fmt in HUMAN_FORMATS
    document = worklist_document(worklist, day, days, headline=human, since=since, largest_first=sort == "value")
    common.deliver(render(document, fmt), output)
