"""The edition's PDF and site rendered from a synthetic regional indicator table (tests/publish_fixtures.py):
structure, accessibility markers, numbers equal to the table, findings backed by the table, maps,
charts, determinism and hermetic rendering."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import psutil
import publish_fixtures as fx
import pytest

from pipeline.publish import edition, formatting, report
from pipeline.settings import TEMPLATE_DIR

CHAPTERS = {
    "nl": [
        "Kernpunten",
        "Kiezen",
        "Leren",
        "Werken",
        "Doelen van het Techniekpact",
        "Regio's",
        "Methode",
        "Bronnen, kwaliteit en herkomst",
    ],
    "en": [
        "Key findings",
        "Choosing",
        "Learning",
        "Working",
        "Technology Pact targets",
        "Regions",
        "Methodology",
        "Sources, quality and lineage",
    ],
}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return fx.indicator_table()


@pytest.fixture(scope="module")
def pdfs(synthetic_edition):
    from pypdf import PdfReader

    return {lang: PdfReader(synthetic_edition / f"monitor-2024-{lang}.pdf") for lang in ("nl", "en")}


# --- PDF ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pdf_pages_language_and_accessibility_structure(pdfs, lang):
    reader = pdfs[lang]
    assert 8 <= len(reader.pages) <= 60  # three indicators of the synthetic table
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    tree = root["/StructTreeRoot"].get_object()
    assert tree["/K"]  # a structure tree with content
    texts = [page.extract_text() for page in reader.pages]
    pages = len(texts)
    assert f"3 / {pages}" in texts[2]  # page numbers
    assert "Editie 2024" in texts[2] or "Edition 2024" in texts[2]  # running header
    assert not any("SYNTHETI" in text for text in texts)  # rendered as real deliveries: no sample mark


def _structure_tags(reader) -> dict[str, int]:
    seen: dict[str, int] = {}
    stack = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if isinstance(node, dict):
            tag = node.get("/S")
            if tag:
                seen[str(tag)] = seen.get(str(tag), 0) + 1
                if str(tag) == "/Figure":
                    assert node.get("/Alt"), "a figure without alternative text"
                if str(tag) == "/TD":
                    seen["TD with headers"] = seen.get("TD with headers", 0) + int(
                        "/Headers" in str(node.get("/A", ""))
                    )
            kids = node.get("/K")
            if isinstance(kids, list):
                stack.extend(kids)
            elif kids is not None:
                stack.append(kids)
    return seen


def test_pdf_figures_carry_alt_text_and_cells_their_headers(pdfs):
    tags = _structure_tags(pdfs["nl"])
    assert tags.get("/Figure", 0) >= 4  # the indicators' charts and the maps, each with /Alt (asserted above)
    assert tags.get("TD with headers", 0) >= 100


def test_unknown_indicator_id_stops_the_report(table):
    odd = table.copy()
    odd.loc[odd.index[:3], "indicator_id"] = "not_in_catalogue"
    with pytest.raises(ValueError, match="not_in_catalogue"):
        report.indicators_of(odd, fx.catalogue())


# --- HTML site ------------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.lang = None
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.srcs: list[str] = []
        self.landmarks: set[str] = set()
        self.th_without_scope = 0
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag in ("main", "nav", "header", "footer"):
            self.landmarks.add(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("link", "script", "img") and (a.get("href") or a.get("src")):
            self.srcs.append(a.get("href") or a.get("src"))
        if tag == "th" and "scope" not in a:
            self.th_without_scope += 1


def _pages(folder: Path) -> dict[Path, _Page]:
    out = {}
    for path in sorted(folder.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        out[path] = parser
    return out


def test_site_pages_are_accessible_and_links_resolve(synthetic_edition):
    pages = _pages(synthetic_edition)
    assert len(pages) > 200  # overview, strands, indicators, every region and municipality, twice
    for path, page in pages.items():
        name = path.relative_to(synthetic_edition).as_posix()
        assert page.h1 == 1, name
        assert page.lang == ("en" if name.startswith("en/") else "nl"), name
        assert page.landmarks == {"main", "nav", "header", "footer"}, name
        assert page.th_without_scope == 0, name
        for href in page.links + page.srcs:
            assert not re.match(r"^[a-z]+:", href) and not href.startswith("//"), (name, href)  # no external requests
            target, _, fragment = href.partition("#")
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.is_file(), (name, href)
            if fragment:
                assert fragment in pages[resolved].ids if resolved in pages else True, (name, href)


def test_site_pages_show_sentences_not_program_objects(synthetic_edition):
    """What a reader sees is text: no object printed as code (`Finding(strand=...`), no `None` or
    `nan`; the overview lists the key findings as sentences."""
    for path in synthetic_edition.rglob("*.html"):
        text = re.sub(
            r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", path.read_text(encoding="utf-8"), flags=re.S
        )
        name = path.relative_to(synthetic_edition).as_posix()
        assert not re.search(r"\b[A-Z][A-Za-z]+\([a-z_]+=", text), (
            name,
            re.search(r"\b[A-Z][A-Za-z]+\([a-z_]+=.{0,60}", text),
        )
        assert not re.search(r"\b(None|nan|NaN)\b", text), name
    overview = (synthetic_edition / "index.html").read_text(encoding="utf-8")
    findings = re.findall(r'<ul class="findings">(.*?)</ul>', overview, flags=re.S)[0]
    sentences = re.findall(r"<li>(.*?)</li>", findings, flags=re.S)
    assert sentences and all(s.rstrip().endswith(".") for s in sentences), sentences[:2]


def test_site_has_a_page_per_region_and_municipality_with_national_figures(synthetic_edition, table):
    regional = table[table["region_level"] != "national"][["region_level", "region_code"]].drop_duplicates()
    for row in regional.itertuples():
        for folder in ("", "en/"):
            assert (synthetic_edition / folder / report.region_page_name(row.region_level, row.region_code)).is_file()
    html = (synthetic_edition / report.region_page_name("municipality", "GM0363")).read_text(encoding="utf-8")
    mine = table[
        (table.region_code == "GM0363")
        & (table.indicator_id == "ho_first_years_stem_share")
        & (table.sex == "T")
        & (table.definition == "nl")
        & (table.breakdown == "level=wo")
        & (table.period == "2023")
    ]
    nat = table[
        (table.region_level == "national")
        & (table.indicator_id == "ho_first_years_stem_share")
        & (table.sex == "T")
        & (table.definition == "nl")
        & (table.breakdown == "level=wo")
        & (table.period == "2023")
    ]
    row = (
        f'<tr><th scope="row">wo (NL)</th><td>Totaal</td><td>2023</td><td>{formatting.percent(mine.value.iloc[0])}</td>'
        f"<td>{formatting.percent(nat.value.iloc[0])}</td>"
    )
    assert row in html
    suppressed = (synthetic_edition / report.region_page_name("municipality", "GM0034")).read_text(encoding="utf-8")
    # the legend's symbol in the value's place and its label in the flags column
    t = report.messages("nl")
    assert f"<td>{t['flag_symbol_suppressed']}</td>" in suppressed
    assert f"{t['flag_symbol_suppressed']} {t['flag_suppressed']}" in suppressed


def test_site_tables_can_be_sorted_and_filtered_without_a_server(synthetic_edition):
    html = (synthetic_edition / "regio" / "index.html").read_text(encoding="utf-8")
    assert 'class="sortable filterable"' in html and "<script>" in html and "aria-sort" in html
    assert "src=" not in html.split("<script>")[1].split("</script>")[0]


def test_english_site_mirrors_the_dutch_one(synthetic_edition):
    nl = {
        name
        for name in (p.relative_to(synthetic_edition).as_posix() for p in synthetic_edition.glob("**/*.html"))
        if not name.startswith("en/")
    }
    en = {p.relative_to(synthetic_edition / "en").as_posix() for p in (synthetic_edition / "en").rglob("*.html")}
    assert nl == en
    assert "Technology Pact Monitor" in (synthetic_edition / "en" / "index.html").read_text(encoding="utf-8")


def test_downloads_page_lists_every_download(synthetic_edition):
    html = (synthetic_edition / "downloads.html").read_text(encoding="utf-8")
    for name in ("indicators.csv", "manifest.json", "monitor-2024-nl.pdf", "monitor-2024-en.pdf"):
        assert f'href="{name}"' in html


# --- determinism and hermetic rendering -----------------------------------------------------------


def test_two_renders_are_byte_identical_with_or_without_a_pdf_process(synthetic_edition, tmp_path):
    assert edition._pdf_in_background()  # the shared edition rendered its PDFs in a child process
    again = tmp_path / "2024"
    fx.render_edition(again, background=False)
    first = {
        p.relative_to(synthetic_edition).as_posix(): p.read_bytes() for p in synthetic_edition.rglob("*") if p.is_file()
    }
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert different == []


@pytest.mark.parametrize(
    "html,message",
    [
        ('<html lang="nl"><body><img src="missing-chart.png" alt="x"></body></html>', "missing-chart.png"),
        (
            '<html lang="nl"><head><style>@font-face { font-family: X; '
            'src: url("file:///usr/share/fonts/nope/Missing.ttf"); }'
            " body { font-family: X; }</style></head><body><p>x</p></body></html>",
            "Missing.ttf",
        ),
        ('<html lang="nl"><body><img src="https://example.org/logo.png" alt="x"></body></html>', "example.org"),
    ],
)
def test_a_missing_image_font_or_remote_url_fails_the_build(tmp_path, html, message):
    with pytest.raises(edition.RenderError, match=re.escape(message)):
        edition.write_pdf(html, tmp_path / "x.pdf", "2024")
    assert not (tmp_path / "x.pdf").exists() or (tmp_path / "x.pdf").stat().st_size == 0


def _start_rendering(stage: Path):
    return edition.rendering(
        stage, fx.EDITION, fx.indicator_table(), fx.catalogue(), fx.manifest(), ("nl",), background=True
    )


def test_an_error_in_the_pdf_process_fails_the_render_with_its_traceback(tmp_path):
    stage = tmp_path / "stage"
    (stage / "monitor-2024-nl.pdf").mkdir(parents=True)  # the renderer cannot write its file
    with _start_rendering(stage) as job, pytest.raises(IsADirectoryError) as failure:
        job.finish()
    assert "in the PDF renderer process" in "".join(failure.value.__notes__)
    assert "write_pdf" in "".join(failure.value.__notes__)
    assert not (stage / "manifest.json").exists()


def test_a_pdf_process_that_dies_fails_the_render(tmp_path):
    with _start_rendering(tmp_path / "stage") as job:
        job.process.kill()
        with pytest.raises(edition.RenderError, match=f"ended without result \\(exit code -{signal.SIGKILL}\\)"):
            job.finish()


def test_leaving_a_render_unfinished_stops_the_pdf_process(tmp_path):
    with pytest.raises(KeyboardInterrupt), _start_rendering(tmp_path / "stage") as job:
        process = job.process
        raise KeyboardInterrupt
    assert process.returncode == -signal.SIGKILL


def test_the_pdf_process_dies_with_a_killed_build(tmp_path):
    """A build killed while its PDFs render (SIGKILL, out of memory) leaves no renderer behind."""
    script = (
        "import os, signal, sys\n"
        "sys.path.insert(0, sys.argv[2])\n"
        "import publish_fixtures as fx\n"
        "from pathlib import Path\n"
        "from pipeline.publish import edition\n"
        "with edition.rendering(Path(sys.argv[1]), fx.EDITION, fx.indicator_table(), fx.catalogue(), fx.manifest(),\n"
        "                       ('nl',), background=True) as job:\n"
        "    print(job.process.pid, flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "stage"), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # where the renderer's arguments go
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    child = int(killed.stdout.split()[0])
    deadline = time.monotonic() + 60
    while psutil.pid_exists(child) and psutil.Process(child).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the PDF renderer outlived its killed parent"
        time.sleep(0.2)
    assert not (tmp_path / "stage" / "monitor-2024-nl.pdf").exists()


# --- maps and charts ------------------------------------------------------------------------------


# --- messages and formatting ----------------------------------------------------------------------


def test_message_catalogue_has_the_same_keys_in_both_languages():
    data = tomllib.loads((TEMPLATE_DIR / "messages.toml").read_text(encoding="utf-8"))
    assert set(data["nl"]) == set(data["en"])
    for strand in report.STRANDS:
        assert f"chapter_{strand}" in data["nl"]


def test_numbers_are_formatted_per_language():
    assert formatting.number(1234567.5, "nl") == "1.234.568"
    assert formatting.number(1234567.5, "en") == "1,234,568"
    assert formatting.percent(23.456, "nl") == "23,5%"
    assert formatting.change(-0.04, "percent", "en") == "±0.0 pp"
    assert (
        formatting.change(1.25, "percent", "nl") == "+1,2 %-punt"
        or formatting.change(1.25, "percent", "nl") == "+1,3 %-punt"
    )
    assert formatting.change(-340, "count", "nl") == "−340"
    assert formatting.value(None, "count") == "–"


def test_a_value_near_a_target_never_reads_as_the_target():
    # 19.98% against 20%: the usual one decimal would print '20,0%' beside "not met"
    assert formatting.value_against(19.98, 20, "percent", "nl") == "19,98%"
    assert formatting.value_against(19.98, 20, "percent", "en") == "19.98%"
    assert formatting.value_against(20.004, 20, "percent", "nl") == "20,004%"
    assert formatting.value_against(19.5, 20, "percent", "nl") == "19,5%"  # already distinct: the usual decimals
    assert formatting.value_against(20.0, 20, "percent", "nl") == "20,0%"  # equal: nothing to add
    assert formatting.value_against(0.999, 1, "ratio", "en") == "0.999"
    assert formatting.value_against(None, 20, "percent", "nl") == "–"


def test_change_on_a_year_earlier_compares_a_quarter_with_the_same_quarter():
    periods = ["2022-Q3", "2022-Q4", "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    rows = pd.DataFrame({"period": periods, "value": [1.0, 2.0, 3.0, 4.0, 5.0, 7.5], "flag": ""})
    change = report.change_row(rows, None)
    assert change["prev_period"] == "2022-Q4" and change["change_prev"] == 5.5
    annual = pd.DataFrame({"period": ["2020", "2021", "2023"], "value": [1.0, 2.0, 4.0], "flag": ""})
    assert report.change_row(annual, None)["change_prev"] is None  # no 2022: no change on a year earlier
    assert report.year_earlier("2024-Q1") == "2023-Q1" and report.year_earlier("2024") == "2023"


def _crossed(table: pd.DataFrame) -> pd.DataFrame:
    """The hbo/wo share table with a second variable crossed in (as mbo level x learning path)."""
    share = table[table["indicator_id"] == "ho_first_years_stem_share"]
    crossed = share.assign(breakdown=share["breakdown"] + ";form=voltijd")
    form = share[share["breakdown"] == "level=hbo"].assign(breakdown="form=voltijd")
    return pd.concat([table, crossed, form], ignore_index=True)


def test_report_shows_margins_and_points_to_the_downloads_for_crosses(table):
    crossed = _crossed(table)
    items = report.indicators_of(crossed, fx.catalogue())
    item = next(i for i in items if i.id == "ho_first_years_stem_share")
    assert item.crosses == [("level", "form")]
    assert {s.breakdown for s in item.series} == {"level=hbo", "level=wo", "form=voltijd"}
    assert not any(";" in b for b in item.rows["breakdown"])
    blocks = report.regional_comparison(item, "province", "nl")
    assert [b["title"].split(" – ")[1] for b in blocks] == ["voltijd", "hbo", "wo"]  # no 'hbo, voltijd'
    # the chart draws one variable (the catalogue's first, level), the other margin is in the tables
    assert {s.breakdown for s in report.chart_series(item)} == {"level=hbo", "level=wo"}
    shown = report.indicator_content(item, "nl", 2019)
    assert "indicators.csv" in shown["cross_note"] and "niveau × form" in shown["cross_note"]
    assert len(shown["tables"]) == len(item.series)
    plain = next(i for i in report.indicators_of(table, fx.catalogue()) if i.id == "ho_first_years_stem_share")
    assert report.indicator_content(plain, "nl", 2019)["cross_note"] == ""


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("unit", ["percent", "count", "ratio"])
def test_every_chart_spec_is_valid_vega_lite(unit, lang):
    """The builds render charts without Altair's schema validation (pipeline.publish.charts.svg): the
    specs of every chart builder and explorer template are checked against Vega-Lite's schema here,
    for every unit and language. A broken spec fails with the schema's complaint."""
    import altair as alt

    from pipeline.publish import charts, explorer

    t = report.messages(lang)
    series = pd.DataFrame(
        {"period": ["2022", "2023", "2022", "2023"], "value": [1.0, None, 2.0, 3.0], "series": ["a", "a", "b", "b"]}
    )
    line = charts.line_chart(series, unit=unit, x_title=t["period"], y_title=t["axis_unit_" + unit])
    regions = pd.DataFrame({"code": ["PV20", "PV21"], "name": ["Groningen", "Friesland"], "value": [1.0, None]})
    topology = '{"type":"Topology","objects":{"p":{"type":"GeometryCollection","geometries":[]}},"arcs":[]}'
    shapes = charts.choropleth(topology, "p", regions, unit=unit, legend_title=t["axis_unit_" + unit], no_data="-")
    for chart in (line, shapes):
        chart.to_dict(validate=True)
    templates = json.loads(explorer._page_templates(unit, lang, ("2022", "2023")))
    trend = json.loads(explorer._trend_template(unit, ("2022", "2023"), 2, lang))
    for spec in (templates["map"], templates["line"], trend):
        alt.LayerChart.from_dict(spec, validate=True)
    import jsonschema

    with pytest.raises(jsonschema.ValidationError, match="'mark' was unexpected"):
        alt.LayerChart.from_dict({**trend, "mark": "no-such-mark"}, validate=True)
