"""`--rep`, `--segment`, `--csm`, `--partner` and several `-o` on `report`, and the worklist's `--rep`, `--since`
and `--sort`, on the hand-worked book of tests/data/book.csv (as of 2026-05-01)."""

import csv
import io
from pathlib import Path

import pytest

from tests.clirun import run

AS_OF = "2026-05-01"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_rep_filter_matches_names_case_insensitively(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--rep", "ann lee", "--by", "rep", "-f", "csv")
    assert result.exit_code == 0
    # Ann Lee's rows only: OP-01, OP-02, OP-03
    assert [(row["rep"], row["opportunities"]) for row in rows(result.stdout)] == [("Ann Lee", "3")]


def test_unknown_rep_suggests_the_nearest(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--rep", "Ann Le")
    assert result.exit_code == 2
    assert result.stderr == "Error: --rep 'Ann Le': no such name in the export; did you mean 'Ann Lee'?\n"


def test_unknown_rep_far_from_every_name_has_no_suggestion(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--rep", "Zed")
    assert result.exit_code == 2
    assert result.stderr == "Error: --rep 'Zed': no such name in the export\n"


def test_segment_filter_keeps_every_row_of_the_segments_accounts(
    capsys: pytest.CaptureFixture[str], book: Path
) -> None:
    # ACME (ARR 600,000) and DELTA (flagged) are strategic: OP-01, OP-02, OP-06
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--segment", "Strategic", "-f", "csv")
    assert result.exit_code == 0
    (overall,) = rows(result.stdout)
    assert (overall["opportunities"], overall["accounts"], overall["available"]) == ("3", "2", "650000.0")


def test_unknown_segment_is_a_usage_error(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--segment", "smbb")
    assert result.exit_code == 2
    assert result.stderr == "Error: --segment 'smbb': no such name in the export; did you mean 'smb'?\n"


def test_partner_filter_direct_keeps_rows_without_a_partner(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--partner", "direct", "-f", "csv")
    assert result.exit_code == 0
    assert rows(result.stdout)[0]["opportunities"] == "7"


def test_csm_filter_unassigned_keeps_accounts_without_a_csm(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--csm", "unassigned", "-f", "csv")
    assert result.exit_code == 0
    assert rows(result.stdout)[0]["opportunities"] == "7"


def test_worklist_since_caps_how_far_back_past_due_rows_go(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    # OP-05 is 1 day past due; --since 0 keeps only rows not yet overdue
    result = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--since", "0", "-f", "csv")
    assert [row["opportunity_id"] for row in rows(result.stdout)] == ["OP-06"]
    result = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--since", "1", "-f", "csv")
    assert [row["opportunity_id"] for row in rows(result.stdout)] == ["OP-05", "OP-06"]


def test_worklist_sort_by_value_puts_the_largest_first(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--sort", "value", "-f", "csv")
    assert [row["opportunity_id"] for row in rows(result.stdout)] == ["OP-06", "OP-05"]  # 50,000 then 20,000


def test_worklist_of_one_rep_drops_the_rep_column(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--rep", "bob ray", "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "opportunity_id,account_id,account_name,segment,expiry_date,days_to_expiry,prior_amount,action,stage,csm"
    )


def test_worklist_unknown_rep_is_an_error_not_an_empty_list(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--rep", "ana lima")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --rep 'ana lima': no such name in the export")


def test_several_outputs_from_one_read_each_in_its_format(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    html, csv_path = tmp_path / "weekly.html", tmp_path / "weekly.csv"
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "-o", str(html), "-o", str(csv_path))
    assert result.exit_code == 0
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert rows(csv_path.read_text(encoding="utf-8"))[0]["group"] == "all"


def test_one_format_for_several_outputs_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path
) -> None:
    result = run(capsys, "report", str(book), "-f", "csv", "-o", str(tmp_path / "a.csv"), "-o", str(tmp_path / "b"))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --format applies to one --output; with several, each file's suffix names its format\n"
    )
