"""Every output channel neutralises names from customer data by its own rules: the terminal, Markdown, HTML, CSV
(reports and the rejected rows) and the workbook."""

import csv
import io
import json
import re
from html import unescape
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from renewals_cli import console
from renewals_cli.render import csv as csv_render
from renewals_cli.render import html, markdown, table, xlsx
from renewals_cli.render.cells import one_line
from renewals_cli.render.document import Document, Section
from tests.clirun import run

TERMINAL = "\x1b]0;pwned\x07\x1b[2J"  # sets the window title, then clears the screen
COLOURED = "\x1b[31mRed\x1b[0m Rep"
SCRIPT = "<script>alert(1)</script>"
LINK = "[click](javascript:alert(1))"
BROKEN = "Ann\nLee|x\r\n## heading"
FORMULA = "=HYPERLINK(1)"
MARKDOWN = MarkdownIt("commonmark").enable("table")
HOSTILE = [TERMINAL, COLOURED, SCRIPT, LINK, BROKEN, FORMULA, "-1+2", "@SUM(A1)", "\tTab", "\rReturn", "Plain"]


def document(names: list[str] = HOSTILE, *, title: str = "Renewal report") -> Document:
    frame = pl.DataFrame({"rep": names, "opportunities": list(range(len(names))), "close_rate": [0.5] * len(names)})
    return Document(
        title=title,
        sections=(Section("rep", f"By rep {TERMINAL}", frame),),
        headline=((f"Rep {TERMINAL}", f"{COLOURED} {SCRIPT}"),),
    )


def test_one_line_removes_escape_sequences_controls_and_line_breaks() -> None:
    assert one_line(TERMINAL) == ""
    assert one_line(COLOURED) == "Red Rep"
    assert one_line(BROKEN) == "Ann Lee|x ## heading"
    assert one_line("a\tb\x00c\x7fd\x9be") == "a bcd"  # a lone C1 CSI eats what a terminal would read as its code
    assert one_line("left\u202eright") == "leftright"  # no bidirectional override
    assert one_line("Zoë Åberg 日本") == "Zoë Åberg 日本"


def test_the_terminal_shows_no_control_character(monkeypatch: pytest.MonkeyPatch) -> None:
    text = console.to_text(table.render(document(title=f"Report {TERMINAL}")), width=200)
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert all(ch == "\n" or ch >= " " for ch in text)
    assert "Red Rep" in text
    assert "Ann Lee|x ## heading" in text
    assert "pwned" not in text


def test_rich_markup_in_names_is_shown_not_interpreted() -> None:
    text = console.to_text(table.render(document(["[bold red]Ann[/]"], title="[blink]T[/]")), width=200)
    assert "[bold red]Ann[/]" in text
    assert "[blink]T[/]" in text


def test_markdown_passes_no_html_link_or_line_break() -> None:
    text = markdown.render(document())
    assert "<script" not in text and "\x1b" not in text and "\r" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert r"\[click\](javascript:alert(1))" in text
    assert r"| Ann Lee\|x ## heading |" in text  # one table row, its pipe escaped
    # As a Markdown reader shows it: one row per rep, each name as text, no link and no tag.
    shown = MARKDOWN.render(text)
    assert "<a " not in shown and "<script" not in shown
    cells = re.findall(r"<tr>\n<td>(.*?)</td>", shown)
    assert [unescape(c) for c in cells] == [one_line(name).strip() for name in HOSTILE]


@given(st.text(max_size=40))
def test_markdown_shows_any_text_as_written_on_one_line(text: str) -> None:
    shown = MARKDOWN.renderInline(markdown.escape(text))
    assert "<" not in shown  # no tag, no link, no emphasis, no code
    assert unescape(shown) == one_line(text)


def test_html_escapes_every_name() -> None:
    page = html.render(document())
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "href=" not in page and "<a " not in page  # the link's text is text
    assert "\x1b" not in page


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_neutralises_formulas_in_headers_and_cells() -> None:
    frame = pl.DataFrame({"=cmd": ["=1+1", "ok"], "+n": [-5, 3], "rep": ["@x", "-y"]})
    rows = read_csv(csv_render.render(Document("t", (Section("s", "s", frame),))))
    assert rows == [["'=cmd", "'+n", "rep"], ["'=1+1", "-5", "'@x"], ["ok", "3", "'-y"]]


def test_csv_of_hostile_names() -> None:
    rows = read_csv(csv_render.render(document()))
    names = [row[0] for row in rows[1:]]
    assert names[5:10] == ["'=HYPERLINK(1)", "'-1+2", "'@SUM(A1)", "'\tTab", "'\rReturn"]
    assert names[:5] == HOSTILE[:5]  # CSV is data: only what a spreadsheet would run is changed


def test_the_workbook_stores_text_as_text_without_a_quote(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx.render(document())))
    sheet = book.worksheets[1]
    cells = [sheet.cell(row, 1) for row in range(2, 2 + len(HOSTILE))]
    assert all(c.data_type == "s" for c in cells)
    assert cells[5].value == FORMULA  # a string cell is never a formula: no quote is added
    assert cells[6].value == "-1+2"


def _hostile_export(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.csv"
    rows = [
        ["account_id", "rep", "expiry_date", "prior_amount", "status", "renewal_amount", "close_date", "=notes"],
        ["A", TERMINAL, "2026-01-31", "100", "won", "110", "2026-01-15", "=1+1"],
        ["B", SCRIPT, "2026-02-28", "100", "open", "", "", "@x"],
        ["C", FORMULA, "2026-02-28", "-5", "open", "", "", "+y"],
    ]
    with path.open("w", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def test_rejected_rows_are_written_with_the_same_neutralising(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"
    result = run(capsys, "report", str(_hostile_export(tmp_path)), "-f", "json", "--rejects", str(rejects))
    assert result.exit_code == 0, result.stderr
    rows = read_csv(rejects.read_text())
    assert rows[0][-2:] == ["'=notes", "reject_reason"]
    assert rows[1][rows[0].index("rep")] == "'=HYPERLINK(1)"
    assert rows[1][-2] == "'+y"


def test_report_on_a_terminal_through_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "report", str(_hostile_export(tmp_path)), "--as-of", "2026-05-01", "--by", "rep")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert SCRIPT in result.stdout
    json_result = run(capsys, "report", str(_hostile_export(tmp_path)), "--by", "rep", "-f", "json")
    # Reading made the name inert already (control characters are invisible, so removed from text keys)
    assert "]0;pwned[2J" in [row["rep"] for row in json.loads(json_result.stdout)["groups"]]
