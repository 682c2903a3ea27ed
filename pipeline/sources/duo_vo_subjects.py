"""DUO havo/vwo exam grades per subject (`examenkandidaten-{havo,vwo}-en-examencijfers-<years>.csv`,
verified against the 2018-2019 files): one row per school location and subject.

`;`, latin-1, no quoting, no masking; `SCHOOLJAAR` is the year the school year starts in ('2018' =
2018-2019; the exam year is the next); VESTIGINGSNUMMER the 2-digit number; GEMEENTENUMMER the 4-digit
CBS municipality number; VAKCODE the 4-digit subject code. Counts of school exams and central exams
are plain integers (those 'MEETELLEND VOOR DIPLOMA' at most the totals); average grades use a decimal
comma without a leading zero (`6,7`, `,0` where there is no exam) and lie in 0..10.

A candidate with a subject in the exam has a graded school exam in it, also where the subject has no
central exam (informatica, NLT): `count` is TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.duo_common import (
    check_columns,
    check_municipality_numbers,
    finish,
    parse_counts,
    raise_if,
    strip_all,
)
from pipeline.sources.files import SOURCE_LINE, read_text_table
from schemas.raw import RawVoSubjects

FIXED = {
    "SCHOOLJAAR": "school_year_start",
    "BRIN NUMMER": "institution_code",
    "VESTIGINGSNUMMER": "location_number",
    "INSTELLINGSNAAM VESTIGING": "location_name",
    "GEMEENTENUMMER": "municipality_number",
    "GEMEENTENAAM": "municipality_name",
    "PLAATSNAAM": "place_name",
    "PROVINCIE": "province",
    "ONDERWIJSTYPE VO": "school_type",
    "VAKCODE": "subject_code",
    "AFKORTING VAKNAAM": "subject_abbreviation",
    "VAKNAAM": "subject_name",
    "SCHOOLEXAMEN BEOORDELING": "pass_mark",
}
COUNTS = {  # total -> the part of it that counts for the diploma
    "TOTAAL AANTAL SCHOOLEXAMENS MET BEOORDELING": "AANTAL SCHOOLEXAMENS MET BEOORDELING MEETELLEND VOOR DIPLOMA",
    "TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER": "AANTAL SCHOOLEXAMENS MET CIJFER MEETELLEND VOOR DIPLOMA",
    "TOTAAL AANTAL CENTRALE EXAMENS": "AANTAL CENTRALE EXAMENS MEETELLEND VOOR DIPLOMA",
}
GRADES = [
    "GEM. CIJFER TOTAAL AANTAL SCHOOLEXAMENS",
    "GEM. CIJFER SCHOOLEXAMENS MET CIJFER MEETELLEND VOOR DIPLOMA",
    "GEM. CIJFER TOTAAL AANTAL CENTRALE EXAMENS",
    "GEM. CIJFER CENTRALE EXAMENS MET CIJFER MEETELLEND VOOR DIPLOMA",
    "GEM. CIJFER CIJFERLIJST",
    "GEM. CIJFER REKENTOETS",
]
HEADER = [
    *FIXED,
    "TOTAAL AANTAL SCHOOLEXAMENS MET BEOORDELING",
    "AANTAL SCHOOLEXAMENS MET BEOORDELING MEETELLEND VOOR DIPLOMA",
    "TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER",
    "GEM. CIJFER TOTAAL AANTAL SCHOOLEXAMENS",
    "AANTAL SCHOOLEXAMENS MET CIJFER MEETELLEND VOOR DIPLOMA",
    "GEM. CIJFER SCHOOLEXAMENS MET CIJFER MEETELLEND VOOR DIPLOMA",
    "TOTAAL AANTAL CENTRALE EXAMENS",
    "GEM. CIJFER TOTAAL AANTAL CENTRALE EXAMENS",
    "AANTAL CENTRALE EXAMENS MEETELLEND VOOR DIPLOMA",
    "GEM. CIJFER CENTRALE EXAMENS MET CIJFER MEETELLEND VOOR DIPLOMA",
    "GEM. CIJFER CIJFERLIJST",
    "GEM. CIJFER REKENTOETS",
]
GRADE = re.compile(r"^\d{0,2},\d{1,2}$")


def _signature(header: list[str], name: str) -> bool:
    return {"VAKCODE", "SCHOOLJAAR", "TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER"}.issubset(header)


def parse_subjects(path: Path) -> Delivery:
    table = read_text_table(path)
    check_columns(path, table.header, HEADER, [])
    frame = table.frame
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    fixed = strip_all(frame[list(FIXED)]).rename(columns=FIXED)
    checks = {
        "SCHOOLJAAR": fixed["school_year_start"].str.fullmatch(r"(19|20)\d{2}"),
        "VESTIGINGSNUMMER": fixed["location_number"].str.fullmatch(r"\d{2}"),
        "BRIN NUMMER": fixed["institution_code"].str.fullmatch(r"[0-9A-Z]{4}"),
        "GEMEENTENUMMER": fixed["municipality_number"].str.fullmatch(r"\d{4}"),
        "ONDERWIJSTYPE VO": fixed["school_type"].isin(["HAVO", "VWO"]),
        "VAKCODE": fixed["subject_code"].str.fullmatch(r"\d{4}"),
        "SCHOOLEXAMEN BEOORDELING": fixed["pass_mark"].isin(["", "V", "G"]),
    }
    for column, ok in checks.items():
        for line, value in zip(lines[~ok], frame.loc[~ok, column]):
            problems.append(problem(path, int(line), column, f"unexpected value {value!r}"))
    check_municipality_numbers(path, fixed["municipality_number"], lines, "GEMEENTENUMMER", problems)
    counts = {}
    for total, part in COUNTS.items():
        counts[total] = parse_counts(path, frame[total], lines, total, mask=None, problems=problems)[0]
        counted = parse_counts(path, frame[part], lines, part, mask=None, problems=problems)[0]
        more = (counted > counts[total]).fillna(False).to_numpy()
        for line in lines[more]:
            problems.append(problem(path, int(line), part, "more exams counting for the diploma than exams"))
    for column in GRADES:
        text = frame[column].str.strip()
        value = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        bad = ~text.str.fullmatch(GRADE) | value.isna() | (value > 10)
        for line, raw in zip(lines[bad], frame.loc[bad, column]):
            problems.append(problem(path, int(line), column, f"not an average grade (decimal comma, 0-10): {raw!r}"))
    key = (
        fixed["institution_code"]
        + fixed["location_number"]
        + "/"
        + fixed["subject_code"]
        + "/"
        + fixed["pass_mark"]
        + "/"
        + fixed["school_year_start"]
    )
    twice = key.duplicated(keep="first").to_numpy()
    for line, value in zip(lines[twice], key[twice]):
        problems.append(
            problem(path, int(line), "VAKCODE", f"location, subject and pass mark appear more than once ({value})")
        )
    raise_if(problems)
    start = fixed["school_year_start"].astype(np.int64)
    out = pd.DataFrame(
        {
            "year": (start + 1).to_numpy(),
            "school_year": (start.astype(str) + "-" + (start + 1).astype(str)).to_numpy(),
            "institution_code": fixed["institution_code"].to_numpy(),
            "location_code": (fixed["institution_code"] + fixed["location_number"]).to_numpy(),
            "location_name": fixed["location_name"].to_numpy(),
            "municipality_number": fixed["municipality_number"].to_numpy(),
            "municipality_name": fixed["municipality_name"].to_numpy(),
            "municipality_code": ("GM" + fixed["municipality_number"]).to_numpy(),
            "place_name": fixed["place_name"].to_numpy(),
            "province": fixed["province"].to_numpy(),
            "school_type": fixed["school_type"].to_numpy(),
            "subject_code": fixed["subject_code"].to_numpy(),
            "subject_abbreviation": fixed["subject_abbreviation"].to_numpy(),
            "subject_name": fixed["subject_name"].to_numpy(),
            "pass_mark": fixed["pass_mark"].to_numpy(),
            "count": counts["TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER"].array,
            "central_exams": counts["TOTAAL AANTAL CENTRALE EXAMENS"].astype(np.int64).to_numpy(),
            "masked": False,
            "source_file": path.name,
            SOURCE_LINE: lines.to_numpy(),
        }
    )
    if out.empty:
        raise SourceError([problem(path, 2, None, "file has a header but no data rows")])
    return Delivery(
        path=path,
        family="duo_vo_subjects",
        generation="2018-2019",
        frame=finish(out, RawVoSubjects, path),
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


register(
    SourceFormat(
        family="duo_vo_subjects",
        generation="2018-2019",
        description="DUO havo/vwo exam candidates and grades per location and subject (examencijfers)",
        signature=_signature,
        parse=parse_subjects,
        columns=tuple(FIXED),
    )
)
