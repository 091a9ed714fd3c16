"""The repository documents itself: every input column and alias, every KPI, grouping and command named in the code
is in docs/reference.md, and no page points a reader at files outside the repository."""

from pathlib import Path

import pytest

from renewals_cli.cli import app
from renewals_cli.kpis import GROUPINGS, KPI_COLUMNS
from renewals_cli.load.columns import ALIASES

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMANDS = sorted(
    command.name or (command.callback.__name__ if command.callback else "") for command in app.registered_commands
)


@pytest.mark.parametrize("column", list(ALIASES))
def test_every_column_and_its_aliases_are_documented(column: str) -> None:
    assert f"`{column}`" in REFERENCE
    row = next(line for line in REFERENCE.splitlines() if line.startswith(f"| `{column}` |"))
    for alias in ALIASES[column]:
        assert alias in row, (column, alias)


@pytest.mark.parametrize("kpi", KPI_COLUMNS)
def test_every_kpi_is_documented_with_its_basis(kpi: str) -> None:
    row = next(line for line in REFERENCE.splitlines() if line.startswith("| `") and f"`{kpi}`" in line.split("|")[1])
    basis = row.split("|")[2].strip()
    assert basis in {"count", "value", "accounts", "accounts, unweighted"}, (kpi, basis)


@pytest.mark.parametrize("grouping", GROUPINGS)
def test_every_grouping_is_documented(grouping: str) -> None:
    assert f"`{grouping}`" in REFERENCE


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented(command: str) -> None:
    assert f"`renewals {command}" in REFERENCE
    assert f"renewals {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_no_page_sends_the_reader_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text
    assert "SPEC.md" not in text
