"""`techpact validate`: recognise and validate deliveries without building."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline import sources
from pipeline.problems import SourceError, SourceProblem


def report(path: Path) -> dict:
    entry: dict = {"file": str(path), "valid": True, "problems": []}
    try:
        fmt = sources.detect(path)
        entry.update(family=fmt.family, generation=fmt.generation)
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
        totals = frame.groupby("year")["count"].sum()
        entry["years"] = [int(y) for y in totals.index]
        entry["totals_per_year"] = {str(int(y)): int(v) for y, v in totals.items()}
    if "masked" in frame:
        entry["masked_cells"] = int(frame["masked"].sum())
    if "suppressed" in frame:  # cells the source does not publish (CBS '.', 'x', null)
        entry["suppressed_cells"] = int(frame["suppressed"].sum())
    return entry


def main(path: Path, as_json: bool = False) -> int:
    paths = sources.delivery_files(path) if path.is_dir() else [path]
    reports = [report(p) for p in paths]
    valid = all(r["valid"] for r in reports)
    if as_json:
        print(json.dumps({"valid": valid, "files": reports}, indent=2, ensure_ascii=False))
    else:
        for r in reports:
            head = f"{r['file']}: {r.get('family', '?')} {r.get('generation', '')}".rstrip()
            if r["valid"]:
                print(f"OK   {head}, {r.get('rows')} rows, years {r.get('years')}, masked cells {r.get('masked_cells', 0)}")
                for year, total in r.get("totals_per_year", {}).items():
                    print(f"       {year}: {total}")
            else:
                print(f"FAIL {head}")
                for p in r["problems"]:
                    print(f"       {SourceProblem(**p)}")
    return 0 if valid else 1
