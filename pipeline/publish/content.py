"""Everything an edition shows, in one language, as plain data for the templates: shared by the
PDF edition and the HTML site so both say the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from pipeline.publish import findings, formatting, maps, report
from pipeline.publish.report import LEVEL_ORDER, STRANDS, messages, slug

BRIDGE_ROWS_IN_PDF = 40
# The PDF's regional chapter compares rates (shares, ratios) between regions; counts mostly show a
# region's size, so their regional figures are on the site only.
PDF_REGIONAL_UNITS = ("percent", "ratio")


@dataclass(frozen=True)
class Extras:
    """Optional inputs: tables other stages may provide, shown when present."""

    targets: pd.DataFrame | None = None  # reference/indicators/targets.csv
    bridge: pd.DataFrame | None = None  # the Dutch vs international STEM bridge table
    boundaries: maps.Boundaries | None = None  # municipal outlines from the landing area


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
            "flag": t.get("flag_" + f, f),
            "count": formatting.number(counts[f], t["_lang"]),
            "note": t.get("flag_" + f + "_note", ""),
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


def _bridge(bridge: pd.DataFrame | None) -> dict | None:
    if bridge is None or bridge.empty:
        return None
    frame = bridge.astype(str)
    return {"header": list(frame.columns), "rows": frame.values.tolist(), "total": len(frame)}


def pdf_region_tables(blocks: list[dict], level_name: str, t: dict) -> list[dict]:
    """The PDF's regional chapter, one block per indicator of a level: the map of its best-covered series and
    one table with a column per series (the total and the margins, see report.is_margin), so a
    reader compares regions and series on one page; the site keeps a map and table per series."""
    out: list[dict] = []
    by_indicator: dict[str, list[dict]] = {}
    for block in blocks:
        by_indicator.setdefault(block["indicator_id"], []).append(block)
    for indicator_id, group in by_indicator.items():
        names: dict[str, str] = {}
        for block in group:
            for row in block["rows"]:
                names.setdefault(row["code"], row["name"])
        cells = [{row["code"]: row for row in block["rows"]} for block in group]
        rows = []
        for code, name in sorted(names.items(), key=lambda pair: (pair[1], pair[0])):
            present = [c[code] for c in cells if code in c]
            flags = sorted({f.strip() for r in present for f in r["flags"].split(",") if f.strip()})
            rows.append(
                [name] + [c[code]["value"] if code in c else formatting.MISSING for c in cells] + [", ".join(flags)]
            )
        first = group[0]
        # the map shows the series with the most published regional values (the first of equals)
        mapped = max(group, key=lambda b: sum(r["value"] != formatting.MISSING for r in b["rows"]))
        out.append(
            {
                "id": f"{indicator_id}-{first['level']}",
                "title": f"{first['indicator']} – {level_name}, {first['period']}",
                "svg": mapped["svg"],
                "map_title": mapped["title"],
                "header": [t["region"]] + [b["series"] for b in group] + [t["flags"]],
                "national": [t["national"]] + [b["national"] for b in group] + [""],
                "rows": rows,
            }
        )
    return out


def build(
    table: pd.DataFrame,
    catalogue: pd.DataFrame,
    manifest: dict,
    edition: str,
    lang: str,
    published: datetime,
    extras: Extras = Extras(),
    downloads: list[str] | None = None,
) -> dict:
    t = messages(lang)
    t["_lang"] = lang
    base_year = _base_year(edition)
    items = report.indicators_of(table, catalogue)
    contents = {i.id: report.indicator_content(i, lang, base_year) for i in items}
    targets = findings.target_status(extras.targets, items, lang)
    strands = []
    for strand in STRANDS + tuple(sorted({i.strand for i in items} - set(STRANDS))):
        members = [contents[i.id] for i in items if i.strand == strand]
        strands.append(
            {
                "id": slug(strand),
                "name": t.get("chapter_" + strand, strand),
                "intro": t.get("strand_intro_" + strand, ""),
                "page": strand_page(strand),
                "indicators": members,
            }
        )
    levels = []
    for level in report.region_levels(table):
        blocks = []
        for item in items:
            for block in report.regional_comparison(item, level, lang, extras.boundaries):
                blocks.append({"indicator": item.titles[lang], "indicator_id": item.id, "unit": item.unit, **block})
        levels.append(
            {
                "level": level,
                "name": t.get("level_" + level, level),
                "blocks": blocks,
                "pdf_tables": pdf_region_tables(
                    [b for b in blocks if b["unit"] in PDF_REGIONAL_UNITS], t.get("level_" + level, level), t
                ),
                "regions": [
                    {"code": c, "name": n, "page": report.region_page_name(level, c)}
                    for c, n in report.regions_of(table, level)
                ],
                "in_pdf": level != "municipality" or extras.boundaries is not None,
            }
        )
    bridge = _bridge(extras.bridge)
    return {
        "lang": lang,
        "t": t,
        "edition": edition,
        "subtitle": t["subtitle"].format(edition=edition),
        "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "published_text": t["published_on"].format(date=formatting.date(published, lang)),
        "findings": findings.key_findings(items, lang, targets),
        "strands": strands,
        "indicators": [contents[i.id] for i in items],
        "targets": targets,
        "levels": levels,
        "bridge": bridge,
        "bridge_pdf_rows": BRIDGE_ROWS_IN_PDF,
        "quality": _quality(table, manifest, t),
        "manifest": manifest,
        "catalogue": [
            {"title": r[f"title_{lang}"], "note": r[f"note_{lang}"], "id": r["indicator_id"]}
            for _, r in catalogue.iterrows()
            if r["indicator_id"] in contents
        ],
        "downloads": downloads or [],
        "level_order": LEVEL_ORDER,
        "boundary_source": extras.boundaries.source if extras.boundaries else "",
        "_items": items,
    }


TARGETS_TABLE = "indicators/targets.csv"
BRIDGE_GLOB = "*bridge*.csv"


def extras_for(landing_folder) -> Extras:
    """The optional inputs of an edition: the Pact targets and the STEM bridge table when those
    reference tables exist, and municipal boundaries when the landing folder holds a GeoJSON."""
    from pipeline import reference
    from pipeline.settings import REFERENCE_DIR

    targets = None
    if reference.table_path(TARGETS_TABLE).exists():
        targets = reference.load(TARGETS_TABLE).frame
    bridge = None
    candidates = sorted((REFERENCE_DIR / "stem").glob(BRIDGE_GLOB))
    if candidates:
        bridge = reference.load(f"stem/{candidates[0].name}").frame
    path = maps.find_boundary_file(landing_folder)
    return Extras(targets=targets, bridge=bridge, boundaries=maps.load_boundaries(path) if path else None)
