"""The Dagster code location of the Techniekpact Monitor: the whole pipeline in one place.

Stages (asset groups), in order: sources -> raw -> core -> classification -> indicators -> publication.
`build_defs(settings, ...)` builds the Definitions with resources for the given settings (the CLI
and the tests call it); the module-level `defs` uses the environment's settings (TECHPACT_*), so
`dagster dev -m pipeline.definitions` and `dagster definitions validate` see the same pipeline.

Operations (the daemon runs them; `techpact ui` shows them):
- job `edition_build`: one edition end to end; schedule `yearly_edition` ticks on 1 June 06:00
  (Europe/Amsterdam) and requests the partition of that year's edition (tick in June 2025 ->
  edition "2025"), when the landing area has a folder for it.
- job `labour_market_refresh`: only the assets downstream of labour-market sources (landing assets
  tagged techpact/domain=labour_market); schedule `quarterly_labour_market_refresh` ticks on the
  15th of January, April, July and October and requests the latest edition present in the landing area.
- sensor `landing_area_sensor`: sha256 of every delivery; a new or changed file starts the refresh
  (only labour-market files changed) or the edition build of its edition. Cursor = the hashes.
- every run of an edition carries the tag techpact/edition=<edition>; the run queue in dagster.yaml
  admits one run per edition at a time, and publication takes a file lock per edition.
- policies applied here, in one place: retries for transient failures, code references (and git
  links when the repository has a remote), default owners, code versions from the source of the
  functions the assets run (pipeline.code_versions).
"""

from __future__ import annotations

import os
import subprocess

import dagster as dg

from assets import classification, core, indicators, publication, raw, sources
from pipeline import landing_watch
from pipeline.code_versions import with_code_versions
from pipeline.dagster_support import (
    CATEGORICAL_TABLE_LOADER,
    STORED_TABLE_LOADER,
    BuildOptions,
    CategoricalTableLoader,
    LandingArea,
    ParquetIOManager,
    Publisher,
    StoredTableLoader,
    Warehouse,
    progress_logger,
)
from pipeline.settings import PROJECT_ROOT, WAREHOUSE_ENV, Settings

ASSET_MODULES = (raw, core, classification, indicators, publication)
EDITION_JOB = "edition_build"
OBSERVE_JOB = "observe_sources"
REFRESH_JOB = "labour_market_refresh"
EDITION_TAG = "techpact/edition"
OWNER = "team:ptvt-monitor"
TIMEZONE = "Europe/Amsterdam"
YEARLY_CRON = "0 6 1 6 *"  # 1 June, 06:00: the edition of that year
QUARTERLY_CRON = "0 6 15 1,4,7,10 *"
SENSOR_INTERVAL_SECONDS = 300

# Transient failures (a network share, a locked database) are retried; data errors raise
# dg.Failure(allow_retries=False) and fail at once.
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)


def labour_market_selection() -> dg.AssetSelection:
    """Everything downstream of the labour-market landing sources (not the sources themselves)."""
    return (
        dg.AssetSelection.tag(sources.DOMAIN_TAG, sources.LABOUR_MARKET, include_sources=True)
        .downstream(include_self=False)
        .materializable()
    )


def edition_run_request(
    edition: str, job_name: str = EDITION_JOB, run_key: str | None = None, reason: str = ""
) -> dg.RunRequest:
    tags = {EDITION_TAG: edition, **({"techpact/reason": reason} if reason else {})}
    return dg.RunRequest(run_key=run_key, job_name=job_name, partition_key=edition, tags=tags)


def _git_remote() -> tuple[str, str] | None:
    """(https url, branch) of the repository's `origin`, if one is configured."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    url = git("remote", "get-url", "origin")
    if not url:
        return None
    if url.startswith("git@"):
        url = "https://" + url[4:].replace(":", "/", 1)
    url = url.removesuffix(".git")
    if not url.startswith(("https://github.com/", "https://gitlab.com/")):
        return None  # a local or unknown remote (e.g. a clone of a clone): no browser view to link to
    branch = git("rev-parse", "--abbrev-ref", "HEAD") or "main"
    return url, branch


def with_code_references(assets: list) -> list:
    """Code references on every asset; linked to the git remote's browser view when there is one."""
    referenced = dg.with_source_code_references(assets)
    remote = _git_remote()
    if remote is None:
        return list(referenced)
    return list(
        dg.link_code_references_to_git(
            referenced,
            git_url=remote[0],
            git_branch=remote[1],
            file_path_mapping=dg.AnchorBasedFilePathMapping(
                local_file_anchor=PROJECT_ROOT / "pyproject.toml", file_anchor_path_in_repository="pyproject.toml"
            ),
        )
    )


def default_owner(spec: dg.AssetSpec) -> dg.AssetSpec:
    return spec if spec.owners else spec.replace_attributes(owners=[OWNER])


def latest_landed_edition(landing: LandingArea, up_to: int | None = None) -> str | None:
    from assets.partitions import editions

    keys = [k for k in editions.get_partition_keys() if (up_to is None or int(k) <= up_to) and landing.files(k)]
    return keys[-1] if keys else None


def _changed_domains(landing: LandingArea, edition: str, names: list[str]) -> set[str]:
    from pipeline import sources as source_formats
    from pipeline.problems import SourceError

    folder = landing.folder(edition)
    domains = set()
    for name in names:
        try:
            domains.add(sources.family_domain(source_formats.detect(folder / name).family))
        except (SourceError, OSError):
            domains.add("unrecognised")  # the edition build reports the file
    return domains


def warehouse_config(settings: Settings) -> str | dg.EnvVar:
    """The warehouse URL as the resources get it: a URL with a password only as `dg.EnvVar` (read from
    WAREHOUSE_ENV when a run starts, so the password is in no run configuration, job snapshot or event
    log; `techpact` puts it there, see Settings.exported_warehouse); a URL without one as it is."""
    from sqlalchemy.engine import make_url

    url = settings.warehouse
    if os.environ.get(WAREHOUSE_ENV) == url:
        return dg.EnvVar(WAREHOUSE_ENV)
    try:
        secret = make_url(url).password
    except Exception:  # not a URL SQLAlchemy reads: the warehouse reports it when it connects
        secret = None
    if secret:
        os.environ[WAREHOUSE_ENV] = url  # this process and its children read it from there
        return dg.EnvVar(WAREHOUSE_ENV)
    return url


def build_defs(
    settings: Settings | None = None,
    *,
    edition: str = "",
    allow_unclassified: bool = False,
    languages: tuple[str, ...] = ("nl", "en"),
    executor: dg.ExecutorDefinition | None = None,
    allow_missing: tuple[str, ...] = (),
) -> dg.Definitions:
    """The code location for `settings`. `executor` replaces the in-process executor of the edition
    and refresh jobs (e.g. `dagster_dask.dask_executor`, `dg.multiprocess_executor`)."""
    from assets.partitions import editions

    settings = settings or Settings()
    loaded = with_code_versions(dg.load_assets_from_modules(list(ASSET_MODULES)))
    pipeline_assets = list(dg.map_asset_specs(default_owner, loaded))
    all_sources = [*sources.landing_sources, *sources.reference_sources]
    run_executor = executor or dg.in_process_executor
    edition_job = dg.define_asset_job(
        EDITION_JOB,
        selection=dg.AssetSelection.assets(*pipeline_assets),
        executor_def=run_executor,
        description="Build one edition end to end",
        tags={"techpact/job": "edition"},
        op_retry_policy=TRANSIENT_RETRY,
    )
    refresh_job = dg.define_asset_job(
        REFRESH_JOB,
        # the landing folder's inventory is taken again: the labour-market deliveries are read from the
        # folder the refresh is given, and publication checks that its education deliveries are those
        # of the published release whose education outputs the refresh reuses
        selection=labour_market_selection() | dg.AssetSelection.assets("landing_inventory"),
        executor_def=run_executor,
        description="Re-materialise only what depends on the labour-market sources (CBS, UWV)",
        tags={"techpact/job": "labour_market_refresh"},
        op_retry_policy=TRANSIENT_RETRY,
    )
    observe_job = dg.define_asset_job(
        OBSERVE_JOB,
        selection=dg.AssetSelection.assets(*[s.key for s in all_sources]),
        executor_def=dg.in_process_executor,
        description="Observe the landing area and the reference tables (sha256 data versions)",
    )

    @dg.schedule(
        name="yearly_edition",
        cron_schedule=YEARLY_CRON,
        execution_timezone=TIMEZONE,
        job=edition_job,
        description="1 June: build the edition of the tick's year (tick 2025-06-01 -> partition 2025)",
    )
    def yearly_edition(context: dg.ScheduleEvaluationContext, landing: LandingArea):
        edition = str(context.scheduled_execution_time.year)
        if edition not in editions.get_partition_keys() or not landing.files(edition):
            return dg.SkipReason(f"no deliveries for edition {edition} in the landing area")
        return edition_run_request(edition, reason="yearly schedule")

    @dg.schedule(
        name="quarterly_labour_market_refresh",
        cron_schedule=QUARTERLY_CRON,
        execution_timezone=TIMEZONE,
        job=refresh_job,
        description="Quarterly: refresh the labour-market figures of the latest landed edition",
    )
    def quarterly_refresh(context: dg.ScheduleEvaluationContext, landing: LandingArea):
        if not labour_market_selection().resolve(context.repository_def.asset_graph):
            return dg.SkipReason("no asset depends on a labour-market source yet")
        edition = latest_landed_edition(landing, up_to=context.scheduled_execution_time.year)
        if edition is None:
            return dg.SkipReason("no edition in the landing area")
        return edition_run_request(edition, job_name=REFRESH_JOB, reason="quarterly refresh")

    @dg.sensor(
        name="landing_area_sensor",
        jobs=[edition_job, refresh_job],
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts a run when a delivery in the landing area is new or changed (by sha256)",
    )
    def landing_area_sensor(context: dg.SensorEvaluationContext, landing: LandingArea):
        previous = landing_watch.load_cursor(context.cursor)
        current = landing_watch.snapshot(landing, editions.get_partition_keys())
        requests = []
        refresh_selects = (
            bool(labour_market_selection().resolve(context.repository_def.asset_graph))
            if context.repository_def
            else False
        )
        for edition_key, names in landing_watch.changed(previous, current).items():
            digest = landing_watch.fingerprint(current[edition_key])[:16]
            only_labour = refresh_selects and _changed_domains(landing, edition_key, names) == {sources.LABOUR_MARKET}
            job_name = REFRESH_JOB if only_labour else EDITION_JOB
            context.log.info(f"edition {edition_key}: new or changed {', '.join(names)} -> {job_name}")
            requests.append(
                edition_run_request(
                    edition_key,
                    job_name,
                    run_key=f"{job_name}:{edition_key}:{digest}",
                    reason="new or changed delivery: " + ", ".join(names),
                )
            )
        return dg.SensorResult(run_requests=requests, cursor=landing_watch.dump_cursor(current))

    warehouse_url = warehouse_config(settings)
    defs = dg.Definitions(
        assets=with_code_references([*all_sources, *pipeline_assets]),
        jobs=[edition_job, refresh_job, observe_job],
        schedules=[yearly_edition, quarterly_refresh],
        sensors=[landing_area_sensor],
        resources={
            "io_manager": ParquetIOManager(base_dir=str(settings.storage_dir), warehouse_url=warehouse_url),
            STORED_TABLE_LOADER: StoredTableLoader(base_dir=str(settings.storage_dir), warehouse_url=warehouse_url),
            CATEGORICAL_TABLE_LOADER: CategoricalTableLoader(
                base_dir=str(settings.storage_dir), warehouse_url=warehouse_url
            ),
            "landing": LandingArea(root=str(settings.sources), edition=edition),
            "warehouse_db": Warehouse(url=warehouse_url),
            "publisher": Publisher(out=str(settings.out), languages=list(languages)),
            "options": BuildOptions(allow_unclassified=allow_unclassified, allow_missing=sorted(allow_missing)),
        },
        loggers={"progress": progress_logger},
    )
    return defs


defs = build_defs()


EXECUTORS = ("in_process", "multiprocess", "dask")


def edition_job_for(
    executor: str,
    home: str,
    sources: str,
    out: str,
    languages: tuple[str, ...] = ("nl", "en"),
    edition: str = "",
    allow_unclassified: bool = False,
    job: str = EDITION_JOB,
    allow_missing: tuple[str, ...] = (),
    warehouse_shown: str = "",
) -> dg.JobDefinition:
    """An edition's job (`job`: the full build or the labour-market refresh) under `executor`, for
    `dg.build_reconstructable_job`: the run, and every step process or Dask worker, rebuilds the same job
    from these plain arguments. Run through `dg.execute_job`, step outputs live only in the IO manager's
    storage, not in memory for the whole run as under `execute_in_process`.

    `warehouse_shown` is the run's warehouse URL with its password masked. A process whose environment
    (WAREHOUSE_ENV) gives another warehouse stops with a message instead of writing the run elsewhere
    (a Dask worker started without the variable); a URL without a password is used as given."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    if executor == "dask":
        from dagster_dask import dask_executor

        executor_def = dask_executor
    elif executor == "multiprocess":
        executor_def = dg.multiprocess_executor
    elif executor == "in_process":
        executor_def = dg.in_process_executor
    else:
        raise ValueError(f"executor {executor!r}: use one of {', '.join(EXECUTORS)}")
    # the warehouse URL comes from the environment (WAREHOUSE_ENV), not from these arguments: they are
    # stored with the run (its job origin), where every UI user could read a password
    settings = Settings(home=Path(home), sources=Path(sources), out=Path(out))
    if warehouse_shown and settings.warehouse_shown != warehouse_shown:
        if make_url(warehouse_shown).password is None:  # nothing masked: the URL itself
            settings = Settings(
                home=settings.home, sources=settings.sources, out=settings.out, warehouse_url=warehouse_shown
            )
        else:
            raise dg.DagsterInvariantViolationError(
                f"this process would write to the warehouse {settings.warehouse_shown}, the run's is "
                f"{warehouse_shown}: set {WAREHOUSE_ENV} to the run's warehouse URL in the environment of "
                "every process that runs its steps (each Dask worker)"
            )
    return build_defs(
        settings,
        edition=edition,
        allow_unclassified=allow_unclassified,
        languages=tuple(languages),
        executor=executor_def,
        allow_missing=tuple(allow_missing),
    ).resolve_job_def(job)
