"""Stage 5, indicators: the catalogue's indicators for every year, under both definitions."""


import dagster as dg
import pandas as pd

from assets.partitions import editions
from pipeline import indicators as logic
from schemas import table_schema
from schemas.indicators import Indicators


@dg.asset(
    partitions_def=editions, group_name="indicators", owners=["team:ptvt-monitor"], kinds={"pandas"},
    code_version="1", deps=["reference_indicator_catalogue"], tags={"techpact/stage": "indicators"},
    metadata={"dagster/column_schema": table_schema(Indicators)},
    check_specs=[dg.AssetCheckSpec("denominators_equal_core", asset="indicators", blocking=True,
                                   description="Share denominators equal the core table's first-year totals")],
)
def indicators(context: dg.AssetExecutionContext, ho_first_years_classified: pd.DataFrame):
    """All indicators of the edition in one long table (downloads layout)."""
    frame = logic.ho_first_years(ho_first_years_classified, context.partition_key)
    share = frame[(frame["indicator_id"] == "ho_first_years_stem_share") & (frame["sex"] == "T") & (frame["definition"] == "nl")]
    got = dict(zip(zip(share["breakdown"].str.removeprefix("level="), share["period"].astype(int)), share["denominator"]))
    core = ho_first_years_classified.groupby(["level", "year"])[["count_low", "count_high"]].sum()
    want = {k: (r.count_low + r.count_high) / 2 for k, r in core.iterrows()}
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame)})
    yield dg.AssetCheckResult(check_name="denominators_equal_core", passed=got == want,
                              metadata={"cells_compared": len(want)})
