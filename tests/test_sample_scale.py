"""The scaled sample (`techpact sample --scale N`): scale 1 is the embedded sample byte for byte;
scale 2 has twice the institutions, locations and rows, ten years per edition, in DUO's formats,
with codes the reference tables know (so the files parse and classify)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from pipeline import classify, editions, reference, sources
from pipeline.core import ho as core_ho
from pipeline.core import vo as core_vo
from pipeline.sample import common, duo_ho, duo_mbo, duo_vo
from pipeline.sample.generate import DEFAULT_SEED, generate

EDITION = editions.get(2024)  # education years up to 2023


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _stable_codes() -> set[str]:
    frame = reference.load("regions/municipalities.csv").frame
    return set.intersection(*(set(g["municipality_code"]) for _, g in frame.groupby("boundary_year")))


def test_scale_one_is_the_embedded_sample(tmp_path):
    generate(tmp_path / "default", sample_editions=(2024,))
    generate(tmp_path / "one", sample_editions=(2024,), scale=1)
    default, one = _hashes(tmp_path / "default"), _hashes(tmp_path / "one")
    assert len(default) >= 15 and one == default


def test_scale_must_be_a_whole_number_from_one(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path / "zero", sample_editions=(2024,), scale=0)


@pytest.fixture(scope="module")
def ho_files(tmp_path_factory) -> dict[int, Path]:
    folders = {}
    for scale in (1, 2):
        folders[scale] = tmp_path_factory.mktemp(f"ho{scale}")
        duo_ho.write(EDITION, folders[scale], DEFAULT_SEED, scale=scale)
    return folders


def test_ho_scale_two_doubles_rows_and_locations_over_ten_years(ho_files):
    one, two = ho_files[1], ho_files[2]
    assert sorted(p.name for p in two.iterdir()) == sorted(
        [p.name for p in one.iterdir()] + [p.name.replace("2023", "2018") for p in one.iterdir()]
    )
    for path in one.iterdir():
        small, large = sources.parse(path).frame, sources.parse(two / path.name).frame
        assert len(large) == 2 * len(small), path.name
        locations = ["institution_code", "municipality_number"]
        assert len(large[locations].drop_duplicates()) == 2 * len(small[locations].drop_duplicates())
        assert set(small["institution_code"]) < set(large["institution_code"])  # the embedded institutions stay
    first_years = pd.concat([sources.parse(p).frame for p in sorted(two.glob("03b-*"))], ignore_index=True)
    assert sorted(first_years["year"].unique()) == list(range(2014, 2024))
    assert set("GM" + first_years["municipality_number"]) <= _stable_codes()
    # twice the students: per level, the 2019 total within 5% of twice the embedded target
    totals = first_years[first_years["year"] == 2019].groupby("level")["count"].sum()
    for level, target in duo_ho.TARGET_FIRST_YEARS.items():
        assert abs(totals[level] / (2 * target) - 1) < 0.05, level


def test_ho_scale_two_classifies_without_unknown_codes(ho_files):
    raw = pd.concat([sources.parse(p).frame for p in sorted(ho_files[2].glob("03b-*"))], ignore_index=True)
    core = core_ho.ho_first_years(raw, EDITION.key, EDITION.education_last_year)
    classified, unknown = classify.classify(core, classify.spec("ho_first_years"))
    assert unknown == [] and classified["stem_nl"].notna().all()


def test_mbo_scale_two(tmp_path):
    written = duo_mbo.write(EDITION, tmp_path, DEFAULT_SEED, scale=2)
    assert [p.name for p in written] == [
        "08-deelnemers-per-instelling-2014-2018.csv",
        "10-gediplomeerden-per-instelling-2014-2018.csv",
        "08-deelnemers-per-instelling-2019-2023.csv",
        "10-gediplomeerden-per-instelling-2019-2023.csv",
    ]
    frames = {p.name: sources.parse(p).frame for p in written}  # the 2015 and 2020 layouts, places resolved
    recent = frames["08-deelnemers-per-instelling-2019-2023.csv"]
    assert recent["institution_code"].nunique() == 2 * len(duo_mbo.INSTITUTIONS)
    assert set(recent["municipality_code"]) <= _stable_codes()
    assert sorted(frames["08-deelnemers-per-instelling-2014-2018.csv"]["year"].unique()) == list(range(2014, 2019))


def test_vo_scale_two_locations_and_pupils_before_and_after_the_vmbo_profiles(tmp_path):
    one, two = duo_vo.locations(DEFAULT_SEED, 1), duo_vo.locations(DEFAULT_SEED, 2)
    assert two[: len(one)] == one and len(two) == 2 * len(one)
    assert len({(brin, number) for brin, number, *_ in two}) == len(two)
    paths = [duo_vo.write_pupils(DEFAULT_SEED, year, tmp_path, 2) for year in (2015, 2016)]
    raw = pd.concat([sources.parse(p).frame for p in paths], ignore_index=True)
    vmbo = raw[raw["school_type"] == "VMBO"]
    assert not vmbo.loc[vmbo["year"] == 2015, "profile_code"].str.startswith("VMBO-").any()  # before the 2016 profiles
    assert vmbo.loc[vmbo["year"] == 2016, "profile_code"].str.startswith("VMBO-").all()
    locations = sources.parse(duo_vo.write_register(DEFAULT_SEED, tmp_path, 2)).frame
    assert len(locations) == len(two)
    core = core_vo.vo_pupils_by_profile(raw, locations, EDITION.key, EDITION.education_last_year)
    _, unknown = classify.classify(core, classify.spec("vo_pupils_by_profile"))
    assert unknown == []


def test_delivery_years_cover_ten_years_at_scale():
    assert common.delivery_years(2023, 1, 5) == [2023]
    assert common.delivery_years(2023, 3, 5) == [2018, 2023]
    assert common.delivery_years(2023, 2, 1) == list(range(2014, 2024))
