"""Everything an edition shows, in one language, as plain data for the templates: shared by the
PDF edition and the HTML site so both say the same thing.

The PDF reads like a yearly statistical report: a cover with headline figures, key findings per
strand, the targets dashboard, one section per indicator family (chart, sentences from the data, a
compact national table under both STEM definitions, flag notes), a short regional chapter of maps
on real boundaries, the methodology with a readable bridge table and a colophon. Which cells are
put forward is data (reference/indicators/report_plan.csv); every number comes from the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from pipeline.publish import charts, findings, formatting, maps, report
from pipeline.publish.report import LEVEL_ORDER, STRANDS, messages, slug

COMPACT_PERIODS = {"year": 6, "quarter": 8}  # rows of an indicator's compact table
from pipeline.sample.generate import MARKER as SAMPLE_MARKER  # noqa: E402


@dataclass(frozen=True)
class Extras:
    """Optional inputs: tables other stages may provide, shown when present."""

    targets: pd.DataFrame | None = None  # reference/indicators/targets.csv
    bridge: pd.DataFrame | None = None  # the Dutch vs international STEM bridge (latest year, both sexes)
    synthetic: bool = False  # built from the embedded synthetic sample: every page says so


def strand_page(strand: str) -> str:
    return f"{slug(strand)}.html"


def indicator_page(indicator_id: str) -> str:
    return f"indicator/{indicator_id}.html"


def _base_year(edition: str) -> int | None:
    from pipeline import editions

    try:
        return editions.get(edition).base_year
    except KeyError:
        return None


def _quality(table: pd.DataFrame, manifest: dict, t: dict) -> dict:
    counts = {}
    for cell in table["flag"]:
        for flag in report.flags_of(cell):
            counts[flag] = counts.get(flag, 0) + 1
    flags = [
        {
            "flag": report.flag_text([f], t),
            "count": formatting.number(counts[f], t["_lang"]),
            "note": t["flag_" + f + "_note"],
        }
        for f in sorted(counts, key=report._flag_key)
    ]
    checks = [
        {
            "name": c.get("name", ""),
            "result": t["passed"] if c.get("passed") else t["failed"],
            "detail": c.get("detail", ""),
        }
        for c in manifest.get("checks", [])
    ]
    return {"flags": flags, "checks": checks, "total_cells": formatting.number(len(table), t["_lang"])}


def _hidden_by_level(table: pd.DataFrame, t: dict) -> list[dict]:
    """Per region level, the published count cells and those suppressed primarily and secondarily."""
    counts = table[table["unit"] == "count"]
    if counts.empty:
        return []
    hidden = counts["flag"].fillna("").str.contains("suppressed", regex=False)
    primary = hidden & counts["rule"].fillna("").str.contains("primary", regex=False)
    frame = pd.DataFrame({"level": counts["region_level"], "primary": primary, "secondary": hidden & ~primary})
    rows = []
    for level, group in frame.groupby("level", sort=False):
        rows.append(
            {
                "level": t.get("level_" + level, level),
                "cells": formatting.number(len(group), t["_lang"]),
                "primary": formatting.number(int(group["primary"].sum()), t["_lang"]),
                "secondary": formatting.number(int(group["secondary"].sum()), t["_lang"]),
                "share": formatting.percent(100 * (group["primary"] | group["secondary"]).mean(), t["_lang"]),
            }
        )
    order = {t.get("level_" + v, v): i for i, v in enumerate(("national", *report.LEVEL_ORDER))}
    return sorted(rows, key=lambda r: order.get(r["level"], len(order)))


# --- the bridge between the definitions ------------------------------------------------------------


def _count_text(row, lang: str) -> str:
    """A bridge count: the count, or the interval when masked counts make it uncertain."""
    if not formatting.missing(row.get("count")) and str(row.get("count")) != "":
        return formatting.number(float(row["count"]), lang)
    low, high = float(row["count_low"]), float(row["count_high"])
    if low == high:
        return formatting.number(low, lang)
    return f"{formatting.number(low, lang)}–{formatting.number(high, lang)}"


def bridge_tables(bridge: pd.DataFrame | None, lang: str) -> list[dict]:
    """Per population (first-years, diplomas, participants): programme groups as rows and the
    levels as columns; from the international total, what the Dutch definition adds (per Dutch
    cluster) and leaves out (per ISCED-F broad field), to the Dutch total and its share."""
    if bridge is None or bridge.empty or "component" not in bridge:
        return []
    t = messages(lang)
    out = []
    frame = bridge.astype(object).fillna("").astype(str)
    for population in sorted(set(frame["population"]), key=_population_order):
        rows = frame[frame["population"] == population]
        year = max(rows["year"])
        out.append(_bridge_table(rows[rows["year"] == year], population, year, lang, t))
    return out


POPULATIONS = ("first_years", "participants", "diplomas")


def _population_order(population: str) -> int:
    return POPULATIONS.index(population) if population in POPULATIONS else len(POPULATIONS)


def _bridge_line(rows: pd.DataFrame, levels: list[str], label: str, select: pd.Series, lang: str) -> list[str]:
    cells = []
    for level in levels:
        hit = rows[(rows["level"] == level) & select]
        cells.append(_count_text(hit.iloc[0], lang) if not hit.empty else formatting.MISSING)
    return [label, *cells]


def _midpoint(at: pd.DataFrame, component: str) -> float | None:
    if component not in at.index:
        return None
    r = at.loc[component]
    return float(r["count"]) if r["count"] != "" else (float(r["count_low"]) + float(r["count_high"])) / 2


def _bridge_table(rows: pd.DataFrame, population: str, year: str, lang: str, t: dict) -> dict:
    levels = [lv for lv in ("mbo", "hbo", "wo") if lv in set(rows["level"])]
    component, group = rows["component"], rows["group"]
    body = [
        _bridge_line(rows, levels, t["bridge_all"], component == "all", lang),
        _bridge_line(rows, levels, t["bridge_isced_total"], component == "isced_total", lang),
    ]
    for kind, sign, word in (("added", "+", t["bridge_added"]), ("left_out", "−", t["bridge_left_out"])):
        for code in sorted(set(rows.loc[(component == kind) & (group != ""), "group"])):
            label = rows.loc[group == code, "group_label"].iloc[0] or code
            label = t.get("cluster_" + code, label) if kind == "added" else f"{code} {label}"
            body.append(
                _bridge_line(rows, levels, f"{sign} {word}: {label}", (component == kind) & (group == code), lang)
            )
    body.append(_bridge_line(rows, levels, t["bridge_nl_total"], component == "nl_total", lang))
    shares_isced, shares_nl = [t["bridge_share_isced"]], [t["bridge_share_nl"]]
    for level in levels:
        at = rows[(rows["level"] == level) & (group == "")].set_index("component")
        total = _midpoint(at, "all")
        for target, part in ((shares_isced, "isced_total"), (shares_nl, "nl_total")):
            count = _midpoint(at, part)
            target.append(formatting.percent(100 * count / total if total and count is not None else None, lang))
    body += [shares_isced, shares_nl]
    return {
        "caption": t["bridge_caption"].format(population=t.get("population_" + population, population), year=year),
        "header": [t["bridge_group"], *levels],
        "rows": body,
    }


# --- indicators -----------------------------------------------------------------------------------


def _period_kind(periods: list[str]) -> str:
    return "quarter" if any("Q" in p for p in periods) else "year"


def indicator_chart(item: report.Indicator, lang: str, chart_id: str) -> dict:
    """The indicator's chart (total and the margins of its first breakdown variable, both
    definitions where they fit) with a caption naming the latest value of every line."""
    t = messages(lang)
    show_def = len(item.definitions) > 1
    series = report.chart_series(item)
    frames, facts, parts = [], [], []
    for s in series:
        label = s.label(t, show_def)
        points = s.points("T")
        if not points:
            continue
        frames.append(
            pd.DataFrame({"period": [p for p, _ in points], "value": [v for _, v in points], "series": label})
        )
        period = findings.latest_period(item, s.definition, s.breakdown)
        if period:
            fact = findings._fact(item, s.definition, s.breakdown, period, lang)
            facts.append(fact)
            parts.append(t["chart_caption_part"].format(series=label, value=fact.printed, period=period))
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if data.empty or data["period"].nunique() < 2:
        return {"svg": "", "caption": "", "facts": []}
    kind = _period_kind(list(data["period"]))
    chart = charts.line_chart(data, unit=item.unit, x_title=t["axis_" + kind], y_title=t["axis_unit_" + item.unit])
    caption = t["chart_caption"].format(items="; ".join(parts))
    description = "; ".join(
        f"{name}: " + ", ".join(f"{p} {formatting.value(v, item.unit, lang)}" for p, v in zip(g["period"], g["value"]))
        for name, g in data.groupby("series", sort=False)
    )
    svg = charts.svg(chart, lang, chart_id=chart_id, title=item.titles[lang], description=description)
    return {"svg": svg, "caption": caption, "facts": facts}


def compact_table(item: report.Indicator, lang: str) -> dict:
    """The national series of the chart (total of both sexes) for the latest periods, both STEM
    definitions side by side (Dutch first), flags as footnote symbols."""
    t = messages(lang)
    show_def = len(item.definitions) > 1
    series = report.chart_series(item)
    periods = sorted({p for s in series for p, _ in s.points("T")})
    periods = periods[-COMPACT_PERIODS[_period_kind(periods)] :] if periods else []
    seen: set[str] = set()
    rows = []
    for period in periods:
        cells = [period]
        for s in series:
            key = (s.definition, s.breakdown, "T", period)
            text = formatting.value(item.national_values.get(key), item.unit, lang)
            flags = item.national_flags.get(key, [])
            seen.update(flags)
            if "suppressed" in flags:  # the symbol in the value's place, as in the legend
                text = t["flag_symbol_suppressed"]
            shown = [f for f in flags if f != "suppressed"]
            if shown:
                text += " " + "".join(t["flag_symbol_" + f] for f in shown)
            cells.append(text)
        rows.append(cells)
    notes = [report.flag_note(f, t) for f in sorted(seen, key=report._flag_key)]
    header = [t["period"]] + [s.label(t, show_def) for s in series]
    caption = f"{item.titles[lang]} ({t['unit_' + item.unit]}, {t['compact_scope']})"
    return {"caption": caption, "header": header, "rows": rows, "notes": notes}


def families(items: list[report.Indicator], contents: dict, strand: str, t: dict, plan: pd.DataFrame) -> list[dict]:
    """The indicators of a strand grouped into families (report_plan.csv, section 'family'; else
    by the source family they are computed from), in catalogue order: one PDF section per family."""
    rows = findings.plan_rows(plan, "family")
    chosen = {r["indicator_id"]: r["family"] for r in rows}
    order = list(dict.fromkeys(r["family"] for r in rows))
    out: dict[str, dict] = {}
    for item in items:
        if item.strand != strand:
            continue
        key = chosen.get(item.id) or item.source_families
        out.setdefault(
            key,
            {
                "id": f"{slug(strand)}-{slug(key)}",
                "key": key,
                "title": t.get("family_" + key, contents[item.id]["title"]),
                "indicators": [],
            },
        )["indicators"].append(contents[item.id])
    return sorted(out.values(), key=lambda f: order.index(f["key"]) if f["key"] in order else len(order))


# --- regions --------------------------------------------------------------------------------------


def region_maps(plan: pd.DataFrame, items: list[report.Indicator], lang: str) -> list[dict]:
    """The regional chapter: per map row of the plan, a choropleth on the level's boundaries (latest
    period, total of both sexes) with the national value, and the regions ranked by value."""
    t = messages(lang)
    by_id = {i.id: i for i in items}
    out = []
    for row in findings.plan_rows(plan, "map"):
        item = by_id.get(row["indicator_id"])
        level = row["region_level"]
        if item is None or level not in maps.levels():
            continue
        regional = item.rows[
            (item.rows["region_level"] == level)
            & (item.rows["definition"] == row["definition"])
            & (item.rows["breakdown"] == row["breakdown"])
            & (item.rows["sex"] == "T")
        ]
        if regional.empty:
            continue
        known = regional.dropna(subset=["value"])
        if known.empty:  # every regional cell suppressed: nothing to map
            continue
        period = max(known["period"])  # the latest period with a published regional value
        now = regional[regional["period"] == period]
        boundaries = maps.levels()[level]
        boundaries.check(set(now["region_code"]), f"{item.id} {row['breakdown']} {period}")
        values = pd.DataFrame(
            {
                "code": now["region_code"],
                "name": now["region_name"],
                "value": [None if formatting.missing(v) else float(v) for v in now["value"]],
            }
        )
        national = item.national_values.get((row["definition"], row["breakdown"], "T", period))
        subject = findings.subject(item, row["definition"], row["breakdown"], lang)
        title = f"{subject}, {t['level_' + level].lower() if lang == 'nl' else t['level_' + level]}, {period}"
        legend = t["axis_unit_" + item.unit]
        chart = charts.choropleth(
            boundaries.topology,
            boundaries.feature,
            values,
            unit=item.unit,
            legend_title=legend,
            no_data=f"{t['no_data']} / {t['flag_suppressed']} ({t['flag_symbol_suppressed']})",
        )
        flags = dict(zip(now["region_code"], now["flag"]))
        description = "; ".join(
            f"{r.name}: {report.shown(r.value, flags.get(r.code, ''), item.unit, lang, t)}"
            for r in values.sort_values("name").itertuples()
        )
        svg = charts.svg(
            chart,
            lang,
            chart_id=f"map-{item.id}-{level}-{slug(row['breakdown']) or 'all'}",
            title=title,
            description=description,
        )
        ranked = values.assign(sort=values["value"].fillna(float("-inf"))).sort_values(
            ["sort", "name"], ascending=[False, True]
        )
        rank_rows, used = [], []
        for rank, r in enumerate(ranked.itertuples(), start=1):
            diff = None if r.value is None or pd.isna(r.value) or national is None else r.value - national
            flag = flags.get(r.code, "")
            cell_flags = report.flags_of(flag)
            used += [f for f in cell_flags if f not in used]
            secret = "suppressed" in cell_flags
            rank_rows.append(
                [
                    str(rank) if r.value is not None and not pd.isna(r.value) else "",
                    r.name,
                    report.shown(r.value, flag, item.unit, lang, t),
                    t["flag_symbol_suppressed"] if secret else formatting.change(diff, item.unit, lang),
                    " ".join(t["flag_symbol_" + f] for f in cell_flags),  # the symbols; their words below
                ]
            )
        header = [t["rank"], t["region"], t["value"], t["difference"], t["flags"]]
        if not used:  # no flags: no flag column
            header, rank_rows = header[:-1], [r[:-1] for r in rank_rows]
        national_fact = findings._fact(item, row["definition"], row["breakdown"], period, lang)
        out.append(
            {
                "id": f"map-{item.id}-{level}-{slug(row['breakdown']) or 'all'}",
                "title": title,
                "svg": svg,
                "national": national_fact.printed if national_fact else formatting.MISSING,
                "national_text": t["map_national"].format(
                    value=national_fact.printed if national_fact else formatting.MISSING,
                    period=period,
                    secret=t["flag_symbol_suppressed"],
                ),
                "facts": [national_fact] if national_fact else [],
                "header": header,
                "caption": t["ranked_caption"].format(level=t["level_" + level]),
                "rows": rank_rows,
                "symbols": "; ".join(report.flag_text([f], t) for f in report.legend().index if f in used),
                "long": len(rank_rows) > 15,
            }
        )
    return out


# --- the edition ----------------------------------------------------------------------------------


def build(
    table: pd.DataFrame,
    catalogue: pd.DataFrame,
    manifest: dict,
    edition: str,
    lang: str,
    published: datetime,
    extras: Extras = Extras(),
    downloads: list[str] | None = None,
    items: list[report.Indicator] | None = None,
) -> dict:
    """What the edition shows in `lang` (the PDF's and the site's context). `items`: the table's
    indicators (`report.indicators_of`), when the caller has them already (the same for every language)."""
    from pipeline import reference
    from pipeline.indicators import progress

    t = messages(lang)
    t["_lang"] = lang
    base_year = _base_year(edition)
    items = items if items is not None else report.indicators_of(table, catalogue)
    contents = {}
    for item in items:
        shown = report.indicator_content(item, lang, base_year)
        chart = indicator_chart(item, lang, f"chart-{item.id}")
        first = report.chart_series(item)[0].breakdown if report.chart_series(item) else ""
        shown.update(
            chart_svg=chart["svg"],
            chart_caption=chart["caption"],
            chart_facts=chart["facts"],
            findings=findings.indicator_findings(item, first, lang),
            compact=compact_table(item, lang),
            source_families=item.source_families,
        )
        contents[item.id] = shown
    plan = reference.load("indicators/report_plan.csv").frame
    targets_frame = extras.targets if extras.targets is not None else reference.load("indicators/targets.csv").frame
    titles = dict(zip(catalogue["indicator_id"], catalogue[f"title_{lang}"]))
    targets = findings.target_rows(progress.progress(table, edition), targets_frame, items, lang, titles)
    key_findings = findings.key_findings(plan, items, lang, targets)
    strands = []
    for strand in STRANDS + tuple(sorted({i.strand for i in items} - set(STRANDS))):
        members = [contents[i.id] for i in items if i.strand == strand]
        strands.append(
            {
                "id": slug(strand),
                "key": strand,
                "name": t.get("chapter_" + strand, strand),
                "intro": t.get("strand_intro_" + strand, ""),
                "page": strand_page(strand),
                "indicators": members,
                "families": families(items, contents, strand, t, plan),
                "findings": [f for f in key_findings if f.strand == strand],
                "targets": [r for r in targets if r["strand"] == strand],
            }
        )
    levels = []
    for level in report.region_levels(table):
        blocks = []
        for item in items:
            for block in report.regional_comparison(item, level, lang):
                blocks.append({"indicator": item.titles[lang], "indicator_id": item.id, "unit": item.unit, **block})
        levels.append(
            {
                "level": level,
                "name": t.get("level_" + level, level),
                "blocks": blocks,
                "regions": [
                    {"code": c, "name": n, "page": report.region_page_name(level, c)}
                    for c, n in report.regions_of(table, level)
                ],
            }
        )
    code = manifest.get("code", {})
    return {
        "lang": lang,
        "t": t,
        "edition": edition,
        "subtitle": t["subtitle"].format(edition=edition),
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "published_text": t["published_on"].format(date=formatting.date(published, lang)),
        "published_date": formatting.date(published, lang),
        "synthetic": extras.synthetic,
        # the deliveries the operator let the edition go without (--allow-missing): said on every page
        "gaps": [t["missing_delivery"].format(**gap) for gap in manifest.get("missing_deliveries", [])],
        "headlines": findings.headlines(plan, items, lang),
        "findings": key_findings,
        "strands": strands,
        "indicators": [contents[i.id] for i in items],
        "targets": targets,
        "targets_example": any(r["example"] for r in targets),
        "maps": region_maps(plan, items, lang),
        "levels": levels,
        "bridge_tables": bridge_tables(extras.bridge, lang),
        "quality": _quality(table, manifest, t),
        "legend": [
            {
                "symbol": t["flag_symbol_" + f],
                "label": t["flag_" + f],
                # the note begins with the label (as a cell's note in a chart or table reads it)
                "note": t["flag_" + f + "_note"].removeprefix(t["flag_" + f] + ": "),
            }
            for f in report.legend().index
        ],
        "hidden": _hidden_by_level(table, t),
        "manifest": manifest,
        "code_version": code.get("version", ""),
        "citation": t["citation"].format(edition=edition, year=published.year),
        "catalogue": [
            {"title": r[f"title_{lang}"], "note": r[f"note_{lang}"], "id": r["indicator_id"]}
            for _, r in catalogue.iterrows()
            if r["indicator_id"] in contents
        ],
        "sources": _sources(manifest, t),
        "downloads": downloads or [],
        "level_order": LEVEL_ORDER,
        "_items": items,
    }


def _sources(manifest: dict, t: dict) -> list[dict]:
    """The deliveries of the edition per source family: files and rows (the files' hashes are in
    the manifest and on the site)."""
    out: dict[str, dict] = {}
    for entry in manifest.get("inputs", []):
        family = entry.get("family", "")
        row = out.setdefault(family, {"family": t.get("source_" + family, family), "files": 0, "rows": 0})
        row["files"] += 1
        row["rows"] += int(entry.get("rows", 0) or 0)
    return [
        {
            "family": r["family"],
            "files": formatting.number(r["files"], t["_lang"]),
            "rows": formatting.number(r["rows"], t["_lang"]),
        }
        for _, r in sorted(out.items())
    ]


TARGETS_TABLE = "indicators/targets.csv"


def is_synthetic(landing_folder) -> bool:
    """Whether the edition's deliveries are the embedded synthetic sample: the sample generator
    leaves its marker file in every edition folder it writes (real deliveries carry none)."""
    return landing_folder is not None and (landing_folder / SAMPLE_MARKER).is_file()


def extras_for(landing_folder) -> Extras:
    """The optional inputs of an edition: the Pact targets, and whether the deliveries are the
    synthetic sample."""
    from pipeline import reference

    targets = None
    if reference.table_path(TARGETS_TABLE).exists():
        targets = reference.load(TARGETS_TABLE).frame
    return Extras(targets=targets, synthetic=is_synthetic(landing_folder))
