"""Output formats: one small module per format behind one interface, `render(document) -> Output`."""

from collections.abc import Callable
from enum import StrEnum

from rich.console import RenderableType

from renewals_cli.render import csv, json, markdown, parquet, table
from renewals_cli.render.document import Document

Output = str | bytes | RenderableType


class Format(StrEnum):
    """The values of `--format`."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    parquet = "parquet"


RENDERERS: dict[Format, Callable[[Document], Output]] = {
    Format.table: table.render,
    Format.csv: csv.render,
    Format.json: json.render,
    Format.markdown: markdown.render,
    Format.parquet: parquet.render,
}

# Formats that hold one table: without `--by` they get the grouping named here.
SINGLE_TABLE = frozenset({Format.csv, Format.parquet})


def render(document: Document, fmt: Format) -> Output:
    """The document in the given format."""
    return RENDERERS[fmt](document)
