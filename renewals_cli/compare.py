"""Each KPI beside its value in an earlier export (`renewals report NEW --compare OLD`): the table, and how a
change reads on a terminal."""

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from renewals_cli.kpis import KPI_COLUMNS, RATE_KPIS, keys_of
from renewals_cli.segments import SEGMENTS

PREVIOUS = "_previous"
CHANGE = "_change"


def key_columns(grouping: str) -> list[str]:
    """The key columns of a KPI table: `group` for overall, else the grouping's (`rep,segment` → rep, segment)."""
    return keys_of(grouping) or ["group"]


def compare(new: pl.DataFrame, old: pl.DataFrame, grouping: str) -> pl.DataFrame:
    """The KPI table of the newer export with, after each KPI column, `<kpi>_previous` (its value in the older
    table) and `<kpi>_change` (new − old; null when either is null). The tables are joined on their key columns:
    a group in one table only has nulls for the other. Columns after the KPIs (a rep table's coaching columns)
    are the newer table's, unchanged. Groups in the order a report lists them (segments by tier, others by name).
    """
    keys = key_columns(grouping)
    kpis = [column for column in new.columns if column in KPI_COLUMNS]
    others = [column for column in new.columns if column not in keys and column not in KPI_COLUMNS]
    previous = old.select(*keys, *(pl.col(kpi).alias(kpi + PREVIOUS) for kpi in kpis))
    joined = new.join(previous, on=keys, how="full", coalesce=True)
    return joined.sort(_order(keys)).select(
        *keys,
        *(column for kpi in kpis for column in _beside(kpi, new.schema[kpi])),
        *others,
    )


def _beside(kpi: str, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    value, earlier = pl.col(kpi), pl.col(kpi + PREVIOUS)
    if dtype.is_integer():  # a count may shrink: its change is signed
        value, earlier = value.cast(pl.Int64), earlier.cast(pl.Int64)
    return pl.col(kpi), pl.col(kpi + PREVIOUS), (value - earlier).alias(kpi + CHANGE)


def _order(keys: Sequence[str]) -> list[pl.Expr]:
    return [pl.col(k).cast(pl.Enum(SEGMENTS)) if k == "segment" else pl.col(k) for k in keys]


@dataclass(frozen=True)
class ChangeCell:
    """How a change reads on a terminal; `below_target` asks the renderer to show it red."""

    text: str
    below_target: bool = False


def change_cell(kpi: str, change: float | None, *, below_target: bool = False) -> ChangeCell:
    """A KPI's change as people read it: a rate's in points (100 × change, one decimal) with an arrow,
    `▲ 2.1 pts` / `▼ 0.4 pts`; a count's or an amount's as a signed number, `+3` / `-1,250`; `=` when nothing
    changed at the precision shown; `—` when there is no change to show (a value missing on either side)."""
    if change is None:
        return ChangeCell("—", below_target)
    if kpi in RATE_KPIS:
        points = round(100 * change, 1)
        text = "=" if points == 0 else f"{'▲' if points > 0 else '▼'} {abs(points):.1f} pts"
    else:
        whole = round(change)
        text = "=" if whole == 0 else f"{whole:+,}"
    return ChangeCell(text, below_target)


def fell_below(value: float | None, previous: float | None, target: float | None) -> bool:
    """The KPI is now below its target (a minimum) and was at or above it before."""
    if value is None or previous is None or target is None:
        return False
    return value < target <= previous
