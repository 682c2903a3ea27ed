"""Regions: map source municipality codes to one boundary year and aggregate to every region level.

Sources carry the municipality codes of their own year (the *code year*). A code is mapped to the
chosen *boundary year* by applying, in order, every reorganisation of `reference/regions/
municipal_mergers.csv` that took effect after the code year and no later than the boundary year.
A split municipality goes to its primary successor (the part that received the former seat) and
the mapping says so (`mapping = "split"`). A code that the division of its year does not know, or
that cannot be mapped, stops the run: codes are never guessed or dropped.

The region levels (`LEVELS`) all partition the country, so every regional figure is a sum over
the municipalities of that region in the boundary year; `members()` gives that membership, which
the disclosure control uses for its equations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.problems import SourceError, problem

NATIONAL_CODE, NATIONAL_NAME = "NL01", "Nederland"
# publication order; every level but national is taken from reference/regions/municipalities.csv
LEVELS = ("national", "landsdeel", "techniekpact", "province", "corop", "arbeidsmarktregio", "municipality")
LEVEL_COLUMNS = {
    "landsdeel": ("landsdeel_code", "landsdeel_name"),
    "techniekpact": ("techniekpact_region_code", "techniekpact_region_name"),
    "province": ("province_code", "province_name"),
    "corop": ("corop_code", "corop_name"),
    "arbeidsmarktregio": ("arbeidsmarktregio_code", "arbeidsmarktregio_name"),
    "municipality": ("municipality_code", "municipality_name"),
}


class RegionError(Exception):
    pass


@dataclass(frozen=True)
class _Tables:
    """What the region code needs of the region and merger tables, read once per content of the two
    files (the tables are keyed by their sha256, so a changed or overriding file is read anew)."""

    years: tuple[int, ...]  # boundary years of the region table, sorted
    codes: dict[int, frozenset[str]]  # municipality codes of each boundary year
    mergers: tuple[tuple[int, str, str, str], ...]  # (effective_year, old_code, new_code, kind) in order
    members: dict[int, dict[tuple[str, str], frozenset[str]]] = field(default_factory=dict)  # filled by members()


_TABLES: dict[tuple[str, str], _Tables] = {}


def _tables() -> _Tables:
    municipalities = reference.load("regions/municipalities.csv")
    mergers = reference.load("regions/municipal_mergers.csv")
    key = (municipalities.sha256, mergers.sha256)
    if key not in _TABLES:
        frame = municipalities.frame
        years = frame["boundary_year"].astype(int)
        codes = {
            int(y): frozenset(group) for y, group in frame["municipality_code"].groupby(years.to_numpy(), sort=True)
        }
        steps = mergers.frame.assign(effective_year=mergers.frame["effective_year"].astype(int))
        steps = steps.sort_values(["effective_year", "old_code"], kind="stable")
        _TABLES.clear()
        _TABLES[key] = _Tables(
            years=tuple(sorted(codes)),
            codes=codes,
            mergers=tuple(
                (int(r.effective_year), r.old_code, r.new_code, r.kind) for r in steps.itertuples(index=False)
            ),
        )
    return _TABLES[key]


def boundary_years() -> list[int]:
    return list(_tables().years)


def default_boundary_year(edition: str) -> int:
    """The boundary year an edition uses unless configured: the CBS division of 1 January of the
    publication year, clamped to the years the region table covers."""
    years = boundary_years()
    return min(max(int(edition), years[0]), years[-1])


@lru_cache(maxsize=16)
def _division(boundary_year: int, sha: str) -> pd.DataFrame:
    frame = reference.load("regions/municipalities.csv").frame
    frame = frame[frame["boundary_year"] == str(boundary_year)].drop(columns="boundary_year")
    return frame.set_index("municipality_code", drop=False)


def _codes(tables: _Tables, boundary_year: int) -> frozenset[str]:
    """Municipality codes of the division of `boundary_year` (which the region table must hold)."""
    if boundary_year not in tables.codes:
        raise RegionError(
            f"boundary year {boundary_year} is not in reference/regions/municipalities.csv "
            f"(it covers {tables.years[0]}-{tables.years[-1]})"
        )
    return tables.codes[boundary_year]


def division(boundary_year: int) -> pd.DataFrame:
    """Municipalities of the CBS division of 1 January `boundary_year` with every region level."""
    _codes(_tables(), boundary_year)
    table = reference.load("regions/municipalities.csv")
    return _division(boundary_year, table.sha256).rename_axis(None).copy()


@dataclass(frozen=True)
class Mapping:
    code: str  # code in the boundary year
    kind: str  # "same", "merger", "code_change" or "split" (primary successor)


def map_code(code: str, code_year: int, boundary_year: int) -> Mapping | None:
    """Map one municipality code of `code_year` to `boundary_year`; None when it cannot be mapped.

    Validity of the code in its own year: for years the region table lists, the code must be in
    that year's division; for earlier years (the table starts in 2019) the code must be in the
    first listed division or disappear in a later reorganisation (the merger table's history).
    """
    return _map_code(_tables(), code, code_year, boundary_year)


def _map_code(tables: _Tables, code: str, code_year: int, boundary_year: int) -> Mapping | None:
    years = tables.years
    if code_year >= years[0]:
        if code not in _codes(tables, min(code_year, years[-1])):
            return None
    elif code not in _codes(tables, years[0]) and not any(
        effective > code_year and old == code for effective, old, _new, _kind in tables.mergers
    ):
        return None
    if boundary_year < code_year:
        # going back in time is only possible for a code that exists unchanged in the boundary year
        return (
            Mapping(code, "same")
            if code in _codes(tables, boundary_year)
            and not any(
                boundary_year < effective <= code_year and new == code for effective, _old, new, _kind in tables.mergers
            )
            else None
        )
    current, kinds = code, []
    for effective, old, new, kind in tables.mergers:
        if code_year < effective <= boundary_year and old == current:
            current = new
            kinds.append(kind)
    if current not in _codes(tables, boundary_year):
        return None
    kind = "same" if not kinds else ("split" if "split" in kinds else kinds[-1])
    return Mapping(current, kind)


def map_municipalities(
    frame: pd.DataFrame,
    boundary_year: int,
    *,
    code_column: str = "municipality_code",
    code_year_column: str = "code_year",
) -> pd.DataFrame:
    """Add `boundary_municipality_code`, `municipality_mapping` and `boundary_year` to `frame`.

    Every (code, code year) must be known; otherwise one SourceError lists every unknown code with
    the file and line of its first row.
    """
    tables = _tables()
    pairs = frame[[code_column, code_year_column]].drop_duplicates()
    mapped: dict[tuple[str, int], Mapping] = {}
    problems = []
    for code, year in pairs.itertuples(index=False):
        result = _map_code(tables, str(code), int(year), boundary_year)
        if result is None:
            first = frame[(frame[code_column] == code) & (frame[code_year_column] == year)].iloc[0]
            problems.append(
                problem(
                    first.get("source_file", "table"),
                    int(first["source_line"]) if "source_line" in first else None,
                    code_column,
                    f"municipality code {code} of {year} is not in the CBS division of {year} "
                    f"or cannot be mapped to boundary year {boundary_year} through the merger history",
                )
            )
        else:
            mapped[(str(code), int(year))] = result
    if problems:
        raise SourceError(problems)
    known = pd.MultiIndex.from_arrays([[c for c, _ in mapped], [y for _, y in mapped]])
    at = known.get_indexer(
        pd.MultiIndex.from_arrays([frame[code_column].astype(str), frame[code_year_column].astype(int)])
    )
    if (at < 0).any():
        raise RegionError(
            f"municipality codes without a mapping: {frame.loc[at < 0, code_column].unique()[:10].tolist()}"
        )
    out = frame.copy()
    out["boundary_municipality_code"] = np.array([m.code for m in mapped.values()], dtype=object)[at]
    out["municipality_mapping"] = np.array([m.kind for m in mapped.values()], dtype=object)[at]
    out["boundary_year"] = boundary_year
    return out


def regions_of(boundary_year: int) -> pd.DataFrame:
    """Every published region of the boundary year: region_level, region_code, region_name."""
    div = division(boundary_year)
    rows = [
        pd.DataFrame({"region_level": ["national"], "region_code": [NATIONAL_CODE], "region_name": [NATIONAL_NAME]})
    ]
    for level in LEVELS[1:]:
        code, name = LEVEL_COLUMNS[level]
        part = div[[code, name]].drop_duplicates().sort_values(code)
        rows.append(
            pd.DataFrame(
                {"region_level": level, "region_code": part[code].to_numpy(), "region_name": part[name].to_numpy()}
            )
        )
    return pd.concat(rows, ignore_index=True)


def members(boundary_year: int) -> dict[tuple[str, str], frozenset[str]]:
    """(region_level, region_code) -> municipality codes of the boundary year in that region (a
    fresh dict; the membership is worked out once per boundary year and content of the table)."""
    tables = _tables()
    if boundary_year not in tables.members:
        div = division(boundary_year)
        out: dict[tuple[str, str], frozenset[str]] = {("national", NATIONAL_CODE): frozenset(div["municipality_code"])}
        for level in LEVELS[1:]:
            code = LEVEL_COLUMNS[level][0]
            for value, group in div.groupby(code, sort=True):
                out[(level, value)] = frozenset(group["municipality_code"])
        tables.members[boundary_year] = out
    return dict(tables.members[boundary_year])


def aggregate(
    frame: pd.DataFrame,
    keys: list[str],
    values: list[str],
    boundary_year: int,
    levels: tuple[str, ...] = LEVELS,
    municipality_column: str = "boundary_municipality_code",
) -> pd.DataFrame:
    """Sum `values` by `keys` for every region level: one row per (keys, region) present in the data.

    `frame[municipality_column]` holds codes of the boundary year (see `map_municipalities`);
    national figures need no location (use levels=("national",) for sources without one).
    """
    out = []
    if "national" in levels:
        total = frame.groupby(keys, as_index=False, sort=True, dropna=False)[values].sum()
        out.append(total.assign(region_level="national", region_code=NATIONAL_CODE, region_name=NATIONAL_NAME))
    regional = [level for level in levels if level != "national"]
    if regional:
        div = division(boundary_year)
        frame = frame[keys + values + [municipality_column]]
        unknown = set(frame.loc[~frame[municipality_column].isin(div.index), municipality_column])
        if unknown:
            raise RegionError(f"municipality codes not in the division of {boundary_year}: {sorted(unknown)[:10]}")
        joined = frame.join(div.drop(columns="municipality_code"), on=municipality_column)
        joined["municipality_code"] = joined[municipality_column]
        for level in regional:
            code, name = LEVEL_COLUMNS[level]
            sums = joined.groupby(keys + [code, name], as_index=False, sort=True, dropna=False)[values].sum()
            out.append(sums.rename(columns={code: "region_code", name: "region_name"}).assign(region_level=level))
    return pd.concat(out, ignore_index=True)
