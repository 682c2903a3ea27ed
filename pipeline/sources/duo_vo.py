"""DUO secondary education (vo): exam candidates and passes per location and profile, and pupils per
location by type, profile and year of study. Layouts and which are verified: docs/sources.md and
reference/sources/layouts.csv.

Exams, two format generations, both verified against real files:
- 2019- (`examenkandidaten-en-geslaagden-2019-2024.csv`): `;`, UTF-8, every field double-quoted;
  `INSTELLINGSCODE;VESTIGINGSCODE;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;ONDERWIJSTYPE VO;
  INSPECTIECODE;OPLEIDINGSNAAM;` then per school year and MAN/VROUW/TOTAAL
  `EXAMENKANDIDATEN SCHOOLJAAR 2019-2020 - MAN`, `GESLAAGDEN ...`, `SLAAGPERC ...` (decimal
  point); counts below 5 are `<5`.
- 2014-2019 (`examenkandidaten-en-geslaagden-2014-2019.csv`): latin-1, no quoting, no masking;
  `BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;...` with VESTIGINGSNUMMER
  the 6-character location code (BRIN + number); per school year the sexes MAN, VROUW, ONBEKEND and
  TOTAAL; SLAAGPERC written `87,5%` (decimal comma, percent sign, `,0%` for zero).
The exam year is the calendar year the school year ends in (2019-2020 -> 2020). TOTAAL must equal
the sum of the sexes and GESLAAGDEN may not exceed EXAMENKANDIDATEN wherever counts are not masked.
GEMEENTENAAM is upper case with no code: names are mapped to codes through
reference/regions/municipalities.csv in the division of the file's last year.

Pupils (`leerlingen-vo-per-vestiging-naar-onderwijstype-<year>.csv`, 1 October count, verified
against the 2019 file): `;`, latin-1, no quoting, `BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM
VESTIGING;PLAATSNAAM VESTIGING;PROVINCIE VESTIGING;ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;
VMBO SECTOR;AFDELING;ELEMENTCODE;OPLEIDINGSNAAM;LEER- OF VERBLIJFSJAAR 1 - MAN;...;LEER- OF
VERBLIJFSJAAR 6 - VROUW`; VESTIGINGSNUMMER is the 2-digit number. The file has no municipality:
the core joins DUO's register of vo locations (`duo_vo_register`). School type and profile code
come from ONDERWIJSTYPE, VMBO SECTOR and AFDELING through reference/sources/duo_vo_pupil_programmes.csv;
an unknown combination is an error naming file, row and column. The year is the one in the file name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.duo_common import (
    MASK,
    check_columns,
    finish,
    municipality_codes,
    parse_counts,
    raise_if,
    strip_all,
    wide_to_long,
)
from pipeline.sources.files import SOURCE_LINE, read_text_table
from schemas.raw import RawVoExam, RawVoPupils

LOCATION = {
    "INSTELLINGSNAAM VESTIGING": "location_name",
    "GEMEENTENAAM": "municipality_name",
    "ONDERWIJSTYPE VO": "school_type",
    "INSPECTIECODE": "profile_code",
    "OPLEIDINGSNAAM": "programme_name",
}
EXAM_2019 = {"INSTELLINGSCODE": "institution_code", "VESTIGINGSCODE": "location_code", **LOCATION}
EXAM_2014 = {"BRIN NUMMER": "institution_code", "VESTIGINGSNUMMER": "location_code", **LOCATION}
EXAM_GENERATIONS = ("2014-2019", "2019-")
SEXES = {"2019-": ("MAN", "VROUW"), "2014-2019": ("MAN", "VROUW", "ONBEKEND")}
EXAM_COLUMN = re.compile(
    r"^(EXAMENKANDIDATEN|GESLAAGDEN|SLAAGPERC) SCHOOLJAAR ((?:19|20)\d{2})-((?:19|20)\d{2}) - "
    r"(MAN|VROUW|ONBEKEND|TOTAAL)$"
)
PUPILS = {
    "BRIN NUMMER": "institution_code",
    "VESTIGINGSNUMMER": "location_number",
    "INSTELLINGSNAAM VESTIGING": "location_name",
    "PLAATSNAAM VESTIGING": "place_name",
    "PROVINCIE VESTIGING": "province",
    "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR": "school_type_year",
    "VMBO SECTOR": "vmbo_sector",
    "AFDELING": "department",
    "ELEMENTCODE": "element_code",
    "OPLEIDINGSNAAM": "programme_name",
}
STUDY_YEAR = re.compile(r"^LEER- OF VERBLIJFSJAAR ([1-6]) - (MAN|VROUW)$")
MEASURES = {"EXAMENKANDIDATEN": "candidates", "GESLAAGDEN": "passed"}
PROGRAMMES = "sources/duo_vo_pupil_programmes.csv"
ANY = "*"


def exam_columns(generation: str) -> dict[str, str]:
    return EXAM_2019 if generation == "2019-" else EXAM_2014


def _exam_signature(generation: str):
    fixed = set(exam_columns(generation))
    return lambda header, name: fixed.issubset(header) and any(EXAM_COLUMN.match(h) for h in header)


def _pupil_signature(header: list[str], name: str) -> bool:
    return set(PUPILS).issubset(header) and any(STUDY_YEAR.match(h) for h in header)


def _pass_rate(
    path: Path, raw: pd.Series, lines: pd.Series, column: str, generation: str, problems: list[SourceProblem]
) -> None:
    """Pass rates are not carried (they follow from the counts) but must be numbers in 0..100:
    `87.5` (2019-) or `87,5%` / `,0%` (2014-2019)."""
    text = raw.str.strip()
    if generation == "2014-2019":
        ok = text.str.fullmatch(r"\d{0,3},\d%")
        text = text.str.rstrip("%").str.replace(",", ".", regex=False).where(ok, "x")
    value = pd.to_numeric(text.where(text != "", "0"), errors="coerce")
    bad = value.isna() | (value < 0) | (value > 100)
    for line, v in zip(lines[bad], raw[bad]):
        problems.append(problem(path, int(line), column, f"not a pass rate: {v!r}"))


def _location_codes(path: Path, fixed: pd.DataFrame, lines: pd.Series, column: str, problems: list) -> None:
    """The location code is BRIN + a 2-digit number; in the 2014-2019 exams DUO writes it whole."""
    bad = ~(
        fixed["location_code"].str.fullmatch(r"[0-9A-Z]{4}\d{2}")
        & fixed["location_code"].str[:4].eq(fixed["institution_code"])
    )
    for line, value in zip(lines[bad], fixed["location_code"][bad]):
        problems.append(problem(path, int(line), column, f"not a location code of this BRIN: {value!r}"))


def parse_exams(path: Path, generation: str) -> Delivery:
    columns = exam_columns(generation)
    table = read_text_table(path)
    header = table.header
    variable = [h for h in header if EXAM_COLUMN.match(h)]
    check_columns(path, header, list(columns), variable)
    frame = table.frame
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    fixed = strip_all(frame[list(columns)]).rename(columns=columns)
    _location_codes(path, fixed, lines, "VESTIGINGSCODE" if generation == "2019-" else "VESTIGINGSNUMMER", problems)
    school_years = sorted({(int(m.group(2)), int(m.group(3))) for m in map(EXAM_COLUMN.match, variable)})
    bad_years = [f"{a}-{b}" for a, b in school_years if b != a + 1]
    if bad_years:
        raise SourceError([problem(path, 1, None, f"school year {y} is not two consecutive years") for y in bad_years])
    codes, _ = municipality_codes(
        path, fixed["municipality_name"], lines, "GEMEENTENAAM", school_years[-1][1], problems
    )
    fixed["municipality_code"] = codes.to_numpy()
    sexes = SEXES[generation]
    stray = [h for h in variable if EXAM_COLUMN.match(h).group(4) not in (*sexes, "TOTAAL")]
    problems += [problem(path, 1, h, f"unexpected column in the {generation} layout") for h in stray]
    mask = MASK if generation == "2019-" else None
    parts = []
    for start, end in school_years:
        counts: dict[tuple[str, str], tuple[pd.Series, np.ndarray]] = {}
        for measure in ("EXAMENKANDIDATEN", "GESLAAGDEN", "SLAAGPERC"):
            for sex in (*sexes, "TOTAAL"):
                name = f"{measure} SCHOOLJAAR {start}-{end} - {sex}"
                if name not in header:
                    problems.append(problem(path, 1, name, "required column is missing (renamed?)"))
                elif measure == "SLAAGPERC":
                    _pass_rate(path, frame[name], lines, name, generation, problems)
                else:
                    counts[(measure, sex)] = parse_counts(path, frame[name], lines, name, mask=mask, problems=problems)
        if len(counts) < 2 * (len(sexes) + 1):
            continue
        for measure in MEASURES:
            parts_of = [counts[(measure, s)] for s in sexes]
            total, total_masked = counts[(measure, "TOTAAL")]
            known = ~(total_masked | np.logical_or.reduce([m for _, m in parts_of]))
            summed = sum(v for v, _ in parts_of)
            wrong = known & (summed != total).fillna(False).to_numpy()
            for line in lines[wrong]:
                problems.append(
                    problem(
                        path,
                        int(line),
                        f"{measure} SCHOOLJAAR {start}-{end} - TOTAAL",
                        "TOTAAL is not the sum of the sexes",
                    )
                )
        for sex in sexes:
            (c, cm), (p, pm) = counts[("EXAMENKANDIDATEN", sex)], counts[("GESLAAGDEN", sex)]
            more = ~(cm | pm) & (p > c).fillna(False).to_numpy()
            for line in lines[more]:
                problems.append(
                    problem(
                        path, int(line), f"GESLAAGDEN SCHOOLJAAR {start}-{end} - {sex}", "more passes than candidates"
                    )
                )
            for measure, ours in MEASURES.items():
                values, masked = counts[(measure, sex)]
                parts.append(
                    {
                        "school_year": f"{start}-{end}",
                        "year": end,
                        "sex": sex.lower(),
                        "measure": ours,
                        "count": values,
                        "masked": masked,
                    }
                )
    raise_if(problems)
    long = wide_to_long(fixed, lines, parts)
    long["source_file"] = path.name
    long = finish(long, RawVoExam, path)
    return Delivery(
        path=path,
        family="duo_vo_exams",
        generation=generation,
        frame=long,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


def file_year(path: Path, example: str) -> int:
    """The year in a DUO file name (the last 19xx/20xx standing alone: `...-2019.csv`, `...-2019.first3000.csv`)."""
    found = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", path.name)
    if not found:
        raise SourceError(
            [problem(path, None, None, f"the year must be in the file name, as DUO names it ({example})")]
        )
    return int(found[-1])


@lru_cache(maxsize=4)
def _programmes(sha: str) -> dict[tuple[str, str, str], tuple[str, str]]:
    table = reference.load(PROGRAMMES).frame
    return {
        (r.school_type_year, r.vmbo_sector, r.department): (r.school_type, r.profile_code)
        for r in table.itertuples(index=False)
    }


def programme_of(school_type_year: str, sector: str, department: str) -> tuple[str, str] | None:
    """(school type, profile code) of a pupils row by reference/sources/duo_vo_pupil_programmes.csv;
    an exact row wins over rows with '*'; None when no row applies."""
    table = _programmes(reference.sha256(PROGRAMMES))
    for key in (
        (school_type_year, sector, department),
        (school_type_year, ANY, department),
        (school_type_year, sector, ANY),
        (school_type_year, ANY, ANY),
    ):
        if key in table:
            return table[key]
    return None


def parse_pupils(path: Path) -> Delivery:
    year = file_year(path, "leerlingen-vo-per-vestiging-naar-onderwijstype-<year>.csv")
    table = read_text_table(path)
    header = table.header
    variable = [h for h in header if STUDY_YEAR.match(h)]
    check_columns(path, header, list(PUPILS), variable)
    frame = table.frame
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    fixed = strip_all(frame[list(PUPILS)]).rename(columns=PUPILS)
    number = fixed.pop("location_number")
    fixed["location_code"] = fixed["institution_code"] + number
    _location_codes(path, fixed, lines, "VESTIGINGSNUMMER", problems)
    keys = list(zip(fixed["school_type_year"], fixed["vmbo_sector"], fixed["department"]))
    found = {key: programme_of(*key) for key in dict.fromkeys(keys)}
    for key in [k for k, v in found.items() if v is None]:
        line = int(lines.iloc[keys.index(key)])
        problems.append(
            problem(
                path,
                line,
                "AFDELING",
                f"type {key[0]!r}, sector {key[1]!r}, department {key[2]!r} is not in reference/{PROGRAMMES}",
            )
        )
    fixed["school_type"] = [(found[k] or ("", ""))[0] for k in keys]
    fixed["profile_code"] = [(found[k] or ("", ""))[1] for k in keys]
    parts = []
    for column in variable:
        study_year, sex = STUDY_YEAR.match(column).groups()
        values, masked = parse_counts(path, frame[column], lines, column, mask=MASK, problems=problems)
        parts.append(
            {"study_year": int(study_year), "year": year, "sex": sex.lower(), "count": values, "masked": masked}
        )
    raise_if(problems)
    long = wide_to_long(fixed, lines, parts)
    long["source_file"] = path.name
    long = finish(long, RawVoPupils, path)
    return Delivery(
        path=path,
        family="duo_vo_pupils",
        generation="2019-",
        frame=long,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


for _generation in EXAM_GENERATIONS:
    register(
        SourceFormat(
            family="duo_vo_exams",
            generation=_generation,
            description=f"DUO vo exam candidates and passes per location and profile, layout {_generation}",
            signature=_exam_signature(_generation),
            parse=lambda path, g=_generation: parse_exams(path, g),
            columns=tuple(exam_columns(_generation)),
        )
    )
register(
    SourceFormat(
        family="duo_vo_pupils",
        generation="2019-",
        description="DUO vo pupils per location by type, sector, department (profile), year of study and sex",
        signature=_pupil_signature,
        parse=parse_pupils,
        columns=tuple(PUPILS),
    )
)
