"""The terminal: a headline panel, then one Rich table per section with the columns that fit."""

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from renewals_cli.render.cells import cell, is_numeric, label
from renewals_cli.render.document import Document, Section


def _table(section: Section) -> Table:
    frame = section.frame
    columns = [c for c in section.brief if c in frame.columns] or frame.columns
    table = Table(title=section.title, title_justify="left", title_style="bold", header_style="bold")
    for column in columns:
        numeric = is_numeric(frame.schema[column])
        table.add_column(label(column), justify="right" if numeric else "left", no_wrap=not numeric)
    for row in frame.select(columns).iter_rows():
        table.add_row(*(cell(c, v) for c, v in zip(columns, row, strict=True)))
    return table


def _headline(document: Document) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, text in document.headline:
        grid.add_row(name, Text(text))
    return Panel(grid, title=document.title, title_align="left", expand=False)


def render(document: Document) -> RenderableType:
    """The headline (when there is one) and the tables, as one Rich renderable."""
    parts: list[RenderableType] = [_headline(document)] if document.headline else []
    parts += [_table(section) for section in document.sections]
    return Group(*parts)
