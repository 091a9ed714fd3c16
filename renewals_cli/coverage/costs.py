"""The CSM costs `renewals coverage` spreads over segments: a COSTS.csv file (`csm`, `annual_cost`) or a
`[csm_costs]` table in renewals.toml, checked and typed."""

import codecs
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from renewals_cli.errors import InputError, first_line, listed
from renewals_cli.load.sources import open_source
from renewals_cli.load.values import fold_label, money_from

CONFIG_SOURCE = "renewals.toml [csm_costs]"

# Headers accepted for the costs file's columns (folded like export headers); `csm` takes the export's aliases.
_COST_HEADERS: dict[str, tuple[str, ...]] = {
    "csm": ("csm", "Customer Success Manager"),
    "annual_cost": ("annual_cost",),
}
_EXPECTED = "expected columns csm and annual_cost"
_COSTS_SCHEMA = {"csm": pl.String(), "annual_cost": pl.Float64()}


def load_costs(path: Path, *, decimal_comma: bool = False) -> pl.DataFrame:
    """The CSM costs file as `csm` (String), `annual_cost` (Float64), one row per CSM in file order.

    CSV (encoding and delimiter detected as for exports) or Parquet; headers match case-, space- and
    punctuation-insensitively, `csm` also as `Customer Success Manager`; other columns are ignored, as are blank
    lines. Costs are money as in SPEC §1 (`$120,000`, `120k`). Raises `InputError` naming the file (and the line)
    for a missing or empty file, a missing column, an empty csm, a missing, unparseable or negative cost, or a
    CSM listed twice.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file ({_EXPECTED})") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a CSV file with columns csm and annual_cost") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise InputError(f"{path}: the file is empty ({_EXPECTED}, one row per CSM)")
    source = open_source(path, encoding=None, delimiter=None)
    by_folded: dict[str, str] = {}
    for header in source.headers:
        by_folded.setdefault(fold_label(header), header)
    found = {
        name: next((by_folded[fold_label(a)] for a in aliases if fold_label(a) in by_folded), None)
        for name, aliases in _COST_HEADERS.items()
    }
    missing = [name for name, header in found.items() if header is None]
    if missing:
        raise InputError(f"{path}: no {' or '.join(missing)} column (headers: {listed(source.headers)}); {_EXPECTED}")
    csm_header, cost_header = found["csm"], found["annual_cost"]
    assert csm_header is not None and cost_header is not None
    schema = source.frame.collect_schema()
    # The header is line 1 and polars keeps blank lines as empty rows, so row i (from 0) is on line i + 2.
    where = "line" if source.kind == "csv" else "row"
    offset = 2 if source.kind == "csv" else 1
    raw = source.frame.select(
        where=pl.format(f"{where} {{}}", pl.int_range(pl.len()) + offset),
        csm=text(pl.col(csm_header)),
        text=text(pl.col(cost_header)),
        annual_cost=money_from(pl.col(cost_header), schema[cost_header], decimal_comma=decimal_comma),
    )
    try:
        entries = raw.collect()
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{path}: cannot be read ({first_line(exc)})") from None
    blank = entries["csm"].is_null() & entries["text"].is_null()
    return _validated(entries.filter(~blank), str(path))


def costs_from_mapping(table: Mapping[str, object], *, source: str = CONFIG_SOURCE) -> pl.DataFrame:
    """The `[csm_costs]` table of renewals.toml (`{"Grace Kim": 120000, "Ann Lee": "$95,000"}`) as `load_costs`
    returns a costs file: the same columns, money rules and errors, with `source` naming the table."""
    entries = pl.DataFrame(
        {
            "where": [None] * len(table),
            "csm": [name.strip() or None for name in table],
            "text": [_cost_text(value) for value in table.values()],
        },
        schema={"where": pl.String(), "csm": pl.String(), "text": pl.String()},
    )
    numeric = [not isinstance(v, bool) and isinstance(v, int | float) for v in table.values()]
    # TOML numbers are taken as they are (finite only); text is money as a costs file writes it.
    number = money_from(pl.col("text").cast(pl.Float64, strict=False), pl.Float64(), decimal_comma=False)
    entries = entries.with_columns(
        annual_cost=pl.when(pl.Series(numeric, dtype=pl.Boolean))
        .then(number)
        .otherwise(money_from(pl.col("text"), pl.String(), decimal_comma=False))
    )
    return _validated(entries, source)


def text(column: pl.Expr) -> pl.Expr:
    """Trimmed text, null when empty: as the loader types text, so hand-built rows behave like loaded ones."""
    value = column.cast(pl.String).str.strip_chars()
    return pl.when(value != "").then(value)


def _cost_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value).strip() or None


def _validated(entries: pl.DataFrame, source: str) -> pl.DataFrame:
    """Check entries (`where`, `csm`, `text` as written, parsed `annual_cost`): the first problem raises."""
    if entries.is_empty():
        raise InputError(f"{source}: no CSM is listed ({_EXPECTED}, one row per CSM)")
    seen: dict[str, str | None] = {}
    for where, csm, text, cost in entries.select("where", "csm", "text", "annual_cost").iter_rows():
        at = f"{source}: {where}" if where else source
        if csm is None:
            raise InputError(f"{at}: the csm is empty (annual_cost {text!r})")
        if text is None:
            raise InputError(f"{at}: annual_cost is empty for CSM {csm!r}")
        if cost is None:
            raise InputError(f"{at}: annual_cost {text!r} for CSM {csm!r} is not an amount")
        if cost < 0:
            raise InputError(f"{at}: annual_cost {text!r} for CSM {csm!r} is negative")
        if csm in seen:
            lines = f" ({seen[csm]} and {where})" if where else ""
            raise InputError(f"{source}: CSM {csm!r} is listed twice{lines}")
        seen[csm] = where
    return entries.select(pl.col(name).cast(dtype) for name, dtype in _COSTS_SCHEMA.items())
