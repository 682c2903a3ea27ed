"""Core tables of DUO mbo: participants and diplomas per qualification (crebo)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.duo import bounds, check_years, finish
from schemas import empty_table
from schemas.core import MboDiplomas, MboParticipants

SEX_CODES = {"man": "M", "vrouw": "V"}
KEYS = ["year", "institution_code", "place_name", "learning_path", "qualification_level", "qualification_code", "sex"]


def _mbo(raw: pd.DataFrame, edition: str, last_year: int, model) -> pd.DataFrame:
    if raw.empty:
        return empty_table(model)
    check_years(raw, edition, last_year)
    frame = {
        "edition": edition,
        "year": raw["year"].astype(np.int64).to_numpy(),
        "institution_code": raw["institution_code"].to_numpy(),
        "institution_name": raw["institution_name"].to_numpy(),
        "place_name": raw["place_name"].to_numpy(),
        "municipality_code": raw["municipality_code"].to_numpy(),
        "learning_path": raw["learning_path"].to_numpy(),
        "qualification_level": raw["qualification_level"].astype(np.int64).to_numpy(),
        "qualification_code": raw["qualification_code"].to_numpy(),
        "qualification_name": raw["qualification_name"].to_numpy(),
        "mbo_sector": raw["mbo_sector"].to_numpy(),
        "sex": raw["sex"].map(SEX_CODES).to_numpy(),
        **bounds(raw),
    }
    return finish(pd.DataFrame(frame), model, KEYS)


def mbo_participants(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    return _mbo(raw, edition, last_year, MboParticipants)


def mbo_diplomas(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    return _mbo(raw, edition, last_year, MboDiplomas)
