"""Building blocks of every indicator: count cubes over regions x sex, disclosure control, and the
assembly of counts, shares and ratios into the long published layout.

A source family's indicator function only says which rows it counts: it builds one or more cubes
with `cube()`, protects them together with `protect()`, and turns them into indicator rows with
`count()`, `share()`, `share_across()`, `ratio()`, `sex_share()` and `sex_ratio()`. Masked source
counts travel as intervals (`low`, `high`) with a whole-number point value (`point`, the rule of
`disclosure.point_value`, summed over source rows); published counts, numerators and denominators
are the point values, `value_low`/`value_high` the bounds of the value. A cell is flagged `masked`
only where the interval is material (`disclosure.masked_material`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline import disclosure, reference, regions
from schemas import empty_table
from schemas.indicators import Indicators

REGION = ["region_level", "region_code", "region_name"]
CELL_KEYS = ["definition", "period", "breakdown", *REGION, "sex"]
FIELDS = ["low", "high", "point", "suppressed", "rule"]  # what a share or ratio takes from each count cell


@dataclass(frozen=True)
class Context:
    edition: str
    boundary_year: int
    params: disclosure.Parameters


# --- lineage trace: which source rows make up each cube cell, and how cells become indicator rows ---
#
# `techpact explain` re-runs one family's function on its stored core table with a `Trace` active;
# the building blocks then record the source rows of every cube (with their file and line) and the
# recipe of every indicator they assemble. Outside `tracing()` nothing is recorded.


@dataclass
class Trace:
    rows: list[pd.DataFrame] = field(default_factory=list)
    recipes: list[dict] = field(default_factory=list)
    outputs: list[pd.DataFrame] = field(default_factory=list)

    def add_rows(
        self,
        cube_name: str,
        frame: pd.DataFrame,
        *,
        low: str,
        high: str,
        period: str = "period",
        breakdown: pd.Series | str = "",
        sex: pd.Series | str = "T",
        place: str | None = None,
        place_level: str = "",
        boundary_year: int | None = None,
        weight: float = 1.0,
        distinct: str | None = None,
        sex_mode: str = "exact",
    ) -> None:
        """Record the source rows of `cube_name`: each row adds `weight` x its `low`/`high` to the cells
        of its period, breakdown, sex and (`place`, a column) region; `distinct` counts distinct values
        of that column instead of summing. `sex_mode` 'sum': the rows are M and V, the cell T is their sum."""
        n = len(frame)

        def column(value, default=""):
            if isinstance(value, pd.Series):
                return value.astype(str).to_numpy()
            return np.full(n, default if value is None else value, dtype=object)

        self.rows.append(
            pd.DataFrame(
                {
                    "cube": cube_name,
                    "call": len(self.rows),
                    "period": frame[period].astype(str).to_numpy(),
                    "breakdown": column(breakdown),
                    "sex": column(sex),
                    "sex_mode": sex_mode,
                    "place": frame[place].astype(str).to_numpy() if place else np.full(n, "", dtype=object),
                    "place_level": place_level if place else "",
                    "boundary_year": boundary_year if boundary_year is not None else -1,
                    "low": weight * frame[low].astype(float).to_numpy(),
                    "high": weight * frame[high].astype(float).to_numpy(),
                    "distinct": frame[distinct].astype(str).to_numpy() if distinct else np.full(n, "", dtype=object),
                    "source_file": column(frame["source_file"]) if "source_file" in frame else "",
                    "source_line": frame["source_line"].to_numpy() if "source_line" in frame else -1,
                }
            )
        )

    def recipe(self, indicator_id: str, op: str, output: pd.DataFrame, **parts) -> None:
        self.recipes.append({"indicator_id": indicator_id, "op": op, "index": len(self.outputs), **parts})
        self.outputs.append(output)


_TRACE: ContextVar[Trace | None] = ContextVar("indicator_trace", default=None)


@contextmanager
def tracing():
    """Record lineage while the block runs (see `Trace`); yields the trace."""
    trace = Trace()
    token = _TRACE.set(trace)
    try:
        yield trace
    finally:
        _TRACE.reset(token)


def active_trace() -> Trace | None:
    return _TRACE.get()


def traced(indicator_id: str, op: str, out: pd.DataFrame, **parts) -> pd.DataFrame:
    """`out` as it is; with a trace active, its recipe is recorded (op, the cubes of numerator and
    denominator, the numerator's and denominator's sex and breakdown where they differ from the cell's)."""
    trace = active_trace()
    if trace is not None:
        trace.recipe(indicator_id, op, out, **parts)
    return out


def code_years(frame: pd.DataFrame) -> pd.Series:
    """The year of a row's municipality code: the latest year of its delivery (DUO files carry the
    codes of the division of the year they were made for, on every year column)."""
    return frame.groupby("source_file")["year"].transform("max").astype(int)


def cube(
    frame: pd.DataFrame,
    name: str,
    *,
    definition: str,
    keys: list[str],
    low: str,
    high: str,
    ctx: Context,
    located: bool = True,
    period: str = "year",
    breakdown: list[str] | None = None,
    by_sex: bool = True,
) -> pd.DataFrame:
    """Sum `low`/`high` per period, breakdown, region and sex (T = M + V added when `by_sex`).

    `frame` needs `boundary_municipality_code` when `located` (see regions.map_municipalities).
    """
    breakdown = breakdown or []
    trace = active_trace()
    if trace is not None:
        # rows a selection leaves out (`counted` false: e.g. not STEM) add nothing and are not recorded
        rows = frame[frame["counted"].to_numpy(dtype=bool)] if "counted" in frame.columns else frame
        trace.add_rows(
            name,
            rows,
            low=low,
            high=high,
            period=period,
            breakdown=_breakdown_text(rows, breakdown),
            sex=rows["sex"] if by_sex else "T",
            place="boundary_municipality_code" if located else None,
            place_level="municipality",
            boundary_year=ctx.boundary_year if located else None,
            sex_mode="sum" if by_sex else "exact",
        )
    base = frame[
        [
            period,
            *breakdown,
            *(["sex"] if by_sex else []),
            low,
            high,
            *(["boundary_municipality_code"] if located else []),
        ]
    ].rename(columns={period: "period", low: "low", high: "high"})
    base["point"] = disclosure.point_value(base["low"], base["high"], ctx.params.point_rule)
    if not by_sex:
        base["sex"] = "T"
    elif (base["sex"] == "T").any():
        raise ValueError(f"cube {name}: source rows already hold totals; build it with by_sex=False")
    else:
        base = pd.concat([base.assign(sex="T"), base], ignore_index=True)
    group = ["period", *breakdown, "sex"]
    levels = regions.LEVELS if located else ("national",)
    cells = regions.aggregate(base, group, ["low", "high", "point"], ctx.boundary_year, levels=levels)
    cells["period"] = cells["period"].astype(str)
    cells["breakdown"] = _breakdown_text(cells, breakdown)
    cells = cells.drop(columns=breakdown)
    cells["definition"] = definition
    cells["cube"] = name
    cells["boundary_year"] = ctx.boundary_year if located else pd.NA
    cells["low"] = cells["low"].astype(float)
    cells["high"] = cells["high"].astype(float)
    cells["point"] = cells["point"].astype(float)
    return cells[["cube", *CELL_KEYS, "low", "high", "point", "boundary_year"]]


def empty() -> pd.DataFrame:
    """No indicator rows, in the published layout (a table that holds nothing a family counts)."""
    return empty_table(Indicators)


def _breakdown_text(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    if not columns:
        return pd.Series("", index=frame.index, dtype=str)
    parts = [column + "=" + frame[column].astype(str) for column in columns]
    text = parts[0]
    for part in parts[1:]:
        text = text + ";" + part
    return text


def protect(cubes: list[pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Disclosure control of every cube (each cube x definition x period x breakdown on its own)."""
    cells = pd.concat(cubes, ignore_index=True)
    cells["boundary_year"] = cells["boundary_year"].astype("Int64")
    years = {int(y) for y in cells["boundary_year"].dropna().unique()}
    members = {y: regions.members(y) for y in years}
    filled = cells.assign(boundary_year=cells["boundary_year"].fillna(-1))
    out = disclosure.protect(filled, ["cube", "definition", "period", "breakdown"], members, ctx.params)
    out["boundary_year"] = cells["boundary_year"]
    disclosure.record(out)
    return out


def _select(cells: pd.DataFrame, name: str) -> pd.DataFrame:
    part = cells[cells["cube"] == name]
    if part.empty:
        raise KeyError(f"no cube {name!r} among {sorted(set(cells['cube']))}")
    return part.drop(columns="cube")


def _rows(
    indicator_id: str,
    edition: str,
    keys: pd.DataFrame,
    unit: str,
    numerator: pd.Series,
    denominator: pd.Series,
    value: pd.Series,
    low: pd.Series,
    high: pd.Series,
    masked: pd.Series,
    suppressed: pd.Series,
    rule: pd.Series,
    boundary_year: pd.Series,
    hidden_parts: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """One published row per cell; `hidden_parts`: which numerators and denominators are suppressed
    counts themselves (a share is hidden when either is, but the count that is published elsewhere,
    e.g. the all-first-years denominator shared by both STEM definitions, stays shown)."""
    hide = suppressed.to_numpy(dtype=bool)
    hide_num, hide_den = hidden_parts if hidden_parts is not None else (hide, hide)
    nan = np.nan
    flags = np.where(hide, np.where(masked, "masked;suppressed", "suppressed"), np.where(masked, "masked", ""))
    return pd.DataFrame(
        {
            "indicator_id": indicator_id,
            **{k: keys[k].to_numpy() for k in CELL_KEYS},
            "edition": edition,
            "numerator": np.where(hide_num, nan, numerator.astype(float)),
            "denominator": np.where(hide_den, nan, denominator.astype(float)),
            "value": np.where(hide, nan, value.astype(float)),
            "value_low": np.where(hide, nan, low.astype(float)),
            "value_high": np.where(hide, nan, high.astype(float)),
            "unit": unit,
            "flag": flags,
            "rule": rule.to_numpy(),
            "boundary_year": boundary_year.to_numpy(),
        }
    )


def _masked(c: pd.DataFrame, ctx: Context) -> np.ndarray:
    return disclosure.masked_material(c["low"], c["high"], c["point"], ctx.params)


def count(indicator_id: str, cells: pd.DataFrame, name: str, ctx: Context) -> pd.DataFrame:
    c = _select(cells, name).reset_index(drop=True)
    return traced(
        indicator_id,
        "count",
        _rows(
            indicator_id,
            ctx.edition,
            c,
            "count",
            c["point"],
            pd.Series(np.nan, index=c.index),
            c["point"],
            c["low"],
            c["high"],
            _masked(c, ctx),
            c["suppressed"],
            c["rule"],
            c["boundary_year"],
        ),
        numerator=name,
    )


def _combine(
    indicator_id: str,
    num: pd.DataFrame,
    den: pd.DataFrame,
    ctx: Context,
    unit: str,
    scale: float,
    keys: pd.DataFrame | None = None,
    nested: bool = False,
) -> pd.DataFrame:
    """num/den cell by cell (aligned frames); cells without a population (den high = 0) are left out.

    `nested`: the numerator's rows are among the denominator's (a share of a whole): a masked row
    of the numerator is the same row of the denominator, so it moves both, and the bounds of the
    share are those of `quotient_bounds`; otherwise the numerator and denominator are independent.
    A share or ratio is flagged `masked` when its interval is wider than `masked_material_share`
    of its value and than its last digit (`disclosure.masked_material`)."""
    num, den = num.reset_index(drop=True), den.reset_index(drop=True)
    keys = num if keys is None else keys.reset_index(drop=True)
    keep = (den["high"] > 0).to_numpy()
    num, den, keys = (
        num[keep].reset_index(drop=True),
        den[keep].reset_index(drop=True),
        keys[keep].reset_index(drop=True),
    )
    digits = 2 if unit == "percent" else 3
    low, high = quotient_bounds(num["low"], num["high"], den["low"], den["high"], scale, nested)
    low, high = pd.Series(low), pd.Series(high)
    value = scale * num["point"] / den["point"].where(den["point"] > 0)
    if unit == "percent":
        high = high.clip(upper=100.0)
    suppressed = num["suppressed"].to_numpy(dtype=bool) | den["suppressed"].to_numpy(dtype=bool)
    rule = pd.Series(
        np.where(
            num["rule"] != "", "numerator " + num["rule"], np.where(den["rule"] != "", "denominator " + den["rule"], "")
        )
    )
    masked = disclosure.masked_material(
        low.round(digits), high.round(digits), value.round(digits), ctx.params, unit=10.0**-digits
    )
    high = high.replace(np.inf, np.nan)
    return _rows(
        indicator_id,
        ctx.edition,
        keys,
        unit,
        num["point"],
        den["point"],
        value.round(digits),
        low.round(digits),
        high.round(digits),
        masked,
        pd.Series(suppressed),
        rule,
        keys["boundary_year"],
        (num["suppressed"].to_numpy(dtype=bool), den["suppressed"].to_numpy(dtype=bool)),
    )


def share(indicator_id: str, cells: pd.DataFrame, numerator: str, denominator: str, ctx: Context) -> pd.DataFrame:
    """numerator cube / denominator cube, cell by cell (the denominator cube may have another
    definition); the numerator's rows are among the denominator's (a part of a whole)."""
    num = _select(cells, numerator)
    den = _select(cells, denominator).drop(columns="definition")
    out = _share(
        indicator_id,
        num.merge(
            den, on=["period", "breakdown", *REGION, "sex"], how="inner", suffixes=("", "_den"), validate="many_to_one"
        ),
        ctx,
        nested=True,
    )
    return traced(indicator_id, "share", out, numerator=numerator, denominator=denominator, nested=True)


def ratio(indicator_id: str, cells: pd.DataFrame, numerator: str, denominator: str, ctx: Context) -> pd.DataFrame:
    """numerator cube / denominator cube, cell by cell (same definition and breakdowns), as a ratio."""
    joined = _select(cells, numerator).merge(
        _select(cells, denominator), on=CELL_KEYS, suffixes=("", "_den"), validate="one_to_one"
    )
    den_part = joined[["low_den", "high_den", "point_den", "suppressed_den", "rule_den"]].set_axis(FIELDS, axis=1)
    out = _combine(indicator_id, joined[FIELDS], den_part, ctx, "ratio", 1.0, keys=joined)
    return traced(indicator_id, "ratio", out, numerator=numerator, denominator=denominator)


def share_across(
    indicator_id: str,
    cells: pd.DataFrame,
    numerator: str,
    denominator: str,
    ctx: Context,
    breakdowns: Mapping[str, str],
) -> pd.DataFrame:
    """numerator cube / denominator cube cell by cell, where the numerator's breakdown value `b` is
    divided by the denominator's breakdown value `breakdowns[b]`; the rows keep the numerator's
    breakdown and take the denominator's definition (e.g. teacher-training diplomas per group
    relative to all STEM diplomas of the group's level under one definition)."""
    num = _select(cells, numerator).drop(columns="definition")
    num = num.assign(_den=num["breakdown"].map(dict(breakdowns)))
    if num["_den"].isna().any():
        raise KeyError(
            f"{indicator_id}: no denominator breakdown for {sorted(set(num.loc[num['_den'].isna(), 'breakdown']))}"
        )
    den = _select(cells, denominator).rename(columns={"breakdown": "_den"})
    joined = num.merge(
        den, on=["period", "_den", *REGION, "sex"], how="inner", suffixes=("", "_den"), validate="many_to_one"
    )
    out = _share(indicator_id, joined, ctx)
    return traced(
        indicator_id,
        "share",
        out,
        numerator=numerator,
        denominator=denominator,
        denominator_breakdown=dict(breakdowns),
    )


def _share(indicator_id: str, joined: pd.DataFrame, ctx: Context, nested: bool = False) -> pd.DataFrame:
    den_part = joined[[c + "_den" for c in FIELDS]]
    den_part.columns = FIELDS
    return _combine(indicator_id, joined[FIELDS], den_part, ctx, "percent", 100.0, keys=joined, nested=nested)


def quotient_bounds(num_low, num_high, den_low, den_high, scale: float, nested: bool) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and largest value of scale x num / den over the intervals (inf: no upper bound).

    Independent parts: num_low / den_high and num_high / den_low. Nested (the numerator's rows are
    among the denominator's, as in a share of a whole): the uncertain part u = num_high - num_low of
    the numerator lies in the denominator too, and num / den grows with it, so the share is smallest
    when the numerator's masked rows are at their lowest and the denominator's other masked rows at
    their highest: num_low / (den_high - u); largest at num_high / (den_low + u)."""
    num_low, num_high, den_low, den_high = (np.asarray(v, dtype=float) for v in (num_low, num_high, den_low, den_high))
    spread = (num_high - num_low) if nested else np.zeros_like(num_low)
    bottom_low, bottom_high = den_high - spread, den_low + spread
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(bottom_low > 0, scale * num_low / np.where(bottom_low > 0, bottom_low, 1.0), 0.0)
        high = np.where(bottom_high > 0, scale * num_high / np.where(bottom_high > 0, bottom_high, 1.0), np.inf)
    return low, high


def _sex_pair(cells: pd.DataFrame, name: str, top: str, bottom: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    c = _select(cells, name)
    on = ["definition", "period", "breakdown", *REGION]
    joined = c[c["sex"] == top].merge(c[c["sex"] == bottom], on=on, suffixes=("", "_b"), validate="one_to_one")
    b = joined[[c + "_b" for c in FIELDS]]
    b.columns = FIELDS
    return joined, joined[FIELDS], b


def sex_share(indicator_id: str, cells: pd.DataFrame, name: str, ctx: Context, part: str = "V") -> pd.DataFrame:
    """Share of one sex in a cube (e.g. women among STEM first-years); published with sex = T."""
    joined, top, bottom = _sex_pair(cells, name, part, "T")
    out = _combine(indicator_id, top, bottom, ctx, "percent", 100.0, keys=joined.assign(sex="T"), nested=True)
    return traced(
        indicator_id,
        "share",
        out,
        numerator=name,
        denominator=name,
        numerator_sex=part,
        denominator_sex="T",
        nested=True,
    )


def sex_ratio(indicator_id: str, cells: pd.DataFrame, name: str, ctx: Context) -> pd.DataFrame:
    """Men per woman in a cube; published with sex = T."""
    joined, top, bottom = _sex_pair(cells, name, "M", "V")
    out = _combine(indicator_id, top, bottom, ctx, "ratio", 1.0, keys=joined.assign(sex="T"))
    return traced(indicator_id, "ratio", out, numerator=name, denominator=name, numerator_sex="M", denominator_sex="V")


def period_flags(frame: pd.DataFrame, source_families: dict[str, list[str]]) -> pd.DataFrame:
    """Add 'provisional' / 'break' flags from reference/indicators/period_flags.csv."""
    table = reference.load("indicators/period_flags.csv").frame
    if table.empty or frame.empty:
        return frame
    frame = frame.copy()
    year = frame["period"].str[:4]
    for row in table.itertuples(index=False):
        ids = [i for i, fams in source_families.items() if row.source_family in fams]
        hit = frame["indicator_id"].isin(ids) & (year >= row.period_from) & (year <= row.period_to)
        frame.loc[hit, "flag"] = np.where(
            frame.loc[hit, "flag"] == "", row.flag, frame.loc[hit, "flag"] + ";" + row.flag
        )
    return frame
