"""The interactive explorer of the static site: one page per indicator (`verken/<id>.html`) with
controls for period, definition, sex, breakdown and region level, a choropleth, a trend chart and a
ranked table, all drawn in the browser by Vega-Embed from the same Vega-Lite specifications as the
PDF (pipeline.publish.charts).

Everything the pages need is a local file of the edition, so they work from `file://` and from any
static web server with no request outside the edition folder:

- `explorer/vega.js`: the Vega, Vega-Lite and Vega-Embed runtime, bundled by vl-convert
  (`vl_convert.javascript_bundle()`, pinned in requirements.lock: the same bytes on every build);
- `explorer/explorer.js`: the page logic (report_templates/site/explorer.js);
- `explorer/data/<indicator>.js`: one indicator's rows in a compact column-coded layout, loaded on
  demand by the page of that indicator only;
- `explorer/geo/<file>.js`: the boundaries of reference/geo, one file per level and boundary year.

Data and boundaries are JSON wrapped in one function call (`TPX.data({...})`, `TPX.geo(...)`):
browsers refuse `fetch()` of a `file://` URL, a `<script src>` is allowed everywhere.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline import reference
from pipeline.publish import charts
from pipeline.settings import TEMPLATE_DIR

FOLDER = "explorer"
PAGE_FOLDER = "verken"
RUNTIME = f"{FOLDER}/vega.js"
SCRIPT = f"{FOLDER}/explorer.js"
LEVELS = ("national", "landsdeel", "techniekpact", "province", "corop", "arbeidsmarktregio", "municipality")
# which column of reference/regions/municipalities.csv holds a level's region code (a level without a
# boundary file of its own is drawn on the municipalities of the year, coloured by their region)
MUNICIPAL_COLUMNS = {
    "landsdeel": "landsdeel_code",
    "techniekpact": "techniekpact_region_code",
    "province": "province_code",
    "corop": "corop_code",
    "arbeidsmarktregio": "arbeidsmarktregio_code",
    "municipality": "municipality_code",
}
SEXES = ("T", "V", "M")
# placeholders the page replaces with the selection (see explorer.js, `fill`)
REGIONS, SHAPES, SERIES = "regions", "shapes", "series"


def page_name(indicator_id: str) -> str:
    return f"{PAGE_FOLDER}/{indicator_id}.html"


def data_name(indicator_id: str) -> str:
    return f"{FOLDER}/data/{indicator_id}.js"


@cache
def runtime_bundle() -> str:
    """The bundled Vega/Vega-Lite/Vega-Embed runtime (a classic script that sets window.vegaEmbed)."""
    import vl_convert

    return vl_convert.javascript_bundle()


def _boundary_table() -> pd.DataFrame:
    table = reference.load("geo/boundaries.csv")
    frame = table.frame.copy()
    frame["boundary_year"] = frame["boundary_year"].astype(str)
    frame["path"] = [table.path.parent / f for f in frame["file"]]
    return frame


def _geo_name(file: str) -> str:
    return f"{FOLDER}/geo/{Path(file).stem}.js"


@cache
def _municipal_members(year: str) -> pd.DataFrame:
    frame = reference.load("regions/municipalities.csv").frame
    return frame[frame["boundary_year"].astype(str) == year]


def geometry(level: str, year: str) -> dict | None:
    """How the map of `level` in boundary year `year` is drawn: its own boundary file, or the
    municipalities of that year coloured by their region (`members`: municipality -> region code);
    None where reference/geo has no boundaries for the year."""
    if level == "national" or not year:
        return None
    table = _boundary_table()
    own = table[(table["region_level"] == level) & (table["boundary_year"] == year)]
    if not own.empty:
        row = own.iloc[0]
        return {"file": _geo_name(row["file"]), "name": Path(row["file"]).stem, "feature": row["object"]}
    base = table[(table["region_level"] == "municipality") & (table["boundary_year"] == year)]
    members = _municipal_members(year)
    if base.empty or members.empty:
        return None
    row = base.iloc[0]
    column = MUNICIPAL_COLUMNS[level]
    return {
        "file": _geo_name(row["file"]),
        "name": Path(row["file"]).stem,
        "feature": row["object"],
        "members": dict(zip(members["municipality_code"], members[column])),
    }


def write_geo(stage: Path) -> list[str]:
    """Every boundary file of reference/geo as `explorer/geo/<name>.js`."""
    out = []
    for row in _boundary_table().itertuples(index=False):
        name = _geo_name(row.file)
        text = Path(row.path).read_text(encoding="utf-8")
        json.loads(text)  # a broken file stops the build here, with its name
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"TPX.geo({json.dumps(Path(row.file).stem)},{text});\n", encoding="utf-8")
        out.append(name)
    return out


def _number(value) -> float | int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, 10)


def _numbers(column: pd.Series) -> list[float | int | None]:
    """`_number` of every value of a column."""
    values = pd.to_numeric(column).astype("float64").to_numpy(na_value=math.nan).tolist()
    return [None if math.isnan(v) else int(v) if v.is_integer() else round(v, 10) for v in values]


def indicator_data(rows: pd.DataFrame) -> dict:
    """One indicator's rows for the explorer: each text column as a list of its distinct values and
    every row as indexes into them (periods, definitions, sexes, breakdowns, levels, flags), the
    region as its code (names once, in `names`), then value, numerator and denominator."""
    rows = rows.sort_values(["period", "definition", "sex", "breakdown", "region_level", "region_code"], kind="stable")
    columns = {
        "period": rows["period"].astype(str),
        "definition": rows["definition"],
        "sex": rows["sex"],
        "breakdown": rows["breakdown"].fillna("").astype(str),
        "level": rows["region_level"],
        "flag": rows["flag"].fillna("").astype(str),
    }
    present = {k: set(column) for k, column in columns.items()}
    text = {
        "period": sorted(present["period"]),
        "definition": [d for d in ("nl", "isced", "none") if d in present["definition"]],
        "sex": [s for s in SEXES if s in present["sex"]],
        "breakdown": sorted(present["breakdown"]),
        "level": [lv for lv in LEVELS if lv in present["level"]],
        "flag": sorted(present["flag"]),
    }
    codes = {k: pd.Categorical(columns[k], categories=text[k]).codes.tolist() for k in columns}
    years = rows["boundary_year"].map(lambda y: "" if pd.isna(y) else str(int(float(y))))
    body = [
        list(row)
        for row in zip(
            codes["period"],
            codes["definition"],
            codes["sex"],
            codes["breakdown"],
            codes["level"],
            rows["region_code"].tolist(),
            _numbers(rows["value"]),
            _numbers(rows["numerator"]),
            _numbers(rows["denominator"]),
            codes["flag"],
            years.tolist(),
        )
    ]
    names = dict(sorted(zip(rows["region_code"], rows["region_name"])))
    geo = {}
    for level, year in sorted(set(zip(rows["region_level"], years))):
        drawn = geometry(level, year)
        if drawn is not None:
            geo[f"{level}|{year}"] = drawn
    return {"text": text, "names": names, "geo": geo, "rows": body}


def write_data(stage: Path, indicators: pd.DataFrame) -> list[str]:
    """`explorer/data/<indicator>.js` per indicator (compact JSON in a `TPX.data(...)` call)."""
    out = []
    for indicator_id, rows in indicators.groupby("indicator_id", sort=True):
        data = {"id": indicator_id, "unit": str(rows["unit"].iat[0]), **indicator_data(rows)}
        name = data_name(indicator_id)
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        target.write_text(f"TPX.data({text});\n", encoding="utf-8")
        out.append(name)
    return out


def write_assets(stage: Path, indicators: pd.DataFrame) -> list[str]:
    """The runtime, the page script, the boundaries and the data files (once, for every language)."""
    target = stage / RUNTIME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(runtime_bundle(), encoding="utf-8")
    for name in (SCRIPT, REGION_SCRIPT):
        source = TEMPLATE_DIR / "site" / Path(name).name
        (stage / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return [RUNTIME, SCRIPT, REGION_SCRIPT, *write_geo(stage), *write_data(stage, indicators)]


# --- chart templates (the PDF's chart builders, with named data the page fills in) ---------------


def _rename_data(node, names: dict[str, str]):
    """Replace every reference to a dataset of `names` (Altair's hashed name -> fixed name)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "data" and isinstance(value, dict) and value.get("name") in names:
                out[key] = {**value, "name": names[value["name"]]}
            else:
                out[key] = _rename_data(value, names)
        return out
    if isinstance(node, list):
        return [_rename_data(v, names) for v in node]
    return node


def _named(spec: dict, marker_key: str, name: str) -> dict:
    """Give the dataset whose first record has `marker_key` the fixed name `name` (and drop its values)."""
    datasets = spec.get("datasets", {})
    found = {k: name for k, v in datasets.items() if isinstance(v, list) and v and marker_key in v[0]}
    spec = _rename_data(spec, found)
    spec["datasets"] = {k: v for k, v in datasets.items() if k not in found}
    return spec


TOOLTIP_FIELDS = ("name", "shown", "flag_text", "numerator_text", "denominator_text", "status", "page")


def map_template(unit: str, t: dict) -> dict:
    """The choropleth of charts.choropleth for the page: regions and shapes as named data, the scale
    domain and boundary object filled in by the page; a status layer tells suppressed areas from
    areas without figures; tooltips with name, value, flag, numerator and denominator."""
    sentinel = pd.DataFrame({"code": ["__code"], "name": ["__name"], "value": [0.0], "tpx_region": [1]})
    chart = charts.choropleth(
        "{}", "__feature", sentinel, unit=unit, legend_title=t["axis_unit_" + unit], no_data=t["no_data"]
    )
    spec = chart.to_dict(validate=False)
    spec = _named(spec, "code", REGIONS)
    outline, filled = spec["layer"]
    for layer in (outline, filled):
        layer["data"] = {"name": SHAPES, "format": {"type": "topojson", "feature": "__feature"}}
    lookup = next(step for step in filled["transform"] if "lookup" in step)
    lookup["from"]["fields"] = ["value", *TOOLTIP_FIELDS]
    lookup["from"]["data"] = {"name": REGIONS}
    tooltip = [
        {"field": "name", "type": "nominal", "title": t["region"]},
        {"field": "shown", "type": "nominal", "title": t["axis_unit_" + unit]},
        {"field": "flag_text", "type": "nominal", "title": t["flags"]},
        {"field": "numerator_text", "type": "nominal", "title": t["explorer_numerator"]},
        {"field": "denominator_text", "type": "nominal", "title": t["explorer_denominator"]},
    ]
    filled["encoding"]["tooltip"] = tooltip
    # the grey layer: every shape, its status (no figure / suppressed) as a legend of its own
    outline["transform"] = [
        json.loads(json.dumps(lookup)),
        {"filter": "!isValid(datum.value)"},  # areas with a value are drawn by the coloured layer only
        {"calculate": f"isValid(datum.status) ? datum.status : {json.dumps(t['no_data'])}", "as": "status"},
        {"calculate": "isValid(datum.name) ? datum.name : datum.properties.statnaam", "as": "name"},
    ]
    outline["mark"] = {**outline["mark"], "cursor": "pointer"}
    filled["mark"] = {**filled["mark"], "cursor": "pointer"}
    outline.pop("encoding", None)
    outline["encoding"] = {
        "fill": {
            "field": "status",
            "type": "nominal",
            "title": None,
            "scale": {"domain": [t["flag_suppressed"], t["no_data"]], "range": ["#9e9e9e", "#e8e8e8"]},
            "legend": {"symbolType": "square", "orient": "right", "direction": "vertical"},
        },
        "tooltip": [
            {"field": "name", "type": "nominal", "title": t["region"]},
            {"field": "status", "type": "nominal", "title": t["axis_unit_" + unit]},
        ],
    }
    spec["resolve"] = {"scale": {"color": "independent", "fill": "independent"}, "legend": {"fill": "independent"}}
    spec.pop("datasets", None)
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    return spec


def line_template(unit: str, t: dict, periods: list[str]) -> dict:
    """The trend chart of charts.line_chart: the chosen region against the national series (series
    names `__region` and `__national`, replaced by the page)."""
    sentinel = pd.DataFrame(
        {"period": periods[:1] * 2, "value": [1.0, 1.0], "series": ["__region", "__national"], "tpx_series": [1, 1]}
    )
    chart = charts.line_chart(sentinel, unit=unit, x_title=t["period"], y_title=t["axis_unit_" + unit])
    spec = _named(chart.to_dict(validate=False), "tpx_series", SERIES)
    for layer in spec["layer"]:
        layer["encoding"]["x"]["sort"] = periods
        layer["encoding"]["tooltip"] = [
            {"field": "series", "type": "nominal", "title": t["region"]},
            {"field": "period", "type": "ordinal", "title": t["period"]},
            {"field": "shown", "type": "nominal", "title": t["axis_unit_" + unit]},
        ]
    spec.pop("datasets", None)
    spec["width"] = "container"
    return spec


@cache
def _page_templates(unit: str, lang: str, periods: tuple[str, ...]) -> str:
    """The map and line templates of an explorer page (JSON text): the same for every indicator of a
    unit, language and periods."""
    from pipeline.publish.report import messages

    t = messages(lang)
    return json.dumps({"map": map_template(unit, t), "line": line_template(unit, t, list(periods))})


def page_config(item_id: str, rows: pd.DataFrame, t: dict, lang: str, region_pages: dict[str, str]) -> dict:
    """What the explorer page hands to explorer.js: texts (labels of every definition, sex,
    breakdown, level and flag of the indicator), the chart templates, file names and the pages of
    the regions (code -> page, relative to the site root)."""
    from pipeline.publish import report

    unit = str(rows["unit"].iat[0])
    periods = sorted(rows["period"].astype(str).unique())
    breakdowns = sorted(rows["breakdown"].fillna("").astype(str).unique())
    flags = sorted(rows["flag"].fillna("").astype(str).unique())
    labels = {key: t[key] for key in t if key.startswith("explorer_")}
    labels.update({k: t[k] for k in ("no_data", "national", "region", "flags", "flag_suppressed")})
    return {
        "id": item_id,
        "lang": lang,
        "unit": unit,
        "data": data_name(item_id),
        "labels": labels,
        "names": {
            "definition": {d: t.get("definition_" + d, d) for d in ("nl", "isced", "none")},
            "sex": {s: report.sex_label(s, t) for s in SEXES},
            "breakdown": {b: report.breakdown_label(b, t) for b in breakdowns},
            "level": {lv: t["level_" + lv] for lv in LEVELS},
            "flag": {f: report.flag_text(report.flags_of(f), t) for f in flags},
        },
        "locale": charts_locale(lang),
        **json.loads(_page_templates(unit, lang, tuple(periods))),
        "regionPages": region_pages,
    }


@cache
def _format_locale(name: str) -> dict:
    import vl_convert

    return vl_convert.get_format_locale(name)


def charts_locale(lang: str) -> dict:
    return _format_locale(charts.LOCALES[lang])


# --- region pages: trends against the province and the country, links up and down the hierarchy -----

REGION_SCRIPT = f"{FOLDER}/region.js"
PARENT_LEVELS = ("province", "corop", "arbeidsmarktregio", "landsdeel", "techniekpact")


@cache
def _latest_members() -> pd.DataFrame:
    frame = reference.load("regions/municipalities.csv").frame
    return frame[frame["boundary_year"] == frame["boundary_year"].max()]


def hierarchy(level: str, code: str, names: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """The regions a region belongs to (level -> [(code, name)]) and, for a region above the
    municipalities, its municipalities (key 'municipality'), in the latest municipal division;
    a parent's name from `names` where it has one."""
    return {
        other: [(c, names.get(c, n)) if other != "municipality" else (c, n) for c, n in found]
        for other, found in _hierarchy(level, code).items()
    }


@cache
def _hierarchy(level: str, code: str) -> dict[str, list[tuple[str, str]]]:
    """`hierarchy` with the names of the municipal division (parents of a municipality) or the codes
    (parents of a larger region)."""
    members = _latest_members()
    out: dict[str, list[tuple[str, str]]] = {}
    if level == "municipality":
        row = members[members["municipality_code"] == code]
        if row.empty:
            return out
        for parent in PARENT_LEVELS:
            parent_code = str(row.iloc[0][MUNICIPAL_COLUMNS[parent]])
            name = str(row.iloc[0][parent.replace("techniekpact", "techniekpact_region") + "_name"])
            out[parent] = [(parent_code, name)]
        return out
    if level in MUNICIPAL_COLUMNS:
        inside = members[members[MUNICIPAL_COLUMNS[level]] == code]
        for parent in PARENT_LEVELS:
            if parent == level:
                continue
            codes = sorted(set(inside[MUNICIPAL_COLUMNS[parent]]))
            if len(codes) == 1:  # a level that contains this region entirely
                out[parent] = [(codes[0], codes[0])]
        out["municipality"] = sorted(zip(inside["municipality_code"], inside["municipality_name"]), key=lambda x: x[1])
    return out


@cache
def province_of(level: str, code: str) -> str | None:
    if level == "province":
        return None
    found = hierarchy(level, code, {}).get("province")
    return found[0][0] if found else None


def _main_series(item) -> dict[str, dict[tuple[str, str], list[tuple[str, float | None, str]]]]:
    """breakdown -> (level, code) -> [(period, value, name)] of an indicator's first definition, both
    sexes: the total ('') first, then each breakdown by one variable; computed once per indicator."""
    cached = getattr(item, "_explorer_main", None)
    if cached is not None:
        return cached
    rows = item.rows
    definition = item.definitions[0] if item.definitions else "none"
    breakdown = rows["breakdown"].fillna("").astype(str)
    main = rows[(rows["definition"] == definition) & (rows["sex"] == "T") & ~breakdown.str.contains(";")]
    main = main.assign(breakdown=breakdown).sort_values(["breakdown", "period"])
    out: dict[str, dict[tuple[str, str], list]] = {}
    for r in main[["breakdown", "region_level", "region_code", "period", "value", "region_name"]].itertuples(
        index=False
    ):
        out.setdefault(r.breakdown, {}).setdefault((r.region_level, r.region_code), []).append(
            (str(r.period), _number(r.value), r.region_name)
        )
    object.__setattr__(item, "_explorer_main", out)
    return out


@cache
def _trend_template(unit: str, periods: tuple[str, ...], count: int, lang: str) -> str:
    """The PDF's line chart for `count` series named __s0, __s1, ... (JSON text; the page puts in
    the names and the data)."""
    from pipeline.publish.report import messages

    t = messages(lang)
    sentinel = pd.DataFrame(
        {"period": [periods[0]] * count, "value": [1.0] * count, "series": [f"__s{i}" for i in range(count)]}
    )
    sentinel["tpx_series"] = 1
    chart = charts.line_chart(sentinel, unit=unit, x_title=t["period"], y_title=t["axis_unit_" + unit], height=140)
    spec = _named(chart.to_dict(validate=False), "tpx_series", SERIES)
    for layer in spec["layer"]:
        layer["encoding"]["x"]["sort"] = list(periods)
    spec.pop("datasets", None)
    spec["width"] = "container"
    return json.dumps(spec, ensure_ascii=False, sort_keys=True)


def region_trend(item, level: str, code: str, t: dict, lang: str) -> dict | None:
    """The trend of an indicator's main series for a region, its province and the country.
    Percentages and ratios share one chart; counts get a chart per area, each with its own scale
    (a municipality never shares an axis with the country)."""
    by_breakdown = _main_series(item)
    # the total, else the first breakdown by one variable for which the region has a value
    main = next(
        (points for points in by_breakdown.values() if any(v is not None for _, v, _ in points.get((level, code), []))),
        None,
    )
    if main is None:
        return None
    breakdown = next(b for b, points in by_breakdown.items() if points is main)
    areas = [(level, code)]
    province = province_of(level, code)
    if province:
        areas.append(("province", province))
    areas.append(("national", "NL01"))
    series = []
    for area in areas:
        points = main.get(area)
        if not points:
            continue
        name = points[0][2] if area[0] != "national" else t["national"]
        if any(s["name"] == name for s in series):  # Groningen (municipality) in Groningen (province)
            name = f"{name} ({t['level_' + area[0]]})"
        series.append({"name": name, "records": [{"period": p, "value": v, "series": name} for p, v, _ in points]})
    if len(series) < 2:
        return None
    unit = item.unit
    panels = [series] if unit in ("percent", "ratio") else [[s] for s in series]
    out = []
    for panel in panels:
        periods = tuple(sorted({r["period"] for s in panel for r in s["records"]}))
        out.append(
            {
                "title": " – ".join(s["name"] for s in panel),
                "names": [s["name"] for s in panel],
                "template": _trend_template(unit, periods, len(panel), lang),
                "records": [r for s in panel for r in s["records"]],
            }
        )
    from pipeline.publish import report

    definition = item.definitions[0] if item.definitions else "none"
    label = report.series_label(definition, breakdown, t, len(item.definitions) > 1)
    return {"panels": out, "locale": charts_locale(lang), "series": f"{label}, {t['total'].lower()}"}


def shared_templates(trends: list[dict | None]) -> tuple[list[dict | None], list[dict]]:
    """A page's trends with each chart template given once: panels name their template by index
    into the returned list (a region page repeats a few templates over twenty indicators)."""
    templates: dict[str, int] = {}
    out = []
    for trend in trends:
        if trend is None:
            out.append(None)
            continue
        panels = []
        for panel in trend["panels"]:
            index = templates.setdefault(panel["template"], len(templates))
            panels.append({**panel, "template": index})
        out.append({**trend, "panels": panels})
    return out, [json.loads(text) for text in templates]
