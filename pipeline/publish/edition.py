"""Render an edition's outputs into a staging folder and release it atomically.

Outputs: `indicators.csv`, the HTML site (`index.html` and its pages, + `site.css`; English
under `en/`), `monitor-<edition>-<lang>.pdf` and `manifest.json` (inputs with sha256 and rows,
reference-table versions, code version, outputs with sha256). Every date comes from the edition,
never from the clock, so two builds of the same inputs and code give byte-identical files.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pandas as pd

from pipeline.publish import content, explorer, report, site
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
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
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


def _pdf_name(edition: str, lang: str) -> str:
    return f"monitor-{edition}-{lang}.pdf"


def render_pdfs(stage: Path, edition: str, contexts: dict[str, dict]) -> None:
    """The PDF edition per language (`contexts`: language -> `content.build` context), into `stage`."""
    env = _environment()
    css = (TEMPLATE_DIR / "print.css").read_text(encoding="utf-8")
    for lang, ctx in contexts.items():
        pdf_html = env.get_template("edition.pdf.html.j2").render(**ctx, _ctx=ctx, css=css)
        write_pdf(pdf_html, stage / _pdf_name(edition, lang), edition)


def render_slow_files(
    stage: Path, edition: str, contexts: dict[str, dict], files: dict[str, Callable[[Path], None]]
) -> None:
    """The files whose layout takes longest: the PDFs, then each of `files` (file name -> the call that
    writes it at the path it is given, e.g. the workbook), into `stage`."""
    render_pdfs(stage, edition, contexts)
    for name, write in sorted(files.items()):
        write(stage / name)


def _pdf_in_background() -> bool:
    """Whether rendering the PDFs in a child process, beside the rest of the publication, can gain
    anything: not with one CPU."""
    return (os.cpu_count() or 1) > 1


class Rendering:
    """An edition being rendered into a staging folder (see `rendering`)."""

    def __init__(
        self,
        stage: Path,
        edition: str,
        indicators: pd.DataFrame,
        catalogue: pd.DataFrame,
        manifest: dict,
        languages: tuple[str, ...],
        extras: content.Extras,
        extra_tables: dict[str, pd.DataFrame] | None,
        background: bool,
        slow_files: dict[str, Callable[[Path], None]] | None = None,
    ):
        # whether the inputs are the embedded synthetic sample (its generator's marker in the landing folder)
        manifest = {**manifest, "synthetic_sample": bool(extras.synthetic)}
        self.stage, self.edition, self.indicators, self.manifest = stage, edition, indicators, manifest
        self.languages = languages
        self.extra_tables = extra_tables or {}
        self.process: subprocess.Popen | None = None
        self._arguments: Path | None = None
        stage.mkdir(parents=True, exist_ok=True)
        # what the edition shows, per language: built once, for the PDFs (now) and the site (in `finish`)
        items = report.indicators_of(indicators, catalogue)
        self.contexts = {
            lang: content.build(
                indicators, catalogue, manifest, edition, lang, published_date(edition), extras, items=items
            )
            for lang in languages
        }
        self.slow_files = dict(slow_files or {})
        arguments = (stage, edition, self.contexts, self.slow_files)
        if background:
            handle, name = tempfile.mkstemp(prefix=f"techpact-pdf-{edition}-", suffix=".pickle")
            with os.fdopen(handle, "wb") as file:
                pickle.dump(arguments, file, protocol=pickle.HIGHEST_PROTOCOL)
            self._arguments = Path(name)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pipeline.publish.pdf_process", name, str(os.getpid())],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
            )
        else:
            render_slow_files(*arguments)

    def _wait_for_pdfs(self) -> None:
        if self.process is None:
            return
        with self.process.stdout:
            payload = self.process.stdout.read()
        self.process.wait()
        code, self.process = self.process.returncode, None
        self._arguments.unlink(missing_ok=True)
        try:
            outcome = pickle.loads(payload)
        except Exception:  # the child died without a word (killed, out of memory)
            raise RenderError(
                f"the PDF renderer process of edition {self.edition} ended without result (exit code {code})"
            ) from None
        if outcome is not None:
            raise outcome

    def stop(self) -> None:
        """Stop the PDF renderer if it still runs (the edition is abandoned)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process.stdout.close()
        if self._arguments is not None:
            self._arguments.unlink(missing_ok=True)

    def finish(self) -> dict[str, str]:
        """Write the rest of the edition, wait for the PDFs and write the manifest over every file;
        returns relative path -> sha256."""
        stage, edition = self.stage, self.edition
        for name, table in sorted(self.extra_tables.items()):
            table.to_csv(stage / f"{name}.csv", index=False, lineterminator="\n", float_format="%.15g")
        env = _environment()
        if not (stage / "indicators.csv").exists():  # pipeline.downloads writes the downloads first
            self.indicators.to_csv(stage / "indicators.csv", index=False, lineterminator="\n", float_format="%.15g")
        shutil.copyfile(TEMPLATE_DIR / "site.css", stage / "site.css")
        explorer.write_assets(stage, self.indicators)
        from pipeline import downloads as download_files

        package_path = download_files.write_datapackage(
            stage, f"techniekpact-monitor-{edition}", f"Techniekpact Monitor {edition}"
        )
        package = json.loads(package_path.read_text(encoding="utf-8"))
        downloads = {p.name for p in stage.iterdir() if p.is_file() and p.suffix in DOWNLOAD_SUFFIXES}
        downloads |= {_pdf_name(edition, lang) for lang in self.languages} | set(self.slow_files)
        downloads = sorted(downloads | {"manifest.json"})
        for ctx in self.contexts.values():
            ctx["downloads"] = downloads
            ctx["download_files"] = site.describe_downloads(downloads, package, ctx["t"])
            site.render_site(stage, env, ctx, tuple(self.languages))
        self._wait_for_pdfs()
        files = {p.relative_to(stage).as_posix(): sha256(p) for p in sorted(stage.rglob("*")) if p.is_file()}
        full = {**self.manifest, "outputs": [{"path": k, "sha256": v} for k, v in files.items()]}
        (stage / "manifest.json").write_text(
            json.dumps(full, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        files["manifest.json"] = sha256(stage / "manifest.json")
        return files


@contextmanager
def rendering(
    stage: Path,
    edition: str,
    indicators: pd.DataFrame,
    catalogue: pd.DataFrame,
    manifest: dict,
    languages: tuple[str, ...] = ("nl",),
    extras: content.Extras | None = None,
    extra_tables: dict[str, pd.DataFrame] | None = None,
    background: bool | None = None,
    slow_files: dict[str, Callable[[Path], None]] | None = None,
) -> Iterator[Rendering]:
    """Start rendering an edition into `stage`; `finish()` on the yielded object completes it.

    The PDFs (WeasyPrint's layout is the longest part of a build) render in a child process from the
    start, so that what the caller does inside the block (writing the downloads, loading the
    warehouse) runs beside them on the second core. `finish()` then writes the extra tables
    (`<name>.csv`), the HTML site (which links the downloads and PDFs), waits for the PDFs and writes
    the manifest over all files. Leaving the block without finishing stops the renderer.
    `slow_files` (file name -> a picklable call that writes the file at the path it is given) are
    written by the same child process after the PDFs: the workbook, whose cells take as long as a PDF.
    `background=False` renders the PDFs in this process, before the block runs (the default where no
    child process can help, see `_pdf_in_background`); the files are the same either way."""
    job = Rendering(
        stage,
        edition,
        indicators,
        catalogue,
        manifest,
        languages,
        extras or content.Extras(),
        extra_tables,
        _pdf_in_background() if background is None else background,
        slow_files,
    )
    try:
        yield job
    finally:
        job.stop()


def render(
    stage: Path,
    edition: str,
    indicators: pd.DataFrame,
    catalogue: pd.DataFrame,
    manifest: dict,
    languages: tuple[str, ...] = ("nl",),
    extras: content.Extras | None = None,
    extra_tables: dict[str, pd.DataFrame] | None = None,
    background: bool | None = None,
) -> dict[str, str]:
    """Write every output of the edition into `stage`; returns relative path -> sha256 (see `rendering`)."""
    with rendering(stage, edition, indicators, catalogue, manifest, languages, extras, extra_tables, background) as job:
        return job.finish()


def release(out: Path, edition: str, stage: Path, name: str | None = None) -> Path:
    """Make `stage` the published edition atomically (see pipeline.publish.release).

    Releases live in `out/.releases/<edition>-<n>/`; `out/<edition>` is a symbolic link that is
    replaced with one rename, so a reader (or a crash) sees either the old or the new edition.
    """
    from pipeline.publish import release as releasing

    return releasing.release(out, edition, stage, name)
