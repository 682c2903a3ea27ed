"""The sample edition as a reader gets it (the session's shared build, nl and en): PDFs of 32-48
pages with chapters in the outline, a colophon and no internal names; every number in the key
findings, the cover and the chart captions equal to the cell it names; the synthetic-sample mark;
both languages by default and after a refresh."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from pipeline import cli
from pipeline.indicators import catalogue
from pipeline.publish import content, findings, formatting, report

CHAPTERS = {
    "nl": ["Kernpunten", "Doelen van het Techniekpact", "Kiezen", "Leren", "Werken", "Regio's", "Methode", "Colofon"],
    "en": [
        "Key findings",
        "Technology Pact targets",
        "Choosing",
        "Learning",
        "Working",
        "Regions",
        "Methodology",
        "Colophon",
    ],
}
FORBIDDEN = (
    re.compile(r"\bnan\b", re.I),
    re.compile(r"\bNone\b"),
    re.compile(r"group_code|count_low|count_high|sex=|_share\b|indicator_id"),
    re.compile(r"\w+/\w+\.(csv|toml|parquet|py)\b"),  # a path of the project
)


@pytest.fixture(scope="module")
def pdf_texts(sample_build):
    from pypdf import PdfReader

    out = {}
    for lang in ("nl", "en"):
        reader = PdfReader(sample_build.edition_dir / f"monitor-2024-{lang}.pdf")
        out[lang] = (reader, [page.extract_text() for page in reader.pages])
    return out


@pytest.fixture(scope="module")
def table(sample_build) -> pd.DataFrame:
    from pipeline.dagster_support import published_output

    return pd.read_parquet(
        published_output(sample_build.home / "storage", sample_build.warehouse_url, "indicators", "2024")
    )


@pytest.fixture(scope="module")
def contexts(sample_build, table):
    manifest = json.loads((sample_build.edition_dir / "manifest.json").read_text(encoding="utf-8"))
    return {
        lang: content.build(table, catalogue(), manifest, "2024", lang, pd.Timestamp("2024-06-01", tz="UTC"))
        for lang in ("nl", "en")
    }


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pdf_has_32_to_48_pages_chapters_in_the_outline_and_a_colophon(pdf_texts, lang):
    reader, texts = pdf_texts[lang]
    assert 32 <= len(texts) <= 48
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == CHAPTERS[lang]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang and bool(root["/MarkInfo"]["/Marked"])
    colophon = texts[-1]
    t = report.messages(lang)
    for key in (
        "colophon_publisher",
        "colophon_citation",
        "colophon_licence_data",
        "colophon_code",
        "colophon_contact",
    ):
        assert t[key] in colophon, key
    assert "Platform Talent voor Technologie (2024)" in colophon


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pdf_text_has_no_missing_values_internal_names_or_paths(pdf_texts, lang):
    _, texts = pdf_texts[lang]
    for number, text in enumerate(texts, start=1):
        for pattern in FORBIDDEN:
            found = pattern.search(text)
            assert found is None, (lang, number, found.group(0) if found else "", text[:200])


def test_english_pdf_has_no_dutch_labels(pdf_texts):
    _, texts = pdf_texts["en"]
    text = " ".join(texts)
    for dutch in ("Totaal", "alle ", "niveau ", "hoog opgeleid", "technisch ambachtelijk", "Eerstejaars", "Kernpunten"):
        assert dutch not in text, dutch


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_chart_on_at_least_half_of_the_indicator_sections(contexts, lang):
    shown = contexts[lang]["indicators"]
    with_chart = [i for i in shown if i["chart_svg"]]
    assert len(with_chart) * 2 >= len(shown)
    for item in with_chart:
        assert item["chart_svg"].startswith("<svg") and 'role="img"' in item["chart_svg"]
    assert len(contexts[lang]["maps"]) >= 4 and all("<path" in m["svg"] for m in contexts[lang]["maps"])


def _cell(table: pd.DataFrame, cell: findings.Cell) -> float | None:
    rows = table[
        (table["indicator_id"] == cell.indicator_id)
        & (table["definition"] == cell.definition)
        & (table["breakdown"] == cell.breakdown)
        & (table["sex"] == cell.sex)
        & (table["period"] == cell.period)
        & (table["region_level"] == cell.region_level)
        & (table["region_code"] == cell.region_code)
    ]
    assert len(rows) == 1, cell
    value = rows["value"].iloc[0]
    return None if pd.isna(value) else float(value)


def _number(printed: str, lang: str) -> float:
    text = printed.rstrip("%")
    text = text.replace(".", "").replace(",", ".") if lang == "nl" else text.replace(",", "")
    return float(text)


def _remove(text: str, printed: str) -> str:
    """`text` without one occurrence of the number `printed` standing on its own (not a part of
    another number)."""
    return re.sub(rf"(?<![\d.,]){re.escape(printed)}(?![\d]|[.,]\d)", " ", text, count=1)


def _check_facts(table, text: str, facts: list, lang: str, allowed: list[str]) -> None:
    """Every fact is printed in `text` and equals its named cell (or the difference of its two
    cells) to the digits printed; nothing else in the text is a number, apart from the periods of
    the facts' cells and `allowed` (numbers of a reference table, e.g. a target)."""
    rest = text
    for fact in facts:
        value = _cell(table, fact.cell)
        if fact.kind == "difference":
            value = abs(value - _cell(table, fact.other))
        printed = _number(fact.printed, lang)
        decimals = len(re.split(r"[.,]", fact.printed.rstrip("%"))[-1]) if re.search(r"[.,]\d+%?$", fact.printed) else 0
        if fact.unit == "count":
            decimals = 0  # 12.345: a thousands separator, no decimals
        assert abs(printed - value) <= 0.5 * 10**-decimals + 1e-9, (fact, value)
        assert fact.printed in text, (fact.printed, text)
        rest = _remove(rest, fact.printed)
    for fact in facts:
        for cell in (fact.cell, fact.other):
            if cell is not None:
                rest = rest.replace(cell.period, " ")
    for number in allowed:
        rest = _remove(rest, number)
    assert not re.search(r"\d", _without_labels(rest, lang)), (rest, text)


def _without_labels(text: str, lang: str) -> str:
    """`text` without the labels that carry digits (indicator titles such as vmbo-3, mbo levels, age groups)."""
    t = report.messages(lang)
    labels = [v for k, v in t.items() if k.startswith(("value_", "definition_"))] + list(catalogue()[f"title_{lang}"])
    for label in sorted((str(x) for x in labels if re.search(r"\d", str(x))), key=len, reverse=True):
        text = text.replace(label, " ")
    return re.sub(r"\b0[5-7]\b|\bISCED-F 2013\b", " ", text)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_number_in_the_findings_equals_the_cell_it_names(contexts, table, lang):
    found = contexts[lang]["findings"]
    assert {f.strand for f in found} == {"Kiezen", "Leren", "Werken"}
    assert len(found) >= 9
    for finding in found:
        assert finding.facts
        _check_facts(table, finding.text, finding.facts, lang, finding.references)
    for item in contexts[lang]["indicators"]:
        for finding in item["findings"]:
            _check_facts(table, finding.text, finding.facts, lang, finding.references)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_number_in_the_chart_captions_and_on_the_cover_equals_its_cell(contexts, table, lang):
    captions = 0
    for item in contexts[lang]["indicators"]:
        if item["chart_svg"]:
            _check_facts(table, item["chart_caption"], item["chart_facts"], lang, [])
            captions += 1
    assert captions >= 15
    headlines = contexts[lang]["headlines"]
    assert 5 <= len(headlines) <= 8
    for figure in headlines:
        _check_facts(table, figure["text"], figure["facts"], lang, [])


def test_a_finding_names_the_cell_it_states():
    """The check above fails when a sentence prints another cell than the one it names."""
    table = pd.DataFrame(
        {
            "indicator_id": "x",
            "definition": "nl",
            "breakdown": "",
            "sex": "T",
            "period": ["2022", "2023"],
            "region_level": "national",
            "region_code": "NL01",
            "value": [20.0, 21.0],
        }
    )
    good = findings.Fact("21,0%", findings.Cell("x", "nl", "", "T", "2023"), "percent")
    _check_facts(table, "x: 21,0% in 2023.", [good], "nl", [])
    wrong_cell = findings.Fact("21,0%", findings.Cell("x", "nl", "", "T", "2022"), "percent")
    with pytest.raises(AssertionError):
        _check_facts(table, "x: 21,0% in 2022.", [wrong_cell], "nl", [])
    with pytest.raises(AssertionError):  # a number that is no fact
        _check_facts(table, "x: 21,0% in 2023, 3 more.", [good], "nl", [])


def test_targets_are_examples_and_judged_only_as_the_data_allow(contexts):
    rows = contexts["nl"]["targets"]
    assert len(rows) == 6 and all(r["example"] for r in rows)
    for row in rows:
        if row["verdict_key"] in ("reached", "missed"):
            assert int(row["period"][:4]) >= int(row["target_year"])
        else:
            assert row["period"] == formatting.MISSING or int(row["period"][:4]) < int(row["target_year"])
    for finding in contexts["nl"]["findings"]:
        if finding.references:
            assert finding.example and finding.text.startswith(report.messages("nl")["target_kind_example"])


# --- honest labels and languages ------------------------------------------------------------------


def test_a_sample_edition_is_marked_on_every_pdf_page_and_every_site_page(sample_build, pdf_texts):
    for lang in ("nl", "en"):
        mark = report.messages(lang)["sample_mark_short"]
        _, texts = pdf_texts[lang]
        for number, text in enumerate(texts, start=1):
            assert mark in text.replace("\n", " "), (lang, number)
    manifest = json.loads((sample_build.edition_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic_sample"] is True
    pages = sorted(sample_build.edition_dir.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text(encoding="utf-8")
        lang = "en" if 'lang="en"' in html[:200] else "nl"
        assert report.messages(lang)["sample_mark"] in html, page


def test_an_edition_from_real_deliveries_carries_no_sample_mark(realdata, sample_build, tmp_path):
    assert content.is_synthetic(sample_build.sample_dir / "2024")
    assert not content.is_synthetic(realdata / "duo-ho-mbo-2019-tekkieworden")
    assert content.extras_for(realdata / "duo-ho-mbo-2019-tekkieworden").synthetic is False


def test_both_languages_are_built_by_default_and_a_refresh_keeps_them(sample_build, tmp_path):
    parser = cli.parser()
    assert parser.parse_args(["build"]).lang == "nl,en"
    assert parser.parse_args(["refresh"]).lang is None
    assert cli.released_languages(sample_build.edition_dir) == ("nl", "en")
    assert {p.name for p in sample_build.edition_dir.glob("*.pdf")} == {"monitor-2024-nl.pdf", "monitor-2024-en.pdf"}
    only_nl = tmp_path / "2024"
    only_nl.mkdir()
    (only_nl / "manifest.json").write_text(json.dumps({"parameters": {"languages": ["nl"]}}), encoding="utf-8")
    assert cli.released_languages(only_nl) == ("nl",)
    assert cli.released_languages(tmp_path / "none") == ("nl", "en")
