"""CBS StatLine OData bundles: recognised by content, measures found by title, clear errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import sources
from pipeline.core import labour as core_labour
from pipeline.problems import SourceError
from pipeline.sample.cbs import bundle, pad

SEXES = [
    {"Key": pad("T001038"), "Title": "Totaal mannen en vrouwen"},
    {"Key": pad("3000"), "Title": "Mannen"},
    {"Key": pad("4000"), "Title": "Vrouwen"},
]
CHARS = [{"Key": pad("T009002"), "Title": "Totaal personen"}]
BEROEP = [
    {"Key": pad("T001206"), "Title": "Totaal"},
    {"Key": pad("1070000"), "Title": "07 Technische beroepen"},
    {"Key": pad("1080000"), "Title": "08 ICT beroepen"},
    {"Key": pad("20811"), "Title": "0811 Software- en applicatieontwikkelaars"},
]
PERIODEN = [
    {"Key": "2019JJ00", "Title": "2019", "Status": "Definitief"},
    {"Key": "2019KW01", "Title": "2019 1e kwartaal", "Status": "Definitief"},
    {"Key": "2020JJ00", "Title": "2020", "Status": "Voorlopig"},
]
VALUES = {  # (sex, beroep, period) -> value (x 1 000)
    ("T001038", "T001206", "2019JJ00"): 8900.0,
    ("3000", "T001206", "2019JJ00"): 4760.0,
    ("4000", "T001206", "2019JJ00"): 4140.0,
    ("T001038", "1070000", "2019JJ00"): 1164.0,
    ("3000", "1070000", "2019JJ00"): 1052.0,
    ("4000", "1070000", "2019JJ00"): 112.0,
    ("T001038", "1080000", "2019JJ00"): 452.0,
    ("3000", "1080000", "2019JJ00"): 380.0,
    ("4000", "1080000", "2019JJ00"): 72.0,
    ("T001038", "20811", "2019JJ00"): 160.0,
    ("3000", "20811", "2019JJ00"): 133.0,
    ("4000", "20811", "2019JJ00"): None,
    ("T001038", "1070000", "2019KW01"): 1150.0,
    ("T001038", "1070000", "2020JJ00"): 1170.0,
}


def employment_bundle(
    measure_key: str = "WerkzameBeroepsbevolking_1",
    title: str = "Werkzame beroepsbevolking",
    values: dict | None = None,
    extra: dict | None = None,
) -> dict:
    topics = [{"Type": "Topic", "Key": measure_key, "Title": title, "Unit": "x 1 000", "Decimals": 0, "ParentID": None}]
    records = [
        {
            "Geslacht": pad(s),
            "Persoonskenmerken": pad("T009002"),
            "Beroep": pad(b),
            "Perioden": p,
            measure_key: v,
            **(extra or {}),
        }
        for (s, b, p), v in (values or VALUES).items()
    ]
    dims = {"Geslacht": SEXES, "Persoonskenmerken": CHARS, "Beroep": BEROEP, "Perioden": PERIODEN}
    return bundle("85276NED", "Werkzame beroepsbevolking; beroep", dims, topics, records)


def save(obj: dict, path: Path) -> Path:
    path.write_text(json.dumps(obj, indent=1), encoding="utf-8")
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(SourceError) as caught:
        sources.parse(path)
    return caught.value.problems


def test_employment_bundle_is_recognised_by_content_and_parsed(tmp_path):
    path = save(employment_bundle(), tmp_path / "any-name.json")
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("cbs_employment", "OData v3")
    delivery = fmt.parse(path)
    frame = delivery.frame
    assert delivery.generation == "OData v3 85276NED"
    assert len(frame) == len(VALUES)
    # padded keys are stripped, BRC codes read from the titles, x 1 000 multiplied out
    row = frame[(frame.occupation_code == "07") & (frame.sex == "V") & (frame.period_code == "2019JJ00")].iloc[0]
    assert (row.occupation_key, row.occupation_label, row["count"]) == ("1070000", "Technische beroepen", 112_000)
    software_women = frame[(frame.occupation_code == "0811") & (frame.sex == "V")].iloc[0]
    assert software_women.suppressed and software_women["count"] is __import__("pandas").NA
    quarter = frame[frame.period_code == "2019KW01"].iloc[0]
    assert (quarter.period_type, quarter.year, quarter.quarter) == ("quarter", 2019, 1)
    assert set(frame.loc[frame.period_code == "2020JJ00", "status"]) == {"Voorlopig"}


def test_measure_found_by_title_whatever_its_key(tmp_path):
    old = sources.parse(save(employment_bundle("WerkzameBeroepsbevolking_1"), tmp_path / "a.json")).frame
    new = sources.parse(save(employment_bundle("Werkzamen_7"), tmp_path / "b.json")).frame
    assert old.drop(columns="source_file").equals(new.drop(columns="source_file"))


def test_core_table_periods_and_sexes(tmp_path):
    raw = sources.parse(save(employment_bundle(), tmp_path / "85276NED.json")).frame
    core = core_labour.employment_by_occupation(raw, "2021", 2020)
    assert set(core.period) == {"2019", "2019-Q1", "2020"}
    assert set(core.sex) == {"T", "M", "V"}
    assert core.loc[core.period == "2020", "provisional"].all()
    ict = core[(core.occupation_code == "08") & (core.period == "2019")].set_index("sex")["count"]
    assert ict["M"] + ict["V"] == ict["T"] == 452_000


def test_period_after_the_editions_range_is_an_error(tmp_path):
    raw = sources.parse(save(employment_bundle(), tmp_path / "85276NED.json")).frame
    with pytest.raises(SourceError) as caught:
        core_labour.employment_by_occupation(raw, "2020", 2019)
    [found] = caught.value.problems
    assert found.file == "85276NED.json" and found.column == "year" and "2020" in found.problem
    assert found.row == 13  # first TypedDataSet record of 2020


@pytest.mark.parametrize(
    "mutate,row,column,words",
    [
        (
            lambda b: b["TypedDataSet"]["value"][3].update({"WerkzameBeroepsbevolking_1": -5.0}),
            3,
            "WerkzameBeroepsbevolking_1",
            "negative",
        ),
        (
            lambda b: b["TypedDataSet"]["value"][4].update({"WerkzameBeroepsbevolking_1": "12,5"}),
            4,
            "WerkzameBeroepsbevolking_1",
            "not a number",
        ),
        (lambda b: b["TypedDataSet"]["value"][2].update({"Onbekend_9": 1.0}), 2, "Onbekend_9", "not announced"),
        (lambda b: b["TypedDataSet"]["value"][5].pop("Beroep"), 5, "Beroep", "missing"),
        (lambda b: b["TypedDataSet"]["value"][6].update({"Perioden": "2019XX01"}), 6, "Perioden", "period"),
        (lambda b: b["TypedDataSet"]["value"][7].update({"Geslacht": pad("9999")}), 7, "Geslacht", "unknown"),
        (
            lambda b: b["TypedDataSet"]["value"].append(dict(b["TypedDataSet"]["value"][0])),
            14,
            "period_code",
            "duplicate",
        ),
        (
            lambda b: (
                b["Beroep"]["value"].append({"Key": pad("1990000"), "Title": "99 Onbekende klasse"})
                or b["TypedDataSet"]["value"][1].update({"Beroep": pad("1990000")})
            ),
            1,
            "Beroep",
            "BRC 2014",
        ),
    ],
)
def test_bad_records_name_file_record_and_property(tmp_path, mutate, row, column, words):
    obj = employment_bundle()
    mutate(obj)
    path = save(obj, tmp_path / "85276NED.json")
    found = problems_of(path)
    assert any(p.file == str(path) and p.row == row and p.column == column and words in p.problem for p in found), found


def test_renamed_measure_is_reported(tmp_path):
    path = save(employment_bundle(title="Werkzame personen"), tmp_path / "85276NED.json")
    [found] = problems_of(path)
    assert found.column == "DataProperties" and "'Werkzame beroepsbevolking'" in found.problem


def test_missing_dimension_endpoint_is_reported(tmp_path):
    obj = employment_bundle()
    del obj["Persoonskenmerken"]
    found = problems_of(save(obj, tmp_path / "85276NED.json"))
    assert [(p.column, "missing" in p.problem) for p in found] == [("Persoonskenmerken", True)]


def test_truncated_json(tmp_path):
    text = json.dumps(employment_bundle(), indent=1)
    path = tmp_path / "85276NED.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    [found] = problems_of(path)
    assert "truncated JSON" in found.problem and found.row and found.row > 1


def test_html_error_page_saved_as_json(tmp_path):
    path = tmp_path / "85276NED.json"
    path.write_text("<!DOCTYPE html><html><body>503 Service Unavailable</body></html>", encoding="utf-8")
    [found] = problems_of(path)
    assert "HTML" in found.problem


def test_empty_json_file(tmp_path):
    path = tmp_path / "85276NED.json"
    path.write_bytes(b"")
    [found] = problems_of(path)
    assert "empty" in found.problem


def test_single_endpoint_response_is_not_a_bundle(tmp_path):
    path = save(employment_bundle()["TypedDataSet"], tmp_path / "TypedDataSet.json")
    [found] = problems_of(path)
    assert "single OData endpoint" in found.problem


def test_empty_typed_data_set(tmp_path):
    obj = employment_bundle()
    obj["TypedDataSet"]["value"] = []
    found = problems_of(save(obj, tmp_path / "85276NED.json"))
    assert any(p.column == "TypedDataSet" and "no data records" in p.problem for p in found)


def test_unknown_table_is_reported_with_its_dimensions(tmp_path):
    obj = bundle(
        "99999NED",
        "Iets anders",
        {"Soort": [{"Key": "A", "Title": "a"}]},
        [{"Type": "Topic", "Key": "Aantal_1", "Title": "Aantal", "Unit": "aantal"}],
        [{"Soort": "A", "Aantal_1": 1}],
    )
    [found] = problems_of(save(obj, tmp_path / "99999NED.json"))
    assert "99999NED" in found.problem and "Soort" in found.problem


# --- vacancies and region tables -------------------------------------------------------------


def vacancies_bundle(records: list[dict] | None = None) -> dict:
    sectors = [
        {"Key": pad("T001081"), "Title": "Alle economische activiteiten"},
        {"Key": pad("300007"), "Title": "C Industrie"},
    ]
    periods = [{"Key": f"2023KW0{q}", "Title": f"2023 {q}e kwartaal", "Status": "Voorlopig"} for q in (1, 2)]
    topics = [
        {"Type": "Topic", "Key": "OntstaneVacatures_1", "Title": "Ontstane vacatures", "Unit": "x 1 000"},
        {"Type": "Topic", "Key": "OpenstaandeVacatures_2", "Title": "Openstaande vacatures", "Unit": "x 1 000"},
    ]
    records = records or [
        {"Bedrijfskenmerken": pad(s), "Perioden": p, "OntstaneVacatures_1": 1.0, "OpenstaandeVacatures_2": v}
        for (s, p), v in {
            ("T001081", "2023KW01"): 432.1,
            ("300007", "2023KW01"): 48.3,
            ("T001081", "2023KW02"): 419.9,
            ("300007", "2023KW02"): 47.0,
        }.items()
    ]
    return bundle(
        "80472NED",
        "Vacatures; SBI 2008, per kwartaal",
        {"Bedrijfskenmerken": sectors, "Perioden": periods},
        topics,
        records,
    )


def test_vacancies_bundle(tmp_path):
    path = save(vacancies_bundle(), tmp_path / "80472NED.json")
    fmt = sources.detect(path)
    assert fmt.family == "cbs_vacancies"
    frame = fmt.parse(path).frame
    assert dict(zip(frame.sector_code + frame.period_code, frame["count"])) == {
        "T2023KW01": 432_100,
        "C2023KW01": 48_300,
        "T2023KW02": 419_900,
        "C2023KW02": 47_000,
    }
    core = core_labour.vacancies_by_sector(frame, "2024", 2023)
    assert list(core.period.unique()) == ["2023-Q1", "2023-Q2"]


def regions_bundle(year: int = 2023, table: str = "85385NED", shift: int = 0, replace: dict | None = None) -> dict:
    import pandas as pd

    ref = pd.read_csv(Path(__file__).parents[1] / "reference/regions/municipalities.csv", dtype=str)
    rows = ref[ref.boundary_year == str(year)]
    groups = [
        ("Codes en namen van gemeenten", "municipality_code", "municipality_name"),
        ("Arbeidsmarktregio's", "arbeidsmarktregio_code", "arbeidsmarktregio_name"),
        ("COROP-gebieden", "corop_code", "corop_name"),
        ("Provincies", "province_code", "province_name"),
        ("Landsdelen", "landsdeel_code", "landsdeel_name"),
    ]
    topics, keys = [], {}
    for index, (title, code_col, name_col) in enumerate(groups):
        topics.append({"Type": "TopicGroup", "ID": 500 + index, "Key": "", "Title": title, "ParentID": None})
        for offset, (measure, column) in enumerate((("Code", code_col), ("Naam", name_col))):
            key = f"{measure}_{2 * index + offset + 1 + shift}"
            topics.append(
                {"Type": "Topic", "ID": 600 + 2 * index + offset, "Key": key, "Title": measure, "ParentID": 500 + index}
            )
            keys[column] = key
    records = [
        {"RegioS": pad(r["municipality_code"]), **{k: pad(r[c], 12) for c, k in keys.items()}}
        for _, r in rows.iterrows()
    ]
    for index, changes in (replace or {}).items():
        records[index].update({keys[c]: v for c, v in changes.items()})
    regio = [{"Key": pad(c), "Title": n} for c, n in zip(rows.municipality_code, rows.municipality_name)]
    return bundle(table, f"Gebieden in Nederland {year}", {"RegioS": regio}, topics, records, geo="RegioS", time="")


def test_region_bundle_with_shifted_keys_and_padding(tmp_path):
    a = sources.parse(save(regions_bundle(shift=0), tmp_path / "a.json")).frame
    b = sources.parse(save(regions_bundle(shift=3), tmp_path / "b.json")).frame
    assert a.drop(columns="source_file").equals(b.drop(columns="source_file"))
    assert len(a) == 342 and a.boundary_year.eq(2023).all()
    amsterdam = a[a.municipality_code == "GM0363"].iloc[0]
    assert (
        amsterdam.arbeidsmarktregio_code,
        amsterdam.corop_code,
        amsterdam.province_code,
        amsterdam.landsdeel_code,
    ) == ("AM18", "CR23", "PV27", "LD03")


def test_region_bundle_with_a_municipality_of_another_year(tmp_path):
    path = save(regions_bundle(replace={5: {"municipality_code": "GM9999"}}), tmp_path / "85385NED.json")
    found = problems_of(path)
    assert any(p.row == 5 and p.column == "Code_1" for p in found), found


def test_region_bundle_with_a_wrong_arbeidsmarktregio(tmp_path):
    obj = regions_bundle(replace={0: {"arbeidsmarktregio_code": "AM22"}})
    found = problems_of(save(obj, tmp_path / "85385NED.json"))
    assert any(p.row == 0 and p.column == "arbeidsmarktregio_code" and "reference" in p.problem for p in found), found


@pytest.mark.parametrize(
    "code,expected",
    [
        ("2019JJ00", ("year", 2019, None, None)),
        ("2019KW04", ("quarter", 2019, 4, None)),
        ("2019MM01", ("month", 2019, None, 1)),
        ("2019MM12", ("month", 2019, None, 12)),
        ("2019KW05", None),
        ("2019MM13", None),
        ("2019JJ01", None),
        ("2019X000", None),
        ("19JJ00", None),
    ],
)
def test_period_codes(code, expected):
    from pipeline.sources.cbs_odata import parse_period

    assert parse_period(code) == expected


def test_monthly_periods_become_month_labels(tmp_path):
    obj = vacancies_bundle()
    obj["Perioden"]["value"] = [
        {"Key": "2023MM01", "Title": "2023 januari", "Status": "Voorlopig"},
        {"Key": "2023MM02", "Title": "2023 februari", "Status": "Voorlopig"},
    ]
    for record, month in zip(obj["TypedDataSet"]["value"], ("2023MM01", "2023MM01", "2023MM02", "2023MM02")):
        record["Perioden"] = month
    frame = sources.parse(save(obj, tmp_path / "80472NED.json")).frame
    core = core_labour.vacancies_by_sector(frame, "2024", 2023)
    assert list(core.period.unique()) == ["2023-M01", "2023-M02"] and set(core.period_type) == {"month"}
