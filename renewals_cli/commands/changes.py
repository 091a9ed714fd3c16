"""`renewals changes OLD NEW`: what moved a quarter's open renewal pipeline between two exports."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import RejectedRowsError, UsageError
from renewals_cli.names import HUMAN_FORMATS, QUARTER_GROUPINGS, Format

if TYPE_CHECKING:
    from renewals_cli.changes import Changes
    from renewals_cli.load.export import Export


@app.command(
    epilog=examples(
        "renewals changes last-week.csv this-week.csv",
        "renewals changes last-week.csv this-week.csv --by segment --quarter next",
        "renewals changes old.csv new.csv --details --format csv > moved.csv   # every moved opportunity",
        "renewals changes old.csv new.csv --by rep -o bridge.xlsx",
    )
)
@o.shared_options
def changes(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The earlier export (CSV or Parquet, or a glob).")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The later export of the same CRM report.")],
    by: Annotated[
        str | None, typer.Option(help="overall, rep or segment (default: rep, or overall for csv, json and parquet).")
    ] = None,
    quarter: o.Quarter = None,
    details: Annotated[
        bool, typer.Option("--details", help="Also list every moved opportunity (the only table in csv/parquet).")
    ] = False,
    fmt: o.FormatOption = None,
    output: o.OutputPath = None,
    as_of: o.AsOf = None,
    fiscal_year_start: o.FiscalYearStart = None,
    *,
    tiers: o.Tiers,
    reading: o.Reading,
) -> None:
    """The bridge of a quarter's open renewal pipeline from OLD to NEW, matched by opportunity_id: won, lost,
    slipped, pulled in, new, removed, reassigned, re-priced."""
    from renewals_cli import console
    from renewals_cli.calendar import quarter_named
    from renewals_cli.changes import compare_exports
    from renewals_cli.present.changes import changes_document, team_totals, terminal
    from renewals_cli.render import render

    if by is not None and by not in QUARTER_GROUPINGS:
        raise UsageError(f"--by {by}: expected one of {', '.join(QUARTER_GROUPINGS)}")
    fmt, settings = common.prepare([old, new], reading, fmt, output)
    day = common.as_of_date(as_of)
    chosen = quarter_named(quarter or "current", day, common.fiscal_start(settings, fiscal_year_start))
    thresholds = common.thresholds(settings, tiers)
    human = fmt in HUMAN_FORMATS
    grouping = by or ("rep" if human else "overall")
    with console.working("Reading the exports…"):
        older = common.load_with(settings, [old], reading)
        newer = common.load_with(settings, [new], reading)
        result = compare_exports(older, newer, chosen, grouping, thresholds, with_details=details)
    _check_rows([older, newer], result, reading.rejects, reading.strict, tell=fmt is not Format.json)
    document = changes_document(result, old, new, day, headline=human, details_first=not human)
    if fmt is Format.table:
        common.deliver(terminal(document, team_totals(result.bridge)), output)
    else:
        common.deliver(render(document, fmt), output)


def _check_rows(exports: list["Export"], result: "Changes", rejects: Path | None, strict: bool, tell: bool) -> None:
    """Write --rejects (both exports' rejected rows, each with its source file), tell both row accountings on
    stderr, and fail under --strict."""
    import polars as pl

    from renewals_cli import console
    from renewals_cli.load.export import rejected_rows
    from renewals_cli.present.changes import rows_text
    from renewals_cli.render.csv import neutralise

    if rejects is not None:
        frames = [rejected_rows(export) for export in exports]
        console.write_atomically(rejects, neutralise(pl.concat(frames, how="diagonal_relaxed")).write_csv())
    rejected = result.old.rejected + result.new.rejected
    if tell:
        sides = zip(("OLD", "NEW"), exports, (result.old, result.new), result.without_id, strict=True)
        for side, export, accounting, without_id in sides:
            hint = " (--rejects PATH lists them)" if accounting.rejected and rejects is None else ""
            console.say(f"Rows in {side} {export.names}: {rows_text(accounting, without_id)}{hint}")
    if strict and rejected:
        raise RejectedRowsError(
            f"{rejected:,} rows rejected under --strict ({result.old.rejected:,} in OLD, "
            f"{result.new.rejected:,} in NEW)"
        )
