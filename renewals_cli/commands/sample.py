"""`renewals sample`: a realistic synthetic CRM export."""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from renewals_cli.commands import options as o
from renewals_cli.commands.app import app, examples
from renewals_cli.errors import UsageError

STYLES = ("canonical", "salesforce", "hubspot")  # renewals_cli.sample.STYLES, without importing Polars for --help


@app.command(
    epilog=examples(
        "renewals sample demo.csv --rows 5000",
        "renewals sample big.parquet --rows 5000000 --seed 7",
        "renewals sample --style salesforce | head",
    )
)
def sample(
    path: Annotated[Path | None, typer.Argument(help="A .csv or .parquet file (default: CSV on stdout).")] = None,
    rows: Annotated[int, typer.Option(min=0, help="How many opportunities.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same export.")] = 0,
    style: Annotated[str, typer.Option(help=f"Headers and renderings: {', '.join(STYLES)}.")] = "canonical",
    as_of: o.AsOf = None,
    debug: o.Debug = False,
    quiet: o.Quiet = False,
) -> None:
    """Write a realistic synthetic CRM renewal export, for demos, tests and benchmarks."""
    from renewals_cli import console
    from renewals_cli import sample as generator

    if style not in generator.STYLES:
        raise UsageError(f"--style {style}: expected one of {', '.join(generator.STYLES)}")
    day = as_of.date() if as_of else dt.date.today()
    if path is None:
        console.emit(generator.generate(rows, seed=seed, style=style, as_of=day).write_csv())
        return
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise UsageError(f"{path}: the sample is written as .csv or .parquet")
    frame = generator.generate(rows, seed=seed, style=style, as_of=day)
    console.write_atomically(path, generator.writer(frame, path), said=f"Wrote {rows:,} opportunities to {path}")
