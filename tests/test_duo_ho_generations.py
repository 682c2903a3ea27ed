"""DUO hbo/wo: all enrolments and diplomas in every generation, the up-to-2017 wide layout, core tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline import sources
from pipeline.core import ho as core_ho
from pipeline.problems import SourceError

HO = "duo-ho-mbo-2019-tekkieworden"
FIXED_2018 = (
    "PROVINCIE;GEMEENTENUMMER;GEMEENTENAAM;SOORT INSTELLING;TYPE HOGER ONDERWIJS;BRIN NUMMER ACTUEEL;"
    "INSTELLINGSNAAM ACTUEEL;CROHO ONDERDEEL;CROHO SUBONDERDEEL;OPLEIDINGSCODE ACTUEEL;OPLEIDINGSNAAM ACTUEEL;"
    "OPLEIDINGSVORM"
)
PLACE = "Drenthe;0106;Assen;reguliere inst."
PROG = "25BE;Hanzehogeschool Groningen;techniek;n.v.t. (techniek);34267;B Elektrotechniek;voltijd onderwijs"


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(SourceError) as caught:
        sources.parse(path)
    return caught.value.problems


def test_enrolment_file_is_told_from_first_years_by_duo_file_name(tmp_path):
    lines = [
        FIXED_2018 + ";GESLACHT;2018;2019",
        f"{PLACE};bachelor;{PROG};man;120;130",
        f"{PLACE};bachelor;{PROG};vrouw;20;25",
    ]
    enrolments = write(tmp_path / "01-ingeschrevenen-hbo-2019.csv", lines)
    first = write(tmp_path / "03b-eerstejaars-ingeschrevenen-hbo-domein-hbo-2019.csv", lines)
    assert (sources.detect(enrolments).family, sources.detect(enrolments).generation) == (
        "duo_ho_enrolments",
        "2018-2022",
    )
    assert sources.detect(first).family == "duo_ho_first_years"
    core = core_ho.ho_enrolments(sources.parse(enrolments).frame, "2020", 2019)
    assert core.groupby("year")["count"].sum().to_dict() == {2018: 140, 2019: 155}
    assert set(core["sex"]) == {"M", "V"} and (core["municipality_code"] == "GM0106").all()


def test_up_to_2017_generation_latin1_wide_with_phase_and_footer(tmp_path):
    header = FIXED_2018 + ";OPLEIDINGSFASE ACTUEEL;2016 MAN;2016 VROUW;2017 MAN;2017 VROUW"
    lines = [
        header,
        f"{PLACE};bachelor;{PROG.replace('Elektrotechniek', 'Elektrotechniek é')};propedeuse bachelor;30;4;31;5",
        f"{PLACE};bachelor;{PROG.replace('Elektrotechniek', 'Elektrotechniek é')};bachelor;60;8;62;9",
        "",
        "Bron: DUO, Ingeschrevenen hoger onderwijs",
        "Peildatum: 1 oktober",
    ]
    path = write(tmp_path / "01.ingeschrevenen-hbo-2017.csv", lines, encoding="latin-1")
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_ho_enrolments", "-2017")
    delivery = fmt.parse(path)
    assert delivery.encoding == "latin-1"
    assert list(delivery.skipped_lines) == [4, 5, 6]
    frame = delivery.frame
    assert frame.groupby(["year", "sex"])["count"].sum().to_dict() == {
        (2016, "man"): 90,
        (2016, "vrouw"): 12,
        (2017, "man"): 93,
        (2017, "vrouw"): 14,
    }
    assert "Elektrotechniek é" in frame["programme_name"].iloc[0]
    core = core_ho.ho_enrolments(frame, "2018", 2017)  # phases summed: one row per sex and year
    assert len(core) == 4
    assert core.set_index(["year", "sex"])["count"].to_dict() == {
        (2016, "M"): 90,
        (2016, "V"): 12,
        (2017, "M"): 93,
        (2017, "V"): 14,
    }


def test_up_to_2017_first_years_and_diplomas(tmp_path):
    first = write(
        tmp_path / "02.eerstejaars-ingeschrevenen-wo-2017.csv",
        [
            FIXED_2018 + ";OPLEIDINGSFASE ACTUEEL;2017 MAN;2017 VROUW",
            "Groningen;0014;Groningen;reguliere inst.;bachelor;21PC;Rijksuniversiteit Groningen;techniek;"
            "n.v.t. (techniek);56226;B Technische Natuurkunde;voltijd onderwijs;propedeuse bachelor;80;20",
        ],
    )
    assert (sources.detect(first).family, sources.detect(first).generation) == ("duo_ho_first_years", "-2017")
    diplomas = write(
        tmp_path / "05.gediplomeerden-wo-2017.csv",
        [
            FIXED_2018.replace(";TYPE HOGER ONDERWIJS", "") + ";SOORT DIPLOMA;2016 MAN;2016 VROUW",
            "Groningen;0014;Groningen;reguliere inst.;21PC;Rijksuniversiteit Groningen;techniek;n.v.t. (techniek);"
            "56226;B Technische Natuurkunde;voltijd onderwijs;wo bachelor;40;11",
        ],
    )
    fmt = sources.detect(diplomas)
    assert (fmt.family, fmt.generation) == ("duo_ho_diplomas", "-2017")
    core = core_ho.ho_diplomas(fmt.parse(diplomas).frame, "2018", 2017)
    assert core.set_index("sex")["count"].to_dict() == {"M": 40, "V": 11}
    assert set(core["diploma_type"]) == {"wo bachelor"}


def test_protected_diplomas_mask_small_counts(tmp_path):
    header = (
        FIXED_2018.replace(";TYPE HOGER ONDERWIJS", "")
        .replace("BRIN NUMMER ACTUEEL", "INSTELLINGSCODE ACTUEEL")
        .replace("CROHO ONDERDEEL", "ONDERDEEL")
        .replace("CROHO SUBONDERDEEL", "SUBONDERDEEL")
        + ";SOORT DIPLOMA;GESLACHT;2022"
    )
    path = write(
        tmp_path / "05-gediplomeerden-hbo-2023.csv",
        [header, f"{PLACE};{PROG};hbo bachelor;man;12", f"{PLACE};{PROG};hbo bachelor;vrouw;<5"],
    )
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_ho_diplomas", "2023-")
    core = core_ho.ho_diplomas(fmt.parse(path).frame, "2024", 2023)
    woman = core[core["sex"] == "V"].iloc[0]
    assert woman["masked"] and woman["count"] is __import__("pandas").NA
    assert (woman["count_low"], woman["count_high"]) == (1, 4)


def test_diploma_file_with_extra_column_names_it(tmp_path):
    header = FIXED_2018.replace(";TYPE HOGER ONDERWIJS", "") + ";SOORT DIPLOMA;GESLACHT;OPMERKING;2018"
    path = write(tmp_path / "05-gediplomeerden-hbo-2019.csv", [header, f"{PLACE};{PROG};hbo bachelor;man;x;12"])
    [p] = problems_of(path)
    assert (p.row, p.column) == (1, "OPMERKING") and "unexpected" in p.problem


def test_year_after_the_edition_is_an_error(tmp_path):
    path = write(
        tmp_path / "01-ingeschrevenen-hbo-2019.csv", [FIXED_2018 + ";GESLACHT;2019", f"{PLACE};bachelor;{PROG};man;12"]
    )
    with pytest.raises(SourceError) as caught:
        core_ho.ho_enrolments(sources.parse(path).frame, "2019", 2018)
    [p] = caught.value.problems
    assert (Path(p.file).name, p.row, p.column) == (path.name, 2, "2019") and "after edition 2019" in p.problem


def independent_totals(path: Path) -> dict[int, int]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter=";") if any(c.strip() for c in r)]
    header = rows[0]
    years = [i for i, h in enumerate(header) if h.isdigit()]
    return {int(header[i]): sum(int(r[i]) for r in rows[1:]) for i in years}


@pytest.mark.realdata
@pytest.mark.parametrize("name,level", [("hbo_gediplomeerden_2019.csv", "hbo"), ("wo_gediplomeerden_2019.csv", "wo")])
def test_real_diploma_excerpts(realdata, name, level):
    path = realdata / HO / name
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_ho_diplomas", "2018-2022")
    frame = fmt.parse(path).frame
    assert set(frame["level"]) == {level}
    assert frame.groupby("year")["count"].sum().to_dict() == independent_totals(path)
    core = core_ho.ho_diplomas(frame, "2020", 2019)
    assert core.groupby("year")["count"].sum().to_dict() == independent_totals(path)
    assert {t.split(" ", 1)[0] for t in core["diploma_type"]} == {level}  # SOORT DIPLOMA reads e.g. 'wo master'
    assert f"{level} master" in set(core["diploma_type"])
