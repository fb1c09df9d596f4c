"""Small server-side SVG charts, readable in black and white: hatching tells series apart, labels carry the numbers."""

from __future__ import annotations

from html import escape
from typing import Sequence

# Fills that survive a black-and-white printer: solid, hatched, dotted, crossed, white.
PATTERNS = ("solid", "hatch", "dots", "cross", "light")
_DEFS = """<defs>
<pattern id="p-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2"/></pattern>
<pattern id="p-dots" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.2" fill="#000"/></pattern>
<pattern id="p-cross" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><path d="M0 0L6 6M6 0L0 6" stroke="#000" stroke-width="1"/></pattern>
</defs>"""


def _fill(index: int) -> str:
    name = PATTERNS[index % len(PATTERNS)]
    return {"solid": "#222", "light": "#fff", "hatch": "url(#p-hatch)", "dots": "url(#p-dots)", "cross": "url(#p-cross)"}[name]


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>{_DEFS}{body}</svg>')


def _fit(label: str, width: int, font: int = 12) -> str:
    """A label cut to what a column `width` pixels wide holds at this font size (about 0.58 em a character)."""
    room = int(width / (font * 0.58))
    return label if len(label) <= room else label[:room - 1].rstrip() + "…"


def _legend(names: Sequence[str], x: int, y: int) -> str:
    parts = []
    for i, name in enumerate(names):
        parts.append(f'<rect x="{x}" y="{y + i * 18}" width="12" height="12" fill="{_fill(i)}" stroke="#000"/>'
                     f'<text x="{x + 18}" y="{y + i * 18 + 11}" font-size="12">{escape(name)}</text>')
    return "".join(parts)


def stacked_columns(categories: Sequence[str], series: dict[str, Sequence[int]], title: str) -> str:
    """Columns per category (e.g. a day), stacked by series (e.g. a channel), with totals on top."""
    width, height, left, bottom, legend_w = 640, 220, 36, 40, 110
    plot_w, plot_h = width - left - legend_w, height - bottom - 20
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    step = plot_w / max(len(categories), 1)
    bar = max(2.0, step * 0.7)
    body = [f'<line x1="{left}" y1="{20 + plot_h}" x2="{left + plot_w}" y2="{20 + plot_h}" stroke="#000"/>']
    for i, category in enumerate(categories):
        x = left + i * step + (step - bar) / 2
        y = 20 + plot_h
        for s, values in enumerate(series.values()):
            h = plot_h * values[i] / top
            if h:
                y -= h
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{_fill(s)}" stroke="#000" stroke-width=".5"/>')
        if totals[i] and len(categories) <= 31:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{totals[i]}</text>')
        if len(categories) <= 16 or i % max(1, len(categories) // 8) == 0:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" font-size="10" text-anchor="middle">{escape(category)}</text>')
    body.append(_legend(list(series), width - legend_w + 10, 24))
    return _svg(width, height, "".join(body), title)


def horizontal_bars(rows: Sequence[tuple[str, float, str]], title: str, maximum: float | None = None) -> str:
    """One bar per row (label, value, text shown after the bar)."""
    width, row_h, label_w = 640, 22, 220
    height = row_h * len(rows) + 10
    top = maximum or max((value for _, value, _ in rows), default=0) or 1
    plot_w = width - label_w - 90
    body = []
    for i, (label, value, shown) in enumerate(rows):
        y = 5 + i * row_h
        w = plot_w * max(value, 0) / top
        body.append(f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end"><title>{escape(label)}</title>{escape(_fit(label, label_w - 10))}</text>'
                    f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="#222" stroke="#000"/>'
                    f'<text x="{label_w + w + 5:.1f}" y="{y + 14}" font-size="12">{escape(shown)}</text>')
    return _svg(width, height, "".join(body), title)


def interval_plot(rows: Sequence[tuple[str, float, float, float, bool]], title: str) -> str:
    """Estimates with their 95% intervals on a 0-100% axis; hollow dots mark unreliable figures."""
    width, row_h, label_w = 640, 22, 220
    height = row_h * len(rows) + 30
    plot_w = width - label_w - 70

    def x(share: float) -> float:
        return label_w + plot_w * min(max(share, 0.0), 1.0)

    body = []
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        body.append(f'<line x1="{x(tick):.1f}" y1="0" x2="{x(tick):.1f}" y2="{height - 22}" stroke="#bbb" stroke-dasharray="2,3"/>'
                    f'<text x="{x(tick):.1f}" y="{height - 8}" font-size="10" text-anchor="middle">{int(tick * 100)}%</text>')
    for i, (label, estimate, low, high, reliable) in enumerate(rows):
        y = 12 + i * row_h
        fill = "#000" if reliable else "#fff"
        body.append(f'<text x="{label_w - 6}" y="{y + 4}" font-size="12" text-anchor="end"><title>{escape(label)}</title>{escape(_fit(label, label_w - 10))}</text>'
                    f'<line x1="{x(low):.1f}" y1="{y}" x2="{x(high):.1f}" y2="{y}" stroke="#000" stroke-width="2"/>'
                    f'<circle cx="{x(estimate):.1f}" cy="{y}" r="5" fill="{fill}" stroke="#000" stroke-width="1.5"/>'
                    f'<text x="{x(high) + 6:.1f}" y="{y + 4}" font-size="11">{estimate:.0%}</text>')
    return _svg(width, height, "".join(body), title)


def stacked_shares(rows: Sequence[tuple[str, dict[str, float]]], parts: Sequence[str], title: str) -> str:
    """One 100% bar per row, split into parts (e.g. each dimension's contribution), labelled when wide enough."""
    width, row_h, label_w, legend_h = 640, 24, 220, 20 * len(parts)
    plot_w = width - label_w - 20
    height = row_h * len(rows) + legend_h + 10
    body = []
    for i, (label, shares) in enumerate(rows):
        y = 5 + i * row_h
        x = float(label_w)
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" font-size="12" text-anchor="end"><title>{escape(label)}</title>{escape(_fit(label, label_w - 10))}</text>')
        for p, part in enumerate(parts):
            w = plot_w * max(shares.get(part, 0.0), 0.0)
            if w <= 0:
                continue
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{_fill(p)}" stroke="#000" stroke-width=".5"/>')
            if w > 34:
                colour = "#fff" if PATTERNS[p % len(PATTERNS)] == "solid" else "#000"
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + 15}" font-size="10" text-anchor="middle" fill="{colour}" '
                            f'paint-order="stroke" stroke="{"#000" if colour == "#fff" else "#fff"}" stroke-width="2">{shares[part]:.0%}</text>')
            x += w
    body.append(_legend(list(parts), label_w, row_h * len(rows) + 10))
    return _svg(width, height, "".join(body), title)


def groups_at_risk(rows: Sequence[dict], parts: Sequence[str], title: str, legend_title: str) -> str:
    """The groups most at risk and why, narrow enough for a phone: each group's name above its bar, not beside it.

    Each row: {"label", "H", "low", "high", "reliable", "value" (text), "shares" {part: share of M0}, "why" (text)}.
    The dark bar is the share at risk (hollow when unreliable) with its 95% interval drawn under it; the thin
    patterned bar under that splits the group's risk between the parts (dimensions), as the legend on top names them.
    The 400-unit width keeps 12-unit text at about 11 px on a 390 px phone; CSS caps the width on a desktop.
    """
    width, plot_w, row_h = 400, 272, 78
    columns = 2
    legend_rows = (len(parts) + columns - 1) // columns
    top = 22 + legend_rows * 18 + 8
    height = top + row_h * len(rows) + 20

    def x(share: float) -> float:
        return plot_w * min(max(share, 0.0), 1.0)

    body = [f'<text x="0" y="14" font-size="12">{escape(_fit(legend_title, width))}</text>']
    for p, part in enumerate(parts):
        lx, ly = (p % columns) * (width // columns), 22 + (p // columns) * 18
        body.append(f'<rect x="{lx}" y="{ly}" width="14" height="12" fill="{_fill(p)}" stroke="#000"/>'
                    f'<text x="{lx + 19}" y="{ly + 11}" font-size="12">{escape(_fit(part, width // columns - 24))}</text>')
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        body.append(f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" y2="{height - 16}" stroke="#bbb" stroke-dasharray="2,3"/>'
                    f'<text x="{min(max(x(tick), 8), plot_w - 8):.1f}" y="{height - 4}" font-size="11" text-anchor="middle">{int(tick * 100)}%</text>')
    for i, row in enumerate(rows):
        y = top + i * row_h
        filled = "#222" if row["reliable"] else "#fff"
        body.append(f'<text x="0" y="{y + 13}" font-size="14" font-weight="bold"><title>{escape(row["label"])}</title>'
                    f'{escape(_fit(row["label"], width, 14))}</text>'
                    f'<rect x="0" y="{y + 19}" width="{max(x(row["H"]), 1):.1f}" height="14" fill="{filled}" stroke="#000" stroke-width="1.5"/>'
                    f'<text x="{plot_w + 8}" y="{y + 31}" font-size="13">{escape(row["value"])}</text>'
                    f'<path d="M{x(row["low"]):.1f} {y + 35}v6M{x(row["low"]):.1f} {y + 38}H{x(row["high"]):.1f}M{x(row["high"]):.1f} {y + 35}v6" '
                    f'stroke="#000" stroke-width="1.5" fill="none"/>')
        left = 0.0
        for p, part in enumerate(parts):
            w = plot_w * max(row["shares"].get(part, 0.0), 0.0)
            if w > 0:
                body.append(f'<rect x="{left:.1f}" y="{y + 45}" width="{w:.1f}" height="10" fill="{_fill(p)}" stroke="#000" stroke-width=".7"/>')
                left += w
        if row.get("why"):
            body.append(f'<text x="0" y="{y + 70}" font-size="12">{escape(_fit(row["why"], width))}</text>')
    return _svg(width, height, "".join(body), title).replace('<svg ', '<svg class="narrow" ', 1)
