"""The coaching view: each rep's weakest lever against the team, and the top-heavy flag."""

import polars as pl
import pytest

from renewals_cli.coaching import ACTIONS, coach

TEAM = pl.DataFrame({"resolution_rate_value": [0.8], "close_rate_value": [0.8], "conversion_rate": [1.0]})


def rep_row(resolution_count: float | None, resolution: float | None, close: float | None, conversion: float | None):
    return {
        "rep": "r",
        "resolution_rate": resolution_count,
        "resolution_rate_value": resolution,
        "close_rate_value": close,
        "conversion_rate": conversion,
    }


@pytest.mark.parametrize(
    ("row", "lever", "gap"),
    [
        (rep_row(0.8, 0.6, 0.8, 1.0), "resolution", 0.6 - 0.8),  # a quarter below the team: 20 points
        (rep_row(0.8, 0.8, 0.4, 1.2), "close", 0.4 - 0.8),
        (rep_row(0.8, 0.9, 0.9, 0.9), "conversion", 0.9 - 1.0),  # above on two levers, below on one
        (rep_row(0.8, 0.8, None, None), "resolution", 0.0),  # no answers yet: only resolution compares
        # Resolution 0.7 against 0.8 is 10 points and a ratio of 0.875; conversion 0.88 against 1.0 is 12 points
        # but a ratio of 0.88: the weakest lever is the lowest ratio, its gap said in points.
        (rep_row(0.8, 0.7, 0.8, 0.88), "resolution", 0.7 - 0.8),
    ],
)
def test_weakest_lever_is_the_lowest_ratio_its_gap_in_points(
    row: dict[str, float | None], lever: str, gap: float
) -> None:
    result = coach(pl.DataFrame([row]), TEAM).row(0, named=True)
    assert result["weakest_lever"] == lever
    assert result["lever_gap"] == pytest.approx(gap, rel=1e-12)
    assert result["coaching_action"] == ACTIONS[lever]


def test_no_lever_without_rates() -> None:
    row = coach(pl.DataFrame([rep_row(None, None, None, None)], schema_overrides={"resolution_rate": pl.Float64,
                "resolution_rate_value": pl.Float64, "close_rate_value": pl.Float64, "conversion_rate": pl.Float64}),
                TEAM).row(0, named=True)  # fmt: skip
    assert (row["weakest_lever"], row["lever_gap"], row["coaching_action"], row["top_heavy"]) == (
        None, None, None, False,
    )  # fmt: skip


@pytest.mark.parametrize(("count", "value", "flag"), [(0.4, 0.55, True), (0.4, 0.54, False), (0.9, 0.5, False)])
def test_top_heavy_when_value_resolution_is_far_above_count(count: float, value: float, flag: bool) -> None:
    # 0.55 - 0.40 = 0.15 reaches the gap; 0.54 - 0.40 does not; value below count is never top-heavy.
    assert coach(pl.DataFrame([rep_row(count, value, 0.8, 1.0)]), TEAM)["top_heavy"].to_list() == [flag]
