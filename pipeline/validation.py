"""`techpact validate`: recognise and validate deliveries without building.

For every file (a folder is searched recursively): the detected source family and format
generation, rows, years covered, totals per year (per measure where a file has several), masked
cells, and every problem with file, row and column. Exit code 0 when every file is valid.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import reference, sources
from pipeline.problems import SourceError, SourceProblem

LAYOUTS = "sources/layouts.csv"


def layout_status(family: str, generation: str) -> tuple[str, str]:
    """(verified | assumed, the real file that verifies it) by reference/sources/layouts.csv;
    ("unlisted", "") for a format the table does not list (a test keeps the table complete)."""
    table = reference.load(LAYOUTS).frame
    row = table[(table["family"] == family) & (table["generation"] == generation)]
    if row.empty:
        return "unlisted", ""
    return str(row["status"].iloc[0]), str(row["verified_by"].iloc[0])


def report(path: Path) -> dict:
    entry: dict = {"file": str(path), "valid": True, "problems": []}
    try:
        fmt = sources.detect(path)
        entry.update(family=fmt.family, generation=fmt.generation, description=fmt.description)
        entry["layout"], entry["layout_verified_by"] = layout_status(fmt.family, fmt.generation)
        delivery = fmt.parse(path)
    except SourceError as error:
        entry["valid"] = False
        entry["problems"] = [p.as_dict() for p in error.problems]
        return entry
    frame = delivery.frame
    entry["rows"] = int(frame["source_line"].nunique()) if "source_line" in frame else len(frame)
    entry["encoding"] = delivery.encoding
    entry["skipped_lines"] = list(delivery.skipped_lines)
    if "year" in frame and "count" in frame:
        entry["years"] = sorted(int(y) for y in frame["year"].unique())
        if "measure" in frame:
            totals = frame.groupby(["year", "measure"])["count"].sum()
            entry["totals_per_year"] = {}
            for (year, measure), value in totals.items():
                entry["totals_per_year"].setdefault(str(int(year)), {})[measure] = int(value)
        else:
            totals = frame.groupby("year")["count"].sum()
            entry["totals_per_year"] = {str(int(y)): int(v) for y, v in totals.items()}
    if "masked" in frame:
        entry["masked_cells"] = int(frame["masked"].sum())
    if "suppressed" in frame:  # cells the source does not publish (CBS '.', 'x', null)
        entry["suppressed_cells"] = int(frame["suppressed"].sum())
    if "years" not in entry and "year" in frame:  # labour files and registers without a `count` column
        entry["years"] = sorted(int(y) for y in frame["year"].unique())
    if "years" not in entry and "boundary_year" in frame:  # region tables: the municipal division's year
        entry["years"] = sorted(int(y) for y in frame["boundary_year"].unique())
    return entry


def files(path: Path) -> list[Path]:
    """The file itself, or every delivery-like file under a folder (recursively), sorted."""
    if not path.is_dir():
        return [path]
    found = [
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in sources.DELIVERY_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    ]
    return sorted(found)


def folder_problems(path: Path, edition: str | None, allow_missing: tuple[str, ...]) -> list[str]:
    """The build's pre-flight checks of a landing folder (pipeline.preflight): no delivery twice, and,
    where the edition is known (edition sub-folders, or --edition), every delivery it needs."""
    import re

    from pipeline import preflight

    if not path.is_dir():
        return []
    editions = sorted(p.name for p in path.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))
    folders = [(path / e, e) for e in editions if edition in (None, e)] if editions else [(path, edition)]
    problems = []
    for folder, key in folders:
        found = sources.delivery_files(folder)
        if key is None:  # the edition is not known: duplicates only
            problems += [f"{folder}: {p}" for p in preflight.duplicate_problems(found, {}, "0")]
        else:
            problems += [f"{folder}: {p}" for p in preflight.landing_problems(found, key, allow_missing)]
    return problems


def main(path: Path, as_json: bool = False, edition: str | None = None, allow_missing: tuple[str, ...] = ()) -> int:
    reports = [report(p) for p in files(path)]
    folder = folder_problems(path, edition, allow_missing)
    valid = bool(reports) and all(r["valid"] for r in reports) and not folder
    if as_json:
        print(json.dumps({"valid": valid, "files": reports, "folder_problems": folder}, indent=2, ensure_ascii=False))
    else:
        if not reports:
            print(f"FAIL {path}: no delivery files found")
        for r in reports:
            head = f"{r['file']}: {r.get('family', '?')} {r.get('generation', '')}".rstrip()
            if r["valid"]:
                years = r.get("years")
                span = f"years {years[0]}-{years[-1]}" if years else "no counts"
                print(
                    f"OK   {head} (layout {r['layout']}), {r.get('rows')} rows, {span}, "
                    f"masked cells {r.get('masked_cells', 0)}"
                )
                for year, total in r.get("totals_per_year", {}).items():
                    shown = ", ".join(f"{k} {v}" for k, v in total.items()) if isinstance(total, dict) else total
                    print(f"       {year}: {shown}")
            else:
                print(f"FAIL {head}" + (f" (layout {r['layout']})" if "layout" in r else ""))
                for p in r["problems"]:
                    print(f"       {SourceProblem(**p)}")
        for line in folder:
            print(f"FAIL {line}")
    return 0 if valid else 1
