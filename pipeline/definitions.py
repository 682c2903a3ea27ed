"""The Dagster code location of the Techniekpact Monitor: the whole pipeline in one place.

Stages (asset groups), in order: sources -> raw -> core -> classification -> indicators -> publication.
`build_defs(settings, ...)` builds the Definitions with resources for the given settings (the CLI
and the tests call it); the module-level `defs` uses the environment's settings (TECHPACT_*), so
`dagster dev -m pipeline.definitions` and `dagster definitions validate` see the same pipeline.
"""

from __future__ import annotations

import dagster as dg

from assets import classification, core, indicators, publication, raw, sources
from pipeline.dagster_support import BuildOptions, LandingArea, ParquetIOManager, Publisher, Warehouse, progress_logger
from pipeline.settings import Settings

ASSET_MODULES = (raw, core, classification, indicators, publication)
EDITION_JOB = "edition_build"
OBSERVE_JOB = "observe_sources"


def build_defs(settings: Settings | None = None, *, edition: str = "", allow_unclassified: bool = False,
               languages: tuple[str, ...] = ("nl",)) -> dg.Definitions:
    settings = settings or Settings()
    pipeline_assets = dg.load_assets_from_modules(list(ASSET_MODULES))
    all_sources = [*sources.landing_sources, *sources.reference_sources]
    edition_job = dg.define_asset_job(
        EDITION_JOB, selection=dg.AssetSelection.assets(*pipeline_assets),
        executor_def=dg.in_process_executor, description="Build one edition end to end (in-process executor)",
        tags={"techpact/job": "edition"},
    )
    observe_job = dg.define_asset_job(
        OBSERVE_JOB, selection=dg.AssetSelection.assets(*[s.key for s in all_sources]), executor_def=dg.in_process_executor,
        description="Observe the landing area and the reference tables (sha256 data versions)",
    )
    defs = dg.Definitions(
        assets=[*all_sources, *pipeline_assets],
        jobs=[edition_job, observe_job],
        resources={
            "io_manager": ParquetIOManager(base_dir=str(settings.storage_dir)),
            "landing": LandingArea(root=str(settings.sources), edition=edition),
            "warehouse_db": Warehouse(url=settings.warehouse),
            "publisher": Publisher(out=str(settings.out), languages=list(languages)),
            "options": BuildOptions(allow_unclassified=allow_unclassified),
        },
        loggers={"progress": progress_logger},
    )
    return defs


defs = build_defs()
