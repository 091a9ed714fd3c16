"""The glossary: one line per KPI saying its basis and denominator, for every KPI, coaching and coverage column."""

import pytest

from renewals_cli.coaching import COACHING_COLUMNS
from renewals_cli.coverage import COVERAGE_COLUMNS
from renewals_cli.kpis import KPI_COLUMNS
from renewals_cli.present.glossary import GLOSSARY, glossary_for


def test_every_kpi_coaching_and_coverage_column_is_defined_in_order() -> None:
    coverage = [c for c in COVERAGE_COLUMNS if c not in KPI_COLUMNS]
    assert list(GLOSSARY) == [*KPI_COLUMNS, *COACHING_COLUMNS, *coverage]


@pytest.mark.parametrize("column", KPI_COLUMNS)
def test_each_kpi_line_names_its_basis_on_one_line(column: str) -> None:
    line = GLOSSARY[column]
    assert line.split(":")[0] in ("Count", "Value", "Accounts")
    assert "\n" not in line and line.endswith(".")


@pytest.mark.parametrize(
    "column", [c for c in KPI_COLUMNS if c.endswith("_rate") or c in ("otrr", "iqrr", "grr", "nrr")]
)
def test_each_rate_says_its_denominator(column: str) -> None:
    assert "÷" in GLOSSARY[column]


def test_the_levers_say_they_multiply_to_the_renewal_rate() -> None:
    assert "resolution × close × conversion, all three by value" in GLOSSARY["renewal_rate"]
    for lever in ("resolution_rate_value", "close_rate_value", "conversion_rate"):
        assert "lever of the renewal rate" in GLOSSARY[lever]


def test_glossary_for_the_columns_shown() -> None:
    shown = glossary_for(["rep", "renewal_rate", "opportunities", "renewal_rate", "account_id"])
    assert shown == [("opportunities", GLOSSARY["opportunities"]), ("renewal_rate", GLOSSARY["renewal_rate"])]
