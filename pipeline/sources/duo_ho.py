"""DUO higher education (hbo, wo): first-year enrolments, in the format generations DUO published.

- 2018-2022: `;`, gender long (GESLACHT), one column per year, e.g.
  `...;CROHO ONDERDEEL;CROHO SUBONDERDEEL;OPLEIDINGSCODE ACTUEEL;...;GESLACHT;2015;...;2019`.
- from 2023 ("statistically protected"): counts 1-4 written as `<5`; BRIN NUMMER ACTUEEL,
  CROHO ONDERDEEL and CROHO SUBONDERDEEL renamed to INSTELLINGSCODE ACTUEEL, ONDERDEEL, SUBONDERDEEL.

The first-year file and the all-enrolments file share one header; DUO's file names tell them
apart (`eerstejaars`), and whether a file is hbo or wo (`-hbo-`, `-wo-`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.files import SOURCE_LINE, read_text_table
from schemas import validate
from schemas.raw import RawHoEnrolment

YEAR = re.compile(r"^(19|20)\d{2}$")

# DUO column -> our column, per generation
COLUMNS_2018 = {
    "PROVINCIE": "province",
    "GEMEENTENUMMER": "municipality_number",
    "GEMEENTENAAM": "municipality_name",
    "SOORT INSTELLING": "institution_type",
    "TYPE HOGER ONDERWIJS": "programme_type",
    "BRIN NUMMER ACTUEEL": "institution_code",
    "INSTELLINGSNAAM ACTUEEL": "institution_name",
    "CROHO ONDERDEEL": "croho_sector",
    "CROHO SUBONDERDEEL": "croho_subsector",
    "OPLEIDINGSCODE ACTUEEL": "programme_code",
    "OPLEIDINGSNAAM ACTUEEL": "programme_name",
    "OPLEIDINGSVORM": "study_form",
    "GESLACHT": "sex",
}
RENAMED_2023 = {"BRIN NUMMER ACTUEEL": "INSTELLINGSCODE ACTUEEL", "CROHO ONDERDEEL": "ONDERDEEL",
                "CROHO SUBONDERDEEL": "SUBONDERDEEL"}
COLUMNS_2023 = {RENAMED_2023.get(k, k): v for k, v in COLUMNS_2018.items()}
MASK = "<5"


def level_from_name(name: str) -> str | None:
    tokens = set(re.split(r"[^a-z]+", name.lower()))
    if "hbo" in tokens and "wo" not in tokens:
        return "hbo"
    if "wo" in tokens and "hbo" not in tokens:
        return "wo"
    # DUO's names read like "...-hbo-domein-hbo-2019": hbo twice and no wo
    return None


def is_first_year_file(name: str) -> bool:
    return "eerstejaars" in name or "inscriptions" in name


def _signature(columns: dict[str, str]):
    def matches(header: list[str], name: str) -> bool:
        fixed = set(columns)
        years = [h for h in header if YEAR.match(h)]
        return fixed.issubset(header) and bool(years) and is_first_year_file(name) and "SOORT DIPLOMA" not in header
    return matches


def parse_first_years(path: Path, columns: dict[str, str], generation: str) -> Delivery:
    table = read_text_table(path)
    header = table.header
    problems: list[SourceProblem] = []
    level = level_from_name(path.name)
    if level is None:
        raise SourceError([problem(path, None, None, "cannot tell hbo from wo: the file name must contain 'hbo' or 'wo' as DUO names it")])
    expected = list(columns)
    year_columns = [h for h in header if YEAR.match(h)]
    missing = [c for c in expected if c not in header]
    extra = [h for h in header if h not in columns and h not in year_columns]
    for column in missing:
        problems.append(problem(path, 1, column, "required column is missing (renamed?)"))
    for column in extra:
        problems.append(problem(path, 1, column, "unexpected column"))
    if header[: len(expected)] != expected and not missing:
        problems.append(problem(path, 1, None, "columns are not in DUO's order"))
    if problems:
        raise SourceError(problems)

    frame = table.frame
    fixed = frame[expected].rename(columns=columns)
    for column in fixed.columns:
        fixed[column] = fixed[column].str.strip()
    parts = []
    for column in year_columns:
        raw = frame[column].str.strip()
        masked = raw == MASK
        if generation == "2018-2022":
            masked = pd.Series(False, index=raw.index)
            bad_mask = raw == MASK
        else:
            bad_mask = pd.Series(False, index=raw.index)
        numeric = pd.to_numeric(raw.where(~masked), errors="coerce")
        bad = (numeric.isna() & ~masked) | bad_mask | (numeric < 0) | (numeric.notna() & (numeric % 1 != 0))
        for line, value in zip(frame.loc[bad, SOURCE_LINE], raw[bad]):
            why = "empty count" if value == "" else ("negative count" if value.startswith("-") else f"not a count: {value!r}")
            problems.append(problem(path, int(line), column, why))
        part = fixed.copy()
        part["year"] = int(column)
        part["count"] = numeric.round().astype("Int64")
        part["masked"] = masked.to_numpy()
        part[SOURCE_LINE] = frame[SOURCE_LINE].to_numpy()
        parts.append(part)
    if problems:
        raise SourceError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    long = pd.concat(parts, ignore_index=True)
    long.insert(0, "level", level)
    long["source_file"] = path.name
    long = long[list(RawHoEnrolment.to_schema().columns)]
    long["year"] = long["year"].astype(np.int64)
    long[SOURCE_LINE] = long[SOURCE_LINE].astype(np.int64)
    problems = validate(RawHoEnrolment, long, file=path)
    if problems:
        raise SourceError(problems)
    return Delivery(path=path, family="duo_ho_first_years", generation=generation, frame=long,
                    encoding=table.encoding, skipped_lines=tuple(table.skipped_lines))


FIRST_YEARS_2018 = register(SourceFormat(
    family="duo_ho_first_years",
    generation="2018-2022",
    description="DUO first-year enrolments hbo/wo, gender long, years wide",
    signature=_signature(COLUMNS_2018),
    parse=lambda path: parse_first_years(path, COLUMNS_2018, "2018-2022"),
    columns=tuple(COLUMNS_2018),
))

FIRST_YEARS_2023 = register(SourceFormat(
    family="duo_ho_first_years",
    generation="2023-",
    description="DUO first-year enrolments hbo/wo, statistically protected (<5), renamed columns",
    signature=_signature(COLUMNS_2023),
    parse=lambda path: parse_first_years(path, COLUMNS_2023, "2023-"),
    columns=tuple(COLUMNS_2023),
))
