"""Options shared by several commands, declared once."""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from renewals_cli.names import Format

Files = Annotated[
    list[str],
    typer.Argument(
        metavar="FILE",
        help="CSV, Parquet or Excel exports (.csv.gz and a .zip of one CSV too), globs such as 'exports/*.csv', "
        "or - for standard input.",
    ),
]
Config = Annotated[Path | None, typer.Option("--config", help="Settings file (default: ./renewals.toml if present).")]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", metavar="CANONICAL=HEADER", help="Read a canonical column from HEADER."),
]
Encoding = Annotated[str | None, typer.Option(help="Text encoding (a Python codec name); detected by default.")]
Delimiter = Annotated[str | None, typer.Option(help="CSV delimiter: one character or 'tab'; detected by default.")]
Sheet = Annotated[str | None, typer.Option(help="Sheet of an Excel workbook to read (default: the first).")]
DateFormat = Annotated[str | None, typer.Option(help="strftime layout of non-ISO dates, e.g. %d/%m/%Y.")]
DecimalComma = Annotated[bool | None, typer.Option("--decimal-comma", help="Amounts are written 1.234,50.")]
From = Annotated[
    dt.datetime | None,
    typer.Option("--from", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Window start on expiry date, inclusive."),
]
To = Annotated[
    dt.datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Window end on expiry date, inclusive."),
]
Quarter = Annotated[
    str | None,
    typer.Option(
        metavar="current|previous|next|LABEL",
        help="One fiscal quarter of expiry dates, as labels show it (2026-Q3, or FY2027-Q1 with a fiscal start).",
    ),
]
FiscalYearStart = Annotated[
    int | None,
    typer.Option(
        "--fiscal-year-start",
        metavar="MONTH",
        help="First month of the fiscal year, 1-12 (default 1, or fiscal_year_start in renewals.toml).",
    ),
]
Currency = Annotated[
    str | None,
    typer.Option(help="Currency of the amounts in the workbook, e.g. USD (default: currency in renewals.toml)."),
]
AsOf = Annotated[
    dt.datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="The as-of date (default: today)."),
]
StrategicArr = Annotated[
    str | None, typer.Option(help="Account ARR from which an account is strategic (default 500000).")
]
SmbArr = Annotated[
    str | None, typer.Option(help="Account ARR from which an account is enterprise, not SMB (default 200000).")
]
OutputPath = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, atomically.")]
FormatOption = Annotated[
    Format | None,
    typer.Option("--format", "-f", help="Output format (default: table, or from the --output suffix)."),
]
Rejects = Annotated[Path | None, typer.Option(help="Write every rejected row, with its reject_reason, as CSV.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 when any row is rejected.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]
