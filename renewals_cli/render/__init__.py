"""Output formats: one small module per format behind one interface, `render(document) -> Output`.

The `Format` enum lives in `names`, so that `--help` need not import the renderers.
"""

from collections.abc import Callable

from rich.console import RenderableType

from renewals_cli.names import Format
from renewals_cli.render import csv, html, json, markdown, parquet, table, xlsx
from renewals_cli.render.document import Document

Output = str | bytes | RenderableType


RENDERERS: dict[Format, Callable[[Document], Output]] = {
    Format.table: table.render,
    Format.csv: csv.render,
    Format.json: json.render,
    Format.markdown: markdown.render,
    Format.parquet: parquet.render,
    Format.html: html.render,
    Format.xlsx: xlsx.render,
}


def render(document: Document, fmt: Format) -> Output:
    """The document in the given format."""
    return RENDERERS[fmt](document)
