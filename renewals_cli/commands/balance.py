"""`renewals balance`: each rep's or partner's share of contracts beside their share of value."""

from typing import Annotated, Literal

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import UsageError
from renewals_cli.names import HUMAN_FORMATS, Format


@app.command(
    epilog=examples(
        "renewals balance export.csv",
        "renewals balance export.csv --by partner --all",
        "renewals balance export.csv --to 2026-12-31 --format csv > balance.csv",
    )
)
@o.shared_options
def balance(
    files: o.Files,
    by: Annotated[str, typer.Option(help="rep or partner (rows without a partner are 'direct').")] = "rep",
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    *,
    period: o.Period,
    tiers: o.Tiers,
    reading: o.Reading,
) -> None:
    """Per rep or partner: share of contracts beside share of value, and the Gini of the value across them.

    Also each group's opportunities per segment and its resolution by count and by value (top-heavy when value runs
    15 points ahead). The window defaults to every row expiring by the end of the fiscal quarter holding the as-of
    date.
    """
    from renewals_cli import console
    from renewals_cli.balance import GROUPS, book_balance
    from renewals_cli.present.balance import balance_document
    from renewals_cli.render import render

    if by not in GROUPS:
        raise UsageError(f"--by {by}: expected one of {', '.join(GROUPS)}")
    grouping: Literal["rep", "partner"] = "rep" if by == "rep" else "partner"
    fmt, settings = common.prepare(files, reading, fmt, output)
    window = common.window(settings, period)
    thresholds = common.thresholds(settings, tiers)
    with console.working("Reading the export…"):
        export = common.load_with(settings, files, reading)
        result = book_balance(export, window, thresholds, by=grouping)
    common.check_accepted(export, result.accounting)
    common.check_rows(export, result.accounting, reading.rejects, reading.strict, tell=fmt is not Format.json)
    document = balance_document(result, window, by, headline=fmt in HUMAN_FORMATS, with_bars=fmt is Format.table)
    common.deliver(render(document, fmt), output)
