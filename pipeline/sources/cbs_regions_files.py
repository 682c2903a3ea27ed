"""CBS region tables in the other forms they reach the landing folder (besides OData bundles).

1. StatLine CSV export of 'Gebieden in Nederland <year>' (e.g. 84378NED, 2019): `;`, latin-1,
   header `Naam;Code;Inwonertal;Omgevingsadressendichtheid per km2`, one municipality per line, and
   a footer line `Bron: CBS;<data.overheid.nl address>;<StatLine address with the table id>;<year>`.
   The boundary year and table id are read from that footer.
2. Municipality -> arbeidsmarktregio as JSON derived from 86247NED:
   `{"_bron": {"tabel": "86247NED", "titel": "Gebieden in Nederland 2026", ...},
     "gemeenten": {"0014": "Groningen", ...}}` (4-digit municipality number -> region name).
   Region names are turned into AM codes with reference/regions/arbeidsmarktregios.csv.
3. Place -> municipality -> COROP (`Woonplaatscode,Woonplaats,Gemeentecode,Gemeente,COROP-gebiedcode,
   COROP-gebied`, `,`, UTF-8), generated from CBS 'Woonplaatsen in Nederland' + 'Gebieden in
   Nederland' of the current year. It names no year: the boundary year is the latest one in the
   reference table whose municipalities are exactly the file's.

Every form is cross-checked against reference/regions/municipalities.csv of its boundary year.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.cbs_odata import boundary_year_from_title, bundle_kind, load_json, regions_frame
from pipeline.sources.files import SOURCE_LINE, read_text_table

STATLINE_COLUMNS = ("Naam", "Code", "Inwonertal", "Omgevingsadressendichtheid per km2")
WOONPLAATS_COLUMNS = ("Woonplaatscode", "Woonplaats", "Gemeentecode", "Gemeente", "COROP-gebiedcode", "COROP-gebied")
FOOTER = "Bron: CBS"


def _footer(path: Path, encoding: str) -> list[str] | None:
    text = path.read_bytes().decode("utf-8" if encoding.startswith("utf") else "latin-1", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].split(";") if lines and lines[-1].startswith(FOOTER) else None


def parse_statline_export(path: Path) -> Delivery:
    table = read_text_table(path, footer_prefixes=(FOOTER,))
    problems: list[SourceProblem] = []
    for column in STATLINE_COLUMNS:
        if column not in table.header:
            problems.append(problem(path, 1, column, "required column is missing (renamed?)"))
    for column in table.header:
        if column not in STATLINE_COLUMNS:
            problems.append(problem(path, 1, column, "unexpected column"))
    footer = _footer(path, table.encoding)
    year, table_id = None, ""
    if footer is not None:
        year = next((int(f) for f in reversed(footer) if re.fullmatch(r"(19|20)\d{2}", f.strip())), None)
        table_id = next((m.group(0) for f in footer for m in [re.search(r"\d{5}NED", f)] if m), "")
    if year is None:
        year = boundary_year_from_title(path.name)
    if year is None:
        problems.append(
            problem(
                path,
                None,
                None,
                "no 'Bron: CBS;...;<year>' footer and no year in the file name: cannot tell the boundary year",
            )
        )
    if problems:
        raise SourceError(problems)
    frame = table.frame
    codes = frame["Code"].str.strip()
    for line, code in zip(frame[SOURCE_LINE], codes):
        if not re.fullmatch(r"GM\d{4}", code):
            problems.append(problem(path, int(line), "Code", f"not a municipality code: {code!r}"))
    population = pd.to_numeric(frame["Inwonertal"].str.strip(), errors="coerce")
    for line, raw, value in zip(frame[SOURCE_LINE], frame["Inwonertal"], population):
        if pd.isna(value) or value < 0 or value % 1:
            problems.append(problem(path, int(line), "Inwonertal", f"not a count: {raw!r}"))
    if problems:
        raise SourceError(problems)
    dup = codes.duplicated()
    for line, code in zip(frame.loc[dup, SOURCE_LINE], codes[dup]):
        problems.append(problem(path, int(line), "Code", f"duplicate municipality {code}"))
    if problems:
        raise SourceError(problems)
    names = frame["Naam"].str.strip().str.replace(r" \(gemeente\)$", "", regex=True)
    out = regions_frame(
        pd.DataFrame(
            {
                "municipality_code": codes,
                "municipality_name": names,
                "population": population.astype("Int64"),
                "source_line": frame[SOURCE_LINE],
            }
        ),
        table=table_id or "Gebieden in Nederland",
        year=year,
        path=path,
        code_column="Code",
    )
    return Delivery(
        path=path,
        family="cbs_regions",
        generation="StatLine CSV export",
        frame=out,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


def is_derived_am_json(path: Path) -> bool:
    if path.suffix.lower() != ".json" or bundle_kind(path) is not None:
        return False
    obj = load_json(path)
    return isinstance(obj, dict) and "gemeenten" in obj and isinstance(obj.get("_bron"), dict)


def _json_line_numbers(path: Path) -> dict[str, int]:
    """Line of each `"dddd":` member in the file, so a problem can point at it."""
    lines = {}
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        match = re.match(r'\s*"(\d{4})"\s*:', line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def parse_derived_am_json(path: Path) -> Delivery:
    obj = load_json(path)
    source, members = obj["_bron"], obj["gemeenten"]
    problems: list[SourceProblem] = []
    year = boundary_year_from_title(str(source.get("titel", "")))
    table_id = str(source.get("tabel", "")).strip()
    if year is None:
        problems.append(problem(path, None, "_bron.titel", "no boundary year in the table title"))
    if not isinstance(members, dict) or not members:
        problems.append(problem(path, None, "gemeenten", "no municipalities"))
    if problems:
        raise SourceError(problems)
    names = reference.load("regions/arbeidsmarktregios.csv").frame
    by_name = dict(zip(names["name"], names["code"]))
    lines = _json_line_numbers(path)
    rows = []
    for index, (number, region) in enumerate(members.items()):
        line = lines.get(number, index)
        if not re.fullmatch(r"\d{4}", str(number)):
            problems.append(problem(path, line, "gemeenten", f"not a 4-digit municipality number: {number!r}"))
            continue
        if region not in by_name:
            problems.append(
                problem(path, line, "gemeenten", f"unknown arbeidsmarktregio {region!r} for municipality {number}")
            )
            continue
        rows.append(
            {
                "municipality_code": f"GM{number}",
                "municipality_name": "",
                "arbeidsmarktregio_code": by_name[region],
                "arbeidsmarktregio_name": region,
                "source_line": line,
            }
        )
    if problems:
        raise SourceError(problems)
    out = regions_frame(pd.DataFrame(rows), table=table_id, year=year, path=path, code_column="gemeenten")
    return Delivery(
        path=path,
        family="cbs_regions",
        generation="derived JSON municipality -> arbeidsmarktregio",
        frame=out,
        encoding="utf-8",
    )


def parse_woonplaatsen(path: Path) -> Delivery:
    table = read_text_table(path, delimiter=",")
    problems: list[SourceProblem] = []
    missing = [c for c in WOONPLAATS_COLUMNS if c not in table.header]
    for column in missing:
        problems.append(problem(path, 1, column, "required column is missing (renamed?)"))
    if problems:
        raise SourceError(problems)
    frame = table.frame
    codes = "GM" + frame["Gemeentecode"].str.strip()
    corop = "CR" + frame["COROP-gebiedcode"].str.strip()
    for line, code, cr in zip(frame[SOURCE_LINE], codes, corop):
        if not re.fullmatch(r"GM\d{4}", code):
            problems.append(
                problem(path, int(line), "Gemeentecode", f"not a 4-digit municipality number: {code[2:]!r}")
            )
        if not re.fullmatch(r"CR\d{2}", cr):
            problems.append(problem(path, int(line), "COROP-gebiedcode", f"not a 2-digit COROP code: {cr[2:]!r}"))
    if problems:
        raise SourceError(problems)
    per = pd.DataFrame(
        {
            "municipality_code": codes,
            "municipality_name": frame["Gemeente"].str.strip(),
            "corop_code": corop,
            "source_line": frame[SOURCE_LINE],
        }
    )
    split = per.groupby("municipality_code")["corop_code"].nunique()
    for code in split[split > 1].index:
        line = int(per.loc[per["municipality_code"] == code, "source_line"].iloc[0])
        problems.append(
            problem(path, line, "COROP-gebiedcode", f"municipality {code} lies in more than one COROP region")
        )
    if problems:
        raise SourceError(problems)
    municipalities = per.drop_duplicates("municipality_code").sort_values("municipality_code").reset_index(drop=True)
    ref = reference.load("regions/municipalities.csv").frame
    found = set(municipalities["municipality_code"])
    years = [int(y) for y, part in ref.groupby("boundary_year") if set(part["municipality_code"]) == found]
    if not years:
        raise SourceError(
            [
                problem(
                    path,
                    None,
                    "Gemeentecode",
                    "its municipalities match no boundary year of reference/regions/municipalities.csv",
                )
            ]
        )
    year = max(years)
    known = ref[ref["boundary_year"] == str(year)].set_index("municipality_code")["corop_code"]
    for code, cr, line in zip(
        municipalities["municipality_code"], municipalities["corop_code"], municipalities["source_line"]
    ):
        if known[code] != cr:
            problems.append(
                problem(
                    path,
                    int(line),
                    "COROP-gebiedcode",
                    f"{code} is in {cr} here but in {known[code]} in the reference table",
                )
            )
    if problems:
        raise SourceError(problems)
    municipalities["source_line"] = municipalities["source_line"].astype(np.int64)
    out = regions_frame(municipalities, table="Woonplaatsen in Nederland", year=year, path=path)
    return Delivery(
        path=path,
        family="cbs_regions",
        generation="woonplaats -> gemeente -> COROP (derived)",
        frame=out,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


STATLINE_EXPORT = register(
    SourceFormat(
        family="cbs_regions",
        generation="StatLine CSV export",
        description="CBS Gebieden in Nederland <year> exported from StatLine as CSV (latin-1, 'Bron: CBS' footer)",
        signature=lambda header, name: header == list(STATLINE_COLUMNS),
        parse=parse_statline_export,
        columns=STATLINE_COLUMNS,
    )
)
DERIVED_AM_JSON = register(
    SourceFormat(
        family="cbs_regions",
        generation="derived JSON municipality -> arbeidsmarktregio",
        description="municipality -> arbeidsmarktregio name, derived from CBS Gebieden in Nederland (86247NED)",
        signature=lambda header, name: False,
        parse=parse_derived_am_json,
        recognise=is_derived_am_json,
    )
)
WOONPLAATSEN = register(
    SourceFormat(
        family="cbs_regions",
        generation="woonplaats -> gemeente -> COROP (derived)",
        description="place -> municipality -> COROP, derived from CBS Woonplaatsen/Gebieden in Nederland",
        signature=lambda header, name: header == list(WOONPLAATS_COLUMNS),
        parse=parse_woonplaatsen,
        columns=WOONPLAATS_COLUMNS,
    )
)
