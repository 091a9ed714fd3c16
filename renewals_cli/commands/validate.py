"""`renewals validate`: how columns were mapped, and which rows were rejected and why."""

from typing import Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import ExitCode
from renewals_cli.names import Format, ValidationFormat


@app.command(epilog=examples("renewals validate export.csv", "renewals validate export.csv --rejects rejects.csv"))
def validate(
    files: o.Files,
    fmt: Annotated[ValidationFormat, typer.Option("--format", "-f", help="Output format.")] = ValidationFormat.table,
    config: o.Config = None,
    maps: o.MapOption = None,
    encoding: o.Encoding = None,
    delimiter: o.Delimiter = None,
    sheet: o.Sheet = None,
    date_format: o.DateFormat = None,
    decimal_comma: o.DecimalComma = None,
    rejects: o.Rejects = None,
    debug: o.Debug = False,
    quiet: o.Quiet = False,
) -> None:
    """How each column was mapped, and rows read, accepted and rejected with reasons; exit 1 on any rejection."""
    from renewals_cli import console, outputs
    from renewals_cli.present.validation import validation_document
    from renewals_cli.render import render

    outputs.check_outputs([*files, config or outputs.DEFAULT_CONFIG], {"--rejects": rejects})
    with console.working("Reading the export…"):
        export = common.load(common.config(config), files, maps, encoding, delimiter, date_format, decimal_comma, sheet)
        accounting, _ = export.read()
    common.check_rows(export, accounting, rejects, strict=False, tell=False)
    console.emit(render(validation_document(export, accounting), Format(fmt.value)))
    if accounting.rejected:
        raise typer.Exit(ExitCode.DATA_ERROR)
