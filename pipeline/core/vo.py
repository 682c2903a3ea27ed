"""Core tables of DUO secondary education (vo): exam candidates/passes, pupils by profile (with the
municipality from DUO's register of locations) and exam candidates per subject."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.duo import bounds, check_years, finish, text
from pipeline.problems import SourceError, problem
from schemas import empty_table
from schemas.core import VoExamCandidates, VoExamSubjects, VoPupilsByProfile

SEX_CODES = {"man": "M", "vrouw": "V"}
UNKNOWN_SEX = "onbekend"


def _location(raw: pd.DataFrame, edition: str) -> dict[str, object]:
    return {
        "edition": edition,
        "year": raw["year"].astype(np.int64).to_numpy(),
        "institution_code": text(raw["institution_code"]),
        "location_code": text(raw["location_code"]),
        "location_name": text(raw["location_name"]),
        "municipality_code": text(raw["municipality_code"]),
        "school_type": text(raw["school_type"]),
    }


def _known_sex(raw: pd.DataFrame) -> pd.DataFrame:
    """The rows of man and vrouw. The 2014-2019 exam layout has an ONBEKEND block: its zero counts are
    left out; a candidate of unknown sex cannot be placed in the indicators by sex, so a non-zero
    count stops the run naming file, line and year (never dropped silently)."""
    unknown = raw["sex"].astype(str) == UNKNOWN_SEX
    if not unknown.any():
        return raw
    counted = raw[unknown & (raw["count"].fillna(1) != 0)]
    if len(counted):
        raise SourceError(
            [
                problem(
                    str(r.source_file),
                    int(r.source_line),
                    f"ONBEKEND {r.school_year}",
                    f"{r.count} {r.measure} of unknown sex: the vo indicators by sex cannot place them",
                )
                for r in counted.itertuples(index=False)
            ]
        )
    return raw[~unknown].reset_index(drop=True)


def vo_exam_candidates(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """Exam candidates and passes; the exam year (end of the school year) may be at most the
    edition's last education year."""
    if raw.empty:
        return empty_table(VoExamCandidates)
    check_years(raw, edition, last_year)
    raw = _known_sex(raw)
    frame = _location(raw, edition)
    frame.update(
        {
            "profile_code": text(raw["profile_code"]),
            "programme_name": text(raw["programme_name"]),
            "sex": text(raw["sex"].astype(str).map(SEX_CODES)),
            "measure": text(raw["measure"]),
            **bounds(raw),
        }
    )
    frame["school_year"] = text(raw["school_year"])
    columns = list(VoExamCandidates.to_schema().columns)
    return finish(
        pd.DataFrame(frame)[columns], VoExamCandidates, ["year", "location_code", "profile_code", "sex", "measure"]
    )


def pupils_in_scope(raw: pd.DataFrame) -> pd.DataFrame:
    """The pupils rows of a school type with profiles (vmbo, havo, vwo): what the core table holds."""
    return raw[raw["school_type"].astype(str) != ""].reset_index(drop=True)


def vo_pupils_by_profile(raw: pd.DataFrame, locations: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """Pupils of vmbo, havo and vwo by profile, each location in its municipality by DUO's register of
    vo locations; a location the register does not hold stops the run (file and first line)."""
    if raw.empty:
        return empty_table(VoPupilsByProfile)
    check_years(raw, edition, last_year)
    raw = pupils_in_scope(raw)
    codes = dict(zip(locations["location_code"].astype(str), locations["municipality_code"].astype(str)))
    location = raw["location_code"].astype(str)
    missing = raw[~location.isin(codes)].drop_duplicates("location_code")
    if len(missing):
        register = ", ".join(sorted(set(locations["source_file"].astype(str)))) or "none in the landing area"
        raise SourceError(
            [
                problem(
                    str(r.source_file),
                    int(r.source_line),
                    "VESTIGINGSNUMMER",
                    f"location {r.location_code} is not in the register of vo locations ({register})",
                )
                for r in missing.itertuples(index=False)
            ]
        )
    raw = raw.assign(municipality_code=location.map(codes).to_numpy())
    frame = _location(raw, edition)
    frame.update(
        {
            "school_type_year": text(raw["school_type_year"]),
            "vmbo_sector": text(raw["vmbo_sector"]),
            "department": text(raw["department"]),
            "element_code": text(raw["element_code"]),
            "profile_code": text(raw["profile_code"]),
            "programme_name": text(raw["programme_name"]),
            "study_year": raw["study_year"].astype(np.int64).to_numpy(),
            "sex": text(raw["sex"].astype(str).map(SEX_CODES)),
            **bounds(raw),
        }
    )
    columns = list(VoPupilsByProfile.to_schema().columns)
    return finish(
        pd.DataFrame(frame)[columns],
        VoPupilsByProfile,
        ["year", "location_code", "school_type_year", "element_code", "profile_code", "study_year", "sex"],
    )


def vo_exam_subjects(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """havo/vwo exam candidates per location and subject. The rows of pass-mark subjects (lo, ckv: one
    row per mark V/G, without graded exams) are added up per subject."""
    if raw.empty:
        return empty_table(VoExamSubjects)
    check_years(raw, edition, last_year)
    keys = ["year", "school_type", "location_code", "subject_code"]  # a location may offer havo and vwo
    raw = raw.sort_values([*keys, "source_file", "source_line"], kind="stable")
    raw = raw.groupby(keys, observed=True, sort=True, as_index=False).agg(
        {
            **{c: "first" for c in raw.columns if c not in (*keys, "count", "masked")},
            "count": "sum",
            "masked": "any",
        }
    )
    frame = _location(raw, edition)
    frame.update(
        {
            "school_year": text(raw["school_year"]),
            "subject_code": text(raw["subject_code"]),
            "subject_name": text(raw["subject_name"]),
            **bounds(raw),
        }
    )
    columns = list(VoExamSubjects.to_schema().columns)
    return finish(pd.DataFrame(frame)[columns], VoExamSubjects, keys)
