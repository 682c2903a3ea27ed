"""Secondary suppression as a mixed-integer program and the attacker's audit, both solved with HiGHS
(docs/methodology/disclosure.md).

A *system* is one group of cells (a cube x definition x period x breakdown: every region x sex) with
the linear equations a reader can use (`disclosure._equations`: a region is the sum of its
municipalities, T = M + V). Groups share no equation, so each is solved on its own (small models).

The attacker's audit: given the published cells (exact, or the interval [low, high] of a count that
rests on counts masked at source), the equations and non-negativity, a linear program gives the
smallest and largest value each suppressed small cell can take. A cell is protected when that
interval is at least the protection level wide (reference/indicators/parameters.csv).

Secondary suppression: one binary per cell (1 = suppressed), the primary cells fixed at 1, minimal
total cost (`cost`: a municipality before a COROP or labour-market region, those before a
province, a province before a national figure; within a level the fewer persons the cheaper), under

- no equation with exactly one suppressed cell (it would give that cell away),
- per primary cell and equation: the suppressed partners in the equation hold enough persons for
  the cell's interval to be at least the protection level wide (from that equation alone the cell
  lies between 0 and its own value plus its partners'),

then the attacker: for a small cell whose interval is still too narrow, the attacker's program and
its dual give a constraint every protected pattern satisfies (`_bound_cuts`), and the program is
solved again (first its linear relaxation, then the integer program) until the attacker finds none.
The integer rounds have deterministic limits (nodes, gap, rounds); a group still exposed after the
last round is completed by adding cells (`_complete`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import highspy
import numpy as np

INF = highspy.kHighsInf
# equations of up to this many cells state "no single suppressed cell" once per cell over the whole
# equation (a tighter relaxation); longer ones through a count of their suppressed cells (fewer terms)
STRONG_FORM = 40
RELAXED_ROUNDS = 10  # rounds of cuts on the linear relaxation before the integer program
# each integer round stops at this many branch-and-bound nodes or this relative gap to the best bound
# (deterministic limits: one thread, a fixed seed; a time limit would make the pattern vary by machine)
MIP_NODES = 500
MIP_GAP = 0.01


def _highs() -> highspy.Highs:
    """A quiet, single-threaded solver with a fixed seed (the same pattern on every run)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    return h


def _add_rows(h: highspy.Highs, rows: Sequence[tuple[float, float, Sequence[int], Sequence[float]]]) -> None:
    if not rows:
        return
    lower = np.array([r[0] for r in rows], dtype=float)
    upper = np.array([r[1] for r in rows], dtype=float)
    starts = np.cumsum([0] + [len(r[2]) for r in rows[:-1]]).astype(np.int32)
    index = np.concatenate([np.asarray(r[2], dtype=np.int32) for r in rows])
    value = np.concatenate([np.asarray(r[3], dtype=float) for r in rows])
    h.addRows(len(rows), lower, upper, len(index), starts, index, value)


def attacker_intervals(
    equations: Sequence[Sequence[tuple[int, float]]],
    low: np.ndarray,
    high: np.ndarray,
    suppressed: np.ndarray,
    targets: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and largest value each `targets` cell can take for a reader who knows every
    published cell (exact, or within [low, high]), the equations (each sums to zero) and that no
    count is negative. Unbounded above: inf."""
    n = len(low)
    lower = np.where(suppressed, 0.0, low).astype(float)
    upper = np.where(suppressed, INF, high).astype(float)
    smallest = np.zeros(len(targets))
    largest = np.full(len(targets), np.inf)
    if not len(targets):
        return smallest, largest
    # only the equations that hold a cell the reader does not know exactly
    unknown = suppressed | (low != high)
    rows = [
        (0.0, 0.0, [i for i, _ in terms], [c for _, c in terms])
        for terms in equations
        if any(unknown[i] for i, _ in terms)
    ]
    h = _highs()
    h.addVars(n, lower, upper)
    _add_rows(h, rows)
    for k, target in enumerate(targets):
        h.changeColCost(int(target), 1.0)
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            h.changeObjectiveSense(sense)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                value = h.getInfo().objective_function_value
                if sense == highspy.ObjSense.kMinimize:
                    smallest[k] = value
                else:
                    largest[k] = value
            elif status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                if sense == highspy.ObjSense.kMinimize:  # cannot happen with lower bounds >= 0
                    smallest[k] = -np.inf
            else:
                raise RuntimeError(f"attacker's audit: the linear program ended with {h.modelStatusToString(status)}")
        h.changeColCost(int(target), 0.0)
    return smallest, largest


def exposed(
    equations: Sequence[Sequence[tuple[int, float]]],
    low: np.ndarray,
    high: np.ndarray,
    suppressed: np.ndarray,
    sensitive: np.ndarray,
    protection_level: float,
) -> list[tuple[int, float, float]]:
    """Sensitive suppressed cells whose attacker interval is narrower than `protection_level`:
    (position, smallest, largest)."""
    targets = np.flatnonzero(sensitive & suppressed)
    smallest, largest = attacker_intervals(equations, low, high, suppressed, targets)
    narrow = (largest - smallest) < protection_level - 1e-6
    return [(int(t), float(s), float(g)) for t, s, g, bad in zip(targets, smallest, largest, narrow) if bad]


def cost(level_weight: np.ndarray, persons: np.ndarray) -> np.ndarray:
    """What suppressing a cell costs: its level's weight, times a slowly growing function of its
    persons (so within a level small cells go first, and a cheaper level always wins over a few
    more persons)."""
    return level_weight * (1.0 + np.log1p(np.maximum(persons, 0.0)) / math.log(10.0))


def _bound_cuts(
    equations: Sequence[Sequence[tuple[int, float]]],
    low: np.ndarray,
    high: np.ndarray,
    point: np.ndarray,
    hidden: np.ndarray,
    targets: np.ndarray,
    protection_level: float,
    reach: float,
) -> list[tuple[float, float, list[int], list[float]]]:  # `hidden`: 0/1, or shares in the relaxation
    """Constraints on the suppression pattern that every protected pattern satisfies, one for each
    target and direction the current pattern `hidden` leaves unprotected (the attacker's linear
    program and its dual, as in Fischetti and Salazar's model of cell suppression).

    The attacker's cell j lies in [low_j - low_j x_j, high_j + reach x_j] (x_j = 1: suppressed;
    `reach` bounds how far above its value a suppressed cell can be: the group's largest cell, a
    stronger attacker than the real one, so a pattern protected here is protected). A target t must
    reach `up` above its value and `down` below it; by duality, for the optimal dual values
    (alpha, beta) of the column bounds at the current pattern, every protected pattern has
    sum_j (reach alpha_j + low_j beta_j) x_j >= need - (high' alpha - low' beta)."""
    n = len(low)
    share = np.clip(np.asarray(hidden, dtype=float), 0.0, 1.0)
    lower = low - low * share
    upper = high + reach * share
    # the program over the cells the attacker does not know exactly; the others are constants
    free = upper - lower > 1e-12
    row_of = np.concatenate([np.full(len(t), r) for r, t in enumerate(equations)]).astype(int)
    col_of = np.array([i for t in equations for i, _ in t], dtype=int)
    coef_of = np.array([c for t in equations for _, c in t], dtype=float)
    constant = np.where(free[col_of], 0.0, coef_of * lower[col_of])
    known = np.bincount(row_of, weights=constant, minlength=len(equations))
    touched = np.zeros(len(equations), dtype=bool)
    touched[row_of[free[col_of]]] = True
    position = np.full(n, -1)
    position[free] = np.arange(int(free.sum()))
    kept_rows = np.flatnonzero(touched)
    rows = []
    for r in kept_rows:
        terms = [(position[i], c) for i, c in equations[r] if free[i]]
        rows.append((-known[r], -known[r], [i for i, _ in terms], [c for _, c in terms]))
    h = _highs()
    h.addVars(int(free.sum()), lower[free], upper[free])
    _add_rows(h, rows)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    cuts = []
    for t in targets:
        down = min(point[t], protection_level / 2)
        up = protection_level - down
        for sign, need in ((1.0, point[t] + up), (-1.0, -(point[t] - down))):
            h.changeColCost(int(position[t]), sign)
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"attacker's program: {h.modelStatusToString(h.getModelStatus())}")
            value = h.getInfo().objective_function_value
            if value >= need - 1e-6:
                continue
            # the reduced costs of every cell from the row duals, c - A'y: the constants' too (they
            # are the published cells whose suppression would widen the interval)
            solution = h.getSolution()
            duals = np.zeros(len(equations))
            duals[kept_rows] = np.asarray(solution.row_dual)
            objective = np.zeros(n)
            objective[t] = sign
            priced = np.bincount(col_of, weights=coef_of * duals[row_of], minlength=n)
            reduced = objective - priced
            if not np.allclose(reduced[free], np.asarray(solution.col_dual), atol=1e-7):
                reduced = objective + priced  # the solver's sign of the row duals
            alpha, beta = np.maximum(reduced, 0.0), np.maximum(-reduced, 0.0)
            if abs(upper @ alpha - lower @ beta - value) > 1e-6 * max(1.0, abs(value)):
                alpha, beta = beta, alpha
            if abs(upper @ alpha - lower @ beta - value) > 1e-6 * max(1.0, abs(value)):
                raise RuntimeError("attacker's program: the dual values do not price the optimum")
            coef = reach * alpha + low * beta
            rhs = need - (high @ alpha - low @ beta)
            keep = np.flatnonzero(coef > 1e-9)
            cuts.append((float(rhs), INF, keep.tolist(), coef[keep].tolist()))
        h.changeColCost(int(position[t]), 0.0)
    return cuts


def solve(
    equations: Sequence[Sequence[tuple[int, float]]],
    low: np.ndarray,
    high: np.ndarray,
    point: np.ndarray,
    primary: np.ndarray,
    weights: np.ndarray,
    protection_level: float,
    max_rounds: int = 12,
) -> np.ndarray:
    """The cheapest suppression pattern (see the module docstring) that hides every `primary` cell
    and passes the attacker's audit; a boolean per cell."""
    n = len(low)
    if not primary.any():
        return primary.copy()
    costs = cost(weights, point)
    # one binary per cell, then one count per equation (s_e = the suppressed cells of equation e)
    h = _highs()
    m = len(equations)
    h.addVars(n, primary.astype(float), np.ones(n))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), costs)
    h.addVars(m, np.zeros(m), np.full(m, INF))
    rows = []
    for e, terms in enumerate(equations):
        members = [i for i, _ in terms]
        if len(members) <= STRONG_FORM:  # no equation with exactly one suppressed cell: the others >= x_i
            for i in members:
                rows.append((0.0, INF, members, [(-1.0 if j == i else 1.0) for j in members]))
            continue
        rows.append((0.0, 0.0, members + [n + e], [1.0] * len(members) + [-1.0]))
        for i in members:  # the same for a long equation, through its count: s_e >= 2 x_i
            rows.append((0.0, INF, [n + e, i], [1.0, -2.0]))
    for terms in equations:
        members = [i for i, _ in terms]
        for t in members:
            if not primary[t] or high[t] <= 0:
                continue
            # from this equation alone a reader places t between 0 and its value plus its suppressed
            # partners' (when the equation's total is published, or is itself large): the partners
            # hold at least the protection level minus t (at most all they hold)
            others = [j for j in members if j != t]
            need = min(protection_level - point[t], float(point[others].sum()))
            if need > 0:
                rows.append((need, INF, others, point[others].tolist()))
    _add_rows(h, rows)
    targets = np.flatnonzero(primary & (high > 0))
    reach = float(high.max())
    columns = np.arange(n, dtype=np.int32)

    def optimum() -> np.ndarray:
        h.run()
        status = h.getModelStatus()
        # a node limit reached with a pattern in hand: that pattern (the cuts still check it)
        if status != highspy.HighsModelStatus.kOptimal and not (
            status == highspy.HighsModelStatus.kSolutionLimit and h.getInfo().primal_solution_status == 2
        ):
            raise RuntimeError(f"secondary suppression: {h.modelStatusToString(status)}")
        return np.asarray(h.getSolution().col_value)[:n]

    def cuts_of(pattern: np.ndarray) -> list:
        return _bound_cuts(equations, low, high, point, pattern, targets, protection_level, reach)

    # first the cuts of the linear relaxation (they hold for fractional patterns too, and a linear
    # program is solved in a fraction of the time of an integer one), then integer rounds, each a
    # pattern of whole cells at a bounded number of branch-and-bound nodes
    h.changeColsIntegrality(n, columns, np.full(n, highspy.HighsVarType.kContinuous))
    for _ in range(RELAXED_ROUNDS):
        cuts = cuts_of(optimum())
        if not cuts:
            break
        _add_rows(h, cuts)
    h.changeColsIntegrality(n, columns, np.full(n, highspy.HighsVarType.kInteger))
    h.setOptionValue("mip_max_nodes", MIP_NODES)
    h.setOptionValue("mip_rel_gap", MIP_GAP)
    hidden = primary.copy()
    for _ in range(max_rounds):
        hidden = optimum() > 0.5
        cuts = cuts_of(hidden)
        if not cuts:
            return hidden
        _add_rows(h, cuts)
    return _complete(hidden, cuts_of(hidden), costs, cuts_of)


def _complete(hidden: np.ndarray, cuts: list, costs: np.ndarray, cuts_of) -> np.ndarray:
    """The last integer pattern made protected by adding cells (rarely needed: a large group with
    many small cells whose rounds did not settle): for each violated cut, the published cells with
    the most weight in it per unit of cost until it holds, then the attacker again. Only adds cells,
    so it ends. Then each added cell, the dearest first, is published again where the pattern stays
    protected without it. A higher cost than the optimum, never a weaker protection."""
    start, hidden = hidden, hidden.copy()
    while cuts:
        for rhs, _, index, coef in cuts:
            index, coef = np.asarray(index, dtype=int), np.asarray(coef, dtype=float)
            have = float(coef[hidden[index]].sum())
            order = np.lexsort((index, costs[index] / coef))  # the cheapest per unit first; ties by position
            for k in order:
                if have >= rhs - 1e-9:
                    break
                if not hidden[index[k]]:
                    hidden[index[k]] = True
                    have += coef[k]
            if have < rhs - 1e-9:
                raise RuntimeError("secondary suppression: no pattern of this group protects its small cells")
        cuts = cuts_of(hidden)
    added = np.flatnonzero(hidden & ~start)
    for k in added[np.lexsort((added, -costs[added]))]:
        hidden[k] = False
        if cuts_of(hidden):
            hidden[k] = True
    return hidden
