"""The lever that moves an over-target segment's cost to serve: ARR per account, accounts per CSM or cost per CSM."""

from typing import Any

import polars as pl

COST_MARGIN = 1.2  # cost per CSM this far above the table's average is the lever to pull


def levers(table: pl.DataFrame) -> dict[str, str]:
    """One line of advice per over-target segment of a `coverage(..., by="segment")` table, in table order.

    Cost to serve is (roughly) cost per CSM ÷ (accounts per CSM × ARR per account), so one of the three has to
    move. The lever named is, in this order:

    1. cost per CSM, when the segment's cost / csms is more than 20% above the table's (Σ cost / Σ csms): its
       CSMs cost more than the book's for the ARR they carry;
    2. accounts per CSM, for `smb` and for any segment whose ARR per account is below the table's (Σ arr /
       Σ accounts): smaller accounts need coverage that scales — pooled CSMs, one-to-many programmes;
    3. ARR per account otherwise: the large accounts already have dedicated CSMs, so the ARR has to follow —
       expansion, or moving accounts too small for that coverage to a lighter-touch tier.

    Each line ends with the lever's value now and the value that alone would meet the target: the current one
    scaled by cost_to_serve / target (down for cost per CSM, up for the others).
    """
    if "segment" not in table.columns:
        raise ValueError("levers() takes a coverage table by segment")
    book_cost_per_csm = _divide(float(table["cost"].sum()), float(table["csms"].sum()))
    book_arr_per_account = _divide(float(table["arr"].sum()), float(table["accounts"].sum()))
    advice: dict[str, str] = {}
    for row in table.filter(pl.col("over_target").fill_null(False)).iter_rows(named=True):
        segment = row["segment"]
        cost_per_csm = row["cost"] / row["csms"]  # over target implies a cost, hence a CSM
        small_accounts = book_arr_per_account is not None and row["arr_per_account"] < book_arr_per_account
        if book_cost_per_csm is not None and cost_per_csm > COST_MARGIN * book_cost_per_csm:
            lever = "lower cost per CSM: a less senior or pooled coverage model"
            advice[segment] = _advice(lever, cost_per_csm, row, lower=True)
        elif segment == "smb" or small_accounts:
            how = "one-to-many programmes for the long tail" if segment == "smb" else "pooled coverage"
            advice[segment] = _advice(f"raise accounts per CSM: {how}", row["accounts_per_csm"], row, digits=1)
        else:
            lever = "raise ARR per account: expansion, or move accounts too small for this coverage to a lighter tier"
            advice[segment] = _advice(lever, row["arr_per_account"], row)
    return advice


def _advice(lever: str, now: float, row: dict[str, Any], *, lower: bool = False, digits: int = 0) -> str:
    """`LEVER (now X; about Y meets the 15% target)`, Y being the value that alone brings cost_to_serve to target."""
    target = row["target"]
    if target <= 0:  # nothing but zero cost meets a zero target
        return f"{lever} (now {now:,.{digits}f})"
    factor = row["cost_to_serve"] / target
    goal = now / factor if lower else now * factor
    return f"{lever} (now {now:,.{digits}f}; about {goal:,.{digits}f} meets the {target * 100:g}% target)"


def _divide(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None
