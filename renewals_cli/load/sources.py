"""Reading export files as text tables: paths and globs, formats, encodings, delimiters (SPEC §1)."""

import codecs
import glob
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from renewals_cli.errors import InputError, UsageError, first_line

PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"  # xlsx, zip
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy xls
GZIP_MAGIC = b"\x1f\x8b"
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
# Encoding detection reads the whole file in chunks of this size: one that fits in the CPU's cache is checked
# twice as fast as 8 MiB ones.
CHUNK_BYTES = 1024 * 1024
# A CSV row may hold more fields than the header (an unquoted comma shifts every later value): the first fields
# beyond the header are read into columns of their own, so the row can be rejected rather than read with shifted
# values. Each such column costs a little on every row.
EXTRA_FIELD = "(extra field {})"
EXTRA_FIELDS = 4


@dataclass(frozen=True)
class Source:
    """One file of the export, read as a lazy frame whose columns keep the file's headers."""

    path: Path
    frame: pl.LazyFrame
    headers: tuple[str, ...]
    kind: str  # "csv" or "parquet"
    extras: tuple[str, ...] = ()  # CSV: columns holding fields beyond the header (null when there are none)
    separator: str | None = None  # a CSV file read from disk (UTF-8): its delimiter


def expand_paths(patterns: Sequence[str]) -> list[Path]:
    """Expand each argument that is a glob; keep the order given, each file once. A glob matching nothing is an
    error."""
    paths: list[Path] = []
    for pattern in patterns:
        if glob.has_magic(pattern) and not Path(pattern).exists():
            matches = sorted(glob.glob(pattern))  # noqa: PTH207 - Path.glob takes no absolute patterns
            if not matches:
                raise InputError(f"{pattern}: no file matches this pattern")
            paths.extend(Path(m) for m in matches)
        else:
            paths.append(Path(pattern))
    # A file named twice (`a.csv` and `*.csv`) is read once: its rows are not counted twice.
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def open_source(path: Path, *, encoding: str | None, delimiter: str | None) -> Source:
    """Open one CSV or Parquet file; every CSV column is read as text so values are parsed by our rules."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a CSV or Parquet file")
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if head.startswith(PARQUET_MAGIC) or path.suffix.lower() in (".parquet", ".pq"):
        return _open_parquet(path)
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise InputError(f"{path}: looks like a spreadsheet or zip file; export it as CSV or Parquet")
    if head.startswith(GZIP_MAGIC):
        raise InputError(f"{path}: is compressed; decompress it first (CSV or Parquet expected)")
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise InputError(f"{path}: the file is empty, expected a header row and renewal opportunities")
    return _open_csv(path, head, encoding=encoding, delimiter=delimiter)


def _open_parquet(path: Path) -> Source:
    try:
        schema = pl.scan_parquet(path, glob=False).collect_schema()
    except Exception as exc:  # polars raises several unrelated types for a damaged file
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    return Source(path=path, frame=pl.scan_parquet(path, glob=False), headers=tuple(schema), kind="parquet")


def _open_csv(path: Path, head: bytes, *, encoding: str | None, delimiter: str | None) -> Source:
    codec = encoding or detect_encoding(path, head)
    try:
        codecs.lookup(codec)
    except LookupError:
        raise UsageError(f"--encoding {codec}: unknown encoding (use a Python codec name such as cp1252)") from None
    data: Path | bytes
    if codecs.lookup(codec).name == "utf-8":
        data = path  # polars reads UTF-8 itself (and skips a UTF-8 BOM)
        text_head = head.decode("utf-8-sig", errors="replace")
    else:
        try:
            text = path.read_bytes().decode(codec)
        except UnicodeDecodeError:
            raise InputError(f"{path}: cannot be decoded as {codec}; name the encoding with --encoding") from None
        text = text.removeprefix("\ufeff")
        data = text.encode("utf-8")
        text_head = text[:SNIFF_BYTES]
    separator = _separator(delimiter) if delimiter else sniff_delimiter(text_head)
    try:
        headers = tuple(_scan(data, separator, n_rows=0).collect_schema().names())
        extras = tuple(EXTRA_FIELD.format(i) for i in range(1, EXTRA_FIELDS + 1))
        frame = _scan(data, separator, names=(*headers, *extras))
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{path}: not a readable CSV file ({first_line(exc)})") from None
    on_disk = separator if isinstance(data, Path) else None
    return Source(path=path, frame=frame, headers=headers, kind="csv", extras=extras, separator=on_disk)


def _scan(
    data: Path | bytes, separator: str, *, names: Sequence[str] = (), n_rows: int | None = None, skip: bool = True
) -> pl.LazyFrame:
    """Every field as text. With `names`, the header line is skipped (unless not `skip`) and the columns take
    these names; rows with fewer fields get nulls, fields beyond the last name are dropped."""
    options = {
        "separator": separator,
        "infer_schema": False,
        "truncate_ragged_lines": True,
        "missing_columns": "insert",
        "n_rows": n_rows,
    }
    if names:
        options |= {"has_header": False, "skip_rows": int(skip), "schema": dict.fromkeys(names, pl.String)}
    if isinstance(data, Path):
        return pl.scan_csv(data, glob=False, **options)  # type: ignore[arg-type]
    return pl.read_csv(data, **options).lazy()  # type: ignore[arg-type]


def detect_encoding(path: Path, head: bytes) -> str:
    """UTF-16 and UTF-8 by their BOM; otherwise UTF-8 when the whole file decodes as UTF-8, else Windows-1252."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:  # in chunks: the whole file never sits in memory
            while chunk := handle.read(CHUNK_BYTES):
                # ASCII is UTF-8, and checking it is ten times cheaper than decoding (unless a character
                # split across chunks is pending).
                if not (chunk.isascii() and not decoder.getstate()[0]):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _separator(delimiter: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    separator = named.get(delimiter.lower(), delimiter)
    if len(separator) != 1:
        raise UsageError(f"--delimiter {delimiter}: expected one character, or 'tab'")
    return separator


def sniff_delimiter(text: str) -> str:
    """The candidate delimiter found most often, outside quotes, in the header line."""
    header = _first_record(text)
    counts = {d: _count_unquoted(header, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _first_record(text: str) -> str:
    """The first CSV record of the text (a quoted field may hold newlines)."""
    in_quotes = False
    for i, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            return text[:i]
    return text


def _count_unquoted(line: str, delimiter: str) -> int:
    count, in_quotes = 0, False
    for char in line:
        if char == '"':
            in_quotes = not in_quotes
        elif char == delimiter and not in_quotes:
            count += 1
    return count


# Detection's first rows of a CSV file are parsed from the file's first bytes: a read of the file itself passes
# over all of it before it yields a row (a tenth of a second for 2M rows). They are read up to this many bytes.
FIRST_BYTES = 64 * 1024 * 1024


def first_rows(source: Source, rows: int) -> pl.DataFrame | None:
    """The first `rows` rows of a CSV file on disk (every row, when it has fewer), parsed from its first bytes
    as the file's own frame parses them; None when those bytes cannot say (longer rows than FIRST_BYTES allows,
    a quoted field cut short): the file itself is then read."""
    if source.separator is None:
        return None
    size = source.path.stat().st_size
    with source.path.open("rb") as handle:
        data = handle.read(SNIFF_BYTES)
        # The rows' length as the first ones have it, and a quarter more.
        wanted = len(data) * (rows + 2) * 5 // (4 * max(data.count(b"\n"), 1))
        if wanted > FIRST_BYTES and size > FIRST_BYTES:
            return None
        data += handle.read(max(wanted - len(data), 0))
    whole = len(data) >= size
    if not whole:
        data = data[: data.rfind(b"\n") + 1]  # the last line break; what follows may be cut short
    try:
        frame = _scan(data, source.separator, names=(*source.headers, *source.extras), n_rows=rows + 1).collect()
    except pl.exceptions.PolarsError:
        return None
    # Beyond the last line break a quoted field may hold line breaks: only a row after the ones wanted may be
    # cut short.
    return frame.head(rows) if whole or frame.height > rows else None


# Rows from across a file: SPREAD_PIECES pieces at evenly spaced places.
SPREAD_PIECES = 8
SPREAD_BYTES = 128 * 1024  # of a CSV file, per piece
SPREAD_ROWS = 1_000  # of other sources, per piece


def spread_rows(source: Source, columns: Sequence[str]) -> list[pl.DataFrame]:
    """Some rows of these columns from across the source, not only from its start, as hints (which labels a
    column has): a CSV piece begins at the first line break after a byte offset, so a piece that begins inside a
    quoted field may be misread, or is left out."""
    if source.separator is None:
        rows = source.frame.select(pl.len()).collect().item()
        step = max(rows // (SPREAD_PIECES + 1), 1)
        pieces = [source.frame.slice(i * step, SPREAD_ROWS).select(columns) for i in range(1, SPREAD_PIECES + 1)]
        return pl.collect_all(pieces)
    size = source.path.stat().st_size
    names = (*source.headers, *source.extras)
    found = []
    with source.path.open("rb") as handle:
        for i in range(1, SPREAD_PIECES + 1):
            handle.seek(size * i // (SPREAD_PIECES + 1))
            piece = handle.read(SPREAD_BYTES)
            start, end = piece.find(b"\n") + 1, piece.rfind(b"\n")
            if 0 < start < end:
                try:
                    found.append(
                        _scan(piece[start:end], source.separator, names=names, skip=False).select(columns).collect()
                    )
                except pl.exceptions.PolarsError:
                    continue  # a piece that began inside a quoted field
    return found
