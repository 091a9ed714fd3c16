"""Markdown: the headline as a list and every table in full, rates as percents."""

from renewals_cli.render.cells import cell, is_numeric, label
from renewals_cli.render.document import Document, Section


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _table(section: Section) -> list[str]:
    frame = section.frame
    columns = frame.columns
    rows = list(frame.iter_rows())
    numeric = [is_numeric(dtype) for dtype in frame.dtypes]
    lines = [
        "| " + " | ".join(_escape(label(c)) for c in columns) + " |",
        "|" + "|".join("---:" if numeric[i] else "---" for i in range(len(columns))) + "|",
    ]
    for index, row in enumerate(rows):
        texts = [
            _escape(cell(c, v)) + (" ▼" if (index, c) in section.below else "")
            for c, v in zip(columns, row, strict=True)
        ]
        lines.append("| " + " | ".join(texts) + " |")
    return lines


def render(document: Document) -> str:
    """A heading, the headline, then each table under its title."""
    lines = [f"# {document.title}", ""]
    lines += [f"- **{name}:** {_escape(text)}" for name, text in document.headline]
    for section in document.sections:
        lines += ["", f"## {section.title}", "", *_table(section)]
    return "\n".join(lines) + "\n"
