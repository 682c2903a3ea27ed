"""Core tables of DUO higher education (hbo, wo)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.problems import SourceError, problem
from schemas import validate
from schemas.core import HoFirstYears

SEX_CODES = {"man": "M", "vrouw": "V"}


def ho_first_years(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """First-years of hbo and wo from the raw DUO deliveries of one edition.

    Years after the edition's last education year are an error (a delivery of the wrong edition);
    earlier years are all kept, so the edition reports the whole series in its files.
    """
    late = raw[raw["year"] > last_year]
    if not late.empty:
        raise SourceError([
            problem(f, None, str(y), f"year {y} is after edition {edition}'s last education year {last_year}")
            for f, y in sorted(set(zip(late["source_file"], late["year"])))
        ])
    masked = raw["masked"].to_numpy()
    count = raw["count"]
    frame = pd.DataFrame({
        "edition": edition,
        "year": raw["year"].astype(np.int64),
        "level": raw["level"],
        "municipality_code": "GM" + raw["municipality_number"],
        "municipality_name": raw["municipality_name"],
        "institution_code": raw["institution_code"],
        "institution_name": raw["institution_name"],
        "croho_sector": raw["croho_sector"],
        "programme_code": raw["programme_code"],
        "programme_name": raw["programme_name"],
        "programme_type": raw["programme_type"],
        "study_form": raw["study_form"],
        "sex": raw["sex"].map(SEX_CODES),
        "count": count,
        "count_low": np.where(masked, 1, count.fillna(0).astype(np.int64)).astype(np.int64),
        "count_high": np.where(masked, 4, count.fillna(0).astype(np.int64)).astype(np.int64),
        "masked": masked,
        "source_file": raw["source_file"],
        "source_line": raw["source_line"].astype(np.int64),
    })
    frame = frame.sort_values(["year", "level", "institution_code", "municipality_code", "programme_code",
                               "programme_type", "study_form", "sex"], kind="stable").reset_index(drop=True)
    problems = validate(HoFirstYears, frame)
    if problems:
        raise SourceError(problems)
    return frame
