"""Core tables of DUO secondary education (vo): exam candidates/passes and pupils by profile."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.duo import bounds, check_years, finish, text
from schemas import empty_table
from schemas.core import VoExamCandidates, VoPupilsByProfile

SEX_CODES = {"man": "M", "vrouw": "V"}


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


def vo_exam_candidates(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """Exam candidates and passes; the exam year (end of the school year) may be at most the
    edition's last education year."""
    if raw.empty:
        return empty_table(VoExamCandidates)
    check_years(raw, edition, last_year)
    frame = _location(raw, edition)
    frame.update(
        {
            "profile_code": text(raw["profile_code"]),
            "programme_name": text(raw["programme_name"]),
            "sex": text(raw["sex"].map(SEX_CODES)),
            "measure": text(raw["measure"]),
            **bounds(raw),
        }
    )
    frame["school_year"] = text(raw["school_year"])
    columns = list(VoExamCandidates.to_schema().columns)
    return finish(
        pd.DataFrame(frame)[columns], VoExamCandidates, ["year", "location_code", "profile_code", "sex", "measure"]
    )


def vo_pupils_by_profile(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    if raw.empty:
        return empty_table(VoPupilsByProfile)
    check_years(raw, edition, last_year)
    frame = _location(raw, edition)
    frame.update(
        {
            "sector": text(raw["sector"]),
            "profile_code": text(raw["profile_code"]),
            "programme_name": text(raw["programme_name"]),
            "study_year": raw["study_year"].astype(np.int64).to_numpy(),
            "sex": text(raw["sex"].map(SEX_CODES)),
            **bounds(raw),
        }
    )
    columns = list(VoPupilsByProfile.to_schema().columns)
    return finish(
        pd.DataFrame(frame)[columns], VoPupilsByProfile, ["year", "location_code", "profile_code", "study_year", "sex"]
    )
