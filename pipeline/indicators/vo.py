"""Indicators of DUO secondary education (vo): technical profiles in vmbo year 3 and the N-profile
of havo/vwo pupils in year 4 and of exam candidates.

Which profiles count is read from the classification (reference/stem/*_vo_profiles.csv): under
the Dutch definition the technical vmbo profiles and the old sector techniek, and the havo/vwo
profiles with N&T and/or N&G; under ISCED-F the programmes in broad fields 05-07 (no havo/vwo
profile: general education is field 0011, so the ISCED-F figures of the N-profile are 0).

The pupils file gives no learning path (bb/kb/gl/tl) and the exam file no subjects, so there is no
breakdown by learning path and no NaSk indicator.
"""

from __future__ import annotations

import pandas as pd

from pipeline import reference
from pipeline.indicators import cells as c
from pipeline.indicators import register
from pipeline.indicators.ho import locate, stem_cubes

PUPILS = ("vmbo_year3_technical_profile_share", "havo_vwo_year4_n_profile", "havo_vwo_year4_n_profile_share")
EXAMS = ("havo_vwo_exam_n_profile_share",)
VMBO_YEAR, HAVO_VWO_YEAR = 3, 4  # the years of study the catalogue's definitions name
HAVO_VWO = ("havo", "vwo")


def _lower_type(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(school_type=frame["school_type"].str.lower())


def _shares(
    indicator_id: str, cells: pd.DataFrame, prefix: str, definitions: list[str], ctx: c.Context
) -> list[pd.DataFrame]:
    return [c.share(indicator_id, cells, f"{prefix}:stem:{d}", f"{prefix}:all", ctx) for d in definitions]


@register(table="vo_pupils_by_profile_classified", source_family="duo_vo_pupils", indicators=PUPILS)
def vo_pupils(classified: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Share of vmbo pupils in year 3 in a technical profile; number and share of havo/vwo pupils in
    year 4 with an N-profile (havo and vwo apart); by sex, every region level, both definitions."""
    frame = _lower_type(classified)
    vmbo = frame[(frame["school_type"] == "vmbo") & (frame["study_year"] == VMBO_YEAR)]
    havo_vwo = frame[frame["school_type"].isin(HAVO_VWO) & (frame["study_year"] == HAVO_VWO_YEAR)]
    vmbo_cubes, vmbo_definitions = stem_cubes(vmbo, ctx, "vmbo_year3", breakdown=()) if len(vmbo) else ([], [])
    n_cubes, n_definitions = (
        stem_cubes(havo_vwo, ctx, "havo_vwo_year4", breakdown=("school_type",)) if len(havo_vwo) else ([], [])
    )
    if not vmbo_cubes + n_cubes:
        return c.empty()
    cells = c.protect(vmbo_cubes + n_cubes, ctx)
    out = _shares("vmbo_year3_technical_profile_share", cells, "vmbo_year3", vmbo_definitions, ctx)
    out += [c.count("havo_vwo_year4_n_profile", cells, f"havo_vwo_year4:stem:{d}", ctx) for d in n_definitions]
    out += _shares("havo_vwo_year4_n_profile_share", cells, "havo_vwo_year4", n_definitions, ctx)
    return pd.concat(out, ignore_index=True) if out else c.empty()


@register(table="vo_exam_candidates_classified", source_family="duo_vo_exams", indicators=EXAMS)
def vo_exams(classified: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Share of havo/vwo exam candidates with an N-profile (havo and vwo apart), by sex, every exam
    year (the calendar year the school year ends in), every region level of the school location,
    both definitions."""
    frame = _lower_type(classified)
    frame = frame[(frame["measure"] == "candidates") & frame["school_type"].isin(HAVO_VWO)]
    if frame.empty:
        return c.empty()
    cubes, definitions = stem_cubes(frame, ctx, "havo_vwo_exams", breakdown=("school_type",))
    cells = c.protect(cubes, ctx)
    out = _shares("havo_vwo_exam_n_profile_share", cells, "havo_vwo_exams", definitions, ctx)
    return pd.concat(out, ignore_index=True) if out else c.empty()


SUBJECTS = ("havo_exam_subject_share", "vwo_exam_subject_share")
SUBJECT_TABLE = "sources/duo_vo_exam_subjects.csv"


@register(table="vo_exam_subjects", source_family="duo_vo_subjects", indicators=SUBJECTS)
def vo_subjects(table: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Share of havo and of vwo exam candidates with wiskunde B, natuurkunde, scheikunde, informatica
    and NLT in their exam, every exam year, every region level of the school location. The subjects
    and the subject whose candidates are all candidates (Nederlandse taal en literatuur) are
    reference/sources/duo_vo_exam_subjects.csv. The file gives no sex: totals only. A subject is not
    a programme of the STEM definitions: the indicator has no definition."""
    subjects = reference.load(SUBJECT_TABLE).frame
    chosen_rows = subjects[subjects["role"] == "subject"]
    ids = dict(zip(chosen_rows["subject_code"], chosen_rows["subject_id"]))
    everyone = set(subjects.loc[subjects["role"] == "candidates", "subject_code"])
    frame = _lower_type(table)
    common = {"keys": [], "ctx": ctx, "by_sex": False, "low": "count_low", "high": "count_high"}
    out = []
    for school in HAVO_VWO:
        rows = frame[frame["school_type"] == school]
        chosen = rows[rows["subject_code"].isin(list(ids))].assign(subject=lambda f: f["subject_code"].map(ids))
        all_candidates = rows[rows["subject_code"].isin(everyone)]
        if chosen.empty or all_candidates.empty:
            continue
        cubes = [
            c.cube(locate(all_candidates, ctx), f"{school}_subjects:all", definition="none", **common),
            c.cube(
                locate(chosen, ctx), f"{school}_subjects:subject", definition="none", breakdown=["subject"], **common
            ),
        ]
        cells = c.protect(cubes, ctx)
        numerators = cells.loc[cells["cube"] == f"{school}_subjects:subject", "breakdown"].unique()
        out.append(
            c.share_across(
                f"{school}_exam_subject_share",
                cells,
                f"{school}_subjects:subject",
                f"{school}_subjects:all",
                ctx,
                dict.fromkeys(numerators, ""),
            )
        )
    return pd.concat(out, ignore_index=True) if out else c.empty()
