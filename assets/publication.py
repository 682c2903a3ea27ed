"""Stage 6, publication: warehouse tables and the edition outputs, released atomically.

The outputs are rendered into a staging folder first; then the warehouse rows of the edition are
replaced in one transaction, and only when that commits is the staging folder released (one
rename). A failure at any point leaves the last good edition and the warehouse as they were.
"""


import shutil
import tempfile
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.partitions import editions
from pipeline import classify, downloads, indicators as indicator_logic, provenance, reference, warehouse
from pipeline.indicators import checks as indicator_checks
from pipeline.dagster_support import Publisher, Warehouse
from pipeline.publish import edition as edition_outputs


def manifest(edition: str, inventory: pd.DataFrame, raw: pd.DataFrame, run_parameters: dict) -> dict:
    rows = raw.groupby("source_file")["source_line"].nunique().to_dict()
    tables = [*classify.ho_tables().values(), reference.load("indicators/catalogue.csv"), reference.load("editions/editions.csv")]
    return {
        "edition": edition,
        "inputs": [{"file": r.file, "family": r.family, "generation": r.generation, "sha256": r.sha256,
                    "bytes": int(r.bytes), "rows": int(rows.get(r.file, 0))} for r in inventory.sort_values("file").itertuples()],
        "reference_tables": sorted((t.lineage() for t in tables), key=lambda t: t["id"]),
        "code": provenance.code_version(),
        "parameters": run_parameters,
    }


@dg.asset(
    partitions_def=editions, group_name="publication", owners=["team:ptvt-monitor"],
    kinds={"sql", "pdf", "html", "csv"}, code_version="1", tags={"techpact/stage": "publication"},
)
def edition_release(context: dg.AssetExecutionContext, landing_inventory: pd.DataFrame, raw_duo_ho_first_years: pd.DataFrame,
                    ho_first_years: pd.DataFrame, ho_first_years_classified: pd.DataFrame, indicators: pd.DataFrame,
                    indicator_coverage: pd.DataFrame, indicator_progress: pd.DataFrame,
                    warehouse_db: Warehouse, publisher: Publisher) -> dict:
    """The published edition: PDF, HTML page, CSV download and manifest in `out/<edition>`, and the
    edition's rows in the warehouse tables."""
    edition = context.partition_key
    out = Path(publisher.out)
    out.mkdir(parents=True, exist_ok=True)
    info = manifest(edition, landing_inventory, raw_duo_ho_first_years, {"languages": list(publisher.languages)})
    stage = Path(tempfile.mkdtemp(prefix=f".stage-{edition}-", dir=out))
    try:
        downloads.write(stage, indicators, indicator_logic.catalogue())  # CSV/XLSX/JSON + data dictionary
        files = edition_outputs.render(stage, edition, indicators, indicator_logic.catalogue(), info,
                                       tuple(publisher.languages))
        released: list[Path] = []
        # warehouse tables of the edition (issue 5 keeps this block): raw, core, classification,
        # indicator tables and the check results of the build
        tables = {
            "raw_duo_ho_first_years": raw_duo_ho_first_years,
            "core_ho_first_years": ho_first_years,
            "core_ho_first_years_classified": ho_first_years_classified,
            "indicators": indicators,
            "indicator_coverage": indicator_coverage,
            "indicator_progress": indicator_progress,
            "build_checks": indicator_checks.run(indicators),
            "edition_inputs": pd.DataFrame(info["inputs"]),
        }
        written = warehouse.replace_edition(warehouse_db.url, edition, tables,
                                            before_commit=lambda: released.append(edition_outputs.release(out, edition, stage)))
        link = released[0]
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    context.add_output_metadata({"folder": dg.MetadataValue.path(str(link)), "outputs": len(files),
                                 "warehouse_rows": dg.MetadataValue.json(written),
                                 "code_version": info["code"]["version"]})
    return {"edition": edition, "folder": str(link), "outputs": files}
