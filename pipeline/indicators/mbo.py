"""Indicators of DUO mbo: participants and diplomas in STEM qualifications.

Participants are published by level (1-4) for every region level, and nationally also by learning
path (BOLVT, BOLDT, BBL) within each level, per learning path and in total; the national table and
its margins are protected as one system together with the regional cubes (`margins`). Regions
follow the edition's boundary year, or the place table's division where a municipality cannot be
taken back to that year (`regional_context`). Diplomas are national (the catalogue declares no
region), by level and in total.

The mbo files carry no mark of new entrants (only participants on 1 October), so the entrant
indicators of the catalogue have no function here.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipeline import regions
from pipeline.indicators import cells as c
from pipeline.indicators import margins, register
from pipeline.indicators.ho import stem_cubes

PARTICIPANTS = ("mbo_participants_stem", "mbo_participants_stem_share")
DIPLOMAS = ("mbo_diplomas_stem_share",)
PARTICIPANT_DIMS = ("level", "learning_path")
DIPLOMA_DIMS = ("level",)


def places_division() -> int:
    """The municipal division the mbo rows' codes are in: reference/regions/places.csv maps DUO's
    place names to the current division (its meta file), the latest of the region table."""
    return regions.boundary_years()[-1]


def regional_context(classified: pd.DataFrame, ctx: c.Context) -> c.Context:
    """The edition's boundary year when every municipality of the rows can be taken back to it;
    otherwise the places' own division. A place in a municipality reorganised after the boundary
    year cannot be placed in that year's division (the place table knows only the current one),
    so the regional mbo figures then follow the current division, and their boundary_year says so."""
    division = places_division()
    codes = sorted(set(classified["municipality_code"]))
    if all(regions.map_code(code, division, ctx.boundary_year) is not None for code in codes):
        return ctx
    return replace(ctx, boundary_year=max(division, ctx.boundary_year))


def _national(frame: pd.DataFrame, ctx: c.Context, prefix: str, dims: tuple[str, ...]) -> list[pd.DataFrame]:
    cubes = []
    for breakdown in margins.subsets(dims):
        cubes += stem_cubes(frame, ctx, prefix, breakdown=breakdown, located=False)[0]
    return cubes


def _with_level(classified: pd.DataFrame) -> pd.DataFrame:
    return classified.assign(level=classified["qualification_level"].astype(str))


@register(table="mbo_participants_classified", source_family="duo_mbo_participants", indicators=PARTICIPANTS)
def mbo_participants(classified: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Number and share of participants in STEM qualifications, by sex, every year and both
    definitions: by level for every region level; nationally also by level x learning path, by
    learning path and in total."""
    frame = _with_level(classified)
    ctx = regional_context(classified, ctx)
    regional, definitions = stem_cubes(
        frame, ctx, "mbo_participants", breakdown=("level",), code_year=places_division()
    )
    cells = margins.protect(
        _national(frame, ctx, "mbo_participants", PARTICIPANT_DIMS), PARTICIPANT_DIMS, ctx, regional=regional
    )
    out = []
    for definition in definitions:
        stem = f"mbo_participants:stem:{definition}"
        out += [
            c.count("mbo_participants_stem", cells, stem, ctx),
            c.share("mbo_participants_stem_share", cells, stem, "mbo_participants:all", ctx),
        ]
    return pd.concat(out, ignore_index=True) if out else c.empty()


@register(table="mbo_diplomas_classified", source_family="duo_mbo_diplomas", indicators=DIPLOMAS)
def mbo_diplomas(classified: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Share of diplomas in STEM qualifications, national, by level and in total, by sex, every
    year (the school year starting in it) and both definitions."""
    frame = _with_level(classified)
    cubes = _national(frame, ctx, "mbo_diplomas", DIPLOMA_DIMS)
    cells = margins.protect(cubes, DIPLOMA_DIMS, ctx)
    definitions = sorted(set(cells.loc[cells["definition"] != "none", "definition"]))
    out = [
        c.share("mbo_diplomas_stem_share", cells, f"mbo_diplomas:stem:{d}", "mbo_diplomas:all", ctx)
        for d in definitions
    ]
    return pd.concat(out, ignore_index=True) if out else c.empty()
