"""Core table of the programme registers: programme_participation (Jet-Net & TechNet, MKB!dee).

One row per Jet-Net/TechNet partnership (school location x company x year) or MKB!dee project,
with `count` 1, so indicators count partnerships, schools (distinct school_code), companies or
projects and sum grants from one table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.labour import check_years
from schemas import empty_table, enforce
from schemas.core_labour import ProgrammeParticipation


def programme_participation(
    partnerships: pd.DataFrame, projects: pd.DataFrame, edition: str, last_year: int
) -> pd.DataFrame:
    for raw in (partnerships, projects):
        if not raw.empty:
            check_years(raw, edition, last_year)
    parts = []
    if not partnerships.empty:
        parts.append(
            pd.DataFrame(
                {
                    "edition": edition,
                    "year": partnerships["year"].astype(np.int64),
                    "programme": partnerships["programme"],
                    "unit": "partnership",
                    "school_code": partnerships["school_code"],
                    "municipality_code": partnerships["municipality_code"],
                    "company": partnerships["company"],
                    "project_code": "",
                    "region_code": partnerships["region_code"],
                    "grant_eur": np.nan,
                    "firm_size_class": "",
                    "source_file": partnerships["source_file"],
                    "source_line": partnerships["source_line"].astype(np.int64),
                }
            )
        )
    if not projects.empty:
        parts.append(
            pd.DataFrame(
                {
                    "edition": edition,
                    "year": projects["year"].astype(np.int64),
                    "programme": "MKB!dee",
                    "unit": "project",
                    "school_code": "",
                    "municipality_code": "",
                    "company": "",
                    "project_code": projects["project_code"],
                    "region_code": projects["region_code"],
                    "grant_eur": projects["grant_eur"].astype("float64"),
                    "firm_size_class": projects["firm_size_class"],
                    "source_file": projects["source_file"],
                    "source_line": projects["source_line"].astype(np.int64),
                }
            )
        )
    columns = list(ProgrammeParticipation.to_schema().columns)
    if not parts:
        return empty_participation()
    frame = pd.concat(parts, ignore_index=True)
    frame["count"] = pd.Series(1, index=frame.index, dtype="Int64")
    frame["grant_eur"] = frame["grant_eur"].astype("float64")
    frame = frame.sort_values(["programme", "year", "school_code", "company", "project_code"], kind="stable")
    frame = frame.reset_index(drop=True)[columns]
    return enforce(ProgrammeParticipation, frame)


def empty_participation() -> pd.DataFrame:
    from schemas.core_labour import ProgrammeParticipation as model

    return enforce(model, empty_table(model))
