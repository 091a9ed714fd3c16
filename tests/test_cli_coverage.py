"""`renewals coverage` through the command line: formats, costs from a file or the config, one-line errors."""

import json
from pathlib import Path

import polars as pl
import pytest

from tests.clirun import run

EXPORT = (
    "account_id,rep,expiry_date,prior_amount,status,arr,csm\n"
    "BIG,Ann,2026-03-31,600000,open,600000,Grace Kim\n"
    "MID,Ann,2026-03-31,250000,open,250000,Grace Kim\n"
    "SMALL1,Bob,2026-03-31,50000,open,50000,Hal Ito\n"
    "SMALL2,Bob,2026-03-31,50000,open,50000,\n"
)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    return path


@pytest.fixture
def costs(tmp_path: Path) -> Path:
    path = tmp_path / "costs.csv"
    path.write_text('csm,annual_cost\nGrace Kim,"$100,000"\nHal Ito,30000\n')
    return path


def test_by_segment_worked_by_hand(capsys: pytest.CaptureFixture[str], export: Path, costs: Path) -> None:
    result = run(capsys, "coverage", str(export), "--csm-costs", str(costs), "-f", "json")
    assert result.exit_code == 0
    rows = {row["segment"]: row for row in json.loads(result.stdout)["groups"]}
    # Grace serves BIG (strategic) and MID (enterprise): 50,000 each; Hal serves SMALL1 (smb).
    assert rows["strategic"]["cost"] == 50_000
    assert rows["enterprise"]["cost_to_serve"] == pytest.approx(50_000 / 250_000)
    assert rows["enterprise"]["over_target"] is True  # 20% > 15%
    smb = rows["smb"]
    assert (smb["accounts"], smb["unassigned"], smb["csms"]) == (2, 1, 1)
    assert smb["arr_per_csm"] == 50_000  # only SMALL1 has a CSM
    assert smb["cost_to_serve"] == pytest.approx(30_000 / 100_000)


def test_by_csm_csv(capsys: pytest.CaptureFixture[str], export: Path, costs: Path) -> None:
    result = run(capsys, "coverage", str(export), "--csm-costs", str(costs), "--by", "csm", "-f", "csv")
    frame = pl.read_csv(result.stdout.encode())
    assert frame["csm"].to_list() == ["Grace Kim", "Hal Ito", "unassigned"]
    assert frame.columns[1:] == [
        "accounts", "unassigned", "arr", "csms", "accounts_per_csm", "arr_per_account", "arr_per_csm", "cost",
        "cost_to_serve", "target", "over_target",
    ]  # fmt: skip


def test_target_and_costs_from_config(capsys: pytest.CaptureFixture[str], export: Path, tmp_path: Path) -> None:
    config = tmp_path / "renewals.toml"
    config.write_text('[coverage]\ntarget = 0.5\n[csm_costs]\n"Grace Kim" = 100000\n"Hal Ito" = 30000\n')
    result = run(capsys, "coverage", str(export), "--config", str(config), "-f", "json")
    payload = json.loads(result.stdout)
    assert payload["target"] == 0.5
    assert [row["over_target"] for row in payload["groups"]] == [False, False, False]


def test_csm_missing_from_costs_is_named(capsys: pytest.CaptureFixture[str], export: Path, tmp_path: Path) -> None:
    costs = tmp_path / "costs.csv"
    costs.write_text("csm,annual_cost\nGrace Kim,100000\n")
    result = run(capsys, "coverage", str(export), "--csm-costs", str(costs))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("Error: no annual_cost for CSM Hal Ito named in the export")


def test_export_without_csm_column(capsys: pytest.CaptureFixture[str], book: Path, costs: Path) -> None:
    result = run(capsys, "coverage", str(book), "--csm-costs", str(costs))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {book}: no csm column (coverage assigns each account to a CSM; looked for headers: csm, CSM, "
        "Customer Success Manager); "
        "name one with --map csm=HEADER\n"
    )


def test_no_costs_is_a_usage_error(capsys: pytest.CaptureFixture[str], export: Path, tmp_path: Path) -> None:
    result = run(capsys, "coverage", str(export), "--config", str(tmp_path / "none.toml"))
    assert result.exit_code == 1  # a named config file that does not exist
    (tmp_path / "empty.toml").write_text("")
    result = run(capsys, "coverage", str(export), "--config", str(tmp_path / "empty.toml"))
    assert result.exit_code == 2
    assert result.stderr == "Error: coverage needs --csm-costs COSTS.csv or a [csm_costs] table in renewals.toml\n"


def test_table_marks_over_target_and_says_the_lever(
    capsys: pytest.CaptureFixture[str], export: Path, costs: Path
) -> None:
    result = run(capsys, "coverage", str(export), "--csm-costs", str(costs), "-f", "markdown")
    enterprise = next(line for line in result.stdout.splitlines() if line.startswith("| enterprise |"))
    assert "| 20.0% ▼ |" in enterprise
    assert "- **smb:** " in result.stdout
