"""Inputs as CRMs hand them over: workbooks, compressed and zipped CSV, standard input, named pipes and devices,
line endings, mixed encodings, text that looks alike, snapshots of one report, and options that cannot work."""

import bz2
import codecs
import csv
import datetime as dt
import gzip
import io
import lzma
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

from renewals_cli.errors import InputError, UsageError, listed
from renewals_cli.load import sources, values
from renewals_cli.load.export import Export, LoadOptions, load_export, rejected_rows
from tests.clirun import run

SAMPLE = Path(__file__).parents[1] / "sample_data" / "salesforce.csv"
HEADER = "opportunity_id,account_id,rep,expiry_date,prior_amount,status,renewal_amount,close_date"
ROWS = (
    "O1,A1,Ann,2026-03-31,1000,Open,,",
    "O2,A2,Bob,2026-04-30,2000,Closed Won,2100,2026-04-15",
    "O3,A3,Cy,2026-05-31,500,Closed Lost,,2026-05-01",
)
CSV = ("\n".join((HEADER, *ROWS)) + "\n").encode()


def load(*paths: Path | str, **options: object) -> Export:
    return load_export([str(p) for p in paths], LoadOptions(**options))  # type: ignore[arg-type]


def accepted(export: Export) -> pl.DataFrame:
    return export.accepted().drop("source", "normalised").collect()


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


# ----------------------------------------------------------------------------------------- workbooks


def workbook(path: Path, rows: list[dict[str, str]], *, sheets: tuple[str, ...] = ("Report",)) -> Path:
    """An .xlsx as a spreadsheet holds a CRM export: dates as dates, amounts as numbers, the rest as text."""
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "mm/dd/yyyy"})
    money_format = book.add_format({"num_format": "$#,##0.00"})
    for name in sheets:
        sheet = book.add_worksheet(name)
        headers = list(rows[0])
        sheet.write_row(0, 0, headers)
        for r, row in enumerate(rows, start=1):
            for c, header in enumerate(headers):
                value = row[header]
                if not value:
                    continue
                if "/" in value and value.replace("/", "").isdigit():
                    sheet.write_datetime(r, c, dt.datetime.strptime(value, "%m/%d/%Y"), date_format)
                elif value.startswith("$"):
                    sheet.write_number(r, c, float(value[1:].replace(",", "")), money_format)
                else:
                    sheet.write_string(r, c, value)
    book.close()
    return path


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_workbook_gives_the_accepted_rows_of_the_same_export_as_csv(tmp_path: Path) -> None:
    book = workbook(tmp_path / "salesforce.xlsx", sample_rows())

    assert_frame_equal(accepted(load(book)), accepted(load(SAMPLE)))


def test_a_workbook_keeps_row_numbers_rejects_and_the_salesforce_footer(tmp_path: Path) -> None:
    rows = sample_rows()[:3]
    rows[1]["Available To Renew"] = "n/a"  # rejected, on the sheet's row 3
    blank = dict.fromkeys(rows[0], "")
    footer = [blank | {"Opportunity ID": text} for text in ("Grand Totals (3 records)", "Confidential Information")]
    book = workbook(tmp_path / "report.xlsx", [*rows, blank, *footer])

    export = load(book)
    counted = export.read()[0]

    assert (counted.read, counted.accepted, counted.rejected, counted.skipped) == (6, 2, 1, 3)
    assert counted.reasons == {"invalid prior_amount": 1}
    assert rejected_rows(export).select("row", "Available To Renew").rows() == [(2, "n/a")]


def test_the_sheet_is_the_first_or_the_one_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rows = sample_rows()[:2]
    book = workbook(tmp_path / "report.xlsx", rows, sheets=("Summary", "Details"))
    assert load(book).read()[0].read == 2
    assert load(book, sheet="Details").read()[0].read == 2

    missing = run(capsys, "validate", str(book), "--sheet", "Nope")
    assert missing.exit_code == 1
    assert missing.stderr == f"Error: {book}: no sheet named 'Nope' (sheets: Summary, Details); name one with --sheet\n"

    not_a_workbook = run(capsys, "validate", str(write(tmp_path / "e.csv", CSV)), "--sheet", "Details")
    assert not_a_workbook.exit_code == 2
    assert not_a_workbook.stderr == ("Error: --sheet Details: names a sheet of an Excel workbook, and no FILE is one\n")


def test_a_damaged_workbook_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml")

    with pytest.raises(InputError, match=rf"^{path}: not a readable workbook \("):
        load(path)


# ----------------------------------------------------------------------------------------- compressed and zipped


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("export.csv.gz", gzip.compress),
        ("export.csv.bz2", bz2.compress),
        ("export.csv.xz", lzma.compress),
        ("export.gz", gzip.compress),  # by its first bytes, whatever its name
    ],
)
def test_compressed_csv_is_read_as_the_csv(tmp_path: Path, name: str, pack: object) -> None:
    path = write(tmp_path / name, pack(CSV))  # type: ignore[operator]

    assert_frame_equal(accepted(load(path)), accepted(load(write(tmp_path / "plain.csv", CSV))))


def test_zstd_is_named_as_compressed(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv.zst", b"\x28\xb5\x2f\xfd" + bytes(20))

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == f"{path}: is zstd-compressed; decompress it first (zstd -d), or compress it with gzip"


def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_a_zip_of_one_csv_is_read_as_the_csv(tmp_path: Path) -> None:
    path = zipped(tmp_path / "export.zip", {"export.csv": CSV, "__MACOSX/._export.csv": b"junk", "README.md": b"hi"})

    assert_frame_equal(accepted(load(path)), accepted(load(write(tmp_path / "plain.csv", CSV))))


@pytest.mark.parametrize(
    ("members", "found"),
    [
        ({"a.csv": CSV, "b.csv": CSV}, "2 (found: a.csv, b.csv)"),
        ({"notes.pdf": b"%PDF"}, "0 (found: notes.pdf)"),
        ({}, "0 (found: nothing)"),
    ],
    ids=["two", "none", "empty"],
)
def test_a_zip_without_exactly_one_csv_is_a_one_line_error(
    tmp_path: Path, members: dict[str, bytes], found: str
) -> None:
    path = zipped(tmp_path / "export.zip", members)

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == (
        f"{path}: a zip file must hold exactly one CSV file, this one holds {found}; unzip it and name the files"
    )


def test_a_damaged_zip_is_an_error_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path / "export.zip", b"PK\x03\x04" + bytes(200))

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == f"{path}: not a readable zip file (File is not a zip file)"


def test_what_decompresses_beyond_the_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_MEMORY_BYTES", 100)
    path = write(tmp_path / "bomb.csv.gz", gzip.compress(CSV + b"x" * 1000))

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == f"{path}: more than 9.53674e-05 MiB once decompressed; decompress it first (gzip -d)"


# ----------------------------------------------------------------------------------------- streams


def test_standard_input_is_read_once_as_a_stream(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CSV)))

    result = run(capsys, "validate", "-", "-", "--format", "json")  # named twice, read once

    assert result.exit_code == 0, result.stderr
    assert '"read": 3' in result.stdout
    assert '"file": "standard input"' in result.stdout


def test_standard_input_may_be_compressed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(CSV))))

    result = run(capsys, "validate", "-", "--format", "json")

    assert result.exit_code == 0, result.stderr
    assert '"accepted": 3' in result.stdout


def test_a_stream_beyond_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_MEMORY_BYTES", 1000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CSV + b"O9,A9,Zed,2026-01-01,1,Open,,\n" * 100)))

    with pytest.raises(InputError) as caught:
        load("-")

    assert str(caught.value) == "standard input: more than 0.000953674 MiB; save it as a file and name the file"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_binary_device_is_refused_at_once(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")

    with pytest.raises(InputError) as caught:
        load(device)

    assert str(caught.value).startswith(f"{device}: not a text export (binary content)")


def test_dev_null_is_an_empty_file() -> None:
    with pytest.raises(InputError, match=r"^/dev/null: the file is empty"):
        load("/dev/null")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_is_read_once(tmp_path: Path) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("wb") as handle:
            handle.write(CSV)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        export = load(fifo)
        counted = export.read()[0]
    finally:
        writer.join(timeout=10)
    assert (counted.read, counted.accepted) == (3, 3)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_the_installed_command_reads_standard_input_from_a_pipe() -> None:
    renewals = Path(sys.executable).with_name("renewals")
    result = subprocess.run(
        [str(renewals), "validate", "-", "--format", "json"],
        input=CSV,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b'"accepted": 3' in result.stdout


# ----------------------------------------------------------------------------------------- line endings, binary


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", "mixed"], ids=["lf", "crlf", "cr", "mixed"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_every_line_ending_reads_every_row(tmp_path: Path, ending: str, encoding: str) -> None:
    lines = (HEADER, *ROWS, "O4,A4,Dee,2026-06-30,,Open,,")  # the last one rejected
    if ending == "mixed":
        text = lines[0] + "\r" + lines[1] + "\r\n" + lines[2] + "\n" + lines[3] + "\r" + lines[4] + "\r\n"
    else:
        text = ending.join(lines) + ending
    path = write(tmp_path / "export.csv", text.replace("Ann", "Zoë").encode(encoding))

    export = load(path)
    counted = export.read()[0]

    assert (counted.read, counted.accepted, counted.rejected) == (4, 3, 1)
    assert counted.reasons == {"missing prior_amount": 1}
    assert export.accepted().select("rep").collect().to_series().to_list() == ["Zoë", "Bob", "Cy"]


def test_a_binary_file_is_not_a_text_export(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", bytes(range(256)) * 16)

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == (
        f"{path}: not a text export (binary content); expected CSV, Parquet or an Excel workbook "
        f"(if it is text, name its encoding with --encoding)"
    )


def test_a_stray_nul_byte_is_still_text(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", CSV.replace(b"A1,", b"A1\x00,"))

    assert load(path).read()[0].accepted == 3


# ----------------------------------------------------------------------------------------- encodings


def test_one_windows_1252_line_does_not_garble_the_utf8_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = (
        f"{HEADER}\n".encode()
        + "O1,A1,Zoë Müller,2026-03-31,1000,Open,,\n".encode()
        + "O2,A2,Renée,2026-04-30,2000,Open,,\n".encode("cp1252")
        + "O3,A3,José,2026-05-31,500,Open,,\n".encode()
    )
    path = write(tmp_path / "export.csv", content)

    result = run(capsys, "segments", str(path), "--format", "csv")

    assert result.exit_code == 0, result.stderr
    assert sorted(pl.read_csv(result.stdout.encode())["reps"]) == ["José", "Renée", "Zoë Müller"]
    assert result.stderr.splitlines()[1] == f"{path}: 1 line is not UTF-8, read as Windows-1252 (line 3)"


def test_a_windows_1252_file_is_read_as_such_without_a_note(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", CSV.replace(b"Ann", "Renée".encode("cp1252")))

    export = load(path)

    assert export.notes == ()
    assert export.accepted().select("rep").collect().to_series().to_list() == ["Renée", "Bob", "Cy"]


def test_a_bom_then_windows_1252_bytes_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", codecs.BOM_UTF8 + CSV.replace(b"Ann", "Zoë".encode("cp1252")))

    assert load(path).accepted().select("rep").collect().to_series().to_list() == ["Zoë", "Bob", "Cy"]


def test_a_line_neither_utf8_nor_windows_1252_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", "Zoë,x\n".encode() + CSV.replace(b"Ann", b"A\x81n"))

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == f"{path}: line 3 is neither UTF-8 nor Windows-1252; name the encoding with --encoding"


@pytest.mark.parametrize("codec", ["rot13", "hex", "zlib_codec", "base64"])
def test_an_encoding_that_is_not_a_text_codec_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, codec: str
) -> None:
    result = run(capsys, "validate", str(write(tmp_path / "e.csv", CSV)), "--encoding", codec)

    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: Invalid value for '--encoding': {codec}: not an encoding files are written in "
        "(use a Python codec name such as cp1252)\n"
    )


def test_an_encoding_that_fails_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", CSV)

    result = run(capsys, "validate", str(path), "--encoding", "undefined")

    assert result.exit_code == 2
    assert result.stderr.endswith(
        "undefined: not an encoding files are written in (use a Python codec name such as cp1252)\n"
    )


# ----------------------------------------------------------------------------------------- text made alike


def test_names_that_look_alike_are_one_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = [
        "opportunity_id,account_id,rep,expiry_date,prior_amount,status,csm,batch",
        "O1,ACME,Ann Lee,2026-03-31,100,Open,Renée,B1",
        "O2,ACME\u200b,Ann\u00a0Lee,2026-03-31,100,Open,Rene\u0301e,B1\ufeff",
        "O3,\ufeffACME,Ann  Lee,2026-03-31,100,Open, Renée ,\u00a0B1",
    ]
    path = write(tmp_path / "export.csv", ("\n".join(lines) + "\n").encode())

    export = load(path)
    rows = export.accepted().select("account_id", "rep", "csm", "batch").unique().collect()
    result = run(capsys, "segments", str(path), "--format", "csv")

    assert rows.rows() == [("ACME", "Ann Lee", "Renée", "B1")]
    assert export.read()[0].normalised == {"account_id": 2, "rep": 2, "batch": 1, "csm": 1}
    assert result.stderr.splitlines()[-1] == (
        "Text made alike: 6 values (account_id 2, rep 2, batch 1, csm 1) had invisible characters, unusual spaces "
        "or decomposed accents, read as the names they look like"
    )


def test_plain_text_is_not_said_to_be_made_alike(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", CSV.replace(b"Ann", b" Ann "))

    result = run(capsys, "segments", str(path))

    assert load(path).read()[0].normalised == {}
    assert "Text made alike" not in result.stderr


def test_a_name_of_invisible_characters_only_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", CSV.replace(b"Ann", "\u200b\u00a0".encode()))

    assert load(path).read()[0].reasons == {"missing rep": 1}


# ----------------------------------------------------------------------------------------- snapshots


def test_snapshots_of_one_report_say_how_to_compare_them(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    write(tmp_path / "exports" / "2026-05-01.csv", CSV)
    write(tmp_path / "exports" / "2026-05-08.csv", CSV.replace(b"Open,,", b"Closed Lost,,2026-05-05"))

    result = run(capsys, "report", str(tmp_path / "exports" / "*.csv"), "--as-of", "2026-05-10", "--format", "csv")

    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "Rows: 6 read · 3 accepted · 3 rejected (--rejects PATH lists them)",
        "Warning: 3 rows repeat an opportunity_id of an earlier file, rejected as duplicates (the earlier file's "
        "row is kept); to compare snapshots of one report, run `renewals changes OLD NEW`",
    ]


def test_duplicates_within_one_file_give_no_snapshot_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = write(tmp_path / "a.csv", CSV + ROWS[0].encode() + b"\n")
    second = write(tmp_path / "b.csv", f"{HEADER}\nO7,A7,Ann,2026-03-31,1000,Open,,\n".encode())

    result = run(capsys, "report", str(first), str(second), "--as-of", "2026-05-10", "--format", "csv")

    assert load(first, second).read()[0].duplicates_of_earlier_files == 0
    assert "Warning" not in result.stderr


# ----------------------------------------------------------------------------------------- paths and options


def test_a_symlink_loop_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")

    result = run(capsys, "validate", str(tmp_path / "a.csv"))

    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'a.csv'}: cannot be read (Too many levels of symbolic links)\n"


def test_a_file_name_too_long_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / ("x" * 300 + ".csv")

    result = run(capsys, "validate", str(path))

    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: cannot be read (File name too long)\n"


def test_a_directory_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "validate", str(tmp_path))

    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}: is a directory, expected a CSV or Parquet file\n"


@pytest.mark.parametrize("delimiter", ["§", "€", "\u00a6"])
def test_a_delimiter_of_several_bytes_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, delimiter: str
) -> None:
    result = run(capsys, "validate", str(write(tmp_path / "e.csv", CSV)), "--delimiter", delimiter)

    assert result.exit_code == 2
    assert result.stderr == f"Error: --delimiter {delimiter}: expected an ASCII character such as ; or |, or 'tab'\n"


def test_columns_named_like_the_rejects_files_are_kept(tmp_path: Path) -> None:
    content = b"row,source,opportunity_id,account_id,rep,expiry_date,prior_amount,status,reject_reason\n"
    content += b"7,crm,O1,A1,Ann,2026-03-31,n/a,Open,old\n8,crm,O2,A2,Bob,2026-03-31,10,Open,\n"
    path = write(tmp_path / "export.csv", content)

    export = load(path)
    rejected = rejected_rows(export)

    assert export.read()[0].accepted == 1
    assert rejected.columns[:3] == ["source", "row", "row (file)"]
    assert rejected.select("row", "row (file)", "source (file)", "reject_reason (file)", "reject_reason").rows() == [
        (1, "7", "crm", "old", "invalid prior_amount")
    ]


# ----------------------------------------------------------------------------------------- short errors


def test_a_mistyped_map_on_a_wide_export_quotes_ten_headers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    headers = [*HEADER.split(","), *(f"custom_field_{i}" for i in range(5_000))]
    path = write(tmp_path / "wide.csv", (",".join(headers) + "\n").encode())

    result = run(capsys, "validate", str(path), "--map", "rep=Owner Name")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: --map rep=Owner Name names a header the file does not have (headers: opportunity_id, "
        "account_id, rep, expiry_date, prior_amount, status, renewal_amount, close_date, custom_field_0, "
        "custom_field_1 … and 4,998 more)\n"
    )


def test_listed_cuts_long_items_and_long_lists() -> None:
    assert listed(["a", "b"]) == "a, b"
    assert listed(["x" * 100]) == "x" * 59 + "…"
    assert listed([str(i) for i in range(12)], limit=3) == "0, 1, 2 … and 9 more"


def test_usage_error_is_exit_2() -> None:
    assert UsageError("x").exit_code == 2


# ----------------------------------------------------------------------------------------- many small files


def snapshots(directory: Path, count: int) -> str:
    """`count` weekly snapshots of one small report: the same opportunities, some rejected, a footer."""
    directory.mkdir()
    for week in range(count):
        lines = [HEADER, *ROWS, f"W{week},A9,Zed,2026-06-30,n/a,Open,,", "Grand Totals (4 records),,,,,,,"]
        write(directory / f"2026-w{week:02d}.csv", ("\n".join(lines) + "\n").encode())
    return str(directory / "*.csv")


def test_many_small_files_read_as_one_give_the_rows_each_file_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern = snapshots(tmp_path / "exports", 5)
    alone = load(pattern)
    monkeypatch.setattr(sources, "GROUP_FROM", 2)
    size = (tmp_path / "exports" / "2026-w00.csv").stat().st_size
    monkeypatch.setattr(sources, "GROUP_BYTES", 2 * size)  # two files a group: three groups
    together = load(pattern)

    assert [len(source.files) for source in together.sources] == [2, 2, 0]  # the last file alone
    assert str(together.sources[0].path) == f"{tmp_path}/exports/2026-w00.csv (and 1 more file like it)"
    assert_frame_equal(together.rows.collect(), alone.rows.collect())
    assert_frame_equal(rejected_rows(together), rejected_rows(alone))
    assert together.read()[0] == alone.read()[0]
    assert together.read()[0].duplicates_of_earlier_files == 12  # 3 rows in each of 4 later files


def test_files_of_another_layout_are_not_read_with_a_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "GROUP_FROM", 2)
    pattern = snapshots(tmp_path / "exports", 3)
    write(tmp_path / "exports" / "2026-w01.csv", CSV.replace(b"opportunity_id,", b"Opportunity ID,"))

    export = load(pattern)

    assert [len(source.files) for source in export.sources] == [0, 0, 0]
    assert export.read()[0].read == 13


@pytest.mark.parametrize("kind", ["parquet", "xlsx"])
def test_standard_input_may_be_parquet_or_a_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    plain = load(write(tmp_path / "plain.csv", CSV))
    if kind == "parquet":
        path = tmp_path / "export.parquet"
        pl.read_csv(CSV, infer_schema=False).write_parquet(path)
    else:
        path = workbook(tmp_path / "export.xlsx", list(csv.DictReader(io.StringIO(CSV.decode()))))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))

    assert_frame_equal(accepted(load("-")), accepted(plain))


@pytest.mark.parametrize(
    ("text", "alike"),
    [
        ("Renée", "Renée"),  # composed already: left as it is
        ("Rene\u0301e", "Renée"),
        ("\u212bngstr\u00f6m", "\u00c5ngstr\u00f6m"),  # the Angstrom sign is the letter Å
        ("\u1100\u1161", "\uac00"),  # Hangul jamo composed
        ("Ann\tLee", "Ann Lee"),
        ("Ann \u2009Lee", "Ann Lee"),
        ("A\u00adnn", "Ann"),  # soft hyphen
        ("\u200e\u05d3\u05df", "\u05d3\u05df"),  # direction mark
        ("  Ann  ", "Ann"),
    ],
)
def test_text_key_values(text: str, alike: str) -> None:
    value, unusual = values.text_key(pl.lit(text, dtype=pl.String))
    made, source = pl.select(value, unusual.alias("u")).row(0)

    assert made == alike
    assert (source is not None and source != made) == (text.strip() != alike)


def test_a_named_wide_encoding_is_text_not_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "export.csv", CSV.decode().encode("utf-32-le"))

    assert load(path, encoding="utf-32-le").read()[0].accepted == 3
    with pytest.raises(InputError, match="not a text export"):
        load(path)
