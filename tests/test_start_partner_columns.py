"""The optional `start_date` and `partner` columns: aliases, typing, and a rejected row for a bad start date."""

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from renewals_cli.errors import InputError
from renewals_cli.load.export import Export, LoadOptions, load_export
from renewals_cli.load.reasons import reject_reason
from renewals_cli.load.validate import ParseOptions

REQUIRED = "Account ID,Rep,Expiry Date,Prior Amount,Status"


def load(tmp_path: Path, *lines: str, **options: object) -> Export:
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_export([str(path)], LoadOptions(**options))  # type: ignore[arg-type]


def typed(export: Export) -> pl.DataFrame:
    return export.rows.with_columns(reject_reason=reject_reason(pl.col("reject_code"))).collect()


@pytest.mark.parametrize(
    "header", ["Start Date", "Contract Start Date", "Customer Since", "Onboarding Date", "Subscription Start Date"]
)
def test_start_date_aliases(tmp_path: Path, header: str) -> None:
    export = load(tmp_path, f"{REQUIRED},{header}", "A1,Ann,2026-03-31,100,Open,2024-01-15")

    assert export.has("start_date")
    assert typed(export)["start_date"].to_list() == [dt.date(2024, 1, 15)]


@pytest.mark.parametrize("header", ["Partner", "Channel Partner", "Reseller", "Partner Account"])
def test_partner_aliases(tmp_path: Path, header: str) -> None:
    export = load(tmp_path, f"{REQUIRED},{header}", "A1,Ann,2026-03-31,100,Open, Acme Resale ")

    assert export.has("partner")
    assert typed(export)["partner"].to_list() == ["Acme Resale"]


def test_absent_columns_are_null_and_typed(tmp_path: Path) -> None:
    export = load(tmp_path, REQUIRED, "A1,Ann,2026-03-31,100,Open")
    rows = typed(export)

    assert not export.has("start_date")
    assert not export.has("partner")
    assert rows.schema["start_date"] == pl.Date
    assert rows.schema["partner"] == pl.String
    assert rows.select("start_date", "partner").row(0) == (None, None)


def test_empty_cells_are_null_and_accepted(tmp_path: Path) -> None:
    export = load(tmp_path, f"{REQUIRED},Start Date,Partner", "A1,Ann,2026-03-31,100,Open,,   ")
    rows = typed(export)

    assert rows.select("start_date", "partner", "reject_reason").row(0) == (None, None, None)


def test_unparseable_start_date_rejects_the_row(tmp_path: Path) -> None:
    export = load(
        tmp_path,
        f"{REQUIRED},Start Date",
        "A1,Ann,2026-03-31,100,Open,2024-01-15",
        "A2,Bob,2026-03-31,100,Open,someday",
        "A3,Cy,2026-03-31,100,Open,2024-02-30",
    )

    assert typed(export)["reject_reason"].to_list() == [None, "invalid start_date", "invalid start_date"]


def test_start_dates_month_first_are_detected(tmp_path: Path) -> None:
    export = load(tmp_path, f"{REQUIRED},Start Date", "A1,Ann,2026-03-31,100,Open,01/31/2024")

    assert typed(export)["start_date"].to_list() == [dt.date(2024, 1, 31)]


def test_ambiguous_start_dates_are_an_error_naming_the_option(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"column 'Start Date'.*--date-format"):
        typed(load(tmp_path, f"{REQUIRED},Start Date", "A1,Ann,2026-03-31,100,Open,01/02/2024"))


def test_named_date_format_reads_start_dates(tmp_path: Path) -> None:
    export = load(
        tmp_path,
        f"{REQUIRED},Start Date",
        "A1,Ann,01/03/2026,100,Open,01/02/2024",
        parse=ParseOptions(date_format="%d/%m/%Y"),
    )

    assert typed(export).select("expiry_date", "start_date").row(0) == (dt.date(2026, 3, 1), dt.date(2024, 2, 1))
