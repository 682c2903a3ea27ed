"""Deterministic SVG charts drawn from indicator tables (text stays text, no timestamps, no ids
that vary between runs), so two builds of the same edition give identical bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from pipeline.publish import formatting

PALETTE = ("#1b5e8c", "#c2410c", "#4d7c0f", "#7e22ce", "#0f766e", "#a16207")  # contrast >= 4.5 on white


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return float(top)
    return float(value)


def line_chart(series: Mapping[str, Sequence[tuple[str, float]]], *, title: str, description: str,
               unit: str, lang: str = "nl", width: int = 640, height: int = 300) -> str:
    """A line chart with one line per series; x values are period labels shared by the series."""
    periods = sorted({p for points in series.values() for p, _ in points})
    values = [v for points in series.values() for _, v in points if v is not None]
    top = _nice_max(max(values) if values else 1.0)
    left, right, upper, lower = 64, 150, 20, 40
    plot_w, plot_h = width - left - right, height - upper - lower

    def x(period: str) -> float:
        return left + (plot_w * periods.index(period) / max(len(periods) - 1, 1))

    def y(val: float) -> float:
        return upper + plot_h * (1 - val / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="t d" font-family="DejaVu Sans" font-size="12">',
        f"<title id=\"t\">{escape(title)}</title><desc id=\"d\">{escape(description)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for i in range(5):
        val = top * i / 4
        yy = y(val)
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" stroke="#d4d4d4" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#333333">'
                     f"{escape(formatting.value(val, unit, lang))}</text>")
    for period in periods:
        parts.append(f'<text x="{x(period):.1f}" y="{upper + plot_h + 18}" text-anchor="middle" fill="#333333">{escape(period)}</text>')
    for index, (name, points) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        coords = [(x(p), y(v)) for p, v in points if v is not None]
        if coords:
            path = " ".join(f"{'M' if i == 0 else 'L'}{cx:.1f},{cy:.1f}" for i, (cx, cy) in enumerate(coords))
            parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            for cx, cy in coords:
                parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"/>')
            lx, ly = coords[-1]
            parts.append(f'<text x="{lx + 8:.1f}" y="{ly + 4:.1f}" fill="{colour}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
