"""Parsing money, dates, statuses and flags as CRMs and spreadsheets render them (SPEC §1).

Each parser is a Polars expression over a text column that yields the typed value, or null where the text is
missing or cannot be parsed; `validate` tells those two apart by looking at the text as well.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from renewals_cli.errors import InputError, first_line

_NUMBER_POINT = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_NUMBER_COMMA = r"(?:\d{1,3}(?:[.\s]\d{3})+|\d+)(?:,\d+)?|,\d+"


# ISO 4217 codes a CRM writes beside an amount; any other letters make the amount unparseable.
_CODES = "(?:USD|EUR|GBP|JPY|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|CNY|HKD|SGD|INR|KRW|BRL|MXN|ZAR|ILS|AED|SAR|TRY)"


def _money_pattern(number: str) -> str:
    # `(1,234.50)` is negative, as accountants write it; a currency code or symbol may stand either side.
    return (
        rf"^\s*\(?\s*-?\s*(?:{_CODES}\s*)?[$€£¥]?\s*-?\s*"
        rf"(?:{number})\s*[kKmMbB]?\s*(?:{_CODES}|[$€£¥])?\s*\)?\s*$"
    )


# Everything around the digits: parentheses, signs, spaces, currency symbols and codes.
_DECORATION = rf"[()\s$€£¥-]|{_CODES}"


def money(text: pl.Expr, *, decimal_comma: bool = False) -> pl.Expr:
    """Signed amount of a money rendering: `1,234.50`, `$1,234.50`, `USD 1,234.50`, `250k`, `1.2M`, `(12.50)`.

    With `decimal_comma`, `€1.234,50` reads as 1234.5 and `1,234.50` is not a number. Null when unparseable.
    The shape is checked by one anchored pattern; the number is then taken apart with cheap string operations
    (a capturing pattern per value costs several times more on millions of rows).
    """
    valid = text.str.contains(_money_pattern(_NUMBER_COMMA if decimal_comma else _NUMBER_POINT))
    balanced = text.str.contains("(", literal=True) == text.str.contains(")", literal=True)
    negative = text.str.contains("(", literal=True) | text.str.contains("-", literal=True)
    core = text.str.replace_all(_DECORATION, "")
    last = core.str.slice(-1).str.to_lowercase()
    scale = pl.when(last == "k").then(1e3).when(last == "m").then(1e6).when(last == "b").then(1e9)
    digits = pl.when(scale.is_not_null()).then(core.str.head(-1)).otherwise(core)
    if decimal_comma:
        number = digits.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    else:
        number = digits.str.replace_all(",", "", literal=True)
    magnitude = number.cast(pl.Float64, strict=False) * scale.fill_null(1.0)
    return pl.when(valid & balanced).then(pl.when(negative).then(-magnitude).otherwise(magnitude))


# No renewal is worth a quadrillion: larger amounts (and NaN, infinities) are unparseable, not summed.
MAX_MONEY = 1e15


def in_range(amount: pl.Expr) -> pl.Expr:
    """The amount when it is finite and below MAX_MONEY in size, else null."""
    return pl.when(within_range(amount)).then(amount)


def within_range(amount: pl.Expr) -> pl.Expr:
    """The amount is finite and below MAX_MONEY in size (null for null)."""
    return amount.abs() < MAX_MONEY


# The renderings most exports use throughout, read by a cast: plain numbers and US dollars (`$1,234.50`). ASCII
# digits ([0-9], a third cheaper to match than Unicode's \d): a number written in other digits is no more
# readable by the cast than by the general parser, which gets it instead.
_PLAIN = r"^[0-9]+(?:\.[0-9]+)?$"
_PLAIN_DECIMAL_COMMA = r"^[0-9]+$"
_DOLLARS = r"^\$[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?$"


MONEY_SHAPES = {"plain": _PLAIN, "dollars": _DOLLARS}


def money_from(
    column: pl.Expr, dtype: pl.DataType, *, decimal_comma: bool, shape: str | None = None, ranged: bool = True
) -> pl.Expr:
    """Money from a column of any type: numbers as they are, text by `money`; null when out of range (unless not
    `ranged`: the caller then tells amounts out of range by `within_range`, which costs less than nulling them).

    `shape` is the one of MONEY_SHAPES every value of the column has, when detection found one: the column is
    then cast directly. Otherwise text that is a plain number or US dollars is cast, and only the rest goes
    through the general parser, which is handed nulls for the other rows.
    """
    amount = _amount(column, dtype, decimal_comma=decimal_comma, shape=shape)
    return in_range(amount) if ranged else amount


def _amount(column: pl.Expr, dtype: pl.DataType, *, decimal_comma: bool, shape: str | None) -> pl.Expr:
    """`money_from` before amounts out of range are nulled."""
    if dtype.is_numeric():
        return column.cast(pl.Float64, strict=False)
    text = column.cast(pl.String)
    if shape == "plain" and not decimal_comma:
        return text.cast(pl.Float64, strict=False)
    if shape == "dollars" and not decimal_comma:
        return _from_dollars(text)
    plain = text.str.contains(_PLAIN_DECIMAL_COMMA if decimal_comma else _PLAIN)
    rest = pl.when(~plain).then(text)
    if decimal_comma:
        return pl.when(plain).then(text.cast(pl.Float64, strict=False)).otherwise(money(rest, decimal_comma=True))
    dollars = rest.str.contains(_DOLLARS).fill_null(False)
    others = pl.when(~plain & ~dollars).then(text)
    return (
        pl.when(plain)
        .then(text.cast(pl.Float64, strict=False))
        .when(dollars)
        .then(_from_dollars(rest))
        .otherwise(money(others, decimal_comma=False))
    )


def _from_dollars(text: pl.Expr) -> pl.Expr:
    """`$1,234.50` → 1234.5 (text that has the `_DOLLARS` shape)."""
    return text.str.strip_chars_start("$").str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False)


# ---------------------------------------------------------------------------------------------- dates

# A time of day after a date: `14:22`, `14:22:05.123Z`, `2:15 PM`, `09:00:00+02:00`, `10:00 UTC`.
_TIME = (
    r"(?:[T ,]\s*(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?"  # hours:minutes[:seconds[.fraction]]
    r"(?:\s?[AaPp][Mm])?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)?"  # [AM/PM] [zone]
)
_ISO = rf"^\s*(\d{{4}}-\d{{2}}-\d{{2}}){_TIME}\s*$"
_SLASHED = rf"^\s*(?P<a>\d{{1,2}})[/.-](?P<b>\d{{1,2}})[/.-](?P<year>\d{{4}}|\d{{2}}){_TIME}\s*$"


@dataclass(frozen=True)
class DateLayout:
    """How a column writes dates that are not ISO: a named strftime pattern, or a detected slashed order."""

    pattern: str | None = None  # from --date-format / config
    exact: str | None = None  # every value has this strftime layout: parsed directly, nothing else looked for
    slashed: str | None = None  # "mdy" or "dmy", detected from the column


def slashed_numbers(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The first and second numbers of a slashed date (`03/31/2026` → 3, 31); null for other text."""
    return (
        text.str.extract(_SLASHED, 1).cast(pl.Int32, strict=False),
        text.str.extract(_SLASHED, 2).cast(pl.Int32, strict=False),
    )


def date_evidence(first: pl.Expr, second: pl.Expr, name: str) -> list[pl.Expr]:
    """Aggregations over `slashed_numbers` that reveal a column's layout: how many dates can only be
    month-first, only day-first, or either."""
    return [
        ((first <= 12) & (second > 12) & (second <= 31)).sum().alias(f"{name}__mdy"),
        ((second <= 12) & (first > 12) & (first <= 31)).sum().alias(f"{name}__dmy"),
        ((first <= 12) & (second <= 12)).sum().alias(f"{name}__either"),
    ]


def decide_layout(mdy: int, dmy: int, either: int, *, column: str, source: str) -> str | None:
    """`mdy` or `dmy` when the column's slashed dates say which unambiguously; an error when they cannot."""
    if mdy and dmy:
        raise InputError(
            f"{source}: column '{column}' mixes month-first and day-first dates; "
            f"name the layout with --date-format (e.g. --date-format %m/%d/%Y)"
        )
    if mdy:
        return "mdy"
    if dmy:
        return "dmy"
    if either:
        raise InputError(
            f"{source}: dates in column '{column}' are ambiguous (01/02/2026 could be 2 January or 1 February); "
            f"name the layout with --date-format %m/%d/%Y or --date-format %d/%m/%Y"
        )
    return None


def date(text: pl.Expr, layout: DateLayout) -> pl.Expr:
    """The date of an ISO date or datetime, or of the column's named or detected layout; null when invalid."""
    if layout.exact and not layout.pattern:
        return text.str.strptime(pl.Date, layout.exact, strict=False)
    iso = text.str.extract(_ISO, 1).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    candidates = [iso]
    if layout.pattern:
        candidates.append(_strptime(text, layout.pattern))
    if layout.slashed:
        parts = text.str.extract_groups(_SLASHED)
        month, day = ("a", "b") if layout.slashed == "mdy" else ("b", "a")
        year = parts.struct.field("year")
        full_year = (
            pl.when(year.str.len_chars() == 2)
            .then(pl.when(year.cast(pl.Int32) < 70).then(pl.lit("20") + year).otherwise(pl.lit("19") + year))
            .otherwise(year)
        )
        rebuilt = pl.concat_str(
            full_year,
            parts.struct.field(month).str.zfill(2),
            parts.struct.field(day).str.zfill(2),
            separator="-",
        )
        candidates.append(rebuilt.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
    return pl.coalesce(candidates)


def check_date_format(pattern: str) -> None:
    """Raise UsageError for a strftime layout the parser refuses (e.g. `%p` without `%I`)."""
    from renewals_cli.errors import UsageError

    try:
        pl.select(_strptime(pl.lit("2026-01-01", dtype=pl.String), pattern)).item()
    except pl.exceptions.PolarsError as exc:
        raise UsageError(f"--date-format {pattern}: not a usable strftime layout ({first_line(exc)})") from None


def _strptime(text: pl.Expr, pattern: str) -> pl.Expr:
    has_time = any(code in pattern for code in ("%H", "%I", "%M", "%S", "%p", "%z", "%T"))
    if has_time:
        return text.str.strptime(pl.Datetime, pattern, strict=False).dt.date()
    return text.str.strptime(pl.Date, pattern, strict=False)


def date_from(column: pl.Expr, dtype: pl.DataType, layout: DateLayout) -> pl.Expr:
    """A date from a column of any type: Date and Datetime columns as they are, text by `date`."""
    if dtype == pl.Date:
        return column
    if isinstance(dtype, pl.Datetime):
        return column.dt.date()
    return date(column.cast(pl.String), layout)


# ---------------------------------------------------------------------------------------------- status

WON = ("Closed Won", "Won", "Renewed", "Closed/Won", "closedwon", "Yes")
LOST = ("Closed Lost", "Lost", "Churned", "Cancelled", "closedlost", "No")


_DECIMAL_COMMA = re.compile(r"^\D{0,4}\d{1,3}(\.\d{3})*,\d{1,2}\D{0,4}$")


def looks_decimal_comma(texts: Sequence[str]) -> bool:
    """Most of these amounts are written with a decimal comma (`1.234,50`, `€ 12,00`)."""
    written = [text.strip() for text in texts if text and text.strip()]
    return bool(written) and 2 * sum(bool(_DECIMAL_COMMA.match(text)) for text in written) > len(written)


def fold(text: pl.Expr) -> pl.Expr:
    """Case-, space- and punctuation-insensitive form of a label."""
    return text.str.to_lowercase().str.replace_all(r"[\W_]+", "")


def fold_label(label: str) -> str:
    """`fold` for one Python string: `Closed/Won` → `closedwon`."""
    return re.sub(r"[\W_]+", "", label.casefold())


def folded(labels: Iterable[str]) -> set[str]:
    """The folded forms of labels."""
    return {fold_label(label) for label in labels}


def status(text: pl.Expr, *, won: Iterable[str] = WON, lost: Iterable[str] = LOST) -> pl.Expr:
    """`won`, `lost` or `open` (every other non-empty label); null when empty."""
    label = fold(text.cast(pl.String))
    return (
        pl.when(label.is_null() | (label == ""))
        .then(None)
        .when(label.is_in(sorted(folded(won))))
        .then(pl.lit("won"))
        .when(label.is_in(sorted(folded(lost))))
        .then(pl.lit("lost"))
        .otherwise(pl.lit("open"))
    )


# ---------------------------------------------------------------------------------------------- flags

TRUE = ("true", "yes", "y", "1", "x", "t")
FALSE = ("false", "no", "n", "0", "", "f")


def flag_from(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """True/false from true/false, yes/no, 1/0, x/empty; empty is false; null for anything else."""
    if dtype == pl.Boolean:
        return column.fill_null(False)
    if dtype.is_numeric():
        return pl.when(column == 1).then(True).when((column == 0) | column.is_null()).then(False)
    label = column.cast(pl.String).str.strip_chars().str.to_lowercase().fill_null("")
    return pl.when(label.is_in(TRUE)).then(True).when(label.is_in(FALSE)).then(False)


# Characters that make two spellings of one name differ without showing: format characters (zero-width space and
# joiners, a BOM, a soft hyphen, direction marks) and control characters other than whitespace (a NUL byte).
INVISIBLE = r"[\p{Cf}[\p{Cc}&&\S]]"
# Text that may need more than trimming: an invisible character, whitespace other than a space or two in a row,
# or what NFC may change (a combining mark, Hangul jamo, and the few characters NFC replaces by another: the
# Angstrom and Ohm signs, Greek tonos forms, CJK compatibility ideographs). Accented letters already composed, as
# almost every export has them, are not looked at again.
UNUSUAL = (
    r"[\p{M}\p{Cf}\p{Cc}\x{1100}-\x{11FF}\x{1F70}-\x{1FFF}\x{2126}\x{212A}\x{212B}\x{2329}\x{232A}"
    r"\x{F900}-\x{FAFF}\x{0340}\x{0341}\x{0343}\x{0344}\x{0374}\x{037E}\x{0387}]|[^\S ]|\s\s"
)


def text_key(column: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Text that looks alike made alike (Unicode NFC, so a decomposed accent is one character; invisible
    characters removed; each run of whitespace, a non-breaking space included, made one space; trimmed), and the
    unusual text it was made from (null where trimming was all it needed): where the two differ, the value was
    changed. Only the unusual values (few, in most exports) are looked at closely: the others are handed to it as
    nulls, which cost nothing."""
    text = trimmed(column)
    unusual = pl.when(text.str.contains(UNUSUAL)).then(text)
    alike = unusual.str.normalize("NFC").str.replace_all(INVISIBLE, "").str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.coalesce(alike, text), unusual


def trimmed(column: pl.Expr) -> pl.Expr:
    """Text without the whitespace around it; empty text stays (see `non_empty`)."""
    return column.cast(pl.String).str.strip_chars()


def non_empty(text: pl.Expr) -> pl.Expr:
    """Text, null where empty. Best over a column `trimmed` has already filled: a condition's branches are
    computed apart, so a trim inside it would be computed twice."""
    return pl.when(text != "").then(text)
