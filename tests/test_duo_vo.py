"""DUO vo: exam candidates and passes (2014-2019 and 2019- layouts), pupils by profile and year of study with the
register of locations, havo/vwo exam subjects; the real 2019 files against independent sums."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline import sources
from pipeline.core import vo as core_vo
from pipeline.problems import SourceError

VO = "duo-vo-examens-2019-2024"
FIXED = (
    "INSTELLINGSCODE;VESTIGINGSCODE;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;ONDERWIJSTYPE VO;INSPECTIECODE;"
    "OPLEIDINGSNAAM"
)


def new_header(years=((2022, 2023),)) -> str:
    cols = [
        f"{m} SCHOOLJAAR {a}-{b} - {s}"
        for a, b in years
        for s in ("MAN", "VROUW", "TOTAAL")
        for m in ("EXAMENKANDIDATEN", "GESLAAGDEN", "SLAAGPERC")
    ]
    return ";".join(f'"{c}"' for c in FIXED.split(";") + cols)


def quoted(*fields) -> str:
    return ";".join(f'"{f}"' for f in fields)


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def problems_of(path: Path) -> list:
    with pytest.raises(SourceError) as caught:
        sources.parse(path)
    return caught.value.problems


LOCATION = ("00AH", "00AH00", "Het Stedelijk", "ENSCHEDE", "HAVO", "50", "HAVO - N&T")


def test_new_layout_masks_and_maps_municipality_names(tmp_path):
    path = write(
        tmp_path / "examenkandidaten-en-geslaagden-2019-2024.csv",
        [
            new_header(),
            quoted(*LOCATION, "<5", "<5", "100", "10", "9", "90", "12", "11", "91.7"),
            quoted(
                "00AH",
                "00AH01",
                "Lyceum",
                "LAREN",
                "VWO",
                "60",
                "VWO - N&T",
                "6",
                "6",
                "100",
                "5",
                "4",
                "80",
                "11",
                "10",
                "90.9",
            ),
        ],
    )
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_vo_exams", "2019-")
    core = core_vo.vo_exam_candidates(fmt.parse(path).frame, "2024", 2023)
    assert set(core["year"]) == {2023} and set(core["school_year"]) == {"2022-2023"}
    # 'LAREN' is CBS's 'Laren (NH.)': the suffix is dropped when that leaves one municipality
    assert dict(zip(core["location_code"], core["municipality_code"])) == {"00AH00": "GM0153", "00AH01": "GM0417"}
    men = core[(core["location_code"] == "00AH00") & (core["sex"] == "M")]
    assert men["masked"].all() and men["count"].isna().all() and (men["count_high"] == 4).all()
    women = core[(core["location_code"] == "00AH00") & (core["sex"] == "V")].set_index("measure")["count"]
    assert women.to_dict() == {"candidates": 10, "passed": 9}


def test_unknown_municipality_name_is_an_error(tmp_path):
    path = write(
        tmp_path / "examenkandidaten-en-geslaagden-2019-2024.csv",
        [
            new_header(),
            quoted(
                "00AH",
                "00AH00",
                "X",
                "GOTHAM",
                "HAVO",
                "50",
                "HAVO - N&T",
                "6",
                "6",
                "100",
                "5",
                "5",
                "100",
                "11",
                "11",
                "100",
            ),
        ],
    )
    [p] = problems_of(path)
    assert (p.row, p.column) == (2, "GEMEENTENAAM") and "unknown municipality 'GOTHAM'" in p.problem


def test_totals_and_passes_are_checked(tmp_path):
    path = write(
        tmp_path / "examenkandidaten-en-geslaagden-2019-2024.csv",
        [new_header(), quoted(*LOCATION, "6", "7", "100", "10", "9", "90", "17", "16", "94.1")],
    )
    found = problems_of(path)
    assert {p.column for p in found} == {
        "GESLAAGDEN SCHOOLJAAR 2022-2023 - MAN",
        "EXAMENKANDIDATEN SCHOOLJAAR 2022-2023 - TOTAAL",
    }
    assert all(p.row == 2 for p in found)


def old_header() -> str:
    cols = [
        f"{m} SCHOOLJAAR 2016-2017 - {s}"
        for s in ("MAN", "VROUW", "ONBEKEND", "TOTAAL")
        for m in ("EXAMENKANDIDATEN", "GESLAAGDEN", "SLAAGPERC")
    ]
    return "BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;" + ";".join(FIXED.split(";")[3:] + cols)


def test_2014_layout_latin1_percent_onbekend_and_6_character_location(tmp_path):
    path = write(
        tmp_path / "examenkandidaten-en-geslaagden-2012-2017.csv",
        [
            old_header(),
            "00AH;00AH01;Atheneum Ékeren;S GRAVENHAGE;VMBO;38;VMBO K - techniek;"
            "8;7;87,5%;2;2;100,0%;0;0;,0%;10;9;90,0%",
        ],
        encoding="latin-1",
    )
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_vo_exams", "2014-2019")
    delivery = fmt.parse(path)
    assert delivery.encoding == "latin-1"
    frame = delivery.frame
    assert set(frame["location_code"]) == {"00AH01"} and set(frame["year"]) == {2017}
    assert set(frame["municipality_code"]) == {"GM0518"}  # DUO's 'S GRAVENHAGE is 's-Gravenhage
    assert frame.groupby("measure")["count"].sum().to_dict() == {"candidates": 10, "passed": 9}
    assert set(frame["sex"]) == {"man", "vrouw", "onbekend"} and not frame["masked"].any()
    core = core_vo.vo_exam_candidates(frame, "2018", 2017)
    assert set(core["sex"]) == {"M", "V"} and core["count"].sum() == 19
    bad = write(
        tmp_path / "examenkandidaten-en-geslaagden-2012-2017.csv",
        [
            old_header(),
            "00AH;01;Atheneum;ENSCHEDE;VMBO;38;VMBO K - techniek;8;7;veel;2;<5;100,0%;0;0;,0%;10;9;90,0%",
        ],
        encoding="latin-1",
    )
    found = problems_of(bad)
    assert {p.column for p in found} == {
        "VESTIGINGSNUMMER",
        "SLAAGPERC SCHOOLJAAR 2016-2017 - MAN",
        "GESLAAGDEN SCHOOLJAAR 2016-2017 - VROUW",
    }
    unknown_sex = write(
        tmp_path / "examenkandidaten-en-geslaagden-2012-2017.csv",
        [old_header(), "00AH;00AH01;A;ENSCHEDE;VMBO;38;VMBO K - techniek;8;7;87,5%;2;2;100,0%;1;1;100,0%;11;10;90,9%"],
        encoding="latin-1",
    )
    with pytest.raises(SourceError) as caught:  # a candidate of unknown sex is never dropped silently
        core_vo.vo_exam_candidates(sources.parse(unknown_sex).frame, "2018", 2017)
    assert {p.row for p in caught.value.problems} == {2}


def test_wrong_delimiter_is_reported(tmp_path):
    path = write(
        tmp_path / "examenkandidaten-en-geslaagden-2019-2024.csv",
        [new_header().replace(";", ","), quoted(*LOCATION).replace(";", ",")],
    )
    found = problems_of(path)
    assert found[0].row == 1


PUPIL_HEADER = (
    "BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;PLAATSNAAM VESTIGING;PROVINCIE VESTIGING;"
    "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;VMBO SECTOR;AFDELING;ELEMENTCODE;OPLEIDINGSNAAM;"
    + ";".join(f"LEER- OF VERBLIJFSJAAR {n} - {s}" for n in range(1, 7) for s in ("MAN", "VROUW"))
)
PUPIL_ROWS = [
    "00AH;00;Het Stedelijk;ENSCHEDE;Overijssel;HAVO lj 4-5;N.v.t.;Natuur en Techniek;0371;HAVO Prf N/T;"
    "0;0;0;0;0;0;30;12;25;3;0;0",
    "00AH;00;Het Stedelijk;ENSCHEDE;Overijssel;HAVO lj 4-5;N.v.t.;Natuur en Techniek / Natuur en Gezondheid;0375;"
    "HAVO Prf N/T+N/G;0;0;0;0;0;0;5;6;0;0;0;0",
    "00AH;00;Het Stedelijk;ENSCHEDE;Overijssel;VMBO KL lj 3-4;Techniek;Bouwen, wonen en interieur;1234;VMBO BWI;"
    "0;0;0;0;20;3;18;2;0;0;0;0",
    "00AH;00;Het Stedelijk;ENSCHEDE;Overijssel;VMBO TL lj 3-4;Zorg & Welzijn;N.v.t.;0456;VMBO TL ZW;"
    "0;0;0;0;7;9;0;0;0;0;0;0",
    "00AH;00;Het Stedelijk;ENSCHEDE;Overijssel;Brugjaar 1-2;N.v.t.;N.v.t.;0024;Ljvb;89;105;83;134;0;0;0;0;0;0;0;0",
]
REGISTER_HEADER = (
    "PROVINCIE;BEVOEGD GEZAG NUMMER;BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;PLAATSNAAM;GEMEENTENUMMER;"
    "GEMEENTENAAM;ONDERWIJSSTRUCTUUR"
)


def test_pupils_2019_layout_profiles_from_the_department_and_municipality_from_the_register(tmp_path):
    path = write(
        tmp_path / "leerlingen-vo-per-vestiging-naar-onderwijstype-2023.csv", [PUPIL_HEADER, *PUPIL_ROWS], "latin-1"
    )
    register = write(
        tmp_path / "alle-vestigingen-vo.csv",
        [REGISTER_HEADER, "Overijssel;1;00AH;00AH00;Het Stedelijk;ENSCHEDE;0153;ENSCHEDE;HAVO/VWO"],
        "latin-1",
    )
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_vo_pupils", "2019-")
    raw = fmt.parse(path).frame
    assert raw["count"].sum() == 30 + 12 + 25 + 3 + 11 + 43 + 16 + 89 + 105 + 83 + 134  # every row, lower years too
    locations = sources.parse(register).frame
    assert locations.set_index("location_code")["municipality_code"].to_dict() == {"00AH00": "GM0153"}
    core = core_vo.vo_pupils_by_profile(raw, locations, "2024", 2023)
    assert "Brugjaar 1-2" not in set(core["school_type_year"])  # no profile indicator counts the lower years
    year4 = core[(core["study_year"] == 4) & (core["count"] > 0)].groupby("profile_code")["count"].sum().to_dict()
    assert year4 == {"50": 42, "54": 11, "VMBO-BWI": 20}
    assert set(core.loc[core["school_type_year"] == "VMBO TL lj 3-4", "profile_code"]) == {"91"}
    assert set(core["municipality_code"]) == {"GM0153"} and set(core["year"]) == {2023}
    empty_register = locations.iloc[0:0]
    with pytest.raises(SourceError) as caught:  # a location the register does not hold stops the run
        core_vo.vo_pupils_by_profile(raw, empty_register, "2024", 2023)
    assert caught.value.problems[0].row == 2


def test_pupils_unknown_department_and_file_without_year(tmp_path):
    row = PUPIL_ROWS[0].replace("Natuur en Techniek", "Natuur en Sterrenkunde")
    [p] = problems_of(write(tmp_path / "leerlingen-vo-per-vestiging-naar-onderwijstype-2023.csv", [PUPIL_HEADER, row]))
    assert (p.row, p.column) == (2, "AFDELING") and "Natuur en Sterrenkunde" in p.problem
    [p] = problems_of(write(tmp_path / "leerlingen-vo.csv", [PUPIL_HEADER, PUPIL_ROWS[0]]))
    assert "year must be in the file name" in p.problem


def independent_totals(path: Path) -> dict[tuple[int, str], int]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    totals: dict[tuple[int, str], int] = {}
    for i, name in enumerate(header):
        parts = name.split()
        if parts[0] in ("EXAMENKANDIDATEN", "GESLAAGDEN") and parts[-1] in ("MAN", "VROUW"):
            key = (int(parts[2][5:]), "candidates" if parts[0] == "EXAMENKANDIDATEN" else "passed")
            totals[key] = totals.get(key, 0) + sum(int(r[i]) for r in rows[1:] if r[i] != "<5")
    return totals


@pytest.mark.realdata
def test_real_exam_file(realdata):
    path = realdata / VO / "examenkandidaten-en-geslaagden-2019-2024.csv"
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_vo_exams", "2019-")
    frame = fmt.parse(path).frame
    assert frame.groupby(["year", "measure"])["count"].sum().to_dict() == independent_totals(path)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    masked = sum(1 for r in rows[1:] for i, c in enumerate(r) if c == "<5" and not rows[0][i].endswith("TOTAAL"))
    assert int(frame["masked"].sum()) == masked
    core = core_vo.vo_exam_candidates(frame, "2025", 2024)
    assert core["municipality_code"].str.fullmatch(r"GM\d{4}").all()
    assert set(core["profile_code"]) >= {"50", "60", "90"}


def test_sample_vo_sizes_and_generations(sample_dir):
    old = sources.parse(next((sample_dir / "2019").glob("examenkandidaten-en-geslaagden-*.csv")))
    new = sources.parse(next((sample_dir / "2024").glob("examenkandidaten-en-geslaagden-*.csv")))
    assert (old.generation, new.generation) == ("2014-2019", "2019-")
    candidates = old.frame[old.frame["measure"] == "candidates"].groupby("year")["count"].sum()
    assert candidates.between(170_000, 230_000).all()  # DUO: ~200k exam candidates a year
    assert new.frame["masked"].any()
    high = new.frame[new.frame["measure"] == "candidates"]
    bounds_high = high["count"].fillna(4).groupby(high["year"]).sum()
    assert bounds_high.between(150_000, 230_000).all()
    pupils = sources.parse(next((sample_dir / "2024").glob("leerlingen-vo-*.csv"))).frame
    assert pupils[pupils["study_year"] == 4]["count"].sum() > 100_000
    vmbo3 = pupils[(pupils["school_type"] == "VMBO") & (pupils["study_year"] == 3)]
    assert {"VMBO-BWI", "VMBO-PIE", "VMBO-ZW"} <= set(vmbo3["profile_code"])  # the vmbo profiles (Wet profielen vmbo)


@pytest.mark.parametrize("family", ["examenkandidaten-en-*.csv", "leerlingen-vo-*.csv"])
def test_core_from_categorical_raw_is_the_same_table(sample_dir, tmp_path, family):
    """The vo core assets read their raw table with text as Categoricals (`read_text_as_categories`):
    the core table built from it equals, values and dtypes, the one built from `pd.read_parquet`,
    also when the raw rows come in another order (categories then not sorted)."""
    import pandas as pd

    from pipeline.dagster_support import read_text_as_categories

    locations = sources.parse(sample_dir / "2024" / "alle-vestigingen-vo.csv").frame
    build = (
        core_vo.vo_exam_candidates
        if family.startswith("examen")
        else lambda raw, e, y: core_vo.vo_pupils_by_profile(raw, locations, e, y)
    )
    raw = pd.concat(
        [sources.parse(path).frame for path in sorted((sample_dir / "2024").glob(family))], ignore_index=True
    )
    raw = raw.sample(frac=1, random_state=7).reset_index(drop=True)  # first occurrence no longer sorted
    path = tmp_path / "raw.parquet"
    raw.to_parquet(path, index=False)
    plain, categorical = pd.read_parquet(path), read_text_as_categories(path)
    assert isinstance(categorical["location_code"].dtype, pd.CategoricalDtype)
    assert categorical["location_code"].cat.categories.is_monotonic_increasing
    expected = build(plain, "2024", 2023)
    pd.testing.assert_frame_equal(build(categorical, "2024", 2023), expected, check_exact=True)
    assert not any(isinstance(dtype, pd.CategoricalDtype) for dtype in expected.dtypes)


REAL_2019 = "duo-vo-leerlingen-examencijfers-2019"


def _latin1_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="latin-1", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.mark.realdata
def test_real_2019_files_give_the_profile_sector_and_subject_shares_of_independent_sums(realdata):
    """The real 2019 extracts through parser, core, classification and indicators: the national havo-4
    and vwo-4 N-profile shares, the vmbo-3 technical shares and the subject shares equal the sums of
    the CSV files computed here with the csv module (no project code)."""
    from pipeline import classify, indicators
    from pipeline.indicators import vo as vo_indicators

    folder = realdata / REAL_2019
    pupils_path = folder / "leerlingen-vo-per-vestiging-naar-onderwijstype-2019.first3000.csv"
    locations = sources.parse(folder / "alle-vestigingen-vo.csv").frame
    core = core_vo.vo_pupils_by_profile(sources.parse(pupils_path).frame, locations, "2020", 2019)
    classified, unknown = classify.classify(core, classify.spec("vo_pupils_by_profile"))
    assert unknown == []
    ctx = indicators.context("2020")
    cells = vo_indicators.vo_pupils(classified, ctx)
    national = cells[(cells["region_level"] == "national") & (cells["sex"] == "T") & (cells["definition"] == "nl")]

    # independent: N-profile = AFDELING with 'Natuur en', year 4; technical vmbo = VMBO SECTOR Techniek, year 3
    n_profile, year4 = {"havo": 0, "vwo": 0}, {"havo": 0, "vwo": 0}
    technical = vmbo3 = 0
    for r in _latin1_rows(pupils_path):
        kind = r["ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR"]
        four = int(r["LEER- OF VERBLIJFSJAAR 4 - MAN"]) + int(r["LEER- OF VERBLIJFSJAAR 4 - VROUW"])
        three = int(r["LEER- OF VERBLIJFSJAAR 3 - MAN"]) + int(r["LEER- OF VERBLIJFSJAAR 3 - VROUW"])
        school = {"HAVO lj 4-5": "havo", "VWO lj 4-6": "vwo"}.get(kind)
        if school:
            year4[school] += four
            n_profile[school] += four if "Natuur en" in r["AFDELING"] else 0
        if kind.startswith("VMBO") and kind.endswith("lj 3-4") and "VAVO" not in kind:
            vmbo3 += three
            technical += three if r["VMBO SECTOR"] == "Techniek" else 0  # TL techniek included (nl table: 90)
    shares = national[national["indicator_id"] == "havo_vwo_year4_n_profile_share"].set_index("breakdown")
    for school in ("havo", "vwo"):
        row = shares.loc[f"school_type={school}"]
        assert (row["numerator"], row["denominator"]) == (n_profile[school], year4[school])
        assert row["value"] == round(100 * n_profile[school] / year4[school], 2)
    vmbo = national[national["indicator_id"] == "vmbo_year3_technical_profile_share"].iloc[0]
    assert (vmbo["numerator"], vmbo["denominator"]) == (technical, vmbo3)

    # subjects: candidates with the subject / candidates for Nederlandse taal en literatuur (1001); both files
    # in one table, as the build reads them (a location offers havo and vwo)
    import pandas as pd

    paths = {s: folder / f"examenkandidaten-{s}-en-examencijfers-2018-2019.first2000.csv" for s in ("havo", "vwo")}
    raw = pd.concat([sources.parse(p).frame for p in paths.values()], ignore_index=True)
    subjects_core = core_vo.vo_exam_subjects(raw, "2020", 2019)
    assert subjects_core.groupby("school_type")["count"].sum().to_dict() == {
        s.upper(): sum(int(r["TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER"]) for r in _latin1_rows(p))
        for s, p in paths.items()
    }
    every = vo_indicators.vo_subjects(subjects_core, ctx)
    for school, path in paths.items():
        got = every[(every["region_level"] == "national")].set_index("breakdown")
        rows = _latin1_rows(path)
        taken = {}
        for r in rows:
            taken[r["VAKCODE"]] = taken.get(r["VAKCODE"], 0) + int(r["TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER"])
        for code, subject in (
            ("1025", "wiskunde_b"),
            ("1023", "natuurkunde"),
            ("1028", "scheikunde"),
            ("0161", "informatica"),
            ("1035", "nlt"),
        ):
            row = got[got["indicator_id"] == f"{school}_exam_subject_share"].loc[f"subject={subject}"]
            assert (row["numerator"], row["denominator"]) == (taken[code], taken["1001"])
            assert row["value"] == round(100 * taken[code] / taken["1001"], 2)
        assert 0 < got.loc[got["indicator_id"] == f"{school}_exam_subject_share", "value"].max() < 100


@pytest.mark.realdata
def test_real_2014_2019_exam_extract_against_independent_sums(realdata):
    path = realdata / REAL_2019 / "examenkandidaten-en-geslaagden-2014-2019.first300.csv"
    frame = sources.parse(path).frame
    expected: dict[tuple[int, str], int] = {}
    for r in _latin1_rows(path):
        for name, value in r.items():
            parts = name.split()
            if parts[0] in ("EXAMENKANDIDATEN", "GESLAAGDEN") and parts[-1] != "TOTAAL":
                key = (int(parts[2][5:]), "candidates" if parts[0] == "EXAMENKANDIDATEN" else "passed")
                expected[key] = expected.get(key, 0) + int(value)
    assert frame.groupby(["year", "measure"])["count"].sum().to_dict() == expected
    core = core_vo.vo_exam_candidates(frame, "2020", 2019)
    from pipeline import classify

    _, unknown = classify.classify(core, classify.spec("vo_exam_candidates"))
    assert unknown == []
