"""The labour and register sample: every edition parses, sizes and shares match published orders of
magnitude (the domain notes of the product team), and the generator is deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import editions, sources
from pipeline.core import labour as core_labour
from pipeline.sample import cbs, registers, uwv

FAMILIES = {
    "cbs_employment",
    "cbs_vacancies",
    "cbs_regions",
    "cbs_unemployment",
    "uwv_vacancies",
    "uwv_tension",
    "registers_jetnet_technet",
    "registers_mkbidee",
}


@pytest.fixture(scope="module")
def parsed(sample_dir) -> dict[str, dict[str, pd.DataFrame]]:
    """edition -> family -> raw frame, for two editions either side of UWV's revision."""
    out = {}
    for edition in ("2021", "2024"):
        frames = {}
        for path in sources.delivery_files(sample_dir / edition):
            delivery = sources.parse(path)
            if delivery.family in FAMILIES:
                frames[delivery.family] = delivery.frame
        out[edition] = frames
    return out


def test_every_edition_has_every_labour_family(sample_dir):
    for edition in ("2019", "2020", "2021", "2022", "2023", "2024"):
        families = {sources.detect(p).family for p in sources.delivery_files(sample_dir / edition)}
        assert families >= FAMILIES, edition


def yearly(frame: pd.DataFrame, code: str, sex: str = "T") -> pd.Series:
    rows = frame[
        (frame.period_type == "year")
        & (frame.occupation_code == code)
        & (frame.sex == sex)
        & (frame.characteristic == "Totaal personen")
    ]
    return rows.set_index("year")["count"]


def test_employment_orders_of_magnitude(parsed):
    frame = parsed["2024"]["cbs_employment"]
    technical, ict = yearly(frame, "07"), yearly(frame, "08")
    assert 1_000_000 < technical[2013] < technical[2019] < technical[2023] < 1_400_000  # growing since 2013
    assert 340_000 < ict[2015] < 400_000 and 420_000 < ict[2019] < 480_000  # CBS: 370k (2015), 452k (2019)
    women = yearly(frame, "07", "V") / technical
    assert 0.07 < women[2013] < women[2023] < 0.20
    assert 8_500_000 < yearly(frame, "T")[2019] < 9_500_000
    quarters = frame[(frame.period_type == "quarter") & (frame.year == 2023)]
    assert set(quarters.quarter) == {1, 2, 3, 4}


def test_measure_keys_shift_between_editions_but_values_agree(sample_dir, parsed):
    import json

    keys = {
        e: [
            p["Key"]
            for p in json.loads((sample_dir / e / "85276NED.json").read_text())["DataProperties"]["value"]
            if p["Type"] == "Topic"
        ]
        for e in ("2021", "2024")
    }
    assert keys["2021"] != keys["2024"]
    older = yearly(parsed["2021"]["cbs_employment"], "08")
    newer = yearly(parsed["2024"]["cbs_employment"], "08")
    assert older.loc[2013:2020].equals(newer.loc[2013:2020])


def test_unemployment_of_the_technically_educated_is_lower(parsed):
    frame = parsed["2024"]["cbs_unemployment"]
    totals = frame[(frame.education_level == "T") & (frame.sex == "T")].pivot(
        index="year", columns="field_of_education", values="unemployment_rate"
    )
    assert (totals["TECHNIEK"] < totals["T"]).all()
    assert 2.0 < totals.loc[2023, "TECHNIEK"] < 3.5 and 3.0 < totals.loc[2023, "T"] < 4.8
    assert frame["suppressed"].any() and not frame["suppressed"].all()


def test_uwv_method_marker_and_tension_spread(parsed):
    old, new = parsed["2021"]["uwv_vacancies"], parsed["2024"]["uwv_vacancies"]
    assert set(old.method) == {"oud"} and old.year.min() == 2013
    assert set(new.method) == {"herzien 2022"} and new.year.min() == 2017
    tension = parsed["2024"]["uwv_tension"]
    assert tension.arbeidsmarktregio_code.nunique() == 35
    shares = tension.tension_class.value_counts(normalize=True)
    assert set(shares.index) == {"zeer ruim", "ruim", "gemiddeld", "krap", "zeer krap"}
    assert shares.max() < 0.6
    core = core_labour.labour_market_tension(tension, "2024", 2023)
    assert list(core.period.unique()) == ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]


def test_registers_sizes(parsed):
    partnerships = parsed["2024"]["registers_jetnet_technet"]
    schools = partnerships.groupby("programme")["school_code"].nunique()
    assert 150 <= schools["Jet-Net"] <= 200 and 80 <= schools["TechNet"] <= 120
    projects = parsed["2024"]["registers_mkbidee"]
    assert len(projects) == 61 and set(projects.year) == {2018, 2019, 2020}
    small = projects[projects.firm_size_class.isin(["1-9", "10-49"])].grant_eur.sum() / projects.grant_eur.sum()
    assert 0.1 < small < 0.45


def test_writers_are_deterministic(tmp_path):
    edition = editions.get(2022)
    for module in (cbs, uwv, registers):
        first = module.write(edition, tmp_path / "a", 7)
        second = module.write(edition, tmp_path / "b", 7)
        for a, b in zip(first, second):
            assert a.read_bytes() == b.read_bytes(), a.name
