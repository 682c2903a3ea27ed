"""Disclosure control of published counts (docs/methodology/disclosure.md).

Counts are protected as *cubes*: for one group (indicator family, definition, period, breakdown)
the cells are every region of every level x sex (T, M, V). They are tied by linear equations
that a reader can use: every region equals the sum of its municipalities (per sex; the region
levels all partition the country) and T = M + V (per region).

- Primary suppression: a cell based on fewer than `threshold` persons (its lower bound, so a
  count masked at source as 1..4 or an interval reaching below the threshold counts as small)
  is suppressed; zero cells only when `suppress_zero` is true.
- Secondary suppression works on region units (a municipality or region with all its sexes): a
  unit with a small cell has all its cells suppressed (`secondary:sex`), so T = M + V gives
  nothing away. Then (1) every region equation with exactly one suppressed unit gets a second one
  (`secondary:region`), chosen by the information it costs (municipalities before regions, small
  regions before provinces, never the national figure while anything else will do), counting
  the complements it drags along in turn; (2) an exact test: a suppressed unit is recoverable iff
  its unit vector lies in the row space of the equations restricted to the suppressed units (its
  row of that matrix's null space is zero); while one is, the cheapest complement that makes it
  unrecoverable is added (`secondary:linear`). With whole units suppressed, a cell is recoverable
  exactly when its unit is, so this is also the exact test on cells; it is run once more on the
  cells at the end. No suppressed cell is a linear function of published cells.

Parameters come from `reference/indicators/parameters.csv` (threshold, suppress_zero).
Every cell gets `suppressed` and `rule` (`primary:n<10`, `secondary:region`, `secondary:sex`,
`secondary:linear`, or '' for published cells).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from pipeline import reference

# what a suppressed cell of a level costs the reader: complements go to municipalities before
# regions, and to small regions before provinces and the national figure (method choice)
LEVEL_WEIGHT = {
    "municipality": 1,
    "arbeidsmarktregio": 4,
    "corop": 4,
    "province": 16,
    "techniekpact": 32,
    "landsdeel": 32,
    "national": 1000,
}
LOOKAHEAD = 4  # candidates whose whole cascade of complements is tried before one is chosen
RESCUE_CANDIDATES = 16  # candidates tried for a unit that the exact test finds recoverable


@dataclass(frozen=True)
class Parameters:
    threshold: int = 10
    suppress_zero: bool = False


def parameters() -> Parameters:
    frame = reference.load("indicators/parameters.csv").frame.set_index("parameter")["value"]
    return Parameters(
        threshold=int(frame["disclosure_threshold"]),
        suppress_zero=frame["disclosure_suppress_zero"].strip().lower() == "true",
    )


def _equations(
    cells: pd.DataFrame, members: Mapping[tuple[str, str], frozenset[str]]
) -> list[tuple[str, list[tuple[int, float]]]]:
    index = {
        (r.region_level, r.region_code, r.sex): i
        for i, r in enumerate(cells[["region_level", "region_code", "sex"]].itertuples(index=False))
    }
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
    # an orthonormal basis of the row space (the reduced SVD: no basis of the null space is built);
    # a unit vector lies in the row space exactly when its projection keeps the whole length, i.e.
    # when its row of a null-space basis would be zero
    _, sing, vt = np.linalg.svd(sub, full_matrices=False)
    rank = int((sing > 1e-9 * max(1.0, sing.max())).sum())
    outside = 1.0 - np.square(vt[:rank]).sum(axis=0)
    return [int(h) for h in hidden[outside < 1e-12]]


def _still_recoverable(matrix: np.ndarray, hidden: np.ndarray, target: int):
    """For a `target` that the hidden units leave recoverable, a test of whether it still is once
    more units are hidden (a trial state holding `hidden`), without a decomposition per trial.

    The target is recoverable exactly when some combination y of the equations has y'A_H = e_target
    (A_H: the columns of the hidden units). Those y are y0 + N z, N a basis of the left null space of
    A_H. Hiding the units C as well keeps the target recoverable exactly when one of them also has
    y'A_C = 0, i.e. when -A_C'y0 lies in the column space of A_C'N: a problem of |C| rows."""
    columns = np.flatnonzero(hidden)
    u, sing, vt = np.linalg.svd(matrix[:, columns], full_matrices=True)
    rank = int((sing > 1e-9 * max(1.0, sing.max())).sum())
    at = int(np.searchsorted(columns, target))
    y0 = u[:, :rank] @ (vt[:rank, at] / sing[:rank])
    null = u[:, rank:]

    def still(trial: np.ndarray) -> bool:
        added = matrix[:, np.flatnonzero(trial & ~hidden)]
        rhs = -(added.T @ y0)
        basis, sing_c, _ = np.linalg.svd(added.T @ null, full_matrices=False)
        basis = basis[:, sing_c > 1e-9]  # the column space, with the absolute tolerance of the rank above
        return bool(np.linalg.norm(rhs - basis @ (basis.T @ rhs)) <= 1e-9 * max(1.0, np.linalg.norm(rhs)))

    return still


class _Tests:
    """The exact test, run once per system: within one cube's search the same set of hidden units is
    tested again, and cubes with the same regions and the same primary cells (definitions, sexes, breakdowns) repeat
    whole searches. A system is the equation matrix (by shape and content digest) with the hidden
    cells; the result is a pure function of both."""

    def __init__(self) -> None:
        self._results: dict[tuple, tuple[int, ...]] = {}

    @staticmethod
    def system(matrix: np.ndarray) -> tuple:
        return matrix.shape, hashlib.blake2b(np.ascontiguousarray(matrix).tobytes(), digest_size=16).digest()

    def recoverable(self, system: tuple, matrix: np.ndarray, suppressed: np.ndarray) -> list[int]:
        key = (system, np.packbits(np.asarray(suppressed, dtype=bool)).tobytes())
        if key not in self._results:
            self._results[key] = tuple(_recoverable(matrix, suppressed))
        return list(self._results[key])


def _unit_equations(units: pd.DataFrame, members) -> np.ndarray:
    """Equations between region units (region = sum of its municipalities), as a signed matrix."""
    index = {(lv, c): i for i, (lv, c) in enumerate(zip(units["region_level"], units["region_code"]))}
    municipalities = {c for lv, c in index if lv == "municipality"}
    rows: list[list[tuple[int, float]]] = []
    for (level, code), i in index.items():
        if level == "municipality":
            continue
        parts = sorted(members.get((level, code), frozenset()) & municipalities)
        if parts:
            rows.append([(i, 1.0)] + [(index[("municipality", m)], -1.0) for m in parts])
    return _equation_matrix([("region", r) for r in rows], len(units))


def _protect_group(
    cells: pd.DataFrame, members, params: Parameters, tests: _Tests | None = None
) -> tuple[np.ndarray, list[str]]:
    """Primary and secondary suppression of one cube (see the module docstring).

    Suppression works on region units: a unit with a small cell has every cell (M, V, T) suppressed,
    so the sex equations cannot give it away, and complements are whole units too. With whole units
    hidden, a cell is recoverable exactly when its unit is recoverable from the region equations
    alone, so the search runs on units x regions (small) instead of cells x equations; the exact
    cell-level test confirms the result.
    """
    low = cells["low"].to_numpy(dtype=float)
    high = cells["high"].to_numpy(dtype=float)
    primary = (low < params.threshold) & ((high > 0) | params.suppress_zero)
    rules = np.array([f"primary:n<{params.threshold}" if s else "" for s in primary], dtype=object)
    if not primary.any():
        return primary, list(rules)
    unit_of = cells.groupby(["region_level", "region_code"], sort=True).ngroup().to_numpy()
    units = cells[["region_level", "region_code"]].drop_duplicates().sort_values(["region_level", "region_code"])
    units = units.reset_index(drop=True)
    matrix = _unit_equations(units, members)
    tests = tests or _Tests()
    system = tests.system(matrix)
    incidence = matrix != 0
    level = units["region_level"].to_numpy()
    weight = np.array([LEVEL_WEIGHT.get(v, max(LEVEL_WEIGHT.values())) for v in level], dtype=float)
    size = np.zeros(len(units))
    np.maximum.at(size, unit_of, high)
    hidden = np.zeros(len(units), dtype=bool)
    hidden[unit_of[primary]] = True
    why = np.array(["" for _ in range(len(units))], dtype=object)

    def order(candidates: np.ndarray, anchor: int, state: np.ndarray) -> np.ndarray:
        """Cheapest first: few equations opened (each needs a complement of its own), low weight,
        sharing the most equations with the unit protected, then small."""
        opened = incidence[incidence[:, state].sum(axis=1) == 0][:, candidates].sum(axis=0)
        shared = (incidence[:, candidates] & incidence[:, [anchor]]).sum(axis=0)
        return candidates[np.lexsort((size[candidates], -shared, weight[candidates] + 2 * opened))]

    def close(state: np.ndarray, labels: np.ndarray | None, lookahead: int) -> None:
        """Until no equation holds exactly one hidden unit, give each such equation a complement."""
        while True:
            single = np.flatnonzero(incidence[:, state].sum(axis=1) == 1)
            if len(single) == 0:
                return
            row = int(single[0])
            anchor = int(np.flatnonzero(incidence[row] & state)[0])
            choice = pick(np.flatnonzero(incidence[row] & ~state), anchor, state, lookahead)
            state[choice] = True
            if labels is not None:
                labels[choice] = "secondary:region"

    def pick(candidates: np.ndarray, anchor: int, state: np.ndarray, lookahead: int) -> int:
        ranked = order(candidates, anchor, state)
        if lookahead <= 1 or len(ranked) == 1:
            return int(ranked[0])
        best, best_cost = int(ranked[0]), np.inf
        for choice in ranked[:lookahead]:  # the candidate whose cascade of complements costs least
            trial = state.copy()
            trial[choice] = True
            close(trial, None, 1)
            cost = weight[trial & ~state].sum()
            if cost < best_cost:
                best, best_cost = int(choice), cost
        return best

    while True:
        close(hidden, why, LOOKAHEAD)
        recoverable = tests.recoverable(system, matrix, hidden)  # exact test on units
        if not recoverable:
            break
        target = recoverable[0]
        candidates = np.flatnonzero(incidence[incidence[:, target]].any(axis=0) & ~hidden)
        if len(candidates) == 0:
            candidates = np.flatnonzero(~hidden)
        # the cheapest complement (with its cascade) that leaves the target unrecoverable: candidates
        # by the cost of their cascade, the exact test only until one passes (it is the expensive part)
        trials = []
        for choice in order(candidates, target, hidden)[:RESCUE_CANDIDATES]:
            trial = hidden.copy()
            trial[choice] = True
            close(trial, None, 1)
            trials.append((weight[trial & ~hidden].sum(), len(trials), int(choice), trial))
        trials.sort(key=lambda t: t[:2])
        still = _still_recoverable(matrix, hidden, target)
        best = next((choice for _, _, choice, trial in trials if not still(trial)), trials[0][2])
        hidden[best] = True
        why[best] = "secondary:linear"
    suppressed = hidden[unit_of]
    for i in np.flatnonzero(suppressed & ~primary):
        rules[i] = why[unit_of[i]] or "secondary:sex"
    return _complete(cells, members, suppressed, rules, tests)


def _complete(
    cells: pd.DataFrame, members, suppressed: np.ndarray, rules: np.ndarray, tests: _Tests
) -> tuple[np.ndarray, list[str]]:
    """The exact cell-level test; where a cell is still recoverable (a unit without every sex), its
    smallest published partner in an equation is suppressed until none is."""
    matrix = _equation_matrix(_equations(cells, members), len(cells))
    system = tests.system(matrix)
    incidence = matrix != 0
    high = cells["high"].to_numpy(dtype=float)
    while recoverable := tests.recoverable(system, matrix, suppressed):
        candidates = np.flatnonzero(incidence[incidence[:, recoverable[0]]].any(axis=0) & ~suppressed)
        if len(candidates) == 0:
            candidates = np.flatnonzero(~suppressed)
        choice = int(candidates[np.argmin(high[candidates])])
        suppressed[choice] = True
        rules[choice] = "secondary:linear"
    return suppressed, list(rules)


def protect(
    cells: pd.DataFrame,
    group_keys: list[str],
    members_by_year: Mapping[int, Mapping[tuple[str, str], frozenset[str]]],
    params: Parameters | None = None,
) -> pd.DataFrame:
    """Return `cells` with `suppressed` and `rule`, protected per group.

    `cells` needs `region_level, region_code, sex, low, high, boundary_year` and `group_keys`;
    `members_by_year[boundary_year]` is `regions.members(boundary_year)`.
    """
    params = params or parameters()
    out = cells.reset_index(drop=True).copy()
    out["suppressed"] = False
    out["rule"] = ""
    tests = _Tests()
    # the systems are small (hundreds of cells): BLAS threads cost far more than they gain, the more
    # so on a busy machine (the exact test does not depend on the number of threads)
    with threadpool_limits(limits=1, user_api="blas"):
        for _, group in out.groupby(group_keys + ["boundary_year"], sort=True, dropna=False):
            year = int(group["boundary_year"].iat[0])
            flags, rules = _protect_group(group.reset_index(drop=True), members_by_year.get(year, {}), params, tests)
            out.loc[group.index, "suppressed"] = flags
            out.loc[group.index, "rule"] = rules
    return out


def recoverable_cells(cells: pd.DataFrame, members: Mapping[tuple[str, str], frozenset[str]]) -> list[int]:
    """Positions of suppressed cells of one group whose value follows exactly from published cells
    (used by the checks: must be empty)."""
    cells = cells.reset_index(drop=True)
    matrix = _equation_matrix(_equations(cells, members), len(cells))
    return _recoverable(matrix, cells["suppressed"].to_numpy(dtype=bool))
