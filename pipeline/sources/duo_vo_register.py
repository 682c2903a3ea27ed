"""DUO's register of vo school locations (`alle-vestigingen-vo.csv`, verified against the 2019
file): one row per location with its municipality, which the pupils file lacks.

`;`, latin-1, no quoting; DUO's columns `PROVINCIE;BEVOEGD GEZAG NUMMER;BRIN NUMMER;VESTIGINGSNUMMER;
VESTIGINGSNAAM;...;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;...;ONDERWIJSSTRUCTUUR;...` (addresses and
regional classifications follow; only the columns named in `COLUMNS` are read, the others may change).
VESTIGINGSNUMMER is the 6-character location code (BRIN + number); GEMEENTENUMMER the 4-digit CBS
municipality number, which must be in reference/regions/municipalities.csv. A location appears once.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.duo_common import check_municipality_numbers, finish, raise_if, strip_all
from pipeline.sources.files import SOURCE_LINE, read_text_table
from schemas.raw import RawVoLocations

COLUMNS = {
    "PROVINCIE": "province",
    "BRIN NUMMER": "institution_code",
    "VESTIGINGSNUMMER": "location_code",
    "VESTIGINGSNAAM": "location_name",
    "PLAATSNAAM": "place_name",
    "GEMEENTENUMMER": "municipality_number",
    "GEMEENTENAAM": "municipality_name",
    "ONDERWIJSSTRUCTUUR": "education_structure",
}


def _signature(header: list[str], name: str) -> bool:
    return set(COLUMNS).issubset(header) and "BEVOEGD GEZAG NUMMER" in header


def parse_register(path: Path) -> Delivery:
    table = read_text_table(path)
    missing = [c for c in COLUMNS if c not in table.header]
    if missing:
        raise SourceError([problem(path, 1, c, "required column is missing (renamed?)") for c in missing])
    frame = table.frame
    lines = frame[SOURCE_LINE]
    problems: list[SourceProblem] = []
    fixed = strip_all(frame[list(COLUMNS)]).rename(columns=COLUMNS)
    bad = ~(
        fixed["location_code"].str.fullmatch(r"[0-9A-Z]{4}\d{2}")
        & fixed["location_code"].str[:4].eq(fixed["institution_code"])
    )
    for line, value in zip(lines[bad], fixed["location_code"][bad]):
        problems.append(problem(path, int(line), "VESTIGINGSNUMMER", f"not a location code of this BRIN: {value!r}"))
    numbers = fixed["municipality_number"]
    for line, value in zip(lines[~numbers.str.fullmatch(r"\d{4}")], numbers[~numbers.str.fullmatch(r"\d{4}")]):
        problems.append(problem(path, int(line), "GEMEENTENUMMER", f"not a 4-digit municipality number: {value!r}"))
    check_municipality_numbers(path, numbers, lines, "GEMEENTENUMMER", problems)
    twice = fixed["location_code"].duplicated(keep="first")
    for line, value in zip(lines[twice], fixed["location_code"][twice]):
        problems.append(problem(path, int(line), "VESTIGINGSNUMMER", f"location {value!r} appears more than once"))
    raise_if(problems)
    fixed["municipality_code"] = "GM" + numbers
    fixed[SOURCE_LINE] = lines.to_numpy()
    fixed["source_file"] = path.name
    return Delivery(
        path=path,
        family="duo_vo_register",
        generation="2019",
        frame=finish(fixed, RawVoLocations, path),
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


register(
    SourceFormat(
        family="duo_vo_register",
        generation="2019",
        description="DUO register of vo school locations (alle-vestigingen-vo): municipality per location",
        signature=_signature,
        parse=parse_register,
        columns=tuple(COLUMNS),
    )
)
