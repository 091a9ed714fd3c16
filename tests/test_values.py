"""Parsing money, dates, statuses and flags as CRMs and spreadsheets write them (SPEC §1, Values)."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from renewals_cli.errors import InputError
from renewals_cli.load.values import (
    DateLayout,
    date,
    date_evidence,
    date_from,
    decide_layout,
    flag_from,
    money,
    money_from,
    non_empty,
    slashed_numbers,
    status,
    trimmed,
)


def parse_money(text: str | None, *, decimal_comma: bool = False) -> float | None:
    value: float | None = pl.select(money(pl.lit(text, dtype=pl.String), decimal_comma=decimal_comma)).item()
    return value


def parse_date(text: str | None, layout: DateLayout | None = None) -> dt.date | None:
    value: dt.date | None = pl.select(date(pl.lit(text, dtype=pl.String), layout or DateLayout())).item()
    return value


def parse_status(text: str | None) -> str | None:
    value: str | None = pl.select(status(pl.lit(text, dtype=pl.String))).item()
    return value


def parse_flag(text: str | None) -> bool | None:
    value: bool | None = pl.select(flag_from(pl.lit(text, dtype=pl.String), pl.String())).item()
    return value


def layout_of(texts: list[str]) -> str | None:
    first, second = slashed_numbers(pl.col("d"))
    counts = pl.DataFrame({"d": texts}, schema={"d": pl.String}).select(date_evidence(first, second, "d")).row(0)
    return decide_layout(*counts, column="Close Date", source="export.csv")


# ---------------------------------------------------------------------------------------------- money


def test_money_plain_number() -> None:
    assert parse_money("1234.5") == 1234.5


def test_money_thousands_separators() -> None:
    assert parse_money("1,234.50") == 1234.5


def test_money_currency_symbol() -> None:
    assert parse_money("$1,234.50") == 1234.5


def test_money_currency_code() -> None:
    assert parse_money("USD 1,234.50") == 1234.5


def test_money_thousands_suffix() -> None:
    assert parse_money("250k") == 250_000.0


def test_money_millions_suffix() -> None:
    assert parse_money("1.2M") == 1_200_000.0


def test_money_parentheses_are_negative() -> None:
    assert parse_money("(1,234.50)") == -1234.5


def test_money_minus_sign_is_negative() -> None:
    assert parse_money("-1,234.50") == -1234.5


def test_money_zero() -> None:
    assert parse_money("0") == 0.0


@pytest.mark.parametrize("text", ["garbage", "TBD", "1,23", "12.5.3", "(1,234.50", "1,234.50)", "", "  ", None])
def test_money_unparseable_is_null(text: str | None) -> None:
    assert parse_money(text) is None


def test_money_decimal_comma_only_when_named() -> None:
    assert parse_money("€1.234,50") is None
    assert parse_money("€1.234,50", decimal_comma=True) == 1234.5


def test_money_decimal_comma_reads_a_comma_as_the_decimal_mark() -> None:
    assert parse_money("1,5", decimal_comma=True) == 1.5
    assert parse_money("(1.234,50)", decimal_comma=True) == -1234.5


def test_money_with_decimal_comma_refuses_a_decimal_point_grouping() -> None:
    assert parse_money("1,234.50", decimal_comma=True) is None


@given(st.decimals(min_value=0, max_value=10**12, places=2))
def test_money_reads_back_what_a_spreadsheet_renders(amount: object) -> None:
    rendered = f"${amount:,.2f}"

    assert parse_money(rendered) == pytest.approx(float(str(amount)))
    assert parse_money(f"({rendered})") == pytest.approx(-float(str(amount)))


def test_money_from_a_numeric_column_keeps_finite_numbers() -> None:
    frame = pl.DataFrame({"amount": [1234.5, float("nan"), float("inf"), None, -3.0]})

    result = frame.select(money_from(pl.col("amount"), pl.Float64(), decimal_comma=False)).to_series()

    assert result.to_list() == [1234.5, None, None, None, -3.0]


def test_money_from_a_text_column_parses_it() -> None:
    frame = pl.DataFrame({"amount": ["$1,234.50", "250k", "n/a"]})

    result = frame.select(money_from(pl.col("amount"), pl.String(), decimal_comma=False)).to_series()

    assert result.to_list() == [1234.5, 250_000.0, None]


@pytest.mark.parametrize("text", ["١٢٣", "١٢٣.٥", "$١,٢٣٤.٥٠", "１２３", "12.٥"])
@pytest.mark.parametrize("shape", [None, "plain", "dollars"])
def test_money_in_digits_other_than_ascii_is_unparseable_whatever_its_shape(text: str, shape: str | None) -> None:
    # The shapes read by a cast match ASCII digits only; the general parser must then refuse these too.
    frame = pl.DataFrame({"amount": [text]})
    parsed = frame.select(money_from(pl.col("amount"), pl.String(), decimal_comma=False, shape=shape)).item()
    assert (parse_money(text), parsed) == (None, None)


# ---------------------------------------------------------------------------------------------- dates


def test_date_iso() -> None:
    assert parse_date("2026-03-31") == dt.date(2026, 3, 31)


@pytest.mark.parametrize("text", ["2026-03-31T10:00:00Z", "2026-03-31 14:22", "2026-03-31T23:59:59.123+02:00"])
def test_date_from_iso_datetime(text: str) -> None:
    assert parse_date(text) == dt.date(2026, 3, 31)


def test_date_us_layout_when_detected_month_first() -> None:
    assert parse_date("03/31/2026", DateLayout(slashed="mdy")) == dt.date(2026, 3, 31)


def test_date_day_first_layout_when_detected_day_first() -> None:
    assert parse_date("31/03/2026", DateLayout(slashed="dmy")) == dt.date(2026, 3, 31)
    assert parse_date("01/02/2026", DateLayout(slashed="dmy")) == dt.date(2026, 2, 1)


def test_date_slashed_layout_with_a_time_and_a_short_year() -> None:
    assert parse_date("3/31/26 10:00 AM", DateLayout(slashed="mdy")) == dt.date(2026, 3, 31)


def test_date_slashed_text_is_not_a_date_without_a_layout() -> None:
    assert parse_date("03/31/2026") is None


def test_date_named_pattern() -> None:
    assert parse_date("01/02/2026", DateLayout(pattern="%d/%m/%Y")) == dt.date(2026, 2, 1)
    assert parse_date("31.03.2026", DateLayout(pattern="%d.%m.%Y")) == dt.date(2026, 3, 31)


def test_date_named_pattern_with_a_time() -> None:
    assert parse_date("31/03/2026 14:22", DateLayout(pattern="%d/%m/%Y %H:%M")) == dt.date(2026, 3, 31)


def test_date_iso_still_reads_beside_a_named_pattern() -> None:
    assert parse_date("2026-03-31", DateLayout(pattern="%d/%m/%Y")) == dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        ("2026-02-30", DateLayout()),
        ("2026-13-01", DateLayout()),
        ("02/30/2026", DateLayout(slashed="mdy")),
        ("31/02/2026", DateLayout(pattern="%d/%m/%Y")),
        ("soon", DateLayout()),
        ("", DateLayout()),
        (None, DateLayout()),
    ],
)
def test_date_invalid_is_null(text: str | None, layout: DateLayout) -> None:
    assert parse_date(text, layout) is None


@pytest.mark.parametrize("text", ["2026-03-31T25:99", "2026-03-31 not a time"])
def test_date_invalid_datetime_is_null(text: str) -> None:
    assert parse_date(text) is None


def test_date_from_typed_columns() -> None:
    frame = pl.DataFrame({"d": [dt.date(2026, 3, 31)], "t": [dt.datetime(2026, 3, 31, 14, 22)], "s": ["2026-03-31"]})

    result = frame.select(
        date_from(pl.col("d"), pl.Date(), DateLayout()),
        date_from(pl.col("t"), pl.Datetime(), DateLayout()),
        date_from(pl.col("s"), pl.String(), DateLayout()),
    )

    assert result.row(0) == (dt.date(2026, 3, 31),) * 3


def test_decide_layout_month_first() -> None:
    assert decide_layout(3, 0, 5, column="Close Date", source="export.csv") == "mdy"


def test_decide_layout_day_first() -> None:
    assert decide_layout(0, 2, 5, column="Close Date", source="export.csv") == "dmy"


def test_decide_layout_no_slashed_dates() -> None:
    assert decide_layout(0, 0, 0, column="Close Date", source="export.csv") is None


def test_decide_layout_ambiguous_names_the_option() -> None:
    with pytest.raises(InputError) as caught:
        decide_layout(0, 0, 4, column="Close Date", source="export.csv")

    assert str(caught.value) == (
        "export.csv: dates in column 'Close Date' are ambiguous (01/02/2026 could be 2 January or 1 February); "
        "name the layout with --date-format %m/%d/%Y or --date-format %d/%m/%Y"
    )


def test_decide_layout_mixed_names_the_option() -> None:
    with pytest.raises(InputError) as caught:
        decide_layout(1, 1, 0, column="Close Date", source="export.csv")

    assert str(caught.value) == (
        "export.csv: column 'Close Date' mixes month-first and day-first dates; "
        "name the layout with --date-format (e.g. --date-format %m/%d/%Y)"
    )


def test_date_evidence_detects_month_first() -> None:
    assert layout_of(["03/31/2026", "04/01/2026", "2026-05-01"]) == "mdy"


def test_date_evidence_detects_day_first() -> None:
    assert layout_of(["31/03/2026", "01/04/2026"]) == "dmy"


def test_date_evidence_ambiguous_column() -> None:
    with pytest.raises(InputError, match=r"ambiguous .*--date-format"):
        layout_of(["01/02/2026", "03/04/2026"])


def test_date_evidence_mixed_column() -> None:
    with pytest.raises(InputError, match=r"mixes month-first and day-first dates; name the layout with --date-format"):
        layout_of(["03/31/2026", "31/03/2026"])


def test_date_evidence_iso_column_has_no_slashed_layout() -> None:
    assert layout_of(["2026-03-31", "2026-04-01T10:00:00Z"]) is None


# ---------------------------------------------------------------------------------------------- status

WON_LABELS = ["Closed Won", "Won", "Renewed", "Closed/Won", "closedwon", "Yes"]
LOST_LABELS = ["Closed Lost", "Lost", "Churned", "Cancelled", "closedlost", "No"]
OPEN_LABELS = ["Open", "Quoted", "Negotiation", "Contract sent", "Pending", "Closed", "Y"]


def spellings(label: str) -> list[str]:
    return [label, label.upper(), label.lower(), f"  {label}  ", label.replace(" ", "_"), label.replace(" ", "-")]


@pytest.mark.parametrize("label", [s for label in WON_LABELS for s in spellings(label)])
def test_status_won(label: str) -> None:
    assert parse_status(label) == "won"


@pytest.mark.parametrize("label", [s for label in LOST_LABELS for s in spellings(label)])
def test_status_lost(label: str) -> None:
    assert parse_status(label) == "lost"


@pytest.mark.parametrize("label", ["Closed - Won", "CLOSED_WON", "closed.won", "Closed Won!"])
def test_status_ignores_punctuation(label: str) -> None:
    assert parse_status(label) == "won"


@pytest.mark.parametrize("label", OPEN_LABELS)
def test_status_anything_else_non_empty_is_open(label: str) -> None:
    assert parse_status(label) == "open"


@pytest.mark.parametrize("label", ["", "   ", None])
def test_status_empty_is_null(label: str | None) -> None:
    assert parse_status(label) is None


def test_status_labels_are_configurable() -> None:
    frame = pl.DataFrame({"stage": ["Signed", "Walked", "Closed Won", "Open"]})

    result = frame.select(status(pl.col("stage"), won=["Signed"], lost=["walked away", "Walked"])).to_series()

    assert result.to_list() == ["won", "lost", "open", "open"]


# ---------------------------------------------------------------------------------------------- flags


@pytest.mark.parametrize("text", ["true", "TRUE", "True", "yes", "Yes", "1", "x", "X", " x "])
def test_strategic_true(text: str) -> None:
    assert parse_flag(text) is True


@pytest.mark.parametrize("text", ["false", "FALSE", "no", "No", "0", "", "  ", None])
def test_strategic_false(text: str | None) -> None:
    assert parse_flag(text) is False


@pytest.mark.parametrize("text", ["maybe", "2", "strategic", "-1"])
def test_strategic_garbage_is_null(text: str) -> None:
    assert parse_flag(text) is None


def test_strategic_from_typed_columns() -> None:
    frame = pl.DataFrame({"b": [True, False, None], "i": [1, 0, None]})

    result = frame.select(flag_from(pl.col("b"), pl.Boolean()), flag_from(pl.col("i"), pl.Int64()))

    assert result.rows() == [(True, True), (False, False), (False, False)]


def test_strategic_from_an_integer_other_than_0_or_1_is_null() -> None:
    result = pl.DataFrame({"i": [2]}).select(flag_from(pl.col("i"), pl.Int64())).item()

    assert result is None


# ---------------------------------------------------------------------------------------------- text


def test_text_is_trimmed_and_empty_is_null() -> None:
    frame = pl.DataFrame({"t": ["  Acme  ", "", "   ", None]})

    assert frame.select(non_empty(trimmed(pl.col("t")))).to_series().to_list() == ["Acme", None, None, None]


def test_text_of_an_integer_column() -> None:
    frame = pl.DataFrame({"t": [101, None]})

    assert frame.select(non_empty(trimmed(pl.col("t")))).to_series().to_list() == ["101", None]


@pytest.mark.parametrize("amount", [1e15, -1e15, float("inf"), float("nan"), 1e300])
def test_amounts_out_of_range_are_unparseable(amount: float) -> None:
    from renewals_cli.load.values import money_from

    frame = pl.DataFrame({"a": [amount, 999_999_999_999_999.0]})
    parsed = frame.select(money_from(pl.col("a"), pl.Float64(), decimal_comma=False))["a"].to_list()
    assert parsed == [None, 999_999_999_999_999.0]
