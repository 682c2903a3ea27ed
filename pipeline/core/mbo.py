"""Core tables of DUO mbo: participants and diplomas per qualification (crebo)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.duo import bounds, check_years, finish, text
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
        "institution_code": text(raw["institution_code"]),
        "institution_name": text(raw["institution_name"]),
        "place_name": text(raw["place_name"]),
        "municipality_code": text(raw["municipality_code"]),
        "learning_path": text(raw["learning_path"]),
        "qualification_level": raw["qualification_level"].astype(np.int64).to_numpy(),
        "qualification_code": text(raw["qualification_code"]),
        "qualification_name": text(raw["qualification_name"]),
        "mbo_sector": text(raw["mbo_sector"]),
        "sex": text(raw["sex"].map(SEX_CODES)),
        **bounds(raw),
    }
    return finish(pd.DataFrame(frame), model, KEYS)


def mbo_participants(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    return _mbo(raw, edition, last_year, MboParticipants)


def mbo_diplomas(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    return _mbo(raw, edition, last_year, MboDiplomas)
