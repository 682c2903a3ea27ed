"""`techpact`: the command line of the Techniekpact Monitor pipeline."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from pipeline.settings import SAMPLE_DIR, WAREHOUSE_ENV, Settings, prepare_dagster_home

LANGUAGES = ("nl", "en")  # the editions' languages: both unless --lang restricts them


def _settings(args: argparse.Namespace) -> Settings:
    base = Settings()
    return Settings(
        home=base.home,
        sources=Path(args.sources).resolve() if getattr(args, "sources", None) else base.sources,
        out=Path(args.out).resolve() if getattr(args, "out", None) else base.out,
        warehouse_url=getattr(args, "warehouse", None) or base.warehouse_url,
    )


def edition_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))


def infer_flat_edition(root: Path) -> str:
    """The edition of a flat folder of deliveries: the one after the latest education year in its headers."""
    from pipeline import sources
    from pipeline.editions import edition_for_education_year

    years: list[tuple[int, str, str]] = []  # (year, file, column)
    for path in sources.delivery_files(root):
        try:
            header = sources.read_header(path)
        except Exception:  # unreadable files are reported by the build itself
            continue
        years += [(int(h[:4]), path.name, h) for h in header if re.fullmatch(r"(19|20)\d{2}", h[:4])]
    if not years:
        raise SystemExit(f"cannot tell the edition of {root}: pass --edition YEAR")
    year, file, column = max(years)
    try:
        return edition_for_education_year(year).key
    except KeyError:
        raise SystemExit(
            f"{file}: row 1, column {column!r}: education year {year} is reported by no edition in "
            "reference/editions/editions.csv (a wrong year, or an edition not added yet); pass --edition YEAR"
        ) from None


def resolve_edition(settings: Settings, edition: str | None) -> tuple[str, str]:
    """(edition, flat_edition): flat_edition is set when the sources folder holds one edition's files."""
    root = settings.sources
    if not root.is_dir():
        raise SystemExit(f"sources folder {root} does not exist")
    folders = edition_folders(root)
    if folders:
        chosen = edition or folders[-1]
        if chosen not in folders:
            raise SystemExit(f"no folder for edition {chosen} in {root} (found: {', '.join(folders)})")
        return chosen, ""
    chosen = edition or infer_flat_edition(root)
    return chosen, chosen


def _failure_messages(result) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error is not None and error.cause is not None and "Failure" not in error.cls_name:
                error = error.cause
            messages.append(f"{event.step_key}: {error.message.strip() if error else 'failed'}")
    return messages


def _ensure_sample(settings: Settings) -> None:
    if settings.sources == SAMPLE_DIR.resolve() and not SAMPLE_DIR.exists():
        from pipeline.sample.generate import generate

        print("writing the embedded sample deliveries ...", file=sys.stderr)
        generate()


def _execute(
    settings: Settings,
    edition: str,
    flat: str,
    allow_unclassified: bool,
    languages: tuple[str, ...],
    job: str,
    executor: str,
    dask_address: str,
    instance,
    tags: dict,
    allow_missing: tuple[str, ...] = (),
):
    """Run the edition's job through `dg.execute_job` on a reconstructable job (see
    `pipeline.definitions.edition_job_for`), so that a finished step's outputs are not kept in memory."""
    import dagster as dg

    reconstructable = dg.build_reconstructable_job(
        "pipeline.definitions",
        "edition_job_for",
        reconstructable_kwargs={
            "executor": executor,
            "home": str(settings.home),
            "sources": str(settings.sources),
            "out": str(settings.out),
            "languages": list(languages),
            "edition": flat,
            "allow_unclassified": allow_unclassified,
            "job": job,
            "allow_missing": list(allow_missing),
            # the warehouse as messages show it: every process of the run checks that its own
            # environment names this warehouse (the password travels in WAREHOUSE_ENV only)
            "warehouse_shown": settings.warehouse_shown,
        },
    )
    run_config: dict = {}
    if executor == "in_process":
        run_config["loggers"] = {"progress": {}}
    elif executor == "dask":
        run_config["execution"] = {
            "config": {"cluster": {"existing": {"address": dask_address}} if dask_address else {"local": {}}}
        }
    return dg.execute_job(
        reconstructable,
        instance=instance,
        raise_on_error=False,
        run_config=run_config,
        tags={**tags, "dagster/partition": edition},
    )


def _observe(defs, instance) -> None:
    from pipeline.definitions import OBSERVE_JOB

    print("  observing sources (sha256 data versions)", file=sys.stderr)
    defs.resolve_job_def(OBSERVE_JOB).execute_in_process(
        instance=instance, raise_on_error=True, run_config={"loggers": {"progress": {}}}
    )


def observe_sources(settings: Settings) -> None:
    """Record the sha256 data versions of every edition's deliveries and of the reference tables (the
    observe job) on the persistent instance; the builds after it take them as their inputs' versions."""
    prepare_dagster_home(settings)

    import dagster as dg

    from pipeline.definitions import build_defs

    with settings.exported_warehouse(), dg.DagsterInstance.get() as instance:
        _observe(build_defs(settings), instance)


def run_edition(
    settings: Settings,
    edition: str,
    flat: str = "",
    *,
    allow_unclassified: bool = False,
    languages: tuple[str, ...] = LANGUAGES,
    job: str = "",
    reason: str = "",
    executor: str = "in_process",
    dask_address: str = "",
    observe: bool = True,
    allow_missing: tuple[str, ...] = (),
) -> int:
    """Run one edition's job on the persistent instance (in this process unless another executor is
    chosen); 0 when published. `observe=False` skips the observe job (the caller ran it already)."""
    from pipeline import preflight

    landing = settings.sources if flat else settings.sources / edition
    files = sources_files(landing)
    refused = preflight.run(settings.out, settings.warehouse, files, edition, allow_missing)
    if refused:
        print(f"edition {edition} was NOT built: the pre-flight checks found", file=sys.stderr)
        for line in refused:
            print(f"  {line}", file=sys.stderr)
        return 1
    prepare_dagster_home(settings)
    started = time.perf_counter()

    import dagster as dg

    from pipeline.definitions import EDITION_JOB, EDITION_TAG, build_defs

    job = job or EDITION_JOB
    with settings.exported_warehouse():
        defs = build_defs(
            settings,
            edition=flat,
            allow_unclassified=allow_unclassified,
            languages=languages,
            allow_missing=allow_missing,
        )
    print(
        f"{'building' if job == EDITION_JOB else job + ' of'} edition {edition} from {settings.sources}",
        file=sys.stderr,
    )
    tags = {EDITION_TAG: edition, **({"techpact/reason": reason} if reason else {})}
    with settings.exported_warehouse(), dg.DagsterInstance.get() as instance:
        if observe:
            _observe(defs, instance)
        if executor != "in_process":
            if flat or allow_unclassified or allow_missing or job != EDITION_JOB:
                raise SystemExit(
                    f"--executor {executor} builds editions from per-edition folders with the default options"
                )
            print(f"  executor: {executor}" + (f" ({dask_address})" if dask_address else ""), file=sys.stderr)
        result = _execute(
            settings,
            edition,
            flat,
            allow_unclassified,
            languages,
            job,
            executor,
            dask_address,
            instance,
            tags,
            allow_missing,
        )
        prune_storage(settings, instance)
    took = time.perf_counter() - started
    if not result.success:
        print(
            f"\nedition {edition} was NOT published (run {result.run_id}); the previous edition and the "
            f"warehouse are unchanged.",
            file=sys.stderr,
        )
        for message in _failure_messages(result):
            print(mask_message(message, settings), file=sys.stderr)
        return 1
    folder = settings.out / edition
    print(f"\nedition {edition} published in {took:.1f} s (run {result.run_id})")
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            print(f"  {path}")
    print(f"  warehouse: {settings.warehouse_shown}")
    return 0


def prune_storage(settings: Settings, instance) -> list[str]:
    """Remove the stored outputs of finished runs that no published release was built from (failed
    runs, superseded releases); a run still queued or running keeps its outputs. Returns the run ids."""
    import shutil

    import dagster as dg

    from pipeline.dagster_support import RUNS_DIR
    from pipeline.publish import release as releasing

    runs = settings.storage_dir / RUNS_DIR
    if not runs.is_dir():
        return []
    keep = {record.get("run_id") for record in releasing.release_records(settings.warehouse).values()}
    unfinished = [
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.CANCELING,
    ]
    keep |= set(instance.get_run_ids(filters=dg.RunsFilter(statuses=unfinished)))
    removed = sorted(folder.name for folder in runs.iterdir() if folder.name not in keep)
    for name in removed:
        shutil.rmtree(runs / name, ignore_errors=True)
    return removed


def sources_files(folder: Path) -> list[Path]:
    from pipeline import sources

    return sources.delivery_files(folder) if folder.is_dir() else []


def allowed_missing(args: argparse.Namespace) -> tuple[str, ...]:
    """The families of every --allow-missing (repeatable, comma-separated)."""
    return tuple(
        sorted({f.strip() for item in getattr(args, "allow_missing", None) or [] for f in item.split(",") if f.strip()})
    )


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _ensure_sample(settings)
    edition, flat = resolve_edition(settings, args.edition)
    return run_edition(
        settings,
        edition,
        flat,
        allow_unclassified=args.allow_unclassified,
        languages=tuple(args.lang.split(",")),
        executor=args.executor,
        dask_address=args.dask_address or "",
        reason=args.reason,
        observe=not args.no_observe,
        allow_missing=allowed_missing(args),
    )


def cmd_refresh(args: argparse.Namespace) -> int:
    """The labour-market refresh of one edition (what the quarterly schedule runs)."""
    from pipeline.definitions import REFRESH_JOB, build_defs, labour_market_selection

    settings = _settings(args)
    _ensure_sample(settings)
    edition, flat = resolve_edition(settings, args.edition)
    selected = labour_market_selection().resolve(build_defs(settings).resolve_asset_graph())
    if not selected:
        print("no asset depends on a labour-market source yet: nothing to refresh", file=sys.stderr)
        return 0
    print("refreshing: " + ", ".join(sorted(k.to_user_string() for k in selected)), file=sys.stderr)
    languages = tuple(args.lang.split(",")) if args.lang else released_languages(settings.out / edition)
    return run_edition(
        settings,
        edition,
        flat,
        job=REFRESH_JOB,
        reason="refresh",
        languages=languages,
        allow_missing=allowed_missing(args),
    )


def released_languages(folder: Path) -> tuple[str, ...]:
    """The languages of an edition's current release (its manifest's parameters); both when there is none."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return tuple(manifest["parameters"]["languages"]) or LANGUAGES
    except (OSError, ValueError, KeyError, TypeError):
        return LANGUAGES


def default_jobs() -> int:
    """Editions a backfill builds at once: one per core, at most two (a build is mostly one thread)."""
    return max(1, min(2, os.cpu_count() or 1))


def _build_command(settings: Settings, edition: str, args: argparse.Namespace, reason: str) -> list[str]:
    """`techpact build` of one edition with the backfill's settings (sources observed by the backfill)."""
    return [
        sys.executable,
        "-m",
        "pipeline.cli",
        "build",
        "--edition",
        edition,
        "--sources",
        str(settings.sources),
        "--out",
        str(settings.out),
        # the warehouse URL reaches the child through the environment (WAREHOUSE_ENV), not its command line
        "--lang",
        args.lang,
        "--reason",
        reason,
        "--no-observe",
        *(["--allow-unclassified"] if args.allow_unclassified else []),
        *[part for family in allowed_missing(args) for part in ("--allow-missing", family)],
    ]


def _run_id(text: str) -> str:
    """The run id a build printed last ('... (run <id>)')."""
    found = re.findall(r"\(run ([^)\s]+)\)", text)
    return found[-1] if found else "?"


def _error_text(edition: str, stderr: str) -> str:
    """What a failed build reported: from its 'NOT published' line on, or all it wrote (a crash)."""
    marker = f"edition {edition} was NOT published"
    return stderr[stderr.index(marker) :].strip() if marker in stderr else stderr.strip() or "(no output)"


def backfill_in_processes(
    settings: Settings, editions: list[str], jobs: int, command: Callable[[str], list[str]], keep_going: bool
) -> tuple[list[str], list[str]]:
    """Build `editions` in child processes, `jobs` at a time, in order; (published, failed).

    Each child's output is captured; a line is printed when an edition starts and when it finishes (run
    id, seconds) and a failed edition's error text in full. After a failure no further edition starts
    unless `keep_going`; the running ones finish."""
    pending, running = list(editions), {}
    environment = {**os.environ, **settings.warehouse_environment()}
    published: list[str] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="techpact-backfill-") as logs, contextlib.ExitStack() as files:
        try:
            while running or (pending and (keep_going or not failed)):
                while pending and len(running) < jobs and (keep_going or not failed):
                    edition = pending.pop(0)
                    out, err = (
                        files.enter_context(open(Path(logs) / f"{edition}.{kind}", "w+", encoding="utf-8"))
                        for kind in ("out", "err")
                    )
                    child = subprocess.Popen(
                        command(edition), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=environment
                    )
                    running[edition] = (child, time.perf_counter(), out, err)
                    print(f"backfill: edition {edition} started (process {child.pid})", file=sys.stderr, flush=True)
                time.sleep(0.2)
                for edition, (child, started, out, err) in list(running.items()):
                    if child.poll() is None:
                        continue
                    del running[edition]
                    took = time.perf_counter() - started
                    out.seek(0)
                    err.seek(0)
                    stdout, stderr = out.read(), err.read()
                    out.close()
                    err.close()
                    if child.returncode == 0:
                        published.append(edition)
                        print(f"edition {edition} published in {took:.1f} s (run {_run_id(stdout)})", flush=True)
                    else:
                        failed.append(edition)
                        print(
                            f"edition {edition} FAILED after {took:.1f} s (run {_run_id(stderr)}, exit code "
                            f"{child.returncode}):\n{_error_text(edition, stderr)}",
                            file=sys.stderr,
                            flush=True,
                        )
        finally:
            for child, *_ in running.values():  # interrupted: stop the builds still running
                child.terminate()
            for child, _, out, err in running.values():
                child.wait()
                out.close()
                err.close()
    return published, failed


def cmd_backfill(args: argparse.Namespace) -> int:
    """Every edition from FROM to TO (inclusive) that has deliveries: `--jobs` at a time, each in its own
    process (with --jobs 1 one after the other, in this process). The sources are observed once."""
    from pipeline.editions import edition_keys

    settings = _settings(args)
    _ensure_sample(settings)
    wanted = [k for k in edition_keys() if int(args.first) <= int(k) <= int(args.last)]
    if not wanted:
        raise SystemExit(f"no editions between {args.first} and {args.last} (see reference/editions/editions.csv)")
    available = set(edition_folders(settings.sources)) if settings.sources.is_dir() else set()
    todo = [e for e in wanted if e in available]
    skipped = [e for e in wanted if e not in available]
    if args.jobs is not None and args.jobs < 1:
        raise SystemExit("--jobs must be 1 or more")
    jobs = max(1, min(args.jobs or default_jobs(), len(todo)))
    reason = f"backfill {args.first}-{args.last}"
    published: list[str] = []
    failed: list[str] = []
    if todo:
        print(f"backfill {args.first}-{args.last}: {len(todo)} edition(s), {jobs} at a time", file=sys.stderr)
        observe_sources(settings)
    if jobs == 1:
        for edition in todo:
            if (
                run_edition(
                    settings,
                    edition,
                    allow_unclassified=args.allow_unclassified,
                    languages=tuple(args.lang.split(",")),
                    reason=reason,
                    observe=False,
                    allow_missing=allowed_missing(args),
                )
                == 0
            ):
                published.append(edition)
            else:
                failed.append(edition)
                if not args.keep_going:
                    break
    elif todo:
        published, failed = backfill_in_processes(
            settings, todo, jobs, lambda edition: _build_command(settings, edition, args, reason), args.keep_going
        )
    published = [e for e in todo if e in published]
    failed = [e for e in todo if e in failed]
    not_started = [e for e in todo if e not in published and e not in failed]
    print(
        f"backfill {args.first}-{args.last}: published {', '.join(published) or 'none'}"
        + (f"; no deliveries for {', '.join(skipped)}" if skipped else "")
        + (f"; FAILED {', '.join(failed)}" if failed else "")
        + (f"; not started {', '.join(not_started)}" if not_started else "")
    )
    return 1 if failed else 0


def _edition_dir(settings: Settings, value: str | None) -> Path:
    """An edition folder from a path, an edition key under --out, or the latest published edition."""
    if value and Path(value).is_dir():
        return Path(value)
    if value:
        return settings.out / value
    published = (
        sorted(p for p in settings.out.iterdir() if p.is_symlink() and re.fullmatch(r"\d{4}", p.name))
        if settings.out.is_dir()
        else []
    )
    if not published:
        raise SystemExit(f"no published edition in {settings.out}: pass --edition")
    return published[-1]


def cmd_verify(args: argparse.Namespace) -> int:
    from pipeline import verify

    settings = _settings(args)
    return verify.main(
        Path(args.edition_dir),
        settings.sources,
        check_inputs=not args.outputs_only,
        warehouse_url=settings.warehouse,
        warehouse_required=bool(args.warehouse or os.environ.get(WAREHOUSE_ENV)),
    )


def cmd_explain(args: argparse.Namespace) -> int:
    from pipeline import explain

    settings = _settings(args)
    return explain.main(args.cell, _edition_dir(settings, args.edition), settings.warehouse, as_json=args.json)


def cmd_diff(args: argparse.Namespace) -> int:
    from pipeline import diff

    settings = _settings(args)
    return diff.main(
        _edition_dir(settings, args.edition_a),
        _edition_dir(settings, args.edition_b),
        Path(args.csv) if args.csv else None,
    )


def cmd_sample(args: argparse.Namespace) -> int:
    from pipeline.sample.generate import DEFAULT_SEED, generate

    for path in generate(Path(args.out) if args.out else SAMPLE_DIR, args.seed or DEFAULT_SEED, scale=args.scale):
        print(path)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pipeline import validation

    return validation.main(
        Path(args.path), as_json=args.json, edition=args.edition, allow_missing=allowed_missing(args)
    )


def cmd_fetch(args: argparse.Namespace) -> int:
    from pipeline import fetch

    return fetch.main(str(args.edition), Path(args.to))


def cmd_ui(args: argparse.Namespace) -> int:
    settings = _settings(args)
    prepare_dagster_home(settings)
    command = [
        sys.executable,
        "-m",
        "dagster",
        "dev",
        "-m",
        "pipeline.definitions",
        "-h",
        args.host,
        "-p",
        str(args.port),
    ]
    print(f"Dagster UI on http://{args.host}:{args.port} (instance {settings.dagster_home})", file=sys.stderr)
    env = {
        **os.environ,
        **settings.warehouse_environment(),
        "TECHPACT_SOURCES": str(settings.sources),
        "TECHPACT_OUT": str(settings.out),
    }
    process = subprocess.Popen(command, env=env, start_new_session=True)

    def stop(_signum, _frame) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return process.wait()
    except KeyboardInterrupt:
        return stop_process_tree(process, UI_STOP_SECONDS)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


UI_STOP_SECONDS = 8.0  # `techpact ui` stops its whole process tree within 10 s of SIGTERM or SIGINT


def _descendants(pid: int) -> list[int]:
    """Every living descendant of `pid` (from /proc), children before grandchildren."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def stop_process_tree(process: subprocess.Popen, seconds: float) -> int:
    """Stop `process` (leader of its own session) and every process it started: SIGINT to all of them
    (`dagster dev` then stops its webserver, daemon and code servers cleanly), SIGKILL to whatever is
    left after `seconds`. Returns the process's exit code."""
    tree = [process.pid, *_descendants(process.pid)]
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is None:  # it may still start processes: follow them too
            tree = sorted(set(tree) | set(_descendants(process.pid)))
        tree = [pid for pid in tree if _alive(pid)]
        if process.returncode is not None and not tree:
            break
        time.sleep(0.1)
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # anything of its session started meanwhile
    return process.wait()


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, exited but not reaped, does not count)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="techpact", description="Build and publish the Techniekpact Monitor.")
    sub = root.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build and publish one edition")
    build.add_argument("--edition", help="edition (publication year); default: the latest in the sources")
    build.add_argument(
        "--sources",
        help="folder of deliveries (one sub-folder per edition, or one edition's files); default: the embedded sample",
    )
    build.add_argument("--out", help="where published editions go (default: ./out)")
    build.add_argument("--warehouse", help="SQLAlchemy URL of the warehouse (default: SQLite under .techpact/)")
    build.add_argument(
        "--allow-unclassified",
        action="store_true",
        help="count programme codes unknown to a STEM table as 'unclassified' (reported) instead of stopping",
    )
    build.add_argument(
        "--allow-missing",
        action="append",
        metavar="FAMILY",
        help="publish although the edition's delivery of this source family is missing (the gap stated in "
        "report and manifest); repeatable or comma-separated",
    )
    build.add_argument(
        "--lang", default=",".join(LANGUAGES), help="languages of the PDF/HTML edition, comma-separated (default nl,en)"
    )
    build.add_argument(
        "--executor",
        choices=["in_process", "multiprocess", "dask"],
        default="in_process",
        help="where the steps run (multiprocess and dask need the PostgreSQL instance for concurrent steps)",
    )
    build.add_argument(
        "--dask-address", help="scheduler of an existing Dask cluster (default with --executor dask: a local cluster)"
    )
    build.add_argument("--reason", default="", help=argparse.SUPPRESS)  # tag techpact/reason (set by backfill)
    build.add_argument("--no-observe", action="store_true", help=argparse.SUPPRESS)  # the backfill observed the sources
    build.set_defaults(func=cmd_build)

    sample = sub.add_parser("sample", help="(re)write the embedded sample deliveries")
    sample.add_argument("--out")
    sample.add_argument("--seed", type=int)
    sample.add_argument(
        "--scale",
        type=int,
        default=1,
        help="S times the DUO institutions, locations and students, ten years per edition "
        "(default 1: the embedded sample)",
    )
    sample.set_defaults(func=cmd_sample)

    validate = sub.add_parser("validate", help="validate a delivery file or folder without building")
    validate.add_argument("path")
    validate.add_argument("--json", action="store_true")
    validate.add_argument("--edition", help="check a flat folder as the deliveries of this edition (missing ones too)")
    validate.add_argument("--allow-missing", action="append", metavar="FAMILY", help="as for build")
    validate.set_defaults(func=cmd_validate)

    refresh = sub.add_parser("refresh", help="re-materialise what depends on labour-market sources (one edition)")
    refresh.add_argument("--edition")
    refresh.add_argument("--sources")
    refresh.add_argument("--out")
    refresh.add_argument("--warehouse")
    refresh.add_argument("--lang", help="languages (default: those of the edition's current release)")
    refresh.add_argument("--allow-missing", action="append", metavar="FAMILY", help=argparse.SUPPRESS)
    refresh.set_defaults(func=cmd_refresh)

    backfill = sub.add_parser("backfill", help="build every edition from FROM to TO, --jobs at a time")
    backfill.add_argument("first", metavar="FROM")
    backfill.add_argument("last", metavar="TO")
    backfill.add_argument("--sources")
    backfill.add_argument("--out")
    backfill.add_argument("--warehouse")
    backfill.add_argument("--allow-unclassified", action="store_true")
    backfill.add_argument("--lang", default=",".join(LANGUAGES))
    backfill.add_argument("--allow-missing", action="append", metavar="FAMILY", help="as for build")
    backfill.add_argument("--keep-going", action="store_true", help="continue with the next edition after a failure")
    backfill.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help=f"editions built at once, each in its own process (default: {default_jobs()}, one per "
        "core, at most 2; 1 = one after the other in this process). Each build needs its own memory",
    )
    backfill.set_defaults(func=cmd_backfill)

    verify = sub.add_parser("verify", help="recompute the hashes of an edition folder's outputs and inputs (manifest)")
    verify.add_argument("edition_dir", metavar="EDITION_DIR")
    verify.add_argument(
        "--sources", help="landing folder the manifest's input paths are relative to (default: the sample)"
    )
    verify.add_argument("--warehouse", help="warehouse whose release record the folder must match (default as build)")
    verify.add_argument("--outputs-only", action="store_true", help="check the outputs only (inputs not at hand)")
    verify.set_defaults(func=cmd_verify)

    explain = sub.add_parser("explain", help="where a published figure comes from")
    explain.add_argument("cell", metavar="CELL", help="indicator_id/definition/period/region_code/sex/breakdown")
    explain.add_argument("--edition", help="edition key under --out, or an edition folder (default: the latest)")
    explain.add_argument("--out")
    explain.add_argument("--warehouse")
    explain.add_argument("--json", action="store_true")
    explain.set_defaults(func=cmd_explain)

    diff = sub.add_parser("diff", help="every published figure that differs between two editions, with its cause")
    diff.add_argument("edition_a", metavar="EDITION_A", help="edition folder or key under --out")
    diff.add_argument("edition_b", metavar="EDITION_B")
    diff.add_argument("--out")
    diff.add_argument("--csv", help="also write the table to this CSV file")
    diff.set_defaults(func=cmd_diff)
    fetch = sub.add_parser(
        "fetch", help="download an edition's public source files (CBS OData, DUO) into a landing folder"
    )
    fetch.add_argument("--edition", required=True, help="edition (publication year)")
    fetch.add_argument("--to", required=True, help="landing folder to write into")
    fetch.set_defaults(func=cmd_fetch)

    ui = sub.add_parser("ui", help="serve the Dagster UI on the project's instance")
    ui.add_argument("--sources")
    ui.add_argument("--out")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    return root


def main(argv: list[str] | None = None) -> int:
    # Dagster marks observable sources and partitioned data versions as beta; the notice is not for users
    warnings.filterwarnings("ignore", message=r".*is currently in beta.*")
    args = parser().parse_args(argv)
    recover_interrupted_releases(args)
    return args.func(args)


def recover_interrupted_releases(args: argparse.Namespace) -> list[str]:
    """Every command first finishes or rolls back a release a killed run left half done (see
    pipeline.publish.release): the link of an edition follows the release its warehouse committed."""
    from pipeline.publish import release as releasing

    settings = _settings(args)
    out = settings.out
    edition_dir = getattr(args, "edition_dir", None)
    if edition_dir and Path(edition_dir).is_symlink():  # `verify out/2024`: that folder's output folder
        out = Path(edition_dir).absolute().parent
    try:
        actions = releasing.recover_all(out, settings.warehouse)
    except Exception as error:  # an unreachable warehouse is reported by the command (preflight), not here
        print(f"recovery of interrupted releases skipped: {mask_message(str(error), settings)}", file=sys.stderr)
        return []
    for action in actions:
        print(f"recovered an interrupted release: {action}", file=sys.stderr)
    return actions


def mask_message(text: str, settings: Settings) -> str:
    """`text` with the warehouse URL's password masked wherever it appears."""
    from pipeline.preflight import mask_secret

    return mask_secret(text, settings.warehouse)


if __name__ == "__main__":
    raise SystemExit(main())
