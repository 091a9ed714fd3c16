"""The document of `renewals validate`: how each file's headers were mapped, and why rows were rejected."""

import polars as pl

from renewals_cli.load.columns import CANONICAL
from renewals_cli.load.export import Export, RowAccounting
from renewals_cli.present.common import accounting_facts, accounting_text
from renewals_cli.render.document import Document, Section


def validation_document(export: Export, accounting: RowAccounting) -> Document:
    """How each file's headers were mapped, and why rows were rejected."""
    mapping = pl.DataFrame(
        [
            {"column": canonical, "header": mapping.header_for(canonical) or "", "file": str(source.path)}
            for source, mapping in zip(export.sources, export.mappings, strict=True)
            for canonical in CANONICAL
            if mapping.has(canonical)
        ],
        schema={"column": pl.String, "header": pl.String, "file": pl.String},
    )
    reasons = pl.DataFrame(
        {"reject_reason": list(accounting.reasons), "rows": list(accounting.reasons.values())},
        schema={"reject_reason": pl.String, "rows": pl.Int64},
    )
    sections = [Section(name="columns", title="Columns", frame=mapping)]
    if accounting.reasons:
        sections.append(Section(name="reject_reasons", title="Rejected rows by reason", frame=reasons))
    return Document(
        title="Validation",
        sections=tuple(sections),
        facts={"rows": accounting_facts(accounting)},
        headline=(("Rows", accounting_text(accounting)),),
    )
