"""The terminal: a headline panel, then one Rich table per section with as many columns as the width allows.

Names come from customer data: every text shown goes through `one_line`, so a rep named with an escape sequence
cannot retitle, recolour or clear the terminal.
"""

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from renewals_cli.render.cells import cell, is_numeric, label, one_line
from renewals_cli.render.document import Document, Section

# Borders and padding a Rich table spends on each column.
COLUMN_CHROME = 3
# Longer text (an account name) is cut with an ellipsis rather than crowd out the numbers.
TEXT_WIDTH = 28
# Advice is read as a sentence: it wraps, at any width, instead of being cut (taking at least PROSE_WIDTH).
PROSE_COLUMNS = frozenset({"coaching_action"})
PROSE_WIDTH = 16


@dataclass(frozen=True)
class FittedTable:
    """A section as a table whose columns, in `brief` order, are cut to the console's width at print time."""

    section: Section

    def _cap(self, column: str) -> int:
        if column in PROSE_COLUMNS:
            return PROSE_WIDTH
        return 10**6 if is_numeric(self.section.frame.schema[column]) else TEXT_WIDTH

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        frame = self.section.frame
        wanted = [c for c in self.section.brief if c in frame.columns] or frame.columns
        cells = {c: [one_line(cell(c, v)) for v in frame[c]] for c in wanted}
        columns: list[str] = []
        used = 1
        for column in wanted:
            width = min(max([len(label(column)), *(len(text) for text in cells[column])]), self._cap(column))
            width += COLUMN_CHROME
            if columns and used + width > options.max_width:
                break
            columns.append(column)
            used += width
        table = Table(
            title=Text(one_line(self.section.title)), title_justify="left", title_style="bold", header_style="bold"
        )
        for column in columns:
            numeric = is_numeric(frame.schema[column])
            if column in PROSE_COLUMNS:
                table.add_column(Text(one_line(label(column))), overflow="fold", min_width=PROSE_WIDTH, ratio=1)
                continue
            table.add_column(
                Text(one_line(label(column))),
                justify="right" if numeric else "left",
                no_wrap=True,
                overflow="ellipsis",
                max_width=None if numeric else self._cap(column),
            )
        below = self.section.below
        for index in range(frame.height):
            table.add_row(*(Text(cells[c][index], style="bold red" if (index, c) in below else "") for c in columns))
        yield table
        if len(columns) < len(wanted):
            hidden = len(wanted) - len(columns)
            more = "1 more column" if hidden == 1 else f"{hidden} more columns"
            yield Text(f"({more} on a wider terminal, or with --format csv)", style="dim")
        if self.section.note:
            yield Text(one_line(self.section.note), style="dim")


def _headline(document: Document) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, text in document.headline:
        grid.add_row(Text(one_line(name)), Text(one_line(text)))
    return Panel(grid, title=Text(one_line(document.title)), title_align="left", expand=False, border_style="cyan")


def render(document: Document) -> RenderableType:
    """The headline (when there is one) and the tables, as one Rich renderable."""
    parts: list[RenderableType] = [_headline(document)] if document.headline else []
    parts += [FittedTable(section) for section in document.sections]
    return Group(*parts)
