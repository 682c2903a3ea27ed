"""DUO secondary education (vo): exam candidates and passes per location and profile, and pupils per
location by type, profile and year of study.

Exams, two format generations:
- 2019- (`examenkandidaten-en-geslaagden-2019-2024.csv`, real): `;`, UTF-8, every field
  double-quoted; `INSTELLINGSCODE;VESTIGINGSCODE;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;
  ONDERWIJSTYPE VO;INSPECTIECODE;OPLEIDINGSNAAM;` then per school year and MAN/VROUW/TOTAAL
  `EXAMENKANDIDATEN SCHOOLJAAR 2019-2020 - MAN`, `GESLAAGDEN ...`, `SLAAGPERC ...` (decimal
  point); counts below 5 are `<5`.
- 2013-2018: latin-1, `BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;GEMEENTENAAM;ONDERWIJSTYPE VO;
  INSPECTIECODE;OPLEIDINGSNAAM;` then `EXAMENKANDIDATEN 2015-2016 MAN`, `GESLAAGDEN 2015-2016 MAN`,
  `SLAAGPERCENTAGE 2015-2016 MAN` (pass rate with decimal comma and `%`, e.g. `87,5%`); no masking;
  VESTIGINGSNUMMER is the 2-digit location number (the location code is BRIN + number).
The exam year is the calendar year the school year ends in (2019-2020 -> 2020). TOTAAL must equal
MAN + VROUW and GESLAAGDEN may not exceed EXAMENKANDIDATEN wherever the counts are not masked.

Pupils (`01.-leerlingen-vo-per-vestiging-naar-onderwijstype-<year>.csv`; DUO's exact header is not in
the project's real data, so the layout is defined here and listed as assumed in docs/sources.md): `;`, UTF-8,
`INSTELLINGSCODE;VESTIGINGSCODE;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;ONDERWIJSTYPE VO;AFDELING;
INSPECTIECODE;OPLEIDINGSNAAM;LEER- OF VERBLIJFSJAAR 1 - MAN;LEER- OF VERBLIJFSJAAR 1 - VROUW;...;
LEER- OF VERBLIJFSJAAR 6 - VROUW`; counts below 5 are `<5`; the year of the 1 October count is the
year in the file name.

GEMEENTENAAM is upper case with no code: names are mapped to codes through
reference/regions/municipalities.csv in the division of the file's (last) year; an unknown name is
an error naming file, row and column.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, duo_arrow, register
from pipeline.sources.duo_common import (
    MASK,
    check_columns,
    finish,
    municipality_code,
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
EXAM_2013 = {
    "BRIN NUMMER": "institution_code",
    "VESTIGINGSNUMMER": "location_number",
    "VESTIGINGSNAAM": "location_name",
    **{k: v for k, v in LOCATION.items() if k != "INSTELLINGSNAAM VESTIGING"},
}
EXAM_COLUMN = {
    "2019-": re.compile(
        r"^(EXAMENKANDIDATEN|GESLAAGDEN|SLAAGPERC) SCHOOLJAAR ((?:19|20)\d{2})-((?:19|20)\d{2}) - (MAN|VROUW|TOTAAL)$"
    ),
    "2013-2018": re.compile(
        r"^(EXAMENKANDIDATEN|GESLAAGDEN|SLAAGPERCENTAGE) ((?:19|20)\d{2})-((?:19|20)\d{2}) (MAN|VROUW|TOTAAL)$"
    ),
}
PUPILS = {
    "INSTELLINGSCODE": "institution_code",
    "VESTIGINGSCODE": "location_code",
    "INSTELLINGSNAAM VESTIGING": "location_name",
    "GEMEENTENAAM": "municipality_name",
    "ONDERWIJSTYPE VO": "school_type",
    "AFDELING": "sector",
    "INSPECTIECODE": "profile_code",
    "OPLEIDINGSNAAM": "programme_name",
}
STUDY_YEAR = re.compile(r"^LEER- OF VERBLIJFSJAAR ([1-6]) - (MAN|VROUW)$")
MEASURES = {"EXAMENKANDIDATEN": "candidates", "GESLAAGDEN": "passed"}


def exam_columns(generation: str) -> dict[str, str]:
    return EXAM_2019 if generation == "2019-" else EXAM_2013


def _exam_signature(generation: str):
    fixed, pattern = set(exam_columns(generation)), EXAM_COLUMN[generation]
    return lambda header, name: fixed.issubset(header) and any(pattern.match(h) for h in header)


def _pupil_signature(header: list[str], name: str) -> bool:
    return set(PUPILS).issubset(header) and any(STUDY_YEAR.match(h) for h in header)


def _pass_rate(
    path: Path, raw: pd.Series, lines: pd.Series, column: str, generation: str, problems: list[SourceProblem]
) -> None:
    """Pass rates are not carried (they follow from the counts) but must be numbers in 0..100."""
    text = raw.str.strip()
    if generation == "2013-2018":
        text = text.str.rstrip("%").str.replace(",", ".", regex=False)
    value = pd.to_numeric(text.where(text != "", "0"), errors="coerce")
    bad = value.isna() | (value < 0) | (value > 100)
    for line, v in zip(lines[bad], raw[bad]):
        problems.append(problem(path, int(line), column, f"not a pass rate: {v!r}"))


def _municipalities(path: Path, data: pd.DataFrame, lines: pd.Series, year: int, problems: list[SourceProblem]) -> None:
    codes, _ = municipality_codes(path, data["municipality_name"], lines, "GEMEENTENAAM", year, problems)
    data["municipality_code"] = codes.to_numpy()


def parse_exams(path: Path, generation: str) -> Delivery:
    columns, pattern = exam_columns(generation), EXAM_COLUMN[generation]
    delivery = _exams_arrow(path, generation)
    if delivery is not None:
        return delivery
    table = read_text_table(path)
    header = table.header
    variable = [h for h in header if pattern.match(h)]
    check_columns(path, header, list(columns), variable)
    frame = table.frame
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    fixed = strip_all(frame[list(columns)]).rename(columns=columns)
    if generation == "2013-2018":
        fixed["location_code"] = fixed["institution_code"] + fixed["location_number"].str.zfill(2)
    school_years = sorted({(int(m.group(2)), int(m.group(3))) for m in map(pattern.match, variable)})
    bad_years = [f"{a}-{b}" for a, b in school_years if b != a + 1]
    if bad_years:
        raise SourceError([problem(path, 1, None, f"school year {y} is not two consecutive years") for y in bad_years])
    _municipalities(path, fixed, lines, school_years[-1][1], problems)
    mask = MASK if generation == "2019-" else None
    parts = []
    for start, end in school_years:
        counts: dict[tuple[str, str], tuple[pd.Series, np.ndarray]] = {}
        for measure in ("EXAMENKANDIDATEN", "GESLAAGDEN", "SLAAGPERC"):
            for sex in ("MAN", "VROUW", "TOTAAL"):
                name = (
                    f"{measure} SCHOOLJAAR {start}-{end} - {sex}"
                    if generation == "2019-"
                    else f"{measure if measure != 'SLAAGPERC' else 'SLAAGPERCENTAGE'} {start}-{end} {sex}"
                )
                if name not in header:
                    problems.append(problem(path, 1, name, "required column is missing (renamed?)"))
                    continue
                if measure == "SLAAGPERC":
                    _pass_rate(path, frame[name], lines, name, generation, problems)
                else:
                    counts[(measure, sex)] = parse_counts(path, frame[name], lines, name, mask=mask, problems=problems)
        if len(counts) < 6:
            continue
        for measure in MEASURES:
            (m, mm), (v, vm), (t, tm) = (counts[(measure, s)] for s in ("MAN", "VROUW", "TOTAAL"))
            known = ~(mm | vm | tm)
            wrong = known & (m + v != t).fillna(False).to_numpy()
            for line in lines[wrong]:
                problems.append(
                    problem(path, int(line), f"{measure} {start}-{end} TOTAAL", "TOTAAL is not MAN + VROUW")
                )
        for sex in ("MAN", "VROUW"):
            (c, cm), (p, pm) = counts[("EXAMENKANDIDATEN", sex)], counts[("GESLAAGDEN", sex)]
            more = ~(cm | pm) & (p > c).fillna(False).to_numpy()
            for line in lines[more]:
                problems.append(
                    problem(path, int(line), f"GESLAAGDEN {start}-{end} {sex}", "more passes than candidates")
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


def parse_pupils(path: Path) -> Delivery:
    found = re.search(r"((?:19|20)\d{2})\.[a-z]+$", path.name.lower())
    if not found:
        raise SourceError(
            [
                problem(
                    path,
                    None,
                    None,
                    "the year of the count must end the file name, as DUO names it "
                    "(01.-leerlingen-vo-per-vestiging-naar-onderwijstype-<year>.csv)",
                )
            ]
        )
    year = int(found.group(1))
    delivery = _pupils_arrow(path, year)
    if delivery is not None:
        return delivery
    table = read_text_table(path)
    header = table.header
    variable = [h for h in header if STUDY_YEAR.match(h)]
    check_columns(path, header, list(PUPILS), variable)
    frame = table.frame
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    fixed = strip_all(frame[list(PUPILS)]).rename(columns=PUPILS)
    _municipalities(path, fixed, lines, year, problems)
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


def _exams_arrow(path: Path, generation: str) -> Delivery | None:
    """`parse_exams` on the Arrow-native path (`duo_arrow`), or None where the file needs the usual path."""
    columns, pattern = exam_columns(generation), EXAM_COLUMN[generation]
    wide = duo_arrow.read_checked(path, list(columns), lambda header: [h for h in header if pattern.match(h)])
    if wide is None:
        return None
    variable = [h for h in wide.header if pattern.match(h)]
    fixed, coded = duo_arrow.trimmed_columns(wide, columns, RawVoExam)
    if generation == "2013-2018":  # BRIN + the 2-digit location number (digits only: then padding is zfill)
        number = fixed.pop("location_number")
        digits = pc.and_(pc.utf8_is_digit(number), pc.less_equal(pc.binary_length(number), 2))
        if digits.false_count:
            return None
        fixed["location_code"] = pc.binary_join_element_wise(
            fixed["institution_code"], pc.utf8_lpad(number, 2, "0"), pa.scalar("", type=pa.large_string())
        )
    school_years = sorted({(int(m.group(2)), int(m.group(3))) for m in map(pattern.match, variable)})
    if not school_years or any(b != a + 1 for a, b in school_years):
        return None

    def name(measure: str, start: int, end: int, sex: str) -> str:
        if generation == "2019-":
            return f"{measure} SCHOOLJAAR {start}-{end} - {sex}"
        return f"{measure if measure != 'SLAAGPERC' else 'SLAAGPERCENTAGE'} {start}-{end} {sex}"

    sexes = ("MAN", "VROUW", "TOTAAL")
    wanted = [
        name(m, a, b, x)
        for a, b in school_years
        for m in ("EXAMENKANDIDATEN", "GESLAAGDEN", "SLAAGPERC")
        for x in sexes
    ]
    if any(c not in wide.columns for c in wanted):
        return None
    fixed["municipality_code"] = duo_arrow.codes_by_name(
        fixed["municipality_name"], municipality_code(school_years[-1][1])[0]
    )
    parsed = duo_arrow.counts(
        [wide.columns[name(m, a, b, x)] for a, b in school_years for m in MEASURES for x in sexes],
        mask=MASK if generation == "2019-" else None,
    )
    if (
        fixed["municipality_code"] is None
        or parsed is None
        or not _pass_rates_plain(
            [wide.columns[name("SLAAGPERC", a, b, x)] for a, b in school_years for x in sexes], generation
        )
    ):
        return None
    n = len(wide.lines)
    values, masked = (a.reshape(len(school_years), 2, 3, n) for a in parsed)  # school year, measure, sex
    known = ~masked.any(axis=2)
    if (known & (values[:, :, 0] + values[:, :, 1] != values[:, :, 2])).any():  # TOTAAL is MAN + VROUW
        return None
    if (~(masked[:, 0, :2] | masked[:, 1, :2]) & (values[:, 1, :2] > values[:, 0, :2])).any():  # passes <= candidates
        return None
    parts = [
        {"school_year": f"{a}-{b}", "year": b, "sex": sex.lower(), "measure": ours}
        for a, b in school_years
        for sex in ("MAN", "VROUW")
        for ours in MEASURES.values()
    ]
    order = (0, 2, 1, 3)  # school year, sex, measure, row: the order of the parts
    long = duo_arrow.long_frame(
        RawVoExam,
        fixed,
        parts,
        {"source_file": path.name},
        wide.lines,
        np.ascontiguousarray(values[:, :, :2].transpose(order)).reshape(-1),
        np.ascontiguousarray(masked[:, :, :2].transpose(order)).reshape(-1),
        coded=coded,
    )
    if long is None:
        return None
    return Delivery(
        path=path,
        family="duo_vo_exams",
        generation=generation,
        frame=long,
        encoding=wide.encoding,
        skipped_lines=wide.skipped_lines,
    )


def _pass_rates_plain(columns: list, generation: str) -> bool:
    """Whether every pass rate is plainly a number in 0..100 (or empty) as `_pass_rate` reads it:
    digits with an optional decimal point (up to 2017 a decimal comma and a trailing `%`)."""
    text = duo_arrow.trim(pa.concat_arrays(columns))
    if generation == "2013-2018":
        text = pc.replace_substring(pc.utf8_rtrim(text, characters="%"), ",", ".")
    plain = pc.match_substring_regex(text, r"^([0-9]{1,3}(\.[0-9]{1,12})?)?$")
    if plain.false_count:
        return False
    value = pc.cast(pc.if_else(pc.equal(text, ""), "0", text), pa.float64())
    return pc.max(value).as_py() <= 100


def _pupils_arrow(path: Path, year: int) -> Delivery | None:
    """`parse_pupils` on the Arrow-native path (`duo_arrow`), or None where the file needs the usual path."""
    wide = duo_arrow.read_checked(path, list(PUPILS), lambda header: [h for h in header if STUDY_YEAR.match(h)])
    if wide is None:
        return None
    variable = [h for h in wide.header if STUDY_YEAR.match(h)]
    fixed, coded = duo_arrow.trimmed_columns(wide, PUPILS, RawVoPupils)
    fixed["municipality_code"] = duo_arrow.codes_by_name(fixed["municipality_name"], municipality_code(year)[0])
    parsed = duo_arrow.counts([wide.columns[c] for c in variable], mask=MASK) if variable else None
    if fixed["municipality_code"] is None or parsed is None:
        return None
    parts = [
        {"study_year": int(study_year), "year": year, "sex": sex.lower()}
        for study_year, sex in (STUDY_YEAR.match(c).groups() for c in variable)
    ]
    long = duo_arrow.long_frame(RawVoPupils, fixed, parts, {"source_file": path.name}, wide.lines, *parsed, coded=coded)
    if long is None:
        return None
    return Delivery(
        path=path,
        family="duo_vo_pupils",
        generation="2019-",
        frame=long,
        encoding=wide.encoding,
        skipped_lines=wide.skipped_lines,
    )


for _generation in ("2013-2018", "2019-"):
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
        description="DUO vo pupils per location by type, profile, year of study and sex (<5 masked)",
        signature=_pupil_signature,
        parse=parse_pupils,
        columns=tuple(PUPILS),
    )
)
