"""renewals.toml: every section read, options winning over it, and errors that name the key."""

import datetime as dt
import json
from pathlib import Path

import pytest

from renewals_cli.calendar import quarter_named
from renewals_cli.config import find_config, read_config
from renewals_cli.errors import InputError, UsageError
from tests.clirun import run

AS_OF = "2026-05-01"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "renewals.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_section_is_read(tmp_path: Path) -> None:
    config = read_config(
        write(
            tmp_path,
            """
date_format = "%d/%m/%Y"
decimal_comma = true
encoding = "cp1252"
delimiter = ";"
[columns]
expiry_date = "Subscription End"
[status]
won = ["Closed - Renewed"]
open = ["Yes"]
[segments]
strategic_arr = 1_000_000
smb_arr = 100000
[targets]
retention_rate = 0.85
[targets.smb]
retention_rate = 0.8
[targets.rep]
close_rate = 0.7
[coverage]
target = 0.12
[csm_costs]
"Grace Kim" = 120000
""",
        )
    )
    assert config.date_format == "%d/%m/%Y"
    assert config.decimal_comma is True
    assert (config.encoding, config.delimiter) == ("cp1252", ";")
    assert config.columns == {"expiry_date": "Subscription End"}
    assert "Closed - Renewed" in config.won
    assert "Yes" not in config.won  # named open: no longer a won label
    assert "Closed Won" in config.won
    assert (config.strategic_arr, config.smb_arr) == (1_000_000.0, 100_000.0)
    assert config.targets.for_group({}) == {"retention_rate": 0.85}
    assert config.targets.for_group({"segment": "smb"}) == {"retention_rate": 0.8}
    assert config.targets.for_group({"rep": "Ann", "segment": "smb"}) == {"retention_rate": 0.8, "close_rate": 0.7}
    assert config.coverage_target == 0.12
    assert config.csm_costs == {"Grace Kim": 120000}


def test_found_in_the_working_directory_or_defaults(tmp_path: Path) -> None:
    assert find_config(None, cwd=tmp_path).source is None
    write(tmp_path, "[segments]\nsmb_arr = 5\n")
    assert find_config(None, cwd=tmp_path).smb_arr == 5.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 'red'\n", "colour is not a known key"),
        ("[columns]\nregion = 'Region'\n", "[columns] region is not a known key"),
        ("[columns]\nrep = 3\n", "[columns] rep must be a header name (a string)"),
        ("[segments]\nsmb_arr = 'lots'\n", "[segments] smb_arr must be a number"),
        ("[segments]\nsmb_arr = -1\n", "[segments] smb_arr must not be negative"),
        ("[status]\nwon = 'Renewed'\n", "[status] won must be a list of strings"),
        ("[targets]\nretention_rate = 'high'\n", "[targets] retention_rate must be a number (a fraction such as 0.85)"),
        ("[targets]\npast_due = 3\n", "[targets] past_due is not a KPI a target can be set for"),
        ("[targets.smb]\nspeed = 1\n", "[targets.smb] speed is not a KPI a target can be set for"),
        ("decimal_comma = 'yes'\n", "decimal_comma must be true or false"),
        ("[coverage]\ngoal = 0.1\n", "[coverage] goal is not a known key"),
        ("[segments\n", "not valid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such configuration file"):
        find_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("quarter", "as_of", "bounds"),
    [
        ("current", dt.date(2026, 5, 1), (dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
        ("previous", dt.date(2026, 5, 1), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
        ("previous", dt.date(2026, 2, 14), (dt.date(2025, 10, 1), dt.date(2025, 12, 31))),
        ("2026-Q4", dt.date(2026, 5, 1), (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
        ("2024q1", dt.date(2026, 5, 1), (dt.date(2024, 1, 1), dt.date(2024, 3, 31))),
    ],
)
def test_quarter_bounds(quarter: str, as_of: dt.date, bounds: tuple[dt.date, dt.date]) -> None:
    named = quarter_named(quarter, as_of)
    assert (named.first, named.last) == bounds


def test_bad_quarter_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="expected current, previous, next or a quarter such as 2026-Q3"):
        quarter_named("Q5", dt.date(2026, 1, 1))


def test_quarter_sets_the_window(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--quarter", "previous", "-f", "json")
    payload = json.loads(result.stdout)
    assert payload["window"] == {"from": "2026-01-01", "to": "2026-03-31"}
    assert payload["groups"][0]["opportunities"] == 4  # OP-01 to OP-04 expire in Q1


def test_quarter_and_from_conflict(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--quarter", "current", "--from", "2026-01-01")
    assert result.exit_code == 2
    assert result.stderr == "Error: --quarter cannot be combined with --from, --to or --all\n"


def test_config_thresholds_apply_and_options_win(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    config = write(tmp_path, "[segments]\nstrategic_arr = 700000\n")
    args = ["segments", str(book), "-f", "json", "--config", str(config)]
    accounts = {a["account_id"]: a["segment"] for a in json.loads(run(capsys, *args).stdout)["accounts"]}
    assert accounts["ACME"] == "enterprise"  # ARR 600,000 < 700,000 from the file
    accounts = {
        a["account_id"]: a["segment"]
        for a in json.loads(run(capsys, *args, "--strategic-arr", "600k").stdout)["accounts"]
    }
    assert accounts["ACME"] == "strategic"  # the option wins over the file


TARGETS = """
[targets]
retention_rate = 0.5
[targets.smb]
grr = 0.7
"""


def test_fail_under_exits_3_and_lists_missed_targets(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    config = write(tmp_path, TARGETS)
    args = ["report", str(book), "--as-of", AS_OF, "--config", str(config), "-f", "csv", "--fail-under"]
    result = run(capsys, *args)
    assert result.exit_code == 3
    # enterprise: BETA lost (retention 0%); smb: GRR 40,000 / 60,000 = 66.7% < 70%; reps meet 50%.
    assert result.stderr.splitlines()[1:] == [
        "Missed target: enterprise: retention_rate 0.0% is below the target 50.0%",
        "Missed target: smb: grr 66.7% is below the target 70.0%",
        "2 targets missed: exit 3",
    ]
    assert result.stdout.startswith("group,")  # the report is still delivered


def test_fail_under_exits_0_when_targets_are_met(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    config = write(tmp_path, "[targets]\nresolution_rate = 0.5\n")
    args = ["report", str(book), "--as-of", AS_OF, "--config", str(config), "-f", "csv", "--fail-under"]
    assert run(capsys, *args).exit_code == 0


def test_fail_under_without_targets_is_a_usage_error(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "-f", "csv", "--fail-under")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: --fail-under needs [targets] in renewals.toml (or --config PATH)"


def test_missed_targets_are_marked_in_markdown(capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path) -> None:
    config = write(tmp_path, TARGETS)
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--config", str(config), "-f", "markdown")
    # Markdown escapes the underscores of names (a name such as `_x_` must not turn into emphasis).
    assert (
        r"- **Targets:** 2 missed: enterprise: retention\_rate 0.0% is below the target 50.0%; smb: grr"
        in result.stdout
    )
    smb_row = next(line for line in result.stdout.splitlines() if line.startswith("| smb |"))
    assert "66.7% ▼" in smb_row


def test_config_status_labels_reach_the_loader(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    export = tmp_path / "x.csv"
    export.write_text(
        "account_id,rep,expiry_date,prior_amount,status,renewal_amount,close_date\n"
        "A,Ann,2026-01-31,100,Signed,100,2026-01-15\n"
    )
    config = write(tmp_path, "[status]\nwon = ['Signed']\n")
    result = run(capsys, "report", str(export), "--config", str(config), "-f", "json")
    assert json.loads(result.stdout)["groups"][0]["won"] == 1
