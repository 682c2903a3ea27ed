"""Helpers shared by the sample writers.

A scaled sample (scale S > 1) has S times the institutions and locations of every DUO family
(synthetic institutions with synthetic codes, placed in real municipalities) and S times the
students, so that cell sizes stay as in the embedded sample; and each edition's folder covers ten
years: the edition's own DUO deliveries plus those of five years earlier, as a history backfill
lands them. Scale 1 is the embedded sample itself (five years per edition).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from pipeline import reference

HISTORY_YEARS = 10  # years of data an edition's folder covers at scale > 1
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def unit(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) from the seed and the parts (stable across runs and machines)."""
    digest = hashlib.sha256("|".join(map(str, (seed, *parts))).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def delivery_years(last: int, scale: int, years_per_file: int) -> list[int]:
    """Last data years of the files of one family in an edition's folder, oldest first: the edition's
    own file at scale 1; at scale > 1 as many earlier files as make up HISTORY_YEARS years."""
    files = 1 if scale == 1 else -(-HISTORY_YEARS // years_per_file)
    return [last - years_per_file * k for k in reversed(range(files))]


def synthetic_code(letters: str, number: int) -> str:
    """The `number`-th synthetic institution code of a scaled sample: four characters [0-9A-Z] like a
    BRIN code, a letter of `letters` and three base-36 digits. Each family uses letters the embedded
    sample's own codes do not start with, so synthetic and embedded codes never meet."""
    block, rest = divmod(number, 36**3)
    if block >= len(letters):
        raise ValueError(f"scale too large: no synthetic institution code left after {len(letters) * 36**3}")
    return letters[block] + "".join(_BASE36[rest // 36**k % 36] for k in (2, 1, 0))


@lru_cache(maxsize=1)
def stable_municipality_codes() -> frozenset[str]:
    """Municipality codes of reference/regions/municipalities.csv present in every boundary year."""
    frame = reference.load("regions/municipalities.csv").frame
    return frozenset.intersection(
        *(frozenset(codes) for _, codes in frame.groupby("boundary_year")["municipality_code"])
    )


@lru_cache(maxsize=1)
def stable_municipalities() -> tuple[tuple[str, str, str], ...]:
    """(code, name, province name) in the latest division of every municipality that keeps its code
    over all boundary years: where a scaled sample places its synthetic institutions."""
    frame = reference.load("regions/municipalities.csv").frame
    latest = frame[frame["boundary_year"] == frame["boundary_year"].max()]
    stable = stable_municipality_codes()
    return tuple(
        sorted(
            (c, n, p)
            for c, n, p in zip(latest["municipality_code"], latest["municipality_name"], latest["province_name"])
            if c in stable
        )
    )
