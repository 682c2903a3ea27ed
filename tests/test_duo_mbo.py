"""DUO mbo participants and diplomas: both layouts, INDICATIEAVG masking, places -> municipalities."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from pipeline import sources
from pipeline.core import mbo as core_mbo
from pipeline.problems import SourceError

HO = "duo-ho-mbo-2019-tekkieworden"
FIXED = (
    "BRIN NUMMER;SOORTINS;INSTELLINGSNAAM;PLAATSNAAM;TYPE MBO;KWALIFICATIENIVEAU;KWALIFICATIE CODE;KWALIFICATIE NAAM;"
    "MBO SECTOR;DOMEIN;SECTORUNIT SBB;BRIN NUMMER KENNISCENTRUM;NAAM KENNISCENTRUM"
)
HEADER = FIXED + ";MAN2018;VROUW2018;TOTAAL2018;MAN2019;VROUW2019;TOTAAL2019"
ROW = (
    "00GT;ROC;Albeda;ROTTERDAM;BBL;2;25250;Assistent bouwen;techniek;Bouw en infra;Bouw en infra;    ;"
    "                        ;{}"
)
NAME = "08-deelnemers-per-instelling-2015-2019.csv"
NEW_HEADER = (
    "INSTELLINGSCODE;SOORTINS;INSTELLINGSNAAM;PLAATSNAAM;TYPE MBO;KWALIFICATIENIVEAU;KWALIFICATIE CODE;"
    "KWALIFICATIE NAAM;MBO SECTOR;DOMEIN;SECTORUNIT SBB;GESLACHT;JAAR;AANTAL DEELNEMERS;INDICATIEAVG"
)
NEW_ROW = "00GT;ROC;Albeda;{place};BOLVT;4;25187;Software developer;techniek;ICT;ICT;{sex};{year};{count};{flag}"


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(SourceError) as caught:
        sources.parse(path)
    return caught.value.problems


def test_wide_layout_empty_cell_is_no_students_and_padding_is_stripped(tmp_path):
    path = write(tmp_path / NAME, [HEADER, ROW.format("3;0;3;;;"), ROW.replace("BBL", "BOLVT").format("5;2;7;6;1;7")])
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_mbo_participants", "2015-2019")
    frame = fmt.parse(path).frame
    assert frame.groupby("year")["count"].sum().to_dict() == {2018: 10, 2019: 7}
    core = core_mbo.mbo_participants(frame, "2020", 2019)
    assert set(core["municipality_code"]) == {"GM0599"}  # ROTTERDAM, via reference/regions/places.csv
    assert set(core["qualification_code"]) == {"25250"} and not core["masked"].any()


def test_total_must_equal_men_plus_women(tmp_path):
    path = write(tmp_path / NAME, [HEADER, ROW.format("3;0;3;5;1;7")])
    [p] = problems_of(path)
    assert (p.row, p.column) == (2, "TOTAAL2019") and "MAN 5 + VROUW 1" in p.problem


def test_unknown_and_ambiguous_places_are_errors_never_guessed(tmp_path):
    path = write(
        tmp_path / NAME,
        [
            HEADER,
            ROW.format("3;0;3;5;1;6").replace("ROTTERDAM", "ATLANTIS"),
            ROW.replace("BBL", "BOLVT").format("3;0;3;5;1;6").replace("ROTTERDAM", "LAREN"),
        ],
    )
    found = problems_of(path)
    assert [(p.row, p.column) for p in found] == [(2, "PLAATSNAAM"), (3, "PLAATSNAAM")]
    assert "unknown place 'ATLANTIS'" in found[0].problem
    assert "several municipalities" in found[1].problem


def test_diploma_file_of_the_same_header_is_told_apart_by_name(tmp_path):
    path = write(tmp_path / "10-gediplomeerden-per-instelling-2015-2019.csv", [HEADER, ROW.format("3;0;3;5;1;6")])
    assert sources.detect(path).family == "duo_mbo_diplomas"
    nameless = write(tmp_path / "mbo-2019.csv", [HEADER, ROW.format("3;0;3;5;1;6")])
    [p] = problems_of(nameless)
    assert "file naming" in p.problem


def test_indicatieavg_layout_masks_counts_below_five(tmp_path):
    lines = [
        NEW_HEADER,
        NEW_ROW.format(place="UTRECHT", sex="MAN", year=2022, count=40, flag="N"),
        NEW_ROW.format(place="UTRECHT", sex="VROUW", year=2022, count=4, flag="J"),
        NEW_ROW.format(place="UTRECHT", sex="VROUW", year=2023, count=4, flag="N"),
    ]
    path = write(tmp_path / "08-deelnemers-per-instelling-2019-2023.csv", lines)
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_mbo_participants", "2020-")
    core = core_mbo.mbo_participants(fmt.parse(path).frame, "2024", 2023)
    masked = core[core["masked"]]
    assert len(masked) == 1 and masked["count"].isna().all()
    assert (masked["count_low"].iloc[0], masked["count_high"].iloc[0]) == (1, 4)
    unmasked = core[(core["year"] == 2023)].iloc[0]
    assert unmasked["count"] == 4 and not unmasked["masked"]
    assert set(core["municipality_code"]) == {"GM0344"}


def test_indicatieavg_with_another_count_and_bad_flag_are_errors(tmp_path):
    lines = [
        NEW_HEADER,
        NEW_ROW.format(place="UTRECHT", sex="MAN", year=2022, count=3, flag="J"),
        NEW_ROW.format(place="UTRECHT", sex="VROUW", year=2022, count=8, flag="X"),
    ]
    found = problems_of(write(tmp_path / "08-deelnemers-2022.csv", lines))
    assert [(p.row, p.column) for p in found] == [(2, "AANTAL DEELNEMERS"), (3, "INDICATIEAVG")]


@pytest.mark.parametrize("value,why", [("-3", "negative"), ("drie", "not a count")])
def test_bad_counts(tmp_path, value, why):
    path = write(tmp_path / NAME, [HEADER, ROW.format(f"3;0;3;{value};1;6")])
    found = problems_of(path)
    assert any(p.row == 2 and p.column == "MAN2019" and why in p.problem for p in found)


def test_duplicate_key_is_an_error(tmp_path):
    path = write(tmp_path / NAME, [HEADER, ROW.format("3;0;3;5;1;6"), ROW.format("3;0;3;5;1;6")])
    found = problems_of(path)
    assert any(p.row == 3 and "uniqueness" in p.problem for p in found)


def independent_totals(path: Path) -> dict[int, int]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    totals: dict[int, int] = {}
    for i, name in enumerate(header):
        if name.startswith("TOTAAL"):
            totals[int(name[6:])] = sum(int(r[i]) for r in rows[1:] if len(r) == len(header) and r[i].strip())
    return totals


@pytest.mark.realdata
def test_real_mbo_excerpt(realdata):
    path = realdata / HO / "mbo_inscriptions_2019.csv"
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_mbo_participants", "2015-2019")
    frame = fmt.parse(path).frame
    assert frame.groupby("year")["count"].sum().to_dict() == independent_totals(path)
    assert frame["source_line"].nunique() == 400
    assert set(frame["learning_path"]) <= {"BOLVT", "BOLDT", "BBL"}
    assert frame["qualification_code"].str.fullmatch(r"\d{5}").all()
    core = core_mbo.mbo_participants(frame, "2020", 2019)
    assert core["municipality_code"].str.fullmatch(r"GM\d{4}").all()


def test_sample_sizes_and_layouts(sample_dir):
    old = sources.parse(next((sample_dir / "2020").glob("08-deelnemers-*.csv")))
    new = sources.parse(next((sample_dir / "2024").glob("08-deelnemers-*.csv")))
    assert (old.generation, new.generation) == ("2015-2019", "2020-")
    assert new.frame["masked"].any()
    for delivery in (old, new):
        per_year = delivery.frame.groupby("year")["count"].sum()
        assert (per_year.between(400_000, 600_000)).all()  # DUO: ~500k mbo participants a year
    shared = pd.Series(sorted(set(old.frame["year"]) & set(new.frame["year"])))
    assert list(shared) == [2019]
