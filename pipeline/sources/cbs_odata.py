"""CBS StatLine tables saved from the OData v3 API, one JSON bundle per table.

Landing layout (what `techpact fetch` writes, and what an analyst saves by hand): one file
`<TABLE>.json` per table, a JSON object whose members are the API's endpoint responses unchanged:

    {"TableInfos":     {"odata.metadata": "...", "value": [{"Identifier": "85276NED", "Title": ...}]},
     "DataProperties": {"value": [{"Type": "Dimension", "Key": "Geslacht", ...},
                                  {"Type": "Topic", "Key": "WerkzameBeroepsbevolking_1", "Title": ...,
                                   "Unit": "x 1 000"}]},
     "TypedDataSet":   {"value": [{"ID": 0, "Geslacht": "3000    ", "Perioden": "2019JJ00", ...}]},
     "Geslacht":       {"value": [{"Key": "3000    ", "Title": "Mannen"}, ...]},   # one per dimension
     "Perioden":       {"value": [{"Key": "2019JJ00", "Title": "2019", "Status": "Definitief"}, ...]}}

`https://opendata.cbs.nl/ODataApi/odata/<TABLE>/<endpoint>?$format=json` gives each member (the
TypedDataSet possibly in pages joined by following `odata.nextLink`). A bundle is recognised by its
content: the three endpoints, then the table's dimensions tell which table it is:

- Beroep + Perioden dimensions: employed labour force by occupation (85276NED-like);
- Perioden and a topic titled 'Openstaande vacatures' without Beroep: vacancies (80472NED-like);
- RegioS geo dimension, no time dimension: 'Gebieden in Nederland <year>' (84378NED, 85385NED, 86247NED).

Measures are found by their DataProperties title (and topic group), never by key: keys such as
`WerkzameBeroepsbevolking_1` or `Code_4` shift between table versions. Keys are stripped of CBS's
trailing padding (`'GM1680    '`). A problem in the data names the file, the TypedDataSet record
index (0-based) as row, and the property as column.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.files import decode, sniff_text
from schemas import validate
from schemas.raw_labour import RawCbsEmployment, RawCbsRegions, RawCbsVacancies

BUNDLE_KEYS = ("TableInfos", "DataProperties", "TypedDataSet")
DIMENSION_TYPES = ("Dimension", "TimeDimension", "GeoDimension")
PERIOD = re.compile(r"^(\d{4})(JJ|KW|MM)(\d{2})$")
UNIT_FACTORS = {"x 1 000": 1000, "x 1000": 1000, "aantal": 1, "": 1, "x 1 000 000": 1_000_000}
SEX_TITLES = {"totaal mannen en vrouwen": "T", "mannen": "M", "vrouwen": "V"}
BRC_TITLE = re.compile(r"^(\d{2}|\d{4})\s+(.+)$")
SBI_TITLE = re.compile(r"^([A-U](?:-[A-U])?)\s+(.+)$")
REGION_LEVELS = {  # word in the topic group's title (lower case) -> our column prefix
    "gemeenten": "municipality",
    "arbeidsmarktregio": "arbeidsmarktregio",
    "corop": "corop",
    "provincie": "province",
    "landsde": "landsdeel",
}


# --- reading and recognising a bundle ---------------------------------------------------------


def load_json(path: Path) -> object:
    """The file's JSON; empty files, HTML pages and truncated/invalid JSON are clear problems."""
    stat = path.stat()
    return _load_json(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def _load_json(path: Path, _mtime: int, _size: int) -> object:
    data = path.read_bytes()
    sniff_text(path, data)
    text, _ = decode(path, data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        truncated = error.pos >= len(text.rstrip()) - 1 or "Unterminated" in error.msg
        what = "truncated JSON (the download or save was cut off)" if truncated else "invalid JSON"
        raise SourceError(
            [problem(path, error.lineno, None, f"{what}: {error.msg} at line {error.lineno}, column {error.colno}")]
        ) from None


def _values(bundle: dict, path: Path, endpoint: str) -> list[dict]:
    part = bundle.get(endpoint)
    if not isinstance(part, dict) or not isinstance(part.get("value"), list):
        raise SourceError(
            [
                problem(
                    path,
                    None,
                    endpoint,
                    f"OData endpoint {endpoint!r} is missing from the bundle or has no 'value' list",
                )
            ]
        )
    return part["value"]


def file_key(path: Path) -> tuple[Path, int, int]:
    stat = path.stat()
    return path.resolve(), stat.st_mtime_ns, stat.st_size


def bundle_kind(path: Path) -> str | None:
    """'employment', 'vacancies' or 'regions' for a CBS OData bundle; None for files that are not one.

    Recognition runs for every family's fingerprint, so the answer (or the error) is kept per file
    version instead of loading a large JSON file again."""
    if path.suffix.lower() != ".json":
        return None
    key = file_key(path)
    if key not in _KINDS:
        try:
            _KINDS[key] = _bundle_kind(path)
        except SourceError as error:
            _KINDS[key] = error
    answer = _KINDS[key]
    if isinstance(answer, SourceError):
        raise SourceError(answer.problems)
    return answer


_KINDS: dict[tuple[Path, int, int], str | SourceError | None] = {}


def _bundle_kind(path: Path) -> str | None:
    obj = load_json(path)
    if not isinstance(obj, dict):
        return None
    if not any(key in obj for key in BUNDLE_KEYS):
        if "odata.metadata" in obj and "value" in obj:
            raise SourceError(
                [
                    problem(
                        path,
                        None,
                        None,
                        "a single OData endpoint response, not a table bundle: save "
                        "TableInfos, DataProperties, TypedDataSet and the dimensions "
                        "together (techpact fetch writes such a bundle)",
                    )
                ]
            )
        return None
    for endpoint in BUNDLE_KEYS:
        _values(obj, path, endpoint)
    return _classify(obj, path)


def _classify(bundle: dict, path: Path) -> str:
    props = _values(bundle, path, "DataProperties")
    dims = {p.get("Key"): p.get("Type") for p in props if p.get("Type") in DIMENSION_TYPES}
    titles = {str(p.get("Title", "")).strip().lower() for p in props if p.get("Type") == "Topic"}
    times = [k for k, t in dims.items() if t == "TimeDimension"]
    if "Beroep" in dims and times:
        return "employment"
    if times and "openstaande vacatures" in titles:
        return "vacancies"
    if any(t == "GeoDimension" for t in dims.values()) and not times:
        return "regions"
    table = _identifier(bundle, path)
    raise SourceError(
        [
            problem(
                path,
                None,
                "DataProperties",
                f"CBS table {table} is not one the pipeline reads (dimensions: {', '.join(map(str, dims)) or 'none'})",
            )
        ]
    )


def _identifier(bundle: dict, path: Path) -> str:
    infos = _values(bundle, path, "TableInfos")
    if not infos or not str(infos[0].get("Identifier", "")).strip():
        raise SourceError([problem(path, 0, "TableInfos.Identifier", "table identifier missing")])
    return str(infos[0]["Identifier"]).strip()


def _title(bundle: dict, path: Path) -> str:
    return str(_values(bundle, path, "TableInfos")[0].get("Title", "")).strip()


def clean(value: object) -> str:
    return "" if value is None else str(value).strip()


# --- shared reading of dimensions, measures and records ----------------------------------------


def _dimension(bundle: dict, path: Path, key: str, problems: list[SourceProblem]) -> dict[str, dict]:
    if key not in bundle:
        problems.append(problem(path, None, key, f"dimension endpoint {key!r} is missing from the bundle"))
        return {}
    return {clean(item.get("Key")): item for item in _values(bundle, path, key)}


def _topic(
    props: list[dict], path: Path, title: str, problems: list[SourceProblem], group: str | None = None
) -> dict | None:
    """The topic with this title (inside the topic group whose title starts with `group`, if given)."""
    groups = {p.get("ID"): str(p.get("Title", "")).strip().lower() for p in props if p.get("Type") == "TopicGroup"}
    found = [
        p
        for p in props
        if p.get("Type") == "Topic"
        and str(p.get("Title", "")).strip().lower() == title.lower()
        and (group is None or group in groups.get(p.get("ParentID"), ""))
    ]
    if len(found) != 1:
        where = f" in a topic group about {group!r}" if group else ""
        why = "not found (renamed or removed?)" if not found else "found more than once"
        problems.append(problem(path, None, "DataProperties", f"measure titled {title!r}{where} {why}"))
        return None
    return found[0]


def _check_record_properties(
    records: list[dict], path: Path, expected: set[str], problems: list[SourceProblem]
) -> None:
    """Every TypedDataSet record has exactly the properties DataProperties announces (plus ID)."""
    for index, record in enumerate(records):
        keys = set(record) - {"ID"}
        for missing in sorted(expected - keys):
            problems.append(problem(path, index, missing, "property missing from TypedDataSet record"))
        for extra in sorted(keys - expected):
            problems.append(problem(path, index, extra, "property not announced in DataProperties"))
        if len(problems) > 200:
            return


def parse_period(code: str) -> tuple[str, int, int | None, int | None] | None:
    match = PERIOD.match(code)
    if not match:
        return None
    year, kind, number = int(match.group(1)), match.group(2), int(match.group(3))
    if kind == "JJ" and number == 0:
        return "year", year, None, None
    if kind == "KW" and 1 <= number <= 4:
        return "quarter", year, number, None
    if kind == "MM" and 1 <= number <= 12:
        return "month", year, None, number
    return None


def _measure(record: dict, index: int, key: str, path: Path, problems: list[SourceProblem]) -> float | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(problem(path, index, key, f"not a number: {value!r}"))
        return None
    if value < 0:
        problems.append(problem(path, index, key, f"negative value {value}"))
        return None
    return float(value)


def _period_columns(records: list[dict], path: Path, periods: dict[str, dict], problems: list[SourceProblem]) -> dict:
    out = {"period_code": [], "period_type": [], "year": [], "quarter": [], "month": [], "status": []}
    for index, record in enumerate(records):
        code = clean(record.get("Perioden"))
        parsed = parse_period(code)
        if parsed is None:
            problems.append(problem(path, index, "Perioden", f"not a CBS period code: {code!r}"))
            parsed = ("year", 0, None, None)
        elif periods and code not in periods:
            problems.append(problem(path, index, "Perioden", f"period {code!r} is not in the Perioden dimension"))
        kind, year, quarter, month = parsed
        out["period_code"].append(code)
        out["period_type"].append(kind)
        out["year"].append(year)
        out["quarter"].append(quarter)
        out["month"].append(month)
        out["status"].append(clean(periods.get(code, {}).get("Status")))
    return out


def _finish(frame: pd.DataFrame, model, path: Path, problems: list[SourceProblem]) -> pd.DataFrame:
    if problems:
        raise SourceError(problems)
    for column in ("quarter", "month"):
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    frame["year"] = frame["year"].astype(np.int64) if "year" in frame else frame.get("year")
    frame["source_line"] = frame["source_line"].astype(np.int64)
    frame = frame[list(model.to_schema().columns)]
    found = validate(model, frame, file=path)
    if found:
        raise SourceError(found)
    return frame


def _counts(values: list[float | None], factor: int) -> pd.Series:
    return pd.Series([None if v is None else round(v * factor) for v in values], dtype="Int64")


def _unit(topic: dict | None, path: Path, problems: list[SourceProblem]) -> tuple[str, int]:
    unit = clean(topic.get("Unit")) if topic else ""
    if topic and unit not in UNIT_FACTORS:
        problems.append(problem(path, None, clean(topic.get("Key")), f"unknown unit {unit!r} of the measure"))
    return unit, UNIT_FACTORS.get(unit, 1)


def _duplicates(frame: pd.DataFrame, keys: list[str], path: Path, problems: list[SourceProblem]) -> None:
    dup = frame.duplicated(keys, keep="first")
    for index in frame.index[dup][:50]:
        combo = ", ".join(f"{k}={frame.at[index, k]}" for k in keys)
        problems.append(problem(path, int(frame.at[index, "source_line"]), keys[-1], f"duplicate key ({combo})"))


# --- employment by occupation (85276NED-like) --------------------------------------------------


def occupation_codes() -> set[str]:
    return set(reference.load("labour/brc2014_occupations.csv").frame["code"])


def parse_employment(path: Path) -> Delivery:
    bundle = load_json(path)
    table = _identifier(bundle, path)
    props = _values(bundle, path, "DataProperties")
    records = _values(bundle, path, "TypedDataSet")
    problems: list[SourceProblem] = []
    dims = {
        key: _dimension(bundle, path, key, problems) for key in ("Geslacht", "Persoonskenmerken", "Beroep", "Perioden")
    }
    topic = _topic(props, path, "Werkzame beroepsbevolking", problems)
    if problems:
        raise SourceError(problems)
    measure = clean(topic["Key"])
    unit, factor = _unit(topic, path, problems)
    expected = {clean(p.get("Key")) for p in props if p.get("Type") in (*DIMENSION_TYPES, "Topic")}
    _check_record_properties(records, path, expected, problems)
    if not records:
        problems.append(problem(path, None, "TypedDataSet", "table has no data records"))
    known_codes = occupation_codes()

    sexes, sex_keys, chars, char_keys, occ_keys, occ_codes, occ_labels, values = [], [], [], [], [], [], [], []
    for index, record in enumerate(records):
        sex_key = clean(record.get("Geslacht"))
        sex_title = clean(dims["Geslacht"].get(sex_key, {}).get("Title")).lower()
        if sex_key not in dims["Geslacht"] or sex_title not in SEX_TITLES:
            problems.append(problem(path, index, "Geslacht", f"unknown Geslacht key {sex_key!r}"))
        char_key = clean(record.get("Persoonskenmerken"))
        if char_key not in dims["Persoonskenmerken"]:
            problems.append(problem(path, index, "Persoonskenmerken", f"unknown Persoonskenmerken key {char_key!r}"))
        occ_key = clean(record.get("Beroep"))
        occ_title = clean(dims["Beroep"].get(occ_key, {}).get("Title"))
        code, label = _occupation(occ_title)
        if occ_key not in dims["Beroep"]:
            problems.append(problem(path, index, "Beroep", f"unknown Beroep key {occ_key!r}"))
        elif code is None or (code != "T" and code not in known_codes):
            problems.append(
                problem(
                    path,
                    index,
                    "Beroep",
                    f"occupation {occ_title!r} ({occ_key}) has no BRC 2014 code "
                    "known to reference/labour/brc2014_occupations.csv",
                )
            )
        sexes.append(SEX_TITLES.get(sex_title, "T"))
        sex_keys.append(sex_key)
        char_keys.append(char_key)
        chars.append(clean(dims["Persoonskenmerken"].get(char_key, {}).get("Title")))
        occ_keys.append(occ_key)
        occ_codes.append(code or "T")
        occ_labels.append(label)
        values.append(_measure(record, index, measure, path, problems))
    if len(problems) > 0:
        raise SourceError(problems)
    period = _period_columns(records, path, dims["Perioden"], problems)
    frame = pd.DataFrame(
        {
            "table_id": table,
            **period,
            "sex": sexes,
            "characteristic_key": char_keys,
            "characteristic": chars,
            "occupation_key": occ_keys,
            "occupation_code": occ_codes,
            "occupation_label": occ_labels,
            "value": pd.Series(values, dtype="float64"),
            "unit": unit,
            "count": _counts(values, factor),
            "suppressed": [v is None for v in values],
            "source_file": path.name,
            "source_line": range(len(records)),
        }
    )
    _duplicates(frame, ["sex", "characteristic_key", "occupation_key", "period_code"], path, problems)
    frame = _finish(frame, RawCbsEmployment, path, problems)
    return Delivery(path=path, family="cbs_employment", generation=f"OData v3 {table}", frame=frame, encoding="utf-8")


def _occupation(title: str) -> tuple[str | None, str]:
    if title.lower().startswith("totaal"):
        return "T", title
    match = BRC_TITLE.match(title)
    return (match.group(1), match.group(2)) if match else (None, title)


# --- vacancies by industry (80472NED-like) ---------------------------------------------------------


def parse_vacancies(path: Path) -> Delivery:
    bundle = load_json(path)
    table = _identifier(bundle, path)
    props = _values(bundle, path, "DataProperties")
    records = _values(bundle, path, "TypedDataSet")
    problems: list[SourceProblem] = []
    dim_keys = [clean(p.get("Key")) for p in props if p.get("Type") == "Dimension"]
    if len(dim_keys) != 1:
        problems.append(
            problem(path, None, "DataProperties", f"expected one industry dimension besides Perioden, found {dim_keys}")
        )
    sector_dim = dim_keys[0] if dim_keys else "Bedrijfskenmerken"
    sectors = _dimension(bundle, path, sector_dim, problems)
    periods = _dimension(bundle, path, "Perioden", problems)
    topic = _topic(props, path, "Openstaande vacatures", problems)
    if problems:
        raise SourceError(problems)
    measure = clean(topic["Key"])
    unit, factor = _unit(topic, path, problems)
    expected = {clean(p.get("Key")) for p in props if p.get("Type") in (*DIMENSION_TYPES, "Topic")}
    _check_record_properties(records, path, expected, problems)
    if not records:
        problems.append(problem(path, None, "TypedDataSet", "table has no data records"))
    keys, codes, labels, values = [], [], [], []
    for index, record in enumerate(records):
        key = clean(record.get(sector_dim))
        title = clean(sectors.get(key, {}).get("Title"))
        if key not in sectors:
            problems.append(problem(path, index, sector_dim, f"unknown {sector_dim} key {key!r}"))
            code, label = "T", title
        elif title.lower().startswith(("totaal", "alle economische")):
            code, label = "T", title
        elif (match := SBI_TITLE.match(title)) is not None:
            code, label = match.group(1), match.group(2)
        else:
            problems.append(
                problem(path, index, sector_dim, f"industry {title!r} ({key}) has no SBI 2008 section code")
            )
            code, label = "T", title
        keys.append(key)
        codes.append(code)
        labels.append(label)
        values.append(_measure(record, index, measure, path, problems))
    if problems:
        raise SourceError(problems)
    period = _period_columns(records, path, periods, problems)
    frame = pd.DataFrame(
        {
            "table_id": table,
            **period,
            "sector_key": keys,
            "sector_code": codes,
            "sector_label": labels,
            "value": pd.Series(values, dtype="float64"),
            "unit": unit,
            "count": _counts(values, factor),
            "suppressed": [v is None for v in values],
            "source_file": path.name,
            "source_line": range(len(records)),
        }
    )
    _duplicates(frame, ["sector_key", "period_code"], path, problems)
    frame = _finish(frame, RawCbsVacancies, path, problems)
    return Delivery(path=path, family="cbs_vacancies", generation=f"OData v3 {table}", frame=frame, encoding="utf-8")


# --- Gebieden in Nederland (region tables) ----------------------------------------------------------


def boundary_year_from_title(title: str) -> int | None:
    match = re.search(r"(19|20)\d{2}", title)
    return int(match.group(0)) if match else None


def parse_regions(path: Path) -> Delivery:
    bundle = load_json(path)
    table = _identifier(bundle, path)
    title = _title(bundle, path)
    props = _values(bundle, path, "DataProperties")
    records = _values(bundle, path, "TypedDataSet")
    problems: list[SourceProblem] = []
    year = boundary_year_from_title(title)
    if year is None:
        problems.append(problem(path, 0, "TableInfos.Title", f"no boundary year in the table title {title!r}"))
    geo = [clean(p.get("Key")) for p in props if p.get("Type") == "GeoDimension"]
    regios = _dimension(bundle, path, geo[0], problems)
    keys: dict[str, str] = {}
    for group, prefix in REGION_LEVELS.items():
        for measure in ("Code", "Naam"):
            topic = _topic(props, path, measure, problems, group=group)
            if topic:
                keys[f"{prefix}_{'code' if measure == 'Code' else 'name'}"] = clean(topic["Key"])
    if problems:
        raise SourceError(problems)
    expected = {clean(p.get("Key")) for p in props if p.get("Type") in (*DIMENSION_TYPES, "Topic")}
    _check_record_properties(records, path, expected, problems)
    rows = []
    for index, record in enumerate(records):
        regio = clean(record.get(geo[0]))
        if regio not in regios:
            problems.append(problem(path, index, geo[0], f"unknown {geo[0]} key {regio!r}"))
        if not regio.startswith("GM"):
            continue  # the table also lists the regions themselves; municipalities are what we map
        row = {name: clean(record.get(key)) for name, key in keys.items()}
        if row["municipality_code"] != regio:
            problems.append(
                problem(
                    path,
                    index,
                    keys["municipality_code"],
                    f"municipality code {row['municipality_code']!r} differs from the {geo[0]} key {regio!r}",
                )
            )
        row["source_line"] = index
        rows.append(row)
    if not rows:
        problems.append(problem(path, None, "TypedDataSet", "no municipality (GM...) records"))
    if problems:
        raise SourceError(problems)
    frame = pd.DataFrame(rows)
    frame = regions_frame(frame, table=table, year=year, path=path, code_column=keys["municipality_code"])
    return Delivery(
        path=path, family="cbs_regions", generation="OData v3 Gebieden in Nederland", frame=frame, encoding="utf-8"
    )


def regions_frame(
    frame: pd.DataFrame,
    *,
    table: str,
    year: int,
    path: Path,
    check_complete: bool = True,
    code_column: str = "municipality_code",
) -> pd.DataFrame:
    """Complete a municipality -> region frame to the RawCbsRegions contract and cross-check it
    against reference/regions/municipalities.csv for its boundary year."""
    out = pd.DataFrame(
        {
            "table_id": table,
            "boundary_year": year,
            "municipality_code": frame["municipality_code"],
            "municipality_name": frame["municipality_name"],
        }
    )
    for column in ("arbeidsmarktregio_code", "arbeidsmarktregio_name", "corop_code", "province_code", "landsdeel_code"):
        out[column] = frame.get(column, "")
    out["population"] = frame["population"] if "population" in frame else pd.Series([pd.NA] * len(frame), dtype="Int64")
    out["population"] = out["population"].astype("Int64")
    out["source_file"] = path.name
    out["source_line"] = frame["source_line"].astype(np.int64).to_numpy()
    out["boundary_year"] = out["boundary_year"].astype(np.int64)
    problems = validate(RawCbsRegions, out, file=path)
    if problems:
        raise SourceError(problems)
    problems = cross_check_municipalities(out, path, check_complete=check_complete, code_column=code_column)
    if problems:
        raise SourceError(problems)
    return out


def cross_check_municipalities(
    frame: pd.DataFrame, path: Path, *, check_complete: bool = True, code_column: str = "municipality_code"
) -> list[SourceProblem]:
    """Every municipality code must exist in the reference table for the frame's boundary year (and,
    for a complete table, every reference municipality of that year must be in the frame)."""
    ref = reference.load("regions/municipalities.csv").frame
    years = sorted({int(y) for y in frame["boundary_year"]})
    problems: list[SourceProblem] = []
    for year in years:
        known = ref[ref["boundary_year"] == str(year)]
        part = frame[frame["boundary_year"] == year]
        if known.empty:
            problems.append(
                problem(
                    path, None, "boundary_year", f"boundary year {year} is not in reference/regions/municipalities.csv"
                )
            )
            continue
        codes = set(known["municipality_code"])
        for code, line in zip(part["municipality_code"], part["source_line"]):
            if code not in codes:
                problems.append(
                    problem(path, int(line), code_column, f"municipality {code} does not exist in boundary year {year}")
                )
        if check_complete:
            for code in sorted(codes - set(part["municipality_code"])):
                problems.append(
                    problem(path, None, code_column, f"municipality {code} of boundary year {year} is missing")
                )
        ams = known.set_index("municipality_code")["arbeidsmarktregio_code"]
        for code, am, line in zip(part["municipality_code"], part["arbeidsmarktregio_code"], part["source_line"]):
            if am and code in ams.index and am != ams[code] and am != "AM99":
                problems.append(
                    problem(
                        path,
                        int(line),
                        "arbeidsmarktregio_code",
                        f"{code} is in {am} here but in {ams[code]} in the reference table ({year})",
                    )
                )
    return problems


EMPLOYMENT = register(
    SourceFormat(
        family="cbs_employment",
        generation="OData v3",
        description="CBS StatLine employed labour force by occupation (85276NED-like), OData JSON bundle",
        signature=lambda header, name: False,
        parse=parse_employment,
        recognise=lambda p: bundle_kind(p) == "employment",
    )
)
VACANCIES = register(
    SourceFormat(
        family="cbs_vacancies",
        generation="OData v3",
        description="CBS StatLine open vacancies by industry (80472NED-like), OData JSON bundle",
        signature=lambda header, name: False,
        parse=parse_vacancies,
        recognise=lambda p: bundle_kind(p) == "vacancies",
    )
)
REGIONS = register(
    SourceFormat(
        family="cbs_regions",
        generation="OData v3 Gebieden in Nederland",
        description="CBS Gebieden in Nederland <year>, OData JSON bundle",
        signature=lambda header, name: False,
        parse=parse_regions,
        recognise=lambda p: bundle_kind(p) == "regions",
    )
)
