"""Checks of a finished indicator table (run by the asset, stored in the warehouse per build).

- regions_add_up: per count indicator, group and region level, the regional figures add up to
  the national one (where no cell of that level is suppressed).
- small_cells_flagged: no published cell rests on fewer persons than the threshold.
- no_recovery_by_subtraction: brute force over the published cells: no suppressed cell equals a
  published total minus published parts (region = its parts at any finer level that partitions
  it; T = M + V), up to the intervals of counts masked at source (a relation whose published
  members are together at least the protection level uncertain recovers no value).
- attacker_audit: per count group with suppressed cells, the attacker's linear program over the
  published cells (the region and sex equations, non-negativity, the intervals of counts masked at
  source): every primary suppressed cell can lie anywhere in an interval at least the protection
  level wide (disclosure.audit).
"""

from __future__ import annotations

import pandas as pd

from pipeline import disclosure, regions

DESCRIPTIONS = {
    "regions_add_up": "Regional count figures add up to the national figure at every region level",
    "small_cells_flagged": "No published cell rests on fewer persons than the disclosure threshold",
    "no_recovery_by_subtraction": "No suppressed cell can be recomputed as a published total minus published parts",
    "attacker_audit": "Every small suppressed count lies, for a reader of all published cells, in an interval at "
    "least the protection level wide",
}
GROUP = ["indicator_id", "definition", "period", "breakdown"]


def regions_add_up(frame: pd.DataFrame) -> list[str]:
    keys = GROUP + ["sex"]
    counts = frame.loc[frame["unit"] == "count", keys + ["region_level", "value"]]
    counts = counts.assign(_missing=counts["value"].isna())
    national = counts[counts["region_level"] == "national"]
    # the national figure of a group: its first national row, unless a national row has no value
    total = national.drop_duplicates(keys, keep="first").set_index(keys)["value"]
    total = total[~national.groupby(keys, sort=False)["_missing"].any().reindex(total.index)]
    parts = (
        counts[counts["region_level"] != "national"]
        .groupby(keys + ["region_level"], sort=True)
        .agg(value=("value", "sum"), missing=("_missing", "any"))
    )
    parts = parts[~parts["missing"]]
    parts = parts.assign(total=total.reindex(parts.index.droplevel("region_level")).to_numpy())
    parts = parts[parts["total"].notna() & ((parts["value"] - parts["total"]).abs() > 1e-6)]
    return [
        f"{index[:-1]} {index[-1]}: {value} != {whole}"
        for index, value, whole in zip(parts.index, parts["value"], parts["total"])
    ]


def small_cells_flagged(frame: pd.DataFrame, threshold: int | None = None) -> list[str]:
    threshold = threshold if threshold is not None else disclosure.parameters().threshold
    published = frame[~frame["flag"].str.contains("suppressed")]
    low_num = published["unit"].eq("count") & (published["value_low"] < threshold) & (published["value_high"] > 0)
    low_den = published["denominator"].notna() & (published["denominator"] < threshold)
    low_share_num = published["unit"].ne("count") & published["numerator"].between(0, threshold, inclusive="neither")
    bad = published[low_num | low_den | low_share_num]
    return [
        f"{r.indicator_id} {r.definition} {r.period} {r.region_code} {r.sex} {r.breakdown}" for r in bad.itertuples()
    ][:20] + ([f"... {len(bad)} cells"] if len(bad) > 20 else [])


def _relations(members: dict, wholes: frozenset, present_m: frozenset) -> tuple[list, dict]:
    """Every (total, complete set of parts) relation among the regions of a group: for each region
    present (`wholes`, no municipality) and each level, the regions of that level whose
    municipalities with data all lie in the region and together are all of the region's
    municipalities with data. Returns the relations (whole, part_level, parts) and, per region, the
    positions of the relations it takes part in."""
    sets = {whole: frozenset(members.get(whole, frozenset()) & present_m) for whole in wholes}
    sets.update({("municipality", m): frozenset([m]) for m in present_m})
    by_level: dict[str, list] = {}
    for region, s in sets.items():
        if s:
            by_level.setdefault(region[0], []).append((region, s))
    relations, taking_part = [], {}
    for whole in sorted(wholes):
        for part_level in regions.LEVELS[1:]:
            parts = [region for region, s in by_level.get(part_level, []) if s <= sets[whole]]
            if not parts or frozenset().union(*(sets[p] for p in parts)) != sets[whole] or parts == [whole]:
                continue
            for region in {whole, *parts}:
                taking_part.setdefault(region, []).append(len(relations))
            relations.append((whole, part_level, parts))
    return relations, taking_part


def _recomputed(cells: list, hidden: dict) -> bool:
    """A relation among present cells with exactly one suppressed member (the published members are
    whole numbers that add up, masked at source or not: the difference is the hidden one's)."""
    return all(c in hidden for c in cells) and sum(hidden[c] for c in cells) == 1


def recoverable_by_subtraction(frame: pd.DataFrame) -> list[str]:
    """Brute force: every (total, complete set of parts) relation among count cells with exactly one
    suppressed member is a cell a reader can recompute.

    Only a relation with a suppressed member can have exactly one, so a group without suppressed
    cells is passed over and a group's relations are reached through its suppressed cells. The
    relations depend on the regions with data only: they are listed once per such set of regions.
    """
    found = []
    columns = ["region_level", "region_code", "sex", "flag", "boundary_year"]
    counts = frame.loc[frame["unit"] == "count", GROUP + columns]
    counts = counts.assign(_hidden=counts["flag"].str.contains("suppressed", regex=False).astype(bool))
    with_hidden = counts.groupby(GROUP, sort=False)["_hidden"].transform("any").astype(bool)
    members_of: dict[int, dict] = {}
    relations_of: dict[tuple, tuple[list, dict]] = {}
    level_rank = {level: i for i, level in enumerate(regions.LEVELS)}
    for key, group in counts[with_hidden].groupby(GROUP, sort=True):
        years = group["boundary_year"].dropna().unique()
        year = int(years[0]) if len(years) else None
        if year is not None and year not in members_of:
            members_of[year] = regions.members(year)
        members = members_of[year] if year is not None else {}
        cell_keys = list(zip(group["region_level"], group["region_code"], group["sex"]))
        hidden = dict(zip(cell_keys, group["_hidden"].tolist()))
        present_m = frozenset(code for (level, code, _), _h in hidden.items() if level == "municipality")
        # the regions in the order of the group's rows (the order of the findings)
        wholes = {
            region: i
            for i, region in enumerate(
                dict.fromkeys((level, code) for (level, code, _s) in hidden if level != "municipality")
            )
        }
        structure = (year, frozenset(wholes), present_m)
        if structure not in relations_of:
            relations_of[structure] = _relations(members, frozenset(wholes), present_m)
        relations, taking_part = relations_of[structure]
        touched = {(level, code) for (level, code, _s), h in hidden.items() if h}
        reached = {r for region in touched for r in taking_part.get(region, ())}
        for sex in ("T", "M", "V"):
            for r in sorted(reached, key=lambda r: (wholes[relations[r][0]], level_rank[relations[r][1]])):
                (level, code), part_level, parts = relations[r]
                cells = [(level, code, sex)] + [(pl, pc, sex) for pl, pc in parts]
                if _recomputed(cells, hidden):
                    found.append(f"{key} {level} {code} {sex} = parts at {part_level}")
        for level, code, sex in hidden:
            if sex != "T" or (level, code) not in touched:
                continue
            cells = [(level, code, s) for s in ("T", "M", "V")]
            if _recomputed(cells, hidden):
                found.append(f"{key} {level} {code}: T = M + V")
    return found


def attacker_audit(
    frame: pd.DataFrame, params: disclosure.Parameters | None = None, members: dict | None = None
) -> list[str]:
    """The attacker's audit of every published count group with a suppressed primary cell (the
    regions' members of the group's boundary year, or `members` for every group)."""
    params = params or disclosure.parameters()
    counts = frame[frame["unit"] == "count"]
    hidden = counts["flag"].str.contains("suppressed", regex=False)
    primary = counts["rule"].str.contains("primary", regex=False)
    wanted = (hidden & primary).groupby([counts[k] for k in GROUP], sort=False).transform("any").astype(bool)
    members_of: dict[int, dict] = {}
    found = []
    for key, group in counts[wanted].groupby(GROUP, sort=True):
        years = group["boundary_year"].dropna().unique()
        year = int(years[0]) if len(years) else None
        if year is not None and year not in members_of:
            members_of[year] = regions.members(year)
        suppressed = group["flag"].str.contains("suppressed", regex=False).to_numpy()
        cells = pd.DataFrame(
            {
                "region_level": group["region_level"].to_numpy(),
                "region_code": group["region_code"].to_numpy(),
                "sex": group["sex"].to_numpy(),
                # a published count is known exactly: its whole number (the points add up)
                "low": group["value"].fillna(0).to_numpy(),
                "high": group["value"].fillna(0).to_numpy(),
                "suppressed": suppressed,
                "rule": group["rule"].to_numpy(),
            }
        )
        cells.loc[suppressed, ["low", "high"]] = [0.0, 1.0]  # unknown to the reader; not small by zero
        group_members = members if members is not None else (members_of[year] if year is not None else {})
        for position, smallest, largest in disclosure.audit(cells, group_members, params):
            cell = cells.iloc[position]
            found.append(
                f"{key} {cell['region_level']} {cell['region_code']} {cell['sex']}: "
                f"between {smallest:g} and {largest:g}"
            )
    return found


def run(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, function in (
        ("regions_add_up", regions_add_up),
        ("small_cells_flagged", small_cells_flagged),
        ("no_recovery_by_subtraction", recoverable_by_subtraction),
        ("attacker_audit", attacker_audit),
    ):
        problems = function(frame)
        rows.append(
            {
                "check": name,
                "passed": not problems,
                "detail": "; ".join(problems[:20]) if problems else DESCRIPTIONS[name],
            }
        )
    return pd.DataFrame(rows)
