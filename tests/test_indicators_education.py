"""Indicators of mbo and secondary education (issue 5): mbo participants and diplomas in STEM, vmbo
technical profiles, havo/vwo N-profile of pupils and exam candidates.

Expected values are computed here from the core tables (or the raw files) with plain group-bys;
disclosure control is checked with an equation system built here from the published rows only:
regions are sums of their municipalities, T = M + V, and every margin of a breakdown is the sum of
the finest cells it contains.
"""

from __future__ import annotations

import csv
from functools import cache
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import classify, disclosure, editions, indicators, reference, regions, sources
from pipeline.core import mbo as core_mbo
from pipeline.core import vo as core_vo
from pipeline.indicators import checks
from pipeline.indicators import mbo as mbo_indicators

EDITION = "2024"
CORE = {
    "mbo_participants": ("08-deelnemers-*.csv", core_mbo.mbo_participants),
    "mbo_diplomas": ("10-gediplomeerden-*.csv", core_mbo.mbo_diplomas),
    "vo_exam_candidates": ("examenkandidaten-en-geslaagden-*.csv", core_vo.vo_exam_candidates),
    "vo_pupils_by_profile": ("leerlingen-vo-*.csv", core_vo.vo_pupils_by_profile),
    "vo_exam_subjects": ("examenkandidaten-*-en-examencijfers-*.csv", core_vo.vo_exam_subjects),
}
SUBJECT_SHARES = {"havo_exam_subject_share", "vwo_exam_subject_share"}  # subjects: no STEM definition
COMPUTED = {
    "mbo_participants_stem",
    "mbo_participants_stem_share",
    "mbo_diplomas_stem_share",
    "vmbo_year3_technical_profile_share",
    "havo_vwo_year4_n_profile",
    "havo_vwo_year4_n_profile_share",
    "havo_vwo_exam_n_profile_share",
    *SUBJECT_SHARES,
}
NOT_COMPUTABLE = {
    "mbo_entrants_stem",
    "mbo_entrants_stem_share",
    "vmbo_nask_diploma_share",
    "vmbo_mbo_technical_flow_share",
}
MBO_REAL = "duo-ho-mbo-2019-tekkieworden/mbo_inscriptions_2019.csv"
VO_REAL = "duo-vo-examens-2019-2024/examenkandidaten-en-geslaagden-2019-2024.csv"


def classified_tables(folder: Path, edition: str, names=tuple(CORE)) -> dict[str, pd.DataFrame]:
    last = editions.get(int(edition)).education_last_year
    out = {}
    for name in names:
        pattern, build = CORE[name]
        raw = pd.concat([sources.parse(p).frame for p in sorted((folder / edition).glob(pattern))], ignore_index=True)
        if name == "vo_pupils_by_profile":  # the municipality of each location: DUO's register of vo locations
            locations = sources.parse(folder / edition / "alle-vestigingen-vo.csv").frame
            core = build(raw, locations, edition, last)
        else:
            core = build(raw, edition, last)
        if name == "vo_exam_subjects":  # subjects are not classified: the indicator reads the core table
            out[name] = core
        else:
            out[f"{name}_classified"], _ = classify.classify(core, classify.spec(name))
    return out


@pytest.fixture(scope="module")
def sample(sample_dir):
    tables = classified_tables(sample_dir, EDITION)
    frame, coverage = indicators.compute(tables, EDITION)
    return tables, frame, coverage


def mid(frame: pd.DataFrame) -> pd.Series:
    """Whole persons per source row: the interval's midpoint, halves to the even neighbour
    (count_point_rule of reference/indicators/parameters.csv)."""
    assert disclosure.parameters().point_rule == "midpoint_half_even"
    return np.round((frame["count_low"] + frame["count_high"]) / 2)


def published(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["flag"].str.contains("suppressed")]


def cells_of(frame: pd.DataFrame, indicator_id: str, definition: str, **where) -> pd.DataFrame:
    part = frame[(frame["indicator_id"] == indicator_id) & (frame["definition"] == definition)]
    for column, value in where.items():
        part = part[part[column] == value]
    return part


def breakdown_text(**parts) -> str:
    return ";".join(f"{k}={v}" for k, v in parts.items() if v is not None)


def stem_codes(path: str, level: str | None = None) -> set[str]:
    table = reference.load(path).frame
    if level is not None:
        table = table[table["level"] == level]
    return set(table.loc[table["is_stem"] == "true", "code"])


# ---------------------------------------------------------------- coverage


def test_every_education_indicator_is_computed_or_reported_missing(sample):
    _, frame, coverage = sample
    status = coverage.set_index("indicator_id")["status"]
    assert {i for i in COMPUTED if status[i] == "computed"} == COMPUTED
    assert all(status[i] == "no_function" for i in NOT_COMPUTABLE)
    assert set(frame["indicator_id"]) == COMPUTED
    for indicator_id in COMPUTED:
        expected = {"none"} if indicator_id in SUBJECT_SHARES else {"nl", "isced"}
        assert set(frame.loc[frame["indicator_id"] == indicator_id, "definition"]) == expected, indicator_id


# ---------------------------------------------------------------- mbo


def test_mbo_participants_national_cells_equal_a_groupby_of_the_core_table(sample):
    tables, frame, _ = sample
    core = tables["mbo_participants_classified"]
    both = pd.concat([core, core.assign(sex="T")], ignore_index=True)
    both = both.assign(mid=mid(both), level=both["qualification_level"].astype(str), period=both["year"].astype(str))
    national = frame[frame["region_level"] == "national"]
    compared = 0
    for definition in ("nl", "isced"):
        stem = both[f"stem_{definition}"].fillna(False).astype(bool)
        rows = both.assign(num=both["mid"].where(stem, 0), num_low=both["count_low"].where(stem, 0))
        for keys in ([], ["level"], ["learning_path"], ["level", "learning_path"]):
            want = rows.groupby(["period", "sex", *keys], as_index=False)[["num", "num_low", "mid"]].sum()
            want["breakdown"] = (
                [breakdown_text(**dict(zip(keys, values))) for values in want[keys].itertuples(index=False)]
                if keys
                else ""
            )
            on = ["period", "sex", "breakdown"]
            count = want.merge(cells_of(national, "mbo_participants_stem", definition), on=on, validate="one_to_one")
            share = want.merge(
                cells_of(national, "mbo_participants_stem_share", definition), on=on, validate="one_to_one"
            )
            assert len(count) == len(share) == len(want) > 0
            count, share = published(count), published(share)
            assert (count["value"] == count["num"]).all() and (count["value_low"] == count["num_low"]).all()
            assert (share["numerator"] == share["num"]).all() and (share["denominator"] == share["mid"]).all()
            assert np.allclose(share["value"], (100 * share["num"] / share["mid"]).round(2))
            compared += len(count) + len(share)
    assert compared > 400


def test_mbo_regional_cells_add_up_and_follow_the_boundary_year(sample):
    tables, frame, _ = sample
    core = tables["mbo_participants_classified"]
    mbo = frame[frame["indicator_id"].str.startswith("mbo_participants")]
    assert set(mbo["region_level"]) == set(regions.LEVELS)
    regional = mbo[mbo["region_level"] != "national"]
    assert set(regional["breakdown"]) == {f"level={n}" for n in range(1, 5)}  # learning path: national only
    assert set(mbo["boundary_year"]) == {2024}
    assert checks.regions_add_up(frame) == []
    # one province by hand: the places' municipalities (current division) joined to the 2024 division
    division = regions.division(2024)
    province = core.join(division[["province_code"]], on="municipality_code")
    want = (
        province[province["province_code"] == "PV28"]
        .groupby(["year", "qualification_level"])
        .apply(mid, include_groups=False)
    )
    want = want.groupby(level=[0, 1]).sum()
    got = cells_of(frame, "mbo_participants_stem_share", "nl", region_code="PV28", sex="T")
    compared = 0
    for row in published(got).itertuples():
        assert row.denominator == want[(int(row.period), int(row.breakdown.split("=")[1]))]
        compared += 1
    assert compared >= 15


def test_mbo_counts_add_up_over_sex(sample):
    _, frame, _ = sample
    counts = published(frame[frame["unit"] == "count"])
    wide = counts.pivot_table(
        index=["indicator_id", "definition", "period", "region_level", "region_code", "breakdown"],
        columns="sex",
        values="value",
        aggfunc="first",
    ).dropna()
    assert len(wide) > 1000
    assert np.allclose(wide["T"], wide["M"] + wide["V"])


def test_mbo_diplomas_share_is_national_by_level_and_in_total(sample):
    tables, frame, _ = sample
    core = tables["mbo_diplomas_classified"]
    shares = frame[frame["indicator_id"] == "mbo_diplomas_stem_share"]
    assert set(shares["region_level"]) == {"national"} and shares["boundary_year"].isna().all()
    assert set(shares["breakdown"]) == {"", "level=1", "level=2", "level=3", "level=4"}
    for definition in ("nl", "isced"):
        stem = core[core[f"stem_{definition}"].fillna(False).astype(bool)]
        for year in sorted(set(core["year"])):
            for sex in ("M", "V"):
                want_num = mid(stem[(stem["year"] == year) & (stem["sex"] == sex)]).sum()
                want_den = mid(core[(core["year"] == year) & (core["sex"] == sex)]).sum()
                got = cells_of(shares, "mbo_diplomas_stem_share", definition, period=str(year), sex=sex, breakdown="")
                assert got["numerator"].iat[0] == want_num and got["denominator"].iat[0] == want_den
                assert got["value"].iat[0] == pytest.approx(round(100 * want_num / want_den, 2))


def test_mbo_regions_use_the_places_division_when_the_edition_year_cannot_hold_them(sample_dir):
    # the place table knows today's municipalities: Amsterdam absorbed Weesp in 2023, so a place in
    # today's Amsterdam cannot be put in the division of 2020; regional mbo figures then follow the
    # places' division and say so
    tables = classified_tables(sample_dir, "2020", names=("mbo_participants",))
    core = tables["mbo_participants_classified"]
    assert "GM0363" in set(core["municipality_code"])
    frame, _ = indicators.compute(tables, "2020")
    assert indicators.context("2020").boundary_year == 2020
    assert set(frame["boundary_year"]) == {mbo_indicators.places_division()}
    assert checks.regions_add_up(frame) == []


# ---------------------------------------------------------------- vo


def test_vmbo_year3_share_counts_the_technical_profiles_of_the_reference_tables(sample):
    tables, frame, _ = sample
    core = tables["vo_pupils_by_profile_classified"]
    year3 = core[(core["school_type"] == "VMBO") & (core["study_year"] == 3)]
    division = regions.division(2024)
    year3 = year3.join(division[["province_code"]], on="municipality_code")
    for definition, table in (("nl", "stem/nl_vo_profiles.csv"), ("isced", "stem/isced_vo_profiles.csv")):
        technical = year3["profile_code"].isin(stem_codes(table, "vmbo"))
        for region, rows, flags in (
            ("NL01", year3, technical),
            ("PV27", year3[year3["province_code"] == "PV27"], technical[year3["province_code"] == "PV27"]),
        ):
            for sex in ("T", "M", "V"):
                pick = rows["sex"] == sex if sex != "T" else pd.Series(True, index=rows.index)
                want_num, want_den = mid(rows[pick & flags]).sum(), mid(rows[pick]).sum()
                got = cells_of(frame, "vmbo_year3_technical_profile_share", definition, region_code=region, sex=sex)
                assert len(got) == 1 and got["breakdown"].iat[0] == "" and got["period"].iat[0] == "2023"
                assert "suppressed" not in got["flag"].iat[0]
                assert got["numerator"].iat[0] == want_num and got["denominator"].iat[0] == want_den
                assert got["value"].iat[0] == pytest.approx(round(100 * want_num / want_den, 2))
    # the international definition leaves out MVI (ISCED-F 02), so it counts fewer pupils
    national = cells_of(frame, "vmbo_year3_technical_profile_share", "nl", region_level="national", sex="T")
    international = cells_of(frame, "vmbo_year3_technical_profile_share", "isced", region_level="national", sex="T")
    assert 0 < international["numerator"].iat[0] < national["numerator"].iat[0]


@pytest.mark.parametrize(
    "indicator_id,table,year",
    [
        ("havo_vwo_year4_n_profile_share", "vo_pupils_by_profile_classified", None),
        ("havo_vwo_exam_n_profile_share", "vo_exam_candidates_classified", "candidates"),
    ],
)
def test_havo_vwo_n_profile_shares_equal_a_groupby(sample, indicator_id, table, year):
    tables, frame, _ = sample
    core = tables[table]
    rows = core[core["school_type"].isin(["HAVO", "VWO"])]
    rows = rows[rows["study_year"] == 4] if year is None else rows[rows["measure"] == year]
    compared = 0
    for school_type in ("HAVO", "VWO"):
        n_profile = stem_codes("stem/nl_vo_profiles.csv", school_type.lower())
        part = rows[rows["school_type"] == school_type]
        for (period, sex), group in part.groupby(["year", "sex"]):
            want_num, want_den = mid(group[group["profile_code"].isin(n_profile)]).sum(), mid(group).sum()
            where = {
                "period": str(period),
                "region_level": "national",
                "sex": sex,
                "breakdown": f"school_type={school_type.lower()}",
            }
            got = cells_of(frame, indicator_id, "nl", **where)
            assert got["numerator"].iat[0] == want_num and got["denominator"].iat[0] == want_den
            assert got["value"].iat[0] == pytest.approx(round(100 * want_num / want_den, 2))
            # ISCED-F counts no havo/vwo profile as STEM (general education, field 0011)
            zero = cells_of(frame, indicator_id, "isced", **where)
            assert (
                zero["numerator"].iat[0] == 0 and zero["value"].iat[0] == 0 and zero["denominator"].iat[0] == want_den
            )
            compared += 1
    assert compared >= 4
    count = frame[(frame["indicator_id"] == "havo_vwo_year4_n_profile") & (frame["definition"] == "nl")]
    share = frame[(frame["indicator_id"] == "havo_vwo_year4_n_profile_share") & (frame["definition"] == "nl")]
    keys = ["period", "region_level", "region_code", "breakdown", "sex"]
    joined = published(count).merge(published(share), on=keys, suffixes=("", "_share"))
    assert len(joined) > 500 and (joined["value"] == joined["numerator_share"]).all()


def test_vo_regions_add_up_and_municipalities_are_of_the_school_location(sample):
    tables, frame, _ = sample
    assert checks.regions_add_up(frame) == []
    exams = tables["vo_exam_candidates_classified"]
    candidates = exams[(exams["measure"] == "candidates") & (exams["school_type"] == "VWO")]
    share = cells_of(
        frame,
        "havo_vwo_exam_n_profile_share",
        "nl",
        region_level="municipality",
        breakdown="school_type=vwo",
        sex="T",
        period="2023",
    )
    want = candidates[candidates["year"] == 2023].groupby("municipality_code").apply(mid, include_groups=False)
    want = want.groupby(level=0).sum()
    shown = published(share)
    assert len(shown) > 50
    assert (shown.set_index("region_code")["denominator"] == want.reindex(shown["region_code"]).to_numpy()).all()
    assert set(share["region_code"]) == set(want.index)


# ---------------------------------------------------------------- disclosure


def _equations(cells: pd.DataFrame, members: dict) -> np.ndarray:
    """The relations a reader knows between the cells of one cube and period."""
    index = {
        k: i for i, k in enumerate(zip(cells["region_level"], cells["region_code"], cells["breakdown"], cells["sex"]))
    }
    rows = []
    municipal = {}
    for level, code, breakdown, sex in index:
        if level == "municipality":
            municipal.setdefault((breakdown, sex), set()).add(code)
    for (level, code, breakdown, sex), i in index.items():
        if level != "municipality":
            parts = sorted(members[(level, code)] & municipal.get((breakdown, sex), set()))
            if parts:
                rows.append({i: 1.0, **{index[("municipality", m, breakdown, sex)]: -1.0 for m in parts}})
        if sex == "T" and (level, code, breakdown, "M") in index and (level, code, breakdown, "V") in index:
            rows.append(
                {i: 1.0, index[(level, code, breakdown, "M")]: -1.0, index[(level, code, breakdown, "V")]: -1.0}
            )
    # breakdown margins: every coarser breakdown of a region and sex is the sum of the finest ones it contains
    by_region: dict[tuple[str, str, str], dict[str, set[str]]] = {}
    for level, code, breakdown, sex in index:
        by_region.setdefault((level, code, sex), {})[breakdown] = set(breakdown.split(";")) - {""}
    for (level, code, sex), parts in by_region.items():
        finest = max(len(p) for p in parts.values())
        atoms = [b for b, p in parts.items() if len(p) == finest]
        for b, p in parts.items():
            if len(p) < finest:
                inside = [a for a in atoms if p <= parts[a]]
                rows.append({index[(level, code, b, sex)]: 1.0, **{index[(level, code, a, sex)]: -1.0 for a in inside}})
    matrix = np.zeros((len(rows), len(index)))
    for r, terms in enumerate(rows):
        for i, v in terms.items():
            matrix[r, i] = v
    return matrix


def _determined(cells: pd.DataFrame, members: dict) -> list[int]:
    """Positions of the cells to protect (`must`) that follow from the published cells: those whose
    coordinate vanishes on every solution of the equations restricted to the unpublished cells."""
    matrix = _equations(cells, members)
    hidden = np.flatnonzero(cells["hidden"].to_numpy())
    if not len(hidden):
        return []
    sub = matrix[:, hidden]
    sub = sub[np.abs(sub).sum(axis=1) > 0]
    if not len(sub):
        return []
    if len(sub) < sub.shape[1]:  # zero rows change nothing and give a square basis of the whole space
        sub = np.vstack([sub, np.zeros((sub.shape[1] - len(sub), sub.shape[1]))])
    _, sing, vt = np.linalg.svd(sub, full_matrices=False)
    null = vt[int((sing > 1e-9).sum()) :]
    must = cells["must"].to_numpy()[hidden]
    return [int(hidden[k]) for k in range(len(hidden)) if must[k] and np.abs(null[:, k]).max(initial=0) < 1e-9]


def _knowledge(frame: pd.DataFrame, sources: list[tuple[str, str, str]], by_definition: bool) -> pd.DataFrame:
    """What a reader knows about one cube from every row that shows it: (indicator, column, rule prefix
    of the cube in that row). A cell is hidden when no row shows it; it must stay hidden when a row
    suppressed it for this cube's sake."""
    parts = []
    for indicator_id, column, prefix in sources:
        rows = frame[frame["indicator_id"] == indicator_id]
        hidden = rows["flag"].str.contains("suppressed")
        parts.append(rows.assign(hidden=hidden, must=hidden & rows["rule"].str.startswith(prefix), known=rows[column]))
    rows = pd.concat(parts, ignore_index=True)
    if not by_definition:
        rows["definition"] = "none"
    keys = ["definition", "period", "region_level", "region_code", "breakdown", "sex"]
    return rows.groupby(keys, as_index=False).agg(
        hidden=("hidden", "all"), must=("must", "any"), boundary_year=("boundary_year", "first")
    )


CUBES = [  # the cubes the published rows show, and where
    [("mbo_participants_stem", "value", ""), ("mbo_participants_stem_share", "numerator", "numerator")],
    [("mbo_participants_stem_share", "denominator", "denominator")],
    [("mbo_diplomas_stem_share", "numerator", "numerator")],
    [("mbo_diplomas_stem_share", "denominator", "denominator")],
    [("vmbo_year3_technical_profile_share", "numerator", "numerator")],
    [("vmbo_year3_technical_profile_share", "denominator", "denominator")],
    [("havo_vwo_year4_n_profile", "value", ""), ("havo_vwo_year4_n_profile_share", "numerator", "numerator")],
    [("havo_vwo_year4_n_profile_share", "denominator", "denominator")],
    [("havo_vwo_exam_n_profile_share", "numerator", "numerator")],
    [("havo_vwo_exam_n_profile_share", "denominator", "denominator")],
]


@cache
def _members(boundary_year: int) -> dict:
    return regions.members(boundary_year)


def determined_cells(frame: pd.DataFrame) -> list[str]:
    found = []
    for sources_of_cube in CUBES:
        by_definition = sources_of_cube[0][2] != "denominator"
        cube = _knowledge(frame, sources_of_cube, by_definition)
        for (definition, period), cells in cube.groupby(["definition", "period"]):
            years = cells["boundary_year"].dropna().unique()
            members = _members(int(years[0])) if len(years) else {("national", "NL01"): frozenset()}
            cells = cells.reset_index(drop=True)
            found += [
                f"{sources_of_cube[0][0]} {definition} {period} {cells.loc[i, 'region_code']} "
                f"{cells.loc[i, 'breakdown']} {cells.loc[i, 'sex']}"
                for i in _determined(cells, members)
            ]
    return found


def test_nothing_small_is_published(sample):
    _, frame, _ = sample
    assert checks.small_cells_flagged(frame) == []
    threshold = disclosure.parameters().threshold
    shown = published(frame)
    assert not (shown["denominator"] < threshold).any()
    assert not ((shown["unit"] == "count") & (shown["value_low"] < threshold) & (shown["value_high"] > 0)).any()
    hidden = frame[frame["flag"].str.contains("suppressed")]
    assert len(hidden) > 100 and hidden["value"].isna().all() and (hidden["rule"] != "").all()


def test_no_suppressed_cell_can_be_recomputed(sample):
    _, frame, _ = sample
    for _, group in frame[frame["unit"] == "count"].groupby(["indicator_id", "definition", "period", "breakdown"]):
        cells = group.assign(suppressed=group["flag"].str.contains("suppressed"))
        assert disclosure.recoverable_cells(cells, _members(2024)) == []
    # every cube (counts, numerators and denominators of shares) with every relation a reader has,
    # the breakdown margins included
    assert determined_cells(frame) == []


@pytest.fixture(scope="module")
def one_institution(sample):
    """The mbo participants of the sample's smallest institution: small cells in every breakdown."""
    tables, _, _ = sample
    core = tables["mbo_participants_classified"]
    sizes = core.groupby("institution_code")["count_high"].sum()
    part = core[core["institution_code"] == sizes.idxmin()].reset_index(drop=True)
    frame, _ = indicators.compute({"mbo_participants_classified": part}, EDITION)
    return part, frame


def test_breakdown_margins_are_protected_together(one_institution):
    _, frame = one_institution
    national = frame[frame["region_level"] == "national"]
    assert national["flag"].str.contains("suppressed").any()
    assert (national["rule"].str.endswith("secondary:breakdown")).any()
    assert checks.small_cells_flagged(frame) == []
    assert checks.recoverable_by_subtraction(frame) == []
    assert determined_cells(frame) == []
    # every shared national cell is published once: under the regional cube
    assert not frame.duplicated(["indicator_id", "definition", "period", "region_code", "sex", "breakdown"]).any()


def test_the_recomputation_check_finds_unprotected_margins(one_institution):
    _, frame = one_institution
    naive = frame.copy()
    complements = naive["rule"].str.contains("secondary:breakdown")
    assert complements.any()
    naive.loc[complements, "flag"] = ""
    assert determined_cells(naive)


# ---------------------------------------------------------------- real DUO files


def _raw_rows(path: Path):
    with open(path, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter=";")


def test_real_mbo_file_national_cells_equal_an_independent_count(realdata):
    path = realdata / MBO_REAL
    raw = sources.parse(path).frame
    table, _ = classify.classify(
        core_mbo.mbo_participants(raw, "2020", 2019), classify.spec("mbo_participants"), allow_unclassified=True
    )
    frame, coverage = indicators.compute({"mbo_participants_classified": table}, "2020")
    assert set(coverage.loc[coverage["status"] == "computed", "indicator_id"]) == {
        "mbo_participants_stem",
        "mbo_participants_stem_share",
    }
    nl = stem_codes("stem/nl_mbo_qualifications.csv")
    want: dict[tuple[str, str, str], list[int]] = {}
    for row in _raw_rows(path):
        level, path_, code = (
            row["KWALIFICATIENIVEAU"].strip(),
            row["TYPE MBO"].strip(),
            row["KWALIFICATIE CODE"].strip(),
        )
        for sex, column in (("M", "MAN2019"), ("V", "VROUW2019")):
            n = int(row[column].strip() or 0)
            for key in product((level, ""), (path_, ""), (sex, "T")):
                cell = want.setdefault(key, [0, 0])
                cell[0] += n if code in nl else 0
                cell[1] += n
    compared = 0
    for (level, path_, sex), (stem, every) in want.items():
        got = cells_of(
            frame,
            "mbo_participants_stem_share",
            "nl",
            period="2019",
            region_level="national",
            breakdown=breakdown_text(level=level or None, learning_path=path_ or None),
            sex=sex,
        )
        assert len(got) == 1
        if "suppressed" not in got["flag"].iat[0]:
            assert got["numerator"].iat[0] == stem and got["denominator"].iat[0] == every
            compared += 1
    assert compared >= 10
    assert frame.loc[frame["region_level"] == "national", "rule"].str.contains("secondary:breakdown").any()
    assert checks.small_cells_flagged(frame) == [] and determined_cells(frame) == []


def test_real_exam_file_n_profile_share_equals_an_independent_count(realdata):
    path = realdata / VO_REAL
    raw = sources.parse(path).frame
    table, _ = classify.classify(
        core_vo.vo_exam_candidates(raw, "2025", 2024), classify.spec("vo_exam_candidates"), allow_unclassified=True
    )
    table = table[table["year"] == 2020].reset_index(drop=True)  # one exam year keeps the test quick
    frame, _ = indicators.compute({"vo_exam_candidates_classified": table}, "2025")
    compared = 0
    for school_type in ("HAVO", "VWO"):
        n_profile = stem_codes("stem/nl_vo_profiles.csv", school_type.lower())
        # [stem, all] x [low, high, whole persons]: '<5' is 1..4, published as 2 (2.5 to the even neighbour)
        bounds = {sex: np.zeros((2, 3)) for sex in ("M", "V")}
        for row in _raw_rows(path):
            if row["ONDERWIJSTYPE VO"] != school_type:
                continue
            for sex, label in (("M", "MAN"), ("V", "VROUW")):
                text = row[f"EXAMENKANDIDATEN SCHOOLJAAR 2019-2020 - {label}"]
                pair = np.array((1, 4, 2) if text == "<5" else (int(text),) * 3)
                bounds[sex][1] += pair
                if row["INSPECTIECODE"] in n_profile:
                    bounds[sex][0] += pair
        bounds["T"] = bounds["M"] + bounds["V"]
        for sex, (stem, every) in bounds.items():
            got = cells_of(
                frame,
                "havo_vwo_exam_n_profile_share",
                "nl",
                period="2020",
                region_level="national",
                breakdown=f"school_type={school_type.lower()}",
                sex=sex,
            )
            assert got["numerator"].iat[0] == stem[2] and got["denominator"].iat[0] == every[2]
            assert got["value"].iat[0] == pytest.approx(round(100 * stem[2] / every[2], 2))
            # the masked STEM rows are rows of the whole too: lowest with them at 1 and the others at 4
            masked_stem = stem[1] - stem[0]
            assert got["value_low"].iat[0] == pytest.approx(round(100 * stem[0] / (every[1] - masked_stem), 2))
            assert got["value_high"].iat[0] == pytest.approx(round(100 * stem[1] / (every[0] + masked_stem), 2))
            compared += 1
    assert compared == 6
    assert checks.small_cells_flagged(frame) == [] and determined_cells(frame) == []
