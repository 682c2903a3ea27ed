"""Disclosure control (issue 19): whole persons, flags from one legend, secondary suppression as an
integer program and the attacker's audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import disclosure, reference, suppression
from pipeline.indicators import checks
from pipeline.publish import report

PROVINCE = ("province", "PV99")


def _cells(values: dict[tuple[str, str, str], float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"region_level": level, "region_code": code, "sex": sex, "low": float(v), "high": float(v)}
            for (level, code, sex), v in values.items()
        ]
    )


# ---------------------------------------------------------------- whole persons


def test_a_count_resting_on_masked_source_rows_is_a_whole_number_and_still_adds_up():
    low = np.array([1.0, 1.0, 1.0, 5.0, 7.0])  # three rows masked at source (1 to 4), two exact
    high = np.array([4.0, 4.0, 4.0, 8.0, 7.0])
    point = disclosure.point_value(low, high, "midpoint_half_even")
    assert (point == np.round(point)).all()
    assert list(point) == [2.0, 2.0, 2.0, 6.0, 7.0]  # 2.5 and 6.5 go to the even neighbour
    # a sum is published as the sum of its rows' points: regions keep adding up to the whole
    assert point.sum() == disclosure.point_value(low[:3], high[:3]).sum() + point[3:].sum()
    assert list(disclosure.point_value(low, high, "low")) == list(low)


def test_the_point_rule_and_thresholds_are_parameters():
    params = disclosure.parameters()
    table = reference.load("indicators/parameters.csv").frame.set_index("parameter")["value"]
    assert params.point_rule == table["count_point_rule"] and params.point_rule in disclosure.POINT_RULES
    assert params.masked_material_share == float(table["masked_material_share"])
    assert params.protection_level == float(table["disclosure_protection_level"])


def test_masked_is_flagged_only_where_the_interval_matters():
    params = disclosure.Parameters(masked_material_share=0.01)
    low = np.array([39000.0, 1.0, 100.0, 10.0])
    high = np.array([39150.0, 4.0, 102.0, 10.0])
    point = disclosure.point_value(low, high)
    # 150 on 39,075 is under 1%; 1..4 is wide; 2 on 101 is more than 1%; an exact count is not masked
    assert list(disclosure.masked_material(low, high, point, params)) == [False, True, True, False]


# ---------------------------------------------------------------- one legend


def test_a_share_of_a_whole_moves_its_masked_rows_in_numerator_and_denominator_together():
    """Six rows of a whole, two of them STEM; one STEM row and one other row masked at source (1..4).
    Every way the two masked rows can be filled gives a share inside the nested bounds, and both
    bounds are reached; the independent bounds are wider than any filling allows."""
    from itertools import product

    from pipeline.indicators import cells as cell_logic

    stem_exact, other_exact = [30], [20, 40, 10]
    shares = []
    for a, b in product(range(1, 5), repeat=2):  # a: the masked STEM row, b: the masked other row
        stem = sum(stem_exact) + a
        shares.append(100 * stem / (stem + sum(other_exact) + b))
    num_low, num_high = 31, 34
    den_low, den_high = 31 + 70 + 1, 34 + 70 + 4
    low, high = cell_logic.quotient_bounds(num_low, num_high, den_low, den_high, 100.0, nested=True)
    assert float(low) == pytest.approx(min(shares)) and float(high) == pytest.approx(max(shares))
    wide_low, wide_high = cell_logic.quotient_bounds(num_low, num_high, den_low, den_high, 100.0, nested=False)
    assert wide_low < min(shares) - 0.5 and wide_high > max(shares) + 0.5


def test_a_share_is_flagged_masked_only_where_its_interval_is_material():
    params = disclosure.Parameters(masked_material_share=0.01)
    # 30.35 in [30.20, 30.50]: 0.30 wide, under 1% of the value (0.3035); a 0-share in [0, 0.5];
    # 12.00 in [11.80, 12.40]: 5%; an exact share; no upper bound
    low, high = [30.20, 0.0, 11.80, 40.0, 1.0], [30.50, 0.5, 12.40, 40.0, np.inf]
    value = [30.35, 0.0, 12.00, 40.0, 2.0]
    assert list(disclosure.masked_material(low, high, value, params, unit=0.01)) == [False, True, True, False, True]


def test_every_flag_a_cell_can_carry_is_in_the_legend_with_one_symbol_in_both_languages():
    legend = reference.load("indicators/flags.csv").frame
    assert legend["flag"].is_unique and legend["symbol"].is_unique
    # CBS's symbols where CBS has one
    cbs = dict(zip(legend.loc[legend["cbs"] == "true", "flag"], legend.loc[legend["cbs"] == "true", "symbol"]))
    assert cbs == {"not_available": ".", "suppressed": "x", "nil": "-", "provisional": "*"}
    produced = set(report.FLAG_ORDER) | set(reference.load("indicators/period_flags.csv").frame["flag"])
    assert produced <= set(legend["flag"])
    nl, en = report.messages("nl"), report.messages("en")
    for flag in legend["flag"]:
        assert nl["flag_symbol_" + flag] == en["flag_symbol_" + flag]
        assert "{" not in nl["flag_" + flag + "_note"] and "{" not in en["flag_" + flag + "_note"]


# ---------------------------------------------------------------- the attacker's audit


def test_subtraction_recovers_nothing_but_the_linear_program_pins_a_cell():
    """A municipality of 3 men and no women beside one of nobody, in a province: with the four sex
    cells of the two municipalities suppressed, every equation holds two suppressed cells and no
    cell is a linear function of the published ones, but non-negativity gives the men away."""
    men_women = {("municipality", "GMA"): (3, 0), ("municipality", "GMB"): (0, 0), PROVINCE: (3, 0)}
    values = {(*r, s): n for r, (m, v) in men_women.items() for s, n in (("M", m), ("V", v), ("T", m + v))}
    members = {PROVINCE: frozenset({"GMA", "GMB"})}
    cells = _cells(values)
    hidden = {("GMA", "M"), ("GMA", "V"), ("GMB", "M"), ("GMB", "V")}
    cells["suppressed"] = [(c, s) in hidden for c, s in zip(cells["region_code"], cells["sex"])]
    cells["rule"] = np.where(
        (cells["region_code"] == "GMA") & (cells["sex"] == "M"),
        "primary:n<10",
        np.where(cells["suppressed"], "secondary:sex", ""),
    )
    # the old tests pass it: nothing is a linear function of published cells, no relation has one
    # suppressed member
    assert disclosure.recoverable_cells(cells, members) == []
    rows = cells.assign(
        indicator_id="x",
        definition="nl",
        period="2024",
        breakdown="",
        unit="count",
        flag=np.where(cells["suppressed"], "suppressed", ""),
        boundary_year=pd.NA,
    )
    assert checks.recoverable_by_subtraction(rows) == []
    # the build's check, over the published rows, refuses it
    published = rows.assign(
        value=np.where(rows["suppressed"], np.nan, rows["low"]),
        value_low=np.where(rows["suppressed"], np.nan, rows["low"]),
        value_high=np.where(rows["suppressed"], np.nan, rows["high"]),
    )
    found = checks.attacker_audit(published, disclosure.Parameters(protection_level=1), members)
    assert len(found) == 1 and "GMA M: between 3 and 3" in found[0]
    # the attacker's linear program pins the men at 3
    exposed = disclosure.audit(cells, members, disclosure.Parameters(protection_level=1))
    assert [(cells.loc[i, "region_code"], cells.loc[i, "sex"]) for i, _, _ in exposed] == [("GMA", "M")]
    (_, smallest, largest) = exposed[0]
    assert smallest == pytest.approx(3) and largest == pytest.approx(3)


def test_the_audit_passes_a_cell_whose_interval_is_wide_enough():
    # R = m1 + m2 + m3 with m1 (3) and m2 (20) suppressed: m1 lies anywhere in [0, 23]
    values = {("municipality", "GM1", "T"): 3, ("municipality", "GM2", "T"): 20, ("municipality", "GM3", "T"): 40}
    values[(*PROVINCE, "T")] = 63
    cells = _cells(values)
    cells["suppressed"] = cells["region_code"].isin(["GM1", "GM2"])
    cells["rule"] = np.where(cells["region_code"] == "GM1", "primary:n<10", np.where(cells["suppressed"], "x", ""))
    members = {PROVINCE: frozenset({"GM1", "GM2", "GM3"})}
    assert disclosure.audit(cells, members, disclosure.Parameters(protection_level=23)) == []
    too_narrow = disclosure.audit(cells, members, disclosure.Parameters(protection_level=24))
    assert [(i, round(lo), round(hi)) for i, lo, hi in too_narrow] == [(0, 0, 23)]


# ---------------------------------------------------------------- the integer program


def test_the_integer_program_finds_the_optimum_known_by_hand():
    """A province of four municipalities (totals only), two of them small (3 and 5), threshold and
    protection level 10. Suppressing the two small ones alone lets a reader place the first between
    0 and 8 (their sum is published): too narrow. The cheapest pattern adds the smallest other
    municipality (20), not the larger one (50) nor the province; the old search stopped at the pair."""
    values = {
        ("municipality", "GM1", "T"): 3,
        ("municipality", "GM2", "T"): 20,
        ("municipality", "GM3", "T"): 5,
        ("municipality", "GM4", "T"): 50,
        (*PROVINCE, "T"): 78,
    }
    members = {PROVINCE: frozenset({"GM1", "GM2", "GM3", "GM4"})}
    cells = _cells(values)
    params = disclosure.Parameters(threshold=10, protection_level=10)
    flags, rules = disclosure._protect_group(cells, members, params)
    assert set(cells.loc[flags, "region_code"]) == {"GM1", "GM2", "GM3"}
    assert [r for r, f in zip(rules, flags) if f] == ["primary:n<10", "secondary:region", "primary:n<10"]
    assert disclosure.audit(cells.assign(suppressed=flags, rule=rules), members, params) == []
    # the pair alone is not recoverable by subtraction, but the audit refuses it
    pair = cells.assign(suppressed=cells["region_code"].isin(["GM1", "GM3"]), rule=rules)
    pair["rule"] = np.where(pair["suppressed"], "primary:n<10", "")
    assert disclosure.recoverable_cells(pair, members) == []
    assert disclosure.audit(pair, members, params)


def test_the_program_prefers_a_municipality_to_a_province_and_keeps_the_national_figure():
    # one small municipality whose only partners are a large municipality and the province above it
    values = {
        ("municipality", "GM1", "T"): 4,
        ("municipality", "GM2", "T"): 900,
        (*PROVINCE, "T"): 904,
        ("national", "NL01", "T"): 904,
    }
    members = {PROVINCE: frozenset({"GM1", "GM2"}), ("national", "NL01"): frozenset({"GM1", "GM2"})}
    cells = _cells(values)
    flags, _ = disclosure._protect_group(cells, members, disclosure.Parameters())
    assert set(cells.loc[flags, "region_code"]) == {"GM1", "GM2"}


def test_the_cost_prefers_lower_levels_and_fewer_persons():
    weights = np.array([disclosure.LEVEL_WEIGHT[v] for v in ("municipality", "municipality", "corop", "province")])
    costs = suppression.cost(weights, np.array([10.0, 5000.0, 10.0, 10.0]))
    assert costs[0] < costs[1] < costs[2] < costs[3]


# ---------------------------------------------------------------- what was hidden


def test_the_tally_counts_cells_and_persons_per_level_once_per_cell():
    values = {
        ("municipality", "GM1", "T"): 3,
        ("municipality", "GM2", "T"): 20,
        ("municipality", "GM3", "T"): 40,
        (*PROVINCE, "T"): 63,
    }
    members = {PROVINCE: frozenset({"GM1", "GM2", "GM3"})}
    cells = _cells(values).assign(cube="c", definition="nl", period="2024", breakdown="", boundary_year=0)
    with disclosure.tally() as protected:
        for _ in range(2):  # protected twice (as linked systems are): counted once
            disclosure.record(disclosure.protect(cells, ["cube"], {0: members}))
    got = disclosure.summary(protected).set_index("region_level")
    assert got.loc["municipality"].to_dict() == {
        "cells": 3,
        "primary_cells": 1,
        "secondary_cells": 1,
        "primary_persons": 3,
        "secondary_persons": 20,
    }
    assert got.loc["province", "secondary_cells"] == 0


def test_a_group_whose_rounds_do_not_settle_is_completed_to_a_protected_pattern():
    """A province of twelve municipalities by sex with many small cells. The integer rounds are capped
    (a real vo file's group once took them for over half an hour); with no rounds at all the first
    pattern is completed cell by cell: it hides every small cell, passes the attacker's audit and
    costs at least the optimum's."""
    rng = np.random.default_rng(7)
    men, women = rng.integers(0, 14, 12), rng.integers(0, 40, 12)
    values = {}
    for k, (m, v) in enumerate(zip(men, women)):
        values |= {("municipality", f"GM{k:02}", "M"): m, ("municipality", f"GM{k:02}", "V"): v}
        values[("municipality", f"GM{k:02}", "T")] = m + v
    values |= {(*PROVINCE, "M"): men.sum(), (*PROVINCE, "V"): women.sum(), (*PROVINCE, "T"): men.sum() + women.sum()}
    members = {PROVINCE: frozenset(f"GM{k:02}" for k in range(12))}
    cells = _cells(values)
    params = disclosure.Parameters(threshold=10, protection_level=10)
    equations = [t for _, t in disclosure._equations(cells, members)]
    low, high = cells["low"].to_numpy(), cells["high"].to_numpy()
    primary = (low < params.threshold) & (high > 0)
    weights = np.array([disclosure.LEVEL_WEIGHT[v] for v in cells["region_level"]], dtype=float)
    assert primary.sum() >= 8

    def pattern(rounds: int) -> np.ndarray:
        return suppression.solve(equations, low, high, low, primary, weights, params.protection_level, rounds)

    completed, optimum = pattern(0), pattern(12)
    for hidden in (completed, optimum):
        assert hidden[primary].all()
        assert suppression.exposed(equations, low, high, hidden, primary, params.protection_level) == []
    costs = suppression.cost(weights, low)
    assert costs[completed].sum() >= costs[optimum].sum() - 1e-9
    assert (pattern(0) == completed).all()  # the same pattern on every run
