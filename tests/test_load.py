"""Loading whole exports: rejected rows and their reasons, encodings, delimiters, footers, formats (SPEC §1)."""

import codecs
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewals_cli.errors import InputError, UsageError
from renewals_cli.load import sources, validate
from renewals_cli.load.export import Export, LoadOptions, RowAccounting, load_export, rejected_rows
from renewals_cli.load.reasons import reject_reason
from renewals_cli.load.sources import sniff_delimiter
from renewals_cli.load.validate import ParseOptions
from renewals_cli.report import build_report
from renewals_cli.segments import Thresholds
from renewals_cli.window import Window

HEADER = "Opportunity ID,Account ID,Account Name,Rep,Expiry Date,Prior Amount,Status,Renewal Amount,Close Date"
OPEN_ROW = "O1,A1,Acme,Ann,2026-03-31,1000,Open,,"
WON_ROW = "O2,A2,Beta,Bob,2026-04-30,2000,Closed Won,2100,2026-04-15"
LOST_ROW = "O3,A3,Gamma,Cy,2026-05-31,500,Closed Lost,,2026-05-01"


def write(directory: Path, name: str, *lines: str, encoding: str = "utf-8") -> Path:
    path = directory / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def load(*paths: Path | str, **options: object) -> Export:
    return load_export([str(p) for p in paths], LoadOptions(**options))  # type: ignore[arg-type]


def accounting(export: Export) -> RowAccounting:
    """The row accounting, alone and from the report's single pass (which must agree)."""
    result = export.read()[0]
    assert result.read == result.accepted + result.rejected + result.skipped
    read = build_report(export, Window(as_of=dt.date(2026, 1, 1)), Thresholds(), ["batch,rep"])
    assert read.accounting == result
    assert read.in_window == result.accepted
    return result


def rows(export: Export) -> pl.DataFrame:
    """The typed rows, each rejected one with its reasons spelled out."""
    return export.rows.with_columns(reject_reason=reject_reason(pl.col("reject_code"))).collect()


# ----------------------------------------------------------------------------------------- rejections

REJECTIONS = [
    pytest.param("O9,,Zed,Zoe,2026-03-31,1000,Open,,", "missing account_id", id="missing-account_id"),
    pytest.param("O9,A9,Zed,,2026-03-31,1000,Open,,", "missing rep", id="missing-rep"),
    pytest.param("O9,A9,Zed,  ,2026-03-31,1000,Open,,", "missing rep", id="blank-rep"),
    pytest.param("O9,A9,Zed,Zoe,,1000,Open,,", "missing expiry_date", id="missing-expiry_date"),
    pytest.param("O9,A9,Zed,Zoe,2026-03-31,,Open,,", "missing prior_amount", id="missing-prior_amount"),
    pytest.param("O9,A9,Zed,Zoe,2026-03-31,1000,,,", "missing status", id="missing-status"),
    pytest.param("O9,A9,Zed,Zoe,2026-02-30,1000,Open,,", "invalid expiry_date", id="invalid-expiry_date"),
    pytest.param("O9,A9,Zed,Zoe,next spring,1000,Open,,", "invalid expiry_date", id="text-expiry_date"),
    pytest.param(
        "O9,A9,Zed,Zoe,2026-03-31,1000,Closed Lost,,2026-13-01", "invalid close_date", id="invalid-close_date"
    ),
    pytest.param("O9,A9,Zed,Zoe,2026-03-31,lots,Open,,", "invalid prior_amount", id="invalid-prior_amount"),
    pytest.param(
        "O9,A9,Zed,Zoe,2026-03-31,1000,Closed Won,TBD,2026-03-01",
        "invalid renewal_amount",
        id="invalid-renewal_amount",
    ),
    pytest.param("O9,A9,Zed,Zoe,2026-03-31,-1000,Open,,", "negative prior_amount", id="negative-prior_amount"),
    pytest.param(
        'O9,A9,Zed,Zoe,2026-03-31,"(1,000.00)",Open,,', "negative prior_amount", id="parenthesised-prior_amount"
    ),
    pytest.param(
        "O9,A9,Zed,Zoe,2026-03-31,1000,Closed Won,-5,2026-03-01",
        "negative renewal_amount",
        id="negative-renewal_amount",
    ),
    pytest.param(
        "O9,A9,Zed,Zoe,2026-03-31,1000,Closed Won,,2026-03-01",
        "won without renewal_amount",
        id="won-without-renewal_amount",
    ),
    pytest.param(
        "O9,A9,Zed,Zoe,2026-03-31,1000,Closed Won,1000,",
        "won/lost without close_date",
        id="won-without-close_date",
    ),
    pytest.param(
        "O9,A9,Zed,Zoe,2026-03-31,1000,Churned,,", "won/lost without close_date", id="lost-without-close_date"
    ),
    pytest.param("O1,A9,Zed,Zoe,2026-03-31,1000,Open,,", "duplicate opportunity_id", id="duplicate"),
]


@pytest.mark.parametrize(("line", "reason"), REJECTIONS)
def test_rejected_row_has_its_reason(tmp_path: Path, line: str, reason: str) -> None:
    export = load(write(tmp_path, "export.csv", HEADER, OPEN_ROW, line))

    assert rows(export).select("row", "reject_reason").rows() == [(1, None), (2, reason)]
    assert accounting(export) == RowAccounting(read=2, accepted=1, rejected=1, skipped=0, reasons={reason: 1})


def test_rejected_row_gives_every_reason(tmp_path: Path) -> None:
    line = "O9,A9,Zed,,2026-03-31,1000,Closed Won,,"
    export = load(write(tmp_path, "export.csv", HEADER, OPEN_ROW, line))

    assert rows(export)["reject_reason"].to_list() == [
        None,
        "missing rep; won without renewal_amount; won/lost without close_date",
    ]
    assert accounting(export) == RowAccounting(
        read=2,
        accepted=1,
        rejected=1,
        skipped=0,
        reasons={"missing rep": 1, "won without renewal_amount": 1, "won/lost without close_date": 1},
    )


def test_valid_open_won_and_lost_rows_are_accepted(tmp_path: Path) -> None:
    export = load(write(tmp_path, "export.csv", HEADER, OPEN_ROW, WON_ROW, LOST_ROW))

    assert rows(export).select(
        "opportunity_id",
        "account_id",
        "account_name",
        "rep",
        "expiry_date",
        "prior_amount",
        "status",
        "renewal_amount",
        "close_date",
    ).rows() == [
        ("O1", "A1", "Acme", "Ann", dt.date(2026, 3, 31), 1000.0, "open", None, None),
        ("O2", "A2", "Beta", "Bob", dt.date(2026, 4, 30), 2000.0, "won", 2100.0, dt.date(2026, 4, 15)),
        ("O3", "A3", "Gamma", "Cy", dt.date(2026, 5, 31), 500.0, "lost", None, dt.date(2026, 5, 1)),
    ]
    assert accounting(export) == RowAccounting(read=3, accepted=3, rejected=0, skipped=0, reasons={})
    assert export.accepted().collect().height == 3


def test_duplicate_keeps_the_first_occurrence(tmp_path: Path) -> None:
    export = load(write(tmp_path, "export.csv", HEADER, OPEN_ROW, WON_ROW, OPEN_ROW, OPEN_ROW))

    assert rows(export).select("opportunity_id", "reject_reason").rows() == [
        ("O1", None),
        ("O2", None),
        ("O1", "duplicate opportunity_id"),
        ("O1", "duplicate opportunity_id"),
    ]
    assert accounting(export).reasons == {"duplicate opportunity_id": 2}


def test_duplicate_across_two_files_keeps_the_first_file(tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", HEADER, OPEN_ROW)
    second = write(tmp_path, "b.csv", HEADER, WON_ROW, OPEN_ROW)

    export = load(first, second)

    assert rows(export).select("source", "row", "opportunity_id", "reject_reason").rows() == [
        (str(first), 1, "O1", None),
        (str(second), 1, "O2", None),
        (str(second), 2, "O1", "duplicate opportunity_id"),
    ]
    assert accounting(export) == RowAccounting(
        read=3,
        accepted=2,
        rejected=1,
        skipped=0,
        reasons={"duplicate opportunity_id": 1},
        duplicates_of_earlier_files=1,
    )


def test_duplicate_follows_the_order_files_are_given(tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", HEADER, OPEN_ROW)
    second = write(tmp_path, "b.csv", HEADER, OPEN_ROW.replace("Ann", "Bea"))

    export = load(second, first)

    assert rows(export).select("source", "rep", "reject_reason").rows() == [
        (str(second), "Bea", None),
        (str(first), "Ann", "duplicate opportunity_id"),
    ]


def test_rows_without_an_opportunity_id_are_never_duplicates(tmp_path: Path) -> None:
    export = load(write(tmp_path, "export.csv", HEADER, OPEN_ROW.replace("O1", ""), OPEN_ROW.replace("O1", "")))

    assert accounting(export) == RowAccounting(read=2, accepted=2, rejected=0, skipped=0, reasons={})


def test_invalid_strategic_flag_is_rejected(tmp_path: Path) -> None:
    export = load(write(tmp_path, "export.csv", f"{HEADER},Strategic", f"{OPEN_ROW},yes", f"{WON_ROW},maybe"))

    assert rows(export).select("strategic", "reject_reason").rows() == [
        (True, None),
        (None, "invalid strategic"),
    ]


def test_rejected_rows_are_the_original_columns_and_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export.csv",
        HEADER,
        OPEN_ROW,
        'O9,A9,Zed,Zoe,2026-03-31,"(1,000.00)",Open,,',
        "O8,A8,Yan,,31/31/2026,lots,Closed Won,,",
    )

    rejected = rejected_rows(load(path))

    assert rejected.columns == ["source", "row", *HEADER.split(","), "reject_reason"]
    assert rejected.rows() == [
        (
            str(path), 2, "O9", "A9", "Zed", "Zoe", "2026-03-31", "(1,000.00)", "Open", None, None,
            "negative prior_amount",
        ),
        (
            str(path), 3, "O8", "A8", "Yan", None, "31/31/2026", "lots", "Closed Won", None, None,
            "missing rep; invalid expiry_date; invalid prior_amount; won without renewal_amount; "
            "won/lost without close_date",
        ),
    ]  # fmt: skip


def test_rejected_rows_is_empty_when_nothing_is_rejected(tmp_path: Path) -> None:
    rejected = rejected_rows(load(write(tmp_path, "export.csv", HEADER, OPEN_ROW)))

    assert rejected.height == 0
    assert rejected.columns == ["source", "row", *HEADER.split(","), "reject_reason"]


@pytest.mark.parametrize(
    ("line", "extra"),
    [
        pytest.param("O9,A9,Zed,Zoe,2026-03-31,1,500,Closed Lost,,2026-03-01", ["2026-03-01"], id="unquoted-comma"),
        pytest.param("O9,A9,Zed,Zoe,2026-03-31,1000,Open,,,note", ["note"], id="one-extra"),
        pytest.param("O9,A9,Zed,Zoe,2026-03-31,1000,Open,,,,,,tail", [None, None, None, "tail"], id="after-empties"),
    ],
)
def test_row_with_more_fields_than_the_header_is_rejected_with_its_fields(
    tmp_path: Path, line: str, extra: list[str | None]
) -> None:
    export = load(write(tmp_path, "export.csv", HEADER, OPEN_ROW, line))

    assert rows(export)["reject_reason"].to_list() == [None, "more fields than the header"]
    rejected = rejected_rows(export)
    extras = [f"(extra field {i})" for i in range(1, len(extra) + 1)]
    assert rejected.columns == ["source", "row", *HEADER.split(","), *extras, "reject_reason"]
    assert list(rejected.select(extras).row(0)) == extra


def test_trailing_empty_fields_are_not_more_fields(tmp_path: Path) -> None:
    export = load(write(tmp_path, "export.csv", HEADER, OPEN_ROW + ",,", WON_ROW + ", ,"))

    assert accounting(export) == RowAccounting(read=2, accepted=2, rejected=0, skipped=0, reasons={})
    assert rows(export)["prior_amount"].to_list() == [1000.0, 2000.0]


def test_header_with_a_quoted_newline_is_one_record(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER.replace("Account Name", '"Account\nName"'), OPEN_ROW)

    assert rows(load(path))["account_name"].to_list() == ["Acme"]


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        pytest.param(
            "status",
            [True, False],
            "column 'status' holds boolean values; expected status labels such as Closed Won, Closed Lost or Open",
            id="boolean-status",
        ),
        pytest.param(
            "status", [1, 0], "column 'status' holds int64 values; expected status labels", id="numeric-status"
        ),
        pytest.param("rep", [["Ann"], ["Bob"]], "column 'rep' holds list values; expected one value", id="list"),
        pytest.param(
            "Owner", [{"name": "Ann"}, {"name": "Bob"}], "column 'Owner' (rep) holds struct values", id="struct"
        ),
    ],
)
def test_parquet_column_of_an_unreadable_type_is_an_error_naming_it(
    tmp_path: Path, column: str, values: list[object], message: str
) -> None:
    frame = pl.DataFrame(
        {"account_id": ["A1", "A2"], "rep": ["Ann", "Bob"], "expiry_date": [dt.date(2026, 3, 31)] * 2}
        | {"prior_amount": [1.0, 2.0], "status": ["Open", "Open"]}
    ).drop(column, "rep" if column == "Owner" else column, strict=False)
    path = tmp_path / "export.parquet"
    frame.with_columns(pl.Series(column, values)).write_parquet(path)

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value).startswith(f"{path}: {message}")


# ----------------------------------------------------------------------------------------- dates and money


def test_month_first_dates_are_detected(tmp_path: Path) -> None:
    path = write(
        tmp_path, "export.csv", HEADER, "O1,A1,Acme,Ann,03/31/2026,1000,Open,,", "O2,A2,Beta,Bob,04/01/2026,5,Open,,"
    )

    assert rows(load(path))["expiry_date"].to_list() == [dt.date(2026, 3, 31), dt.date(2026, 4, 1)]


def test_ambiguous_dates_are_an_error_naming_the_option(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER, "O1,A1,Acme,Ann,01/02/2026,1000,Open,,")

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == (
        f"{path}: dates in column 'Expiry Date' are ambiguous (01/02/2026 could be 2 January or 1 February); "
        "name the layout with --date-format %m/%d/%Y or --date-format %d/%m/%Y"
    )


def test_named_date_format_resolves_ambiguous_dates(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER, "O1,A1,Acme,Ann,01/02/2026,1000,Open,,")

    export = load(path, parse=ParseOptions(date_format="%d/%m/%Y"))

    assert rows(export)["expiry_date"].to_list() == [dt.date(2026, 2, 1)]


def test_decimal_comma_export(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export.csv",
        HEADER.replace(",", ";"),
        "O1;A1;Acme;Ann;2026-03-31;€1.234,50;Closed Won;1.300,00 €;2026-03-01",
    )

    export = load(path, parse=ParseOptions(decimal_comma=True))

    assert rows(export).select("prior_amount", "renewal_amount", "reject_reason").rows() == [(1234.5, 1300.0, None)]


# ----------------------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("cp1252", b""),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "windows-1252"],
)
def test_encoding_is_detected(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = f"{HEADER}\nO1,A1,Café €uro,Ann,2026-03-31,1000,Open,,\n"
    path = tmp_path / "export.csv"
    path.write_bytes(bom + text.encode(encoding))

    export = load(path)

    assert export.sources[0].headers[0] == "Opportunity ID"
    assert rows(export).select("opportunity_id", "account_name", "reject_reason").rows() == [("O1", "Café €uro", None)]


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        pytest.param(b"ascii" * 4 + "Zoë".encode() + b"ascii" * 4, "utf-8", id="utf-8-after-ascii-chunks"),
        # the first byte of `ë` ends a chunk and an ASCII chunk follows: not UTF-8
        pytest.param(b"abc" + "ë".encode()[:1] + b"asciiasc", "cp1252", id="cut-character-then-ascii-chunk"),
        pytest.param(b"ascii" * 4 + "Renée".encode("cp1252") + b"ascii" * 4, "cp1252", id="cp1252-after-ascii-chunks"),
        pytest.param(b"abc" + "ë".encode() + b"ascii" * 4, "utf-8", id="character-split-across-chunks"),
    ],
)
def test_encoding_is_read_in_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, encoding: str
) -> None:
    monkeypatch.setattr(sources, "CHUNK_BYTES", 4)  # ASCII chunks are checked, not decoded
    path = tmp_path / "export.csv"
    path.write_bytes(content)

    assert sources.detect_encoding(path, content[:4]) == encoding


def test_utf16_tab_separated_export(tmp_path: Path) -> None:
    # What Excel writes as "Unicode Text".
    text = f"{HEADER}\n{WON_ROW}\n".replace(",", "\t")
    path = tmp_path / "export.txt"
    path.write_bytes(text.encode("utf-16"))

    export = load(path)

    assert rows(export).select("opportunity_id", "renewal_amount", "reject_reason").rows() == [("O2", 2100.0, None)]


def test_explicit_encoding_is_used_instead_of_detection(tmp_path: Path) -> None:
    # These cp1252 bytes are also valid UTF-8 ("é"), so detection alone would read them as UTF-8.
    path = tmp_path / "export.csv"
    path.write_bytes(f"{HEADER}\nO1,A1,CafÃ©,Ann,2026-03-31,1000,Open,,\n".encode("cp1252"))

    assert rows(load(path))["account_name"].to_list() == ["Café"]
    assert rows(load(path, encoding="cp1252"))["account_name"].to_list() == ["CafÃ©"]


def test_explicit_encoding_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(f"{HEADER}\n{OPEN_ROW}\n".encode("utf-16-le"))

    export = load(path, encoding="utf-16-le")

    assert rows(export).select("opportunity_id", "reject_reason").rows() == [("O1", None)]


def test_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER, OPEN_ROW)

    with pytest.raises(UsageError) as caught:
        load(path, encoding="klingon")

    assert str(caught.value) == "--encoding klingon: unknown encoding (use a Python codec name such as cp1252)"


def test_undecodable_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(f"{HEADER}\nO1,A1,Café,Ann,2026-03-31,1000,Open,,\n".encode("cp1252"))

    with pytest.raises(InputError) as caught:
        load(path, encoding="ascii")

    assert str(caught.value) == f"{path}: cannot be decoded as ascii; name the encoding with --encoding"


# ----------------------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize("delimiter", [";", "\t", "|"], ids=["semicolon", "tab", "pipe"])
def test_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    path = write(tmp_path, "export.csv", HEADER.replace(",", delimiter), WON_ROW.replace(",", delimiter))

    export = load(path)

    assert export.sources[0].headers == tuple(HEADER.split(","))
    assert rows(export).select("opportunity_id", "prior_amount", "close_date", "reject_reason").rows() == [
        ("O2", 2000.0, dt.date(2026, 4, 15), None)
    ]


def test_semicolon_export_keeps_commas_inside_values(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER.replace(",", ";"), "O1;A1;Acme, Inc.;Ann;2026-03-31;1,000.00;Open;;")

    assert rows(load(path)).select("account_name", "prior_amount").rows() == [("Acme, Inc.", 1000.0)]


@pytest.mark.parametrize(("delimiter", "char"), [(";", ";"), ("tab", "\t"), ("\t", "\t"), ("|", "|")])
def test_delimiter_given(tmp_path: Path, delimiter: str, char: str) -> None:
    # The header has more commas than delimiters, so detection alone would pick the comma.
    notes = "Notes, " + ", ".join(["etc"] * 12)
    header = f"{HEADER.replace(',', char)}{char}{notes}"
    path = write(tmp_path, "export.csv", header, OPEN_ROW.replace(",", char) + f"{char}call back, later")
    assert sniff_delimiter(header) == ","

    export = load(path, delimiter=delimiter)

    assert export.sources[0].headers == (*HEADER.split(","), notes)
    assert rows(export).select("opportunity_id", "prior_amount", "reject_reason").rows() == [("O1", 1000.0, None)]


def test_delimiter_of_several_characters_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER, OPEN_ROW)

    with pytest.raises(UsageError) as caught:
        load(path, delimiter=";;")

    assert str(caught.value) == "--delimiter ;;: expected one character, or 'tab'"


# ----------------------------------------------------------------------------------------- footer

SALESFORCE_FOOTER = (
    "",
    '"Grand Totals (3 records)"',
    '"Confidential Information - Do Not Distribute"',
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
)


def test_salesforce_footer_is_skipped_not_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "report.csv", HEADER, OPEN_ROW, WON_ROW, LOST_ROW, *SALESFORCE_FOOTER)

    export = load(path)

    # The blank line before the footer is skipped too.
    assert accounting(export) == RowAccounting(read=7, accepted=3, rejected=0, skipped=4, reasons={})
    assert rows(export).filter(pl.col("skipped"))["opportunity_id"].to_list() == [
        None,
        "Grand Totals (3 records)",
        "Confidential Information - Do Not Distribute",
        "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
    ]
    assert export.accepted().collect()["opportunity_id"].to_list() == ["O1", "O2", "O3"]
    assert rejected_rows(export).height == 0


def test_salesforce_footer_in_a_quoted_export(tmp_path: Path) -> None:
    quoted = [",".join(f'"{cell}"' for cell in line.split(",")) for line in (HEADER, OPEN_ROW, WON_ROW)]
    path = write(tmp_path, "report.csv", *quoted, *SALESFORCE_FOOTER)

    assert accounting(load(path)) == RowAccounting(read=6, accepted=2, rejected=0, skipped=4, reasons={})


def test_footer_words_in_a_real_row_do_not_skip_it(tmp_path: Path) -> None:
    path = write(tmp_path, "report.csv", HEADER, "Grand Totals,A1,Acme,Ann,2026-03-31,1000,Open,,")

    assert accounting(load(path)) == RowAccounting(read=1, accepted=1, rejected=0, skipped=0, reasons={})


def test_a_line_of_empty_cells_is_skipped_and_a_lone_cell_after_the_first_is_a_rejected_row(tmp_path: Path) -> None:
    path = write(tmp_path, "report.csv", HEADER, OPEN_ROW, ",,,,,,,,", ",,Acme,,,,,,", ",,,,,,,,Grand Totals")

    assert accounting(load(path)) == RowAccounting(
        read=4,
        accepted=1,
        rejected=2,
        skipped=1,
        reasons={
            "missing account_id": 2,
            "missing expiry_date": 2,
            "missing prior_amount": 2,
            "missing rep": 2,
            "missing status": 2,
            "invalid close_date": 1,
        },
    )


def test_a_file_of_one_column_skips_its_footer(tmp_path: Path) -> None:
    path = write(tmp_path, "report.csv", "X", "O1", "Grand Totals (1 records)")
    required = ("opportunity_id", "account_id", "rep", "expiry_date", "prior_amount", "status")

    export = load(path, column_map=dict.fromkeys(required, "X"))

    assert accounting(export) == RowAccounting(
        read=2, accepted=0, rejected=1, skipped=1, reasons={"invalid expiry_date": 1, "invalid prior_amount": 1}
    )


@pytest.mark.parametrize(
    ("prior", "renewal", "arr", "reason"),
    [
        ("1000000000000000", "5", "", "invalid prior_amount"),
        ("-1000000000000000", "5", "", "invalid prior_amount"),  # out of range, not negative
        ("-999999999999999", "5", "", "negative prior_amount"),
        ("10", "1000000000000000", "", "invalid renewal_amount"),
        ("10", "5", "-1000000000000000", "invalid arr"),
        ("10", "5", "-3", "negative arr"),
    ],
)
def test_amounts_out_of_range_make_their_row_invalid(
    tmp_path: Path, prior: str, renewal: str, arr: str, reason: str
) -> None:
    path = write(
        tmp_path, "report.csv", f"{HEADER},ARR", f"O1,A1,Acme,Ann,2026-03-31,{prior},Won,{renewal},2026-03-01,{arr}"
    )

    assert accounting(load(path)) == RowAccounting(read=1, accepted=0, rejected=1, skipped=0, reasons={reason: 1})


# ----------------------------------------------------------------------------------------- currencies


def test_several_currencies_are_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export.csv",
        f"{HEADER},Currency",
        f"{OPEN_ROW},USD",
        f"{WON_ROW},JPY",
        f"{LOST_ROW},EUR",
    )

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == (
        f"{path}: amounts are in several currencies (EUR, JPY, USD) and there is no converted amount; "
        "export converted amounts or one currency per file"
    )


def test_one_currency_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", f"{HEADER},Currency", f"{OPEN_ROW},USD", f"{WON_ROW},USD", f"{LOST_ROW},")

    assert accounting(load(path)) == RowAccounting(read=3, accepted=3, rejected=0, skipped=0, reasons={})


def test_several_currencies_with_a_converted_amount_are_fine(tmp_path: Path) -> None:
    header = HEADER.replace("Renewal Amount", "Amount (Converted)") + ",Currency"
    path = write(tmp_path, "export.csv", header, f"{OPEN_ROW},USD", f"{WON_ROW},JPY")

    export = load(path)

    assert rows(export).select("renewal_amount", "reject_reason").rows() == [(None, None), (2100.0, None)]


# ----------------------------------------------------------------------------------------- parquet


def test_parquet_gives_the_same_typed_rows_as_csv(tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "export.csv",
        "Opportunity ID,Account ID,Rep,Expiry Date,Prior Amount,Status,Renewal Amount,Close Date,Strategic,ARR",
        "101,7,Ann,2026-03-31,1000.5,Closed Won,1100,2026-03-20,true,5000",
        "102,8,Bob,2026-04-30,2000,Open,,,false,",
        "103,9,Cy,2026-05-31,-3,Closed Lost,,,,",
    )
    parquet = tmp_path / "export.parquet"
    pl.DataFrame(
        {
            "Opportunity ID": [101, 102, 103],
            "Account ID": [7, 8, 9],
            "Rep": ["Ann", "Bob", "Cy"],
            "Expiry Date": [dt.date(2026, 3, 31), dt.date(2026, 4, 30), dt.date(2026, 5, 31)],
            "Prior Amount": [1000.5, 2000.0, -3.0],
            "Status": ["Closed Won", "Open", "Closed Lost"],
            "Renewal Amount": [1100.0, None, None],
            "Close Date": [dt.date(2026, 3, 20), None, None],
            "Strategic": [True, False, None],
            "ARR": [5000.0, None, None],
        },
        schema_overrides={"Opportunity ID": pl.Int64, "Account ID": pl.Int32},
    ).write_parquet(parquet)

    from_csv = rows(load(csv)).drop("source")
    from_parquet = rows(load(parquet)).drop("source")

    assert_frame_equal(from_parquet, from_csv)
    assert from_parquet.select("opportunity_id", "account_id", "reject_reason").rows() == [
        ("101", "7", None),
        ("102", "8", None),
        ("103", "9", "negative prior_amount; won/lost without close_date"),
    ]


def test_parquet_rejected_rows_are_the_original_values_as_text(tmp_path: Path) -> None:
    parquet = tmp_path / "export.parquet"
    pl.DataFrame(
        {
            "Account": ["A1"],
            "Rep": ["Ann"],
            "Expiry Date": [dt.date(2026, 3, 31)],
            "Prior Amount": [-3.5],
            "Status": ["Open"],
        }
    ).write_parquet(parquet)

    rejected = rejected_rows(load(parquet))

    assert rejected.rows() == [(str(parquet), 1, "A1", "Ann", "2026-03-31", "-3.5", "Open", "negative prior_amount")]


def test_csv_and_parquet_files_concatenate(tmp_path: Path) -> None:
    csv = write(tmp_path, "a.csv", HEADER, OPEN_ROW)
    parquet = tmp_path / "b.parquet"
    pl.read_csv(write(tmp_path, "b.csv", HEADER, WON_ROW), infer_schema=False).write_parquet(parquet)

    export = load(csv, parquet)

    assert rows(export).select("opportunity_id", "status", "reject_reason").rows() == [
        ("O1", "open", None),
        ("O2", "won", None),
    ]


# ----------------------------------------------------------------------------------------- files and globs


def test_glob_concatenates_matching_files_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, "part2.csv", HEADER, WON_ROW, LOST_ROW)
    write(tmp_path, "part1.csv", HEADER, OPEN_ROW)
    write(tmp_path, "other.csv", HEADER, OPEN_ROW.replace("O1", "O7"))

    export = load(tmp_path / "part*.csv")

    assert [s.path.name for s in export.sources] == ["part1.csv", "part2.csv"]
    assert rows(export).select("opportunity_id", "row").rows() == [("O1", 1), ("O2", 1), ("O3", 2)]
    assert accounting(export) == RowAccounting(read=3, accepted=3, rejected=0, skipped=0, reasons={})


def test_files_with_different_aliases_concatenate(tmp_path: Path) -> None:
    first = write(tmp_path, "a.csv", HEADER, OPEN_ROW)
    second = write(tmp_path, "b.csv", "Customer,Owner,Contract End Date,ATR,Stage", "A5,Dee,2026-06-30,750,Renewal")

    export = load(first, second)

    assert rows(export).select("account_id", "rep", "prior_amount", "status").rows() == [
        ("A1", "Ann", 1000.0, "open"),
        ("A5", "Dee", 750.0, "open"),
    ]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_file_whose_name_has_glob_characters_is_read(tmp_path: Path, suffix: str) -> None:
    plain = write(tmp_path, "plain.csv", HEADER, OPEN_ROW)
    path = tmp_path / f"export[1]{suffix}"
    if suffix == ".csv":
        path.write_bytes(plain.read_bytes())
    else:
        pl.read_csv(plain, infer_schema=False).write_parquet(path)

    export = load(path)

    assert rows(export).select("opportunity_id", "reject_reason").rows() == [("O1", None)]


def test_file_whose_name_has_spaces_and_parentheses_is_read(tmp_path: Path) -> None:
    export = load(write(tmp_path, "export (1).csv", HEADER, OPEN_ROW))

    assert rows(export).select("opportunity_id", "reject_reason").rows() == [("O1", None)]


def test_rejected_rows_match_the_count_when_a_file_is_given_twice(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", HEADER, OPEN_ROW, "O9,A9,Zed,Zoe,2026-03-31,-1,Open,,")

    export = load(path, tmp_path / "*.csv")

    assert rejected_rows(export).height == accounting(export).rejected


def test_glob_matching_nothing_is_an_error_naming_it(tmp_path: Path) -> None:
    pattern = tmp_path / "exports-*.csv"

    with pytest.raises(InputError) as caught:
        load(pattern)

    assert str(caught.value) == f"{pattern}: no file matches this pattern"


def test_directory_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path)

    assert str(caught.value) == f"{tmp_path}: is a directory, expected a CSV or Parquet file"


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == f"{path}: no such file"


@pytest.mark.parametrize(
    "content", [b"", b"\n\n", b"   \r\n", codecs.BOM_UTF8], ids=["empty", "blank", "spaces", "bom"]
)
def test_empty_file_is_an_error_naming_it(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == f"{path}: the file is empty, expected a header row and renewal opportunities"


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    export = load(write(tmp_path, "export.csv", HEADER))

    assert rows(export).height == 0
    assert accounting(export) == RowAccounting(read=0, accepted=0, rejected=0, skipped=0, reasons={})
    assert rejected_rows(export).height == 0


@pytest.mark.parametrize("name", ["export.xlsx", "export.zip", "export.csv"])
def test_damaged_zip_or_spreadsheet_is_an_error_naming_it(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == f"{path}: not a readable zip file (File is not a zip file)"


def test_damaged_parquet_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "export.parquet"
    path.write_bytes(b"not parquet at all")

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value) == f"{path}: not a readable Parquet file (ComputeError)"


def test_missing_required_column_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", "Account,Expiry Date,Prior Amount,Status", "A1,2026-03-31,1000,Open")

    with pytest.raises(InputError) as caught:
        load(path)

    assert str(caught.value).startswith(f"{path}: no column for required 'rep' (looked for headers: rep, Rep, ")


def test_map_overrides_the_alias_end_to_end(tmp_path: Path) -> None:
    path = write(
        tmp_path, "export.csv", "Account,Sales Person,Expiry Date,Prior Amount,Status", "A1,Ann,2026-03-31,1,Open"
    )

    export = load(path, column_map={"rep": "Sales Person"})

    assert rows(export)["rep"].to_list() == ["Ann"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("unterminated.csv", f'{HEADER}\n{OPEN_ROW}\n"O2,A2,Beta\n'.encode()),
    ],
    ids=["unterminated-quote"],
)
@pytest.mark.parametrize(
    "parse",
    [
        ParseOptions(),
        ParseOptions(date_format="%Y-%m-%d"),
    ],
    ids=["detected-dates", "date-format"],
)
def test_unreadable_csv_is_an_error_naming_it(tmp_path: Path, name: str, content: bytes, parse: ParseOptions) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(InputError, match=rf"^{path}: "):
        export = load(path, parse=parse)
        export.read()[0]


@pytest.mark.parametrize(
    ("first", "later", "amount"),
    [
        pytest.param("1000", "$1,234.50", 1234.5, id="plain-then-dollars"),
        pytest.param("$1,000.00", "1234.5", 1234.5, id="dollars-then-plain"),
        pytest.param("1000", "USD 1,234.50", 1234.5, id="plain-then-code"),
        pytest.param("1000", "1.2k", 1200.0, id="plain-then-suffix"),
    ],
)
def test_a_money_value_unlike_the_columns_first_ones_is_still_parsed(
    tmp_path: Path, first: str, later: str, amount: float
) -> None:
    # Detection checks a money column for the shape of its first values only; a later value of another shape
    # must send the column through the general parser, not be read as invalid.
    sample = validate.SHAPE_SAMPLE
    lines = [f'O{i},A{i},Acme,Ann,2026-03-31,"{first}",Open,,' for i in range(sample + 5)]
    lines.append(f'O-last,A-last,Acme,Ann,2026-03-31,"{later}",Open,,')
    export = load(write(tmp_path, "export.csv", HEADER, *lines))
    typed = rows(export)
    assert typed["reject_code"].sum() == 0
    assert typed.filter(pl.col("opportunity_id") == "O-last")["prior_amount"].item() == amount
