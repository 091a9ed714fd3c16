"""`renewals validate`: how columns were mapped, and which rows were rejected and why."""

from typing import Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import ExitCode, UsageError
from renewals_cli.names import Format


@app.command(epilog=examples("renewals validate export.csv", "renewals validate export.csv --rejects rejects.csv"))
def validate(
    files: o.Files,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json or markdown.")] = Format.table,
    config: o.Config = None,
    maps: o.MapOption = None,
    encoding: o.Encoding = None,
    delimiter: o.Delimiter = None,
    sheet: o.Sheet = None,
    date_format: o.DateFormat = None,
    decimal_comma: o.DecimalComma = None,
    rejects: o.Rejects = None,
    debug: o.Debug = False,
) -> None:
    """How each column was mapped, and rows read, accepted and rejected with reasons; exit 1 on any rejection."""
    from renewals_cli import console
    from renewals_cli.documents import validation_document
    from renewals_cli.render import render
    from renewals_cli.report import count_rows

    if fmt not in (Format.table, Format.json, Format.markdown):
        raise UsageError(f"--format {fmt}: validate writes table, json or markdown")
    with console.working("Reading the export…"):
        settings = common.config(config)
        export = common.load(settings, files, maps, encoding, delimiter, date_format, decimal_comma, sheet)
        accounting = count_rows(export)
    common.check_rows(export, accounting, rejects, strict=False, tell=False)
    console.emit(render(validation_document(export, accounting), fmt))
    if accounting.rejected:
        raise typer.Exit(ExitCode.DATA_ERROR)
