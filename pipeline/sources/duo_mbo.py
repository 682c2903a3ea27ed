"""DUO mbo: participants and diplomas per institution, place, learning path, qualification (crebo),
level, sex and year, in two format generations.

- 2015-2019 (`08-deelnemers-per-instelling-...-2015-2019.csv`; diplomas in the same layout with
  `gediplomeerden` in the file name): `;`, UTF-8,
  `BRIN NUMMER;SOORTINS;INSTELLINGSNAAM;PLAATSNAAM;TYPE MBO;KWALIFICATIENIVEAU;KWALIFICATIE CODE;
  KWALIFICATIE NAAM;MBO SECTOR;DOMEIN;SECTORUNIT SBB;BRIN NUMMER KENNISCENTRUM;NAAM KENNISCENTRUM;
  MAN2015;VROUW2015;TOTAAL2015;...;TOTAAL2019` – sex x year wide without separator, an empty cell
  means no students, text fields blank-padded. TOTAAL must equal MAN + VROUW.
- 2020- (the layout with INDICATIEAVG masking; DUO's exact header of these files is not in the
  project's real data, so this layout is defined here and documented in docs/sources.md as
  assumed): `;`, UTF-8, long – one count per row, because the mask flag belongs to one count:
  `INSTELLINGSCODE;SOORTINS;INSTELLINGSNAAM;PLAATSNAAM;TYPE MBO;KWALIFICATIENIVEAU;KWALIFICATIE CODE;
  KWALIFICATIE NAAM;MBO SECTOR;DOMEIN;SECTORUNIT SBB;GESLACHT;JAAR;AANTAL DEELNEMERS;INDICATIEAVG`
  (diplomas: `AANTAL GEDIPLOMEERDEN`). A count below 5 is written as 4 with INDICATIEAVG = 'J'
  (masked: count null, known to lie in 1..4); INDICATIEAVG is 'N' otherwise.

PLAATSNAAM has no municipality code: places are mapped through reference/regions/places.csv; an
unknown or ambiguous place is an error naming file, row and column.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.problems import SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.duo_common import (
    check_columns,
    finish,
    parse_counts,
    place_municipalities,
    raise_if,
    strip_all,
    wide_to_long,
)
from pipeline.sources.files import SOURCE_LINE, read_text_table
from schemas.raw import RawMbo

FAMILIES = {"participants": "duo_mbo_participants", "diplomas": "duo_mbo_diplomas"}
SEX_YEAR = re.compile(r"^(MAN|VROUW|TOTAAL)((?:19|20)\d{2})$")

COMMON = {
    "SOORTINS": "institution_type",
    "INSTELLINGSNAAM": "institution_name",
    "PLAATSNAAM": "place_name",
    "TYPE MBO": "learning_path",
    "KWALIFICATIENIVEAU": "qualification_level",
    "KWALIFICATIE CODE": "qualification_code",
    "KWALIFICATIE NAAM": "qualification_name",
    "MBO SECTOR": "mbo_sector",
    "DOMEIN": "domain",
    "SECTORUNIT SBB": "sector_unit",
}
COLUMNS_2015 = {
    "BRIN NUMMER": "institution_code",
    **COMMON,
    "BRIN NUMMER KENNISCENTRUM": "centre_code",
    "NAAM KENNISCENTRUM": "centre_name",
}
COUNT_COLUMN = {"participants": "AANTAL DEELNEMERS", "diplomas": "AANTAL GEDIPLOMEERDEN"}


def columns_2020(kind: str) -> dict[str, str]:
    return {
        "INSTELLINGSCODE": "institution_code",
        **COMMON,
        "GESLACHT": "sex",
        "JAAR": "year",
        COUNT_COLUMN[kind]: "count_text",
        "INDICATIEAVG": "mask_flag",
    }


def is_diploma_file(name: str) -> bool:
    return "gediplomeerden" in name or "diploma" in name


def is_participant_file(name: str) -> bool:
    return not is_diploma_file(name) and any(w in name for w in ("deelnemers", "inscriptions", "ingeschrevenen"))


def _signature(kind: str, generation: str):
    if generation == "2020-":
        fixed = set(columns_2020(kind))
        return lambda header, name: fixed.issubset(header)
    fixed = set(COLUMNS_2015)

    def matches(header: list[str], name: str) -> bool:
        if not fixed.issubset(header) or not any(SEX_YEAR.match(h) for h in header):
            return False
        return is_diploma_file(name) if kind == "diplomas" else is_participant_file(name)

    return matches


def _qualification_level(path: Path, frame: pd.DataFrame, problems: list[SourceProblem]) -> pd.Series:
    level = pd.to_numeric(frame["qualification_level"], errors="coerce")
    bad = level.isna()
    for line, value in zip(frame.loc[bad, SOURCE_LINE], frame.loc[bad, "qualification_level"]):
        problems.append(problem(path, int(line), "KWALIFICATIENIVEAU", f"not a level: {value!r}"))
    return level.fillna(0).astype(np.int64)


def parse_2015(path: Path, kind: str) -> Delivery:
    table = read_text_table(path)
    header = table.header
    sex_year = [h for h in header if SEX_YEAR.match(h)]
    check_columns(path, header, list(COLUMNS_2015), sex_year)
    frame = table.frame
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    fixed = strip_all(frame[list(COLUMNS_2015)]).rename(columns=COLUMNS_2015)
    fixed[SOURCE_LINE] = lines.to_numpy()
    fixed["qualification_level"] = _qualification_level(path, fixed, problems)
    fixed["municipality_code"] = place_municipalities(path, fixed["place_name"], lines, "PLAATSNAAM", problems)
    years = sorted({int(SEX_YEAR.match(h).group(2)) for h in sex_year})
    parts = []
    for year in years:
        counts = {}
        for sex in ("MAN", "VROUW", "TOTAAL"):
            column = f"{sex}{year}"
            if column not in header:
                problems.append(
                    problem(path, 1, column, "required column is missing (every year has MAN, VROUW and TOTAAL)")
                )
                continue
            counts[sex], _ = parse_counts(
                path, frame[column], lines, column, mask=None, empty_is_zero=True, problems=problems
            )
        if len(counts) < 3:
            continue
        wrong = (counts["MAN"] + counts["VROUW"] != counts["TOTAAL"]).fillna(False)
        for line, m, v, t in zip(lines[wrong], counts["MAN"][wrong], counts["VROUW"][wrong], counts["TOTAAL"][wrong]):
            problems.append(problem(path, int(line), f"TOTAAL{year}", f"TOTAAL {t} is not MAN {m} + VROUW {v}"))
        for sex in ("MAN", "VROUW"):
            parts.append({"sex": sex.lower(), "year": year, "count": counts[sex], "masked": False})
    raise_if(problems)
    return _delivery(path, kind, "2015-2019", wide_to_long(fixed.drop(columns=SOURCE_LINE), lines, parts), table)


def parse_2020(path: Path, kind: str) -> Delivery:
    columns = columns_2020(kind)
    table = read_text_table(path)
    check_columns(path, table.header, list(columns), [])
    frame = table.frame
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    data = strip_all(frame[list(columns)]).rename(columns=columns)
    data[SOURCE_LINE] = lines.to_numpy()
    data["qualification_level"] = _qualification_level(path, data, problems)
    data["municipality_code"] = place_municipalities(path, data["place_name"], lines, "PLAATSNAAM", problems)
    flag = data["mask_flag"].str.upper()
    for line, value in zip(lines[~flag.isin(["J", "N"])], data.loc[~flag.isin(["J", "N"]), "mask_flag"]):
        problems.append(problem(path, int(line), "INDICATIEAVG", f"not J or N: {value!r}"))
    counts, _ = parse_counts(path, data["count_text"], lines, COUNT_COLUMN[kind], mask=None, problems=problems)
    masked = (flag == "J").to_numpy()
    not_four = masked & (counts != 4).fillna(True).to_numpy()
    for line, value in zip(lines[not_four], data.loc[not_four, "count_text"]):
        problems.append(
            problem(path, int(line), COUNT_COLUMN[kind], f"INDICATIEAVG='J' must come with the count 4, not {value!r}")
        )
    year = pd.to_numeric(data["year"], errors="coerce")
    for line, value in zip(lines[year.isna()], data.loc[year.isna(), "year"]):
        problems.append(problem(path, int(line), "JAAR", f"not a year: {value!r}"))
    raise_if(problems)
    data["sex"] = data["sex"].str.lower()
    data["year"] = year.astype(np.int64)
    data["count"] = counts.mask(pd.Series(masked, index=counts.index))
    data["masked"] = masked
    return _delivery(path, kind, "2020-", data, table)


def _delivery(path: Path, kind: str, generation: str, long: pd.DataFrame, table) -> Delivery:
    long["source_file"] = path.name
    long = finish(long, RawMbo, path)
    return Delivery(
        path=path,
        family=FAMILIES[kind],
        generation=generation,
        frame=long,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


for _kind in FAMILIES:
    register(
        SourceFormat(
            family=FAMILIES[_kind],
            generation="2015-2019",
            description=f"DUO mbo {_kind} per institution, sex x year wide (MAN2015;VROUW2015;TOTAAL2015...)",
            signature=_signature(_kind, "2015-2019"),
            parse=lambda path, k=_kind: parse_2015(path, k),
            columns=tuple(COLUMNS_2015),
        )
    )
    register(
        SourceFormat(
            family=FAMILIES[_kind],
            generation="2020-",
            description=f"DUO mbo {_kind} per institution, long, counts below 5 as 4 with INDICATIEAVG='J'",
            signature=_signature(_kind, "2020-"),
            parse=lambda path, k=_kind: parse_2020(path, k),
            columns=tuple(columns_2020(_kind)),
        )
    )
