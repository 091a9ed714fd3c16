"""HTML: one self-contained page (headline, every table, bar charts, a glossary) that reads the same in a browser
and in a mail client.

Mail clients (Gmail, Outlook) drop inline SVG, scripts and most of a `<style>` block, so everything here is
plain tables with inline styles: a chart's bars are coloured cells whose widths are proportional to the values,
and every element is styled by its own `style` attribute (or inherits it from its table). The one `<style>`
block holds print rules only. No table is wider than a mail reading pane (about 760 pixels): a table with more
columns than fit is split into several tables, each repeating the row names. Nothing is fetched and nothing
runs. Rep, account and batch names come from customer data, so every text is put on one line and escaped.
"""

import math
from collections.abc import Sequence
from html import escape

from renewals_cli.present.glossary import glossary_for
from renewals_cli.render.cells import cell, is_numeric, label, one_line
from renewals_cli.render.document import Document, Section

# The three levers that multiply to the renewal rate (by value), charted per rep.
LEVERS = ("resolution_rate_value", "close_rate_value", "conversion_rate")
# Grouping keys, in the order a chart names a row by them ("FY26-Q4 · Ann Lee"); the ones a table starts with
# head each of its parts when it is split.
KEYS = ("group", "batch", "segment", "rep", "csm", "partner")
# Okabe–Ito colours: told apart with the common colour-vision deficiencies, and in greyscale print.
COLOURS = {
    "resolution_rate_value": "#0072b2",
    "close_rate_value": "#e69f00",
    "conversion_rate": "#009e73",
    "renewal_rate": "#0072b2",
    "renewed_to_date": "#009e73",
    "forecast_nrr": "#0072b2",
    "target": "#888888",
}
BELOW = "#b91c1c"
WATERFALL_ENDS, WATERFALL_IN, WATERFALL_OUT = "#0072b2", "#009e73", "#d55e00"
MARKER = "▼"
NULL = "—"
# The page's content width in CSS pixels: a mail client's reading pane, and what an 800-pixel window leaves.
PAGE = 760
# What a split table may spend on its columns, with room to spare for a scroll bar and font differences.
TABLE_BUDGET = 720
# Estimated pixels per character of 13-pixel text, and per cell of padding and border.
CHAR_PX = 7.6
CELL_PX = 18
# Text cells wrap: a name is budgeted at this many characters, a long text (a coaching action) at more.
NAME_CHARS = 18
LONG_TEXT = 40
LONG_CHARS = 28

FONT = "font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif"
TEXT_COLOUR = "#1f2328"
MUTED = "#57606a"
RULE = "#d0d7de"
STRIPE = "#f6f8fa"
STYLE_BODY = f"margin:0;padding:0;background:#ffffff;color:{TEXT_COLOUR};{FONT};font-size:14px;line-height:1.45"
STYLE_PAGE = f"max-width:{PAGE}px;margin:0 auto;padding:16px"
STYLE_H1 = "font-size:24px;line-height:1.25;margin:0 0 12px"
STYLE_H2 = f"font-size:18px;line-height:1.25;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid {RULE}"
STYLE_CAPTION = "font-weight:600;font-size:13px;text-align:left;padding:0 0 6px;white-space:normal"
# A data table: cells stay on one line unless they are text, and text breaks anywhere rather than overflow.
STYLE_TABLE = "border-collapse:collapse;font-size:13px;margin:0 0 12px;white-space:nowrap;overflow-wrap:anywhere"
CELLPADDING = 5
STYLE_ROW = "vertical-align:top"
STYLE_NUMBER = "text-align:right"
STYLE_WORDS = "white-space:normal"
STYLE_LONG = "white-space:normal;min-width:12em"
STYLE_RULE = "border-bottom:1px solid #e5e7eb"
STYLE_NOTE = f"color:{MUTED};font-size:12px;margin:4px 0 12px"
STYLE_HEAD = "vertical-align:bottom;border-bottom:2px solid #8c959f;white-space:normal"
STYLE_CHART = "width:100%;border-collapse:collapse;font-size:11px;white-space:nowrap;margin:8px 0 4px"
STYLE_DESCRIPTION = f"font-weight:400;color:{MUTED};font-size:12px"
STYLE_LEGEND = f"padding:0 0 6px;color:{MUTED};font-size:12px;white-space:normal"
STYLE_CHART_NAME = (
    "width:30%;text-align:right;font-weight:400;font-size:12px;padding:1px 8px 1px 0;white-space:normal;"
    "overflow-wrap:anywhere"
)
STYLE_CHART_LABEL = f"color:{MUTED};padding-right:6px"
STYLE_CHART_VALUE = "padding-left:6px"
STYLE_BAR = "height:12px;font-size:1px"
STYLE_TICK = f"text-align:right;border-top:1px solid {RULE};border-right:1px solid {RULE};color:{MUTED};font-size:11px"
# Print rules only: the page reads the same without them (a mail client that drops them loses nothing).
PRINT = "@media print{body{font-size:11px}table{break-inside:auto}tr{break-inside:avoid}}"


def text(value: str) -> str:
    """Customer or document text as HTML: on one line, escaped."""
    return escape(one_line(value))


def _style(*parts: str) -> str:
    return f' style="{";".join(p for p in parts if p)}"'


def _number(value: object) -> float | None:
    """A value a bar can show; None for a null (an empty denominator) or a value that is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _scale(values: Sequence[float]) -> tuple[float, list[float]]:
    """The axis maximum (at least 100%, since conversion can exceed it) and tick values, in nice steps."""
    top = max([1.0, *values])
    step = next((s for s in (0.25, 0.5, 1.0, 2.0, 5.0, 10.0) if top / s <= 6), top / 4)
    top = math.ceil(top / step - 1e-9) * step
    return top, [i * step for i in range(round(top / step) + 1)]


def _keys(section: Section) -> list[str]:
    return [c for c in section.frame.columns if c in KEYS]


def _row_names(section: Section, keys: Sequence[str]) -> list[str]:
    """Each row's name by its grouping keys: `Ann Lee`, or `FY26-Q4 · Ann Lee` when a table has two keys."""
    columns = [[cell(k, v) for v in section.frame[k]] for k in keys]
    return [" · ".join(parts) for parts in zip(*columns, strict=True)]


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _strip(cells: Sequence[str]) -> str:
    """Cells side by side in a full-width, one-row layout table."""
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"'
        f"{_style('width:100%')}><tr>{''.join(cells)}</tr></table>"
    )


def _bar(kpi: str, value: float | None, top: float) -> str:
    """A bar: a coloured cell as wide as the value's share of the axis, then an empty cell for the rest."""
    share = 0.0 if value is None else min(max(value, 0.0) / top, 1.0)
    percent = round(share * 100, 1)
    cells = []
    if percent > 0:
        colour = COLOURS[kpi]
        cells.append(
            f'<td class="bar" data-kpi="{kpi}" width="{percent:g}%" bgcolor="{colour}"'
            f"{_style(f'background:{colour}', STYLE_BAR)}>&nbsp;</td>"
        )
    if percent < 100:
        cells.append(f"<td{_style(STYLE_BAR)}>&nbsp;</td>")
    return _strip(cells)


def _axis(ticks: Sequence[float], top: float) -> str:
    """The axis under the bars: one cell per step, its tick value at its right end (0% is the bars' left edge)."""
    step = (ticks[1] - ticks[0]) / top * 100 if len(ticks) > 1 else 100.0
    return _strip(
        [f'<td width="{step:g}%"{_style(f"width:{step:g}%", STYLE_TICK)}>{_percent(tick)}</td>' for tick in ticks[1:]]
    )


def bar_chart(section: Section, series: Sequence[str], caption: str, description: str) -> list[str]:
    """Horizontal bars, one group per row of the table and one bar per KPI of `series`, each value written beside
    its bar; a null (an empty denominator) is a dash and no bar. Several series are told apart by colour (with a
    legend) and by a label on each bar."""
    frame = section.frame
    names = _row_names(section, _keys(section))
    values = {kpi: [_number(v) for v in frame[kpi]] for kpi in series}
    top, ticks = _scale([v for column in values.values() for v in column if v is not None])
    several = len(series) > 1
    span = 4 if several else 3
    parts = [
        f'<table class="chart" role="figure" aria-label="{text(caption)}" width="100%" cellpadding="0" cellspacing="0"'
        f"{_style(STYLE_CHART)}>",
        f"<caption{_style(STYLE_CAPTION)}>{text(caption)}<div{_style(STYLE_DESCRIPTION)}>{text(description)}</div>"
        "</caption>",
    ]
    if several:
        legend = " &nbsp; ".join(
            f"<span{_style(f'color:{COLOURS[kpi]}', 'font-size:14px')}>&#9632;</span>&nbsp;{text(label(kpi))}"
            for kpi in series
        )
        parts.append(f'<tr><td colspan="{span}"{_style(STYLE_LEGEND)}>{legend}</td></tr>')
    gap = f'<tr><td colspan="{span}"{_style("height:6px", STYLE_BAR)}>&nbsp;</td></tr>'
    for index, name in enumerate(names):
        if index and several:
            parts.append(gap)
        for n, kpi in enumerate(series):
            value = values[kpi][index]
            row = ["<tr>"]
            if n == 0:
                row.append(f'<th scope="row" rowspan="{len(series)}"{_style(STYLE_CHART_NAME)}>{text(name)}</th>')
            if several:
                row.append(f'<td width="76"{_style(STYLE_CHART_LABEL)}>{text(label(kpi))}</td>')
            row.append(f"<td{_style('padding:1px 0')}>{_bar(kpi, value, top)}</td>")
            shown = text(cell(kpi, value)) if value is not None else NULL
            row.append(f'<td class="value" width="52"{_style(STYLE_CHART_VALUE)}>{shown}</td></tr>')
            parts.append("".join(row))
    empty = f"<td{_style('padding:0')}></td>"
    parts.append(f"<tr>{empty * (span - 2)}<td{_style('padding:2px 0 0')}>{_axis(ticks, top)}</td>{empty}</tr></table>")
    return parts


def lever_chart(section: Section) -> list[str]:
    """Each rep's three levers of the renewal rate (by value); nothing when the table lacks reps or any lever (a
    single rate is not the levers)."""
    frame = section.frame
    if "rep" not in frame.columns or not set(LEVERS) <= set(frame.columns) or frame.height == 0:
        return []
    return bar_chart(
        section,
        LEVERS,
        "The levers that multiply to the renewal rate, by rep: resolution × close × conversion (by value)",
        "Resolution $ is the share of the value up for renewal that has an answer, close $ the share of answered "
        "value won, conversion what the won renewals bring back against their prior value (above 100%: growth).",
    )


def renewal_chart(section: Section) -> list[str]:
    """The renewal rate of each batch; nothing when the table has no batches or no renewal rate."""
    frame = section.frame
    if "batch" not in frame.columns or "renewal_rate" not in frame.columns or frame.height == 0:
        return []
    return bar_chart(
        section,
        ["renewal_rate"],
        "Renewal rate by batch",
        "The share of each batch's prior value renewed so far.",
    )


def forecast_chart(section: Section) -> list[str]:
    """Each rep's renewal rate won to date, where the forecast lands, and the target (when one is set); nothing
    when the table is not a forecast by rep."""
    frame = section.frame
    if not {"rep", "forecast_nrr", "renewed_to_date"} <= set(frame.columns) or frame.height == 0:
        return []
    targets = "target" in frame.columns and frame["target"].drop_nulls().len() > 0
    series = ["renewed_to_date", "forecast_nrr", *(["target"] if targets else [])]
    return bar_chart(
        section,
        series,
        "Where each rep's quarter lands: renewed to date, forecast, target",
        "Renewed to date is the value renewed so far over the value up for renewal in the quarter; the forecast adds "
        "the open renewals weighted by how the export's past quarters converted at the same point.",
    )


def waterfall_chart(section: Section) -> list[str]:
    """The bridge of an open pipeline as a waterfall (`step`, `change`: the first and last the pipeline at start
    and end, the others what moved in or out): each move a bar floating at the level it moves from or to, green
    in, red out, the ends blue, to one scale; nothing for any other table."""
    frame = section.frame
    if section.name != "waterfall" or not {"step", "change"} <= set(frame.columns) or frame.height < 2:
        return []
    changes = [float(c) for c in frame["change"]]
    bases, level = [0.0], changes[0]
    for change in changes[1:-1]:
        bases.append(level if change > 0 else level + change)  # an inflow sits on the level, an outflow under it
        level += change
    bases.append(0.0)
    top = max(max(abs(c) + b for c, b in zip(changes, bases, strict=True)), 1.0)
    parts = [
        f'<table class="chart" role="figure" aria-label="{text(section.title)}" width="100%" cellpadding="0"'
        f' cellspacing="0"{_style(STYLE_CHART)}>',
        f"<caption{_style(STYLE_CAPTION)}>{text(section.title)}</caption>",
    ]
    last = frame.height - 1
    for index, (step, change, base) in enumerate(zip(frame["step"], changes, bases, strict=True)):
        colour = WATERFALL_ENDS if index in (0, last) else (WATERFALL_IN if change > 0 else WATERFALL_OUT)
        before, width = round(base / top * 100, 1), max(round(abs(change) / top * 100, 1), 0.5)
        cells = [f'<td width="{before:g}%"{_style(STYLE_BAR)}>&nbsp;</td>'] if before > 0 else []
        cells.append(
            f'<td class="bar" width="{width:g}%" bgcolor="{colour}"{_style(f"background:{colour}", STYLE_BAR)}>'
            "&nbsp;</td>"
        )
        if before + width < 100:
            cells.append(f"<td{_style(STYLE_BAR)}>&nbsp;</td>")
        shown = f"{change:,.0f}" if index in (0, last) else f"{change:+,.0f}"
        parts.append(
            f'<tr><th scope="row"{_style(STYLE_CHART_NAME)}>{text(step)}</th>'
            f"<td{_style('padding:1px 0')}>{_strip(cells)}</td>"
            f'<td class="value" width="90"{_style(STYLE_CHART_VALUE)}>{text(shown)}</td></tr>'
        )
    parts.append("</table>")
    return parts


def _columns(section: Section) -> list[str]:
    """Every column, the ones a terminal would show first."""
    columns = section.frame.columns
    first = [c for c in section.brief if c in columns]
    return first + [c for c in columns if c not in first]


def _width(section: Section, column: str, texts: Sequence[str]) -> float:
    """A column's estimated width in pixels: numbers stay on one line, text and headings wrap."""
    heading = max((len(word) for word in label(column).split()), default=0)
    longest = max((len(t) for t in texts), default=0)
    if not is_numeric(section.frame.schema[column]):
        longest = min(longest, LONG_CHARS if longest > LONG_TEXT else NAME_CHARS)
    return max(heading, longest) * CHAR_PX + CELL_PX


def column_groups(section: Section, texts: dict[str, list[str]]) -> list[list[str]]:
    """The columns split into tables that each fit the page, every one led by the grouping keys the table starts
    with (`batch`, `rep`), or else by its first column (a worklist's account)."""
    columns = _columns(section)
    leading = next((i for i, c in enumerate(columns) if c not in KEYS), len(columns))
    keys = columns[: max(leading, 1)]
    rest = [c for c in columns if c not in keys]
    base = sum(_width(section, c, texts[c]) for c in keys)
    groups: list[list[str]] = []
    current: list[str] = []
    used = base
    for column in rest:
        width = _width(section, column, texts[column])
        if current and used + width > TABLE_BUDGET:
            groups.append(current)
            current, used = [], base
        current.append(column)
        used += width
    if current or not groups:
        groups.append(current)
    return [keys + group for group in groups]


def _table(section: Section, columns: Sequence[str], texts: dict[str, list[str]]) -> list[str]:
    """One table. Its padding is the `cellpadding` attribute and what cells share is set once on the table (cells
    inherit `white-space`), so each cell's own style says only how it differs: a page of a few hundred cells
    stays small enough for a mail client to show whole."""
    frame = section.frame
    numeric = {c: is_numeric(frame.schema[c]) for c in columns}
    parts = [f'<table cellpadding="{CELLPADDING}" cellspacing="0"{_style(STYLE_TABLE)}>', "<thead><tr>"]
    for column in columns:
        align = "right" if numeric[column] else "left"
        parts.append(f'<th scope="col"{_style(STYLE_HEAD, f"text-align:{align}")}>{text(label(column))}</th>')
    parts.append("</tr></thead><tbody>")
    for index in range(frame.height):
        stripe = f' bgcolor="{STRIPE}"{_style(STYLE_ROW, f"background:{STRIPE}")}' if index % 2 else _style(STYLE_ROW)
        parts.append(f"<tr{stripe}>")
        for column in columns:
            shown = text(texts[column][index])
            layout = STYLE_NUMBER if numeric[column] else STYLE_LONG if len(shown) > LONG_TEXT else STYLE_WORDS
            below = ""
            if (index, column) in section.below:
                below = f"color:{BELOW};font-weight:600"
                shown += f' <span title="misses its target">{MARKER}</span>'
            css_class = ' class="below"' if below else ""
            parts.append(f"<td{css_class}{_style(layout, below)}>{shown}</td>")
        parts.append("</tr>")
    if frame.height == 0:
        parts.append(f'<tr><td colspan="{len(columns)}"{_style(STYLE_WORDS)}>No rows.</td></tr>')
    parts.append("</tbody></table>")
    return parts


def _tables(section: Section) -> list[str]:
    texts = {c: [cell(c, v) for v in section.frame[c]] for c in section.frame.columns}
    groups = column_groups(section, texts)
    parts = []
    for number, columns in enumerate(groups, start=1):
        if len(groups) > 1:
            parts.append(f"<p{_style(STYLE_NOTE, 'margin:8px 0 2px')}>Columns, part {number} of {len(groups)}</p>")
        parts += _table(section, columns, texts)
    if section.below:
        parts.append(f"<p{_style(STYLE_NOTE)}>{MARKER} misses its target.</p>")
    if section.note:
        parts.append(f"<p{_style(STYLE_NOTE)}>{text(section.note)}</p>")
    return parts


def _section(section: Section) -> list[str]:
    parts = [f'<section id="{text(section.name)}">', f"<h2{_style(STYLE_H2)}>{text(section.title)}</h2>"]
    parts += lever_chart(section)
    parts += renewal_chart(section)
    parts += forecast_chart(section)
    parts += waterfall_chart(section)
    parts += [*_tables(section), "</section>"]
    return parts


def _headline(document: Document) -> list[str]:
    parts = [
        f'<table class="headline" role="presentation" width="100%"'
        f"{_style('width:100%', 'border-collapse:collapse', f'background:{STRIPE}', f'border:1px solid {RULE}')}>"
    ]
    for name, value in document.headline:
        parts.append(
            f'<tr><th scope="row"{_style("text-align:left", "vertical-align:top", "padding:3px 12px")}>'
            f"{text(name)}</th><td{_style('padding:3px 12px 3px 0', 'overflow-wrap:anywhere')}>{text(value)}</td></tr>"
        )
    parts.append("</table>")
    return parts


def _glossary(document: Document) -> list[str]:
    """What each KPI shown is: its basis and denominator."""
    columns = [c for section in document.sections for c in section.frame.columns]
    terms = glossary_for(columns)
    if not terms:
        return []
    parts = [
        '<section id="glossary">',
        f"<h2{_style(STYLE_H2)}>What each number is</h2>",
        f'<table cellpadding="{CELLPADDING}" cellspacing="0"{_style(STYLE_TABLE, "width:100%", STYLE_WORDS)}>',
        "<thead><tr>",
        f'<th scope="col"{_style(STYLE_HEAD, "text-align:left", "width:28%")}>KPI</th>',
        f'<th scope="col"{_style(STYLE_HEAD, "text-align:left")}>Basis and definition</th>',
        "</tr></thead><tbody>",
    ]
    for column, definition in terms:
        parts.append(
            f"<tr{_style(STYLE_ROW)}><td{_style(STYLE_RULE)}><strong>{text(label(column))}</strong>"
            f"<br><span{_style(f'color:{MUTED}', 'font-size:11px')}>{text(column)}</span></td>"
            f"<td{_style(STYLE_RULE)}>{text(definition)}</td></tr>"
        )
    parts += ["</tbody></table>", "</section>"]
    return parts


def render(document: Document) -> str:
    """The whole document as one HTML page with no external resources."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light">',
        f"<title>{text(document.title)}</title>",
        f"<style>{PRINT}</style>",
        "</head>",
        f"<body{_style(STYLE_BODY)}>",
        f'<div class="page"{_style(STYLE_PAGE)}>',
        f"<h1{_style(STYLE_H1)}>{text(document.title)}</h1>",
    ]
    if document.headline:
        parts += _headline(document)
    for section in document.sections:
        parts += _section(section)
    parts += _glossary(document)
    parts += ["</div>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
