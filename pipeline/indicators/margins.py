"""National tables with several breakdowns and their margins, protected as one system.

`cells.protect()` protects each breakdown value on its own: the region and sex equations of one
cube. A table that publishes a cross breakdown *and* its margins (level x learning path, level,
learning path and the total) adds equations between breakdown values: a margin is the sum of its
parts, so a suppressed part could be recomputed from its margin and published siblings.

`protect()` therefore protects the national cells of such a table per cube, definition and period
as one system, by reading the breakdown as the region hierarchy of disclosure control: the cells
of the full cross breakdown are the atoms (in the role of municipalities) and every margin is a
region whose members are the atoms it adds up. Margins weigh as a national figure, so complements
are atoms wherever an atom will do; a complement chosen for a margin equation is labelled
`secondary:breakdown`.

A family may also publish one of the margins for every region (e.g. mbo by level): the national
cells of those regional cubes belong to both systems. Both systems must hide the same shared cells,
so they are run until they agree: a shared cell that one system hides is forced hidden in the
other. Disclosure control suppresses whole units (a breakdown value or a region with all its
sexes), so the two systems meet only in these shared units, and a cell that neither system can
recompute on its own cannot be recomputed from both together (tests/test_indicators_education.py
checks this on the combined equations).
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd

from pipeline import disclosure
from pipeline.indicators import cells as c

KEY = ["cube", "definition", "period", "breakdown", "sex"]
ATOM, MARGIN = "municipality", "national"  # the roles of disclosure control's region levels


def subsets(dims: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every breakdown of a table over `dims`: the full cross breakdown first, the total last."""
    return [tuple(d for d, keep in zip(dims, mask) if keep) for mask in product((True, False), repeat=len(dims))]


def _parts(text: str) -> frozenset[tuple[str, str]]:
    return frozenset(tuple(part.split("=", 1)) for part in text.split(";")) if text else frozenset()


def _dims(text: str) -> tuple[str, ...]:
    return tuple(sorted(name for name, _ in _parts(text)))


def _keys(frame: pd.DataFrame) -> pd.Series:
    text = frame[KEY[0]].astype(str)
    for column in KEY[1:]:
        text = text + "|" + frame[column].astype(str)
    return text


def _forcing(
    cells: pd.DataFrame, forced: np.ndarray, rules: pd.Series, run, params: disclosure.Parameters
) -> pd.DataFrame:
    """Run a protection with the `forced` cells treated as primary cells; they keep their own
    bounds and the rule of the system that hid them (`rules`), unless they are small themselves."""
    small = ((cells["low"] < params.threshold) & ((cells["high"] > 0) | params.suppress_zero)).to_numpy()
    trial = cells.copy()
    trial.loc[forced, "low"] = 0.0
    trial.loc[forced, "high"] = np.maximum(trial.loc[forced, "high"], 1.0)
    out = run(trial).reset_index(drop=True)
    out["low"] = cells["low"].to_numpy()
    out["high"] = cells["high"].to_numpy()
    relabel = forced & ~small
    out.loc[relabel, "rule"] = rules.to_numpy()[relabel]
    return out


def _protect_national(
    cells: pd.DataFrame, dims: tuple[str, ...], forced: np.ndarray, rules: pd.Series, ctx: c.Context
) -> pd.DataFrame:
    """One breakdown system per cube, definition and period (see the module docstring)."""
    texts = sorted(set(cells["breakdown"]))
    atoms = [t for t in texts if len(_parts(t)) == len(dims)]
    members = {
        (MARGIN, "b:" + t): frozenset("b:" + a for a in atoms if _parts(t) <= _parts(a))
        for t in texts
        if t not in atoms
    }
    encoded = cells.assign(
        region_level=np.where(cells["breakdown"].isin(atoms), ATOM, MARGIN),
        region_code="b:" + cells["breakdown"],
        boundary_year=-1,
    )

    def run(frame: pd.DataFrame) -> pd.DataFrame:
        out = disclosure.protect(frame, ["cube", "definition", "period"], {-1: members}, ctx.params)
        return out.assign(rule=out["rule"].replace("secondary:region", "secondary:breakdown"))

    out = _forcing(encoded, forced, rules, run, ctx.params)
    for column in ("region_level", "region_code"):
        out[column] = cells[column].to_numpy()
    out["boundary_year"] = pd.array(cells["boundary_year"], dtype="Int64")
    return out


def protect(
    national: list[pd.DataFrame], dims: tuple[str, ...], ctx: c.Context, regional: list[pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Protect the national cubes over every breakdown of `dims` (`subsets`) as one system per
    cube, definition and period, together with `regional` cubes (located, over one of those
    breakdowns) whose national cells are shared; returns every cell once, like `cells.protect`."""
    nat = pd.concat(national, ignore_index=True)
    if not regional:
        out = _protect_national(nat, dims, np.zeros(len(nat), dtype=bool), pd.Series("", index=nat.index), ctx)
        disclosure.record(out)
        return out
    reg_cells = pd.concat(regional, ignore_index=True)
    shared_dims = {_dims(t) for t in set(reg_cells["breakdown"])}
    if len(shared_dims) != 1:
        raise ValueError(f"regional cubes must share one breakdown, found {sorted(shared_dims)}")
    nat["boundary_year"] = ctx.boundary_year
    shared = (nat["breakdown"].map(_dims) == next(iter(shared_dims))).to_numpy()
    nat_keys = _keys(nat)
    reg_national = (reg_cells["region_level"] == "national").to_numpy()
    reg_keys = _keys(reg_cells)
    forced_regional: dict[str, str] = {}
    while True:
        forced = reg_national & reg_keys.isin(list(forced_regional)).to_numpy()
        reg = _forcing(
            reg_cells,
            forced,
            reg_keys.map(lambda k: forced_regional.get(k, "")),
            lambda f: c.protect([f], ctx),
            ctx.params,
        )
        hidden_national = reg_national & reg["suppressed"].to_numpy()
        hidden = dict(zip(reg_keys[hidden_national], reg.loc[hidden_national, "rule"]))
        forced_nat = shared & nat_keys.isin(list(hidden)).to_numpy()
        out = _protect_national(nat, dims, forced_nat, nat_keys.map(lambda k, hidden=hidden: hidden.get(k, "")), ctx)
        newly = shared & out["suppressed"].to_numpy() & ~forced_nat
        if not newly.any():
            break
        forced_regional.update(zip(nat_keys[newly], out.loc[newly, "rule"]))
    both = pd.concat([reg, out[~shared]], ignore_index=True)
    disclosure.record(both)
    return both
