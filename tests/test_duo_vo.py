"""DUO vo: exam candidates and passes (2013-2018 and 2019- layouts), pupils by profile and year of study."""

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
    assert {p.column for p in found} == {"GESLAAGDEN 2022-2023 MAN", "EXAMENKANDIDATEN 2022-2023 TOTAAL"}
    assert all(p.row == 2 for p in found)


def test_old_layout_latin1_percent_and_decimal_comma(tmp_path):
    cols = [
        f"{m} 2016-2017 {s}"
        for s in ("MAN", "VROUW", "TOTAAL")
        for m in ("EXAMENKANDIDATEN", "GESLAAGDEN", "SLAAGPERCENTAGE")
    ]
    header = (
        "BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;GEMEENTENAAM;ONDERWIJSTYPE VO;INSPECTIECODE;OPLEIDINGSNAAM;"
        + ";".join(cols)
    )
    path = write(
        tmp_path / "examenkandidaten-vo-en-geslaagden-2012-2017.csv",
        [header, "00AH;1;Atheneum Ékeren;ENSCHEDE;VMBO;38;VMBO K - techniek;8;7;87,5%;2;2;100%;10;9;90%"],
        encoding="latin-1",
    )
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_vo_exams", "2013-2018")
    delivery = fmt.parse(path)
    assert delivery.encoding == "latin-1"
    frame = delivery.frame
    assert set(frame["location_code"]) == {"00AH01"} and set(frame["year"]) == {2017}
    assert frame.groupby("measure")["count"].sum().to_dict() == {"candidates": 10, "passed": 9}
    assert not frame["masked"].any()
    bad = write(
        tmp_path / "examenkandidaten-vo-en-geslaagden-2012-2017.csv",
        [header, "00AH;1;Atheneum;ENSCHEDE;VMBO;38;VMBO K - techniek;8;7;veel;2;<5;100%;10;9;90%"],
        encoding="latin-1",
    )
    found = problems_of(bad)
    assert {p.column for p in found} == {"SLAAGPERCENTAGE 2016-2017 MAN", "GESLAAGDEN 2016-2017 VROUW"}


def test_wrong_delimiter_is_reported(tmp_path):
    path = write(
        tmp_path / "examenkandidaten-en-geslaagden-2019-2024.csv",
        [new_header().replace(";", ","), quoted(*LOCATION).replace(";", ",")],
    )
    found = problems_of(path)
    assert found[0].row == 1


PUPIL_HEADER = (
    "INSTELLINGSCODE;VESTIGINGSCODE;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;ONDERWIJSTYPE VO;AFDELING;INSPECTIECODE;"
    "OPLEIDINGSNAAM;" + ";".join(f"LEER- OF VERBLIJFSJAAR {n} - {s}" for n in range(1, 7) for s in ("MAN", "VROUW"))
)


def test_pupils_per_year_of_study(tmp_path):
    path = write(
        tmp_path / "01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2023.csv",
        [
            PUPIL_HEADER,
            "00AH;00AH00;Het Stedelijk;ENSCHEDE;HAVO;N&T;50;HAVO - N&T;0;0;0;0;0;0;30;12;25;<5;0;0",
            "00AH;00AH00;Het Stedelijk;ENSCHEDE;VMBO;techniek;38;VMBO K - techniek;0;0;0;0;20;3;18;2;0;0;0;0",
        ],
    )
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_vo_pupils", "2019-")
    core = core_vo.vo_pupils_by_profile(fmt.parse(path).frame, "2024", 2023)
    year4 = core[(core["study_year"] == 4) & (core["profile_code"] == "50")]
    assert year4.set_index("sex")["count"].to_dict() == {"M": 30, "V": 12}
    masked = core[core["masked"]]
    assert len(masked) == 1 and masked.iloc[0]["study_year"] == 5
    assert core[(core["study_year"] == 3) & (core["school_type"] == "VMBO")]["count"].sum() == 23
    assert set(core["year"]) == {2023}


def test_pupil_file_without_year_in_name(tmp_path):
    path = write(
        tmp_path / "leerlingen-vo.csv", [PUPIL_HEADER, "00AH;00AH00;X;ENSCHEDE;HAVO;N&T;50;HAVO - N&T" + ";0" * 12]
    )
    [p] = problems_of(path)
    assert "year of the count" in p.problem


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
    old = sources.parse(next((sample_dir / "2019").glob("examenkandidaten-*.csv")))
    new = sources.parse(next((sample_dir / "2024").glob("examenkandidaten-*.csv")))
    assert (old.generation, new.generation) == ("2013-2018", "2019-")
    candidates = old.frame[old.frame["measure"] == "candidates"].groupby("year")["count"].sum()
    assert candidates.between(170_000, 230_000).all()  # DUO: ~200k exam candidates a year
    assert new.frame["masked"].any()
    high = new.frame[new.frame["measure"] == "candidates"]
    bounds_high = high["count"].fillna(4).groupby(high["year"]).sum()
    assert bounds_high.between(150_000, 230_000).all()
    pupils = sources.parse(next((sample_dir / "2024").glob("01.-leerlingen-*.csv"))).frame
    assert pupils[pupils["study_year"] == 4]["count"].sum() > 100_000
    vmbo3 = pupils[(pupils["school_type"] == "VMBO") & (pupils["study_year"] == 3)]
    assert {"VMBO-BWI", "VMBO-PIE", "VMBO-ZW"} <= set(vmbo3["profile_code"])  # the vmbo profiles (Wet profielen vmbo)


@pytest.mark.parametrize("family", ["examenkandidaten-*.csv", "01.-leerlingen-vo-*.csv"])
def test_core_from_categorical_raw_is_the_same_table(sample_dir, tmp_path, family):
    """The vo core assets read their raw table with text as Categoricals (`read_text_as_categories`):
    the core table built from it equals, values and dtypes, the one built from `pd.read_parquet`,
    also when the raw rows come in another order (categories then not sorted)."""
    import pandas as pd

    from pipeline.dagster_support import read_text_as_categories

    build = core_vo.vo_exam_candidates if family.startswith("examen") else core_vo.vo_pupils_by_profile
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
