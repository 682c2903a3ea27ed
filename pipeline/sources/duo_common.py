"""Helpers shared by the DUO parsers: counts (with DUO's two masking conventions), column checks,
and the region look-ups for files that name a place or municipality without a code.

This module registers no format.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline import reference
from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources.files import SOURCE_LINE

MASK = "<5"  # DUO's mark for a count of 1..4 (statistically protected files)


def check_columns(path: Path, header: list[str], expected: list[str], variable: list[str]) -> None:
    """Every fixed column present and in DUO's order; nothing else than the variable (year) columns."""
    problems: list[SourceProblem] = []
    missing = [c for c in expected if c not in header]
    extra = [h for h in header if h not in expected and h not in variable]
    problems += [problem(path, 1, c, "required column is missing (renamed?)") for c in missing]
    problems += [problem(path, 1, c, "unexpected column") for c in extra]
    if not missing and [h for h in header if h in expected] != expected:
        problems.append(problem(path, 1, None, "columns are not in DUO's order"))
    if problems:
        raise SourceError(problems)


def parse_counts(
    path: Path,
    raw: pd.Series,
    lines: pd.Series,
    column: str,
    *,
    mask: str | None,
    empty_is_zero: bool = False,
    problems: list[SourceProblem],
) -> tuple[pd.Series, np.ndarray]:
    """Counts of one text column: (nullable Int64 counts, masked flags).

    `mask` is the masking mark this generation uses (`<5`), or None where the generation has none
    (then `<5` is an error). A masked count is null. Empty cells are zero where DUO writes
    "no students" as an empty cell (`empty_is_zero`), an error otherwise.
    """
    index, distinct = pd.factorize(raw, use_na_sentinel=False)  # a count column has few distinct values
    text = pd.Series(distinct, dtype=raw.dtype).str.strip()
    masked = (text == mask) if mask else pd.Series(False, index=text.index)
    if empty_is_zero:
        text = text.where(text != "", "0")
    if (text.str.fullmatch(r"[0-9]{1,15}") | masked).all():  # plain counts: an exact integer cast, no problems
        values = text.where(~masked, "0").astype("int64[pyarrow]").to_numpy(dtype=np.int64)[index]
        flags = masked.to_numpy(dtype=bool)[index]
        return pd.Series(pd.arrays.IntegerArray(values, flags.copy()), index=raw.index), flags
    text = raw.str.strip()
    masked = (text == mask) if mask else pd.Series(False, index=text.index)
    if empty_is_zero:
        text = text.where(text != "", "0")
    # a count is digits only: `2.000` (a Dutch thousands separator) or `2.0` is refused with its cell,
    # never read as 2 or guessed as 2000; more than MAX_COUNT_DIGITS digits is not a count of people
    plain = text.str.fullmatch(rf"[0-9]{{1,{MAX_COUNT_DIGITS}}}").fillna(False).astype(bool)
    bad = ~plain & ~masked
    for line, value in zip(lines[bad], text[bad]):
        problems.append(problem(path, int(line), column, count_problem(value)))
    counts = pd.to_numeric(text.where(plain, None), errors="coerce").astype("Int64")
    return counts, masked.to_numpy()


MAX_COUNT_DIGITS = 15  # beyond this a count is not exact in float64 and no population is that large


def count_problem(value: str) -> str:
    """Why `value` (stripped cell text) is not a DUO count: one wording for every parser."""
    shown = value if len(value) <= 40 else value[:40] + f"... ({len(value)} characters)"
    if value == "":
        return "empty count"
    if value.startswith("-"):
        return f"negative count: {shown!r}"
    if value == MASK:
        return "masked count '<5' in a generation without masking"
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", value):
        return (
            f"count with a thousands separator: {shown!r} (DUO writes counts as plain digits; "
            "refused rather than read as a decimal or guessed)"
        )
    if re.fullmatch(r"[0-9]+", value):
        return f"count too large: {shown!r} (more than {MAX_COUNT_DIGITS} digits)"
    return f"not a count: {shown!r}"


def wide_to_long(fixed: pd.DataFrame, lines: pd.Series, parts: list[dict]) -> pd.DataFrame:
    """The long table of a wide file: the fixed columns repeated once per part (a year or a
    sex x year column) with that part's values (scalars, or one value per row), and SOURCE_LINE.

    The fixed columns are copied once (by position) instead of once per part."""
    n = len(fixed)
    long = fixed.take(np.tile(np.arange(n), len(parts))).reset_index(drop=True)
    for name in parts[0] if parts else ():
        values = [part[name] for part in parts]
        if all(
            isinstance(v, str) for v in values
        ):  # one text per part: taken from the few texts, not converted per row
            taken = pa.array(values, type=pa.large_string()).take(pa.array(np.repeat(np.arange(len(values)), n)))
            long[name] = pd.arrays.ArrowStringArray(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
        elif all(np.ndim(v) == 0 for v in values):
            long[name] = np.repeat(np.array(values), n)
        else:
            long[name] = pd.concat([pd.Series(v) for v in values], ignore_index=True).array
    long[SOURCE_LINE] = np.tile(lines.to_numpy(), len(parts))
    return long


def raise_if(problems: list[SourceProblem]) -> None:
    if problems:
        raise SourceError(sorted(problems, key=lambda p: (p.row or 0, p.column or "", p.problem)))


def finish(frame: pd.DataFrame, model, path: Path) -> pd.DataFrame:
    """Order the columns as the model, fix integer types, validate (problems with file/row/column)."""
    from schemas import enforce

    schema = model.to_schema()
    frame = frame[list(schema.columns)]
    for column, spec in schema.columns.items():
        if str(spec.dtype) == "int64" and frame[column].dtype != np.int64:
            frame[column] = frame[column].astype(np.int64)
    return enforce(model, frame, file=path).reset_index(drop=True)


def low_high(count: pd.Series, masked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of a count: the count itself, or 1..4 when masked at source."""
    value = count.fillna(0).astype(np.int64).to_numpy()
    return np.where(masked, 1, value).astype(np.int64), np.where(masked, 4, value).astype(np.int64)


def fold(text: str) -> str:
    """Names as DUO writes them: upper case, single spaces (accents kept)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().upper()


# --- places (mbo PLAATSNAAM) -------------------------------------------------------------------


@lru_cache(maxsize=4)
def _places(sha: str) -> dict[str, tuple[str, str]]:
    table = reference.load("regions/places.csv").frame
    return {row.place_name: (row.municipality_code, row.status) for row in table.itertuples(index=False)}


def place_municipalities(
    path: Path, names: pd.Series, lines: pd.Series, column: str, problems: list[SourceProblem]
) -> pd.Series:
    """Municipality code (GM....) of each DUO place name, via reference/regions/places.csv.

    An unknown or ambiguous place is a problem naming file, row and column; never guessed.
    """
    return _codes_by_name(path, names, lines, column, place_code(), problems)


def place_code() -> Callable[[str], tuple[str, str | None]]:
    """name -> (municipality code of the place, None) or ("", why there is none).

    As written in the place table; else in DUO's own spelling (`duo_name_code`); else without a
    province suffix (`HENGELO OV`) among the places of that province."""
    lookup = _places(reference.sha256("regions/places.csv"))
    keyed = _keyed_places(reference.sha256("regions/places.csv"))

    def code(name: str) -> tuple[str, str | None]:
        entry = lookup.get(fold(name))
        if entry is not None and entry[1] == "unique":
            return entry[0], None
        found = duo_name_code("place", name) or (keyed.get(name_key(name)) if entry is None else None)
        if found is None:
            suffixed = split_province(name)
            if suffixed is not None:
                candidates = {c for key, codes in keyed.items() if key == suffixed[0] for c in codes.split("|")}
                in_province = sorted(c for c in candidates if province_of(c) == suffixed[1])
                found = in_province[0] if len(in_province) == 1 else None
        if found is not None and "|" not in found:
            return found, None
        return "", (
            f"place {name!r} lies in several municipalities ({entry[0]}): the place table cannot tell which"
            if entry
            else f"unknown place {name!r} (not in reference/regions/places.csv)"
        )

    return code


def name_key(text: str) -> str:
    """A name as compared across spellings: upper case, no accents, apostrophes or full stops, hyphens
    as spaces, single spaces (`'s-Gravenhage` and `S GRAVENHAGE`, `Súdwest-Fryslân` and `SUDWEST-FRYSLAN`)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    plain = plain.upper().replace("'", "").replace(".", "").replace("-", " ")
    return re.sub(r"\s+", " ", plain).strip()


@lru_cache(maxsize=4)
def _keyed_places(sha: str) -> dict[str, str]:
    """name_key of each place (and of its name without a CBS-style suffix `BERGEN (NH)`) -> its
    municipality code(s), `|`-joined where several."""
    keyed: dict[str, set[str]] = {}
    for row in reference.load("regions/places.csv").frame.itertuples(index=False):
        for key in {name_key(row.place_name), name_key(strip_suffix(row.place_name))}:
            keyed.setdefault(key, set()).update(row.municipality_code.split("|"))
    return {key: "|".join(sorted(codes)) for key, codes in keyed.items()}


@lru_cache(maxsize=4)
def _abbreviations(sha: str) -> dict[str, str]:
    table = reference.load("regions/province_abbreviations.csv").frame
    return dict(zip(table["abbreviation"], table["province_code"]))


def split_province(name: str) -> tuple[str, str] | None:
    """(name_key without the suffix, province code) of a name ending in a province abbreviation DUO
    appends (`EDE GLD`), per reference/regions/province_abbreviations.csv; None otherwise."""
    words = name_key(name).rsplit(" ", 1)
    province = _abbreviations(reference.sha256("regions/province_abbreviations.csv")).get(words[-1])
    return (words[0], province) if len(words) == 2 and province else None


@lru_cache(maxsize=4)
def _provinces(sha: str) -> dict[str, str]:
    frame = reference.load("regions/municipalities.csv").frame
    return dict(zip(frame["municipality_code"], frame["province_code"]))


def province_of(municipality_code: str) -> str | None:
    return _provinces(reference.sha256("regions/municipalities.csv")).get(municipality_code)


@lru_cache(maxsize=4)
def _duo_names(sha: str) -> dict[tuple[str, str], str]:
    table = reference.load("regions/duo_names.csv").frame
    return {(row.kind, name_key(row.duo_name)): row.municipality_code for row in table.itertuples(index=False)}


def duo_name_code(kind: str, name: str) -> str | None:
    """The municipality code of a name in DUO's own spelling (reference/regions/duo_names.csv)."""
    return _duo_names(reference.sha256("regions/duo_names.csv")).get((kind, name_key(name)))


def _codes_by_name(
    path: Path,
    names: pd.Series,
    lines: pd.Series,
    column: str,
    code: Callable[[str], tuple[str, str | None]],
    problems: list[SourceProblem],
) -> pd.Series:
    """The code of each row's name, looked up once per distinct name; a name without a code ("",
    and why) is a problem at the first row that has it, in the order of those rows."""
    index, distinct = pd.factorize(names)
    found = [code(name) for name in distinct]
    first_rows = np.unique(index, return_index=True)[1]
    line_numbers = lines.to_numpy()
    for (_value, why), row in zip(found, first_rows):
        if why is not None:
            problems.append(problem(path, int(line_numbers[row]), column, why))
    codes = np.array([value for value, _ in found] or [""], dtype=object)
    return pd.Series(codes[index] if len(index) else [], index=names.index, dtype=object)


# --- municipalities by name (vo GEMEENTENAAM) --------------------------------------------------


def strip_suffix(name: str) -> str:
    """CBS disambiguates some names with a suffix (`Laren (NH.)`, `Bergen (L.)`); DUO writes `LAREN`."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name)


@lru_cache(maxsize=16)
def _municipalities(sha: str, year: int) -> tuple[int, dict[str, str]]:
    frame = reference.load("regions/municipalities.csv").frame
    years = sorted({int(y) for y in frame["boundary_year"]})
    boundary = min(max(year, years[0]), years[-1])
    rows = frame[frame["boundary_year"] == str(boundary)]
    exact = {fold(n): c for n, c in zip(rows["municipality_name"], rows["municipality_code"])}
    short: dict[str, set[str]] = {}
    for n, c in zip(rows["municipality_name"], rows["municipality_code"]):
        short.setdefault(fold(strip_suffix(n)), set()).add(c)
    lookup = dict(exact)
    for name, codes in short.items():
        if name not in lookup and len(codes) == 1:
            lookup[name] = next(iter(codes))
    # DUO's spellings: without accents, apostrophes, full stops (name_key), and a province suffix
    keyed: dict[str, set[str]] = {}
    for n, c in zip(rows["municipality_name"], rows["municipality_code"]):
        for key in {name_key(n), name_key(strip_suffix(n))}:
            keyed.setdefault(key, set()).add(c)
    for key, codes in keyed.items():
        lookup.setdefault(key, next(iter(codes)) if len(codes) == 1 else "|".join(sorted(codes)))
    return boundary, lookup


def municipality_codes(
    path: Path, names: pd.Series, lines: pd.Series, column: str, year: int, problems: list[SourceProblem]
) -> tuple[pd.Series, int]:
    """Municipality code of each upper-case DUO municipality name in the division of `year`.

    The division is reference/regions/municipalities.csv's boundary year `year` (clamped to the
    years the table holds). A name is matched exactly, or without CBS's disambiguation suffix when
    that leaves one municipality; anything else is a problem naming file, row and column.
    """
    code, boundary = municipality_code(year)
    return _codes_by_name(path, names, lines, column, code, problems), boundary


def municipality_code(year: int) -> tuple[Callable[[str], tuple[str, str | None]], int]:
    """(name -> (municipality code, None) or ("", why there is none), the boundary year used)."""
    boundary, lookup = _municipalities(reference.sha256("regions/municipalities.csv"), year)

    def code(name: str) -> tuple[str, str | None]:
        found = lookup.get(fold(name)) or duo_name_code("municipality", name) or lookup.get(name_key(name))
        if found is None:
            suffixed = split_province(name)
            ambiguous = lookup.get(suffixed[0], "") if suffixed else ""
            in_province = [c for c in ambiguous.split("|") if c and province_of(c) == suffixed[1]]
            found = in_province[0] if len(in_province) == 1 else None
        if found is not None and "|" not in found:
            return found, None
        return "", f"unknown municipality {name!r} in the {boundary} division (reference/regions/municipalities.csv)"

    return code, boundary


def strip_all(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if column != SOURCE_LINE and pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].str.strip()
    return out


@lru_cache(maxsize=4)
def _known_codes(sha: str) -> frozenset[str]:
    return frozenset(reference.load("regions/municipalities.csv").frame["municipality_code"])


def check_municipality_numbers(
    path: Path, numbers: pd.Series, lines: pd.Series, column: str, problems: list[SourceProblem]
) -> None:
    """A 4-digit GEMEENTENUMMER must be a CBS municipality code of some boundary year of
    reference/regions/municipalities.csv; an unknown code is a problem (reported once per code)."""
    known = _known_codes(reference.sha256("regions/municipalities.csv"))
    index, distinct = pd.factorize(numbers, use_na_sentinel=False)  # checked once per distinct number
    stripped = pd.Series(distinct).str.strip()
    unknown = (~("GM" + stripped).isin(known) & stripped.str.fullmatch(r"\d{4}")).to_numpy()
    if not unknown.any():
        return
    first_rows = np.unique(index, return_index=True)[1]  # the first row of each distinct number, in row order
    line_numbers = lines.to_numpy()
    reported: set[str] = set()
    for row in np.sort(first_rows[unknown]):
        code = stripped.iloc[index[row]]
        if code not in reported:  # two spellings (' 0106', '0106') of one code: reported once
            reported.add(code)
            problems.append(
                problem(
                    path,
                    int(line_numbers[row]),
                    column,
                    f"unknown municipality code {code!r} (not in reference/regions/municipalities.csv)",
                )
            )
