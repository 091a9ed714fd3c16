"""Parquet: the first table as typed columns."""

import io

from renewals_cli.render.document import Document


def render(document: Document) -> bytes:
    """The document's first table as Parquet bytes."""
    buffer = io.BytesIO()
    document.sections[0].frame.write_parquet(buffer)
    return buffer.getvalue()
