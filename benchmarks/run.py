"""The benchmark: where the time of a build goes, and how it compares with the targets.

    python -m benchmarks.run [--only NAME ...] [--json PATH]

Each scenario prints its figures; at the end one table of figures is printed and written as JSON
(default benchmarks/results/latest.json) so runs can be compared. Scenarios:

- cold_build: `techpact build` of the sample edition from the CLI in a fresh home (wall time, peak
  memory, time per stage from Dagster's event log, orchestration overhead = wall - asset compute);
- refresh: one labour-market delivery changes after a full build; `techpact refresh` time and steps;
- backfill: the six sample editions one after the other, against one edition;
- ingest: DUO parser throughput (rows/s) against reading the same files with pyarrow.csv alone;
- warehouse: loading the largest table into SQLite and into PostgreSQL (COPY), rows/s;
- render: the national PDF and the HTML page of the sample edition.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGETS = {
    "cold_build.wall_s": ("<", 60.0),
    "cold_build.overhead_share": ("<", 0.25),
    "refresh.refresh_share": ("<", 0.25),
    "backfill.ratio": ("<", 4.0),
    "ingest.parser_vs_pyarrow": (">", 0.5),
    "warehouse.postgres_rows_per_s": (">", 100_000),
    "render.pdf_s": ("<", 20.0),
}


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def _sample(tmp: Path, scale: int = 1) -> Path:
    from pipeline.sample.generate import generate

    out = tmp / "sample"
    generate(out)
    return out


def _techpact(*args: str, env: dict) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run the CLI in a child process: wall seconds, peak RSS (kB) of the child, result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode != 0:
        raise RuntimeError(f"techpact {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return wall, max(peak, before), result


def _step_times(dagster_home: Path, run_id: str) -> dict[str, float]:
    """Seconds per step of a run, from the instance's event log."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    starts, times = {}, {}
    with dg.DagsterInstance.get() as instance:
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or not event.step_key:
                continue
            if event.event_type_value == "STEP_START":
                starts[event.step_key] = record.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                times[event.step_key] = record.timestamp - starts.get(event.step_key, record.timestamp)
    return times


def _groups() -> dict[str, str]:
    from pipeline.definitions import build_defs

    graph = build_defs().resolve_asset_graph()
    return {key.to_user_string(): graph.get(key).group_name or "default" for key in graph.get_all_asset_keys()}


def cold_build(tmp: Path) -> dict:
    sample = _sample(tmp)
    env = {**os.environ, "TECHPACT_HOME": str(tmp / "home"), "PYTHONWARNINGS": "ignore"}
    env.pop("DAGSTER_HOME", None)
    wall, peak_kb, result = _techpact("build", "--sources", str(sample), "--out", str(tmp / "out"), env=env)
    run_id = result.stdout.split("(run ")[1].split(")")[0]
    steps = _step_times(tmp / "home" / "dagster", run_id)
    groups = _groups()
    per_stage: dict[str, float] = {}
    for step, seconds in steps.items():
        stage = groups.get(step, "other")
        per_stage[stage] = per_stage.get(stage, 0.0) + seconds
    compute = sum(steps.values())
    figures = {"wall_s": round(wall, 2), "peak_rss_mb": round(peak_kb / 1024, 1), "asset_compute_s": round(compute, 2),
               "overhead_s": round(wall - compute, 2), "overhead_share": round((wall - compute) / wall, 3)}
    figures.update({f"stage_{k}_s": round(v, 2) for k, v in sorted(per_stage.items())})
    return figures


def _run_ids(stdout: str) -> list[str]:
    return [part.split(")")[0] for part in stdout.split("(run ")[1:]]


def refresh(tmp: Path) -> dict:
    """A labour-market delivery changes after a full build: time of `techpact refresh`, and what it ran."""
    sample = _sample(tmp)
    env = {**os.environ, "TECHPACT_HOME": str(tmp / "home"), "PYTHONWARNINGS": "ignore"}
    env.pop("DAGSTER_HOME", None)
    common = ("--sources", str(sample), "--out", str(tmp / "out"))
    full, _, result = _techpact("build", "--edition", "2024", *common, env=env)
    full_steps = _step_times(tmp / "home" / "dagster", _run_ids(result.stdout)[-1])
    victim = next((sample / "2024").glob("uwv-vacatures-*.csv"))
    lines = victim.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[-1] = str(int(fields[-1]) + 1) if fields[-1].isdigit() else fields[-1]
    lines[1] = ";".join(fields)
    victim.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wall, _, result = _techpact("refresh", "--edition", "2024", *common, env=env)
    steps = _step_times(tmp / "home" / "dagster", _run_ids(result.stdout)[-1])
    return {"full_build_s": round(full, 2), "refresh_s": round(wall, 2), "refresh_share": round(wall / full, 3),
            "steps_full": len(full_steps), "steps_refresh": len(steps),
            "refreshed": ", ".join(sorted(steps))[:400]}


def backfill(tmp: Path) -> dict:
    """All six sample editions, one after the other, against one edition."""
    sample = _sample(tmp)
    env = {**os.environ, "TECHPACT_HOME": str(tmp / "home"), "PYTHONWARNINGS": "ignore"}
    env.pop("DAGSTER_HOME", None)
    one, _, _ = _techpact("build", "--edition", "2024", "--sources", str(sample), "--out", str(tmp / "out1"), env=env)
    wall, peak, _ = _techpact("backfill", "2019", "2024", "--sources", str(sample), "--out", str(tmp / "out"), env=env)
    return {"one_edition_s": round(one, 2), "six_editions_s": round(wall, 2), "ratio": round(wall / one, 2),
            "peak_rss_mb": round(peak / 1024, 1)}


def ingest(tmp: Path) -> dict:
    import pyarrow.csv as pacsv

    from pipeline import sources

    sample = _sample(tmp)
    files = sorted(sample.glob("*/*eerstejaars*.csv"))
    sources.parse(files[0])  # warm up: imports and the format registry are not throughput
    pacsv.read_csv(files[0], parse_options=pacsv.ParseOptions(delimiter=";"))
    rows = 0
    started = time.perf_counter()
    for path in files:
        rows += sources.parse(path).frame["source_line"].nunique()
    ours = time.perf_counter() - started
    started = time.perf_counter()
    arrow_rows = 0
    for path in files:
        table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=";"),
                               read_options=pacsv.ReadOptions(encoding="utf8"))
        arrow_rows += table.num_rows
    arrow = time.perf_counter() - started
    return {"files": len(files), "rows": int(rows), "parser_rows_per_s": round(rows / ours),
            "pyarrow_rows_per_s": round(arrow_rows / arrow), "parser_vs_pyarrow": round((rows / ours) / (arrow_rows / arrow), 3)}


def _largest_table(tmp: Path):
    import pandas as pd

    from pipeline import classify, sources
    from pipeline.core import ho as core_ho

    sample = _sample(tmp)
    raw = pd.concat([sources.parse(p).frame for p in sorted((sample / "2024").glob("*eerstejaars*.csv"))], ignore_index=True)
    core = core_ho.ho_first_years(raw, "2024", 2023)
    classified, _ = classify.classify_ho(core)
    # repeat to a volume where throughput, not fixed cost, dominates
    return pd.concat([classified] * max(1, 1_000_000 // len(classified)), ignore_index=True)


def warehouse(tmp: Path) -> dict:
    import sqlalchemy as sa

    from pipeline import warehouse as wh

    frame = _largest_table(tmp)
    figures = {"rows": len(frame)}
    url = f"sqlite:///{tmp / 'bench.sqlite'}"
    started = time.perf_counter()
    wh.replace_edition(url, "2024", {"bench_core": frame})
    figures["sqlite_rows_per_s"] = round(len(frame) / (time.perf_counter() - started))
    admin = os.environ.get("TECHPACT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    name = f"techpact_bench_{os.getpid()}"
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001
        figures["postgres_rows_per_s"] = f"skipped: {error.__class__.__name__}"
        return figures
    pg = engine.url.set(database=name).render_as_string(hide_password=False)
    try:
        started = time.perf_counter()
        wh.replace_edition(pg, "2024", {"bench_core": frame})
        figures["postgres_rows_per_s"] = round(len(frame) / (time.perf_counter() - started))
    finally:
        sa.create_engine(pg).dispose()
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return figures


def render(tmp: Path) -> dict:
    """The national PDF (Dutch) and the HTML site of the sample edition, from the stored indicator
    table of a build (rendering only: no warehouse, no release)."""
    import json

    import pandas as pd

    from pipeline import indicators
    from pipeline.publish import content, edition, site

    sample = _sample(tmp)
    env_vars = {**os.environ, "TECHPACT_HOME": str(tmp / "home"), "PYTHONWARNINGS": "ignore"}
    env_vars.pop("DAGSTER_HOME", None)
    _techpact("build", "--edition", "2024", "--sources", str(sample), "--out", str(tmp / "out"), env=env_vars)
    table = pd.read_parquet(tmp / "home" / "storage" / "indicators" / "2024.parquet")
    manifest = json.loads((tmp / "out" / "2024" / "manifest.json").read_text())
    env = edition._environment()
    css = (ROOT / "report_templates" / "print.css").read_text()
    started = time.perf_counter()
    ctx = content.build(table, indicators.catalogue(), manifest, "2024", "nl", edition.published_date("2024"),
                        content.extras_for(sample / "2024"))
    edition.write_pdf(env.get_template("edition.pdf.html.j2").render(**ctx, _ctx=ctx, css=css), tmp / "m.pdf", "2024")
    pdf_s = time.perf_counter() - started
    started = time.perf_counter()
    ctx["downloads"] = ["indicators.csv", "manifest.json"]
    (tmp / "site").mkdir()
    site.render_site(tmp / "site", env, ctx, ("nl",))
    html_s = time.perf_counter() - started
    pages = sum(1 for _ in (tmp / "site").rglob("*.html"))
    return {"indicator_rows": len(table), "pdf_s": round(pdf_s, 2), "html_s": round(html_s, 2), "html_pages": pages}


SCENARIOS: dict[str, Callable[[Path], dict]] = {"cold_build": cold_build, "refresh": refresh, "backfill": backfill,
                                                "ingest": ingest, "warehouse": warehouse, "render": render}


def verdicts(results: dict[str, dict]) -> dict[str, str]:
    out = {}
    for key, (op, target) in TARGETS.items():
        scenario, figure = key.split(".")
        value = results.get(scenario, {}).get(figure)
        if isinstance(value, int | float):
            ok = value < target if op == "<" else value > target
            out[key] = f"{value} (target {op} {target}: {'met' if ok else 'MISSED'})"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=sorted(SCENARIOS), help="run only these scenarios")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    results: dict[str, dict] = {}
    for name in args.only or list(SCENARIOS):
        tmp = Path(tempfile.mkdtemp(prefix=f"techpact-bench-{name}-"))
        try:
            print(f"== {name}", flush=True)
            results[name] = SCENARIOS[name](tmp)
            for key, value in results[name].items():
                print(f"   {key:28} {value}", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    report = {"machine": machine(), "results": results, "targets": verdicts(results)}
    print("\n== figures")
    for scenario, figures in results.items():
        for key, value in figures.items():
            print(f"{scenario + '.' + key:45} {value}")
    print("\n== targets")
    for key, verdict in report["targets"].items():
        print(f"{key:45} {verdict}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
