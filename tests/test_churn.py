"""The churn breakdown by reason, worked by hand."""

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from renewals_cli.churn import churn_by_reason, lost_rows
from tests.clirun import run

AS_OF = dt.date(2026, 3, 15)
ROWS = pl.LazyFrame(
    {
        "account_id": ["A", "B", "C", "D", "E"],
        "status": ["lost", "lost", "lost", "lost", "won"],
        "close_date": [dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2026, 3, 1), dt.date(2026, 4, 1), None],
        "prior_amount": [300.0, 100.0, 600.0, 999.0, 50.0],
        "churn_reason": ["Budget", None, "Budget", "Price", None],
    }
)


def test_reasons_count_the_rows_lost_as_of_the_date_with_their_share_of_value() -> None:
    got = churn_by_reason(lost_rows(ROWS, AS_OF)).collect()
    # D was lost after the as-of date; B has no reason. Churned value 300 + 100 + 600 = 1,000.
    expected = pl.DataFrame(
        {
            "churn_reason": ["Budget", "unspecified"],
            "lost": [2, 1],
            "churned_value": [900.0, 100.0],
            "share_of_churned_value": [0.9, 0.1],
        }
    )
    assert_frame_equal(got, expected)


def test_the_report_shows_churn_by_reason_when_the_export_has_reasons(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "account_id,rep,expiry_date,prior_amount,status,close_date,Loss Reason\n"
        "A,ann,2026-01-31,300,lost,2026-01-05,Budget\n"
        "B,ann,2026-02-28,100,lost,2026-02-05,\n"
        "C,bob,2026-03-01,600,open,,\n",
        encoding="utf-8",
    )
    result = run(capsys, "report", str(path), "--as-of", "2026-03-15", "--format", "markdown")
    assert result.exit_code == 0
    assert "## Churn by reason\n" in result.stdout
    assert "| Budget | 1 | 300 | 75.0% |" in result.stdout
    assert "| unspecified | 1 | 100 | 25.0% |" in result.stdout
