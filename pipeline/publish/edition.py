"""Render an edition's outputs into a staging folder and release it atomically.

Outputs: `indicators.csv`, the HTML site (`index.html` and its pages, + `site.css`; English
under `en/`), `monitor-<edition>-<lang>.pdf` and `manifest.json` (inputs with sha256 and rows, reference-table versions, code version, outputs
with sha256). Every date comes from the edition, never from the clock, so two builds of the same
inputs and code give byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pandas as pd

from pipeline.publish import content, report, site
from pipeline.settings import TEMPLATE_DIR

PUBLICATION_MONTH_DAY = (6, 1)  # editions appear around the Pact's June conference


@dataclass(frozen=True)
class EditionOutputs:
    folder: Path
    files: dict[str, str]  # relative path -> sha256


def published_date(edition: str) -> datetime:
    return datetime(int(edition), *PUBLICATION_MONTH_DAY, tzinfo=UTC)


def messages(lang: str) -> dict[str, str]:
    return report.messages(lang)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env


class RenderError(Exception):
    """The PDF could not be rendered hermetically (a missing image or font, a remote URL)."""


def write_pdf(html: str, target: Path, edition: str) -> None:
    """Render `html` as a tagged PDF/UA-1 file. Only local files and data URLs are fetched, and any
    resource that cannot be fetched (image, font, stylesheet) stops the build with its URL."""
    import weasyprint  # heavy import, only where a PDF is written
    from weasyprint.urls import FatalURLFetchingError

    os.environ["SOURCE_DATE_EPOCH"] = str(int(published_date(edition).timestamp()))
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=fetcher)
    try:
        document.write_pdf(target, pdf_variant="pdf/ua-1", uncompressed_pdf=False)
    except FatalURLFetchingError as error:  # a BaseException in WeasyPrint: make it an ordinary failure
        cause = error.__cause__ or error.__context__
        raise RenderError(f"{target.name}: {error} ({cause})") from error


def sha256(path: Path) -> str:
    from pipeline.sources.files import sha256_file

    return sha256_file(path)


DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".json", ".pdf")


def render(stage: Path, edition: str, indicators: pd.DataFrame, catalogue: pd.DataFrame, manifest: dict,
           languages: tuple[str, ...] = ("nl",), extras: content.Extras = content.Extras(),
           extra_tables: dict[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """Write every output of the edition into `stage`; returns relative path -> sha256.

    `extra_tables` (name -> frame) are written as `<name>.csv` downloads (e.g. the STEM bridge).
    Order: the downloads, then the PDF edition per language, then the HTML site (which links the
    downloads and PDFs), then the manifest over all of them."""
    stage.mkdir(parents=True, exist_ok=True)
    for name, table in sorted((extra_tables or {}).items()):
        table.to_csv(stage / f"{name}.csv", index=False, lineterminator="\n", float_format="%.15g")
    env = _environment()
    if not (stage / "indicators.csv").exists():  # pipeline.downloads writes the downloads first
        indicators.to_csv(stage / "indicators.csv", index=False, lineterminator="\n", float_format="%.15g")
    shutil.copyfile(TEMPLATE_DIR / "site.css", stage / "site.css")
    css = (TEMPLATE_DIR / "print.css").read_text(encoding="utf-8")
    contexts = {lang: content.build(indicators, catalogue, manifest, edition, lang, published_date(edition), extras)
                for lang in languages}
    for lang, ctx in contexts.items():
        pdf_html = env.get_template("edition.pdf.html.j2").render(**ctx, _ctx=ctx, css=css)
        write_pdf(pdf_html, stage / f"monitor-{edition}-{lang}.pdf", edition)
    downloads = sorted(p.name for p in stage.iterdir() if p.is_file() and p.suffix in DOWNLOAD_SUFFIXES)
    downloads = sorted(set(downloads) | {"manifest.json"})
    for lang, ctx in contexts.items():
        ctx["downloads"] = downloads
        site.render_site(stage, env, ctx, tuple(languages))
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
