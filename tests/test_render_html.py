"""The HTML report: self-contained, escaped, every table in full, and SVG charts with one bar per value.

The page is read back with a small HTML parser (the same one reads Chromium's DOM in the browser test), so the
tests assert what a reader sees rather than the markup's spelling.
"""

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from renewals_cli.render import html
from renewals_cli.render.document import Document, Section

SCRIPT_REP = "<script>alert(1)</script>"
REPS = ["Ann Lee", SCRIPT_REP, "Bo Chen"]
LEVERS = {
    "resolution_rate": [0.5, 0.75, 0.25],
    "close_rate": [0.8, 0.6, 1.0],
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
            **{kpi: values[: len(reps)] for kpi, values in LEVERS.items()},
        },
        schema_overrides={"conversion_rate": pl.Float64},
    )
    # The script-named rep misses the close-rate target.
    return Section(name="rep", title="By rep", frame=frame, below=frozenset({(1, "close_rate")}))


def batch_section() -> Section:
    frame = pl.DataFrame({"batch": BATCHES, "opportunities": [5, 0, 4], "renewal_rate": RENEWAL})
    return Section(name="batch", title="By batch", frame=frame)


def segment_section() -> Section:
    frame = pl.DataFrame({"segment": ["strategic", "smb"], "renewal_rate": [0.7, 0.8]})
    return Section(name="segment", title="By segment", frame=frame)


def document(*sections: Section) -> Document:
    return Document(
        title="Renewal report",
        sections=sections or (segment_section(), rep_section(), batch_section()),
        headline=(("Window", "2026-01-01 to 2026-03-31 (expiry date)"), ("Renewal rate", "44.4% <by value>")),
    )


@dataclass
class Table:
    """A section as a reader sees it: headings, cells (text and class), chart names and bars."""

    headers: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, str]]] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    bars: list[dict[str, str]] = field(default_factory=list)
    chart_nulls: int = 0

    def column(self, heading: str) -> list[str]:
        at = self.headers.index(heading)
        return [row[at][0] for row in self.rows]


class Page(HTMLParser):
    """Headline pairs and sections of a rendered page (or of Chromium's DOM of it)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.headline: list[str] = []
        self.sections: dict[str, Table] = {}
        self.section = Table()
        self.cell: list[str] | None = None
        self.cell_class = ""
        self.row: list[tuple[str, str]] = []
        self.heading_row = False
        self.null_text = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.section = self.sections[a["id"]] = Table()
        elif tag == "svg":
            self.section.charts.append(a["aria-label"])
        elif tag == "rect" and "bar" in a.get("class", "").split():
            self.section.bars.append(a | {"chart": self.section.charts[-1]})
        elif tag == "text" and a.get("class") == "null":
            self.section.chart_nulls += 1
        elif tag == "tr":
            self.row, self.heading_row = [], False
        elif tag in ("td", "th", "dt", "dd"):
            self.cell, self.cell_class = [], a.get("class", "")
            self.heading_row = tag == "th"

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(("".join(self.cell).strip(), self.cell_class))
            self.cell = None
        elif tag in ("dt", "dd") and self.cell is not None:
            self.headline.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr":
            if self.heading_row:
                self.section.headers = [text for text, _ in self.row]
            else:
                self.section.rows.append(self.row)


def test_the_page_needs_nothing_from_outside_and_runs_nothing() -> None:
    page = html.render(document())
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    for outside in ("<script", "http", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe"):
        assert outside not in page.lower(), outside
    assert not re.search(r"\son\w+=", page)  # no event handlers either


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
    assert list(page.sections) == ["segment", "rep", "batch"]
    rep = page.sections["rep"]
    assert rep.headers == ["Rep", "Opps", "Available", "Resolution", "Close", "Conversion"]
    assert rep.column("Available") == ["1,200,000", "350,000", "90,000"]
    assert rep.column("Resolution") == ["50.0%", "75.0%", "25.0%"]
    assert rep.column("Conversion") == ["125.0%", "90.0%", "—"]
    assert [cls for _, cls in rep.rows[0]] == ["", "num", "num", "num", "num", "num"]
    assert page.sections["batch"].column("Renewal") == ["90.0%", "—", "45.0%"]


def test_brief_columns_come_first() -> None:
    section = rep_section()
    section = Section(section.name, section.title, section.frame, brief=("rep", "conversion_rate"))
    assert Page(html.render(document(section))).sections["rep"].headers[:3] == ["Rep", "Conversion", "Opps"]


def test_below_target_cells_are_marked_red_and_no_others() -> None:
    page = html.render(document())
    rep = Page(page).sections["rep"]
    marked = [
        (index, heading)
        for index, row in enumerate(rep.rows)
        for heading, (text, cls) in zip(rep.headers, row, strict=True)
        if "▼" in text or "below" in cls.split()
    ]
    assert marked == [(1, "Close")]
    assert rep.rows[1][rep.headers.index("Close")] == ("60.0% ▼", "num below")
    assert re.search(r'<td class="num below" style="color:#b91c1c">60\.0% <span[^>]*>▼</span></td>', page)
    assert "td.below { color: #b91c1c" in page
    assert "▼ below its target." in page
    assert page.count("▼") == 2  # the marked cell and its note; nothing in the batch or segment tables


def test_rep_chart_has_one_bar_per_rep_per_lever_and_none_for_a_null() -> None:
    rep = Page(html.render(document())).sections["rep"]
    assert rep.charts == ["Resolution, close and conversion rate by rep"]
    by_kpi = {kpi: sum(1 for bar in rep.bars if bar["data-kpi"] == kpi) for kpi in LEVERS}
    assert by_kpi == {"resolution_rate": 3, "close_rate": 3, "conversion_rate": 2}
    assert rep.chart_nulls == 1


def test_rep_chart_bars_are_to_scale_with_an_axis_past_100_percent() -> None:
    page = html.render(document(rep_section()))
    bars = Page(page).sections["rep"].bars
    widths = {(bar["data-kpi"], bar["y"]): float(bar["width"]) for bar in bars}
    width = {kpi: sorted(w for (k, _), w in widths.items() if k == kpi) for kpi in LEVERS}
    # Ann's conversion (125%) is the axis maximum; her resolution (50%) is two fifths of it.
    longest = max(w for ws in width.values() for w in ws)
    assert width["conversion_rate"][-1] == longest
    assert width["resolution_rate"][1] == pytest.approx(longest * 0.5 / 1.25, abs=0.1)
    ticks = re.findall(r">(\d+%)</text>", page)
    assert ticks == ["0%", "25%", "50%", "75%", "100%", "125%"]


def test_rep_chart_axis_is_100_percent_when_every_rate_is_below_it() -> None:
    section = Section("rep", "By rep", pl.DataFrame({"rep": ["Ann"], "close_rate": [0.4]}))
    page = html.render(document(section))
    assert re.findall(r">(\d+%)</text>", page) == ["0%", "25%", "50%", "75%", "100%"]


def test_batch_chart_has_one_bar_per_batch_with_a_value() -> None:
    batch = Page(html.render(document())).sections["batch"]
    assert batch.charts == ["Renewal rate by batch"]
    assert [bar["data-kpi"] for bar in batch.bars] == ["renewal_rate", "renewal_rate"]
    assert batch.chart_nulls == 1
    heights = [float(bar["height"]) for bar in batch.bars]
    assert heights[0] == pytest.approx(2 * heights[1], abs=0.1)  # 90% against 45%


def test_charts_are_accessible_with_legend_axis_labels_and_tooltips() -> None:
    page = html.render(document())
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert 'role="img"' in svg
        assert re.search(r'aria-label="[^"]+"', svg)
        assert "<title>" in svg
        assert 'class="legend"' in svg
    lever, renewal = svgs
    for text in (">Resolution<", ">Close<", ">Conversion<", ">Rate<", ">Rep<"):
        assert text in lever
    for text in (">Renewal<", ">Batch<", ">Renewal rate<"):
        assert text in renewal
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;: Close 60.0%</title>" in lever
    assert "<title>Bo Chen: Conversion —</title>" in lever


def test_a_table_with_two_keys_names_chart_rows_by_both() -> None:
    frame = pl.DataFrame({"batch": ["Q1", "Q1"], "rep": ["Ann", "Bo"], "renewal_rate": [0.5, 0.6]})
    page = html.render(document(Section("batch,rep", "By batch and rep", frame)))
    assert Page(page).sections["batch,rep"].charts == ["Renewal rate by batch"]
    assert "<title>Q1 · Ann: Renewal 50.0%</title>" in page


def test_tables_without_reps_or_batches_have_no_chart() -> None:
    page = Page(html.render(document()))
    assert page.sections["segment"].charts == []
    coaching = Section("coaching", "Coaching", pl.DataFrame({"rep": ["Ann"], "weakest_lever": ["close"]}))
    assert Page(html.render(document(coaching))).sections["coaching"].charts == []


def test_an_empty_table_says_so_and_draws_no_chart() -> None:
    page = Page(html.render(document(rep_section([]))))
    rep = page.sections["rep"]
    assert rep.charts == []
    assert rep.rows == [[("No rows.", "")]]


# Any printable text a CRM could hold; control characters are excluded because HTML parsers normalise them.
NAMES = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)


@given(st.lists(NAMES, min_size=1, max_size=3))
def test_any_rep_name_reads_back_as_text(names: list[str]) -> None:
    page = html.render(document(rep_section(names)))
    assert "<script" not in page.lower()
    assert Page(page).sections["rep"].column("Rep") == [name.strip() for name in names]


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


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


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_a_real_browser_shows_the_tables_and_charts(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(html.render(document()), encoding="utf-8")

    dom = chromium(tmp_path, "--dump-dom", path.as_uri()).stdout
    page = Page(dom)
    assert "<script" not in dom.lower()  # the rep named like a script stayed text
    rep = page.sections["rep"]
    assert rep.column("Rep") == REPS
    assert rep.column("Close") == ["80.0%", "60.0% ▼", "100.0%"]
    assert dom.count("<svg") == 2
    assert len(rep.bars) == 8
    assert len(page.sections["batch"].bars) == 2

    screenshot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1200,1600", path.as_uri())
    png = screenshot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == 1200
