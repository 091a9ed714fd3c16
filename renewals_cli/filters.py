"""`--rep`, `--segment`, `--csm` and `--partner`: which rows a command looks at.

Names are matched case-insensitively and taken as the export spells them; a name the export does not hold is a
usage error that suggests the nearest one it does (`--rep "ana lima"` finds `Ana Lima`; `--rep "Ana Lma"`
suggests it). A rep or partner is a row's; a segment or CSM is its account's (SPEC §2, §6), so those filters keep
every row of the accounts they name. The rows kept are then reported as if the export held only them.
"""

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from renewals_cli.errors import UsageError
from renewals_cli.kpis import DIRECT, UNASSIGNED
from renewals_cli.segments import SEGMENTS


@dataclass(frozen=True)
class Filters:
    """The names each filter keeps (empty: every one)."""

    reps: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    csms: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.reps or self.segments or self.csms or self.partners)

    @property
    def by_account(self) -> bool:
        """Whether a filter needs each account's segment or CSM."""
        return bool(self.segments or self.csms)


def spelled(option: str, asked: Iterable[str], known: Sequence[str]) -> tuple[str, ...]:
    """Each name `asked` for, as `known` spells it (case-insensitively); raise UsageError for one it does not
    hold, suggesting the nearest."""
    by_folded = {name.casefold(): name for name in sorted(known, reverse=True)}
    found = []
    for name in asked:
        match = by_folded.get(name.strip().casefold())
        if match is None:
            nearest = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.5)
            hint = f"; did you mean {by_folded[nearest[0]]!r}?" if nearest else ""
            raise UsageError(f"{option} {name!r}: no such name in the export{hint}")
        found.append(match)
    return tuple(dict.fromkeys(found))


def check_segments(segments: Iterable[str]) -> tuple[str, ...]:
    """The segments asked for, each one of SEGMENTS (case-insensitively)."""
    return spelled("--segment", segments, SEGMENTS)


def row_names(rows: pl.LazyFrame) -> list[pl.LazyFrame]:
    """The distinct reps and partners of the rows (a partner-less row's is `direct`), to check names against."""
    return [
        rows.select(pl.col("rep").unique()),
        rows.select(pl.col("partner").fill_null(DIRECT).unique()),
    ]


def resolved(filters: Filters, reps: Sequence[str], partners: Sequence[str], csms: Sequence[str]) -> Filters:
    """The filters with every name as the export spells it (see `spelled`)."""
    return Filters(
        reps=spelled("--rep", filters.reps, reps),
        segments=check_segments(filters.segments),
        csms=spelled("--csm", filters.csms, [*csms, UNASSIGNED]),
        partners=spelled("--partner", filters.partners, partners),
    )


def selection(filters: Filters, accounts: pl.DataFrame | None = None) -> pl.Expr:
    """The rows the filters keep; `accounts` (account_id, segment, csm) when a filter is by account."""
    keep = pl.lit(True)
    if filters.reps:
        keep &= pl.col("rep").is_in(list(filters.reps))
    if filters.partners:
        keep &= pl.col("partner").fill_null(DIRECT).is_in(list(filters.partners))
    if filters.by_account:
        if accounts is None:
            raise ValueError("a filter by segment or CSM needs each account's segment and CSM")
        chosen = accounts.lazy()
        if filters.segments:
            chosen = chosen.filter(pl.col("segment").cast(pl.String).is_in(list(filters.segments)))
        if filters.csms:
            chosen = chosen.filter(pl.col("csm").fill_null(UNASSIGNED).is_in(list(filters.csms)))
        keep &= pl.col("account_id").is_in(chosen.collect()["account_id"].implode())
    return keep
