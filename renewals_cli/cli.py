"""The `renewals` command: each command parses options, calls the core, renders, and maps errors to exit codes."""

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from renewals_cli import console
from renewals_cli.errors import ExitCode, RejectedRowsError, RenewalsError, UsageError
from renewals_cli.kpis import GROUPINGS, Window
from renewals_cli.load.columns import CANONICAL
from renewals_cli.load.export import Export, LoadOptions, RowAccounting, load_export, rejected_rows
from renewals_cli.load.validate import ParseOptions
from renewals_cli.render import Format, Output, render
from renewals_cli.render.csv import neutralise
from renewals_cli.segments import Thresholds

EXIT_CODES = "Exit codes: 0 success, 1 data or file error, 2 usage error, 3 missed target, 130 interrupted."

app = typer.Typer(
    name="renewals",
    help=f"Renewal performance reports from CRM exports (CSV or Parquet).\n\n{EXIT_CODES}",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # a traceback with locals would print customer rows
    add_completion=False,
)

# ------------------------------------------------------------------------------------------- options

Files = Annotated[
    list[str],
    typer.Argument(metavar="FILE...", help="CSV or Parquet exports, or globs such as 'exports/*.csv'."),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", metavar="CANONICAL=HEADER", help="Read a canonical column from HEADER."),
]
Encoding = Annotated[str | None, typer.Option(help="Text encoding (a Python codec name); detected by default.")]
Delimiter = Annotated[str | None, typer.Option(help="CSV delimiter: one character or 'tab'; detected by default.")]
DateFormat = Annotated[str | None, typer.Option(help="strftime layout of non-ISO dates, e.g. %d/%m/%Y.")]
DecimalComma = Annotated[bool, typer.Option("--decimal-comma", help="Amounts are written 1.234,50.")]
From = Annotated[
    dt.datetime | None,
    typer.Option("--from", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Window start on expiry date, inclusive."),
]
To = Annotated[
    dt.datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="Window end on expiry date, inclusive."),
]
AsOf = Annotated[
    dt.datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help="The as-of date [default: today]."),
]
StrategicArr = Annotated[str, typer.Option(help="Account ARR from which an account is strategic.")]
SmbArr = Annotated[str, typer.Option(help="Account ARR from which an account is enterprise rather than SMB.")]
OutputPath = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file, atomically.")]
FormatOption = Annotated[
    Format | None,
    typer.Option("--format", "-f", help="Output format [default: table, or from the --output suffix]."),
]
Rejects = Annotated[Path | None, typer.Option(help="Write every rejected row, with its reject_reason, as CSV.")]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 when any row is rejected.")]
Debug = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]

SUFFIX_FORMATS = {
    ".csv": Format.csv,
    ".json": Format.json,
    ".md": Format.markdown,
    ".parquet": Format.parquet,
}


# ------------------------------------------------------------------------------------------- helpers


def _load(
    files: list[str],
    maps: list[str] | None,
    encoding: str | None,
    delimiter: str | None,
    date_format: str | None,
    decimal_comma: bool,
) -> Export:
    column_map: dict[str, str] = {}
    for item in maps or []:
        canonical, sep, header = (part.strip() for part in item.partition("="))
        if not sep or canonical not in CANONICAL or not header:
            raise UsageError(f"--map {item}: expected CANONICAL=HEADER, CANONICAL one of {', '.join(CANONICAL)}")
        column_map[canonical] = header
    parse = ParseOptions(date_format=date_format, decimal_comma=decimal_comma)
    return load_export(files, LoadOptions(column_map=column_map, encoding=encoding, delimiter=delimiter, parse=parse))


def _window(start: dt.datetime | None, end: dt.datetime | None, as_of: dt.datetime | None) -> Window:
    if start and end and start > end:
        raise UsageError(f"--from {start.date()} is after --to {end.date()}")
    return Window(
        as_of=as_of.date() if as_of else dt.date.today(),
        start=start.date() if start else None,
        end=end.date() if end else None,
    )


def _amount(option: str, text: str) -> float:
    import polars as pl

    from renewals_cli.load.values import money

    value = pl.select(money(pl.lit(text, dtype=pl.String))).item()
    if value is None or value < 0:
        raise UsageError(f"{option} {text}: expected an amount such as 500000 or 500k")
    return float(value)


def _thresholds(strategic_arr: str, smb_arr: str) -> Thresholds:
    thresholds = Thresholds(_amount("--strategic-arr", strategic_arr), _amount("--smb-arr", smb_arr))
    if thresholds.smb_arr > thresholds.strategic_arr:
        raise UsageError("--smb-arr must not be above --strategic-arr")
    return thresholds


def _format(fmt: Format | None, output: Path | None) -> Format:
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower(), Format.table) if output else Format.table
    if fmt is Format.parquet and output is None:
        raise UsageError("--format parquet needs --output PATH")
    return fmt


def _check_rows(export: Export, accounting: RowAccounting, rejects: Path | None, strict: bool, tell: bool) -> None:
    """Write --rejects, tell the row accounting on stderr, and fail under --strict."""
    from renewals_cli.documents import accounting_text

    if rejects is not None:
        console.write_atomically(rejects, neutralise(rejected_rows(export)).write_csv())
    if tell:
        hint = "" if not accounting.rejected or rejects else " (--rejects PATH lists them)"
        console.say(f"Rows: {accounting_text(accounting)}{hint}")
    if strict and accounting.rejected:
        raise RejectedRowsError(
            f"{accounting.rejected:,} rows rejected under --strict "
            f"({', '.join(f'{n:,} {reason}' for reason, n in accounting.reasons.items())})"
        )


def _deliver(output: Output, path: Path | None) -> None:
    if path is None:
        console.emit(output)
        return
    content = output if isinstance(output, str | bytes) else console.to_text(output)
    console.write_atomically(path, content)
    console.say(f"Wrote {path}")


# ------------------------------------------------------------------------------------------- commands


@app.command(
    epilog="Examples:\n\n  renewals report export.csv\n\n"
    "  renewals report export.csv --by rep --format csv > reps.csv\n\n"
    "  renewals report 'exports/*.csv' --from 2026-01-01 --to 2026-03-31 -o q1.json\n\n" + EXIT_CODES
)
def report(
    files: Files,
    by: Annotated[str | None, typer.Option(help=f"One grouping: {', '.join(GROUPINGS)}.")] = None,
    fmt: FormatOption = None,
    output: OutputPath = None,
    start: From = None,
    end: To = None,
    as_of: AsOf = None,
    strategic_arr: StrategicArr = "500000",
    smb_arr: SmbArr = "200000",
    maps: MapOption = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    date_format: DateFormat = None,
    decimal_comma: DecimalComma = False,
    rejects: Rejects = None,
    strict: Strict = False,
    debug: Debug = False,
) -> None:
    """Renewal KPIs per segment, rep and batch: resolution × close × conversion, GRR/NRR, retention."""
    from renewals_cli.documents import report_document
    from renewals_cli.report import build_report

    if by is not None and by not in GROUPINGS:
        raise UsageError(f"--by {by}: expected one of {', '.join(GROUPINGS)}")
    fmt = _format(fmt, output)
    window, thresholds = _window(start, end, as_of), _thresholds(strategic_arr, smb_arr)
    human = fmt in (Format.table, Format.markdown)
    groupings = [by] if by else (["overall", "segment", "rep", "batch"] if human else ["overall"])
    export = _load(files, maps, encoding, delimiter, date_format, decimal_comma)
    result = build_report(export, window, thresholds, sorted({*groupings, "overall"}, key=GROUPINGS.index))
    _check_rows(export, result.accounting, rejects, strict, tell=fmt is not Format.json)
    _deliver(render(report_document(result, groupings, headline=human), fmt), output)


@app.command(
    epilog="Examples:\n\n  renewals segments export.csv\n\n"
    "  renewals segments export.csv --strategic-arr 1M --format csv > accounts.csv\n\n" + EXIT_CODES
)
def segments(
    files: Files,
    fmt: FormatOption = None,
    output: OutputPath = None,
    start: From = None,
    end: To = None,
    strategic_arr: StrategicArr = "500000",
    smb_arr: SmbArr = "200000",
    maps: MapOption = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    date_format: DateFormat = None,
    decimal_comma: DecimalComma = False,
    rejects: Rejects = None,
    strict: Strict = False,
    debug: Debug = False,
) -> None:
    """One row per account: account ARR, segment (strategic, enterprise, smb), reps, opportunities."""
    from renewals_cli.documents import segments_document
    from renewals_cli.report import account_segments

    fmt = _format(fmt, output)
    window, thresholds = _window(start, end, None), _thresholds(strategic_arr, smb_arr)
    export = _load(files, maps, encoding, delimiter, date_format, decimal_comma)
    accounts, accounting = account_segments(export, window, thresholds)
    _check_rows(export, accounting, rejects, strict, tell=fmt is not Format.json)
    _deliver(render(segments_document(accounts, window), fmt), output)


@app.command(
    epilog="Examples:\n\n  renewals validate export.csv\n\n"
    "  renewals validate export.csv --rejects rejects.csv\n\n" + EXIT_CODES
)
def validate(
    files: Files,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json or markdown.")] = Format.table,
    maps: MapOption = None,
    encoding: Encoding = None,
    delimiter: Delimiter = None,
    date_format: DateFormat = None,
    decimal_comma: DecimalComma = False,
    rejects: Rejects = None,
    debug: Debug = False,
) -> None:
    """How each column was mapped, and rows read, accepted and rejected with reasons; exit 1 on any rejection."""
    from renewals_cli.documents import validation_document
    from renewals_cli.report import collect_with_accounting

    if fmt not in (Format.table, Format.json, Format.markdown):
        raise UsageError(f"--format {fmt}: validate writes table, json or markdown")
    export = _load(files, maps, encoding, delimiter, date_format, decimal_comma)
    _, accounting = collect_with_accounting(export, export.rows.head(0))
    _check_rows(export, accounting, rejects, strict=False, tell=False)
    console.emit(render(validation_document(export, accounting), fmt))
    if accounting.rejected:
        raise typer.Exit(ExitCode.DATA_ERROR)


@app.command(
    epilog="Examples:\n\n  renewals sample demo.csv --rows 5000\n\n"
    "  renewals sample big.parquet --rows 5000000 --seed 7\n\n"
    "  renewals sample --style salesforce | head\n\n" + EXIT_CODES
)
def sample(
    path: Annotated[Path | None, typer.Argument(help="A .csv or .parquet file [default: CSV on stdout].")] = None,
    rows: Annotated[int, typer.Option(min=0, help="How many opportunities.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same export.")] = 0,
    style: Annotated[str, typer.Option(help="Headers and renderings: canonical, salesforce or hubspot.")] = "canonical",
    as_of: AsOf = None,
    debug: Debug = False,
) -> None:
    """Write a realistic synthetic CRM renewal export, for demos, tests and benchmarks."""
    from renewals_cli import sample as generator

    if style not in generator.STYLES:
        raise UsageError(f"--style {style}: expected one of {', '.join(generator.STYLES)}")
    day = as_of.date() if as_of else dt.date.today()
    if path is None:
        console.emit(generator.generate(rows, seed=seed, style=style, as_of=day).write_csv())
        return
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise UsageError(f"{path}: the sample is written as .csv or .parquet")
    generator.write_sample(path, rows, seed=seed, style=style, as_of=day)
    console.say(f"Wrote {rows:,} opportunities to {path}")


# ------------------------------------------------------------------------------------------- error boundary


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the one place where errors become messages and exit codes."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = app(args=args, prog_name="renewals", standalone_mode=False)
    except RenewalsError as error:
        if debug:
            raise
        console.stderr().print(f"Error: {error}", markup=False, highlight=False)
        code = error.exit_code
    except typer.TyperException as error:  # usage errors found by the option parser
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            console.stderr().print(f"Error: {error.format_message()}", markup=False)
        code = error.exit_code
    except typer.Abort:
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        code = _quiet_after_closed_pipe()
    except KeyboardInterrupt:
        code = ExitCode.INTERRUPTED
    if code == ExitCode.INTERRUPTED:
        console.stderr().print("Interrupted.", markup=False)
    sys.exit(int(code or 0))


def _quiet_after_closed_pipe() -> int:
    """The reader went away (`| head`): stop quietly, and keep Python from complaining while it exits."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return ExitCode.OK
