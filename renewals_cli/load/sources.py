"""Reading export files as text tables: paths and globs, standard input, formats (CSV, Parquet, workbooks,
compressed and zipped CSV), encodings, line endings, delimiters (SPEC §1)."""

import bz2
import codecs
import contextlib
import errno
import glob
import gzip
import io
import lzma
import re
import stat
import sys
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Protocol

import polars as pl

from renewals_cli.errors import InputError, UsageError, first_line, listed

PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"  # xlsx, ods, zip
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy xls
GZIP_MAGIC = b"\x1f\x8b"
BZIP2_MAGIC = b"BZh"
XZ_MAGIC = b"\xfd7zXZ\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class Readable(Protocol):
    """A file, a pipe or a decompressing stream, read as bytes."""

    def read(self, size: int = -1, /) -> bytes: ...


# Decompressors of the standard library, by their file's first bytes (zstd has none before Python 3.14).
DECOMPRESSORS: dict[bytes, tuple[str, Callable[[BinaryIO], io.BufferedIOBase]]] = {
    GZIP_MAGIC: ("gzip", lambda handle: gzip.GzipFile(fileobj=handle)),  # (each opened in a `with`)
    BZIP2_MAGIC: ("bzip2", lambda handle: bz2.BZ2File(handle)),
    XZ_MAGIC: ("xz", lambda handle: lzma.LZMAFile(handle)),  # noqa: SIM115
}
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
# Encoding detection reads the whole file in chunks of this size (one that fits in the CPU's cache).
CHUNK_BYTES = 1024 * 1024
# What is read into memory rather than from disk (standard input, a named pipe, a decompressed or unzipped CSV)
# is refused beyond this size: a stream that never ends (`/dev/zero`, `yes`) cannot grow memory without bound.
MAX_MEMORY_BYTES = 1024**3
# A text export holds almost no control characters (a stray NUL, at most); random bytes have one in ten.
MAX_CONTROL_SHARE = 0.05
CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
# A line ends with CR LF, LF, or (old Mac exports) CR alone, which the CSV reader does not see as a line break.
LONE_CR = re.compile(rb"\r(?!\n)")
STDIN = "-"
STDIN_NAME = "standard input"
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
# A CSV row may hold more fields than the header (an unquoted comma shifts every later value): the first fields
# beyond the header are read into columns of their own, so the row can be rejected rather than read with shifted
# values. Each such column costs a little on every row.
EXTRA_FIELD = "(extra field {})"
# A source's kind, as a message names it.
KINDS = {"csv": "CSV", "parquet": "Parquet", "xlsx": "a workbook"}
EXTRA_FIELDS = 4


@dataclass(frozen=True)
class Source:
    """One file of the export, read as a lazy frame whose columns keep the file's headers."""

    path: Path
    frame: pl.LazyFrame
    headers: tuple[str, ...]
    kind: str  # "csv", "parquet" or "xlsx" (a workbook's sheet, every cell as text)
    extras: tuple[str, ...] = ()  # CSV: columns holding fields beyond the header (null when there are none)
    separator: str | None = None  # a CSV file read from disk (UTF-8): its delimiter
    notes: tuple[str, ...] = ()  # what reading it changed, to be said (lines decoded as Windows-1252)
    # Several small CSV files of one layout read as one (see `grouped`): its frame has each row's file and row
    # number in FILE_COLUMN and ROW_COLUMN, and `path` names the first file and how many more.
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Reading:
    """How text files are read: a codec (None: detected), a delimiter (None: detected), a workbook's sheet
    (None: the first)."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def expand_paths(patterns: Sequence[str]) -> list[Path]:
    """Expand each argument that is a glob; keep the order given, each file once (`-`, standard input, too).
    A glob matching nothing is an error."""
    paths: list[Path] = []
    for pattern in patterns:
        if glob.has_magic(pattern) and not _exists(Path(pattern)):
            matches = sorted(glob.glob(pattern))  # noqa: PTH207 - Path.glob takes no absolute patterns
            if not matches:
                raise InputError(f"{pattern}: no file matches this pattern")
            paths.extend(Path(m) for m in matches)
        else:
            paths.append(Path(pattern))
    # A file named twice (`a.csv` and `*.csv`) is read once: its rows are not counted twice.
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(_resolved(path), path)
    return list(unique.values())


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long, say
        return False


def _resolved(path: Path) -> Path:
    if str(path) == STDIN:
        return path
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: named as given, and refused when opened
        return path.absolute()


def open_source(path: Path, *, encoding: str | None, delimiter: str | None, sheet: str | None = None) -> Source:
    """Open one file (or `-`, standard input): CSV, Parquet, a workbook's sheet, or a CSV compressed or alone in a
    zip file. Every CSV and workbook cell is read as text, so values are parsed by our rules."""
    reading = Reading(encoding=encoding, delimiter=delimiter, sheet=sheet)
    if str(path) == STDIN:
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise InputError(f"{STDIN_NAME}: not available to read from")
        return _open_stream(Path(STDIN_NAME), stream, reading)
    mode = _mode(path)
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, expected a CSV or Parquet file")
    if not stat.S_ISREG(mode):  # a named pipe or a device: read once, as a stream
        try:
            with path.open("rb", buffering=0) as handle:
                return _open_stream(path, handle, reading)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if head.startswith(PARQUET_MAGIC) or path.suffix.lower() in (".parquet", ".pq"):
        return _open_parquet(path, path)
    if _is_packed(head):
        return _open_packed(path, path, head, reading)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise InputError(f"{path}: the file is empty, expected a header row and renewal opportunities")
    return _open_csv(path, head, reading)


def _mode(path: Path) -> int:
    """The file's type, or an error naming what stops it from being read."""
    try:
        return path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise InputError(f"{path}: no such file") from None
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _is_packed(head: bytes) -> bool:
    """A workbook, a zip file, or a compressed file (whatever its name)."""
    return head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC, OLE_MAGIC, ZSTD_MAGIC, *DECOMPRESSORS))


def _open_packed(name: Path, data: Path | bytes, head: bytes, reading: Reading) -> Source:
    """A workbook's sheet, the one CSV of a zip file, or a compressed file's content."""
    if head.startswith(OLE_MAGIC) or (head.startswith(ZIP_MAGIC) and _is_workbook(data)):
        return _open_workbook(name, data, reading.sheet)
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return _open_bytes(name, _unzipped(name, data), reading, packed=False)
    if head.startswith(ZSTD_MAGIC):
        raise InputError(f"{name}: is zstd-compressed; decompress it first (zstd -d), or compress it with gzip")
    kind, opener = next(value for magic, value in DECOMPRESSORS.items() if head.startswith(magic))
    try:
        with _binary(data) as raw, opener(raw) as handle:
            content = _read_capped(name, handle, f" once decompressed; decompress it first ({kind} -d)")
    except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
        raise InputError(f"{name}: not a readable {kind} file ({first_line(exc)})") from None
    return _open_bytes(name, content, reading, packed=False)


def _binary(data: Path | bytes) -> BinaryIO:
    return data.open("rb") if isinstance(data, Path) else io.BytesIO(data)


def _is_workbook(data: Path | bytes) -> bool:
    """A zip file that is an Excel (xlsx, xlsm, xlsb) or OpenDocument spreadsheet."""
    try:
        with zipfile.ZipFile(_binary(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
                return True
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return False
    return any(n.startswith("xl/workbook.") for n in names)


def _unzipped(name: Path, data: Path | bytes) -> bytes:
    """The content of the one CSV in a zip file."""
    try:
        with zipfile.ZipFile(_binary(data)) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and not m.filename.startswith("__MACOSX/") and Path(m.filename).name[:1] != "."
            ]
            tables = [m for m in members if Path(m.filename).suffix.lower() in CSV_SUFFIXES]
            if len(tables) != 1:
                found = listed([m.filename for m in members]) if members else "nothing"
                raise InputError(
                    f"{name}: a zip file must hold exactly one CSV file, this one holds {len(tables)} "
                    f"(found: {found}); unzip it and name the files"
                )
            with archive.open(tables[0]) as handle:
                return _read_capped(name, handle, " once unzipped; unzip it first")
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zipfile.LargeZipFile) as exc:
        raise InputError(f"{name}: not a readable zip file ({first_line(exc)})") from None


def _read_capped(name: Path, handle: Readable, beyond: str) -> bytes:
    """Everything the handle holds, read in chunks, refused beyond MAX_MEMORY_BYTES."""
    chunks, size = [], 0
    while size <= MAX_MEMORY_BYTES and (chunk := handle.read(CHUNK_BYTES)):
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_MEMORY_BYTES:
        raise InputError(f"{name}: more than {_size(MAX_MEMORY_BYTES)}{beyond}")
    return b"".join(chunks)


def _size(count: int) -> str:
    return f"{count / 1024**3:g} GiB" if count >= 1024**3 else f"{count / 1024**2:g} MiB"


def _open_stream(name: Path, handle: Readable, reading: Reading) -> Source:
    """Standard input or a named pipe, read once: a binary stream is refused from its first bytes (`/dev/zero`
    never ends), any other is read whole, up to MAX_MEMORY_BYTES."""
    try:
        head = _read_some(handle, SNIFF_BYTES)
        if not (head.startswith(PARQUET_MAGIC) or _is_packed(head)):
            _refuse_binary(name, head, reading.encoding)
        data = head + _read_capped(name, handle, "; save it as a file and name the file") if head else b""
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_MEMORY_BYTES:
        raise InputError(f"{name}: more than {_size(MAX_MEMORY_BYTES)}; save it as a file and name the file")
    return _open_bytes(name, data, reading)


def _read_some(handle: Readable, count: int) -> bytes:
    """Up to `count` bytes (a pipe hands them over a little at a time)."""
    data = b""
    while len(data) < count and (chunk := handle.read(count - len(data))):
        data += chunk
    return data


def _open_bytes(name: Path, data: bytes, reading: Reading, *, packed: bool = True) -> Source:
    """A file's content held in memory, whatever its format."""
    head = data[:SNIFF_BYTES]
    if head.startswith(PARQUET_MAGIC):
        return _open_parquet(name, data)
    if packed and _is_packed(head):
        return _open_packed(name, data, head, reading)
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise InputError(f"{name}: the file is empty, expected a header row and renewal opportunities")
    _refuse_binary(name, head, reading.encoding)
    text, notes = decode(name, data, reading.encoding)
    return _csv_from_text(name, text, reading.delimiter, notes)


def _open_parquet(name: Path, data: Path | bytes) -> Source:
    try:
        frame = pl.scan_parquet(data, glob=False) if isinstance(data, Path) else pl.read_parquet(data).lazy()
        schema = frame.collect_schema()
    except Exception as exc:  # polars raises several unrelated types for a damaged file
        raise InputError(f"{name}: not a readable Parquet file ({type(exc).__name__})") from None
    return Source(path=name, frame=frame, headers=tuple(schema), kind="parquet")


def _open_workbook(name: Path, data: Path | bytes, sheet: str | None) -> Source:
    """One sheet (the first, unless named) of a workbook, every cell as text: a date cell reads as an ISO date
    and time, a number as its digits, so the rules for CSV text apply unchanged. Empty rows are kept (and
    skipped as blank lines are) so that row numbers are those of the sheet, less its header row."""
    import fastexcel

    source = data if isinstance(data, Path) else io.BytesIO(data)
    try:
        names = fastexcel.read_excel(data).sheet_names
        if sheet is not None and sheet not in names:
            raise InputError(f"{name}: no sheet named '{sheet}' (sheets: {listed(names)}); name one with --sheet")
        frame = pl.read_excel(
            source,
            sheet_name=sheet or names[0],
            engine="calamine",
            read_options={"dtypes": "string", "header_row": 0},
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except InputError:
        raise
    except Exception as exc:  # fastexcel and polars raise several unrelated types for a damaged workbook
        raise InputError(f"{name}: not a readable workbook ({first_line(exc)})") from None
    assert isinstance(frame, pl.DataFrame)
    if not frame.columns:
        raise InputError(
            f"{name}: sheet '{sheet or names[0]}' is empty, expected a header row and renewal opportunities"
        )
    return Source(path=name, frame=frame.lazy(), headers=tuple(frame.columns), kind="xlsx")


def _open_csv(path: Path, head: bytes, reading: Reading) -> Source:
    """A CSV file on disk: read by the CSV reader itself when it is UTF-8 with CR LF or LF line ends, else decoded
    into memory first."""
    codec = _text_codec(reading.encoding) if reading.encoding else None
    _refuse_binary(path, head, codec)
    if codec is None or codecs.lookup(codec).name == "utf-8":
        utf8, lone_cr = survey(path, head)
        if (utf8 or codec is not None) and not lone_cr:
            return _csv_from_disk(path, head, reading.delimiter)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    text, notes = decode(path, data, codec)
    return _csv_from_text(path, text, reading.delimiter, notes)


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _csv_from_disk(path: Path, head: bytes, delimiter: str | None) -> Source:
    separator = _separator(delimiter) if delimiter else sniff_delimiter(head.decode("utf-8-sig", errors="replace"))
    return _csv_source(path, path, separator)


def _csv_from_text(name: Path, text: str, delimiter: str | None, notes: tuple[str, ...] = ()) -> Source:
    """A CSV file decoded in memory; lines ending in a lone CR end there, as the others do."""
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = re.sub("\r(?!\n)", "\n", text)
    separator = _separator(delimiter) if delimiter else sniff_delimiter(text[:SNIFF_BYTES])
    return replace(_csv_source(name, text.encode("utf-8"), separator), notes=notes)


def _csv_source(name: Path, data: Path | bytes, separator: str) -> Source:
    try:
        headers = tuple(_scan(data, separator, n_rows=0).collect_schema().names())
        extras = tuple(EXTRA_FIELD.format(i) for i in range(1, EXTRA_FIELDS + 1))
        frame = _scan(data, separator, names=(*headers, *extras))
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{name}: not a readable CSV file ({first_line(exc)})") from None
    on_disk = separator if isinstance(data, Path) else None
    return Source(path=name, frame=frame, headers=headers, kind="csv", extras=extras, separator=on_disk)


def _text_codec(encoding: str) -> str:
    """The codec named by --encoding, when it is one that decodes bytes into text."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise UsageError(f"--encoding {encoding}: unknown encoding (use a Python codec name such as cp1252)") from None
    # rot13, hex, zlib_codec and the like turn text into text or bytes into bytes.
    if not getattr(info, "_is_text_encoding", True):
        raise UsageError(f"--encoding {encoding}: not a text encoding (use a codec name such as utf-8 or cp1252)")
    return encoding


def _refuse_binary(name: Path, head: bytes, encoding: str | None) -> None:
    """Refuse a file that is not text (random bytes, an image, /dev/zero) from its first bytes."""
    sample = head
    if encoding is not None or head.startswith(UTF16_BOMS):  # UTF-16 and UTF-32 text is half NUL bytes
        with contextlib.suppress(UnicodeError):  # a codec that decodes nothing (`undefined`): decoding says so
            sample = head.decode(_text_codec(encoding or "utf-16"), errors="replace").encode("utf-8", "replace")
    if sample and len(CONTROL.findall(sample)) > MAX_CONTROL_SHARE * len(sample):
        raise InputError(
            f"{name}: not a text export (binary content); expected CSV, Parquet or an Excel workbook "
            f"(if it is text, name its encoding with --encoding)"
        )


def decode(name: Path, data: bytes, encoding: str | None) -> tuple[str, tuple[str, ...]]:
    """The text of a file, and what decoding it has to say. With no encoding named: UTF-16 or UTF-8 by their BOM,
    else UTF-8 line by line, a line that is not UTF-8 being read as Windows-1252 (so that one such line does not
    garble the accented names of every other)."""
    if encoding is not None:
        try:
            return data.decode(_text_codec(encoding)), ()
        except (UnicodeError, ValueError):
            raise InputError(f"{name}: cannot be decoded as {encoding}; name the encoding with --encoding") from None
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16"), ()
        except UnicodeError:
            raise InputError(f"{name}: cannot be decoded as utf-16; name the encoding with --encoding") from None
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    return _decode_lines(name, data)


# Two bytes that UTF-8 could have written (a lead byte, then a continuation byte).
UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _decode_lines(name: Path, data: bytes) -> tuple[str, tuple[str, ...]]:
    """UTF-8 text in which some lines are Windows-1252. A file with no UTF-8 character at all is simply
    Windows-1252 (said by no note: it is what a spreadsheet on Windows writes)."""
    if not UTF8_PAIR.search(data):
        return _cp1252(name, data, 1), ()
    parts: list[str] = []
    good: list[str] = []
    bad: list[int] = []
    at = 0
    while True:
        try:
            good.append(data[at:].decode("utf-8"))
            parts.append(good[-1])
            break
        except UnicodeDecodeError as exc:
            wrong = at + exc.start
            start = data.rfind(b"\n", 0, wrong) + 1
            end = data.find(b"\n", wrong)
            end = len(data) if end < 0 else end + 1
            good.append(data[at:start].decode("utf-8"))
            parts.append(good[-1])
            line = data[:start].count(b"\n") + 1
            parts.append(_cp1252(name, data[start:end], line))
            bad.append(line)
            at = end
    text = "".join(parts)
    if all(part.isascii() for part in good):  # every non-ASCII line was Windows-1252: the file is
        return text, ()
    shown = ", ".join(str(n) for n in bad[:10]) + (f" and {len(bad) - 10:,} more" if len(bad) > 10 else "")
    some = "1 line is" if len(bad) == 1 else f"{len(bad):,} lines are"
    return text, (f"{name}: {some} not UTF-8, read as Windows-1252 (line {shown})",)


def _cp1252(name: Path, data: bytes, line: int) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        at = line + data[: exc.start].count(b"\n")
        raise InputError(
            f"{name}: line {at} is neither UTF-8 nor Windows-1252; name the encoding with --encoding"
        ) from None


def survey(path: Path, head: bytes) -> tuple[bool, bool]:
    """Whether the whole file is UTF-8, and whether a line of it ends in a lone CR (old Mac line ends, or a
    stray one), read in chunks: the whole file never sits in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, lone_cr, pending_cr = not head.startswith(UTF16_BOMS), False, False
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if b"\r" in chunk or pending_cr:
                lone_cr = lone_cr or (pending_cr and not chunk.startswith(b"\n")) or bool(LONE_CR.search(chunk[:-1]))
                pending_cr = chunk.endswith(b"\r")
            # ASCII is UTF-8, and checking it is ten times cheaper than decoding (unless a character split
            # across chunks is pending).
            if utf8 and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    return utf8, lone_cr or pending_cr


def detect_encoding(path: Path, head: bytes) -> str:
    """UTF-16 and UTF-8 by their BOM; otherwise UTF-8 when the whole file decodes as UTF-8, else Windows-1252
    (read line by line: see `decode`)."""
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    return "utf-8" if survey(path, head)[0] else "cp1252"


def _scan(
    data: Path | bytes | list[Path],
    separator: str,
    *,
    names: Sequence[str] = (),
    n_rows: int | None = None,
    skip: bool = True,
    file_column: str | None = None,
) -> pl.LazyFrame:
    """Every field as text. With `names`, the header line is skipped (unless not `skip`) and the columns take
    these names; rows with fewer fields get nulls, fields beyond the last name are dropped. Several files are
    read one after the other (each row's file in `file_column`)."""
    options = {
        "separator": separator,
        "infer_schema": False,
        "truncate_ragged_lines": True,
        "missing_columns": "insert",
        "n_rows": n_rows,
    }
    if names:
        options |= {"has_header": False, "skip_rows": int(skip), "schema": dict.fromkeys(names, pl.String)}
    if file_column is not None:
        options["include_file_paths"] = file_column
    if isinstance(data, Path | list):
        return pl.scan_csv(data, glob=False, **options)  # type: ignore[arg-type]
    return pl.read_csv(data, **options).lazy()  # type: ignore[arg-type]


def _separator(delimiter: str) -> str:
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    separator = named.get(delimiter.lower(), delimiter)
    if len(separator) != 1:
        raise UsageError(f"--delimiter {delimiter}: expected one character, or 'tab'")
    if not separator.isascii() or separator in '"\r\n':
        # The CSV reader splits fields on one byte: a character UTF-8 writes in several cannot be one.
        raise UsageError(f"--delimiter {delimiter}: expected an ASCII character such as ; or |, or 'tab'")
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


# Many small CSV files of one layout (a glob of weekly snapshots, a folder of daily exports) are read as one
# table: read each on its own, every file costs a plan, a detection pass and buffers of its own, and a few
# thousand of them took gigabytes. A run of at least GROUP_FROM such files (UTF-8 on disk, the same headers and
# delimiter, each under GROUP_BYTES) is read as groups of at most GROUP_BYTES in all: numbering each file's rows
# holds one group in memory at a time.
GROUP_FROM = 16
GROUP_BYTES = 64 * 1024**2
FILE_COLUMN = "__file"
ROW_COLUMN = "__row"


def grouped(opened: Sequence[Source]) -> list[Source]:
    """The sources, with each run of small CSV files of one layout read as groups (see GROUP_FROM)."""
    result: list[Source] = []
    run: list[tuple[Source, int]] = []

    def flush() -> None:
        if len(run) < GROUP_FROM:
            result.extend(source for source, _ in run)
        else:
            group: list[Source] = []
            size = 0
            for source, bytes_ in run:
                if group and size + bytes_ > GROUP_BYTES:
                    result.append(_group(group))
                    group, size = [], 0
                group.append(source)
                size += bytes_
            result.append(_group(group))
        run.clear()

    for source in opened:
        size = source.path.stat().st_size if source.separator is not None else GROUP_BYTES + 1
        layout = (source.headers, source.separator)
        if run and (run[0][0].headers, run[0][0].separator) != layout:
            flush()
        if size <= GROUP_BYTES and not source.notes:
            run.append((source, size))
        else:
            flush()
            result.append(source)
    flush()
    return result


def _group(sources: Sequence[Source]) -> Source:
    """Files of one layout as one source, each row with its file and its row number in that file."""
    first = sources[0]
    if len(sources) == 1:
        return first
    assert first.separator is not None
    files = tuple(source.path for source in sources)
    frame = _scan(list(files), first.separator, names=(*first.headers, *first.extras), file_column=FILE_COLUMN)
    frame = frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).over(FILE_COLUMN).alias(ROW_COLUMN))
    more = len(files) - 1
    name = Path(f"{first.path} (and {more:,} more {'file' if more == 1 else 'files'} like it)")
    return Source(path=name, frame=frame, headers=first.headers, kind="csv", extras=first.extras, files=files)
