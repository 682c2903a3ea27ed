"""Region boundaries for the edition's maps: the versioned TopoJSON files of reference/geo/ (CBS /
PDOK boundaries, see reference/geo/boundaries.meta.toml for provenance and licence), one per region
level. The maps themselves are Vega-Lite geoshape layers (pipeline.publish.charts.choropleth)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from pipeline import reference

BOUNDARIES_TABLE = "geo/boundaries.csv"


class BoundaryError(ValueError):
    pass


@dataclass(frozen=True)
class Boundaries:
    level: str
    year: str
    topology: str  # the TopoJSON text, as shipped
    feature: str  # its object
    names: dict[str, str]  # region code -> name

    def check(self, codes: set[str], source: str) -> None:
        """Every region with a figure has an outline (never silently left off the map)."""
        missing = sorted(codes - set(self.names))
        if missing:
            raise BoundaryError(
                f"reference/geo/{self.feature}.topojson: no outline for {', '.join(missing[:10])}"
                f"{' …' if len(missing) > 10 else ''} ({source})"
            )


@cache
def levels() -> dict[str, Boundaries]:
    """region level -> its boundaries (the latest boundary year shipped for the level)."""
    table = reference.load(BOUNDARIES_TABLE)
    folder = table.path.parent
    out: dict[str, Boundaries] = {}
    for row in table.frame.sort_values("boundary_year").itertuples(index=False):
        text = reference.read_file(folder / row.file).decode("utf-8")
        data = json.loads(text)
        try:
            geometries = data["objects"][row.object]["geometries"]
        except (KeyError, TypeError) as error:
            raise BoundaryError(f"{folder / row.file}: no TopoJSON object {row.object!r}") from error
        names = {str(g["properties"][row.code_property]): str(g["properties"][row.name_property]) for g in geometries}
        bad = sorted(
            str(g.get("id")) for g in geometries if str(g.get("id")) != str(g["properties"][row.code_property])
        )
        if bad:
            raise BoundaryError(f"{folder / row.file}: geometry id differs from {row.code_property} for {bad[:5]}")
        out[row.region_level] = Boundaries(row.region_level, row.boundary_year, text, row.object, names)
    return out
