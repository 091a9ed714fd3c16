"""Coaching: for each rep, the weakest of the three levers of the renewal rate, and a top-heavy flag.

renewal_rate = resolution_rate_value × close_rate_value × conversion_rate, so a rep's renewal rate over the
team's is the product of the three lever ratios (rep ÷ team); the smallest ratio is the lever that costs the most.
The value-based rates are used because they are the factors that multiply into the renewal rate.
"""

import polars as pl

LEVERS = {
    "resolution": "resolution_rate_value",
    "close": "close_rate_value",
    "conversion": "conversion_rate",
}
ACTIONS = {
    "resolution": "cover the whole batch and elicit answers sooner",
    "close": "understand each client's buying process and obstacles",
    "conversion": "upsell, cross-sell and offer multi-year terms",
}
COACHING_COLUMNS = ("weakest_lever", "lever_gap", "top_heavy", "coaching_action")

# Resolution by value this far (in points) above resolution by count: the rep works the big deals and leaves
# the long tail unanswered.
TOP_HEAVY_GAP = 0.15


def coach(reps: pl.DataFrame, overall: pl.DataFrame) -> pl.DataFrame:
    """The rep table with COACHING_COLUMNS appended.

    `weakest_lever` is the lever with the lowest rep ÷ team ratio (null when no lever can be compared: the rep or
    the team has no answers yet), `lever_gap` the rep's rate on that lever minus the team's, in points as a
    fraction (−0.05: five points below the team),
    `coaching_action` what fixes it, `top_heavy` whether resolution_rate_value − resolution_rate ≥ 0.15.
    """
    team = overall.row(0, named=True) if overall.height else {}
    ratios = {
        lever: (pl.col(column) / team[column]) if team.get(column) else pl.lit(None, dtype=pl.Float64)
        for lever, column in LEVERS.items()
    }
    weakest_ratio = pl.min_horizontal(*ratios.values())
    weakest = pl.coalesce(*(pl.when(ratio == weakest_ratio).then(pl.lit(lever)) for lever, ratio in ratios.items()))
    action = pl.coalesce(*(pl.when(weakest == lever).then(pl.lit(text)) for lever, text in ACTIONS.items()))
    gap = pl.coalesce(
        *(pl.when(weakest == lever).then(pl.col(column) - team[column]) for lever, column in LEVERS.items())
    )
    top_heavy = (pl.col("resolution_rate_value") - pl.col("resolution_rate")) >= TOP_HEAVY_GAP
    return reps.with_columns(
        weakest_lever=weakest,
        lever_gap=gap,
        top_heavy=top_heavy.fill_null(False),
        coaching_action=action,
    )
