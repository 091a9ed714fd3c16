"""What every command does around the core: settings from options and config, row accounting, delivery."""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from renewals_cli import console
from renewals_cli.errors import InputError, RejectedRowsError, UsageError
from renewals_cli.names import BINARY_FORMATS, Format

if TYPE_CHECKING:
    import polars as pl

    from renewals_cli.commands.options import Period, Reading, Tiers
    from renewals_cli.config import Config
    from renewals_cli.filters import Filters
    from renewals_cli.load.export import Export, RowAccounting
    from renewals_cli.render import Output
    from renewals_cli.segments import Thresholds
    from renewals_cli.window import Window

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


def check_outputs(
    inputs: Sequence[str | Path | None], reading: "Reading", output: Path | list[Path] | None = None
) -> None:
    """Before any work: no output (`-o`, `--rejects`) may be one of the files the run reads (`inputs`, the
    settings file) or another output (see `outputs.check_outputs`)."""
    from renewals_cli import outputs

    paths = output if isinstance(output, list) else [output]
    written = [*(("--output", path) for path in paths), ("--rejects", reading.rejects)]
    outputs.check_outputs([*inputs, reading.config or outputs.DEFAULT_CONFIG], written)


def prepare(
    inputs: Sequence[str | Path | None], reading: "Reading", fmt: Format | None, output: Path | None
) -> tuple[Format, "Config"]:
    """What a command with one output settles before any work: its outputs checked against its `inputs` (see
    `check_outputs`), the output format (see `output_format`) and the settings (see `config`)."""
    check_outputs(inputs, reading, output)
    return output_format(fmt, output), config(reading.config)


def load_with(settings: "Config", files: list[str], reading: "Reading") -> "Export":
    """`load` with the reading options a command was given."""
    r = reading
    return load(settings, files, r.maps, r.encoding, r.delimiter, r.date_format, r.decimal_comma, r.sheet)


def fiscal_start(settings: "Config", option: int | None) -> int:
    """The first month of the fiscal year: --fiscal-year-start, else the config file, else January."""
    from renewals_cli.calendar import JANUARY, check_start_month

    if option is not None:
        return check_start_month(option)
    return settings.fiscal_year_start or JANUARY


def as_of_date(as_of: dt.datetime | None) -> dt.date:
    """--as-of, else today."""
    return as_of.date() if as_of else dt.date.today()


def window(settings: "Config", period: "Period") -> "Window":
    """The report window from --from/--to, --quarter or --all, and the as-of date (default today), in the fiscal
    calendar of --fiscal-year-start (else the config file's). Without --to, --quarter or --all the window ends
    with the quarter that holds the as-of date."""
    from renewals_cli.calendar import quarter_named
    from renewals_cli.window import Window

    start, end, quarter, every_row = period.start, period.end, period.quarter, period.every_row
    start_month = fiscal_start(settings, period.fiscal_year_start)
    day = as_of_date(period.as_of)
    first, last = (start.date() if start else None), (end.date() if end else None)
    if quarter is not None:
        if first or last or every_row:
            raise UsageError("--quarter cannot be combined with --from, --to or --all")
        named = quarter_named(quarter, day, start_month)
        first, last = named.first, named.last
    elif every_row and last:
        raise UsageError("--all cannot be combined with --to")
    if first and last and first > last:
        raise UsageError(f"--from {first} is after --to {last}")
    if last is None and not every_row:
        window = Window.default(day, start_month, start=first)
        if first and window.end and first > window.end:
            raise UsageError(
                f"--from {first} is after {window.end}, the last day of the quarter holding the as-of date; "
                "add --to or --all"
            )
        return window
    return Window(as_of=day, start=first, end=last, start_month=start_month)


def _amount(option: str, text: str) -> float:
    import polars as pl

    from renewals_cli.load.values import money

    value = pl.select(money(pl.lit(text, dtype=pl.String))).item()
    if value is None or value < 0:
        raise UsageError(f"{option} {text}: expected an amount such as 500000 or 500k")
    return float(value)


def thresholds(settings: "Config", tiers: "Tiers") -> "Thresholds":
    """Segment thresholds from the options, else the config file, else the defaults."""
    from renewals_cli.segments import Thresholds

    default = Thresholds()

    def chosen(option: str, given: str | None, configured: float | None, otherwise: float) -> float:
        if given is not None:
            return _amount(option, given)
        return configured if configured is not None else otherwise

    thresholds = Thresholds(
        strategic_arr=chosen("--strategic-arr", tiers.strategic_arr, settings.strategic_arr, default.strategic_arr),
        smb_arr=chosen("--smb-arr", tiers.smb_arr, settings.smb_arr, default.smb_arr),
    )
    if thresholds.smb_arr > thresholds.strategic_arr:
        raise UsageError(
            f"the SMB threshold {thresholds.smb_arr:,.0f} is above the strategic one {thresholds.strategic_arr:,.0f}"
        )
    return thresholds


def output_format(fmt: Format | None, output: Path | None) -> Format:
    """--format, else the output file's suffix, else a table."""
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower(), Format.table) if output else Format.table
    if fmt in BINARY_FORMATS and output is None:
        raise UsageError(f"--format {fmt} needs --output PATH")
    return fmt


def deliveries(fmt: Format | None, outputs: "list[Path] | None") -> list[tuple[Format, Path | None]]:
    """Each `-o PATH` with its format (--format, else the file's suffix), or stdout in --format (default table).
    Several outputs share one --format only when none is named; two outputs naming one file are a usage error."""
    if not outputs:
        return [(output_format(fmt, None), None)]
    if len({path.resolve() for path in outputs}) < len(outputs):
        raise UsageError("the same file is named twice by --output")
    if fmt is not None and len(outputs) > 1:
        raise UsageError("--format applies to one --output; with several, each file's suffix names its format")
    return [(output_format(fmt, path), path) for path in outputs]


def selection(
    export: "Export", window: "Window", thresholds: "Thresholds", filters: "Filters"
) -> "tuple[Filters, pl.Expr | None]":
    """The filters with each name as the export spells it, and the rows they keep (None without filters).
    Raises UsageError for a name the export does not hold, naming the nearest one it does."""
    if not filters:
        return filters, None
    import polars as pl

    from renewals_cli.filters import resolved, row_names, selection
    from renewals_cli.report import account_attributes
    from renewals_cli.window import within

    _, (reps, partners, accounts) = export.read(
        lambda rows: [*row_names(rows), account_attributes(rows.filter(within(window)), thresholds)]
    )
    csms = accounts["csm"].drop_nulls().unique().to_list()
    named = resolved(filters, reps["rep"].to_list(), partners["partner"].to_list(), csms)
    chosen: pl.Expr = selection(named, accounts if named.by_account else None)
    return named, chosen


def check_nonempty(export: "Export", accounting: "RowAccounting", in_window: int, window: "Window") -> None:
    """A run with no accepted row, or none in the window, is a failure (exit 1), not an empty report."""
    from renewals_cli.present.common import window_text

    check_accepted(export, accounting)
    if not in_window:
        raise InputError(
            f"{export.names}: no accepted row expires in the window ({window_text(window)}); "
            "widen it with --from, --to or --all"
        )


def check_accepted(export: "Export", accounting: "RowAccounting") -> None:
    """A run with no accepted row is a failure (exit 1) that says why the rows were rejected."""
    from renewals_cli.present.common import accounting_text

    if not accounting.accepted:
        reasons = ", ".join(f"{n:,} {reason}" for reason, n in accounting.reasons.items())
        detail = f": {reasons}" if reasons else ""
        raise InputError(
            f"{export.names}: no row was accepted ({accounting_text(accounting)}){detail}"
            + decimal_comma_hint(export, accounting)
        )


def decimal_comma_hint(export: "Export", accounting: "RowAccounting") -> str:
    """`; amounts look like 1.234,50: try --decimal-comma` when most rows fail on an amount that looks so."""
    from renewals_cli.load.values import looks_decimal_comma

    failed = sum(n for reason, n in accounting.reasons.items() if reason.startswith("invalid") and "amount" in reason)
    if 2 * failed < accounting.read or not looks_decimal_comma(export.raw_amounts()):
        return ""
    return "; the amounts look like 1.234,50: read them with --decimal-comma"


def check_rows(export: "Export", accounting: "RowAccounting", rejects: Path | None, strict: bool, tell: bool) -> None:
    """Write --rejects, tell the row accounting on stderr, and fail under --strict."""
    from renewals_cli.load.export import rejected_rows
    from renewals_cli.present.common import accounting_text
    from renewals_cli.render.csv import write_csv

    if rejects is not None:
        console.write_atomically(rejects, write_csv(rejected_rows(export)))
    if tell:
        hint = "" if not accounting.rejected or rejects else " (--rejects PATH lists them)"
        (console.warn if accounting.rejected else console.say)(f"Rows: {accounting_text(accounting)}{hint}")
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
    """To stdout, or atomically to the file once the run has succeeded (a table becomes plain text)."""
    if path is None:
        console.emit(output)
        return
    content = output if isinstance(output, str | bytes) else console.to_text(output)
    console.write_atomically(path, content, said=f"Wrote {path}")
