"""Core tables of DUO higher education (hbo, wo): first-years, all enrolments, diplomas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.duo import bounds, check_years, finish, text
from schemas import empty_table
from schemas.core import HoDiplomas, HoEnrolments, HoFirstYears

SEX_CODES = {"man": "M", "vrouw": "V"}
KEYS = [
    "year",
    "level",
    "institution_code",
    "municipality_code",
    "programme_code",
    "programme_type",
    "study_form",
    "sex",
]
DIPLOMA_KEYS = [
    "year",
    "level",
    "institution_code",
    "municipality_code",
    "programme_code",
    "diploma_type",
    "study_form",
    "sex",
]


def _merge_phases(raw: pd.DataFrame) -> pd.DataFrame:
    """Files up to 2017 split enrolments by OPLEIDINGSFASE ACTUEEL; the core table does not: the
    phases of one programme x location x form x sex x year are summed (first line kept as source)."""
    if raw.empty or not (raw["programme_phase"] != "").any():
        return raw
    group = [
        c for c in raw.columns if c not in ("programme_phase", "count", "masked", "source_line", "croho_subsector")
    ]
    merged = (
        raw.groupby(group, sort=False, dropna=False)
        .agg(
            count=("count", lambda s: s.sum(min_count=1) if not s.isna().any() else pd.NA),
            masked=("masked", "any"),
            source_line=("source_line", "min"),
            croho_subsector=("croho_subsector", "first"),
        )
        .reset_index()
    )
    merged["programme_phase"] = ""
    merged["count"] = merged["count"].astype("Int64")
    return merged


def _ho(raw: pd.DataFrame, edition: str, last_year: int, *, diplomas: bool) -> dict[str, object]:
    check_years(raw, edition, last_year)
    frame = {
        "edition": edition,
        "year": raw["year"].astype(np.int64).to_numpy(),
        "level": text(raw["level"]),
        "municipality_code": text("GM" + raw["municipality_number"]),
        "municipality_name": text(raw["municipality_name"]),
        "institution_code": text(raw["institution_code"]),
        "institution_name": text(raw["institution_name"]),
        "croho_sector": text(raw["croho_sector"]),
        "programme_code": text(raw["programme_code"]),
        "programme_name": text(raw["programme_name"]),
    }
    if diplomas:
        frame["diploma_type"] = text(raw["diploma_type"])
    else:
        frame["programme_type"] = text(raw["programme_type"])
    frame["study_form"] = text(raw["study_form"])
    frame["sex"] = text(raw["sex"].map(SEX_CODES))
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
