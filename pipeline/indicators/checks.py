"""Checks of a finished indicator table (run by the asset, stored in the warehouse per build).

- regions_add_up: per count indicator, group and region level, the regional figures add up to
  the national one (where no cell of that level is suppressed).
- small_cells_flagged: no published cell rests on fewer persons than the threshold.
- no_recovery_by_subtraction: brute force over the published cells: no suppressed cell equals a
  published total minus published parts (region = its parts at any finer level that partitions
  it; T = M + V).
"""

from __future__ import annotations

import pandas as pd

from pipeline import disclosure, regions

DESCRIPTIONS = {
    "regions_add_up": "Regional count figures add up to the national figure at every region level",
    "small_cells_flagged": "No published cell rests on fewer persons than the disclosure threshold",
    "no_recovery_by_subtraction": "No suppressed cell can be recomputed as a published total minus published parts",
}
GROUP = ["indicator_id", "definition", "period", "breakdown"]


def regions_add_up(frame: pd.DataFrame) -> list[str]:
    bad = []
    counts = frame[frame["unit"] == "count"]
    for key, group in counts.groupby(GROUP + ["sex"], sort=True):
        national = group[group["region_level"] == "national"]
        if national.empty or national["value"].isna().any():
            continue
        total = float(national["value"].iat[0])
        for level, part in group[group["region_level"] != "national"].groupby("region_level"):
            if part["value"].isna().any():
                continue
            if abs(float(part["value"].sum()) - total) > 1e-6:
                bad.append(f"{key} {level}: {part['value'].sum()} != {total}")
    return bad


def small_cells_flagged(frame: pd.DataFrame, threshold: int | None = None) -> list[str]:
    threshold = threshold if threshold is not None else disclosure.parameters().threshold
    published = frame[~frame["flag"].str.contains("suppressed")]
    low_num = published["unit"].eq("count") & (published["value_low"] < threshold) & (published["value_high"] > 0)
    low_den = published["denominator"].notna() & (published["denominator"] < threshold)
    low_share_num = published["unit"].ne("count") & published["numerator"].between(0, threshold, inclusive="neither")
    bad = published[low_num | low_den | low_share_num]
    return [f"{r.indicator_id} {r.definition} {r.period} {r.region_code} {r.sex} {r.breakdown}" for r in bad.itertuples()][:20] + \
        ([f"... {len(bad)} cells"] if len(bad) > 20 else [])


def recoverable_by_subtraction(frame: pd.DataFrame) -> list[str]:
    """Brute force: every (total, complete set of parts) relation among count cells with exactly one
    suppressed member is a cell a reader can recompute."""
    found = []
    counts = frame[frame["unit"] == "count"]
    members_of: dict[int, dict] = {}
    for key, group in counts.groupby(GROUP, sort=True):
        years = group["boundary_year"].dropna().unique()
        if len(years) and int(years[0]) not in members_of:
            members_of[int(years[0])] = regions.members(int(years[0]))
        members = members_of[int(years[0])] if len(years) else {}
        hidden = {(r.region_level, r.region_code, r.sex): "suppressed" in r.flag for r in group.itertuples()}
        present_m = {code for (level, code, _), _h in hidden.items() if level == "municipality"}
        # the municipalities of each present region that have data
        sets = {(level, code): frozenset(members.get((level, code), frozenset()) & present_m)
                for (level, code, _s) in hidden if level != "municipality"}
        sets.update({("municipality", m): frozenset([m]) for m in present_m})
        for sex in ("T", "M", "V"):
            for (level, code), whole in sets.items():
                if (level, code, sex) not in hidden or level == "municipality":
                    continue
                for part_level in regions.LEVELS[1:]:
                    parts = [(pl, pc) for (pl, pc), s in sets.items() if pl == part_level and s and s <= whole]
                    if not parts or frozenset().union(*(sets[p] for p in parts)) != whole or parts == [(level, code)]:
                        continue
                    cells = [(level, code, sex)] + [(pl, pc, sex) for pl, pc in parts]
                    if all(c in hidden for c in cells) and sum(hidden[c] for c in cells) == 1:
                        found.append(f"{key} {level} {code} {sex} = parts at {part_level}")
        for (level, code, sex) in list(hidden):
            if sex != "T":
                continue
            cells = [(level, code, s) for s in ("T", "M", "V")]
            if all(c in hidden for c in cells) and sum(hidden[c] for c in cells) == 1:
                found.append(f"{key} {level} {code}: T = M + V")
    return found


def run(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, function in (("regions_add_up", regions_add_up), ("small_cells_flagged", small_cells_flagged),
                           ("no_recovery_by_subtraction", recoverable_by_subtraction)):
        problems = function(frame)
        rows.append({"check": name, "passed": not problems,
                     "detail": "; ".join(problems[:20]) if problems else DESCRIPTIONS[name]})
    return pd.DataFrame(rows)
