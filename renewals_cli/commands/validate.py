"""`renewals validate`: how columns were mapped, and which rows were rejected and why."""

from typing import Annotated

import typer

from renewals_cli.commands import common
from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import ExitCode
from renewals_cli.names import Format, ValidationFormat


@app.command(epilog=examples("renewals validate export.csv", "renewals validate export.csv --rejects rejects.csv"))
@o.shared_options
def validate(
    files: o.Files,
    fmt: Annotated[ValidationFormat, typer.Option("--format", "-f", help="Output format.")] = ValidationFormat.table,
    *,
    reading: o.Reading,
) -> None:
    """How each column was mapped, and rows read, accepted and rejected with reasons; exit 1 on any rejection."""
    from renewals_cli import console
    from renewals_cli.present.validation import validation_document
    from renewals_cli.render import render

    common.check_outputs(files, reading)
    with console.working("Reading the export…"):
        export = common.load_with(common.config(reading.config), files, reading)
        accounting, _ = export.read()
    common.check_rows(export, accounting, reading.rejects, strict=False, tell=False)
    console.emit(render(validation_document(export, accounting), Format(fmt.value)))
    if accounting.rejected:
        raise typer.Exit(ExitCode.DATA_ERROR)
