"""Indicators of DUO higher education (hbo, wo): first-year students in STEM."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import regions
from pipeline.indicators import DEFINITIONS, register
from pipeline.indicators import cells as c

FIRST_YEARS = ("ho_first_years_stem", "ho_first_years_stem_share", "ho_first_years_stem_women_share",
               "ho_first_years_stem_mf_ratio")


def stem_cubes(classified: pd.DataFrame, ctx: c.Context, prefix: str, *, breakdown: tuple[str, ...] = ("level",),
               located: bool = True, code_year: int | None = None) -> tuple[list[pd.DataFrame], list[str]]:
    """The cube of all students (`<prefix>:all`) and of STEM students per definition (`<prefix>:stem:<def>`).

    Located cubes map the rows' municipalities to the boundary year; their codes are of the year of
    the delivery (`cells.code_years`) unless `code_year` names the division they are in.
    """
    if located:
        years = c.code_years(classified) if code_year is None else code_year
        frame = regions.map_municipalities(classified.assign(code_year=years), ctx.boundary_year)
    else:
        frame = classified
    common = {"keys": [], "low": "count_low", "high": "count_high", "ctx": ctx, "breakdown": list(breakdown),
              "located": located}
    cubes = [c.cube(frame, f"{prefix}:all", definition="none", **common)]
    definitions = []
    for definition in DEFINITIONS:
        flag = frame[f"stem_{definition}"]
        if flag.isna().all():
            continue
        stem = flag.fillna(False).to_numpy(dtype=bool)
        part = frame.assign(num_low=np.where(stem, frame["count_low"], 0), num_high=np.where(stem, frame["count_high"], 0))
        cubes.append(c.cube(part, f"{prefix}:stem:{definition}", definition=definition,
                            **{**common, "low": "num_low", "high": "num_high"}))
        definitions.append(definition)
    return cubes, definitions


@register(table="ho_first_years_classified", source_family="duo_ho_first_years", indicators=FIRST_YEARS)
def ho_first_years(classified: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Number and share of first-years in STEM, share of women among them and the male/female
    ratio; hbo and wo, by sex, every year, every region level, both definitions."""
    cubes, definitions = stem_cubes(classified, ctx, "ho_first_years")
    cells = c.protect(cubes, ctx)
    out = []
    for definition in definitions:
        stem = f"ho_first_years:stem:{definition}"
        out += [c.count("ho_first_years_stem", cells, stem, ctx),
                c.share("ho_first_years_stem_share", cells, stem, "ho_first_years:all", ctx),
                c.sex_share("ho_first_years_stem_women_share", cells, stem, ctx),
                c.sex_ratio("ho_first_years_stem_mf_ratio", cells, stem, ctx)]
    return pd.concat(out, ignore_index=True)
