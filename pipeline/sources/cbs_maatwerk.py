"""CBS custom table (maatwerk): unemployment of the technically educated, delivered as a spreadsheet.

The table is not public; CBS delivers it to the Ministry as an XLSX file. The real layout was not
available, so this parser reads the layout below, which follows how CBS lays out its custom
tables. It is the one place to change when the real file arrives (keep the output contract,
schemas.raw_labour.RawCbsUnemployment).

Sheet (the first one, usually 'Tabel 1'):

    row 1   title: 'Beroepsbevolking en werkloosheid naar opleidingsrichting, onderwijsniveau en geslacht'
    row 2   'Maatwerktabel CBS voor het Ministerie van Economische Zaken en Klimaat'
    row 3   'Bron: CBS, Enquête beroepsbevolking (EBB)'
    (blank row)
    header  Jaar | Opleidingsrichting | Omschrijving | Onderwijsniveau | Geslacht |
            Beroepsbevolking | Werkloze beroepsbevolking | Werkloosheidspercentage
    units   (blank) | ISCED-F 2013 | | | | x 1 000 | x 1 000 | %
    data    one row per year x field x level x sex, until the first blank row
    (blank row)
    notes   'Verklaring van tekens', "x = geheim (te weinig waarnemingen)", '. = gegevens ontbreken',
            'Cijfers zijn afgerond; totalen kunnen afwijken van de som van de delen.'

- Opleidingsrichting: ISCED-F 2013 code (2-4 digits, as text), 'Totaal' (all fields) or 'Techniek'
  (CBS's total of the 25 technical fields the Ministry chose).
- Onderwijsniveau: Totaal, Laag, Middelbaar, Hoog. Geslacht: Totaal, Mannen, Vrouwen.
- Persons in thousands (CBS rounds survey figures); the rate in % with one decimal. A cell CBS
  does not publish holds 'x' (secret) or '.' (missing); such a row is kept with null values and
  `suppressed` set. The header row is found by its first cell 'Jaar' (title rows may vary).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.cbs_odata import file_key
from pipeline.sources.files import sniff_text
from schemas import validate
from schemas.raw_labour import RawCbsUnemployment

COLUMNS = (
    "Jaar",
    "Opleidingsrichting",
    "Omschrijving",
    "Onderwijsniveau",
    "Geslacht",
    "Beroepsbevolking",
    "Werkloze beroepsbevolking",
    "Werkloosheidspercentage",
)
TITLE_WORDS = ("werkloosheid", "opleidingsrichting")
SUPPRESSED = {"x", "."}
LEVELS = {"totaal": "T", "laag": "laag", "middelbaar": "middelbaar", "hoog": "hoog"}
SEXES = {"totaal": "T", "mannen": "M", "vrouwen": "V"}
FIELDS_SPECIAL = {"totaal": "T", "techniek": "TECHNIEK"}
HEADER_SEARCH_ROWS = 15


def _rows(path: Path) -> list[tuple]:
    import openpyxl

    data = path.read_bytes()
    if not data.startswith(b"PK"):
        sniff_text(path, data)  # empty file or an HTML page saved as .xlsx
        raise SourceError([problem(path, None, None, "not an XLSX workbook (no zip container)")])
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SourceError([problem(path, None, None, f"not a readable XLSX workbook (truncated?): {error}")]) from None
    try:
        sheet = book.worksheets[0]
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def is_unemployment_workbook(path: Path) -> bool:
    if path.suffix.lower() != ".xlsx":
        return False
    key = file_key(path)
    if key not in _RECOGNISED:
        try:
            _RECOGNISED[key] = _is_unemployment_workbook(path)
        except SourceError as error:
            _RECOGNISED[key] = error
    answer = _RECOGNISED[key]
    if isinstance(answer, SourceError):
        raise SourceError(answer.problems)
    return answer


_RECOGNISED: dict = {}


def _is_unemployment_workbook(path: Path) -> bool:
    rows = _rows(path)
    head = " ".join(str(c) for row in rows[:HEADER_SEARCH_ROWS] for c in row if c is not None).lower()
    return all(word in head for word in TITLE_WORDS)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object, line: int, column: str, path: Path, problems: list[SourceProblem]) -> float | None:
    if isinstance(value, str) and value.strip() in SUPPRESSED:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            problems.append(problem(path, line, column, f"negative value {value}"))
            return None
        return float(value)
    problems.append(problem(path, line, column, "empty cell" if value in (None, "") else f"not a number: {value!r}"))
    return None


def parse_unemployment(path: Path) -> Delivery:
    rows = _rows(path)
    problems: list[SourceProblem] = []
    header_index = next((i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if row and _text(row[0]) == "Jaar"), None)
    if header_index is None:
        raise SourceError(
            [problem(path, None, "Jaar", f"no header row starting with 'Jaar' in the first {HEADER_SEARCH_ROWS} rows")]
        )
    header = [_text(c) for c in rows[header_index]]
    while header and header[-1] == "":
        header.pop()
    for column in COLUMNS:
        if column not in header:
            problems.append(problem(path, header_index + 1, column, "required column is missing (renamed?)"))
    for column in header:
        if column not in COLUMNS:
            problems.append(problem(path, header_index + 1, column or "(blank)", "unexpected column"))
    if problems:
        raise SourceError(problems)
    at = {c: header.index(c) for c in COLUMNS}
    first = header_index + 1
    if first < len(rows) and _text(rows[first][0]) == "" and any(_text(c).startswith("x 1") for c in rows[first]):
        first += 1  # the units row
    fields = set(reference.load("labour/isced_f_fields.csv").frame["code"])
    records = []
    for index in range(first, len(rows)):
        row = rows[index]
        line = index + 1
        if all(_text(c) == "" for c in row):
            break  # data end at the first blank row; notes follow

        def cell(name: str, row=row):
            return row[at[name]] if at[name] < len(row) else None

        year_text = _text(cell("Jaar"))
        if not year_text.isdigit():
            problems.append(problem(path, line, "Jaar", f"not a year: {year_text!r}"))
            continue
        field_text = _text(cell("Opleidingsrichting"))
        field = FIELDS_SPECIAL.get(field_text.lower(), field_text)
        if field not in ("T", "TECHNIEK") and field not in fields:
            problems.append(problem(path, line, "Opleidingsrichting", f"unknown ISCED-F 2013 field {field_text!r}"))
        level = LEVELS.get(_text(cell("Onderwijsniveau")).lower())
        if level is None:
            problems.append(problem(path, line, "Onderwijsniveau", f"unknown level {_text(cell('Onderwijsniveau'))!r}"))
        sex = SEXES.get(_text(cell("Geslacht")).lower())
        if sex is None:
            problems.append(problem(path, line, "Geslacht", f"unknown value {_text(cell('Geslacht'))!r}"))
        force = _number(cell("Beroepsbevolking"), line, "Beroepsbevolking", path, problems)
        unemployed = _number(cell("Werkloze beroepsbevolking"), line, "Werkloze beroepsbevolking", path, problems)
        rate = _number(cell("Werkloosheidspercentage"), line, "Werkloosheidspercentage", path, problems)
        if force is not None and unemployed is not None and unemployed > force:
            problems.append(problem(path, line, "Werkloze beroepsbevolking", "more unemployed than labour force"))
        if rate is not None and rate > 100:
            problems.append(problem(path, line, "Werkloosheidspercentage", f"rate {rate} above 100%"))
        suppressed = any(
            isinstance(cell(c), str) and cell(c).strip() in SUPPRESSED
            for c in ("Beroepsbevolking", "Werkloze beroepsbevolking", "Werkloosheidspercentage")
        )
        records.append(
            {
                "year": int(year_text),
                "field_of_education": field,
                "field_label": _text(cell("Omschrijving")),
                "education_level": level or "T",
                "sex": sex or "T",
                "labour_force": None if force is None else round(force * 1000),
                "unemployed": None if unemployed is None else round(unemployed * 1000),
                "unemployment_rate": rate,
                "suppressed": suppressed,
                "source_file": path.name,
                "source_line": line,
            }
        )
    if not records and not problems:
        problems.append(problem(path, header_index + 2, None, "the table has no data rows"))
    if problems:
        raise SourceError(problems)
    frame = pd.DataFrame(records)
    frame["labour_force"] = frame["labour_force"].astype("Int64")
    frame["unemployed"] = frame["unemployed"].astype("Int64")
    frame["unemployment_rate"] = frame["unemployment_rate"].astype("float64")
    frame["year"] = frame["year"].astype(np.int64)
    frame["source_line"] = frame["source_line"].astype(np.int64)
    key = ["year", "field_of_education", "education_level", "sex"]
    dup = frame.duplicated(key)
    for line in frame.loc[dup, "source_line"]:
        problems.append(
            problem(path, int(line), "Opleidingsrichting", "duplicate row (same year, field, level and sex)")
        )
    if problems:
        raise SourceError(problems)
    frame = frame[list(RawCbsUnemployment.to_schema().columns)]
    found = validate(RawCbsUnemployment, frame, file=path)
    if found:
        raise SourceError(found)
    return Delivery(
        path=path, family="cbs_unemployment", generation="maatwerk XLSX (project layout)", frame=frame, encoding="xlsx"
    )


UNEMPLOYMENT = register(
    SourceFormat(
        family="cbs_unemployment",
        generation="maatwerk XLSX (project layout)",
        description="CBS custom table: labour force and unemployment by field of education (ISCED-F), level and sex",
        signature=lambda header, name: False,
        parse=parse_unemployment,
        recognise=is_unemployment_workbook,
    )
)
