"""The static HTML site of an edition: works offline (no external requests), one folder per
language (Dutch at the root, English under `en/`), relative links only.

Pages: overview (`index.html`), one per strand, one per indicator (`indicator/<id>.html`), the
regions (`regio/index.html`) and one per region and municipality (`regio/<level>-<code>.html`),
the methodology with lineage (`methode.html`) and the downloads (`downloads.html`).
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from pipeline.publish import report
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
            other_href, other_lang = root + "index.html", lang
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
    if ctx["levels"]:
        page("regio/index.html", "site/regions.html.j2", t["regions"])
        items = ctx["_items"]
        for level in ctx["levels"]:
            for region in level["regions"]:
                figures = report.region_figures(items, level["level"], region["code"], lang)
                page(
                    region["page"],
                    "site/region.html.j2",
                    region["name"],
                    figures=figures,
                    region_name=region["name"],
                    region_code=region["code"],
                    level_name=level["name"],
                )
    page("methode.html", "site/methodology.html.j2", t["methodology"])
    page("downloads.html", "site/downloads.html.j2", t["downloads"])
    return written
