"""KPI targets (minimums) and the groups that miss them (SPEC §5)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from renewals_cli.kpis import keys_of

# The KPIs a target can be set for: rates, where a target is a minimum.
TARGET_KPIS = (
    "resolution_rate", "close_rate", "resolution_rate_value", "close_rate_value", "conversion_rate", "uplift",
    "renewal_rate", "otrr", "iqrr", "retention_rate", "grr", "nrr", "value_growth",
)  # fmt: skip


@dataclass(frozen=True)
class Targets:
    """Minimum KPI values: `overall` for the whole book and, unless overridden, every group; per segment; per rep."""

    overall: Mapping[str, float] = field(default_factory=dict)
    segments: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    rep: Mapping[str, float] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.overall or self.segments or self.rep)

    def for_group(self, key: Mapping[str, object]) -> dict[str, float]:
        """The targets of a group with key columns `key`: overall, then its rep's, then its segment's."""
        targets = dict(self.overall)
        if "rep" in key:
            targets.update(self.rep)
        segment = key.get("segment")
        if isinstance(segment, str):
            targets.update(self.segments.get(segment, {}))
        return targets


@dataclass(frozen=True)
class Miss:
    """A KPI of one group below its target."""

    grouping: str
    group: str
    kpi: str
    value: float
    target: float

    def __str__(self) -> str:
        return f"{self.group}: {self.kpi} {self.value:.1%} is below the target {self.target:.1%}"


def misses(table: pl.DataFrame, grouping: str, targets: Targets) -> list[tuple[int, Miss]]:
    """Each (row index, miss) of a KPI table; a null KPI (no denominator) misses nothing."""
    keys = keys_of(grouping)
    found: list[tuple[int, Miss]] = []
    for index, row in enumerate(table.iter_rows(named=True)):
        key = {k: row[k] for k in keys}
        label = ", ".join(str(v) for v in key.values()) if keys else "overall"
        for kpi, minimum in targets.for_group(key).items():
            value = row.get(kpi)
            if isinstance(value, float) and value < minimum:
                found.append((index, Miss(grouping, label, kpi, value, minimum)))
    return found
