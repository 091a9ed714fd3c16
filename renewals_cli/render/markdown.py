"""Markdown: the headline as a list and every table in full, rates as percents.

Names come from customer data and Markdown is often turned into HTML, so every text is one line, HTML-special
characters are entities and Markdown's own syntax (links, emphasis, code, table pipes) is escaped: a rep named
`<script>` or `[x](javascript:…)` shows as written and does nothing.
"""

import re

from renewals_cli.render.cells import cell, is_numeric, label, one_line
from renewals_cli.render.document import Document, Section

ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# With `[` and `]` escaped no link or image can form, so `(`, `)` and `!` may stay as they read.
MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]|~])")


def escape(text: str) -> str:
    """Text shown as written in a Markdown line or table cell."""
    text = "".join(ENTITIES.get(char, char) for char in one_line(text))
    return MARKDOWN_SYNTAX.sub(r"\\\1", text)


def _table(section: Section) -> list[str]:
    frame = section.frame
    columns = frame.columns
    rows = list(frame.iter_rows())
    numeric = [is_numeric(dtype) for dtype in frame.dtypes]
    lines = [
        "| " + " | ".join(escape(label(c)) for c in columns) + " |",
        "|" + "|".join("---:" if numeric[i] else "---" for i in range(len(columns))) + "|",
    ]
    for index, row in enumerate(rows):
        texts = [
            escape(cell(c, v)) + (" ▼" if (index, c) in section.below else "")
            for c, v in zip(columns, row, strict=True)
        ]
        lines.append("| " + " | ".join(texts) + " |")
    return lines


def render(document: Document) -> str:
    """A heading, the headline, then each table under its title."""
    lines = [f"# {escape(document.title)}", ""]
    lines += [f"- **{escape(name)}:** {escape(text)}" for name, text in document.headline]
    for section in document.sections:
        lines += ["", f"## {escape(section.title)}", "", *_table(section)]
        if section.note:
            lines += ["", escape(section.note)]
    return "\n".join(lines) + "\n"
