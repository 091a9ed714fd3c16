"""HTML: one self-contained page (headline, every table, inline SVG charts) that reads well mailed or printed.

Nothing is fetched and nothing runs: the style sheet is inline, the charts are SVG drawn here, there is no script.
Rep, account and batch names come from customer data, so every text goes through `html.escape`.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from renewals_cli.render.cells import cell, is_numeric, label
from renewals_cli.render.document import Document, Section

# The three levers of the renewal rate (SPEC §3), charted per rep.
LEVERS = ("resolution_rate", "close_rate", "conversion_rate")
# Grouping keys, in the order a chart names a row by them ("FY26-Q4 · Ann Lee").
KEYS = ("batch", "segment", "rep")
# Okabe–Ito colours: told apart with the common colour-vision deficiencies, and in greyscale print.
COLOURS = {
    "resolution_rate": "#0072b2",
    "close_rate": "#e69f00",
    "conversion_rate": "#009e73",
    "renewal_rate": "#0072b2",
}
BELOW = "#b91c1c"
MARKER = "▼"
NULL = "—"
# A chart's drawing width in CSS pixels; the SVG scales down on narrower screens.
WIDTH = 760
# Rep names longer than this are cut in the chart (the tooltip and the table carry the whole name).
LABEL_CHARS = 26
NUM = ' class="num"'
# Table text longer than this (a coaching action) wraps; names and numbers stay on one line.
LONG_TEXT = 40

STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1f2328;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
dl.headline { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0;
  padding: 12px 16px; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; }
dl.headline dt { font-weight: 600; }
dl.headline dd { margin: 0; }
figure { margin: 12px 0 20px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg { display: block; max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; text-align: left; vertical-align: top;
  white-space: nowrap; background: #fff; }
thead th { border-bottom: 2px solid #8c959f; vertical-align: bottom; }
tbody tr:nth-child(even) td { background: #f6f8fa; }
th:first-child, td:first-child { position: sticky; left: 0; }
td.long { white-space: normal; min-width: 18em; max-width: 32em; }
.num { text-align: right; }
td.below { color: #b91c1c; font-weight: 600; }
.note { color: #57606a; font-size: 12px; margin: 4px 0 0; }
@media print {
  main { max-width: none; padding: 0; }
  .scroll { overflow: visible; }
  table { font-size: 9px; }
  h2 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _number(value: object) -> float | None:
    """A value a bar can show; None for a null (an empty denominator) or a value that is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _percent(value: float) -> str:
    """A tick label: `25%`, `100%`."""
    return f"{value:.0%}"


def _scale(values: Sequence[float]) -> tuple[float, list[float]]:
    """The axis maximum (at least 100%, since conversion can exceed it) and tick values, in nice steps."""
    top = max([1.0, *values])
    step = next((s for s in (0.25, 0.5, 1.0, 2.0, 5.0, 10.0) if top / s <= 6), top / 4)
    top = math.ceil(top / step - 1e-9) * step
    return top, [i * step for i in range(round(top / step) + 1)]


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _keys(section: Section) -> list[str]:
    return [c for c in section.frame.columns if c in KEYS]


def _row_names(section: Section, keys: Sequence[str]) -> list[str]:
    """Each row's name by its grouping keys: `Ann Lee`, or `FY26-Q4 · Ann Lee` when a table has two keys."""
    columns = [[cell(k, v) for v in section.frame[k]] for k in keys]
    return [" · ".join(parts) for parts in zip(*columns, strict=True)]


@dataclass(frozen=True)
class Chart:
    """An SVG chart with its caption; `svg` is markup whose text is already escaped."""

    caption: str
    svg: str


def _svg_open(width: int, height: int, name: str, description: str) -> str:
    return (
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(name)}"><title>{escape(name)}</title><desc>{escape(description)}</desc>'
    )


def _legend(series: Sequence[str], x: float, y: float) -> list[str]:
    parts = ['<g class="legend">']
    for kpi in series:
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{COLOURS[kpi]}"/>'
            f'<text x="{x + 17:.1f}" y="{y:.1f}" font-size="12">{escape(label(kpi))}</text>'
        )
        x += 17 + 8 * len(label(kpi)) + 20
    parts.append("</g>")
    return parts


def lever_chart(section: Section) -> Chart | None:
    """Grouped horizontal bars: each rep's resolution, close and conversion rate; None when the table has no reps
    or none of those rates."""
    frame = section.frame
    levers = [kpi for kpi in LEVERS if kpi in frame.columns]
    if "rep" not in frame.columns or not levers or frame.height == 0:
        return None
    names = _row_names(section, _keys(section))
    values = {kpi: [_number(v) for v in frame[kpi]] for kpi in levers}
    top, ticks = _scale([v for column in values.values() for v in column if v is not None])

    left, right, head, foot = 200, 64, 40, 52
    bar, gap, group_gap = 12, 2, 16
    group = len(levers) * bar + (len(levers) - 1) * gap
    plot_width = WIDTH - left - right
    plot_height = frame.height * (group + group_gap)
    height = head + plot_height + foot

    def x(value: float) -> float:
        return left + max(value, 0.0) / top * plot_width

    name = "Resolution, close and conversion rate by rep"
    parts = [
        _svg_open(
            WIDTH,
            height,
            name,
            "One group of bars per rep; 100% marks the whole batch resolved, closed or "
            "renewed at its prior value; conversion above 100% means renewals grew.",
        ),
        *_legend(levers, left, 20),
        '<g class="axis" font-size="11" fill="#57606a">',
    ]
    for tick in ticks:
        stroke = "#8c959f" if tick in (0, 1) else "#e5e7eb"
        dash = ' stroke-dasharray="4 3"' if tick == 1 and top > 1 else ""
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{head - 4}" x2="{x(tick):.1f}" y2="{head + plot_height}" '
            f'stroke="{stroke}"{dash}/>'
            f'<text x="{x(tick):.1f}" y="{head + plot_height + 16}" text-anchor="middle">{_percent(tick)}</text>'
        )
    parts += [
        f'<text x="{left + plot_width / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="12" '
        f'fill="#1f2328">Rate</text>',
        f'<text transform="translate(14 {head + plot_height / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'font-size="12" fill="#1f2328">Rep</text>',
        "</g>",
    ]
    for index, rep in enumerate(names):
        y0 = head + index * (group + group_gap) + group_gap / 2
        parts.append(
            f'<g class="rep"><text x="{left - 8}" y="{y0 + group / 2:.1f}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="12"><title>{escape(rep)}</title>{escape(_short(rep))}</text>'
        )
        for n, kpi in enumerate(levers):
            y = y0 + n * (bar + gap)
            value = values[kpi][index]
            tip = f"{rep}: {label(kpi)} {cell(kpi, value)}"
            if value is None:
                parts.append(
                    f'<text class="null" x="{left + 4}" y="{y + bar / 2:.1f}" dominant-baseline="middle" '
                    f'font-size="10" fill="#57606a"><title>{escape(tip)}</title>{NULL}</text>'
                )
                continue
            parts.append(
                f'<rect class="bar" data-kpi="{kpi}" x="{left}" y="{y:.1f}" width="{x(value) - left:.1f}" '
                f'height="{bar}" fill="{COLOURS[kpi]}"><title>{escape(tip)}</title></rect>'
                f'<text x="{x(value) + 4:.1f}" y="{y + bar / 2:.1f}" dominant-baseline="middle" '
                f'font-size="10" fill="#1f2328">{escape(cell(kpi, value))}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Chart(caption=name, svg="".join(parts))


def renewal_chart(section: Section) -> Chart | None:
    """Vertical bars: the renewal rate of each batch; None when the table has no batches or no renewal rate."""
    frame = section.frame
    if "batch" not in frame.columns or "renewal_rate" not in frame.columns or frame.height == 0:
        return None
    names = _row_names(section, _keys(section))
    values = [_number(v) for v in frame["renewal_rate"]]
    top, ticks = _scale([v for v in values if v is not None])

    left, right, head, plot_height = 64, 16, 40, 240
    plot_width = WIDTH - left - right
    slot = plot_width / frame.height
    bar = min(56.0, slot * 0.6)
    # Names turn sideways when they would not fit under their bar.
    slanted = max(len(n) for n in names) * 7 > slot
    foot = (44 + 6 * min(max(len(n) for n in names), LABEL_CHARS)) if slanted else 52
    height = head + plot_height + foot
    base = head + plot_height

    def y(value: float) -> float:
        return base - max(value, 0.0) / top * plot_height

    name = "Renewal rate by batch"
    parts = [
        _svg_open(WIDTH, height, name, "One bar per batch: the share of the batch's prior value renewed."),
        *_legend(["renewal_rate"], left, 20),
        '<g class="axis" font-size="11" fill="#57606a">',
    ]
    for tick in ticks:
        stroke = "#8c959f" if tick == 0 else "#e5e7eb"
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_width}" y2="{y(tick):.1f}" stroke="{stroke}"/>'
            f'<text x="{left - 6}" y="{y(tick):.1f}" text-anchor="end" dominant-baseline="middle">'
            f"{_percent(tick)}</text>"
        )
    parts += [
        f'<text x="{left + plot_width / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="12" '
        f'fill="#1f2328">Batch</text>',
        f'<text transform="translate(14 {head + plot_height / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'font-size="12" fill="#1f2328">Renewal rate</text>',
        "</g>",
    ]
    for index, (batch, value) in enumerate(zip(names, values, strict=True)):
        centre = left + (index + 0.5) * slot
        anchor = (
            f'text-anchor="end" transform="rotate(-40 {centre:.1f} {base + 14})"' if slanted else 'text-anchor="middle"'
        )
        tip = f"{batch}: {label('renewal_rate')} {cell('renewal_rate', value)}"
        parts.append(
            f'<g class="batch"><text x="{centre:.1f}" y="{base + 14}" font-size="11" {anchor}>'
            f"<title>{escape(batch)}</title>{escape(_short(batch))}</text>"
        )
        if value is None:
            parts.append(
                f'<text class="null" x="{centre:.1f}" y="{base - 6}" text-anchor="middle" font-size="11" '
                f'fill="#57606a"><title>{escape(tip)}</title>{NULL}</text>'
            )
        else:
            parts.append(
                f'<rect class="bar" data-kpi="renewal_rate" x="{centre - bar / 2:.1f}" y="{y(value):.1f}" '
                f'width="{bar:.1f}" height="{base - y(value):.1f}" fill="{COLOURS["renewal_rate"]}">'
                f"<title>{escape(tip)}</title></rect>"
                f'<text x="{centre:.1f}" y="{y(value) - 5:.1f}" text-anchor="middle" font-size="11" '
                f'fill="#1f2328">{escape(cell("renewal_rate", value))}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Chart(caption=name, svg="".join(parts))


def _columns(section: Section) -> list[str]:
    """Every column, the ones a terminal would show first."""
    columns = section.frame.columns
    first = [c for c in section.brief if c in columns]
    return first + [c for c in columns if c not in first]


def _table(section: Section) -> list[str]:
    frame = section.frame
    columns = _columns(section)
    numeric = {c: is_numeric(frame.schema[c]) for c in columns}
    parts = ['<div class="scroll"><table>', "<thead><tr>"]
    parts += [f'<th scope="col"{NUM if numeric[c] else ""}>{escape(label(c))}</th>' for c in columns]
    parts.append("</tr></thead><tbody>")
    for index, row in enumerate(frame.select(columns).iter_rows()):
        parts.append("<tr>")
        for column, value in zip(columns, row, strict=True):
            text = escape(cell(column, value))
            classes = ["num"] if numeric[column] else ["long"] if len(text) > LONG_TEXT else []
            style = ""
            if (index, column) in section.below:
                classes.append("below")
                # Inline as well, for mail clients that drop the style sheet.
                style = f' style="color:{BELOW}"'
                text += f' <span class="marker" title="below target">{MARKER}</span>'
            attributes = f' class="{" ".join(classes)}"' if classes else ""
            parts.append(f"<td{attributes}{style}>{text}</td>")
        parts.append("</tr>")
    if frame.height == 0:
        parts.append(f'<tr><td colspan="{len(columns)}">No rows.</td></tr>')
    parts.append("</tbody></table></div>")
    if section.below:
        parts.append(f'<p class="note">{MARKER} below its target.</p>')
    return parts


def _section(section: Section) -> list[str]:
    parts = [f'<section id="{escape(section.name)}">', f"<h2>{escape(section.title)}</h2>"]
    for chart in (lever_chart(section), renewal_chart(section)):
        if chart:
            parts += ["<figure>", f"<figcaption>{escape(chart.caption)}</figcaption>", chart.svg, "</figure>"]
    parts += [*_table(section), "</section>"]
    return parts


def render(document: Document) -> str:
    """The whole document as one HTML page with no external resources."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(document.title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape(document.title)}</h1>",
    ]
    if document.headline:
        parts.append('<dl class="headline">')
        parts += [f"<dt>{escape(name)}</dt><dd>{escape(text)}</dd>" for name, text in document.headline]
        parts.append("</dl>")
    for section in document.sections:
        parts += _section(section)
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
