"""The targets a run is checked against, and the table that says which were met."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    target: str
    where: str
    measured: str
    met: bool | None  # None: not measured


def ratio_check(target: str, where: str, value: float | None, base: float | None, limit: float) -> Check:
    """`value` ≤ `limit` × `base`; not measured when either is missing."""
    if value is None or not base:
        return Check(target, where, "not measured", None)
    return Check(target, where, f"{value / base:.2f}×", value <= limit * base)


def checks_table(found: Sequence[Check]) -> str:
    verdict = {True: "met", False: "**missed**", None: "not measured"}
    lines = ["| target | where | measured | |", "|---|---|---|---|"]
    lines += [f"| {c.target} | {c.where} | {c.measured} | {verdict[c.met]} |" for c in found]
    return "\n".join(lines)
