"""What every renderer receives: a title, facts about the run, and tables."""

from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Section:
    """One table: `name` is its JSON key; `brief` the columns a terminal has room for, in order; `below` the
    (row index, column) cells under their target; `note` a line for people under the table (how to read it);
    `sheet` a short name for its workbook sheet (the title when empty; Excel allows 31 characters)."""

    name: str
    title: str
    frame: pl.DataFrame
    brief: tuple[str, ...] = ()
    below: frozenset[tuple[int, str]] = frozenset()
    note: str = ""
    sheet: str = ""


@dataclass(frozen=True)
class Document:
    """A command's result, ready for any format.

    `facts` is machine-readable metadata (JSON keys); `headline` the same for people, as label/text pairs.
    `totals` the overall KPIs (column → value) for formats that keep them as numbers (the workbook's summary);
    `missed` every missed target, one row each (`grouping`, `group`, `kpi`, `value`, `target`), for formats with
    room for the whole list; `currency` the currency of the amounts (an ISO code such as `USD`), for formats that
    can show it.
    """

    title: str
    sections: tuple[Section, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    headline: tuple[tuple[str, str], ...] = ()
    totals: dict[str, Any] = field(default_factory=dict)
    missed: pl.DataFrame | None = None
    currency: str | None = None
