"""Deterministic SVG charts drawn from indicator tables.

Text stays text (titles, axis labels, legends are <text> elements, searchable and read by screen
readers); no timestamps and no ids that vary between runs (ids are derived from the caller's
`chart_id`), so two builds of the same edition give identical bytes. Every chart carries a
<title> and a <desc> (the data in words) referenced by `aria-labelledby`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from pipeline.publish import formatting

# Colours with contrast >= 4.5:1 on white; series are also told apart by dash pattern and marker.
PALETTE = ("#1b5e8c", "#c2410c", "#4d7c0f", "#7e22ce", "#0f766e", "#a16207", "#be123c", "#374151")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4", "3 6")
LABEL_GAP = 14.0  # minimum vertical distance between end-of-line labels (px)
CHAR_WIDTH = 6.8  # approximate advance of a DejaVu Sans character at 12 px


def _nice_max(value: float) -> float:
    if value <= 0 or math.isnan(value):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        top = step * magnitude
        if top >= value:
            return float(top)
    return float(value)


def spread_labels(
    positions: Sequence[float], gap: float = LABEL_GAP, lower: float = 0.0, upper: float = math.inf
) -> list[float]:
    """Move label positions apart so that neighbours are at least `gap` apart, keeping their order
    and staying within [lower, upper] where the room allows; returns positions in input order."""
    order = sorted(range(len(positions)), key=lambda i: (positions[i], i))
    placed = [float(positions[i]) for i in order]
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    overflow = placed[-1] - upper if placed else 0
    if overflow > 0:
        placed[-1] -= overflow
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    if placed and placed[0] < lower:
        shift = lower - placed[0]
        placed = [p + shift for p in placed]
    result = [0.0] * len(positions)
    for slot, index in enumerate(order):
        result[index] = placed[slot]
    return result


def _svg_open(width: int, height: int, chart_id: str, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="DejaVu Sans" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def describe(series: Mapping[str, Sequence[tuple[str, float | None]]], unit: str, lang: str) -> str:
    """The chart's data in words (the long description for screen readers and the PDF alt text)."""
    return "; ".join(
        f"{name}: " + ", ".join(f"{p} {formatting.value(v, unit, lang)}" for p, v in pts)
        for name, pts in series.items()
    )


def line_chart(
    series: Mapping[str, Sequence[tuple[str, float | None]]],
    *,
    title: str,
    description: str,
    unit: str,
    lang: str = "nl",
    chart_id: str = "chart",
    width: int = 640,
    height: int = 300,
) -> str:
    """A line chart with one line per series; x values are period labels shared by the series.
    Missing values (suppressed cells) leave a gap in the line. A legend below the plot names
    every series with its colour and dash pattern; the last point of each line is labelled with
    its value, labels pushed apart so they never overlap."""
    periods = sorted({p for points in series.values() for p, _ in points})
    values = [v for points in series.values() for _, v in points if not formatting.missing(v)]
    top = _nice_max(max(values) if values else 1.0)
    legend_rows = math.ceil(len(series) / 2)
    left, right, upper = 64, 80, 16
    lower = 34 + 18 * legend_rows
    plot_w, plot_h = width - left - right, height - upper - lower

    def x(period: str) -> float:
        return left + (plot_w * periods.index(period) / max(len(periods) - 1, 1))

    def y(val: float) -> float:
        return upper + plot_h * (1 - val / top)

    parts = _svg_open(width, height, chart_id, title, description)
    parts.append('<g aria-hidden="true">')
    for i in range(5):
        val = top * i / 4
        yy = y(val)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="#d4d4d4" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#333333">'
            f"{escape(formatting.value(val, unit, lang))}</text>"
        )
    step = max(1, math.ceil(len(periods) / 10))
    for index, period in enumerate(periods):
        if index % step == 0 or index == len(periods) - 1:
            parts.append(
                f'<text x="{x(period):.1f}" y="{upper + plot_h + 16}" text-anchor="middle" fill="#333333">'
                f"{escape(period)}</text>"
            )
    ends: list[tuple[float, float, str, str]] = []
    for index, points in enumerate(series.values()):
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        segments: list[list[tuple[float, float]]] = [[]]
        for p, v in points:
            if formatting.missing(v):
                segments.append([])
            else:
                segments[-1].append((x(p), y(v)))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for segment in segments:
            if len(segment) > 1:
                path = " ".join(f"{'M' if i == 0 else 'L'}{cx:.1f},{cy:.1f}" for i, (cx, cy) in enumerate(segment))
                parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
            for cx, cy in segment:
                parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"/>')
        last = [(p, v) for p, v in points if not formatting.missing(v)]
        if last:
            p, v = last[-1]
            ends.append((x(p), y(v), colour, formatting.value(v, unit, lang)))
    label_ys = spread_labels([e[1] + 4 for e in ends], lower=upper + 4, upper=upper + plot_h + 4)
    for (ex, _, colour, text), ly in zip(ends, label_ys):
        parts.append(f'<text x="{ex + 7:.1f}" y="{ly:.1f}" fill="{colour}">{escape(text)}</text>')
    legend_y = upper + plot_h + 36
    for index, name in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        lx = left + (index % 2) * (plot_w / 2)
        ly = legend_y + (index // 2) * 18
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 24:.1f}" y2="{ly - 4:.1f}" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
        )
        parts.append(f'<text x="{lx + 30:.1f}" y="{ly:.1f}" fill="#1a1a1a">{escape(name)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


def bar_chart(
    bars: Sequence[tuple[str, float | None]],
    *,
    title: str,
    description: str,
    unit: str,
    lang: str = "nl",
    chart_id: str = "bars",
    reference: tuple[str, float | None] | None = None,
    width: int = 640,
) -> str:
    """Horizontal bars (one per region or group) with an optional reference line (e.g. national)."""
    row_h, left, right, upper = 18, 190, 70, 10
    height = upper + row_h * len(bars) + 30
    values = [v for _, v in bars if not formatting.missing(v)]
    if reference and not formatting.missing(reference[1]):
        values.append(reference[1])
    top = _nice_max(max(values) if values else 1.0)
    plot_w = width - left - right
    parts = _svg_open(width, height, chart_id, title, description)
    parts.append('<g aria-hidden="true">')
    for index, (name, v) in enumerate(bars):
        yy = upper + index * row_h
        label = name if len(name) * CHAR_WIDTH < left - 10 else name[: int((left - 10) / CHAR_WIDTH) - 1] + "…"
        parts.append(f'<text x="{left - 6}" y="{yy + 13}" text-anchor="end" fill="#1a1a1a">{escape(label)}</text>')
        if formatting.missing(v):
            parts.append(f'<text x="{left + 4}" y="{yy + 13}" fill="#555555">{formatting.MISSING}</text>')
            continue
        bw = plot_w * v / top
        parts.append(f'<rect x="{left}" y="{yy + 3}" width="{bw:.1f}" height="{row_h - 6}" fill="{PALETTE[0]}"/>')
        parts.append(
            f'<text x="{left + bw + 4:.1f}" y="{yy + 13}" fill="#1a1a1a">'
            f"{escape(formatting.value(v, unit, lang))}</text>"
        )
    if reference and not formatting.missing(reference[1]):
        rx = left + plot_w * reference[1] / top
        bottom = upper + row_h * len(bars)
        parts.append(
            f'<line x1="{rx:.1f}" y1="{upper}" x2="{rx:.1f}" y2="{bottom}" stroke="#c2410c" stroke-width="2" '
            'stroke-dasharray="5 3"/>'
        )
        parts.append(
            f'<text x="{rx:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#c2410c">'
            f"{escape(reference[0])} {escape(formatting.value(reference[1], unit, lang))}</text>"
        )
    parts.append("</g></svg>")
    return "".join(parts)
