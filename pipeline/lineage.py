"""A reviewable snapshot of the asset graph: keys, dependencies, groups, kinds, owners, code
versions, column schemas, checks, jobs (with their selections), schedules and sensors.

`tests/test_lineage_snapshot.py` compares the code location with the committed
`tests/snapshots/asset_graph.json`, so any lineage change shows up in review. After an intended
change, rewrite the snapshot with

    .venv/bin/python -m pipeline.lineage --write
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import warnings
from pathlib import Path

from pipeline import code_versions
from pipeline.settings import PROJECT_ROOT

SNAPSHOT = PROJECT_ROOT / "tests" / "snapshots" / "asset_graph.json"


def _code_reference(metadata) -> list[str]:
    refs = metadata.get("dagster/code_references")
    out = []
    for ref in getattr(refs, "code_references", []) or []:
        path = getattr(ref, "file_path", None) or getattr(ref, "url", "")
        with contextlib.suppress(ValueError):  # a path outside the repository stays as it is
            path = Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
        out.append(str(path))
    return out


def snapshot(defs=None) -> dict:
    """The asset graph as plain, sorted data (no absolute paths, no line numbers)."""
    import dagster as dg

    from pipeline.definitions import build_defs

    defs = defs or build_defs()
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        schema = node.metadata.get("dagster/column_schema")
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(p.to_user_string() for p in node.parent_keys),
            "materializable": node.is_materializable,
            "kinds": sorted(node.kinds),
            "owners": sorted(node.owners),
            # a hash of the code that changes with it (pipeline.code_versions): the snapshot says where it comes from
            "code_version": code_versions.describe(node.code_version),
            "partitioned": node.partitions_def is not None,
            "tags": {k: v for k, v in sorted(node.tags.items()) if not k.startswith("dagster/kind/")},
            "columns": [c.name for c in getattr(schema, "schema", schema).columns] if schema is not None else None,
            "has_description": bool(node.description),
            "code_references": _code_reference(node.metadata),
            "checks": sorted(c.name for c in node.check_keys),
        }
    jobs = {}
    for job in sorted(defs.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue
        selected = job.asset_layer.selected_asset_keys if job.asset_layer else set()
        jobs[job.name] = {
            "assets": sorted(k.to_user_string() for k in selected),
            "executor": job.executor_def.name,
            "tags": dict(sorted(job.tags.items())),
            "retries": job.op_retry_policy.max_retries if getattr(job, "op_retry_policy", None) else 0,
        }
    schedules = {
        s.name: {"cron": s.cron_schedule, "timezone": s.execution_timezone, "job": s.job_name}
        for s in sorted(defs.schedules or [], key=lambda s: s.name)
    }
    sensors = {
        s.name: {
            "jobs": sorted(j.name for j in s.jobs),
            "interval_seconds": s.minimum_interval_seconds,
            "default_status": s.default_status.value,
        }
        for s in sorted(defs.sensors or [], key=lambda s: s.name)
    }
    del dg
    return {"assets": assets, "jobs": jobs, "schedules": schedules, "sensors": sensors}


def render(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description="Print or rewrite the asset-graph snapshot")
    parser.add_argument("--write", action="store_true", help=f"rewrite {SNAPSHOT.relative_to(PROJECT_ROOT)}")
    args = parser.parse_args(argv)
    text = render(snapshot())
    if args.write:
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
        print(f"wrote {SNAPSHOT}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
