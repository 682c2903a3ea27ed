"""Core tables of DUO higher education (hbo, wo): first-years, all enrolments, diplomas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.duo import bounds, check_years, finish
from schemas import empty_table
from schemas.core import HoDiplomas, HoEnrolments, HoFirstYears

SEX_CODES = {"man": "M", "vrouw": "V"}
KEYS = ["year", "level", "institution_code", "municipality_code", "programme_code", "programme_type", "study_form", "sex"]
DIPLOMA_KEYS = ["year", "level", "institution_code", "municipality_code", "programme_code", "diploma_type", "study_form", "sex"]


def _merge_phases(raw: pd.DataFrame) -> pd.DataFrame:
    """Files up to 2017 split enrolments by OPLEIDINGSFASE ACTUEEL; the core table does not: the
    phases of one programme x location x form x sex x year are summed (first line kept as source)."""
    if raw.empty or not (raw["programme_phase"] != "").any():
        return raw
    group = [c for c in raw.columns if c not in ("programme_phase", "count", "masked", "source_line", "croho_subsector")]
    merged = raw.groupby(group, sort=False, dropna=False).agg(
        count=("count", lambda s: s.sum(min_count=1) if not s.isna().any() else pd.NA),
        masked=("masked", "any"), source_line=("source_line", "min"), croho_subsector=("croho_subsector", "first"),
    ).reset_index()
    merged["programme_phase"] = ""
    merged["count"] = merged["count"].astype("Int64")
    return merged


def _ho(raw: pd.DataFrame, edition: str, last_year: int, *, diplomas: bool) -> dict[str, object]:
    check_years(raw, edition, last_year)
    frame = {
        "edition": edition,
        "year": raw["year"].astype(np.int64).to_numpy(),
        "level": raw["level"].to_numpy(),
        "municipality_code": ("GM" + raw["municipality_number"]).to_numpy(),
        "municipality_name": raw["municipality_name"].to_numpy(),
        "institution_code": raw["institution_code"].to_numpy(),
        "institution_name": raw["institution_name"].to_numpy(),
        "croho_sector": raw["croho_sector"].to_numpy(),
        "programme_code": raw["programme_code"].to_numpy(),
        "programme_name": raw["programme_name"].to_numpy(),
    }
    if diplomas:
        frame["diploma_type"] = raw["diploma_type"].to_numpy()
    else:
        frame["programme_type"] = raw["programme_type"].to_numpy()
    frame["study_form"] = raw["study_form"].to_numpy()
    frame["sex"] = raw["sex"].map(SEX_CODES).to_numpy()
    frame.update(bounds(raw))
    return frame


def ho_first_years(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """First-years of hbo and wo from the raw DUO deliveries of one edition.

    Years after the edition's last education year are an error (a delivery of the wrong edition);
    earlier years are all kept, so the edition reports the whole series in its files.
    """
    raw = _merge_phases(raw)
    return finish(pd.DataFrame(_ho(raw, edition, last_year, diplomas=False)), HoFirstYears, KEYS)


def ho_enrolments(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """All enrolments of hbo and wo (same layout as the first-years)."""
    if raw.empty:
        return empty_table(HoEnrolments)
    raw = _merge_phases(raw)
    return finish(pd.DataFrame(_ho(raw, edition, last_year, diplomas=False)), HoEnrolments, KEYS)


def ho_diplomas(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    """Diplomas of hbo and wo per diploma type (SOORT DIPLOMA as DUO writes it)."""
    if raw.empty:
        return empty_table(HoDiplomas)
    return finish(pd.DataFrame(_ho(raw, edition, last_year, diplomas=True)), HoDiplomas, DIPLOMA_KEYS)
