"""The forecast as a document: where the quarter lands, with its backtested error as a band, and the tables."""

from typing import Any

import polars as pl

from renewals_cli.forecast import Forecast
from renewals_cli.load.export import RowAccounting
from renewals_cli.present.common import accounting_facts, accounting_text, plural
from renewals_cli.render.cells import cell
from renewals_cli.render.document import Document, Section

NO_HISTORY = "the export holds no earlier quarter to learn from"
NOTHING_TO_LEARN = "the renewals open at the same point of the earlier quarters had no prior amount to learn from"

# What a terminal shows first, when it has no room for every column.
FORECAST_BRIEF = (
    "forecast_nrr", "forecast_grr", "target", "gap", "available", "won_to_date", "lost_to_date", "open", "open_value",
    "projected_renewal", "projected_retained", "opportunities",
)  # fmt: skip
BACKTEST_BRIEF = (
    "quarter", "as_of", "forecast_nrr", "landed_nrr", "error_nrr", "baseline_nrr", "baseline_error_nrr", "bias_nrr",
    "forecast_grr", "landed_grr", "error_grr", "bias_grr", "baseline_bias_nrr",
)  # fmt: skip
TITLES = {"overall": "Forecast", "rep": "Forecast by rep", "segment": "Forecast by segment"}


def points(rate: float) -> str:
    """The size of a difference of rates in percentage points, unsigned: `1.8 pts`."""
    return f"{abs(rate) * 100:.1f} pts"


def position_text(forecast: Forecast) -> str:
    """`… · as of 2026-11-25, 55 days in (of 92)` (0 on its first day), or `…, 36 days before it starts`."""
    run = forecast.run
    d = run.position
    where = f"{d} days in (of {run.quarter.days()})" if d >= 0 else f"{plural(-d, 'day', 'days')} before it starts"
    return f"{run.quarter.first.isoformat()} to {run.quarter.last.isoformat()} · as of {run.as_of.isoformat()}, {where}"


def why_none(forecast: Forecast) -> str:
    """Why there is no forecast."""
    return NO_HISTORY if forecast.training_rows == 0 else NOTHING_TO_LEARN


def backtest_summary(backtest: pl.DataFrame) -> tuple[int, int, float | None]:
    """(quarters asked, quarters scored — with a forecast and a landing —, mean absolute error_nrr)."""
    asked = backtest.height - 1
    scored = backtest.filter(pl.col("quarter") != "mean")["error_nrr"].count()
    return asked, scored, backtest.row(asked, named=True)["error_nrr"]


def band_text(forecast_nrr: float, backtest: pl.DataFrame | None) -> str:
    """`lands at 91.2% ± 1.8 pts, backtested over 4 quarters`, saying plainly when history is too short."""
    text = f"lands at {cell('forecast_nrr', forecast_nrr)}"
    if backtest is None:
        return text
    asked, scored, error = backtest_summary(backtest)
    if error is None:
        quarters = "the last quarter" if asked == 1 else f"any of the last {asked} quarters"
        return f"{text}; not backtested: the export holds too little history to backtest {quarters}"
    text += f" ± {points(error)}, backtested over {plural(scored, 'quarter', 'quarters')}"
    if scored < asked:
        text += f" (the export holds too little history for the other {asked - scored} of {asked})"
    return text


def headline(forecast: Forecast, accounting: RowAccounting) -> list[tuple[str, str]]:
    """The lines people read first."""
    run = forecast.run
    overall = forecast.overall.row(0, named=True)
    history = run.history[0].label if len(run.history) == 1 else f"{run.history[0].label} to {run.history[-1].label}"
    lines = [
        ("Quarter", f"{run.quarter.label} · {position_text(forecast)}"),
        ("Rows", accounting_text(accounting)),
        (
            "Cohort",
            f"{plural(overall['opportunities'], 'opportunity', 'opportunities')} expiring in the quarter · "
            f"{cell('available', overall['available'])} available to renew",
        ),
        (
            "To date",
            f"{cell('won_to_date', overall['won_to_date'])} renewed · {cell('lost_to_date', overall['lost_to_date'])}"
            f" lost · {plural(overall['open'], 'renewal', 'renewals')} open worth "
            f"{cell('open_value', overall['open_value'])}",
        ),
    ]
    if overall["forecast_nrr"] is None:
        reason = "nothing expires in the quarter" if forecast.learned else why_none(forecast)
        lines.append(("Forecast", f"none: {reason}"))
    else:
        nrr = f"NRR {band_text(overall['forecast_nrr'], forecast.backtest)}"
        lines.append(("Forecast", f"{nrr} · GRR {cell('forecast_grr', overall['forecast_grr'])}"))
    if forecast.learned:
        learned = f"{plural(forecast.training_rows, 'renewal', 'renewals')} open at the same point of {history}"
        lines.append(("Learned from", learned))
    if forecast.backtest is not None:
        mean = forecast.backtest.row(-1, named=True)
        if mean["error_nrr"] is not None and mean["baseline_error_nrr"] is not None:
            lines.append(
                (
                    "Backtest",
                    f"mean error {points(mean['error_nrr'])} (bias {cell('bias_nrr', mean['bias_nrr'])}) against "
                    f"{points(mean['baseline_error_nrr'])} for one rate over every renewal",
                )
            )
    if overall["target"] is not None:
        gap = overall["gap"]
        versus = "" if gap is None else f" · gap {cell('gap', gap)}"
        lines.append(("Target", f"renewal rate {cell('target', overall['target'])}{versus}"))
    return lines


def forecast_document(
    forecast: Forecast, accounting: RowAccounting, by: str, *, human: bool, fiscal_year_start: int, min_cell: int
) -> Document:
    """The forecast table (forecasts under their target marked) and the backtest table when asked for. People read
    the headline, then the forecast, then the backtest; a one-table format (csv, parquet) carries the backtest
    when one was asked for, else the forecast."""
    run = forecast.run
    table = forecast.table
    below = frozenset(
        (index, "forecast_nrr") for index, gap in enumerate(table["gap"].to_list()) if gap is not None and gap < 0
    )
    title = f"{TITLES[by]} of {run.quarter.label}"
    brief = (table.columns[0], *FORECAST_BRIEF)
    sections = [Section(name="forecast", title=title, frame=table, brief=brief, below=below)]
    if forecast.backtest is not None:
        title = "Backtest: the forecast at the same point of each past quarter, beside where it landed"
        backtest = Section(name="backtest", title=title, frame=forecast.backtest, brief=BACKTEST_BRIEF)
        sections = [*sections, backtest] if human else [backtest, *sections]
    facts: dict[str, Any] = {
        "quarter": run.quarter.label,
        "first_day": run.quarter.first.isoformat(),
        "last_day": run.quarter.last.isoformat(),
        "as_of": run.as_of.isoformat(),
        "position": run.position,
        "fiscal_year_start": fiscal_year_start,
        "history": [past.label for past in run.history],
        "min_cell": min_cell,
        "training_rows": forecast.training_rows,
        "message": None if forecast.learned else f"no forecast: {why_none(forecast)}",
        "rows": accounting_facts(accounting),
        "by": by,
    }
    return Document(
        title="Renewal forecast",
        sections=tuple(sections),
        facts=facts,
        headline=tuple(headline(forecast, accounting)) if human else (),
    )
