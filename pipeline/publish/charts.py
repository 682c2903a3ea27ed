"""Charts of the edition as Vega-Lite specifications (Altair), rendered to static SVG by vl-convert.

One function per chart kind returns an `alt.Chart`; the same specification can feed an interactive
page (Vega-Embed) and, through `svg()`, the PDF and the static site. vl-convert ships its own
renderer, so the SVG depends only on the specification, the locale and the fonts registered here
(the system's DejaVu, as the PDF uses): two builds give identical bytes.

Conventions: axis titles carry the unit; numbers follow the language (`nl-NL`: 12.345 and 23,5;
`en-GB`: 12,345 and 23.5) through Vega's format locale; series are told apart by colour (the
Okabe-Ito palette, readable for colour-blind readers), and dash pattern, so a chart
printed in grey still reads; maps use a sequential single-hue scheme with a discrete legend.
"""

from __future__ import annotations

import functools
import json
import re
from functools import cache
from html import escape
from pathlib import Path

import altair as alt
import pandas as pd
from altair.utils.schemapi import debug_mode

FONT = "DejaVu Sans"
FONT_DIRECTORY = Path("/usr/share/fonts/truetype/dejavu")
LOCALES = {"nl": "nl-NL", "en": "en-GB"}
# Okabe & Ito (2008), without its yellow (too light on white paper)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (4, 4), (1, 3), (10, 4))
MAP_SCHEME = "blues"
MAP_CLASSES = 5
VALUE_FORMAT = {"percent": ",.1f", "ratio": ",.2f", "count": ",.0f"}
AXIS_FORMAT = {"percent": ",.0f", "ratio": ",.1f", "count": ",.0f"}


def config() -> dict:
    """The edition's chart style: fonts, sizes, grid, legend below the plot."""
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {
            "labelFontSize": 10,
            "titleFontSize": 10,
            "titleFontWeight": "normal",
            "labelColor": "#333333",
            "titleColor": "#333333",
            "gridColor": "#e3e3e3",
            "domainColor": "#777777",
            "tickColor": "#777777",
        },
        "legend": {
            "orient": "bottom",
            "direction": "horizontal",
            "columns": 2,
            "labelFontSize": 10,
            "titleFontSize": 10,
            "labelLimit": 320,
        },
        "title": {"fontSize": 11, "anchor": "start", "subtitleFontSize": 10, "subtitleColor": "#333333"},
        "line": {"strokeWidth": 2.2},
    }


def _unchecked(builder):
    """Build without Altair's check of every part against the Vega-Lite schema as it is made (its debug
    mode, a third of the charts' time in a build): the whole specs of the builders are checked by
    tests/test_publish_report.py::test_every_chart_spec_is_valid_vega_lite instead."""

    @functools.wraps(builder)
    def build(*args, **kwargs):
        with debug_mode(False):
            return builder(*args, **kwargs)

    return build


@_unchecked
def line_chart(data: pd.DataFrame, *, unit: str, x_title: str, y_title: str, width: int = 470, height: int = 170):
    """One line per series over the periods. `data`: period, value (None for a suppressed cell: a gap
    in the line), series (the legend label; legend in first-seen order)."""
    order = list(dict.fromkeys(data["series"]))
    n = len(order)
    series_scale = {"domain": order, "range": list(PALETTE[:n])}
    x = alt.X(
        "period:O",
        title=x_title,
        axis=alt.Axis(labelAngle=0, labelOverlap="greedy", labelPadding=4),
        sort=sorted(set(data["period"])),
    )
    y = alt.Y(
        "value:Q",
        title=y_title,
        axis=alt.Axis(format=AXIS_FORMAT.get(unit, ",.0f"), tickCount=5, labelFlush=False),
        scale=alt.Scale(nice=True, zero=True),
    )
    legend = alt.Legend(title=None, symbolType="stroke", symbolSize=400, symbolStrokeWidth=2.5) if n > 1 else None
    base = alt.Chart(data.assign(value=data["value"].astype(float))).encode(x=x, y=y)
    lines = base.mark_line().encode(
        color=alt.Color("series:N", scale=alt.Scale(**series_scale), legend=legend),
        strokeDash=alt.StrokeDash(
            "series:N", scale=alt.Scale(domain=order, range=[list(d) for d in DASHES[:n]]), legend=legend
        ),
    )
    points = base.mark_point(filled=True, size=28).encode(
        color=alt.Color("series:N", scale=alt.Scale(**series_scale), legend=None),
    )
    return alt.layer(lines, points).properties(width=width, height=height).configure(**config())


@_unchecked
def choropleth(
    topology: str,
    feature: str,
    values: pd.DataFrame,
    *,
    unit: str,
    legend_title: str,
    no_data: str,
    width: int = 250,
    height: int = 290,
):
    """Regions on their boundaries coloured by value in MAP_CLASSES classes of equal width (a
    discrete legend); regions without a value grey with the `no_data` label. `topology`: the
    TopoJSON text; `feature`: its object; `values`: code, name, value."""
    known = values.dropna(subset=["value"])
    lookup = alt.LookupData(
        alt.Data(values=known[["code", "name", "value"]].to_dict("records")), key="code", fields=["name", "value"]
    )
    shapes = alt.Data(values=topology, format=alt.DataFormat(type="topojson", feature=feature))
    outline = (
        alt.Chart(shapes)
        .mark_geoshape(fill="#eeeeee", stroke="#ffffff", strokeWidth=0.6)
        .encode(opacity=alt.Opacity("no_data:N", title=None, legend=alt.Legend(symbolType="square")))
        .transform_calculate(no_data=json.dumps(no_data))
    )
    filled = (
        alt.Chart(shapes)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.6)
        .transform_lookup(lookup="id", from_=lookup)
        .transform_filter("isValid(datum.value)")
        .encode(
            color=alt.Color(
                "value:Q",
                title=legend_title,
                scale=alt.Scale(type="quantize", nice=True, zero=False, scheme=MAP_SCHEME, domain=_domain(known)),
                legend=alt.Legend(format=VALUE_FORMAT.get(unit, ",.0f"), orient="right", direction="vertical"),
            )
        )
    )
    chart = alt.layer(outline, filled).properties(width=width, height=height).project(type="mercator")
    return chart.resolve_legend(color="independent", opacity="independent").configure(**config())


def _domain(values: pd.DataFrame) -> list[float]:
    if values.empty:
        return [0.0, 1.0]
    return [float(values["value"].min()), float(values["value"].max())]


@cache
def _fonts() -> None:
    import vl_convert

    if FONT_DIRECTORY.is_dir():
        vl_convert.register_font_directory(str(FONT_DIRECTORY))


_ID = re.compile(r'id="([^"]+)"')


def svg(chart, lang: str, *, chart_id: str, title: str, description: str) -> str:
    """Render `chart` to SVG in the language's number format, with a <title> and a <desc> (the data
    in words) referenced by aria-labelledby; ids inside the SVG are prefixed with `chart_id`, so
    several charts can share one HTML page."""
    import vl_convert

    _fonts()
    text = vl_convert.vegalite_to_svg(chart.to_dict(validate=False), format_locale=LOCALES[lang])
    for found in sorted(set(_ID.findall(text)), key=len, reverse=True):
        text = text.replace(f'id="{found}"', f'id="{chart_id}-{found}"').replace(
            f"url(#{found})", f"url(#{chart_id}-{found})"
        )
    head, _, rest = text.partition(">")
    head = head.replace("<svg ", f'<svg role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" ', 1)
    return (
        f'{head}><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{rest}'
    )
