"""`techpact explain CELL`: where one published figure comes from, and the arithmetic that gives it.

A cell is named by the ids of the downloads (indicators.csv), joined by '/':

    indicator_id/definition/period/region_code/sex/breakdown      e.g.
    ho_first_years_stem_share/nl/2023/NL01/T/level=hbo

The indicator's family function (pipeline/indicators/<family>.py) is run once more on the core table
the edition stored, with a lineage trace active (`cells.tracing`): the building blocks record the
source rows of every cube – file and line – and the recipe of every indicator (count, share, ratio,
a figure the source publishes itself, growth). For the cell the explanation gives

- the rows of its numerator and denominator: for a regional cell the rows whose municipality (in
  the boundary year) lies in the region, or whose region the source names; per file the lines;
- the rules: the STEM definition table and its version, the region tables and the boundary year,
  the disclosure parameters and the rule that applied to the cell, the rounding;
- the arithmetic from the summed rows to the published numerator, denominator, value and bounds,
  and whether it reproduces the published figures exactly (as written, `%.15g`);
- the input files and reference tables (manifest) and the run and code version of the edition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import disclosure, regions, warehouse
from pipeline import indicators as indicator_logic
from pipeline.indicators import cells as cell_logic

KEY = ("indicator_id", "definition", "period", "region_code", "sex", "breakdown")
FIGURES = ("numerator", "denominator", "value", "value_low", "value_high")
FLOAT_FORMAT = "%.15g"  # as the downloads write them (pipeline/downloads.py)
SAMPLE_ROWS = 5
# the digits a value is rounded to, by operation (pipeline/indicators/cells.py, labour.py)
ROUNDING = {"share": (100.0, 2), "ratio": (1.0, 3)}


def cell_id(row: pd.Series | dict) -> str:
    return "/".join(str(row[k]) if pd.notna(row[k]) else "" for k in KEY)


def parse_cell(text: str) -> dict[str, str]:
    parts = text.strip().split("/", len(KEY) - 1)
    if len(parts) != len(KEY):
        raise ValueError(f"cell {text!r}: expected {'/'.join(KEY)} (breakdown may be empty)")
    return dict(zip(KEY, parts))


def read_indicators(edition_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(edition_dir) / "indicators.csv", dtype=str, keep_default_na=False)


def find_figure(indicators: pd.DataFrame, cell: dict[str, str]) -> pd.Series:
    rows = indicators
    for key, value in cell.items():
        rows = rows[rows[key].fillna("") == value]
    if len(rows) != 1:
        near = indicators[(indicators["indicator_id"] == cell["indicator_id"])]
        hint = "; e.g. " + ", ".join(cell_id(r) for _, r in near.head(3).iterrows()) if len(near) else ""
        raise LookupError(f"no published figure {'/'.join(cell.values())} ({len(rows)} matches){hint}")
    return rows.iloc[0]


def text_number(value: float | None) -> str:
    """A number as the downloads write it ('' for none)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return FLOAT_FORMAT % value


def line_ranges(lines: list[int]) -> str:
    """'3-5, 9' for [3, 4, 5, 9]."""
    out, start, prev = [], None, None
    for line in sorted(set(lines)):
        if start is None:
            start = prev = line
        elif line == prev + 1:
            prev = line
        else:
            out.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = line
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else str(start))
    return ", ".join(out)


@dataclass
class Part:
    """The source rows of one side (numerator, denominator, ...) of a cell and their sums."""

    role: str
    cube: str
    sex: str
    breakdown: str
    rows: pd.DataFrame = field(repr=False)
    low: float = 0.0
    high: float = 0.0
    distinct: bool = False
    point: float = 0.0  # the published whole number: the sum of the rows' point values

    def files(self) -> dict[str, str]:
        """file -> its lines (ranges)."""
        if self.rows.empty:
            return {}
        return {
            str(f): line_ranges([int(x) for x in g["source_line"] if int(x) >= 0])
            for f, g in self.rows.groupby("source_file", sort=True)
        }

    def summary(self) -> str:
        how = "distinct values" if self.distinct else "sum"
        bounds = (
            f"{text_number(self.low)}"
            if self.low == self.high
            else f"{text_number(self.point)} (the rows' point values; bounds "
            f"{text_number(self.low)}..{text_number(self.high)})"
        )
        return (
            f"{self.role}: cube {self.cube} (sex {self.sex}, breakdown '{self.breakdown}'): "
            f"{len(self.rows)} rows, {how} {bounds}"
        )


@dataclass
class Explanation:
    cell: str
    edition: str
    figure: dict
    op: str
    parts: list[Part]
    computed: dict
    arithmetic: list[str]
    reproduced: bool
    differences: list[str]
    rules: dict
    inputs: list[dict]
    reference_tables: list[dict]
    code_version: str
    run: dict
    notes: list[str]

    def text(self) -> str:
        f = self.figure
        lines = [
            f"cell {self.cell} (edition {self.edition})",
            f"  value        {f['value'] or '-'} {f['unit']}  "
            f"(low {f['value_low'] or '-'}, high {f['value_high'] or '-'})",
            f"  numerator    {f['numerator'] or '-'}",
            f"  denominator  {f['denominator'] or '-'}",
            f"  flag         {f['flag'] or '-'}",
            "rules:",
        ]
        lines += [f"  {k:<16} {v}" for k, v in self.rules.items()]
        lines.append(f"contributing rows ({self.op}):")
        for part in self.parts:
            lines.append("  " + part.summary())
            lines += [f"    {file}: lines {ranges}" for file, ranges in part.files().items()]
        lines.append("arithmetic:")
        lines += ["  " + a for a in self.arithmetic]
        lines.append(
            "reproduces the published figures exactly"
            if self.reproduced
            else "DOES NOT reproduce the published figures: " + "; ".join(self.differences)
        )
        lines.append("inputs:")
        lines += [
            f"  {i.get('path') or i['file']}  sha256 {i['sha256']}  rows {i.get('rows', '')}" for i in self.inputs
        ] or ["  (none named)"]
        lines.append("reference tables:")
        lines += [
            f"  {t['id']} version {t.get('version', '')} ({t.get('status', '')}) "
            f"sha256 {str(t.get('sha256', ''))[:16]}…"
            for t in self.reference_tables
        ]
        lines.append(
            f"produced by run {self.run.get('run_id', 'unknown')} (release {self.run.get('release', 'unknown')}), "
            f"code {self.code_version}"
        )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "parts"}
        data["parts"] = [
            {
                "role": p.role,
                "cube": p.cube,
                "sex": p.sex,
                "breakdown": p.breakdown,
                "rows": len(p.rows),
                "low": p.low,
                "high": p.high,
                "files": p.files(),
                "sample": p.rows.head(SAMPLE_ROWS).astype(str).to_dict("records"),
            }
            for p in self.parts
        ]
        return data


CELL = ["indicator_id", "definition", "period", "region_code", "sex", "breakdown"]


@dataclass
class FamilyTrace:
    """One family's function re-run on the stored core table, with its lineage: the recorded rows
    per cube, period and breakdown; per cell the recipe that made it and the recomputed row."""

    family: indicator_logic.Family
    rows: dict[tuple[str, str, str], pd.DataFrame]  # (cube, period, breakdown) -> recorded rows
    cells: dict[tuple[str, ...], tuple[dict, pd.Series]]

    @classmethod
    def of(cls, family: indicator_logic.Family, trace: cell_logic.Trace) -> FamilyTrace:
        rows: dict[tuple[str, str, str], pd.DataFrame] = {}
        if trace.rows:
            recorded = pd.concat(trace.rows, ignore_index=True)
            rows = dict(list(recorded.groupby(["cube", "period", "breakdown"], sort=False)))
        cells: dict[tuple[str, ...], tuple[dict, pd.Series]] = {}
        for recipe in trace.recipes:
            out = trace.outputs[recipe["index"]].reset_index(drop=True)
            keys = out[CELL].astype(str).itertuples(index=False, name=None)
            for position, key in enumerate(keys):
                cells.setdefault(key, (recipe, out.iloc[position]))
        return cls(family, rows, cells)


def family_of(indicator_id: str) -> indicator_logic.Family:
    for family in indicator_logic.registered():
        if indicator_id in family.indicators:
            return family
    raise LookupError(f"{indicator_id}: no registered indicator function produces it")


class Explainer:
    """Explains cells of one edition; each family's function is re-run once (`trace`)."""

    def __init__(self, edition_dir: Path, warehouse_url: str):
        self.edition_dir = Path(edition_dir)
        self.warehouse_url = warehouse_url
        self.manifest = json.loads((self.edition_dir / "manifest.json").read_text(encoding="utf-8"))
        self.edition = str(self.manifest["edition"])
        self._traces: dict[str, FamilyTrace] = {}

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return read_indicators(self.edition_dir)

    @cached_property
    def _figures(self) -> dict[tuple[str, ...], int]:
        keys = self.indicators[list(KEY)].itertuples(index=False, name=None)
        return {key: position for position, key in enumerate(keys)}

    def figure(self, cell: dict[str, str]) -> pd.Series:
        position = self._figures.get(tuple(cell[k] for k in KEY))
        if position is None:
            return find_figure(self.indicators, cell)  # raises with a hint
        return self.indicators.iloc[position]

    @cached_property
    def run(self) -> dict:
        from pipeline.publish.release import RELEASE_TABLE

        try:
            frame = warehouse.read_table(self.warehouse_url, RELEASE_TABLE, self.edition)
        except Exception:
            return {}
        return frame.iloc[0].to_dict() if len(frame) else {}

    def core_table(self, name: str) -> pd.DataFrame:
        """The core table `name` as the edition stored it in the warehouse (`core_<name>`)."""
        frame = warehouse.read_table(self.warehouse_url, f"core_{name}", self.edition)
        return frame.drop(columns=[warehouse.EDITION], errors="ignore")

    def trace(self, family: indicator_logic.Family) -> FamilyTrace:
        if family.name not in self._traces:
            ctx = indicator_logic.context(self.edition)
            table = self.core_table(family.table)
            with cell_logic.tracing() as trace:
                family.build(table, ctx)
            self._traces[family.name] = FamilyTrace.of(family, trace)
        return self._traces[family.name]

    # --- one cell -----------------------------------------------------------------------------

    def explain(self, cell_text: str) -> Explanation:
        cell = parse_cell(cell_text)
        figure = self.figure(cell)
        family = family_of(figure["indicator_id"])
        traced = self.trace(family)
        recipe, recomputed = self._recipe(traced, figure)
        parts = self._parts(traced, recipe, figure)
        computed, arithmetic = compute(recipe, parts, figure["unit"])
        suppressed = "suppressed" in figure["flag"].split(";")
        differences = []
        if suppressed:
            computed = dict.fromkeys(FIGURES)
            arithmetic.append(f"not published: suppressed by rule '{figure['rule']}' (disclosure control)")
            if str(recomputed["rule"]) != figure["rule"]:
                differences.append(f"rule: recomputed '{recomputed['rule']}', published '{figure['rule']}'")
        else:
            for name in FIGURES:
                got, published = text_number(computed.get(name)), figure[name]
                if got != published:
                    differences.append(f"{name}: computed {got or '-'}, published {published or '-'}")
        return Explanation(
            cell=cell_id(figure),
            edition=self.edition,
            figure={
                k: figure[k] for k in (*FIGURES, "unit", "flag", "rule", "region_level", "region_name", "boundary_year")
            },
            op=recipe["op"],
            parts=parts,
            computed={k: text_number(v) for k, v in computed.items()},
            arithmetic=arithmetic,
            reproduced=not differences,
            differences=differences,
            rules=self._rules(figure, recipe, traced),
            inputs=self._inputs(figure["indicator_id"]),
            reference_tables=self.manifest.get("reference_tables", []),
            code_version=self.manifest.get("code", {}).get("version", "unknown"),
            run=self.run,
            notes=[],
        )

    def _recipe(self, traced: FamilyTrace, figure: pd.Series) -> tuple[dict, pd.Series]:
        """The recipe whose output holds the cell, and the recomputed row."""
        found = traced.cells.get(tuple(str(figure[k]) for k in CELL))
        if found is None:
            raise LookupError(
                f"{cell_id(figure)}: the indicator function, run again on the stored core table "
                f"{traced.family.table}, does not produce this cell (the stored table differs from the build's input?)"
            )
        return found

    def _parts(self, traced: FamilyTrace, recipe: dict, figure: pd.Series) -> list[Part]:
        breakdown = figure["breakdown"]
        sides = [("numerator", recipe["numerator"], recipe.get("numerator_sex"), breakdown, figure["period"])]
        if recipe.get("denominator"):
            den_breakdown = recipe.get("denominator_breakdown", {}).get(breakdown, breakdown)
            sides.append(
                ("denominator", recipe["denominator"], recipe.get("denominator_sex"), den_breakdown, figure["period"])
            )
        if recipe["op"] == "growth":
            sides.append(("base", recipe["numerator"], None, breakdown, recipe["base_period"]))
        if recipe.get("value"):
            sides.append(("value", recipe["value"], None, breakdown, figure["period"]))
        parts = []
        for role, cube, sex, part_breakdown, period in sides:
            sex = sex or figure["sex"]
            rows = select_rows(
                traced.rows.get((cube, period, part_breakdown), EMPTY_ROWS),
                sex,
                figure["region_level"],
                figure["region_code"],
            )
            distinct = bool(len(rows)) and (rows["distinct"] != "").any()
            if distinct:
                low = high = point = float(rows["distinct"].nunique())
            elif len(rows):
                low, high = float(rows["low"].sum()), float(rows["high"].sum())
                point = float(disclosure.point_value(rows["low"], rows["high"]).sum())
            else:
                low = high = point = 0.0
            parts.append(Part(role, cube, sex, part_breakdown, rows, low, high, distinct, point))
        return parts

    def _rules(self, figure: pd.Series, recipe: dict, traced: FamilyTrace) -> dict:
        tables = {t["path"]: t for t in self.manifest.get("reference_tables", []) if t.get("path")}
        definition = figure["definition"]
        stem = [tables[p] for p in definition_tables(traced.family, definition) if p in tables]
        params = disclosure.parameters()
        level = figure["region_level"]
        region_tables = [t for t in tables.values() if t["id"].startswith("regions.")]
        scale, digits = _scale(recipe, figure["unit"])
        return {
            "definition": (
                f"{definition}: " + ", ".join(f"{t['id']} version {t.get('version', '')}" for t in stem)
                if stem
                else f"{definition} (no STEM table: the indicator is not a STEM selection)"
            ),
            "region": (
                "national: every row"
                if level == "national"
                else f"{level} {figure['region_code']} ({figure['region_name']}), boundary year "
                f"{figure['boundary_year'] or 'none (the source names the region)'}; "
                + ", ".join(f"{t['id']} {t.get('version', '')}" for t in region_tables)
            ),
            "disclosure": f"threshold {params.threshold}, suppress zero {str(params.suppress_zero).lower()}; "
            f"rule of this cell: '{figure['rule'] or 'none (published)'}'",
            "rounding": f"value x {scale:g}, {digits} decimals" if digits is not None else "none (counts)",
            "family": f"{traced.family.name} ({traced.family.table}), op {recipe['op']}",
        }

    @cached_property
    def _source_families(self) -> dict[str, list[str]]:
        return indicator_logic.source_families()

    def _inputs(self, indicator_id: str) -> list[dict]:
        families = self._source_families.get(indicator_id, [])
        return [i for i in self.manifest.get("inputs", []) if not families or i.get("family") in families]


EMPTY_ROWS = pd.DataFrame(
    columns=["call", "sex", "sex_mode", "place", "place_level", "low", "high", "distinct", "source_file", "source_line"]
)


# the reference tables that select the rows of the families that classify no programmes themselves
SELECTION_TABLES = {
    "employment_by_occupation": ["stem/nl_technical_occupations.csv"],
    "labour_market_tension": ["stem/nl_technical_occupations.csv"],
    "vo_exam_subjects": ["sources/duo_vo_exam_subjects.csv"],
    "ho_first_years_classified": ["stem/teacher_training_groups.csv"],  # teacher training (definition none)
    "ho_diplomas_classified": ["stem/teacher_training_groups.csv"],
}


def definition_tables(family: indicator_logic.Family, definition: str) -> list[str]:
    """Paths (relative to reference/) of the tables that decide which rows count under `definition`
    for the family: its classification's STEM table, or the selection table of the family."""
    from pipeline import classify

    core = family.table.removesuffix("_classified")
    paths = [spec.tables[definition] for spec in classify.plan() if spec.core == core and definition in spec.tables]
    return paths or SELECTION_TABLES.get(family.table, [])


def select_rows(rows: pd.DataFrame, sex: str, level: str, code: str) -> pd.DataFrame:
    """Of the recorded rows of one cube, period and breakdown, those that make up the cell: one
    recording of the cube (a cube built more than once, e.g. nationally and by region, holds the
    same rows each time), the cell's sex (T of a cube built from M and V rows: both) and region."""
    if rows.empty:
        return rows
    if level != "national":
        rows = rows[rows["place_level"] != ""]
    if rows.empty:
        return rows
    rows = rows[rows["call"] == rows["call"].iloc[0]]
    if not (sex == "T" and (rows["sex_mode"] == "sum").all()):
        rows = rows[rows["sex"] == sex]
    if level == "national" or rows.empty:
        return rows
    place_level = rows["place_level"].iloc[0]
    if place_level == level:
        return rows[rows["place"] == code]
    if place_level != "municipality":
        raise LookupError(f"rows located by {place_level} cannot be summed to a {level}")
    members = regions.members(int(rows["boundary_year"].iloc[0])).get((level, code), frozenset())
    return rows[rows["place"].isin(members)]


def _scale(recipe: dict, unit: str) -> tuple[float, int | None]:
    if recipe["op"] in ("divide", "growth"):
        return recipe["scale"], recipe["digits"]
    if recipe["op"] in ("count", "source"):
        return 1.0, None
    return (100.0, 2) if unit == "percent" else ROUNDING["ratio"]


def compute(recipe: dict, parts: list[Part], unit: str) -> tuple[dict, list[str]]:
    """The published figures from the summed rows, by the recipe's operation, and the steps."""
    side = {p.role: p for p in parts}
    n = side["numerator"]
    op = recipe["op"]
    t = text_number
    if op == "count":
        mid = n.point
        bounds = "" if n.low == n.high else f" (the rows' point values; {t(n.low)}..{t(n.high)})"
        steps = [f"count = {t(mid)}{bounds}"]
        return {"numerator": mid, "denominator": None, "value": mid, "value_low": n.low, "value_high": n.high}, steps
    d = side["denominator"]
    if op == "source":
        v = side["value"].low
        steps = [f"numerator {t(n.low)}, denominator {t(d.low)}, value as the source publishes it: {t(v)}"]
        return {"numerator": n.low, "denominator": d.low, "value": v, "value_low": v, "value_high": v}, steps
    if op == "divide":
        scale, digits = recipe["scale"], recipe["digits"]
        v = float(np.round(scale * n.low / d.low, digits))
        steps = [f"value = round({scale:g} x {t(n.low)} / {t(d.low)}, {digits}) = {t(v)}"]
        return {"numerator": n.low, "denominator": d.low, "value": v, "value_low": v, "value_high": v}, steps
    if op == "growth":
        base = side["base"]
        change = n.low - base.low
        scale, digits = recipe["scale"], recipe["digits"]
        v = float(np.round(scale * change / base.low, digits))
        steps = [
            f"change = {t(n.low)} - {t(base.low)} (base year {recipe['base_period']}) = {t(change)}",
            f"value = round({scale:g} x {t(change)} / {t(base.low)}, {digits}) = {t(v)}",
        ]
        return {"numerator": change, "denominator": base.low, "value": v, "value_low": v, "value_high": v}, steps
    scale, digits = _scale(recipe, unit)
    num_mid, den_mid = n.point, d.point
    value = float(np.round(scale * num_mid / den_mid, digits))
    nested = bool(recipe.get("nested"))
    low_, high_ = cell_logic.quotient_bounds(n.low, n.high, d.low, d.high, scale, nested)
    low, high = float(np.round(low_, digits)), float(high_)
    high = np.nan if np.isinf(high) else high
    if unit == "percent" and not np.isnan(high):
        high = min(high, 100.0)
    high = float(np.round(high, digits)) if not np.isnan(high) else np.nan
    # nested: the numerator's masked part u = high - low of the numerator is in the denominator too
    u = n.high - n.low if nested else 0.0
    low_den = f"({t(d.high)} - {t(u)})" if nested else t(d.high)
    high_den = f"({t(d.low)} + {t(u)})" if nested else t(d.low)
    steps = [
        f"value = round({scale:g} x {t(num_mid)} / {t(den_mid)}, {digits}) = {t(value)}",
        f"low = round({scale:g} x {t(n.low)} / {low_den}, {digits}) = {t(low)}",
        f"high = round({scale:g} x {t(n.high)} / {high_den}, {digits}) = {t(high) or 'none'}"
        + (" (at most 100)" if unit == "percent" else ""),
    ]
    return {"numerator": num_mid, "denominator": den_mid, "value": value, "value_low": low, "value_high": high}, steps


def explain(cell_text: str, edition_dir: Path, warehouse_url: str) -> Explanation:
    return Explainer(edition_dir, warehouse_url).explain(cell_text)


def main(cell_text: str, edition_dir: Path, warehouse_url: str, as_json: bool = False) -> int:
    try:
        result = explain(cell_text, edition_dir, warehouse_url)
    except (ValueError, LookupError, FileNotFoundError) as error:
        print(f"cannot explain {cell_text}: {error}")
        return 1
    if as_json:
        print(json.dumps(result.as_dict(), indent=1, default=str))
    else:
        print(result.text())
    return 0 if result.reproduced else 1
