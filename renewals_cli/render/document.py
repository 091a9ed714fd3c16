"""What every renderer receives: a title, facts about the run, and tables."""

from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Section:
    """One table: `name` is its JSON key; `brief` the columns a terminal has room for, in order; `below` the
    (row index, column) cells under their target."""

    name: str
    title: str
    frame: pl.DataFrame
    brief: tuple[str, ...] = ()
    below: frozenset[tuple[int, str]] = frozenset()


@dataclass(frozen=True)
class Document:
    """A command's result, ready for any format.

    `facts` is machine-readable metadata (JSON keys); `headline` the same for people, as label/text pairs.
    """

    title: str
    sections: tuple[Section, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    headline: tuple[tuple[str, str], ...] = ()
