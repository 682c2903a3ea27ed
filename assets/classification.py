"""Stage 4, classification: STEM flags under the Dutch definition and under ISCED-F 05/06/07."""


import dagster as dg
import pandas as pd

from assets.partitions import editions
from pipeline import classify
from pipeline.dagster_support import BuildOptions
from schemas import table_schema
from schemas.core import ClassifiedHoFirstYears


@dg.asset(
    partitions_def=editions, group_name="classification", owners=["team:ptvt-monitor"], kinds={"pandas"},
    code_version="1", deps=["reference_stem_ho"], tags={"techpact/stage": "classification"},
    metadata={"dagster/column_schema": table_schema(ClassifiedHoFirstYears)},
    check_specs=[dg.AssetCheckSpec("every_code_classified", asset="ho_first_years_classified", blocking=True,
                                   description="Every CROHO programme is known to both definition tables")],
)
def ho_first_years_classified(context: dg.AssetExecutionContext, ho_first_years: pd.DataFrame, options: BuildOptions):
    """First-years with `stem_nl`/`cluster_nl` and `stem_isced`/`isced_f`; unknown codes stop the run
    unless `allow_unclassified` is set (then they are kept, flagged null, and reported)."""
    try:
        frame, unknown = classify.classify_ho(ho_first_years, allow_unclassified=options.allow_unclassified)
    except classify.ClassificationError as error:
        raise dg.Failure(description=str(error), metadata={"unknown_codes": len(error.unknown)},
                         allow_retries=False) from error
    versions = {t.id: t.version for t in classify.ho_tables().values()}
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame), **{f"table {k}": v for k, v in versions.items()},
                                     "unclassified_codes": len(unknown)})
    yield dg.AssetCheckResult(
        check_name="every_code_classified", passed=not unknown,
        severity=dg.AssetCheckSeverity.WARN if unknown else dg.AssetCheckSeverity.ERROR,
        metadata={"unclassified": dg.MetadataValue.md("\n".join(
            f"- [{u.definition}] {u.level} {u.code} {u.name}: {u.rows} rows in {u.where}" for u in unknown) or "none")},
    )
