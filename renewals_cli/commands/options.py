"""Options shared by several commands, declared once."""

import datetime as dt
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

import typer

from renewals_cli import console
from renewals_cli.names import Format

# The as-of dates an option may name: the quarters around any of them are still in the calendar.
FIRST_DAY, LAST_DAY = dt.date(2, 1, 1), dt.date(9998, 12, 31)


def in_calendar(value: dt.datetime | None) -> dt.datetime | None:
    """An as-of date, or a usage error when it is too near the calendar's ends to reckon its quarter and the
    quarters either side (`--as-of 9999-12-31`: the quarter after it is in no calendar)."""
    if value is not None and not FIRST_DAY <= value.date() <= LAST_DAY:
        raise typer.BadParameter(f"{value.date()} is outside the calendar (expected {FIRST_DAY} to {LAST_DAY})")
    return value


Files = Annotated[
    list[str],
    typer.Argument(
        metavar="FILE...",
        help="CSV, Parquet or Excel exports (.csv.gz and a .zip of one CSV too), globs such as 'exports/*.csv', "
        "or - for standard input.",
    ),
]
Config = Annotated[Path | None, typer.Option("--config", help="Settings file (default: ./renewals.toml if present).")]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", metavar="CANONICAL=HEADER", help="Read a canonical column from HEADER."),
]


def text_encoding(name: str | None) -> str | None:
    """`--encoding`: a codec that reads text (a usage error for `rot13` or `base64`, codecs of something else)."""
    from renewals_cli.config import encoding_problem

    problem = None if name is None else encoding_problem(name)
    if problem:
        raise typer.BadParameter(f"{name}: {problem}")
    return name


Encoding = Annotated[
    str | None,
    typer.Option(callback=text_encoding, help="Text encoding (a Python codec name); detected by default."),
]
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
AllRows = Annotated[
    bool,
    typer.Option(
        "--all", help="Every row, not only those expiring by the end of the quarter that holds the as-of date."
    ),
]
AsOf = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        callback=in_calendar,
        metavar="YYYY-MM-DD",
        help="The as-of date (default: today).",
    ),
]
StrategicArr = Annotated[
    str | None,
    typer.Option(
        metavar="AMOUNT",
        help="Account ARR from which an account is strategic: an amount such as 750k (default 500,000).",
    ),
]
SmbArr = Annotated[
    str | None,
    typer.Option(
        metavar="AMOUNT", help="Account ARR from which an account is enterprise, not SMB: an amount (default 200,000)."
    ),
]
OutputPath = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, atomically.")]
OutputPaths = Annotated[
    list[Path] | None,
    typer.Option(
        "--output", "-o", help="Write to this file, atomically; repeat for several (-o weekly.html -o weekly.xlsx)."
    ),
]
FormatOption = Annotated[
    Format | None,
    typer.Option("--format", "-f", help="Output format (default: table, or from the --output suffix)."),
]
Rejects = Annotated[Path | None, typer.Option(help="Write every rejected row, with its reject_reason, as CSV.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 when any row is rejected.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]
Rep = Annotated[list[str] | None, typer.Option("--rep", metavar="NAME", help="Only this rep (repeat for several).")]
Segment = Annotated[
    list[str] | None,
    typer.Option("--segment", metavar="SEGMENT", help="Only this segment: strategic, enterprise, smb (repeatable)."),
]
Csm = Annotated[
    list[str] | None,
    typer.Option("--csm", metavar="NAME", help="Only the accounts of this CSM, or unassigned (repeatable)."),
]
Partner = Annotated[
    list[str] | None,
    typer.Option("--partner", metavar="NAME", help="Only this partner, or direct (repeat for several)."),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        callback=console.set_quiet,
        help="Nothing on stderr but errors, warnings, rejected rows and missed targets (for cron).",
    ),
]


@dataclass(frozen=True)
class Reading:
    """How a command reads its exports and tells about their rows: the options every reading command shares."""

    config: Path | None = None
    maps: list[str] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    date_format: str | None = None
    decimal_comma: bool | None = None
    rejects: Path | None = None
    strict: bool = False


@dataclass(frozen=True)
class Period:
    """Which renewals a command counts, by expiry date (--from/--to, --quarter, --all), as of which date, in
    which fiscal calendar: as the options give them (see `common.window`)."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    quarter: str | None = None
    every_row: bool = False
    as_of: dt.datetime | None = None
    fiscal_year_start: int | None = None


@dataclass(frozen=True)
class Tiers:
    """The account ARR from which an account is strategic, and enterprise, as the options give them (see
    `common.thresholds`)."""

    strategic_arr: str | None = None
    smb_arr: str | None = None


# Each group's options, in the order `--help` lists them after a command's own (`--debug` and `--quiet` act
# through the error boundary and the console: a command only declares them).
GROUPS: dict[type, dict[str, tuple[Any, Any]]] = {
    Period: {
        "start": (From, None),
        "end": (To, None),
        "quarter": (Quarter, None),
        "every_row": (AllRows, False),
        "as_of": (AsOf, None),
        "fiscal_year_start": (FiscalYearStart, None),
    },
    Tiers: {"strategic_arr": (StrategicArr, None), "smb_arr": (SmbArr, None)},
    Reading: {
        "config": (Config, None),
        "maps": (MapOption, None),
        "encoding": (Encoding, None),
        "delimiter": (Delimiter, None),
        "sheet": (Sheet, None),
        "date_format": (DateFormat, None),
        "decimal_comma": (DecimalComma, None),
        "rejects": (Rejects, None),
        "strict": (Strict, False),
        "debug": (Debug, False),
        "quiet": (Quiet, False),
    },
}


def shared_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the options of each group its keyword-only parameters name (`reading: Reading`, `period:
    Period`, `tiers: Tiers`), declared once here and handed to it as one frozen object per group."""
    signature = inspect.signature(command)
    groups = {
        name: parameter.annotation
        for name, parameter in signature.parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.annotation in GROUPS
    }
    own = [parameter for name, parameter in signature.parameters.items() if name not in groups]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        for group in groups.values()
        for name, (annotation, default) in GROUPS[group].items()
    ]

    @functools.wraps(command)
    def with_options(**options: Any) -> None:
        given = {name: options.pop(name) for group in groups.values() for name in GROUPS[group]}
        handed = {name: group(**{f.name: given[f.name] for f in fields(group)}) for name, group in groups.items()}
        command(**options, **handed)

    with_options.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
    with_options.__annotations__ = {p.name: p.annotation for p in (*own, *shared)} | {"return": None}
    return with_options
