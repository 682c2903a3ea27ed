"""Render an edition's outputs into a staging folder and release it atomically.

Outputs: `indicators.csv`, `index.html` (+ `site.css`), `monitor-<edition>-<lang>.pdf` and
`manifest.json` (inputs with sha256 and rows, reference-table versions, code version, outputs
with sha256). Every date comes from the edition, never from the clock, so two builds of the same
inputs and code give byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pandas as pd

from pipeline.publish import charts, formatting
from pipeline.settings import TEMPLATE_DIR

PUBLICATION_MONTH_DAY = (6, 1)  # editions appear around the Pact's June conference


@dataclass(frozen=True)
class EditionOutputs:
    folder: Path
    files: dict[str, str]  # relative path -> sha256


def published_date(edition: str) -> datetime:
    return datetime(int(edition), *PUBLICATION_MONTH_DAY, tzinfo=UTC)


def messages(lang: str) -> dict[str, str]:
    return tomllib.loads((TEMPLATE_DIR / "messages.toml").read_text(encoding="utf-8"))[lang]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env


def _latest(frame: pd.DataFrame, **where: str) -> pd.Series | None:
    rows = frame
    for key, val in where.items():
        rows = rows[rows[key] == val]
    if rows.empty:
        return None
    return rows.sort_values("period").iloc[-1]


def key_findings(indicators: pd.DataFrame, lang: str) -> list[str]:
    """Sentences chosen and phrased by rules on the indicator table (numbers come from it only)."""
    t = messages(lang)
    share = indicators[(indicators["indicator_id"] == "ho_first_years_stem_share") & (indicators["region_level"] == "national")]
    sentences = []
    for level in ("hbo", "wo"):
        rows = share[(share["definition"] == "nl") & (share["breakdown"] == f"level={level}")]
        total = rows[rows["sex"] == "T"].sort_values("period")
        if len(total) < 1:
            continue
        last = total.iloc[-1]
        pct = formatting.percent(last["value"], lang)
        if len(total) >= 2:
            prev = total.iloc[-2]
            diff = round(last["value"] - prev["value"], 1)
            if lang == "nl":
                trend = "steeg" if diff > 0 else ("daalde" if diff < 0 else "bleef gelijk")
                change = f" en {trend} met {formatting.number(abs(diff), lang, 1)} procentpunt ten opzichte van {prev['period']}" if diff else f" en bleef gelijk ten opzichte van {prev['period']}"
                sentences.append(f"In {last['period']} koos {pct} van de eerstejaars in het {level} voor bètatechniek{change}.")
            else:
                trend = "up" if diff > 0 else "down"
                change = f", {trend} {formatting.number(abs(diff), lang, 1)} percentage points on {prev['period']}" if diff else f", unchanged on {prev['period']}"
                sentences.append(f"In {last['period']}, {pct} of first-year {level} students chose STEM{change}.")
        women = _latest(rows, sex="V", period=last["period"])
        men = _latest(rows, sex="M", period=last["period"])
        if women is not None and men is not None:
            if lang == "nl":
                sentences.append(f"Bij vrouwen was dat {formatting.percent(women['value'], lang)}, bij mannen {formatting.percent(men['value'], lang)}.")
            else:
                sentences.append(f"Among women it was {formatting.percent(women['value'], lang)}, among men {formatting.percent(men['value'], lang)}.")
        isced = _latest(share, definition="isced", breakdown=f"level={level}", sex="T", period=last["period"])
        if isced is not None:
            if lang == "nl":
                sentences.append(f"Volgens de internationale definitie (ISCED-F 05/06/07) was het aandeel in het {level} {formatting.percent(isced['value'], lang)}.")
            else:
                sentences.append(f"Under the international definition (ISCED-F 05/06/07) the {level} share was {formatting.percent(isced['value'], lang)}.")
    return sentences


def _share_tables(indicators: pd.DataFrame, lang: str) -> list[dict]:
    t = messages(lang)
    tables = []
    share = indicators[(indicators["indicator_id"] == "ho_first_years_stem_share") & (indicators["region_level"] == "national")]
    for definition in ("nl", "isced"):
        for level in ("hbo", "wo"):
            rows = share[(share["definition"] == definition) & (share["breakdown"] == f"level={level}")]
            if rows.empty:
                continue
            pivot = rows.pivot_table(index="period", columns="sex", values="value", aggfunc="first").sort_index()
            counts = rows[rows["sex"] == "T"].set_index("period")
            body = []
            for period, values in pivot.iterrows():
                flag = counts.loc[period, "flag"] if period in counts.index else ""
                body.append([period, formatting.number(counts.loc[period, "numerator"], lang),
                             formatting.number(counts.loc[period, "denominator"], lang),
                             formatting.percent(values.get("T"), lang), formatting.percent(values.get("M"), lang),
                             formatting.percent(values.get("V"), lang), flag])
            tables.append({
                "caption": f"{t['stem_share']} – {level} – {t['definition_' + definition]}",
                "header": [t["year"], t["stem_count"], t["all_count"], t["total"], t["men"], t["women"], "flag"],
                "rows": body,
            })
    return tables


def _chart(indicators: pd.DataFrame, lang: str) -> str:
    t = messages(lang)
    share = indicators[(indicators["indicator_id"] == "ho_first_years_stem_share") & (indicators["sex"] == "T")
                       & (indicators["region_level"] == "national")]
    series = {}
    for definition in ("nl", "isced"):
        for level in ("hbo", "wo"):
            rows = share[(share["definition"] == definition) & (share["breakdown"] == f"level={level}")].sort_values("period")
            if not rows.empty:
                label = f"{level} ({'NL' if definition == 'nl' else 'ISCED'})"
                series[label] = list(zip(rows["period"], rows["value"]))
    description = "; ".join(f"{name}: " + ", ".join(f"{p} {formatting.percent(v, lang)}" for p, v in pts) for name, pts in series.items())
    return charts.line_chart(series, title=f"{t['stem_share']} – {t['section_ho_first_years']}", description=description,
                             unit="percent", lang=lang)


def context(indicators: pd.DataFrame, catalogue: pd.DataFrame, manifest: dict, edition: str, lang: str) -> dict:
    t = messages(lang)
    return {
        "lang": lang, "t": t, "subtitle": t["subtitle"].format(edition=edition),
        "published": published_date(edition).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "findings": key_findings(indicators, lang), "chart_svg": _chart(indicators, lang),
        "share_tables": _share_tables(indicators, lang),
        "catalogue": [{"title": r[f"title_{lang}"], "note": r[f"note_{lang}"]} for _, r in catalogue.iterrows()],
        "manifest": manifest, "downloads": ["indicators.csv", "manifest.json"],
    }


def write_pdf(html: str, target: Path, edition: str) -> None:
    import weasyprint  # heavy import, only where a PDF is written

    os.environ["SOURCE_DATE_EPOCH"] = str(int(published_date(edition).timestamp()))
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=fetcher)
    document.write_pdf(target, pdf_variant="pdf/ua-1", uncompressed_pdf=False)


def sha256(path: Path) -> str:
    from pipeline.sources.files import sha256_file

    return sha256_file(path)


def render(stage: Path, edition: str, indicators: pd.DataFrame, catalogue: pd.DataFrame, manifest: dict,
           languages: tuple[str, ...] = ("nl",), extra_tables: dict[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """Write every output of the edition into `stage`; returns relative path -> sha256.

    `extra_tables` (name -> frame) are written as `<name>.csv` downloads (e.g. the STEM bridge)."""
    stage.mkdir(parents=True, exist_ok=True)
    for name, table in sorted((extra_tables or {}).items()):
        table.to_csv(stage / f"{name}.csv", index=False, lineterminator="\n", float_format="%.6g")
    env = _environment()
    if not (stage / "indicators.csv").exists():  # pipeline.downloads writes the downloads first
        indicators.to_csv(stage / "indicators.csv", index=False, lineterminator="\n", float_format="%.6g")
    shutil.copyfile(TEMPLATE_DIR / "site.css", stage / "site.css")
    css = (TEMPLATE_DIR / "print.css").read_text(encoding="utf-8")
    for lang in languages:
        ctx = context(indicators, catalogue, manifest, edition, lang)
        html_name = "index.html" if lang == "nl" else f"index.{lang}.html"
        (stage / html_name).write_text(env.get_template("site.index.html.j2").render(**ctx), encoding="utf-8")
        pdf_html = env.get_template("edition.pdf.html.j2").render(**ctx, css=css)
        write_pdf(pdf_html, stage / f"monitor-{edition}-{lang}.pdf", edition)
    files = {p.relative_to(stage).as_posix(): sha256(p) for p in sorted(stage.rglob("*")) if p.is_file()}
    full = {**manifest, "outputs": [{"path": k, "sha256": v} for k, v in files.items()]}
    (stage / "manifest.json").write_text(json.dumps(full, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    files["manifest.json"] = sha256(stage / "manifest.json")
    return files


def release(out: Path, edition: str, stage: Path, name: str | None = None) -> Path:
    """Make `stage` the published edition atomically (see pipeline.publish.release).

    Releases live in `out/.releases/<edition>-<n>/`; `out/<edition>` is a symbolic link that is
    replaced with one rename, so a reader (or a crash) sees either the old or the new edition.
    """
    from pipeline.publish import release as releasing

    return releasing.release(out, edition, stage, name)
