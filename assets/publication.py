"""Stage 6, publication: warehouse tables and the edition outputs, released atomically.

The outputs are rendered into a staging folder (the PDFs in a child process, beside the downloads
and the warehouse load) while the warehouse rows of the edition are replaced in one transaction.
Only when every output is complete, just before that transaction commits, is the staging folder
released (one rename). A failure at any point leaves the last good edition and the warehouse as
they were.
"""

import dataclasses
import functools
import shutil
import tempfile
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.partitions import editions
from pipeline import downloads, preflight, provenance, reference, warehouse
from pipeline import indicators as indicator_logic
from pipeline.dagster_support import STORED_TABLE_LOADER, BuildOptions, LandingArea, Publisher, StoredTable, Warehouse
from pipeline.indicators import checks as indicator_checks
from pipeline.publish import content as edition_content
from pipeline.publish import edition as edition_outputs
from pipeline.publish import release as releasing
from pipeline.sources.files import sha256_file


def _relative(path: str, root: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).name


def manifest(
    edition: str, inventory: pd.DataFrame, rows: dict[str, int], run_parameters: dict, landing_root: str = ""
) -> dict:
    """The edition manifest (docs/audit.md) without its outputs: inputs (path relative to the
    landing root, sha256, bytes, data rows), every reference file the code reads from (tables with
    id, version, status, sha256; boundaries and other files with sha256), the indicator parameters
    (disclosure, boundary year, ...) as values, the code version and the run parameters."""
    parameters = reference.load("indicators/parameters.csv").frame
    return {
        "edition": edition,
        "inputs": [
            {
                "file": r.file,
                "path": _relative(r.path, landing_root) if landing_root else r.file,
                "family": r.family,
                "generation": r.generation,
                "sha256": r.sha256,
                "bytes": int(r.bytes),
                "rows": int(rows.get(r.file, 0)),
            }
            for r in inventory.sort_values("file").itertuples()
        ],
        "reference_tables": sorted(reference.inventory(), key=lambda t: t["id"]),
        "reference_parameters": dict(zip(parameters["parameter"], parameters["value"])),
        "code": provenance.code_version(),
        "parameters": run_parameters,
    }


def rows_per_file(instance: dg.DagsterInstance, edition: str) -> dict[str, int]:
    """Data rows of every delivery of the edition, as the raw assets recorded them when they parsed it
    (their latest materialisation of this edition: in this run or, after a refresh, an earlier one)."""
    from assets import raw

    rows: dict[str, int] = {}
    for item in dg.load_assets_from_modules([raw]):
        for key in item.keys:
            found = instance.fetch_materializations(
                dg.AssetRecordsFilter(asset_key=key, asset_partitions=[edition]), limit=1
            )
            for record in found.records:
                value = record.asset_materialization.metadata.get(raw.ROWS_PER_FILE)
                rows.update(value.value if value is not None else {})
    return rows


def stage_tables() -> dict[str, str]:
    """Every validated raw, core and classified table of an edition -> its warehouse table
    (raw_<family>, core_<table>, core_<table>_classified)."""
    from assets import core, raw
    from pipeline import classify as plan

    names: dict[str, str] = {}
    for module, prefix in ((raw, ""), (core, "core_")):
        for item in dg.load_assets_from_modules([module]):
            for key in item.keys:
                if key.path[-1] != "landing_inventory":
                    names[key.path[-1]] = prefix + key.path[-1]
    for row in plan.plan():
        names[row.asset] = f"core_{row.asset}"
    return dict(sorted(names.items()))


STAGE_TABLES = stage_tables()


def _refuse_other_reused_inputs(inventory: pd.DataFrame, url: str, edition: str) -> None:
    """A partial run (the labour-market refresh) reuses the education outputs of the edition's published
    release: its landing folder must hold exactly that release's education deliveries (same names and
    sha256), so that the manifest lists the files the edition is built from. Anything else fails,
    naming the files."""
    from assets.sources import LABOUR_MARKET, family_domain

    if not releasing.recorded_release(url, edition):
        raise dg.Failure(
            description=f"edition {edition} has no published release whose outputs a refresh could reuse: "
            "build the edition in full (techpact build)",
            allow_retries=False,
        )
    published = warehouse.read_table(url, "edition_inputs", edition)

    def education(frame: pd.DataFrame) -> set[tuple[str, str]]:
        rows = frame[[family_domain(f) != LABOUR_MARKET for f in frame["family"]]]
        return set(zip(rows["file"], rows["sha256"]))

    here, there = education(inventory), education(published)
    if here != there:
        lines = [f"  {name} ({sha[:12]}) is not in the landing folder" for name, sha in sorted(there - here)]
        lines += [f"  {name} ({sha[:12]}) is not in the published release" for name, sha in sorted(here - there)]
        raise dg.Failure(
            description=f"the landing folder's education deliveries differ from those of the published release "
            f"of edition {edition}, whose education figures a refresh reuses; build the edition in full:\n"
            + "\n".join(lines),
            allow_retries=False,
        )


def _every_upstream_asset() -> list[dg.AssetKey]:
    """Every asset of the earlier stages: the edition is released only when all of them succeeded,
    so a bad delivery of any family stops publication, also one the report does not use yet."""
    from assets import classification, core, raw
    from assets import indicators as indicator_assets

    keys: list[dg.AssetKey] = []
    for item in dg.load_assets_from_modules([raw, core, classification, indicator_assets]):
        keys.extend(item.keys)
    return sorted(set(keys), key=lambda k: k.to_user_string())


@dg.asset(
    partitions_def=editions,
    group_name="publication",
    owners=["team:ptvt-monitor"],
    kinds={"sql", "pdf", "html", "csv"},
    tags={"techpact/stage": "publication"},
    deps=_every_upstream_asset(),
    # the stage tables are only copied into the warehouse: streamed in batches, never loaded whole
    ins={name: dg.AssetIn(name, input_manager_key=STORED_TABLE_LOADER) for name in STAGE_TABLES},
)
def edition_release(
    context: dg.AssetExecutionContext,
    landing_inventory: pd.DataFrame,
    indicators: pd.DataFrame,
    indicator_coverage: pd.DataFrame,
    indicator_progress: pd.DataFrame,
    warehouse_db: Warehouse,
    publisher: Publisher,
    landing: LandingArea,
    options: BuildOptions,
    stem_bridge: pd.DataFrame,
    definition_changes: pd.DataFrame,
    definition_comparison: pd.DataFrame,
    **stage_tables: StoredTable,
) -> dict:
    """The published edition: PDF, HTML pages, downloads and manifest in `out/<edition>`, and the
    edition's rows in the warehouse: every validated raw, core and classified table, the indicator
    tables and the checks (with the release and run recorded in `edition_releases`)."""
    edition = context.partition_key
    out = Path(publisher.out)
    out.mkdir(parents=True, exist_ok=True)
    parameters = {
        "edition": edition,
        "languages": list(publisher.languages),
        "allow_unclassified": options.allow_unclassified,
        **({"allow_missing": sorted(options.allow_missing)} if options.allow_missing else {}),
    }
    if context.run.job_name != "edition_build":
        _refuse_other_reused_inputs(landing_inventory, warehouse_db.url, edition)
    info = manifest(edition, landing_inventory, rows_per_file(context.instance, edition), parameters, landing.root)
    missing = preflight.gaps(landing.files(edition), edition, tuple(options.allow_missing))
    if missing:  # published without them (--allow-missing): the gap in the manifest and the report's checks
        info["missing_deliveries"] = missing
        info["checks"] = [
            {
                "name": f"missing delivery: {m['delivery']} ({m['expected_name']})",
                "passed": False,
                "detail": m["family"],
            }
            for m in missing
        ]
    with releasing.edition_lock(out, edition):
        releasing.upgrade_release_table(warehouse_db.url)
        for action in releasing.recover(out, edition, releasing.recorded_release(warehouse_db.url, edition)):
            context.log.warning(f"recovery after an interrupted run: {action}")
        previous = releasing.current_release(out, edition)
        name = releasing.next_release_name(out, edition)
        stage = Path(tempfile.mkdtemp(prefix=f".stage-{edition}-", dir=out))
        staged: list[Path] = []

        def release_record(job: edition_outputs.Rendering):
            """The last table of the transaction: waits for the outputs (the PDFs render meanwhile), moves
            the complete folder to .releases/<name> (not linked yet) and records it with its manifest's sha256."""
            files.update(job.finish())  # the site, the PDFs and the manifest
            releasing.checkpoint("rendered")
            staged.append(releasing.stage_release(out, edition, stage, name))
            record = {
                "release": name,
                "run_id": context.run.run_id,
                "code_version": info["code"]["version"],
                "manifest_sha256": sha256_file(staged[0] / "manifest.json"),
            }
            yield pd.DataFrame([record])

        stem_tables = {
            "stem_bridge": stem_bridge,
            "definition_changes": definition_changes,
            "definition_comparison": definition_comparison,
        }
        files: dict[str, str] = {}
        unchanged: list[str] = []  # stage tables the warehouse already holds (e.g. education, in a labour refresh)
        try:
            extras = edition_content.extras_for(landing.folder(edition))
            latest = stem_bridge[(stem_bridge["sex"] == "T") & (stem_bridge["year"] == stem_bridge["year"].max())]
            extras = dataclasses.replace(extras, bridge=latest.drop(columns=["edition"]))
            # the PDFs render in a child process while the downloads are written and the warehouse loads
            with edition_outputs.rendering(
                stage,
                edition,
                indicators,
                indicator_logic.catalogue(),
                info,
                tuple(publisher.languages),
                extra_tables=stem_tables,
                extras=extras,
                # the workbook takes as long as a PDF: the renderer process writes it after them (its
                # cover marks a synthetic-sample edition)
                slow_files={
                    downloads.WORKBOOK: functools.partial(
                        downloads.workbook_of,
                        indicators=indicators,
                        catalogue=indicator_logic.catalogue(),
                        synthetic=extras.synthetic,
                    )
                },
            ) as job:
                # CSV/JSON + data dictionary
                downloads.write(stage, indicators, indicator_logic.catalogue(), workbook=False)
                written = warehouse.replace_edition(
                    warehouse_db.url,
                    edition,
                    {
                        **{STAGE_TABLES[name]: table for name, table in sorted(stage_tables.items())},
                        "indicators": indicators,
                        "indicator_coverage": indicator_coverage,
                        "indicator_progress": indicator_progress,
                        "build_checks": indicator_checks.run(indicators),
                        "edition_inputs": pd.DataFrame(info["inputs"]),
                        **stem_tables,
                        releasing.RELEASE_TABLE: lambda: release_record(job),  # last: after the outputs
                    },
                    before_commit=lambda: releasing.checkpoint("warehouse_written"),
                    unchanged=unchanged,
                )
        except BaseException:
            # not committed: the warehouse is as it was, the new folder was never linked
            shutil.rmtree(stage, ignore_errors=True)
            if staged:
                releasing.drop_release(out, name)
            raise
        # committed: the warehouse publishes the new release; the link follows (a run killed here
        # leaves the link to the next command's recovery, which switches it to the recorded release)
        releasing.checkpoint("committed")
        link = releasing.point_link(out, edition, name)
        releasing.checkpoint("released")
        if previous and previous != name:
            releasing.drop_release(out, previous)
    context.add_output_metadata(
        {
            "folder": dg.MetadataValue.path(str(link)),
            "outputs": len(files),
            "release": name,
            "warehouse_rows": dg.MetadataValue.json(written),
            "warehouse_tables_unchanged": dg.MetadataValue.json(sorted(unchanged)),
            "code_version": info["code"]["version"],
        }
    )
    return {"edition": edition, "folder": str(link), "release": name, "outputs": files}
