"""Disclosure control of published counts (product.md section 6).

Counts are protected as *cubes*: for one group (indicator family, definition, period, breakdown)
the cells are every region of every level x sex (T, M, V). They are tied by linear equations
that a reader can use: every region equals the sum of its municipalities (per sex; the region
levels all partition the country) and T = M + V (per region).

- Primary suppression: a cell based on fewer than `threshold` persons (its lower bound, so a
  count masked at source as 1..4 or an interval reaching below the threshold counts as small)
  is suppressed; zero cells only when `suppress_zero` is true.
- Secondary suppression: (1) every equation with exactly one suppressed cell gets a second one
  (the smallest published cell of that equation, parts before totals); (2) then an exact test:
  a suppressed cell is recoverable iff its unit vector lies in the row space of the equations
  restricted to the suppressed cells (i.e. its row of the null space of that matrix is zero);
  while one is, another published cell of one of its equations is suppressed. At the end no
  suppressed cell is a linear function of published cells.

Parameters come from `reference/indicators/parameters.csv` (threshold, suppress_zero).
Every cell gets `suppressed` and `rule` (`primary:n<10`, `secondary:region`, `secondary:sex`,
`secondary:linear`, or '' for published cells).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import reference

LEVEL_DEPTH = {"municipality": 0, "arbeidsmarktregio": 1, "corop": 1, "province": 2, "techniekpact": 3,
               "landsdeel": 3, "national": 4}
SEX_DEPTH = {"M": 0, "V": 0, "T": 1}


@dataclass(frozen=True)
class Parameters:
    threshold: int = 10
    suppress_zero: bool = False


def parameters() -> Parameters:
    frame = reference.load("indicators/parameters.csv").frame.set_index("parameter")["value"]
    return Parameters(threshold=int(frame["disclosure_threshold"]),
                      suppress_zero=frame["disclosure_suppress_zero"].strip().lower() == "true")


def _equations(cells: pd.DataFrame, members: Mapping[tuple[str, str], frozenset[str]]) -> list[tuple[str, list[tuple[int, float]]]]:
    index = {(r.region_level, r.region_code, r.sex): i for i, r in
             enumerate(cells[["region_level", "region_code", "sex"]].itertuples(index=False))}
    equations: list[tuple[str, list[tuple[int, float]]]] = []
    municipalities = cells.loc[cells["region_level"] == "municipality", ["region_code", "sex"]]
    by_sex = {s: set(g["region_code"]) for s, g in municipalities.groupby("sex")}
    if by_sex:
        for (level, code, sex), i in index.items():
            if level == "municipality":
                continue
            parts = sorted(members.get((level, code), frozenset()) & by_sex.get(sex, set()))
            if parts:
                equations.append(("region", [(i, 1.0)] + [(index[("municipality", m, sex)], -1.0) for m in parts]))
    for (level, code, sex), i in index.items():
        if sex == "T" and (level, code, "M") in index and (level, code, "V") in index:
            equations.append(("sex", [(i, 1.0), (index[(level, code, "M")], -1.0), (index[(level, code, "V")], -1.0)]))
    return equations


def _equation_matrix(equations, n: int) -> np.ndarray:
    matrix = np.zeros((len(equations), n))
    for row, (_, terms) in enumerate(equations):
        for i, coef in terms:
            matrix[row, i] = coef
    return matrix


def _recoverable(matrix: np.ndarray, suppressed: np.ndarray) -> list[int]:
    """Suppressed cells whose value is a linear function of the published cells: those whose unit
    vector lies in the row space of the equations restricted to the suppressed cells, i.e. whose
    row of that matrix's null-space basis is zero."""
    hidden = np.flatnonzero(suppressed)
    if len(hidden) == 0:
        return []
    sub = matrix[:, hidden]
    sub = sub[np.abs(sub).sum(axis=1) > 0]
    if len(sub) == 0:
        return []
    _, sing, vt = np.linalg.svd(sub, full_matrices=True)
    rank = int((sing > 1e-9 * max(1.0, sing.max())).sum())
    null = vt[rank:].T
    if null.shape[1] == 0:
        return [int(h) for h in hidden]
    return [int(hidden[k]) for k in range(len(hidden)) if np.abs(null[k]).max() < 1e-9]


def _protect_group(cells: pd.DataFrame, members, params: Parameters) -> tuple[np.ndarray, list[str]]:
    n = len(cells)
    low = cells["low"].to_numpy(dtype=float)
    high = cells["high"].to_numpy(dtype=float)
    suppressed = (low < params.threshold) & ((high > 0) | params.suppress_zero)
    rules = np.array([f"primary:n<{params.threshold}" if s else "" for s in suppressed], dtype=object)
    if not suppressed.any():
        return suppressed, list(rules)
    equations = _equations(cells, members)
    matrix = _equation_matrix(equations, n)
    incidence = matrix != 0
    kinds = np.array([kind for kind, _ in equations], dtype=object)
    level = cells["region_level"].to_numpy()
    code = cells["region_code"].to_numpy()
    sex = cells["sex"].to_numpy()
    # complements are chosen among parts before totals, close to the cell they protect (sharing the
    # most regions), of the same sex, and as small as possible
    regions_list = sorted(members)
    position = {key: k for k, key in enumerate(regions_list)}
    belongs = np.zeros((n, len(regions_list)), dtype=bool)
    municipal = np.flatnonzero(level == "municipality")
    inverse: dict[str, list[int]] = {}
    for key, municipalities in members.items():
        for m in municipalities:
            inverse.setdefault(m, []).append(position[key])
    for i in municipal:
        belongs[i, inverse.get(code[i], [])] = True
    depth = np.array([LEVEL_DEPTH.get(v, 5) for v in level])
    sex_depth = np.array([SEX_DEPTH.get(v, 2) for v in sex])
    base = (depth * 2 + sex_depth).astype(float)

    def pick(candidates: np.ndarray, anchor: int) -> int:
        if level[anchor] == "municipality":
            shared = (belongs[candidates] & belongs[anchor]).sum(axis=1)
        else:
            shared = np.where((code[candidates] == code[anchor]) & (level[candidates] == level[anchor]), 100, 0)
        key = ((base[candidates] * 128 + (127 - np.minimum(shared, 127))) * 2 + (sex[candidates] != sex[anchor])) * 1e7 \
            + np.minimum(high[candidates], 9.99e6)
        return int(candidates[np.argmin(key)])

    while True:
        while True:  # (1) no equation with a single suppressed cell
            counts = incidence[:, suppressed].sum(axis=1)
            single = np.flatnonzero(counts == 1)
            if len(single) == 0:
                break
            for row in single:
                hidden = np.flatnonzero(incidence[row] & suppressed)
                if len(hidden) != 1:
                    continue
                candidates = np.flatnonzero(incidence[row] & ~suppressed)
                choice = pick(candidates, int(hidden[0]))
                suppressed[choice] = True
                rules[choice] = f"secondary:{kinds[row]}"
        # (2) exact test: cells whose value follows from the published ones get a complement each
        recoverable = _recoverable(matrix, suppressed)
        if not recoverable:
            break
        progressed = False
        for target in recoverable:
            rows = incidence[:, target]
            candidates = np.flatnonzero(incidence[rows].any(axis=0) & ~suppressed)
            if len(candidates) == 0:
                continue
            choice = pick(candidates, target)
            suppressed[choice] = True
            rules[choice] = "secondary:linear"
            progressed = True
        if not progressed:  # widen to every equation touching a suppressed cell
            rows = incidence[:, suppressed].any(axis=1)
            candidates = np.flatnonzero(incidence[rows].any(axis=0) & ~suppressed)
            if len(candidates) == 0:
                break
            choice = pick(candidates, recoverable[0])
            suppressed[choice] = True
            rules[choice] = "secondary:linear"
    return suppressed, list(rules)


def protect(cells: pd.DataFrame, group_keys: list[str], members_by_year: Mapping[int, Mapping[tuple[str, str], frozenset[str]]],
            params: Parameters | None = None) -> pd.DataFrame:
    """Return `cells` with `suppressed` and `rule`, protected per group.

    `cells` needs `region_level, region_code, sex, low, high, boundary_year` and `group_keys`;
    `members_by_year[boundary_year]` is `regions.members(boundary_year)`.
    """
    params = params or parameters()
    out = cells.reset_index(drop=True).copy()
    out["suppressed"] = False
    out["rule"] = ""
    for _, group in out.groupby(group_keys + ["boundary_year"], sort=True, dropna=False):
        year = int(group["boundary_year"].iat[0])
        flags, rules = _protect_group(group.reset_index(drop=True), members_by_year.get(year, {}), params)
        out.loc[group.index, "suppressed"] = flags
        out.loc[group.index, "rule"] = rules
    return out


def recoverable_cells(cells: pd.DataFrame, members: Mapping[tuple[str, str], frozenset[str]]) -> list[int]:
    """Positions of suppressed cells of one group whose value follows exactly from published cells
    (used by the checks: must be empty)."""
    cells = cells.reset_index(drop=True)
    matrix = _equation_matrix(_equations(cells, members), len(cells))
    return _recoverable(matrix, cells["suppressed"].to_numpy(dtype=bool))
