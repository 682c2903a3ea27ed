"""Stage 5, indicators: the catalogue's indicators for every year, every region level, under both
definitions, with disclosure control; the catalogue's coverage and the progress on the targets."""


import dagster as dg
import pandas as pd

from assets.partitions import editions
from pipeline import indicators as logic
from pipeline.indicators import checks as indicator_checks
from pipeline.indicators import progress as progress_logic
from schemas import table_schema
from schemas.indicators import Coverage, Indicators, Progress


# every table a registered indicator function reads (pipeline/indicators/<family>.py)
TABLES = sorted({family.table for family in logic.families().values()})


@dg.multi_asset(
    partitions_def=editions, group_name="indicators", can_subset=False,
    ins={table: dg.AssetIn(table) for table in TABLES},
    outs={
        "indicators": dg.AssetOut(owners=["team:ptvt-monitor"], kinds={"pandas"}, code_version="2",
                                  tags={"techpact/stage": "indicators"},
                                  metadata={"dagster/column_schema": table_schema(Indicators)},
                                  description="All indicators of the edition in one long table (downloads layout)."),
        "indicator_coverage": dg.AssetOut(owners=["team:ptvt-monitor"], kinds={"pandas"}, code_version="1",
                                          tags={"techpact/stage": "indicators"},
                                          metadata={"dagster/column_schema": table_schema(Coverage)},
                                          description="Per catalogue entry: computed, no function yet, or source absent."),
    },
    deps=["reference_indicator_catalogue", "reference_indicator_parameters", "reference_regions"],
    check_specs=[
        dg.AssetCheckSpec("denominators_equal_core", asset="indicators", blocking=True,
                          description="Share denominators equal the core table's first-year totals"),
        *[dg.AssetCheckSpec(name, asset="indicators", blocking=True, description=text)
          for name, text in indicator_checks.DESCRIPTIONS.items()],
    ],
)
def indicators(context: dg.AssetExecutionContext, **tables: pd.DataFrame):
    edition = context.partition_key
    frame, coverage = logic.compute(tables, edition)
    ho_first_years_classified = tables["ho_first_years_classified"]
    share = frame[(frame["indicator_id"] == "ho_first_years_stem_share") & (frame["sex"] == "T")
                  & (frame["definition"] == "nl") & (frame["region_level"] == "national")]
    got = dict(zip(zip(share["breakdown"].str.removeprefix("level="), share["period"].astype(int)), share["denominator"]))
    core = ho_first_years_classified.groupby(["level", "year"])[["count_low", "count_high"]].sum()
    want = {k: (r.count_low + r.count_high) / 2 for k, r in core.iterrows()}
    yield dg.Output(frame, output_name="indicators", metadata={"dagster/row_count": len(frame)})
    yield dg.Output(coverage, output_name="indicator_coverage", metadata={
        "dagster/row_count": len(coverage),
        **{status: int(n) for status, n in coverage["status"].value_counts().sort_index().items()}})
    yield dg.AssetCheckResult(check_name="denominators_equal_core", asset_key="indicators", passed=got == want,
                              metadata={"cells_compared": len(want)})
    for result in indicator_checks.run(frame).itertuples(index=False):
        yield dg.AssetCheckResult(check_name=result.check, asset_key="indicators", passed=bool(result.passed),
                                  metadata={"detail": result.detail})


@dg.asset(
    partitions_def=editions, group_name="indicators", owners=["team:ptvt-monitor"], kinds={"pandas"},
    code_version="1", deps=["reference_indicator_targets"], tags={"techpact/stage": "indicators"},
    metadata={"dagster/column_schema": table_schema(Progress)},
)
def indicator_progress(context: dg.AssetExecutionContext, indicators: pd.DataFrame) -> dg.Output[pd.DataFrame]:
    """Progress on the Pact's objectives: value, distance and on track or not, per year."""
    frame = progress_logic.progress(indicators, context.partition_key)
    return dg.Output(frame, metadata={"dagster/row_count": len(frame),
                                      **{s: int(n) for s, n in frame["status"].value_counts().sort_index().items()}})
