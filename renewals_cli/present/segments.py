"""The document of `renewals segments`: one row per account, then one per segment."""

from typing import Any

import polars as pl

from renewals_cli.present.common import iso
from renewals_cli.render.document import Document, Section
from renewals_cli.segments import Segment
from renewals_cli.window import Window


def segments_document(accounts: pl.DataFrame, window: Window, *, summary: bool = False) -> Document:
    """One row per account with its ARR and segment; with `summary` (for people), then one row per segment."""
    facts: dict[str, Any] = {"window": {"from": iso(window.start), "to": iso(window.end)}}
    sections = [Section(name="accounts", title="Accounts", frame=accounts)]
    if summary:
        per_segment = (
            accounts.group_by("segment")
            .agg(accounts=pl.len(), arr=pl.col("arr").sum(), opportunities=pl.col("opportunities").sum())
            .with_columns(pl.col("segment").cast(Segment))
            .sort("segment")
            .with_columns(pl.col("segment").cast(pl.String), pl.col("accounts").cast(pl.Int64))
        )
        sections.append(Section(name="segments", title="By segment", frame=per_segment))
    return Document(title="Accounts by segment", sections=tuple(sections), facts=facts)
