"""Stage 3, core: harmonised long tables with one meaning each."""


import dagster as dg
import pandas as pd

from assets.partitions import editions
from assets.raw import fail
from pipeline import editions as edition_table
from pipeline.core import ho as core_ho
from pipeline.problems import SourceError
from schemas import table_schema
from schemas.core import HoFirstYears


@dg.asset(
    partitions_def=editions, group_name="core", owners=["team:ptvt-monitor"], kinds={"pandas"},
    code_version="1", tags={"techpact/stage": "core"},
    metadata={"dagster/column_schema": table_schema(HoFirstYears)},
    check_specs=[dg.AssetCheckSpec("totals_equal_raw", asset="ho_first_years", blocking=True,
                                   description="Per level and year, core totals equal the raw delivery totals")],
)
def ho_first_years(context: dg.AssetExecutionContext, raw_duo_ho_first_years: pd.DataFrame):
    """First-year students hbo and wo per programme, location, study form and sex, every year of the edition's files."""
    edition = context.partition_key
    try:
        frame = core_ho.ho_first_years(raw_duo_ho_first_years, edition, edition_table.get(edition).education_last_year)
    except SourceError as error:
        raise fail(error) from error
    raw_totals = raw_duo_ho_first_years.groupby(["level", "year"])["count"].sum()
    core_totals = frame.groupby(["level", "year"])["count"].sum()
    equal = raw_totals.sort_index().equals(core_totals.sort_index())
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame), "years": f"{frame['year'].min()}-{frame['year'].max()}"})
    yield dg.AssetCheckResult(check_name="totals_equal_raw", passed=bool(equal),
                              metadata={"totals": dg.MetadataValue.md("\n".join(
                                  f"- {lvl} {yr}: {int(v)}" for (lvl, yr), v in core_totals.items()))})
