"""The explorer's files in the sample edition, without a browser: each indicator's data file holds
exactly its rows of indicators.csv; every mapped region has an outline in the boundary file the
page loads for it; the runtime is the pinned vl-convert bundle; region pages link up and down the
hierarchy; the data package describes every CSV file as it is."""

from __future__ import annotations

import csv
import json
import math
import re

import pandas as pd
import pytest

from pipeline.publish import explorer


@pytest.fixture(scope="module")
def edition(sample_build):
    return sample_build.edition_dir


@pytest.fixture(scope="module")
def table(edition) -> pd.DataFrame:
    return pd.read_csv(edition / "indicators.csv", dtype=str, keep_default_na=False)


def _load(path, call: str):
    text = path.read_text(encoding="utf-8")
    assert text.startswith(call + "(") and text.endswith(");\n"), path
    return text[len(call) + 1 : -3]


def _decoded(data: dict) -> pd.DataFrame:
    t = data["text"]
    rows = [
        {
            "period": t["period"][r[0]],
            "definition": t["definition"][r[1]],
            "sex": t["sex"][r[2]],
            "breakdown": t["breakdown"][r[3]],
            "region_level": t["level"][r[4]],
            "region_code": r[5],
            "region_name": data["names"][r[5]],
            "value": r[6],
            "numerator": r[7],
            "denominator": r[8],
            "flag": t["flag"][r[9]],
            "boundary_year": r[10],
        }
        for r in data["rows"]
    ]
    return pd.DataFrame(rows)


def _same_number(a, b: str) -> bool:
    """`a` from the data file (None, or NaN once in a DataFrame, for an empty cell), `b` from the CSV."""
    empty = a is None or (isinstance(a, float) and math.isnan(a))
    if b == "":
        return empty
    return not empty and math.isclose(float(a), float(b), rel_tol=1e-9)


def test_every_data_file_holds_exactly_its_indicators_rows(edition, table):
    ids = sorted(set(table["indicator_id"]))
    files = sorted(p.stem for p in (edition / "explorer" / "data").glob("*.js"))
    assert files == ids
    for indicator_id in ids:
        data = json.loads(_load(edition / explorer.data_name(indicator_id), "TPX.data"))
        got = _decoded(data)
        want = table[table["indicator_id"] == indicator_id]
        key = ["period", "definition", "sex", "breakdown", "region_level", "region_code"]
        got = got.sort_values(key).reset_index(drop=True)
        want = want.sort_values(key).reset_index(drop=True)
        assert len(got) == len(want), indicator_id
        for column in [*key, "region_name", "flag", "boundary_year"]:
            assert got[column].tolist() == want[column].tolist(), (indicator_id, column)
        for column in ("value", "numerator", "denominator"):
            assert all(_same_number(a, b) for a, b in zip(got[column], want[column])), (indicator_id, column)
        assert data["unit"] == want["unit"].iat[0]


def test_every_mapped_region_has_an_outline_in_the_file_the_page_loads(edition, table):
    topologies = {}
    for path in (edition / "explorer" / "geo").glob("*.js"):
        body = _load(path, "TPX.geo")
        name, _, topology = body.partition(",")
        topologies[json.loads(name)] = json.loads(topology)
    checked = set()
    for path in (edition / "explorer" / "data").glob("*.js"):
        data = json.loads(_load(path, "TPX.data"))
        frame = _decoded(data)
        for key, drawn in data["geo"].items():
            level, year = key.split("|")
            topology = topologies[drawn["name"]]
            shapes = {g["id"] for g in topology["objects"][drawn["feature"]]["geometries"]}
            codes = set(frame.loc[(frame["region_level"] == level) & (frame["boundary_year"] == year), "region_code"])
            drawn_codes = set(drawn["members"].values()) if "members" in drawn else shapes
            if "members" in drawn:
                assert set(drawn["members"]) <= shapes
            assert codes <= drawn_codes, (path.name, key, sorted(codes - drawn_codes)[:5])
            checked.add(level)
    # every regional level of the sample is mapped somewhere (techniekpact on the municipalities)
    assert checked >= {"landsdeel", "techniekpact", "province", "corop", "arbeidsmarktregio", "municipality"}


def test_runtime_is_the_pinned_vl_convert_bundle_and_pages_name_only_local_files(edition):
    assert (edition / explorer.RUNTIME).read_text(encoding="utf-8") == explorer.runtime_bundle()
    for page in list((edition / "verken").glob("*.html")) + list((edition / "en" / "verken").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        # the Vega-Lite specifications name their schema (an identifier Vega-Embed reads, never fetched)
        text = re.sub(r'"\$schema": "https://vega\.github\.io/schema/vega-lite/v[0-9.]+\.json"', "", text)
        assert "http://" not in text and "https://" not in text, page


def test_region_pages_link_up_and_down_the_hierarchy_and_counts_get_their_own_chart(edition, table):
    municipal = table[(table["region_level"] == "municipality")]
    code = sorted(set(municipal["region_code"]))[0]
    page = (edition / "regio" / f"municipality-{code.lower()}.html").read_text(encoding="utf-8")
    members = explorer._latest_members()
    row = members[members["municipality_code"] == code].iloc[0]
    assert f'href="../regio/province-{row["province_code"].lower()}.html"' in page
    province = (edition / "regio" / f"province-{row['province_code'].lower()}.html").read_text(encoding="utf-8")
    assert f'href="../regio/municipality-{code.lower()}.html"' in province
    found = re.findall(r'<div class="tpx-region-trend"><script type="application/json">(.*?)</script>', page)
    trends = [json.loads(x) for x in found]
    templates = json.loads(re.search(r'<script id="tpx-templates" type="application/json">(.*?)</script>', page)[1])
    for trend in trends:
        for panel in trend["panels"]:
            panel["template"] = templates[panel["template"]]
    assert trends
    for trend in trends:
        formats = {p["template"]["layer"][0]["encoding"]["y"]["axis"]["format"] for p in trend["panels"]}
        assert len(formats) == 1
        names = [p["names"] for p in trend["panels"]]
        assert names[-1][-1] in ("Nederland", "Netherlands")  # the country comes last
        if len(trend["panels"]) > 1:  # counts: one area per chart, its own scale
            assert all(len(n) == 1 for n in names)
            assert "domain" not in trend["panels"][0]["template"]["layer"][0]["encoding"]["y"]["scale"]
        for panel in trend["panels"]:
            assert {r["series"] for r in panel["records"]} == set(panel["names"])


def test_datapackage_describes_every_csv_as_it_is(edition):
    package = json.loads((edition / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    paths = sorted(r["path"] for r in package["resources"])
    assert paths == sorted(p.name for p in edition.glob("*.csv"))
    for resource in package["resources"]:
        with (edition / resource["path"]).open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            header = next(reader)
            rows = list(reader)
        assert [f["name"] for f in resource["schema"]["fields"]] == header
        assert resource["rows"] == len(rows)
        for index, field in enumerate(resource["schema"]["fields"]):
            assert field["description"], (resource["path"], field["name"])
            values = [r[index] for r in rows if r[index] != ""]
            if field["type"] == "number":
                [float(v) for v in values]
            if field.get("constraints", {}).get("required"):
                assert len(values) == len(rows), (resource["path"], field["name"])
    downloads = (edition / "downloads.html").read_text(encoding="utf-8")
    indicators = next(r for r in package["resources"] if r["path"] == "indicators.csv")
    assert f"<td>{indicators['rows']}</td>" in downloads and "datapackage.json" in downloads


def test_language_switch_only_when_the_other_language_was_built(tmp_path, monkeypatch):
    """A Dutch-only edition has no link to an English site (it led back to the Dutch page); the
    sample edition (both languages) links every page to its counterpart."""
    from publish_fixtures import render_edition

    from pipeline.publish import edition as publishing

    monkeypatch.setattr(publishing, "render_pdfs", lambda *args, **kwargs: None)  # the site only
    stage = tmp_path / "2024"
    render_edition(stage, languages=("nl",), background=False)
    pages = sorted(stage.rglob("*.html"))
    assert pages and not (stage / "en").exists()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'hreflang="en"' not in text, page
        assert '<html lang="nl">' in text, page


def test_both_languages_link_each_page_to_its_counterpart(edition):
    for page in [edition / "verken" / "ho_first_years_stem_share.html", edition / "downloads.html"]:
        text = page.read_text(encoding="utf-8")
        href = re.search(r'<a href="([^"]+)" hreflang="en"', text)[1]
        assert (page.parent / href).resolve() == (edition / "en" / page.relative_to(edition)).resolve()
