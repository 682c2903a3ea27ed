"""What the indicators stage keeps between calls: region tables and memberships (per boundary year
and content of the region tables), the disclosure control's exact test (per system) and the brute
force check's relations (per set of regions with data). A cache keyed too coarsely gives another
year's, another table's or another system's answer; these tests would see it."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd

from pipeline import disclosure, reference, regions
from pipeline.indicators import checks

# ---------------------------------------------------------------- regions


def test_members_are_per_boundary_year_and_a_fresh_dict():
    # Delfzijl (GM0010) merged into Eemsdelta (GM1979) on 1 January 2021 (CBS)
    first_2020 = regions.members(2020)
    first_2024 = regions.members(2024)
    assert "GM0010" in first_2020[("national", "NL01")] and "GM1979" not in first_2020[("national", "NL01")]
    assert "GM1979" in first_2024[("national", "NL01")] and "GM0010" not in first_2024[("national", "NL01")]
    first_2024[("national", "NL01")] = frozenset()
    first_2024.pop(("province", "PV20"))
    again = regions.members(2024)
    assert len(again[("national", "NL01")]) == 342 and ("province", "PV20") in again
    assert regions.members(2020) == first_2020


def test_region_tables_follow_an_override_of_their_content(tmp_path, monkeypatch):
    assert "GM0363" in regions.members(2024)[("national", "NL01")]
    assert regions.map_code("GM0363", 2024, 2024) == regions.Mapping("GM0363", "same")
    # an official table that lacks Amsterdam in 2024 and has no 2026 division
    source = reference.table_path("regions/municipalities.csv")
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    table = table[~((table["boundary_year"] == "2024") & (table["municipality_code"] == "GM0363"))]
    table = table[table["boundary_year"] != "2026"]
    table.to_csv(tmp_path / "municipalities.csv", index=False)
    shutil.copy(source.with_suffix(".meta.toml"), tmp_path / "municipalities.meta.toml")
    monkeypatch.setenv("TECHPACT_REFERENCE_OVERRIDES", str(tmp_path))
    assert "GM0363" not in regions.members(2024)[("national", "NL01")]
    assert "GM0363" not in regions.division(2024).index
    assert regions.map_code("GM0363", 2024, 2024) is None
    assert regions.boundary_years()[-1] == 2025
    monkeypatch.delenv("TECHPACT_REFERENCE_OVERRIDES")
    assert "GM0363" in regions.members(2024)[("national", "NL01")]
    assert regions.boundary_years()[-1] == 2026


def test_map_municipalities_gives_each_row_the_mapping_of_its_own_code_and_year():
    rows = [
        ("GM0010", 2019),
        ("GM0363", 2015),
        ("GM0003", 2019),
        ("GM0010", 2019),
        ("GM0363", 2024),
        ("GM1979", 2024),
        ("GM0003", 2020),
    ]
    frame = pd.DataFrame(rows * 3, columns=["municipality_code", "code_year"]).sample(frac=1, random_state=1)
    out = regions.map_municipalities(frame, 2024)
    assert list(out.index) == list(frame.index)
    for (code, year), got, kind in zip(
        frame.itertuples(index=False), out["boundary_municipality_code"], out["municipality_mapping"]
    ):
        want = regions.map_code(code, year, 2024)
        assert (got, kind) == (want.code, want.kind)
    # Delfzijl and Appingedam went into Eemsdelta in 2021 (CBS)
    assert set(out.loc[out["municipality_code"].isin(["GM0010", "GM0003"]), "boundary_municipality_code"]) == {"GM1979"}
    assert set(out.loc[out["municipality_code"] == "GM0010", "municipality_mapping"]) == {"merger"}


# ---------------------------------------------------------------- disclosure: the same pattern per system


def test_protecting_many_cubes_together_decides_as_each_cube_alone():
    members = regions.members(2024)
    div = regions.division(2024)
    cr01 = sorted(div[div["corop_code"] == "CR01"]["municipality_code"])
    rng = np.random.default_rng(3)
    cubes = []
    first: dict[str, tuple[int, int]] = {}
    for cube in range(6):
        counts = {code: (int(rng.integers(0, 40)), int(rng.integers(0, 40))) for code in cr01[:4] + ["GM0363"]}
        if cube == 0:
            first = counts
        elif cube % 2:  # every second cube repeats the first cube's counts: the same systems again
            counts = first
        values = {}
        for code, (m, v) in counts.items():
            values.update(
                {("municipality", code, "M"): m, ("municipality", code, "V"): v, ("municipality", code, "T"): m + v}
            )
        for (level, code), inside in members.items():
            if level == "municipality" or not (set(counts) & inside):
                continue
            m = sum(counts[c][0] for c in counts if c in inside)
            v = sum(counts[c][1] for c in counts if c in inside)
            values.update({(level, code, "M"): m, (level, code, "V"): v, (level, code, "T"): m + v})
        cubes.append(
            pd.DataFrame(
                [
                    {
                        "cube": f"c{cube}",
                        "region_level": level,
                        "region_code": code,
                        "sex": sex,
                        "low": float(n),
                        "high": float(n),
                        "boundary_year": 2024,
                    }
                    for (level, code, sex), n in values.items()
                ]
            )
        )
    same = [c.drop(columns="cube") for c in (cubes[0], cubes[1], cubes[3], cubes[5])]
    assert all(c.equals(same[0]) for c in same) and not cubes[2].drop(columns="cube").equals(same[0])
    together = disclosure.protect(pd.concat(cubes, ignore_index=True), ["cube"], {2024: members})
    assert together["suppressed"].any()
    for cube in cubes:
        flags, rules = disclosure._protect_group(cube.reset_index(drop=True), members, disclosure.parameters())
        got = together[together["cube"] == cube["cube"].iat[0]]
        assert list(got["suppressed"]) == list(flags) and list(got["rule"]) == rules
        hidden = cube.assign(suppressed=flags)
        assert disclosure.recoverable_cells(hidden, members) == []


# ---------------------------------------------------------------- the brute force check's relations


def _count_rows(breakdown: str, cells: dict[tuple[str, str, str], bool]) -> list[dict]:
    return [
        {
            "indicator_id": "x",
            "definition": "nl",
            "period": "2023",
            "breakdown": breakdown,
            "region_level": level,
            "region_code": code,
            "sex": sex,
            "unit": "count",
            "value": np.nan if hidden else 1.0,
            "flag": "suppressed" if hidden else "",
            "boundary_year": 2024,
        }
        for (level, code, sex), hidden in cells.items()
    ]


def test_brute_force_check_finds_relations_of_each_group_own_regions():
    div = regions.division(2024)
    corop = div[div["corop_code"] == "CR01"]
    first, second = sorted(corop["municipality_code"])[:2]
    province = corop["province_code"].iat[0]
    # group a: CR01 has data for two municipalities, one hidden: CR01 - published one = hidden one
    a = {("corop", "CR01", "T"): False, ("municipality", first, "T"): True, ("municipality", second, "T"): False}
    # group b (same regions, one municipality fewer): CR01 = its only municipality, hidden
    b = {("corop", "CR01", "T"): False, ("municipality", first, "T"): True}
    # group c: nothing hidden, nothing to find
    c = {("corop", "CR01", "T"): False, ("province", province, "T"): False, ("municipality", first, "T"): False}
    # group d: CR01 and one of its two municipalities hidden: two unknowns in every relation, safe
    d = {("corop", "CR01", "T"): True, ("municipality", first, "T"): True, ("municipality", second, "T"): False}
    frame = pd.DataFrame(_count_rows("a", a) + _count_rows("b", b) + _count_rows("c", c) + _count_rows("d", d))
    found = checks.recoverable_by_subtraction(frame)
    assert found == [
        "('x', 'nl', '2023', 'a') corop CR01 T = parts at municipality",
        "('x', 'nl', '2023', 'b') corop CR01 T = parts at municipality",
    ]


def test_regions_add_up_compares_each_level_with_its_own_group_total():
    rows = []
    for breakdown, national, provinces in (
        ("a", 10.0, [4.0, 6.0]),
        ("b", 10.0, [4.0, 5.0]),
        ("c", np.nan, [1.0, 2.0]),
        ("d", 7.0, [np.nan, 7.0]),
    ):
        rows.append({"region_level": "national", "region_code": "NL01", "value": national, "breakdown": breakdown})
        rows += [
            {"region_level": "province", "region_code": f"PV2{i}", "value": v, "breakdown": breakdown}
            for i, v in enumerate(provinces)
        ]
    frame = pd.DataFrame(rows).assign(indicator_id="x", definition="nl", period="2023", sex="T", unit="count")
    assert checks.regions_add_up(frame) == ["('x', 'nl', '2023', 'b', 'T') province: 9.0 != 10.0"]
