"""The static HTML site of an edition: works offline (no external requests), one folder per
language (Dutch at the root, English under `en/`), relative links only.

Pages: overview (`index.html`), one per strand, one per indicator (`indicator/<id>.html`), the
regions (`regio/index.html`) and one per region and municipality (`regio/<level>-<code>.html`),
the methodology with lineage (`methode.html`) and the downloads (`downloads.html`); an explorer
per indicator (`verken/<id>.html`, see pipeline.publish.explorer) with map, trend and ranked table.
The language switch is only shown when the other language was built.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from pipeline.publish import explorer, report
from pipeline.publish.content import indicator_page

LANGUAGE_FOLDERS = {"nl": "", "en": "en/"}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def render_site(stage: Path, env: jinja2.Environment, ctx: dict, languages: tuple[str, ...]) -> list[str]:
    """Write the pages of one language; returns their paths relative to `stage`."""
    lang = ctx["lang"]
    folder = LANGUAGE_FOLDERS[lang]
    other = next((x for x in languages if x != lang), None)
    written = []

    def page(name: str, template: str, title: str, **extra) -> None:
        depth = name.count("/")
        root = "../" * depth
        asset_root = root + "../" * folder.count("/")
        if other is None:
            other_href, other_lang = "", lang
        else:
            other_href = asset_root + LANGUAGE_FOLDERS[other] + name
            other_lang = other
        text = env.get_template(template).render(
            **ctx,
            _ctx=ctx,
            page_title=title,
            root=root,
            asset_root=asset_root,
            other_lang_href=other_href,
            other_lang=other_lang,
            **extra,
        )
        _write(stage / (folder + name), text)
        written.append(folder + name)

    t = ctx["t"]
    page("index.html", "site/overview.html.j2", f"{t['title']} – {ctx['subtitle']}")
    for strand in ctx["strands"]:
        page(strand["page"], "site/strand.html.j2", strand["name"], strand=strand)
    blocks_by_indicator: dict[str, list[dict]] = {}
    for level in ctx["levels"]:
        for block in level["blocks"]:
            blocks_by_indicator.setdefault(block["indicator_id"], []).append({**block, "level_name": level["name"]})
    for item in ctx["indicators"]:
        page(
            indicator_page(item["id"]),
            "site/indicator.html.j2",
            item["title"],
            item=item,
            blocks=blocks_by_indicator.get(item["id"], []),
        )
    region_pages = {r["code"]: r["page"] for level in ctx["levels"] for r in level["regions"]}
    for item in ctx["_items"]:
        if item.id not in {i["id"] for i in ctx["indicators"]}:
            continue
        title = next(i for i in ctx["indicators"] if i["id"] == item.id)
        page(
            explorer.page_name(item.id),
            "site/explorer.html.j2",
            f"{t['explorer']}: {title['title']}",
            item=title,
            indicator_href=indicator_page(item.id),
            config=explorer.page_config(item.id, item.rows, t, lang, region_pages),
        )
    if ctx["levels"]:
        page("regio/index.html", "site/regions.html.j2", t["regions"])
        items = ctx["_items"]
        by_id = {item.id: item for item in items}
        names = {r["code"]: r["name"] for level in ctx["levels"] for r in level["regions"]}
        for level in ctx["levels"]:
            for region in level["regions"]:
                figures = report.region_figures(items, level["level"], region["code"], lang)
                trends = [
                    explorer.region_trend(by_id[f["id"]], level["level"], region["code"], t, lang) for f in figures
                ]
                trends, templates = explorer.shared_templates(trends)
                for figure, trend in zip(figures, trends):
                    figure["trend"] = trend
                links = [
                    {
                        "level": t["level_" + other],
                        "regions": [{"name": n, "page": region_pages.get(c, "")} for c, n in found],
                    }
                    for other, found in explorer.hierarchy(level["level"], region["code"], names).items()
                ]
                page(
                    region["page"],
                    "site/region.html.j2",
                    region["name"],
                    figures=figures,
                    region_name=region["name"],
                    region_code=region["code"],
                    level_name=level["name"],
                    hierarchy=links,
                    chart_templates=templates,
                    explorer_pages=[(explorer.page_name(f["id"]), f["title"]) for f in figures],
                )
    page("methode.html", "site/methodology.html.j2", t["methodology"])
    page("downloads.html", "site/downloads.html.j2", t["downloads"])
    return written


def describe_downloads(files: list[str], package: dict, t: dict) -> list[dict]:
    """Per download: what it holds, its rows and columns (from the data package for CSV files; the
    XLSX and JSON hold the rows of indicators.csv) and its licence."""
    resources = {r["path"]: r for r in package["resources"]}
    indicators = resources.get("indicators.csv")
    out = []
    for name in files:
        stem, _, suffix = name.rpartition(".")
        key = "download_" + ("monitor_pdf" if name.startswith("monitor-") else stem)
        resource = resources.get(name)
        if resource is None and stem in ("indicators",) and indicators is not None:
            resource = indicators
        out.append(
            {
                "name": name,
                "what": t.get(key, ""),
                "format": suffix.upper(),
                "rows": resource["rows"] if resource else None,
                "columns": [f["name"] for f in resource["schema"]["fields"]] if resource else [],
                "licence": t["download_licence_data"] if resource or suffix == "json" else t["download_licence_text"],
            }
        )
    return out
