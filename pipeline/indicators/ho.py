"""Indicators of DUO higher education (hbo, wo): first-years and diplomas in STEM, and the STEM
teacher-training programmes in the monitor's four groups (reference/stem/teacher_training_groups.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import reference, regions
from pipeline.indicators import DEFINITIONS, register
from pipeline.indicators import cells as c

FIRST_YEARS = (
    "ho_first_years_stem",
    "ho_first_years_stem_share",
    "ho_first_years_stem_women_share",
    "ho_first_years_stem_mf_ratio",
    "teacher_training_inflow",
)
DIPLOMAS = (
    "ho_diplomas_stem",
    "ho_diplomas_stem_share",
    "teacher_training_diplomas",
    "teacher_training_diplomas_vs_stem",
)
TEACHER_CLUSTER = "lerarenopleiding beta"  # the cluster of stem/nl_ho_programmes.csv the groups table splits


def locate(classified: pd.DataFrame, ctx: c.Context, code_year: int | None = None) -> pd.DataFrame:
    """The rows with `boundary_municipality_code`: their municipalities mapped to the boundary year.
    Codes are of the year of the delivery (`cells.code_years`) unless `code_year` names the division."""
    years = c.code_years(classified) if code_year is None else code_year
    return regions.map_municipalities(classified.assign(code_year=years), ctx.boundary_year)


def _stem_only(frame: pd.DataFrame, definition: str) -> pd.DataFrame:
    """`frame` with `num_low`/`num_high`: the counts of rows that are STEM under `definition`, else 0
    (`counted`: the row is STEM)."""
    stem = frame[f"stem_{definition}"].fillna(False).to_numpy(dtype=bool)
    return frame.assign(
        num_low=np.where(stem, frame["count_low"], 0), num_high=np.where(stem, frame["count_high"], 0), counted=stem
    )


def stem_cubes(
    classified: pd.DataFrame,
    ctx: c.Context,
    prefix: str,
    *,
    breakdown: tuple[str, ...] = ("level",),
    located: bool = True,
    code_year: int | None = None,
) -> tuple[list[pd.DataFrame], list[str]]:
    """The cube of all students (`<prefix>:all`) and of STEM students per definition (`<prefix>:stem:<def>`).

    Located cubes need the rows' municipalities in the boundary year: a frame from `locate` is used as
    it is, any other is located first (`code_year` as in `locate`).
    """
    frame = classified
    if located and "boundary_municipality_code" not in frame.columns:
        frame = locate(classified, ctx, code_year)
    common = {"keys": [], "ctx": ctx, "breakdown": list(breakdown), "located": located}
    cubes = [c.cube(frame, f"{prefix}:all", definition="none", low="count_low", high="count_high", **common)]
    definitions = [d for d in DEFINITIONS if not frame[f"stem_{d}"].isna().all()]
    cubes += [
        c.cube(_stem_only(frame, d), f"{prefix}:stem:{d}", definition=d, low="num_low", high="num_high", **common)
        for d in definitions
    ]
    return cubes, definitions


def teacher_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of STEM teacher-training programmes with their `teacher_group`. A programme the Dutch
    table puts in the teacher-training cluster but the groups table does not know stops the run."""
    table = reference.load("stem/teacher_training_groups.csv").frame
    group = dict(zip(table["code"], table["teacher_group"]))
    teachers = frame[frame["programme_code"].isin(list(group)) | (frame["cluster_nl"] == TEACHER_CLUSTER)]
    unknown = sorted(set(teachers["programme_code"]) - set(group))
    if unknown:
        where = teachers[teachers["programme_code"].isin(unknown)].drop_duplicates("programme_code")
        listed = "; ".join(f"{r.programme_code} {r.programme_name} ({r.source_file})" for r in where.itertuples())
        raise ValueError(
            f"teacher-training programmes missing from reference/stem/teacher_training_groups.csv: {listed}"
        )
    return teachers.assign(teacher_group=teachers["programme_code"].map(group))


def _teacher_cube(frame: pd.DataFrame, ctx: c.Context, name: str) -> pd.DataFrame:
    return c.cube(
        teacher_groups(frame),
        name,
        definition="none",
        keys=[],
        low="count_low",
        high="count_high",
        ctx=ctx,
        breakdown=["teacher_group"],
    )


def _stem_rows(
    prefix: str, count_id: str, share_id: str, cells: pd.DataFrame, definitions: list[str], ctx: c.Context
) -> list[pd.DataFrame]:
    out = []
    for definition in definitions:
        stem = f"{prefix}:stem:{definition}"
        out += [c.count(count_id, cells, stem, ctx), c.share(share_id, cells, stem, f"{prefix}:all", ctx)]
    return out


@register(table="ho_first_years_classified", source_family="duo_ho_first_years", indicators=FIRST_YEARS)
def ho_first_years(classified: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Number and share of first-years in STEM, share of women among them and the male/female
    ratio; hbo and wo, by sex, every year, every region level, both definitions; first-years in
    STEM teacher training per group."""
    frame = locate(classified, ctx)
    cubes, definitions = stem_cubes(frame, ctx, "ho_first_years")
    cells = c.protect(cubes + [_teacher_cube(frame, ctx, "teacher_training:first_years")], ctx)
    out = _stem_rows("ho_first_years", "ho_first_years_stem", "ho_first_years_stem_share", cells, definitions, ctx)
    for definition in definitions:
        stem = f"ho_first_years:stem:{definition}"
        out += [
            c.sex_share("ho_first_years_stem_women_share", cells, stem, ctx),
            c.sex_ratio("ho_first_years_stem_mf_ratio", cells, stem, ctx),
        ]
    out.append(c.count("teacher_training_inflow", cells, "teacher_training:first_years", ctx))
    return pd.concat(out, ignore_index=True)


@register(table="ho_diplomas_classified", source_family="duo_ho_diplomas", indicators=DIPLOMAS)
def ho_diplomas(classified: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Number and share of diplomas in STEM (hbo and wo, both definitions); diplomas of STEM teacher
    training per group, and relative to all STEM diplomas of the group's level under each definition."""
    frame = locate(classified, ctx)
    cubes, definitions = stem_cubes(frame, ctx, "ho_diplomas")
    teacher = "teacher_training:diplomas"
    cells = c.protect(cubes + [_teacher_cube(frame, ctx, teacher)], ctx)
    out = _stem_rows("ho_diplomas", "ho_diplomas_stem", "ho_diplomas_stem_share", cells, definitions, ctx)
    out.append(c.count("teacher_training_diplomas", cells, teacher, ctx))
    # each group against the STEM diplomas of its own level (a published cell: no new margin to protect)
    groups = reference.load("stem/teacher_training_groups.csv").frame.groupby("teacher_group")["level"].unique()
    if (groups.str.len() != 1).any():
        raise ValueError(
            f"teacher_training_groups.csv: a group spans two levels: {groups[groups.str.len() != 1].to_dict()}"
        )
    levels = {f"teacher_group={g}": f"level={lv[0]}" for g, lv in groups.items()}
    for definition in definitions:
        out.append(
            c.share_across(
                "teacher_training_diplomas_vs_stem", cells, teacher, f"ho_diplomas:stem:{definition}", ctx, levels
            )
        )
    return pd.concat(out, ignore_index=True)
