"""Stage 5, indicators: the catalogue's indicators for every year, every region level, under both
definitions, with disclosure control; the catalogue's coverage and the progress on the targets.

Each indicator family (pipeline/indicators/<family>.py) is its own asset, `indicators_<family>`,
reading one classified core table, so a labour-market refresh recomputes only the families of the
labour-market sources; `indicators` assembles the families into the edition's table."""

import dagster as dg
import pandas as pd

from assets.contracts import contract_spec, failed, passed, under_contract
from assets.partitions import editions
from assets.raw import fail
from pipeline import disclosure
from pipeline import indicators as logic
from pipeline.dagster_support import STORED_TABLE_LOADER, StoredTable
from pipeline.indicators import checks as indicator_checks
from pipeline.indicators import progress as progress_logic
from schemas import ContractError, empty_table, enforce, table_schema
from schemas.indicators import Coverage, Indicators, Progress

FAMILIES = logic.registered()
# every table a registered indicator function reads (pipeline/indicators/<family>.py)
TABLES = sorted({family.table for family in FAMILIES})
REFERENCES = ["reference_indicator_catalogue", "reference_indicator_parameters", "reference_regions"]


def family_key(family: logic.Family) -> str:
    return f"indicators_{family.name}"


def _denominators_equal_core(cells: pd.DataFrame, ho_first_years_classified: pd.DataFrame) -> dg.AssetCheckResult:
    share = cells[
        (cells["indicator_id"] == "ho_first_years_stem_share")
        & (cells["sex"] == "T")
        & (cells["definition"] == "nl")
        & (cells["region_level"] == "national")
    ]
    got = dict(
        zip(zip(share["breakdown"].str.removeprefix("level="), share["period"].astype(int)), share["denominator"])
    )
    # the whole persons of the published counts: the sum of each source row's point value
    core = ho_first_years_classified.assign(
        point=disclosure.point_value(ho_first_years_classified["count_low"], ho_first_years_classified["count_high"])
    )
    want = {k: float(v) for k, v in core.groupby(["level", "year"])["point"].sum().items()}
    return dg.AssetCheckResult(
        check_name="denominators_equal_core", passed=got == want, metadata={"cells_compared": len(want)}
    )


# checks of one family's cells against its core table
FAMILY_CHECKS = {
    "ho_first_years": (
        "denominators_equal_core",
        "Share denominators equal the core table's first-year totals",
        _denominators_equal_core,
    )
}


def family_asset(family: logic.Family):
    check = FAMILY_CHECKS.get(family.name)

    @dg.asset(
        name=family_key(family),
        partitions_def=editions,
        group_name="indicators",
        owners=["team:ptvt-monitor"],
        kinds={"pandas"},
        tags={"techpact/stage": "indicators"},
        deps=REFERENCES,
        ins={"table": dg.AssetIn(family.table)},
        metadata={"dagster/column_schema": table_schema(Indicators)},
        description=f"Indicator cells of the family {family.name} ({family.table}): "
        + (family.build.__doc__ or "").strip().split("\n\n")[0],
        check_specs=[
            contract_spec(Indicators, family_key(family)),
            *(
                [dg.AssetCheckSpec(check[0], asset=family_key(family), blocking=True, description=check[1])]
                if check
                else []
            ),
        ],
    )
    def _cells(context: dg.AssetExecutionContext, table: pd.DataFrame):
        edition = context.partition_key
        with disclosure.tally() as protected:
            result = yield from under_contract(
                Indicators, lambda: logic.family_cells(family, table, edition, logic.context(edition)), fail
            )
        cells = result if isinstance(result, pd.DataFrame) else enforce(Indicators, empty_table(Indicators))
        hidden = disclosure.summary(protected) if protected else None
        yield dg.Output(
            cells,
            metadata={
                "dagster/row_count": len(cells),
                **({"no_cells": result} if isinstance(result, str) else {}),
                # what disclosure control hid, per region level (cells and persons, primary and secondary)
                **(
                    {"suppressed_by_level": dg.MetadataValue.json(hidden.to_dict(orient="records"))}
                    if hidden is not None
                    else {}
                ),
            },
        )
        yield passed(Indicators, cells)
        if check:
            yield check[2](cells, table)

    return _cells


FAMILY_ASSETS = [family_asset(family) for family in FAMILIES]


@dg.multi_asset(
    partitions_def=editions,
    group_name="indicators",
    can_subset=False,
    ins={
        **{family_key(f): dg.AssetIn(family_key(f)) for f in FAMILIES},
        # the core tables only for their row counts (an empty table: the family's source is absent)
        **{table: dg.AssetIn(table, input_manager_key=STORED_TABLE_LOADER) for table in TABLES},
    },
    outs={
        "indicators": dg.AssetOut(
            owners=["team:ptvt-monitor"],
            kinds={"pandas"},
            tags={"techpact/stage": "indicators"},
            metadata={"dagster/column_schema": table_schema(Indicators)},
            description="All indicators of the edition in one long table (downloads layout).",
        ),
        "indicator_coverage": dg.AssetOut(
            owners=["team:ptvt-monitor"],
            kinds={"pandas"},
            tags={"techpact/stage": "indicators"},
            metadata={"dagster/column_schema": table_schema(Coverage)},
            description="Per catalogue entry: computed, no function yet, or source absent.",
        ),
    },
    deps=REFERENCES,
    check_specs=[
        contract_spec(Indicators, "indicators"),
        contract_spec(Coverage, "indicator_coverage"),
        *(
            dg.AssetCheckSpec(name, asset="indicators", blocking=True, description=text)
            for name, text in indicator_checks.DESCRIPTIONS.items()
        ),
    ],
)
def indicators(context: dg.AssetExecutionContext, **inputs):
    edition = context.partition_key
    cells = {}
    for family in FAMILIES:
        table: StoredTable = inputs[family.table]
        cells[family.name] = inputs[family_key(family)] if table.rows else logic.no_rows_reason(family, edition)
    try:
        frame, coverage = logic.assemble(cells, edition)
    except ContractError as error:  # the indicators or their coverage break their contract
        model, asset = (
            (Coverage, "indicator_coverage") if error.model == Coverage.__name__ else (Indicators, "indicators")
        )
        yield failed(model, error, asset=asset)
        raise fail(error) from error
    yield dg.Output(frame, output_name="indicators", metadata={"dagster/row_count": len(frame)})
    yield dg.Output(
        coverage,
        output_name="indicator_coverage",
        metadata={
            "dagster/row_count": len(coverage),
            **{status: int(n) for status, n in coverage["status"].value_counts().sort_index().items()},
        },
    )
    yield passed(Indicators, frame, asset="indicators")
    yield passed(Coverage, coverage, asset="indicator_coverage")
    for result in indicator_checks.run(frame).itertuples(index=False):
        yield dg.AssetCheckResult(
            check_name=result.check,
            asset_key="indicators",
            passed=bool(result.passed),
            metadata={"detail": result.detail},
        )


@dg.asset(
    partitions_def=editions,
    group_name="indicators",
    owners=["team:ptvt-monitor"],
    kinds={"pandas"},
    deps=["reference_indicator_targets"],
    tags={"techpact/stage": "indicators"},
    metadata={"dagster/column_schema": table_schema(Progress)},
    check_specs=[contract_spec(Progress, "indicator_progress")],
)
def indicator_progress(context: dg.AssetExecutionContext, indicators: pd.DataFrame):
    """Progress on the Pact's objectives: value, distance and on track or not, per year."""
    frame = yield from under_contract(
        Progress, lambda: progress_logic.progress(indicators, context.partition_key), fail
    )
    yield dg.Output(
        frame,
        metadata={
            "dagster/row_count": len(frame),
            **{s: int(n) for s, n in frame["status"].value_counts().sort_index().items()},
        },
    )
    yield passed(Progress, frame)
