"""Region maps as deterministic SVG.

* Tile-grid maps (provinces, arbeidsmarktregio's, Techniekpact regions, landsdelen): one square per
  region at the position given by reference/regions/tile_grid.csv, so no boundary file is needed.
* Choropleths of municipalities on real boundaries, drawn when a boundary file (GeoJSON as CBS/PDOK
  publish it, `statcode` = GM code; RD New metres or WGS84 degrees) lies in the landing area.

Values are binned in five equal classes between the lowest and highest value shown; each tile or
shape carries its value as text (tiles) or as an SVG <title> (shapes), and the map's <desc> lists
every region with its value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

from pipeline import reference
from pipeline.publish import formatting
from pipeline.publish.charts import _svg_open

# Sequential blues, light to dark; text colour per class keeps contrast >= 4.5:1.
CLASS_FILLS = ("#deebf7", "#b3d3ea", "#6aaed6", "#2b7bba", "#08457e")
CLASS_TEXT = ("#1a1a1a", "#1a1a1a", "#1a1a1a", "#ffffff", "#ffffff")
NO_DATA_FILL = "#f0f0f0"
CODE_PROPERTIES = ("statcode", "gemeentecode", "GM_CODE", "code")
NAME_PROPERTIES = ("statnaam", "gemeentenaam", "GM_NAAM", "name")


def tile_positions() -> dict[str, dict[str, tuple[int, int, str]]]:
    """region_level -> code -> (col, row, abbreviation)."""
    frame = reference.load("regions/tile_grid.csv").frame
    out: dict[str, dict[str, tuple[int, int, str]]] = {}
    for row in frame.itertuples():
        out.setdefault(row.region_level, {})[row.code] = (int(row.col), int(row.row), row.abbreviation)
    return out


def has_tiles(level: str) -> bool:
    return level in tile_positions()


@dataclass(frozen=True)
class Classes:
    edges: tuple[float, ...]  # len = classes + 1

    @staticmethod
    def of(values: list[float], count: int = len(CLASS_FILLS)) -> Classes:
        present = [v for v in values if not formatting.missing(v)]
        if not present:
            return Classes((0.0, 1.0))
        low, high = min(present), max(present)
        if high == low:
            return Classes((low, high))
        return Classes(tuple(low + (high - low) * i / count for i in range(count + 1)))

    def index(self, value: float) -> int:
        if len(self.edges) == 2:
            return len(CLASS_FILLS) // 2
        for i in range(len(self.edges) - 2, -1, -1):
            if value >= self.edges[i]:
                return i
        return 0

    def fill(self, value: float | None) -> tuple[str, str]:
        if formatting.missing(value):
            return NO_DATA_FILL, "#1a1a1a"
        i = self.index(value)
        return CLASS_FILLS[i], CLASS_TEXT[i]


def _legend(classes: Classes, unit: str, lang: str, x: float, y: float, no_data: str) -> list[str]:
    parts = []
    if len(classes.edges) == 2:
        entries = [(CLASS_FILLS[len(CLASS_FILLS) // 2], formatting.value(classes.edges[0], unit, lang))]
    else:
        entries = [
            (
                CLASS_FILLS[i],
                f"{formatting.value(classes.edges[i], unit, lang)} – "
                f"{formatting.value(classes.edges[i + 1], unit, lang)}",
            )
            for i in range(len(classes.edges) - 1)
        ]
    entries.append((NO_DATA_FILL, no_data))
    for i, (fill, label) in enumerate(entries):
        yy = y + i * 18
        parts.append(
            f'<rect x="{x:.1f}" y="{yy:.1f}" width="14" height="14" fill="{fill}" stroke="#555555" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{x + 20:.1f}" y="{yy + 11:.1f}" fill="#1a1a1a">{escape(label)}</text>')
    return parts


def tile_map(
    level: str,
    values: Mapping[str, tuple[str, float | None]],
    *,
    title: str,
    unit: str,
    lang: str,
    chart_id: str,
    no_data: str,
    tile: int = 58,
) -> str:
    """`values`: code -> (name, value). Regions of the level without a value are drawn as 'no data'."""
    positions = tile_positions()[level]
    unknown = sorted(set(values) - set(positions))
    if unknown:
        raise ValueError(
            f"tile map of {level}: no tile position for {', '.join(unknown)} (reference/regions/tile_grid.csv)"
        )
    classes = Classes.of([v for _, v in values.values()])
    cols = max(c for c, _, _ in positions.values()) + 1
    rows = max(r for _, r, _ in positions.values()) + 1
    gap, pad = 3, 4
    legend_x = pad + cols * (tile + gap) + 16
    width = int(legend_x + 170)
    height = int(max(pad * 2 + rows * (tile + gap), 7 * 18 + 10))
    description = "; ".join(f"{values[c][0]}: {formatting.value(values[c][1], unit, lang)}" for c in sorted(values))
    parts = _svg_open(width, height, chart_id, title, description)
    parts.append('<g aria-hidden="true">')
    for code in sorted(positions, key=lambda c: (positions[c][1], positions[c][0])):
        col, row, abbreviation = positions[code]
        x, y = pad + col * (tile + gap), pad + row * (tile + gap)
        _name, val = values.get(code, (code, None))
        fill, ink = classes.fill(val)
        parts.append(
            f'<rect x="{x}" y="{y}" width="{tile}" height="{tile}" fill="{fill}" stroke="#555555" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{x + tile / 2:.1f}" y="{y + tile / 2 - 3:.1f}" text-anchor="middle" font-weight="bold" '
            f'fill="{ink}">{escape(abbreviation)}</text>'
        )
        parts.append(
            f'<text x="{x + tile / 2:.1f}" y="{y + tile / 2 + 13:.1f}" text-anchor="middle" font-size="10.5" '
            f'fill="{ink}">'
            f"{escape(formatting.value(val, unit, lang))}</text>"
        )
    parts += _legend(classes, unit, lang, legend_x, pad + 4, no_data)
    parts.append("</g></svg>")
    return "".join(parts)


# --- real boundaries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundaries:
    """Municipal outlines: code -> (name, list of rings in projected coordinates, y pointing north)."""

    source: str
    shapes: dict[str, tuple[str, list[list[tuple[float, float]]]]]


class BoundaryError(ValueError):
    pass


def find_boundary_file(folder: Path | None) -> Path | None:
    """The municipal boundary GeoJSON in a landing folder, if there is one (first by name)."""
    if folder is None or not folder.is_dir():
        return None
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".geojson" and not p.name.startswith(".")
    )
    return files[0] if files else None


def load_boundaries(path: Path) -> Boundaries:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BoundaryError(f"{path.name}: not a GeoJSON file ({error})") from error
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise BoundaryError(f"{path.name}: GeoJSON without features")
    crs = json.dumps(data.get("crs", {}))
    shapes: dict[str, tuple[str, list[list[tuple[float, float]]]]] = {}
    rd = "28992" in crs
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = next((str(props[k]) for k in CODE_PROPERTIES if props.get(k)), None)
        if code is None:
            raise BoundaryError(
                f"{path.name}: feature {number} has no municipality code (one of {', '.join(CODE_PROPERTIES)})"
            )
        code = code.strip()
        name = next((str(props[k]) for k in NAME_PROPERTIES if props.get(k)), code)
        geometry = feature.get("geometry") or {}
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        if kind == "Polygon":
            polygons = [coords]
        elif kind == "MultiPolygon":
            polygons = coords
        else:
            raise BoundaryError(
                f"{path.name}: feature {number} ({code}) has geometry {kind!r}, expected (Multi)Polygon"
            )
        rings = [[(float(x), float(y)) for x, y, *_ in ring] for polygon in polygons for ring in polygon]
        if not rd and rings and abs(rings[0][0][0]) > 180:
            rd = True
        shapes.setdefault(code, (name, []))[1].extend(rings)
    if not rd:  # WGS84 degrees: equirectangular at the latitude of the Netherlands
        scale = math.cos(math.radians(52.2))
        shapes = {c: (n, [[(x * scale, y) for x, y in ring] for ring in rings]) for c, (n, rings) in shapes.items()}
    return Boundaries(source=path.name, shapes=shapes)


def choropleth(
    boundaries: Boundaries,
    values: Mapping[str, tuple[str, float | None]],
    *,
    title: str,
    unit: str,
    lang: str,
    chart_id: str,
    no_data: str,
    width: int = 640,
) -> str:
    """Municipalities on their real outlines, coloured by value; municipalities without a value are
    drawn as 'no data'. Codes with a value but no outline raise (never silently dropped)."""
    missing = sorted(set(values) - set(boundaries.shapes))
    if missing:
        raise BoundaryError(
            f"{boundaries.source}: no outline for {', '.join(missing[:10])}"
            f"{' …' if len(missing) > 10 else ''} (boundary file of another year?)"
        )
    points = [pt for _, rings in boundaries.shapes.values() for ring in rings for pt in ring]
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    map_w = width - 190
    scale = map_w / (max_x - min_x) if max_x > min_x else 1.0
    map_h = (max_y - min_y) * scale
    height = int(max(map_h + 8, 7 * 18 + 10))
    classes = Classes.of([v for _, v in values.values()])
    description = "; ".join(f"{values[c][0]}: {formatting.value(values[c][1], unit, lang)}" for c in sorted(values))
    parts = _svg_open(width, height, chart_id, title, description)
    parts.append('<g aria-hidden="true">')
    for code in sorted(boundaries.shapes):
        name, rings = boundaries.shapes[code]
        fill, _ = classes.fill(values.get(code, (name, None))[1])
        d = " ".join(
            "M" + " L".join(f"{4 + (x - min_x) * scale:.1f},{4 + (max_y - y) * scale:.1f}" for x, y in ring) + " Z"
            for ring in rings
        )
        label = (
            f"{values.get(code, (name, None))[0]}: {formatting.value(values.get(code, (name, None))[1], unit, lang)}"
        )
        parts.append(
            f'<path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="#555555" stroke-width="0.4">'
            f"<title>{escape(label)}</title></path>"
        )
    parts += _legend(classes, unit, lang, map_w + 20, 8, no_data)
    parts.append("</g></svg>")
    return "".join(parts)
