"""The HTML report: self-contained, styled inline for mail clients, escaped, every table in full (split to fit
the page), charts drawn with table cells, and a glossary.

The page is read back with a small HTML parser (the same one reads Chromium's DOM in the browser test), so the
tests assert what a reader sees rather than the markup's spelling.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renewals_cli.kpis import KPI_COLUMNS
from renewals_cli.present.glossary import GLOSSARY
from renewals_cli.render import html
from renewals_cli.render.cells import label
from renewals_cli.render.document import Document, Section
from tests.clirun import run

SCRIPT_REP = "<script>alert(1)</script>"
REPS = ["Ann Lee", SCRIPT_REP, "Bo Chen"]
LEVERS = {
    "resolution_rate_value": [0.5, 0.75, 0.25],
    "close_rate_value": [0.8, 0.6, 1.0],
    # Conversion above 100% (renewals grew) widens the axis; Bo has no closed renewals, so no conversion.
    "conversion_rate": [1.25, 0.9, None],
}
BATCHES = ["FY26-Q1", "FY26-Q2", "FY26-Q3"]
RENEWAL = [0.9, None, 0.45]


def rep_section(reps: list[str] = REPS) -> Section:
    frame = pl.DataFrame(
        {
            "rep": reps,
            "opportunities": [12, 7, 3][: len(reps)],
            "available": [1_200_000.0, 350_000.5, 90_000.0][: len(reps)],
            "resolution_rate": [0.4, 0.5, 0.6][: len(reps)],
            **{kpi: values[: len(reps)] for kpi, values in LEVERS.items()},
        },
        schema_overrides={"conversion_rate": pl.Float64},
    )
    # The script-named rep misses the close-rate target.
    return Section(name="rep", title="By rep", frame=frame, below=frozenset({(1, "close_rate_value")}))


def batch_section() -> Section:
    frame = pl.DataFrame({"batch": BATCHES, "opportunities": [5, 0, 4], "renewal_rate": RENEWAL})
    return Section(name="batch", title="By batch", frame=frame, note="Renewal = Resolution $ × Close $ × Conversion")


def segment_section() -> Section:
    frame = pl.DataFrame({"segment": ["strategic", "smb"], "renewal_rate": [0.7, 0.8]})
    return Section(name="segment", title="By segment", frame=frame)


def document(*sections: Section) -> Document:
    return Document(
        title="Renewal report",
        sections=sections or (segment_section(), rep_section(), batch_section()),
        headline=(("Window", "2026-01-01 to 2026-03-31 (expiry date)"), ("Renewal rate", "44.4% <by value>")),
    )


def wide_section(reps: int = 12) -> Section:
    """Every KPI and the coaching columns, for reps with long names: far wider than a page."""
    names = [f"Representative number {i} of the renewals team" for i in range(reps)]
    frame = pl.DataFrame(
        {
            "rep": names,
            **{kpi: [0.123456 + i for i in range(reps)] for kpi in KPI_COLUMNS},
            "weakest_lever": ["resolution"] * reps,
            "lever_gap": [-0.0512] * reps,
            "top_heavy": [False] * reps,
            "coaching_action": ["understand each client's buying process and obstacles"] * reps,
        }
    ).with_columns(pl.col("opportunities", "won", "lost", "open", "due", "past_due", "accounts").cast(pl.Int64) * 1000)
    return Section("rep", "By rep", frame, brief=("rep", "opportunities", "available", "renewal_rate"))


@dataclass
class Table:
    """One data table as a reader sees it: headings and cells (text and inline style)."""

    headers: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, str]]] = field(default_factory=list)


@dataclass
class Chart:
    name: str
    bars: list[dict[str, str]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    ticks: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


@dataclass
class Part:
    """A section: its charts and its tables (a wide table is split into several)."""

    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        """Every column once, in order across the split tables (the repeated row names once)."""
        return list(dict.fromkeys(h for table in self.tables for h in table.headers))

    def column(self, heading: str) -> list[str]:
        return [row[0] for row in self.cells(heading)]

    def cells(self, heading: str) -> list[tuple[str, str]]:
        for table in self.tables:
            if heading in table.headers:
                at = table.headers.index(heading)
                return [row[at] for row in table.rows]
        raise KeyError(heading)


class Page(HTMLParser):
    """Headline pairs and sections of a rendered page (or of Chromium's DOM of it)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.headline: list[str] = []
        self.sections: dict[str, Part] = {}
        self.section = Part()
        self.stack: list[str] = []  # the kind of each open table: data, chart, layout, headline
        self.cell: list[str] | None = None
        self.cell_style = ""
        self.row: list[tuple[str, str]] = []
        self.heading_row = False
        self.in_p = False
        self.tags_without_style: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("body", "h1", "h2", "table", "td", "th", "p", "caption") and "style" not in a:
            self.tags_without_style.append(tag)
        if tag == "section":
            self.section = self.sections[a["id"]] = Part()
        elif tag == "table":
            classes = a.get("class", "").split()
            kind = "chart" if "chart" in classes else "headline" if "headline" in classes else "data"
            if self.stack and self.stack[-1] in ("chart", "layout"):
                kind = "layout"
            self.stack.append(kind)
            if kind == "chart":
                self.section.charts.append(Chart(a["aria-label"]))
            elif kind == "data":
                self.section.tables.append(Table())
        elif tag == "tr":
            self.row, self.heading_row = [], False
        elif tag in ("td", "th"):
            if self.stack and self.stack[-1] == "layout" and "bar" in a.get("class", "").split():
                self.section.charts[-1].bars.append(a)
            self.cell, self.cell_style = [], a.get("style", "")
            self.heading_row = self.heading_row or (tag == "th" and a.get("scope") == "col")
            self.cell_class = a.get("class", "")
        elif tag == "p":
            self.in_p, self.cell = True, []

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self.stack and self.stack[-1] in ("chart", "layout") and data.strip():
            self.section.charts[-1].text.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        kind = self.stack[-1] if self.stack else ""
        if tag == "p" and self.in_p and self.cell is not None:
            self.section.notes.append("".join(self.cell).strip())
            self.in_p, self.cell = False, None
        elif tag in ("td", "th") and self.cell is not None:
            content = "".join(self.cell).strip()
            if kind == "data":
                self.row.append((content, self.cell_style))
            elif kind == "headline":
                self.headline.append(content)
            elif kind == "layout" and "%" in content and not self.cell_class:
                self.section.charts[-1].ticks.append(content)
            elif kind == "chart" and self.cell_class == "value":
                self.section.charts[-1].values.append(content)
            self.cell = None
        elif tag == "tr" and kind == "data":
            if self.heading_row:
                self.section.tables[-1].headers = [t for t, _ in self.row]
            else:
                self.section.tables[-1].rows.append(self.row)
        elif tag == "table" and self.stack:
            self.stack.pop()


def test_the_page_needs_nothing_from_outside_and_runs_nothing() -> None:
    page = html.render(document())
    assert page.startswith("<!DOCTYPE html>")
    for outside in ("<script", "http", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe", "<svg"):
        assert outside not in page.lower(), outside
    assert not re.search(r"\son\w+=", page)  # no event handlers either


def test_every_element_is_styled_inline_and_the_style_block_is_for_print_only() -> None:
    page = html.render(document())
    # A mail client that drops <style> loses nothing on screen: the block holds print rules only.
    assert re.findall(r"<style>(.*?)</style>", page, flags=re.S) == [html.PRINT]
    assert html.PRINT.startswith("@media print{")
    assert Page(page).tags_without_style == []
    assert "class=" not in re.sub(r'class="(bar|value|chart|headline|page|below)"', "", page)


def test_names_from_the_data_are_escaped() -> None:
    page = html.render(document())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;by value&gt;" in page
    parsed = Page(page)
    assert parsed.sections["rep"].column("Rep") == REPS
    assert parsed.headline == [
        "Window",
        "2026-01-01 to 2026-03-31 (expiry date)",
        "Renewal rate",
        "44.4% <by value>",
    ]


def test_every_table_in_full_with_people_s_formats() -> None:
    page = Page(html.render(document()))
    assert list(page.sections) == ["segment", "rep", "batch", "glossary"]
    rep = page.sections["rep"]
    assert rep.headers == ["Rep", "Opps", "Available", "Resolution #", "Resolution $", "Close $", "Conversion"]
    assert rep.column("Available") == ["1,200,000", "350,000", "90,000"]
    assert rep.column("Resolution $") == ["50.0%", "75.0%", "25.0%"]
    assert rep.column("Conversion") == ["125.0%", "90.0%", "—"]
    assert all("text-align:right" in style for _, style in rep.cells("Opps"))
    assert not any("text-align:right" in style for _, style in rep.cells("Rep"))
    assert page.sections["batch"].column("Renewal") == ["90.0%", "—", "45.0%"]


def test_brief_columns_come_first() -> None:
    section = rep_section()
    section = Section(section.name, section.title, section.frame, brief=("rep", "conversion_rate"))
    assert Page(html.render(document(section))).sections["rep"].headers[:3] == ["Rep", "Conversion", "Opps"]


def test_below_target_cells_are_marked_red_inline_and_no_others() -> None:
    page = html.render(document())
    rep = Page(page).sections["rep"]
    marked = [
        (index, heading)
        for index in range(3)
        for heading in rep.headers
        if "▼" in rep.cells(heading)[index][0] or html.BELOW in rep.cells(heading)[index][1]
    ]
    assert marked == [(1, "Close $")]
    assert rep.cells("Close $")[1][0] == "60.0% ▼"
    assert "color:#b91c1c" in rep.cells("Close $")[1][1]
    assert "▼ misses its target." in rep.notes
    assert page.count("▼") == 2  # the marked cell and its note; nothing in the batch or segment tables


def test_a_section_note_is_shown_under_its_tables() -> None:
    assert Page(html.render(document())).sections["batch"].notes == ["Renewal = Resolution $ × Close $ × Conversion"]


def test_rep_chart_has_the_value_levers_that_multiply_to_the_renewal_rate() -> None:
    rep = Page(html.render(document())).sections["rep"]
    [chart] = rep.charts
    assert "levers that multiply to the renewal rate" in chart.name
    assert "(by value)" in chart.name
    by_kpi = {kpi: sum(1 for bar in chart.bars if bar["data-kpi"] == kpi) for kpi in LEVERS}
    assert by_kpi == {"resolution_rate_value": 3, "close_rate_value": 3, "conversion_rate": 2}
    assert "resolution_rate" not in {bar["data-kpi"] for bar in chart.bars}  # the count rate is not a lever
    assert chart.values == ["50.0%", "80.0%", "125.0%", "75.0%", "60.0%", "90.0%", "25.0%", "100.0%", "—"]
    for legend in ("Resolution $", "Close $", "Conversion"):
        assert legend in chart.text


def test_rep_chart_bars_are_to_scale_with_an_axis_past_100_percent() -> None:
    [chart] = Page(html.render(document(rep_section()))).sections["rep"].charts
    widths = [float(bar["width"].rstrip("%")) for bar in chart.bars]
    # Ann's conversion (125%) is the axis maximum, a full-width bar; her resolution (50%) two fifths of it.
    assert widths[:3] == [40.0, 64.0, 100.0]
    assert all(f"background:{bar['bgcolor']}" in bar["style"] for bar in chart.bars)
    assert chart.ticks == ["25%", "50%", "75%", "100%", "125%"]


def test_rep_chart_axis_is_100_percent_when_every_rate_is_below_it() -> None:
    levers = {"resolution_rate_value": [0.5], "close_rate_value": [0.4], "conversion_rate": [0.9]}
    section = Section("rep", "By rep", pl.DataFrame({"rep": ["Ann"], **levers}))
    [chart] = Page(html.render(document(section))).sections["rep"].charts
    assert chart.ticks == ["25%", "50%", "75%", "100%"]
    assert [bar["width"] for bar in chart.bars] == ["50%", "40%", "90%"]


def test_no_lever_chart_without_all_three_levers() -> None:
    # A book-balance table has resolution by value but not the other levers: one rate is not the levers.
    section = Section("rep", "By rep", pl.DataFrame({"rep": ["Ann"], "resolution_rate_value": [0.5]}))
    assert Page(html.render(document(section))).sections["rep"].charts == []


def test_batch_chart_has_one_bar_per_batch_with_a_value() -> None:
    batch = Page(html.render(document())).sections["batch"]
    [chart] = batch.charts
    assert chart.name == "Renewal rate by batch"
    assert [bar["data-kpi"] for bar in chart.bars] == ["renewal_rate", "renewal_rate"]
    assert chart.values == ["90.0%", "—", "45.0%"]
    assert [bar["width"] for bar in chart.bars] == ["90%", "45%"]


def test_a_table_with_two_keys_names_chart_rows_by_both() -> None:
    frame = pl.DataFrame({"batch": ["Q1", "Q1"], "rep": ["Ann", "Bo"], "renewal_rate": [0.5, 0.6]})
    page = Page(html.render(document(Section("batch,rep", "By batch and rep", frame))))
    [chart] = page.sections["batch,rep"].charts
    assert chart.name == "Renewal rate by batch"
    assert "Q1 · Ann" in chart.text and "Q1 · Bo" in chart.text


def test_tables_without_reps_or_batches_have_no_chart() -> None:
    page = Page(html.render(document()))
    assert page.sections["segment"].charts == []
    coaching = Section("coaching", "Coaching", pl.DataFrame({"rep": ["Ann"], "weakest_lever": ["close"]}))
    assert Page(html.render(document(coaching))).sections["coaching"].charts == []


def test_an_empty_table_says_so_and_draws_no_chart() -> None:
    rep = Page(html.render(document(rep_section([])))).sections["rep"]
    assert rep.charts == []
    assert rep.tables[0].rows == [[("No rows.", rep.tables[0].rows[0][0][1])]]


def test_a_wide_table_is_split_into_tables_that_each_lead_with_the_row_names() -> None:
    section = wide_section()
    rep = Page(html.render(document(section))).sections["rep"]
    assert len(rep.tables) > 2
    assert all(table.headers[0] == "Rep" for table in rep.tables)
    assert all(table.rows and len(table.rows) == 12 for table in rep.tables)
    shown = [h for table in rep.tables for h in table.headers[1:]]
    expected = [label(c) for c in html._columns(section)][1:]
    assert shown == expected  # every other column exactly once, brief ones first
    assert rep.headers[:4] == ["Rep", "Opps", "Available", "Renewal"]
    assert [n for n in rep.notes if n.startswith("Columns, part")] == [
        f"Columns, part {i} of {len(rep.tables)}" for i in range(1, len(rep.tables) + 1)
    ]


def test_a_table_that_fits_is_not_split() -> None:
    assert len(Page(html.render(document())).sections["rep"].tables) == 1


def test_the_glossary_says_what_each_kpi_shown_is() -> None:
    glossary = Page(html.render(document())).sections["glossary"]
    [table] = glossary.tables
    assert table.headers == ["KPI", "Basis and definition"]
    shown = [row[0][0] for row in table.rows]
    # Only the KPIs the page shows, each with its label and column name, in glossary order.
    columns = ["opportunities", "available", "resolution_rate", "resolution_rate_value", "close_rate_value"]
    columns += ["conversion_rate", "renewal_rate"]
    assert shown == [f"{label(c)}{c}" for c in columns]
    assert [row[1][0] for row in table.rows] == [GLOSSARY[c] for c in columns]


def test_a_page_without_kpis_has_no_glossary() -> None:
    plain = Document("Accounts", (Section("accounts", "Accounts", pl.DataFrame({"account_id": ["A"]})),))
    assert "glossary" not in Page(html.render(plain)).sections


# Any printable text a CRM could hold (control characters are removed from names on every channel).
NAMES = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)


@settings(max_examples=50)
@given(st.lists(NAMES, min_size=1, max_size=3))
def test_any_rep_name_reads_back_as_text(names: list[str]) -> None:
    page = html.render(document(rep_section(names)))
    assert "<script" not in page.lower()
    expected = [html.one_line(name).strip() for name in names]
    assert Page(page).sections["rep"].column("Rep") == expected


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")

# Added to a copy of the page under test only (the page itself runs nothing): the widths a reader's window sees.
MEASURE = """<script>
const root = document.documentElement;
const tables = [...document.querySelectorAll("table")].map(t => t.getBoundingClientRect().right);
const out = document.createElement("pre");
out.id = "measure";
out.textContent = JSON.stringify({scroll: root.scrollWidth, client: root.clientWidth, right: Math.max(...tables)});
document.body.appendChild(out);
</script>"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Chromium without a sandbox, GPU, profile or network chatter: it only loads the local page."""
    assert CHROMIUM
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def measure(tmp_path: Path, page: str, width: int) -> dict[str, float]:
    path = tmp_path / f"measure-{width}.html"
    path.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", f"--window-size={width},1000", path.as_uri()).stdout
    found = re.search(r'<pre id="measure">(.*?)</pre>', dom)
    assert found, dom[-500:]
    result: dict[str, float] = json.loads(found.group(1))
    return result


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of the hand-checked book, and a wide table of long names, on one page."""
    capsys_free = tmp_path_factory.mktemp("report") / "report.html"
    from renewals_cli.cli import main

    with pytest.raises(SystemExit):
        main(["report", "tests/data/book.csv", "--as-of", "2026-05-01", "-o", str(capsys_free)])
    page = capsys_free.read_text(encoding="utf-8")
    unbroken = rep_section(["W" * 150, SCRIPT_REP, "Bo Chen"])  # a name with nowhere to wrap
    extra = "".join(html._section(wide_section(4)) + html._section(unbroken))
    return page.replace('<section id="glossary">', extra + '<section id="glossary">')


@needs_chromium
@pytest.mark.parametrize("width", [800, 1280])
def test_no_table_scrolls_sideways_in_a_real_browser(tmp_path: Path, report_page: str, width: int) -> None:
    sizes = measure(tmp_path, report_page, width)
    assert sizes["scroll"] == sizes["client"], sizes
    assert sizes["right"] <= sizes["client"], sizes


@needs_chromium
def test_without_its_style_block_and_classes_the_page_looks_the_same(tmp_path: Path, report_page: str) -> None:
    """What a mail client that drops `<style>` and class names (Gmail, Outlook) shows: pixel for pixel the same."""
    mailed = re.sub(r' class="[^"]*"', "", re.sub(r"<style>.*?</style>", "", report_page, flags=re.S))
    assert "<style>" not in mailed and "class=" not in mailed
    shots = []
    for name, page in (("browser", report_page), ("mail", mailed)):
        path = tmp_path / f"{name}.html"
        path.write_text(page, encoding="utf-8")
        shot = tmp_path / f"{name}.png"
        chromium(tmp_path, f"--screenshot={shot}", "--hide-scrollbars", "--window-size=800,3000", path.as_uri())
        shots.append(shot.read_bytes())
    assert shots[0] == shots[1]


@needs_chromium
def test_a_real_browser_shows_the_tables_and_charts(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(html.render(document()), encoding="utf-8")

    dom = chromium(tmp_path, "--dump-dom", path.as_uri()).stdout
    page = Page(dom)
    assert "<script" not in dom.lower()  # the rep named like a script stayed text
    rep = page.sections["rep"]
    assert rep.column("Rep") == REPS
    assert rep.column("Close $") == ["80.0%", "60.0% ▼", "100.0%"]
    assert len(rep.charts[0].bars) == 8
    assert len(page.sections["batch"].charts[0].bars) == 2

    screenshot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=800,1600", path.as_uri())
    png = screenshot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == 800


def test_the_command_writes_the_page(capsys: pytest.CaptureFixture[str], book: Path, tmp_path: Path) -> None:
    target = tmp_path / "weekly.html"
    result = run(capsys, "report", str(book), "--as-of", "2026-05-01", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    page = Page(target.read_text(encoding="utf-8"))
    assert list(page.sections) == ["segment", "rep", "batch", "forecast", "coaching", "glossary"]
    assert page.sections["coaching"].column("vs team (pts)") == ["-1.3 pts", "-56.3 pts"]
    [chart] = page.sections["rep"].charts
    assert chart.values == ["100.0%", "70.6%", "103.3%", "36.4%", "100.0%", "105.0%"]


def test_a_split_table_without_grouping_keys_repeats_its_first_column() -> None:
    frame = pl.DataFrame(
        {
            "account_name": ["Lighthouse Logistics Co."],
            "rep": ["Ann Lee"],
            "segment": ["smb"],
            **{f"note_{i}": ["a longer text that takes room"] for i in range(6)},
        }
    )
    section = Section("opportunities", "Open renewals", frame, brief=("account_name", "rep"))
    part = Page(html.render(document(section))).sections["opportunities"]
    assert len(part.tables) > 1
    assert [table.headers[0] for table in part.tables] == ["Account"] * len(part.tables)
    assert part.tables[0].headers[:3] == ["Account", "Rep", "Segment"]


def test_the_sample_report_is_small_enough_for_gmail_to_show_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Gmail cuts a message above 102 kB behind a link; the sample export's report (11 reps, 9 batches, partners
    and churn reasons) stays under it, which is why cells share their styles through the table. (With the
    forecast section, about 110 kB, Gmail folds away the tail: the coaching table and the glossary.)"""
    target = tmp_path / "weekly.html"
    sample = Path(__file__).parent.parent / "sample_data" / "renewals.csv"
    result = run(capsys, "report", str(sample), "--as-of", "2026-11-25", "--no-forecast", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert len(target.read_bytes()) < 102_000
