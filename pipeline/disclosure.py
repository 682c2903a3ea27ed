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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from pipeline import reference, suppression

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


POINT_RULES = ("midpoint_half_even", "low", "high")


@dataclass(frozen=True)
class Parameters:
    threshold: int = 10
    suppress_zero: bool = False
    point_rule: str = "midpoint_half_even"
    masked_material_share: float = 0.01
    protection_level: float = 10.0


def parameters() -> Parameters:
    frame = reference.load("indicators/parameters.csv").frame.set_index("parameter")["value"]
    rule = frame["count_point_rule"].strip()
    if rule not in POINT_RULES:
        raise ValueError(f"reference/indicators/parameters.csv: count_point_rule {rule!r} is not one of {POINT_RULES}")
    return Parameters(
        threshold=int(frame["disclosure_threshold"]),
        suppress_zero=frame["disclosure_suppress_zero"].strip().lower() == "true",
        point_rule=rule,
        masked_material_share=float(frame["masked_material_share"]),
        protection_level=float(frame["disclosure_protection_level"]),
    )


def point_value(low, high, rule: str | None = None) -> np.ndarray:
    """The whole number published for a count known as the interval [low, high] (one source row:
    a count masked at source is an interval, an exact count has low == high). `midpoint_half_even`:
    the interval's midpoint rounded to a whole person, halves to the even neighbour (so [1, 4]
    gives 2 and [5, 8] gives 6: over many cells the halves round up as often as down). A sum of
    source rows is published as the sum of their point values, so published counts stay whole
    and regions still add up. `rule`: by default `count_point_rule` of the parameters."""
    rule = rule or parameters().point_rule
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if rule == "low":
        return np.floor(low)
    if rule == "high":
        return np.ceil(high)
    return np.round((low + high) / 2)


def masked_material(low, high, value, params: Parameters, unit: float = 1.0) -> np.ndarray:
    """Whether the uncertainty from counts masked at source matters for a reader: the interval
    [low, high] is wider than the figure's last unit (`unit`: one person for a count, the last
    published digit of a share or ratio) and than `masked_material_share` of the published value
    (no upper bound: it matters)."""
    low, high, value = (np.asarray(v, dtype=float) for v in (low, high, value))
    width = np.where(np.isfinite(high), high - low, np.inf)
    return (width > unit + 1e-9) & (width > params.masked_material_share * np.abs(np.nan_to_num(value)))


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


class _Solutions:
    """Suppression patterns already solved: cubes with the same regions and the same counts (sexes,
    breakdowns, definitions that coincide) repeat whole programs. The key is the group's equations
    with its bounds and primary cells; the pattern is a pure function of them."""

    def __init__(self) -> None:
        self._results: dict[bytes, np.ndarray] = {}

    def solve(self, equations, low, high, point, primary, weights, params: Parameters) -> np.ndarray:
        digest = hashlib.blake2b(digest_size=16)
        for terms in equations:
            digest.update(np.asarray(terms, dtype=float).tobytes() + b"|")
        for array in (low, high, point, primary, weights):
            digest.update(np.ascontiguousarray(array, dtype=float).tobytes() + b"|")
        digest.update(repr(params.protection_level).encode())
        key = digest.digest()
        if key not in self._results:
            self._results[key] = suppression.solve(
                equations, low, high, point, primary, weights, params.protection_level
            )
        return self._results[key].copy()


def _protect_group(
    cells: pd.DataFrame, members, params: Parameters, solutions: _Solutions | None = None
) -> tuple[np.ndarray, list[str]]:
    """Primary and secondary suppression of one cube (see the module docstring)."""
    low = cells["low"].to_numpy(dtype=float)
    high = cells["high"].to_numpy(dtype=float)
    point = cells["point"].to_numpy(dtype=float) if "point" in cells else point_value(low, high, params.point_rule)
    primary = (low < params.threshold) & ((high > 0) | params.suppress_zero)
    rules = np.array([f"primary:n<{params.threshold}" if s else "" for s in primary], dtype=object)
    if not primary.any():
        return primary, list(rules)
    equations = _equations(cells, members)
    level = cells["region_level"].to_numpy()
    weights = np.array([LEVEL_WEIGHT.get(v, max(LEVEL_WEIGHT.values())) for v in level], dtype=float)
    solutions = solutions or _Solutions()
    terms = [t for _, t in equations]
    # a reader knows a published count exactly at its point value, and the point values add up
    # (each is a sum of the source rows' points): the protection works on them, not on the wider
    # intervals of counts masked at source (those would let a subtraction of points through)
    suppressed = solutions.solve(terms, point, point, point, primary, weights, params)
    # a complement that published cells determine exactly (through a relation the program does not
    # list, e.g. a province minus its other COROP regions) protects nothing: it is published
    exact = [i for i in _recoverable(_equation_matrix(equations, len(cells)), suppressed) if not primary[i]]
    suppressed[exact] = False
    # a complement is named after the equation that needs it: a region equation with another
    # suppressed cell, else T = M + V
    in_region = np.zeros(len(cells), dtype=bool)
    for kind, t in equations:
        members_ = [i for i, _ in t]
        if kind == "region" and suppressed[members_].sum() >= 2:
            in_region[members_] = True
    for i in np.flatnonzero(suppressed & ~primary):
        rules[i] = "secondary:region" if in_region[i] else "secondary:sex"
    return suppressed, list(rules)


def audit(cells: pd.DataFrame, members, params: Parameters) -> list[tuple[int, float, float]]:
    """The attacker's audit of one group with `suppressed` and `rule`: the primary cells whose
    attacker interval (smallest, largest value given every published cell) is narrower than the
    protection level, as (position, smallest, largest)."""
    cells = cells.reset_index(drop=True)
    low = cells["low"].to_numpy(dtype=float)
    high = cells["high"].to_numpy(dtype=float)
    suppressed = cells["suppressed"].to_numpy(dtype=bool)
    sensitive = cells["rule"].astype(str).str.contains("primary").to_numpy() & (high > 0)
    terms = [t for _, t in _equations(cells, members)]
    return suppression.exposed(terms, low, high, suppressed, sensitive, params.protection_level)


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
    fallback = point_value(out["low"], out["high"], params.point_rule)
    out["point"] = out["point"].fillna(pd.Series(fallback)) if "point" in out else fallback
    out["suppressed"] = False
    out["rule"] = ""
    solutions = _Solutions()
    # the systems are small (hundreds of cells): BLAS threads cost far more than they gain, the more
    # so on a busy machine (the exact test does not depend on the number of threads)
    with threadpool_limits(limits=1, user_api="blas"):
        for _, group in out.groupby(group_keys + ["boundary_year"], sort=True, dropna=False):
            year = int(group["boundary_year"].iat[0])
            flags, rules = _protect_group(
                group.reset_index(drop=True), members_by_year.get(year, {}), params, solutions
            )
            out.loc[group.index, "suppressed"] = flags
            out.loc[group.index, "rule"] = rules
    return out


_TALLY: ContextVar[dict | None] = ContextVar("disclosure_tally", default=None)
_TALLY_KEYS = ["cube", "definition", "period", "breakdown", "region_level", "region_code", "sex"]


@contextmanager
def tally() -> Iterator[dict]:
    """Collect the protected cells of the cubes `record`ed while the block runs (a cube protected
    again, as the linked systems of margins.py are, counts once: its last protection)."""
    token = _TALLY.set({})
    try:
        yield _TALLY.get()
    finally:
        _TALLY.reset(token)


def record(cells: pd.DataFrame) -> None:
    """Add protected cells (with their real region levels) to the open tally, if any."""
    store = _TALLY.get()
    if store is None or cells.empty:
        return
    keys = [k for k in _TALLY_KEYS if k in cells]
    for row in cells[[*keys, "suppressed", "rule", "point"]].itertuples(index=False):
        store[tuple(row[: len(keys)])] = (row[keys.index("region_level")], row.suppressed, row.rule, row.point)


def summary(store: dict) -> pd.DataFrame:
    """Per region level: the cells protected, and the cells and persons suppressed primarily and
    secondarily (persons: the cells' published point values)."""
    frame = pd.DataFrame(list(store.values()), columns=["region_level", "suppressed", "rule", "persons"])
    kind = frame["rule"].astype(str).str.extract(r"(primary|secondary)", expand=False).fillna("")
    frame = frame.assign(
        primary=kind.eq("primary") & frame["suppressed"], secondary=kind.eq("secondary") & frame["suppressed"]
    )
    out = frame.groupby("region_level", sort=True).apply(
        lambda g: pd.Series(
            {
                "cells": len(g),
                "primary_cells": int(g["primary"].sum()),
                "secondary_cells": int(g["secondary"].sum()),
                "primary_persons": int(g.loc[g["primary"], "persons"].sum()),
                "secondary_persons": int(g.loc[g["secondary"], "persons"].sum()),
            }
        ),
        include_groups=False,
    )
    return out.reset_index()


def recoverable_cells(cells: pd.DataFrame, members: Mapping[tuple[str, str], frozenset[str]]) -> list[int]:
    """Positions of suppressed cells of one group whose value follows exactly from published cells
    (used by the checks: must be empty)."""
    cells = cells.reset_index(drop=True)
    matrix = _equation_matrix(_equations(cells, members), len(cells))
    return _recoverable(matrix, cells["suppressed"].to_numpy(dtype=bool))
