"""Core tables of the labour market: CBS employment, vacancies, region tables and custom unemployment
table; UWV vacancies and tension indicator.

Each function takes the raw frame of one family for one edition and returns the harmonised long
table. A figure for a period after the edition's last labour-market year is an error (a delivery of
a later edition in the wrong folder), as is one before the series could exist (before 2000).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.problems import SourceError, problem
from schemas import enforce
from schemas.core_labour import (
    EmploymentByOccupation,
    LabourMarketTension,
    MunicipalityRegions,
    UnemploymentByEducation,
    VacanciesByOccupation,
    VacanciesBySector,
)

EARLIEST_YEAR = 2000
UWV_GROUPS = {"Technische beroepen": "technical", "ICT-beroepen": "ict"}


def check_years(raw: pd.DataFrame, edition: str, last_year: int, column: str = "year") -> None:
    """Every row's year lies in [EARLIEST_YEAR, last_year]; otherwise one problem per file and year."""
    bad = raw[(raw[column] > last_year) | (raw[column] < EARLIEST_YEAR)]
    if bad.empty:
        return
    problems = []
    for (file, year), part in bad.groupby(["source_file", column], sort=True):
        why = (
            f"after edition {edition}'s last labour-market year {last_year}"
            if year > last_year
            else f"before {EARLIEST_YEAR}"
        )
        problems.append(
            problem(file, int(part["source_line"].min()), column, f"period in {year} is {why} ({len(part)} rows)")
        )
    raise SourceError(problems)


def period_label(raw: pd.DataFrame) -> pd.Series:
    year = raw["year"].astype(str)
    quarter = raw["quarter"].astype("Int64").astype(str)
    month = raw["month"].astype("Int64").astype(str).str.zfill(2)
    return pd.Series(
        np.where(
            raw["period_type"] == "year",
            year,
            np.where(raw["period_type"] == "quarter", year + "-Q" + quarter, year + "-M" + month),
        ),
        index=raw.index,
    )


def _counted(raw: pd.DataFrame) -> dict:
    count = raw["count"].astype("Int64")
    return {
        "count": count,
        "count_low": count,
        "count_high": count,
        "masked": False,
        "suppressed": raw["suppressed"].astype(bool),
        "source_file": raw["source_file"],
        "source_line": raw["source_line"].astype(np.int64),
    }


def _validated(frame: pd.DataFrame, model, order: list[str]) -> pd.DataFrame:
    frame = frame.sort_values(order, kind="stable").reset_index(drop=True)
    frame = frame[list(model.to_schema().columns)]
    return enforce(model, frame)


def employment_by_occupation(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    check_years(raw, edition, last_year)
    frame = pd.DataFrame(
        {
            "edition": edition,
            "year": raw["year"].astype(np.int64),
            "period": period_label(raw),
            "period_type": raw["period_type"],
            "occupation_code": raw["occupation_code"],
            "occupation_label": raw["occupation_label"],
            "sex": raw["sex"],
            "characteristic": raw["characteristic"],
            "provisional": raw["status"].str.lower().eq("voorlopig"),
            "table_id": raw["table_id"],
            **_counted(raw),
        }
    )
    return _validated(frame, EmploymentByOccupation, ["period", "occupation_code", "sex", "characteristic"])


def vacancies_by_sector(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    check_years(raw, edition, last_year)
    frame = pd.DataFrame(
        {
            "edition": edition,
            "year": raw["year"].astype(np.int64),
            "period": period_label(raw),
            "period_type": raw["period_type"],
            "sector_code": raw["sector_code"],
            "sector_label": raw["sector_label"],
            "provisional": raw["status"].str.lower().eq("voorlopig"),
            "table_id": raw["table_id"],
            **_counted(raw),
        }
    )
    return _validated(frame, VacanciesBySector, ["period", "sector_code"])


def municipality_regions(raw: pd.DataFrame, edition: str) -> pd.DataFrame:
    """One row per boundary year and municipality. Where several deliveries describe the same
    boundary year (an OData table and a derived file), they must agree on every level both give."""
    problems = []
    levels = ["arbeidsmarktregio_code", "corop_code", "province_code", "landsdeel_code", "municipality_name"]
    merged: dict[tuple[int, str], dict] = {}
    for row in raw.sort_values(["boundary_year", "municipality_code", "source_file"]).to_dict("records"):
        key = (int(row["boundary_year"]), row["municipality_code"])
        if key not in merged:
            merged[key] = dict(row)
            continue
        kept = merged[key]
        for level in levels:
            if row[level] and kept[level] and row[level] != kept[level] and level != "municipality_name":
                problems.append(
                    problem(
                        row["source_file"],
                        int(row["source_line"]),
                        level,
                        f"{key[1]} ({key[0]}): {row[level]} here, {kept[level]} in {kept['source_file']}",
                    )
                )
            elif row[level] and not kept[level]:
                kept[level] = row[level]
    if problems:
        raise SourceError(problems)
    rows = pd.DataFrame(list(merged.values())) if merged else raw.iloc[0:0]
    frame = pd.DataFrame(
        {
            "edition": edition,
            "boundary_year": rows["boundary_year"].astype(np.int64),
            "municipality_code": rows["municipality_code"],
            "municipality_name": rows["municipality_name"],
            "arbeidsmarktregio_code": rows["arbeidsmarktregio_code"],
            "corop_code": rows["corop_code"],
            "province_code": rows["province_code"],
            "landsdeel_code": rows["landsdeel_code"],
            "table_id": rows["table_id"],
            "source_file": rows["source_file"],
            "source_line": rows["source_line"].astype(np.int64),
        }
    )
    return _validated(frame, MunicipalityRegions, ["boundary_year", "municipality_code"])


def unemployment_by_education(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    check_years(raw, edition, last_year)
    frame = pd.DataFrame(
        {
            "edition": edition,
            "year": raw["year"].astype(np.int64),
            "field_of_education": raw["field_of_education"],
            "education_level": raw["education_level"],
            "sex": raw["sex"],
            "labour_force": raw["labour_force"].astype("Int64"),
            "unemployed": raw["unemployed"].astype("Int64"),
            "unemployment_rate": raw["unemployment_rate"].astype("float64"),
            "suppressed": raw["suppressed"].astype(bool),
            "source_file": raw["source_file"],
            "source_line": raw["source_line"].astype(np.int64),
        }
    )
    return _validated(frame, UnemploymentByEducation, ["year", "field_of_education", "education_level", "sex"])


def vacancies_by_occupation(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    check_years(raw, edition, last_year)
    frame = pd.DataFrame(
        {
            "edition": edition,
            "year": raw["year"].astype(np.int64),
            "period": raw["year"].astype(str) + "-Q" + raw["quarter"].astype(str),
            "occupation_group": raw["occupation_group"].map(UWV_GROUPS),
            "occupation_level": raw["occupation_level"],
            "count": raw["count"].astype("Int64"),
            "method": raw["method"],
            "source_file": raw["source_file"],
            "source_line": raw["source_line"].astype(np.int64),
        }
    )
    return _validated(frame, VacanciesByOccupation, ["period", "occupation_group", "occupation_level"])


def labour_market_tension(raw: pd.DataFrame, edition: str, last_year: int) -> pd.DataFrame:
    check_years(raw, edition, last_year)
    frame = pd.DataFrame(
        {
            "edition": edition,
            "year": raw["year"].astype(np.int64),
            "period": raw["year"].astype(str) + "-Q" + raw["quarter"].astype(str),
            "arbeidsmarktregio_code": raw["arbeidsmarktregio_code"],
            "occupation_code": raw["occupation_code"],
            "vacancies": raw["vacancies"].astype("Int64"),
            "short_term_benefits": raw["short_term_benefits"].astype("Int64"),
            "tension": raw["tension"].astype("float64"),
            "tension_class": raw["tension_class"],
            "source_file": raw["source_file"],
            "source_line": raw["source_line"].astype(np.int64),
        }
    )
    return _validated(frame, LabourMarketTension, ["period", "arbeidsmarktregio_code", "occupation_code"])
