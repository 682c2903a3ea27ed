"""Core tables of DUO secondary education (vo): exam candidates/passes and pupils by profile."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.duo import bounds, check_years, finish
from schemas import empty_table
from schemas.core import VoExamCandidates, VoPupilsByProfile

SEX_CODES = {"man": "M", "vrouw": "V"}


def _location(raw: pd.DataFrame, edition: str) -> dict[str, object]:
    return {
        "edition": edition,
        "year": raw["year"].astype(np.int64).to_numpy(),
        "institution_code": raw["institution_code"].to_numpy(),
        "location_code": raw["location_code"].to_numpy(),
        "location_name": raw["location_name"].to_numpy(),
        "municipality_code": raw["municipality_code"].to_numpy(),
        "school_type": raw["school_type"].to_numpy(),
    }


def vo_exam_candidates(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """Exam candidates and passes; the exam year (end of the school year) may be at most the
    edition's last education year."""
    if raw.empty:
        return empty_table(VoExamCandidates)
    check_years(raw, edition, last_year)
    frame = _location(raw, edition)
    frame.update({"profile_code": raw["profile_code"].to_numpy(), "programme_name": raw["programme_name"].to_numpy(),
                  "sex": raw["sex"].map(SEX_CODES).to_numpy(), "measure": raw["measure"].to_numpy(), **bounds(raw)})
    frame["school_year"] = raw["school_year"].to_numpy()
    columns = list(VoExamCandidates.to_schema().columns)
    return finish(pd.DataFrame(frame)[columns], VoExamCandidates, ["year", "location_code", "profile_code", "sex", "measure"])


def vo_pupils_by_profile(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    if raw.empty:
        return empty_table(VoPupilsByProfile)
    check_years(raw, edition, last_year)
    frame = _location(raw, edition)
    frame.update({"sector": raw["sector"].to_numpy(), "profile_code": raw["profile_code"].to_numpy(),
                  "programme_name": raw["programme_name"].to_numpy(),
                  "study_year": raw["study_year"].astype(np.int64).to_numpy(),
                  "sex": raw["sex"].map(SEX_CODES).to_numpy(), **bounds(raw)})
    columns = list(VoPupilsByProfile.to_schema().columns)
    return finish(pd.DataFrame(frame)[columns], VoPupilsByProfile, ["year", "location_code", "profile_code", "study_year", "sex"])
