"""The benchmark: where the time of a build goes, and how it compares with the targets.

    python -m benchmarks.run [--only NAME ...] [--json PATH] [--scale S] [--keep-samples DIR] [--memory-limit-gb G]

Each scenario prints its figures; at the end one table of figures is printed and written as JSON
(default benchmarks/results/latest.json) so runs can be compared. Scenarios:

- cold_build: `techpact build` of the sample edition from the CLI in a fresh home (wall time, peak
  memory, time per stage from Dagster's event log, orchestration overhead = wall - asset compute);
- refresh: one labour-market delivery changes after a full build; `techpact refresh` time and steps;
- backfill: the six sample editions (`techpact backfill`, default --jobs: editions built at once), against one edition;
- ingest: DUO parser throughput (rows/s) against reading the same files with pyarrow.csv alone, on the
  sample's first-year files and (`s4_...`) on those of one edition of the scale-4 sample;
- warehouse: loading the largest table into SQLite and into PostgreSQL (COPY), rows/s;
- render: the national PDF and the HTML page of the sample edition;
- scaled_build: cold builds of one edition of the scaled sample (`techpact sample --scale`, ten years)
  at scale S/4 and S (--scale, default 12: about 1.5 million enrolment rows a year): wall time, peak
  memory (overall and per stage), time per stage, raw DUO rows, and the linearity of the cost in
  rows (seconds per million rows at S against S/4; 1.0 = linear). A build whose memory passes
  --memory-limit-gb (default half the machine) is stopped and reported as stopped. After the build
  at S, one labour-market delivery changes and `techpact refresh` runs (as in `refresh`); the kept
  sample gets its delivery back afterwards.

Enrolment rows are the raw rows per data year of the families that count enrolled students: hbo/wo
first-years and all enrolments, mbo participants, vo pupils (diplomas and exams not included).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGETS = {
    "cold_build.wall_s": ("<", 60.0),
    "cold_build.overhead_share": ("<", 0.25),
    "refresh.refresh_share": ("<", 0.25),
    "scaled_build.refresh_share": ("<", 0.25),
    "backfill.ratio": ("<", 4.0),
    "ingest.parser_vs_pyarrow": (">", 0.5),
    "warehouse.postgres_rows_per_s": (">", 100_000),
    "render.pdf_s": ("<", 20.0),
    "scaled_build.wall_s": ("<", 600.0),
    "scaled_build.peak_rss_mb": ("<", 6 * 1024),
    "scaled_build.linearity": ("<", 1.1),
}
DEFAULT_SCALE = 12  # about 1.5 million enrolment rows a year (measured: 130,400 per unit of scale)
DEFAULT_MEMORY_LIMIT_GB = round(
    os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 / 2, 1
)  # half the machine
SCALED_EDITION = "2024"
ENROLMENT_FAMILIES = (
    "raw_duo_ho_first_years",
    "raw_duo_ho_enrolments",
    "raw_duo_mbo_participants",
    "raw_duo_vo_pupils",
)


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def _sample(tmp: Path, scale: int = 1, editions: tuple[int, ...] | None = None) -> Path:
    from pipeline.sample.generate import generate

    out = tmp / "sample"
    generate(out, **({"sample_editions": editions} if editions else {}), scale=scale)
    return out


class _MemorySampler(threading.Thread):
    """Resident memory of a process and its children, sampled with wall-clock timestamps (to find the
    peak of each step); the overall peak comes from the kernel (ru_maxrss), not from the samples.
    Above `limit` bytes the process is stopped (a shared machine must not run out of memory)."""

    def __init__(self, pid: int, every: float = 0.2, limit: float | None = None):
        super().__init__(daemon=True)
        self.pid, self.every, self.limit, self.samples = pid, every, limit, []
        self.done = threading.Event()
        self.stopped_at: float | None = None

    def run(self) -> None:
        import psutil

        try:
            process = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.done.is_set():
            try:
                rss = sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
            except psutil.Error:
                break
            self.samples.append((time.time(), rss))
            if self.limit and rss > self.limit:
                self.stopped_at = rss
                for member in [*process.children(recursive=True), process]:
                    member.kill()
                break
            self.done.wait(self.every)


def _techpact(
    *args: str, env: dict, sampler: list | None = None, every: float = 0.2, memory_limit: float | None = None
) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run the CLI in a child process: wall seconds, peak RSS (kB) of the child, result. With a
    `sampler` list, the child's memory samples (timestamp, bytes) are appended to it; above
    `memory_limit` bytes the child is stopped (MemoryError)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as child:
        watcher = _MemorySampler(child.pid, every, memory_limit) if sampler is not None else None
        if watcher:
            watcher.start()
        stdout, stderr = child.communicate()
        if watcher:
            watcher.done.set()
            watcher.join()
            sampler.extend(watcher.samples)
            if watcher.stopped_at:
                running = [line.strip()[4:] for line in stderr.splitlines() if line.startswith("  ... ")][-1:]
                raise MemoryError(
                    f"techpact {args[0]} stopped at {watcher.stopped_at / 2**30:.1f} GB resident, above "
                    f"the limit of {memory_limit / 2**30:.1f} GB (--memory-limit-gb), in step "
                    f"{running[0] if running else '?'}"
                )
    result = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode != 0:
        raise RuntimeError(f"techpact {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return wall, max(peak, before), result


def _step_windows(dagster_home: Path, run_id: str) -> dict[str, tuple[float, float]]:
    """(start, end) timestamps of every step of a run, from the instance's event log."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    starts, windows = {}, {}
    with dg.DagsterInstance.get() as instance:
        for record in instance.all_logs(run_id):
            event = record.dagster_event
            if event is None or not event.step_key:
                continue
            if event.event_type_value == "STEP_START":
                starts[event.step_key] = record.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
                windows[event.step_key] = (starts.get(event.step_key, record.timestamp), record.timestamp)
    return windows


def _step_times(dagster_home: Path, run_id: str) -> dict[str, float]:
    """Seconds per step of a run, from the instance's event log."""
    return {step: end - start for step, (start, end) in _step_windows(dagster_home, run_id).items()}


def _row_counts(dagster_home: Path, run_id: str) -> dict[str, int]:
    """Rows of every asset materialised in a run (its `dagster/row_count` metadata)."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    rows = {}
    with dg.DagsterInstance.get() as instance:
        for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
            materialization = record.dagster_event.event_specific_data.materialization
            count = materialization.metadata.get("dagster/row_count")
            if count is not None:
                rows[materialization.asset_key.to_user_string()] = int(count.value)
    return rows


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
    return _build_figures(wall, peak_kb, _step_windows(tmp / "home" / "dagster", run_id))


def _build_figures(
    wall: float, peak_kb: int, windows: dict[str, tuple[float, float]], samples: list[tuple[float, int]] | None = None
) -> dict:
    """Wall time, peak memory, compute and orchestration overhead, and per stage the seconds (and,
    with memory samples, the peak resident memory while the stage's steps ran)."""
    groups = _groups()
    per_stage: dict[str, float] = {}
    stage_peak: dict[str, int] = {}
    step_peak: dict[str, int] = {}
    for step, (start, end) in windows.items():
        stage = groups.get(step, "other")
        per_stage[stage] = per_stage.get(stage, 0.0) + end - start
        during = [rss for t, rss in samples or () if start <= t <= end]
        if during:
            step_peak[step] = max(during)
            stage_peak[stage] = max(stage_peak.get(stage, 0), max(during))
    compute = sum(per_stage.values())
    figures = {
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "asset_compute_s": round(compute, 2),
        "overhead_s": round(wall - compute, 2),
        "overhead_share": round((wall - compute) / wall, 3),
    }
    figures.update({f"stage_{k}_s": round(v, 2) for k, v in sorted(per_stage.items())})
    figures.update({f"stage_{k}_peak_rss_mb": round(v / 2**20, 1) for k, v in sorted(stage_peak.items())})
    slowest = sorted(windows.items(), key=lambda item: item[1][0] - item[1][1])[:8]
    figures["slowest_steps"] = ", ".join(f"{step} {end - start:.1f}" for step, (start, end) in slowest)
    if step_peak:  # resident memory is the process's: a step's peak includes what earlier steps left
        largest = sorted(step_peak.items(), key=lambda item: -item[1])[:6]
        figures["largest_steps_mb"] = ", ".join(f"{step} {rss / 2**20:.0f}" for step, rss in largest)
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
    wall, _, steps = _revised_refresh(sample, "2024", tmp / "home", tmp / "out", env)
    return {
        "full_build_s": round(full, 2),
        "refresh_s": round(wall, 2),
        "refresh_share": round(wall / full, 3),
        "steps_full": len(full_steps),
        "steps_refresh": len(steps),
        "refreshed": ", ".join(sorted(steps))[:400],
    }


def backfill(tmp: Path) -> dict:
    """All six sample editions with `techpact backfill` (its default --jobs), against one edition."""
    sample = _sample(tmp)
    env = {**os.environ, "TECHPACT_HOME": str(tmp / "home"), "PYTHONWARNINGS": "ignore"}
    env.pop("DAGSTER_HOME", None)
    one, _, _ = _techpact("build", "--edition", "2024", "--sources", str(sample), "--out", str(tmp / "out1"), env=env)
    samples: list[tuple[float, int]] = []
    wall, _, result = _techpact(
        "backfill",
        "2019",
        "2024",
        "--sources",
        str(sample),
        "--out",
        str(tmp / "out"),
        env=env,
        sampler=samples,
        every=1.0,
    )  # walking the process tree costs CPU
    jobs = re.search(r"(\d+) at a time", result.stderr)
    return {
        "jobs": int(jobs.group(1)) if jobs else "?",
        "one_edition_s": round(one, 2),
        "six_editions_s": round(wall, 2),
        "ratio": round(wall / one, 2),
        # the backfill and its builds together (sampled): builds running at once add up
        "peak_rss_mb": round(max((rss for _, rss in samples), default=0) / 2**20, 1),
    }


INGEST_LARGE_SCALE = 4  # the scaled sample whose first-year files the second ingest figure reads


def ingest(tmp: Path) -> dict:
    """DUO parser throughput against pyarrow.csv on the sample's first-year files (small: some 2,300
    wide rows each, so fixed costs per file weigh), and the same figures (`s4_...`) on the first-year
    files of one edition of the scale-4 sample (four times the rows, two data vintages)."""
    from pipeline.sample.generate import generate

    figures = _ingest_figures(sorted(_sample(tmp).glob("*/*eerstejaars*.csv")))
    large = tmp / f"sample-s{INGEST_LARGE_SCALE}"
    generate(large, sample_editions=(2024,), scale=INGEST_LARGE_SCALE)
    figures.update(
        {
            f"s{INGEST_LARGE_SCALE}_{key}": value
            for key, value in _ingest_figures(sorted(large.glob("*/*eerstejaars*.csv"))).items()
        }
    )
    return figures


def _ingest_figures(files: list[Path], repeat: int = 5) -> dict:
    """Rows per second of `sources.parse`, of the text reader alone and of pyarrow.csv over the files
    (wide input rows, counted outside the timed passes; the best of `repeat` passes each, the three
    taken in turn so that each sees the same load, as the machine is shared)."""
    import pyarrow.csv as pacsv

    from pipeline import sources
    from pipeline.sources.files import read_text_table

    sources.parse(files[0])  # warm up: imports and the format registry are not throughput
    pacsv.read_csv(files[0], parse_options=pacsv.ParseOptions(delimiter=";"))

    def arrow_read(path: Path) -> int:
        return pacsv.read_csv(
            path, parse_options=pacsv.ParseOptions(delimiter=";"), read_options=pacsv.ReadOptions(encoding="utf8")
        ).num_rows

    def once(step: Callable[[Path], object]) -> float:
        started = time.perf_counter()
        for path in files:
            step(path)
        return time.perf_counter() - started

    steps = {"ours": sources.parse, "reader": read_text_table, "arrow": arrow_read}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            times[name].append(once(step))
    ours, reader, arrow = (min(times[name]) for name in steps)
    rows = sum(sources.parse(path).frame["source_line"].nunique() for path in files)
    arrow_rows = sum(pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=";")).num_rows for path in files)
    return {
        "files": len(files),
        "rows": int(rows),
        "parser_rows_per_s": round(rows / ours),
        "pyarrow_rows_per_s": round(arrow_rows / arrow),
        "parser_vs_pyarrow": round((rows / ours) / (arrow_rows / arrow), 3),
        # the text reader alone (lines to text frame, no counts, no long table, no validation)
        "reader_rows_per_s": round(rows / reader),
        "reader_vs_pyarrow": round((rows / reader) / (arrow_rows / arrow), 3),
    }


def _largest_table(tmp: Path):
    import pandas as pd

    from pipeline import classify, sources
    from pipeline.core import ho as core_ho

    sample = _sample(tmp)
    raw = pd.concat(
        [sources.parse(p).frame for p in sorted((sample / "2024").glob("*eerstejaars*.csv"))], ignore_index=True
    )
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
    except Exception as error:
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
    table = pd.read_parquet(next((tmp / "home" / "storage").rglob("indicators/2024.parquet")))
    manifest = json.loads((tmp / "out" / "2024" / "manifest.json").read_text())
    env = edition._environment()
    css = (ROOT / "report_templates" / "print.css").read_text()
    started = time.perf_counter()
    ctx = content.build(
        table,
        indicators.catalogue(),
        manifest,
        "2024",
        "nl",
        edition.published_date("2024"),
        content.extras_for(sample / "2024"),
    )
    edition.write_pdf(env.get_template("edition.pdf.html.j2").render(**ctx, _ctx=ctx, css=css), tmp / "m.pdf", "2024")
    pdf_s = time.perf_counter() - started
    started = time.perf_counter()
    ctx["downloads"] = ["indicators.csv", "manifest.json"]
    (tmp / "site").mkdir()
    site.render_site(tmp / "site", env, ctx, ("nl",))
    html_s = time.perf_counter() - started
    pages = sum(1 for _ in (tmp / "site").rglob("*.html"))
    return {"indicator_rows": len(table), "pdf_s": round(pdf_s, 2), "html_s": round(html_s, 2), "html_pages": pages}


def _scaled_once(tmp: Path, scale: int, keep: Path | None, memory_limit_gb: float, refresh: bool = False) -> dict:
    """Generate (or reuse from `keep`) the scaled sample and build its edition cold from the CLI; a
    build above the memory limit is stopped and reported as such. With `refresh`, then the
    labour-market refresh after one changed delivery."""
    from pipeline.sample.common import HISTORY_YEARS

    sample = (keep if keep else tmp) / f"sample-scale-{scale}"
    complete = sample / ".complete"  # written last: a half-written sample is generated again
    started = time.perf_counter()
    if not complete.exists():
        _sample(sample, scale, (int(SCALED_EDITION),))
        complete.touch()
    generate_s = time.perf_counter() - started
    home = tmp / f"home-{scale}"
    env = {**os.environ, "TECHPACT_HOME": str(home), "PYTHONWARNINGS": "ignore"}
    env.pop("DAGSTER_HOME", None)
    samples: list[tuple[float, int]] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        wall, peak_kb, result = _techpact(
            "build",
            "--edition",
            SCALED_EDITION,
            "--sources",
            str(sample / "sample"),
            "--out",
            str(tmp / f"out-{scale}"),
            env=env,
            sampler=samples,
            memory_limit=memory_limit_gb * 2**30,
        )
    except MemoryError as error:
        return {
            "scale": scale,
            "generate_s": round(generate_s, 1),
            "stopped": str(error),
            "stopped_after_s": round(samples[-1][0] - samples[0][0], 1) if samples else 0,
        }
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run_id = _run_ids(result.stdout)[-1]
    rows = _row_counts(home / "dagster", run_id)
    figures = {"scale": scale, "generate_s": round(generate_s, 1)}
    figures.update(_build_figures(wall, peak_kb, _step_windows(home / "dagster", run_id), samples))
    # CPU seconds of the build (user + system): on a shared machine steadier than the wall time
    figures["cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1)
    raw = sum(v for k, v in rows.items() if k.startswith("raw_duo_"))
    figures.update(
        {
            "years": HISTORY_YEARS,
            "raw_duo_rows": raw,
            "enrolment_rows_per_year": round(sum(rows.get(k, 0) for k in ENROLMENT_FAMILIES) / HISTORY_YEARS),
            "s_per_million_rows": round(wall / (raw / 1e6), 2),
        }
    )
    figures.update({f"rows_{k}": v for k, v in sorted(rows.items()) if k.startswith("raw_duo_")})
    if refresh:
        figures.update(_refresh_after(sample / "sample", home, tmp / f"out-{scale}", env, wall))
    return figures


def _revised_refresh(sources: Path, edition: str, home: Path, out: Path, env: dict) -> tuple[float, int, dict]:
    """`techpact refresh` of `edition` after one UWV delivery changed: (wall s, peak kB, step times).
    The delivery is put back afterwards (a sample may be kept for later runs)."""
    from pipeline.sample import uwv

    folder = sources / edition
    delivery = next(folder.glob("uwv-vacatures-*.csv"))
    original = delivery.read_bytes()
    try:
        uwv.revise_vacancy_count(folder)
        wall, peak_kb, result = _techpact(
            "refresh", "--edition", edition, "--sources", str(sources), "--out", str(out), env=env
        )
    finally:
        delivery.write_bytes(original)
    return wall, peak_kb, _step_times(home / "dagster", _run_ids(result.stdout)[-1])


def _refresh_after(sources: Path, home: Path, out: Path, env: dict, full_s: float) -> dict:
    """The refresh of the scaled edition after its build (`_revised_refresh`), against the build."""
    wall, peak_kb, steps = _revised_refresh(sources, SCALED_EDITION, home, out, env)
    return {
        "refresh_s": round(wall, 2),
        "refresh_share": round(wall / full_s, 3),
        "refresh_steps": len(steps),
        "refresh_peak_rss_mb": round(peak_kb / 1024, 1),
        "refresh_slowest_steps": ", ".join(f"{k} {v:.1f}" for k, v in sorted(steps.items(), key=lambda i: -i[1])[:5]),
    }


def scaled_build(
    tmp: Path, scale: int = DEFAULT_SCALE, keep: Path | None = None, memory_limit_gb: float = DEFAULT_MEMORY_LIMIT_GB
) -> dict:
    """Cold builds of the scaled sample at S/4 (at least 2) and S; linearity = seconds per raw row at S
    over seconds per raw row at S/4, in total (wall and CPU) and per stage (below 1: fixed costs
    still weigh)."""
    small_scale = max(2, scale // 4)
    small = _scaled_once(tmp, small_scale, keep, memory_limit_gb) if small_scale < scale else None
    full = _scaled_once(tmp, scale, keep, memory_limit_gb, refresh=True)
    figures = dict(full)
    if small and "stopped" not in small and "stopped" not in full:
        growth = full["raw_duo_rows"] / small["raw_duo_rows"]
        figures["linearity"] = round(full["wall_s"] / small["wall_s"] / growth, 3)
        figures["linearity_cpu"] = round(full["cpu_s"] / small["cpu_s"] / growth, 3)
        for key in sorted(k for k in full if k.startswith("stage_") and k.endswith("_s") and small.get(k)):
            figures[f"linearity_{key[:-2]}"] = round(full[key] / small[key] / growth, 3)
    if small:
        figures.update({f"at_{small_scale}_{k}": v for k, v in small.items() if k != "scale"})
    return figures


SCENARIOS: dict[str, Callable[[Path], dict]] = {
    "cold_build": cold_build,
    "refresh": refresh,
    "backfill": backfill,
    "ingest": ingest,
    "warehouse": warehouse,
    "render": render,
    "scaled_build": scaled_build,
}


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
    parser.add_argument(
        "--scale", type=int, default=DEFAULT_SCALE, help="scale factor of scaled_build (default %(default)s)"
    )
    parser.add_argument(
        "--keep-samples", type=Path, help="keep the scaled samples in this folder and reuse them next time"
    )
    parser.add_argument(
        "--memory-limit-gb",
        type=float,
        default=DEFAULT_MEMORY_LIMIT_GB,
        help="stop a scaled build whose resident memory passes this (default: half the machine, %(default)s)",
    )
    args = parser.parse_args(argv)
    scenarios = {
        **SCENARIOS,
        "scaled_build": functools.partial(
            scaled_build, scale=args.scale, keep=args.keep_samples, memory_limit_gb=args.memory_limit_gb
        ),
    }
    results: dict[str, dict] = {}
    for name in args.only or list(scenarios):
        tmp = Path(tempfile.mkdtemp(prefix=f"techpact-bench-{name}-"))
        try:
            print(f"== {name}", flush=True)
            results[name] = scenarios[name](tmp)
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
