"""What every command does around the core: settings from options and config, row accounting, delivery."""

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from renewals_cli import console
from renewals_cli.errors import RejectedRowsError, UsageError
from renewals_cli.names import BINARY_FORMATS, Format

if TYPE_CHECKING:
    from renewals_cli.config import Config
    from renewals_cli.kpis import Window
    from renewals_cli.load.export import Export, RowAccounting
    from renewals_cli.render import Output
    from renewals_cli.segments import Thresholds

SUFFIX_FORMATS = {
    ".csv": Format.csv,
    ".json": Format.json,
    ".md": Format.markdown,
    ".parquet": Format.parquet,
    ".html": Format.html,
    ".htm": Format.html,
    ".xlsx": Format.xlsx,
}


def config(path: Path | None) -> "Config":
    """`--config PATH`, else ./renewals.toml, else the defaults."""
    from renewals_cli.config import find_config

    return find_config(path)


def load(
    settings: "Config",
    files: list[str],
    maps: list[str] | None,
    encoding: str | None,
    delimiter: str | None,
    date_format: str | None,
    decimal_comma: bool | None,
    sheet: str | None = None,
) -> "Export":
    """Open the export with options, then the config file, then the defaults deciding how it is read."""
    from renewals_cli.load.columns import CANONICAL
    from renewals_cli.load.export import LoadOptions, load_export
    from renewals_cli.load.validate import ParseOptions
    from renewals_cli.load.values import check_date_format

    column_map = dict(settings.columns)
    for item in maps or []:
        canonical, sep, header = (part.strip() for part in item.partition("="))
        if not sep or canonical not in CANONICAL or not header:
            raise UsageError(f"--map {item}: expected CANONICAL=HEADER, CANONICAL one of {', '.join(CANONICAL)}")
        column_map[canonical] = header
    if date_format or settings.date_format:
        check_date_format(date_format or settings.date_format or "")
    parse = ParseOptions(
        date_format=date_format or settings.date_format,
        decimal_comma=decimal_comma if decimal_comma is not None else bool(settings.decimal_comma),
        won=settings.won,
        lost=settings.lost,
    )
    options = LoadOptions(
        column_map=column_map,
        encoding=encoding or settings.encoding,
        delimiter=delimiter or settings.delimiter,
        sheet=sheet,
        parse=parse,
    )
    return load_export(files, options)


def quarter_bounds(quarter: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """`current`, `previous` or `YYYY-Qn` as its first and last day."""
    if quarter == "current":
        year, number = as_of.year, (as_of.month - 1) // 3 + 1
    elif quarter == "previous":
        year, number = as_of.year, (as_of.month - 1) // 3
        if number == 0:
            year, number = year - 1, 4
    elif match := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", quarter):
        year, number = int(match[1]), int(match[2])
    else:
        raise UsageError(f"--quarter {quarter}: expected current, previous or YYYY-Qn such as 2026-Q3")
    start = dt.date(year, 3 * number - 2, 1)
    end = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return start, end - dt.timedelta(days=1)


def window(
    start: dt.datetime | None, end: dt.datetime | None, as_of: dt.datetime | None, quarter: str | None = None
) -> "Window":
    """The report window from --from/--to or --quarter, and the as-of date (default today)."""
    from renewals_cli.kpis import Window

    day = as_of.date() if as_of else dt.date.today()
    first, last = (start.date() if start else None), (end.date() if end else None)
    if quarter is not None:
        if first or last:
            raise UsageError("--quarter cannot be combined with --from or --to")
        first, last = quarter_bounds(quarter, day)
    if first and last and first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    return Window(as_of=day, start=first, end=last)


def _amount(option: str, text: str) -> float:
    import polars as pl

    from renewals_cli.load.values import money

    value = pl.select(money(pl.lit(text, dtype=pl.String))).item()
    if value is None or value < 0:
        raise UsageError(f"{option} {text}: expected an amount such as 500000 or 500k")
    return float(value)


def thresholds(settings: "Config", strategic_arr: str | None, smb_arr: str | None) -> "Thresholds":
    """Segment thresholds from the options, else the config file, else SPEC §2's defaults."""
    from renewals_cli.segments import Thresholds

    default = Thresholds()
    chosen = Thresholds(
        strategic_arr=_amount("--strategic-arr", strategic_arr)
        if strategic_arr is not None
        else settings.strategic_arr
        if settings.strategic_arr is not None
        else default.strategic_arr,
        smb_arr=_amount("--smb-arr", smb_arr)
        if smb_arr is not None
        else settings.smb_arr
        if settings.smb_arr is not None
        else default.smb_arr,
    )
    if chosen.smb_arr > chosen.strategic_arr:
        raise UsageError(
            f"the SMB threshold {chosen.smb_arr:,.0f} is above the strategic one {chosen.strategic_arr:,.0f}"
        )
    return chosen


def output_format(fmt: Format | None, output: Path | None) -> Format:
    """--format, else the output file's suffix, else a table."""
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower(), Format.table) if output else Format.table
    if fmt in BINARY_FORMATS and output is None:
        raise UsageError(f"--format {fmt} needs --output PATH")
    return fmt


def check_rows(export: "Export", accounting: "RowAccounting", rejects: Path | None, strict: bool, tell: bool) -> None:
    """Write --rejects, tell the row accounting on stderr, and fail under --strict."""
    from renewals_cli.documents import accounting_text
    from renewals_cli.load.export import rejected_rows
    from renewals_cli.render.csv import neutralise

    if rejects is not None:
        console.write_atomically(rejects, neutralise(rejected_rows(export)).write_csv())
    if tell:
        hint = "" if not accounting.rejected or rejects else " (--rejects PATH lists them)"
        console.say(f"Rows: {accounting_text(accounting)}{hint}")
        for note in notes(export, accounting):
            console.say(note)
    if strict and accounting.rejected:
        raise RejectedRowsError(
            f"{accounting.rejected:,} rows rejected under --strict "
            f"({', '.join(f'{n:,} {reason}' for reason, n in accounting.reasons.items())})"
        )


def notes(export: "Export", accounting: "RowAccounting") -> list[str]:
    """What reading the export changed or noticed, a line each, said beside the row accounting."""
    lines = list(export.notes)
    if accounting.normalised:
        count = sum(accounting.normalised.values())
        columns = ", ".join(f"{column} {n:,}" for column, n in accounting.normalised.items())
        lines.append(
            f"Text made alike: {count:,} {'value' if count == 1 else 'values'} ({columns}) had invisible "
            f"characters, unusual spaces or decomposed accents, read as the names they look like"
        )
    if accounting.duplicates_of_earlier_files:
        count = accounting.duplicates_of_earlier_files
        lines.append(
            f"Warning: {count:,} {'row repeats' if count == 1 else 'rows repeat'} an opportunity_id of an earlier "
            f"file, rejected as duplicates (the earlier file's row is kept); to compare snapshots of one report, "
            f"run `renewals changes OLD NEW`"
        )
    return lines


def deliver(output: "Output", path: Path | None) -> None:
    """To stdout, or atomically to the file (a table becomes plain text)."""
    if path is None:
        console.emit(output)
        return
    content = output if isinstance(output, str | bytes) else console.to_text(output)
    console.write_atomically(path, content)
    console.say(f"Wrote {path}")
