"""Editions (Dagster partitions) and the data periods each edition reports."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import reference


@dataclass(frozen=True)
class Edition:
    edition: int
    education_last_year: int
    labour_last_year: int
    base_year: int

    @property
    def key(self) -> str:
        return str(self.edition)


def editions() -> list[Edition]:
    frame = reference.load("editions/editions.csv").frame
    return [
        Edition(int(r.edition), int(r.education_last_year), int(r.labour_last_year), int(r.base_year))
        for r in frame.itertuples(index=False)
    ]


def edition_keys() -> list[str]:
    return [e.key for e in editions()]


def get(edition: int | str) -> Edition:
    for item in editions():
        if item.edition == int(edition):
            return item
    known = ", ".join(edition_keys())
    raise KeyError(f"unknown edition {edition}; editions in reference/editions/editions.csv: {known}")


def edition_for_education_year(year: int) -> Edition:
    for item in editions():
        if item.education_last_year == year:
            return item
    raise KeyError(f"no edition reports education year {year}")
