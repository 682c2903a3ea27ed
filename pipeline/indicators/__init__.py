"""Indicator tables: what the catalogue (reference/indicators/catalogue.csv) declares, computed
from the classified core tables, in one long layout (schemas.indicators.Indicators).

The registry maps each source family's function to the indicator ids it produces and the core
table it reads. `compute()` runs every registered function whose table is present and reports, per
catalogue entry, whether it was computed, has no function yet, or lacks its source in this edition
(`coverage`): nothing in the catalogue is silently skipped, and a function that produces an id
the catalogue does not declare is an error.

Adding a source: write `pipeline/indicators/<family>.py` with one function decorated with
`@register(table=..., source_family=..., indicators=(...))` that builds cubes and assembles them
with the helpers of `pipeline.indicators.cells` (modules here are auto-discovered).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline import disclosure, reference, regions
from pipeline.indicators.cells import Context, period_flags
from schemas import empty_table, enforce
from schemas.indicators import COLUMNS, Coverage, Indicators

DEFINITIONS = ("nl", "isced")


def catalogue() -> pd.DataFrame:
    return reference.load("indicators/catalogue.csv").frame


@dataclass(frozen=True)
class Family:
    name: str
    table: str
    source_family: str
    indicators: tuple[str, ...]
    build: Callable[[pd.DataFrame, Context], pd.DataFrame]


_REGISTRY: dict[str, Family] = {}


def register(*, table: str, source_family: str, indicators: tuple[str, ...]):
    def wrap(function: Callable[[pd.DataFrame, Context], pd.DataFrame]):
        _REGISTRY[function.__name__] = Family(function.__name__, table, source_family, tuple(indicators), function)
        return function

    return wrap


def families() -> dict[str, Family]:
    for info in pkgutil.iter_modules(__path__):
        if info.name not in ("cells", "progress"):
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTRY)


def boundary_year(edition: str) -> int:
    value = reference.load("indicators/parameters.csv").frame.set_index("parameter")["value"]["boundary_year"].strip()
    return regions.default_boundary_year(edition) if value == "edition" else int(value)


def context(edition: str) -> Context:
    return Context(edition=edition, boundary_year=boundary_year(edition), params=disclosure.parameters())


def registered() -> list[Family]:
    """The registered families that produce indicators, in name order; a family producing ids the
    catalogue does not declare is an error."""
    declared = set(catalogue()["indicator_id"])
    out = []
    for family in sorted(families().values(), key=lambda f: f.name):
        extra = set(family.indicators) - declared
        if extra:
            raise ValueError(
                f"indicator function {family.name} produces ids the catalogue does not declare: {sorted(extra)}"
            )
        if family.indicators:
            out.append(family)
    return out


def source_families() -> dict[str, list[str]]:
    """indicator id -> the source families it reads (catalogue)."""
    return {r.indicator_id: r.source_families.split(";") for r in catalogue().itertuples(index=False)}


def family_cells(family: Family, table: pd.DataFrame | None, edition: str, ctx: Context) -> pd.DataFrame | str:
    """The cells of one family from its core table, with period flags, in the contract's order; or,
    when the table is absent or empty, the reason there are none (the coverage's detail)."""
    if table is None:
        return _not_built(family)
    if table.empty:
        return no_rows_reason(family, edition)
    frame = family.build(table, ctx)
    unexpected = set(frame["indicator_id"]) - set(family.indicators)
    if unexpected:
        raise ValueError(f"indicator function {family.name} produced undeclared ids {sorted(unexpected)}")
    return finish(period_flags(frame, source_families()))


def _not_built(family: Family) -> str:
    return f"core table {family.table} is not part of this build"


def no_rows_reason(family: Family, edition: str) -> str:
    return f"core table {family.table} has no rows in edition {edition}"


def assemble(cells: Mapping[str, pd.DataFrame | str], edition: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The edition's indicator table from every family's cells (`family_cells`, by family name),
    and the coverage of the catalogue."""
    cat = catalogue()
    frames, status = [], {}
    known = registered()
    for family in known:
        result = cells.get(family.name, _not_built(family))
        if isinstance(result, str):
            status.update(dict.fromkeys(family.indicators, ("source_absent", result)))
            continue
        counts = result["indicator_id"].value_counts()
        for i in family.indicators:
            status[i] = (
                ("computed", f"{int(counts[i])} cells")
                if i in counts.index
                else ("no_rows", f"{family.name} produced no cells")
            )
        frames.append(result)
    reasons = dict(
        reference.load("indicators/not_computed.csv").frame[["indicator_id", "reason"]].itertuples(index=False)
    )
    stale = sorted(set(reasons) & {i for family in known for i in family.indicators})
    if stale:
        raise ValueError(f"reference/indicators/not_computed.csv names indicators that have a function: {stale}")
    rows = []
    for entry in cat.itertuples(index=False):
        state, detail = status.get(
            entry.indicator_id,
            ("no_function", reasons.get(entry.indicator_id, "no indicator function is registered for this id yet")),
        )
        rows.append(
            {
                "edition": edition,
                "indicator_id": entry.indicator_id,
                "strand": entry.strand,
                "source_families": entry.source_families,
                "status": state,
                "detail": detail,
            }
        )
    coverage = pd.DataFrame(rows, columns=list(Coverage.to_schema().columns))
    enforce(Coverage, coverage)
    frame = finish(pd.concat(frames, ignore_index=True)) if frames else finish(empty_table(Indicators))
    return frame, coverage


def compute(
    tables: Mapping[str, pd.DataFrame], edition: str, ctx: Context | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All indicators the present core tables support, and the coverage of the catalogue."""
    ctx = ctx or context(edition)
    return assemble(
        {family.name: family_cells(family, tables.get(family.table), edition, ctx) for family in registered()}, edition
    )


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Order columns and rows canonically and validate against the indicator contract."""
    level_order = {level: i for i, level in enumerate(regions.LEVELS)}
    frame = frame.assign(_level=frame["region_level"].map(level_order))
    frame = frame.sort_values(
        ["indicator_id", "definition", "period", "_level", "region_code", "breakdown", "sex"], kind="stable"
    )[COLUMNS].reset_index(drop=True)
    for column in ("numerator", "denominator", "value", "value_low", "value_high"):
        frame[column] = frame[column].astype(float)
    frame["boundary_year"] = frame["boundary_year"].astype("Int64")
    return enforce(Indicators, frame)
