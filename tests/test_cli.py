"""Every command through the command line: exit codes, exact messages, golden output per format."""

import importlib
import json
import os
from pathlib import Path

import polars as pl
import pytest

from renewals_cli.names import Format
from renewals_cli.render import RENDERERS
from tests.clirun import run
from tests.conftest import GOLDEN

AS_OF = "2026-05-01"


def golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; UPDATE_GOLDEN=1 rewrites it (then review the diff)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_has_a_renderer(fmt: Format) -> None:
    module = importlib.import_module(f"renewals_cli.render.{RENDERERS[fmt]}")
    assert callable(module.render)


@pytest.mark.parametrize(
    ("fmt", "by", "name"),
    [
        ("table", None, "report_table.txt"),
        ("markdown", None, "report_markdown.md"),
        ("csv", "segment", "report_segment.csv"),
        ("json", "rep", "report_rep.json"),
        ("table", "batch,rep", "report_batch_rep.txt"),
    ],
)
def test_report_golden(capsys: pytest.CaptureFixture[str], book: Path, fmt: str, by: str | None, name: str) -> None:
    args = ["report", str(book), "--as-of", AS_OF, "--format", fmt] + (["--by", by] if by else [])
    result = run(capsys, *args)
    assert result.exit_code == 0, result.stderr
    golden(name, result.stdout)


def test_report_csv_segment_values_worked_by_hand(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--by", "segment", "--format", "csv")
    rows = {row["segment"]: row for row in pl.read_csv(result.stdout.encode()).to_dicts()}
    assert list(rows) == ["strategic", "enterprise", "smb"]
    strategic = rows["strategic"]  # ACME (arr 600k) and DELTA (flagged): OP-01, OP-02, OP-06
    assert strategic["opportunities"] == 3
    assert strategic["available"] == 650_000
    assert strategic["conversion_rate"] == pytest.approx((440_000 + 180_000) / 600_000, rel=1e-12)
    assert strategic["otrr"] == pytest.approx(1 / 2)  # OP-01 on time, OP-02 closed after expiry
    assert strategic["iqrr"] == pytest.approx(1 / 3)  # OP-02 closed 2026-04-10, after Q1 ended
    assert strategic["grr"] == pytest.approx((400_000 + 180_000) / 600_000, rel=1e-12)
    assert strategic["retention_rate"] == 1.0  # DELTA is open and not yet due: not at stake
    enterprise = rows["enterprise"]  # BETA, arr 250k, lost
    assert enterprise["close_rate"] == 0.0
    assert enterprise["conversion_rate"] is None
    assert enterprise["churned_value"] == 250_000
    smb = rows["smb"]  # GAMMA (no arr: 50k of prior) and EPS (10k)
    assert smb["past_due"] == 1  # OP-05 open, expired 2026-04-30
    assert smb["grr"] == pytest.approx((30_000 + 10_000) / 60_000, rel=1e-12)
    assert smb["value_growth"] == pytest.approx((0.0 + 0.2) / 2, rel=1e-12)


def test_report_json_carries_row_accounting(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--format", "json")
    payload = json.loads(result.stdout)
    assert payload["rows"] == {
        "read": 7,
        "accepted": 7,
        "rejected": 0,
        "skipped": 0,
        "reject_reasons": {},
        "in_window": 7,
        "later": 0,
    }
    assert payload["by"] == "overall"
    assert payload["groups"][0]["group"] == "all"
    assert result.stderr == ""


def test_report_tells_row_accounting_on_stderr(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--by", "rep", "--format", "csv")
    assert result.stderr == "Rows: 7 read · 7 accepted · 0 rejected\n"
    assert result.stdout.splitlines()[0].startswith("rep,opportunities,accounts,available,won,lost,open,")


def test_parquet_output_matches_csv(capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path) -> None:
    target = tmp_path / "rep.parquet"
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "--by", "rep", "-o", str(target))
    assert result.exit_code == 0
    assert result.stderr.endswith(f"Wrote {target}\n")
    as_csv = run(capsys, "report", str(book), "--as-of", AS_OF, "--by", "rep", "--format", "csv").stdout
    assert pl.read_parquet(target).equals(pl.read_csv(as_csv.encode()))


def test_window_selects_rows_by_expiry_date(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    args = ["report", str(book), "--as-of", AS_OF, "--from", "2026-02-01", "--to", "2026-03-31", "-f", "json"]
    payload = json.loads(run(capsys, *args).stdout)
    assert payload["window"] == {"from": "2026-02-01", "to": "2026-03-31"}
    assert payload["groups"][0]["opportunities"] == 3  # OP-02, OP-03, OP-04
    assert payload["rows"]["in_window"] == 3


def test_missing_file_is_a_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "report", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'nope.csv'}: no such file\n"
    assert result.stdout == ""


def test_missing_required_column_names_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Account,Owner,Stage,ATR\nA,Ann,Won,10\n")
    result = run(capsys, "report", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: no column for required 'expiry_date' (looked for headers: expiry_date, Expiry Date, "
        "Contract End Date, End Date, Renewal Date, Expiration Date, Term End Date); "
        "name one with --map expiry_date=HEADER\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--by", "region"],
            "Error: --by region: expected one of overall, segment, rep, batch, rep,segment, batch,segment, "
            "batch,rep, partner, partner,segment, csm\n",
        ),
        (["--format", "parquet"], "Error: --format parquet needs --output PATH\n"),
        (
            ["--from", "2026-05-01", "--to", "2026-01-01"],
            "Error: --from 2026-05-01 is after --to 2026-01-01\n",
        ),
        (
            ["--strategic-arr", "lots"],
            "Error: --strategic-arr lots: expected an amount such as 500000 or 500k\n",
        ),
        (
            ["--map", "region=Region"],
            "Error: --map region=Region: expected CANONICAL=HEADER, CANONICAL one of "
            "account_id, rep, expiry_date, prior_amount, status, renewal_amount, "
            "close_date, opportunity_id, account_name, arr, strategic, batch, csm, start_date, partner, churn_reason\n",
        ),
    ],
)
def test_bad_option_values_are_usage_errors(
    capsys: pytest.CaptureFixture[str], book: Path, args: list[str], message: str
) -> None:
    result = run(capsys, "report", str(book), *args)
    assert result.exit_code == 2
    assert result.stderr == message


def test_unparseable_option_is_a_usage_error(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--as-of", "31/12/2026")
    assert result.exit_code == 2
    assert "Invalid value for '--as-of'" in result.stderr
    assert "Traceback" not in result.stderr


def _with_rejects(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "account_id,rep,expiry_date,prior_amount,status,renewal_amount,close_date\n"
        "A,Ann,2026-01-31,100,won,110,2026-01-15\n"
        "B,Ann,2026-01-31,-5,open,,\n"
        "C,,2026-02-30,100,won,,\n"
    )
    return path


def test_rejects_are_counted_and_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    result = run(capsys, "report", str(_with_rejects(tmp_path)), "-f", "csv", "--rejects", str(rejects))
    assert result.exit_code == 0
    assert result.stderr == "Rows: 3 read · 1 accepted · 2 rejected\n"
    written = pl.read_csv(rejects, infer_schema=False)
    assert written["reject_reason"].to_list() == [
        "negative prior_amount",
        "missing rep; invalid expiry_date; won without renewal_amount; won/lost without close_date",
    ]
    assert written.columns[:2] == ["source", "row"]
    assert written["row"].to_list() == ["2", "3"]


def test_strict_turns_rejections_into_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "report", str(_with_rejects(tmp_path)), "--strict", "-f", "csv")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: 2 rows rejected under --strict (1 invalid expiry_date, 1 missing rep, "
        "1 negative prior_amount, 1 won without renewal_amount, 1 won/lost without close_date)"
    )


def test_failed_run_leaves_existing_output_untouched(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "weekly.csv"
    target.write_text("last week's report\n")
    result = run(capsys, "report", str(_with_rejects(tmp_path)), "--strict", "-o", str(target))
    assert result.exit_code == 1
    assert target.read_text() == "last week's report\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unwritable_output_is_a_one_line_error(capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "r.csv"
    result = run(capsys, "report", str(book), "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(f"Error: {target}: cannot write here")


def test_validate_exits_1_on_rejections(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "validate", str(_with_rejects(tmp_path)), "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["rows"]["rejected"] == 2
    assert payload["rows"]["reject_reasons"]["negative prior_amount"] == 1
    assert {"column": "expiry_date", "header": "expiry_date", "file": str(tmp_path / "mixed.csv")} in payload["columns"]


def test_validate_exits_0_on_a_clean_file(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "validate", str(book))
    assert result.exit_code == 0
    assert "7 read · 7 accepted · 0 rejected" in result.stdout


def test_segments_csv_neutralises_formulas(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "segments", str(book), "--format", "csv")
    assert result.exit_code == 0
    frame = pl.read_csv(result.stdout.encode())
    assert frame.columns == ["account_id", "account_name", "arr", "segment", "reps", "opportunities"]
    assert frame.row(0) == ("ACME", "Acme Corp", 600000.0, "strategic", "Ann Lee", 2)
    assert '\'=HYPERLINK("x")' in frame["account_name"].to_list()


@pytest.mark.parametrize("command", ["report", "segments", "validate", "sample", "upcoming", "coverage", "forecast"])
def test_every_command_has_help_with_examples(capsys: pytest.CaptureFixture[str], command: str) -> None:
    result = run(capsys, command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "Exit codes:" in result.stdout


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    from renewals_cli.cli import main
    from renewals_cli.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        main(["report", str(tmp_path / "nope.csv"), "--debug"])


def test_upcoming_worklist_worked_by_hand(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0
    # Open rows: OP-05 expired 2026-04-30 (-1 day, past due), OP-06 expires 2026-06-30 (60 days).
    assert result.stdout.splitlines() == [
        "opportunity_id,account_id,account_name,rep,segment,expiry_date,days_to_expiry,prior_amount,action,stage,csm",
        "OP-05,GAMMA,Gamma Ltd,Bob Ray,smb,2026-04-30,-1,20000.0,past_due,open,",
        "OP-06,DELTA,Delta Inc,Bob Ray,strategic,2026-06-30,60,50000.0,due_90,open,",
    ]


def test_upcoming_filters_and_horizon(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    narrow = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--days", "30", "-f", "json")
    assert [row["opportunity_id"] for row in json.loads(narrow.stdout)["opportunities"]] == ["OP-05"]
    strategic = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--segment", "strategic", "-f", "json")
    assert [row["opportunity_id"] for row in json.loads(strategic.stdout)["opportunities"]] == ["OP-06"]
    nobody = run(capsys, "upcoming", str(book), "--as-of", AS_OF, "--rep", "Ann Lee", "-f", "csv")
    assert nobody.stdout.splitlines()[1:] == []


def test_upcoming_table_golden(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "upcoming", str(book), "--as-of", AS_OF)
    golden("upcoming_table.txt", result.stdout)


def test_output_keeps_ordinary_permissions(capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    umask = os.umask(0o022)
    try:
        run(capsys, "report", str(book), "-o", str(target))
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o640)
    run(capsys, "report", str(book), "-o", str(target))
    assert target.stat().st_mode & 0o777 == 0o640  # a replaced report keeps its permissions


@pytest.mark.parametrize(("suffix", "magic"), [(".html", b"<!DOCTYPE html>"), (".xlsx", b"PK\x03\x04")])
def test_report_for_people_by_output_suffix(
    capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path, suffix: str, magic: bytes
) -> None:
    target = tmp_path / f"weekly{suffix}"
    result = run(capsys, "report", str(book), "--as-of", AS_OF, "-o", str(target))
    assert result.exit_code == 0
    assert target.read_bytes().startswith(magic)


def test_xlsx_needs_an_output_file(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    result = run(capsys, "report", str(book), "--format", "xlsx")
    assert result.exit_code == 2
    assert result.stderr == "Error: --format xlsx needs --output PATH\n"


def test_html_report_has_charts_and_the_rep_table(capsys: pytest.CaptureFixture[str], book: Path) -> None:
    page = run(capsys, "report", str(book), "--as-of", AS_OF, "--format", "html").stdout
    # per-rep levers, renewal rate per batch, where each rep's quarter lands
    assert page.count('<table class="chart"') == 3
    assert "<svg" not in page  # mail clients drop it
    assert "<script" not in page
    assert "Ann Lee" in page
    assert "Bob Ray" in page
