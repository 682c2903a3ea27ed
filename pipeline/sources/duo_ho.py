"""DUO higher education (hbo, wo): first-year enrolments, all enrolments and diplomas, in the three
format generations DUO published.

- up to 2017 (`-2017`): `;`, often latin-1, gender x year wide (`2013 MAN;2013 VROUW;...`), no
  GESLACHT column; enrolment files carry OPLEIDINGSFASE ACTUEEL after OPLEIDINGSVORM; footer rows
  at the end (`Bron: ...`, `Peildatum: ...`) are skipped.
- 2018-2022: `;`, gender long (GESLACHT), one column per year, e.g.
  `...;CROHO ONDERDEEL;CROHO SUBONDERDEEL;OPLEIDINGSCODE ACTUEEL;...;GESLACHT;2015;...;2019`.
- from 2023 ("statistically protected"): counts 1-4 written as `<5`; BRIN NUMMER ACTUEEL,
  CROHO ONDERDEEL and CROHO SUBONDERDEEL renamed to INSTELLINGSCODE ACTUEEL, ONDERDEEL, SUBONDERDEEL.

Diploma files have no TYPE HOGER ONDERWIJS and an extra SOORT DIPLOMA before GESLACHT (before the
year columns up to 2017), so the header tells them apart. First-year files and all-enrolment files
share one header; DUO's file names tell them apart (`eerstejaars`; the 2019 excerpt in realdata
names them `*_inscriptions_*`), and whether a file is hbo or wo (`-hbo-`, `-wo-`).
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.duo_common import (
    MASK,
    check_columns,
    check_municipality_numbers,
    finish,
    parse_counts,
    raise_if,
    strip_all,
    wide_to_long,
)
from pipeline.sources.files import SOURCE_LINE, read_text_table
from schemas.raw import RawHoDiploma, RawHoEnrolment

YEAR = re.compile(r"^(19|20)\d{2}$")
YEAR_SEX = re.compile(r"^((?:19|20)\d{2}) (MAN|VROUW)$")
FOOTER_PREFIXES = ("Bron", "Peildatum", "Toelichting", "Opmerking", "*")

# DUO column -> our column, 2018-2022 enrolment layout
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
RENAMED_2023 = {
    "BRIN NUMMER ACTUEEL": "INSTELLINGSCODE ACTUEEL",
    "CROHO ONDERDEEL": "ONDERDEEL",
    "CROHO SUBONDERDEEL": "SUBONDERDEEL",
}


def _layout(generation: str, diplomas: bool) -> dict[str, str]:
    columns: dict[str, str] = {}
    for duo, ours in COLUMNS_2018.items():
        if diplomas and duo == "TYPE HOGER ONDERWIJS":
            continue
        if duo == "GESLACHT":
            if diplomas:
                columns["SOORT DIPLOMA"] = "diploma_type"
            elif generation == "-2017":
                columns["OPLEIDINGSFASE ACTUEEL"] = "programme_phase"
            if generation == "-2017":
                continue
        columns[RENAMED_2023.get(duo, duo) if generation == "2023-" else duo] = ours
    return columns


COLUMNS_2023 = _layout("2023-", False)
FAMILIES = {"first_years": "duo_ho_first_years", "enrolments": "duo_ho_enrolments", "diplomas": "duo_ho_diplomas"}
GENERATIONS = ("-2017", "2018-2022", "2023-")


def level_from_name(name: str) -> str | None:
    tokens = set(re.split(r"[^a-z]+", name.lower()))
    if "hbo" in tokens and "wo" not in tokens:
        return "hbo"
    if "wo" in tokens and "hbo" not in tokens:
        return "wo"
    return None


def is_first_year_file(name: str) -> bool:
    return "eerstejaars" in name or "inscriptions" in name


def is_enrolment_file(name: str) -> bool:
    return not is_first_year_file(name) and any(w in name for w in ("ingeschrevenen", "inschrijvingen", "enrolments"))


def year_columns(header: list[str], generation: str) -> list[str]:
    pattern = YEAR_SEX if generation == "-2017" else YEAR
    return [h for h in header if pattern.match(h)]


def _signature(kind: str, generation: str):
    columns = _layout(generation, kind == "diplomas")

    def matches(header: list[str], name: str) -> bool:
        if not set(columns).issubset(header) or not year_columns(header, generation):
            return False
        if kind == "diplomas":
            return True
        if "SOORT DIPLOMA" in header:
            return False
        if generation != "-2017" and "OPLEIDINGSFASE ACTUEEL" in header:
            return False
        return is_first_year_file(name) if kind == "first_years" else is_enrolment_file(name)

    return matches


def parse_ho(path: Path, kind: str, generation: str) -> Delivery:
    columns = _layout(generation, kind == "diplomas")
    family = FAMILIES[kind]
    table = read_text_table(path, footer_prefixes=FOOTER_PREFIXES if generation == "-2017" else ())
    header = table.header
    level = level_from_name(path.name)
    if level is None:
        raise SourceError(
            [
                problem(
                    path,
                    None,
                    None,
                    "cannot tell hbo from wo: the file name must contain 'hbo' or 'wo' as DUO names it",
                )
            ]
        )
    years = year_columns(header, generation)
    check_columns(path, header, list(columns), years)
    frame = table.frame
    fixed = strip_all(frame[list(columns)]).rename(columns=columns)
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    check_municipality_numbers(path, fixed["municipality_number"], lines, "GEMEENTENUMMER", problems)
    parts = []
    for column in years:
        counts, masked = parse_counts(
            path, frame[column], lines, column, mask=MASK if generation == "2023-" else None, problems=problems
        )
        if generation == "-2017":
            year, sex = YEAR_SEX.match(column).groups()
            parts.append({"sex": sex.lower(), "year": int(year), "count": counts, "masked": masked})
        else:
            parts.append({"year": int(column), "count": counts, "masked": masked})
    raise_if(problems)
    long = wide_to_long(fixed, lines, parts)
    long["level"] = level
    long["source_file"] = path.name
    if kind != "diplomas" and "programme_phase" not in long:
        long["programme_phase"] = ""
    model = RawHoDiploma if kind == "diplomas" else RawHoEnrolment
    long = finish(long, model, path)
    return Delivery(
        path=path,
        family=family,
        generation=generation,
        frame=long,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


DESCRIPTIONS = {"first_years": "first-year enrolments", "enrolments": "all enrolments", "diplomas": "diplomas"}
for _kind in FAMILIES:
    for _generation in GENERATIONS:
        register(
            SourceFormat(
                family=FAMILIES[_kind],
                generation=_generation,
                description=f"DUO {DESCRIPTIONS[_kind]} hbo/wo, layout {_generation}",
                signature=_signature(_kind, _generation),
                parse=lambda path, k=_kind, g=_generation: parse_ho(path, k, g),
                columns=tuple(_layout(_generation, _kind == "diplomas")),
            )
        )
