"""A real build: `techpact build --sources ../shared/realdata/duo-ho-mbo-2019-tekkieworden`."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import cli

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]
FOLDER = "duo-ho-mbo-2019-tekkieworden"
# the families this folder does not deliver (it holds DUO's ho first-year, ho diploma and mbo
# participant files only); named one by one so that a family a build newly needs still stops it
ABSENT = [
    "duo_ho_enrolments",
    "duo_mbo_diplomas",
    "duo_vo_pupils",
    "duo_vo_exams",
    "cbs_employment",
    "cbs_vacancies",
    "cbs_regions",
    "cbs_unemployment",
    "uwv_vacancies",
    "uwv_tension",
    "registers_jetnet_technet",
    "registers_mkbidee",
]


@pytest.fixture(scope="module")
def real_build(realdata, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("realbuild")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TECHPACT_HOME", str(tmp / "home"))
        mp.setenv("DAGSTER_HOME", str(tmp / "home" / "dagster"))
        code = cli.main(
            [
                "build",
                "--sources",
                str(realdata / FOLDER),
                "--out",
                str(tmp / "out"),
                "--warehouse",
                f"sqlite:///{tmp / 'warehouse.sqlite'}",
                "--allow-missing",
                ",".join(ABSENT),
            ]
        )
    assert code == 0
    return tmp


def stored(tmp, table: str) -> pd.DataFrame:
    from pipeline.dagster_support import published_output

    url = f"sqlite:///{tmp / 'warehouse.sqlite'}"
    return pd.read_parquet(published_output(tmp / "home" / "storage", url, table, "2020"))


def test_first_year_totals_of_2019_in_the_core_table(real_build):
    core = stored(real_build, "ho_first_years")
    totals = core[core["year"] == 2019].groupby("level")["count"].sum().to_dict()
    assert totals == {"hbo": 113_422, "wo": 109_833}  # DUO's published totals


def test_every_file_of_the_folder_is_recognised_and_used(real_build):
    inventory = stored(real_build, "landing_inventory")
    assert dict(zip(inventory["file"], inventory["family"])) == {
        "hbo_gediplomeerden_2019.csv": "duo_ho_diplomas",
        "hbo_inscriptions_2019.csv": "duo_ho_first_years",
        "mbo_inscriptions_2019.csv": "duo_mbo_participants",
        "wo_gediplomeerden_2019.csv": "duo_ho_diplomas",
        "wo_inscriptions_2019.csv": "duo_ho_first_years",
    }
    diplomas = stored(real_build, "ho_diplomas")
    assert sorted(diplomas["year"].unique()) == [2014, 2015, 2016, 2017, 2018]
    assert diplomas["source_line"].groupby(diplomas["source_file"]).nunique().to_dict() == {
        "hbo_gediplomeerden_2019.csv": 300,
        "wo_gediplomeerden_2019.csv": 300,
    }
    mbo = stored(real_build, "mbo_participants")
    assert mbo["source_line"].nunique() == 400 and (mbo["municipality_code"] == "GM0599").any()
    assert stored(real_build, "vo_exam_candidates").empty  # no vo file in this folder
    assert (real_build / "out" / "2020" / "indicators.csv").exists()


def test_an_edition_from_real_deliveries_carries_no_sample_mark_and_both_languages(real_build):
    import json

    from pypdf import PdfReader

    folder = real_build / "out" / "2020"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic_sample"] is False
    assert manifest["parameters"]["languages"] == ["nl", "en"]  # both by default
    assert {p.name for p in folder.glob("*.pdf")} == {"monitor-2020-nl.pdf", "monitor-2020-en.pdf"}
    for pdf in folder.glob("*.pdf"):
        text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "SYNTHETI" not in text.upper() and "Techn" in text
    pages = list(folder.rglob("*.html"))
    assert pages and not any("sample-mark" in page.read_text(encoding="utf-8") for page in pages)
