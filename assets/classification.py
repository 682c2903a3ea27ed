"""Stage 4, classification: STEM flags under the Dutch definition and under ISCED-F 05/06/07.

One asset `<core>_classified` per row of `pipeline.classify.PLAN` (a new level is a new row there),
then the bridge between the definitions (`stem_bridge`) and the version history of the definition
tables (`definition_changes`, `definition_comparison`).
"""

import dagster as dg
import pandas as pd

from assets.contracts import contract_spec, passed, under_contract
from assets.partitions import editions
from pipeline import bridge as bridge_logic
from pipeline import classify
from pipeline import definition_history as history
from pipeline.dagster_support import BuildOptions
from pipeline.problems import SourceError
from schemas import enforce, table_schema
from schemas.classification import Bridge, DefinitionChanges, DefinitionComparison

STAGE = {
    "group_name": "classification",
    "owners": ["team:ptvt-monitor"],
    "kinds": {"pandas"},
    "tags": {"techpact/stage": "classification"},
    "partitions_def": editions,
}


def _fail(error: SourceError) -> dg.Failure:
    from assets.raw import fail

    return fail(error)


def _unknown_markdown(unknown: list[classify.UnknownCode]) -> str:
    if not unknown:
        return "none"
    lines = [
        "| definition | level | code | name | problem | rows | years | where |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {u.definition} | {u.level} | {u.code} | {u.name} | {u.problem} | {u.rows} | {u.years} | {u.where} |"
        for u in unknown
    ]
    return "\n".join(lines)


def classified_asset(row: classify.Classification) -> dg.AssetsDefinition:
    check = dg.AssetCheckSpec(
        "every_code_classified",
        asset=row.asset,
        blocking=True,
        description=f"Every {row.code_column} of {row.core} is known to both definition tables "
        f"in its year (WARN with --allow-unclassified)",
    )

    @dg.asset(
        name=row.asset,
        ins={"core": dg.AssetIn(row.core)},
        deps=["reference_stem"],
        metadata={
            "dagster/column_schema": table_schema(row.output_model()),
            "classified_on": row.code_column,
            **{f"table_{d}": p for d, p in row.tables.items()},
        },
        check_specs=[check, contract_spec(row.output_model(), row.asset)],
        description=f"{row.core} with stem_nl/cluster_nl and stem_isced/isced_f (classified on {row.code_column}).",
        **STAGE,
    )
    def _classified(context: dg.AssetExecutionContext, core: pd.DataFrame, options: BuildOptions):
        try:
            frame, unknown = classify.classify(core, row, allow_unclassified=options.allow_unclassified)
        except SourceError as error:  # a definition table (or its override) breaks its contract
            raise _fail(error) from error
        except classify.ClassificationError as error:
            raise dg.Failure(
                description=str(error),
                metadata={
                    "unknown_codes": len(error.unknown),
                    "codes": dg.MetadataValue.md(_unknown_markdown(error.unknown)),
                },
            ) from error
        frame = yield from under_contract(row.output_model(), lambda: enforce(row.output_model(), frame), _fail)
        tables = {d: classify.load_definition(p) for d, p in row.tables.items()}
        unclassified_rows = int(frame["stem_nl"].isna().sum() + frame["stem_isced"].isna().sum()) if unknown else 0
        if unknown:
            context.log.warning(
                f"{len(unknown)} code(s) counted as unclassified (--allow-unclassified):\n"
                + "\n".join(f"  - {u}" for u in unknown)
            )
        yield dg.Output(
            frame,
            metadata={
                "dagster/row_count": len(frame),
                "unclassified_codes": len(unknown),
                "unclassified_rows": unclassified_rows,
                **{f"{t.id} version": t.version for t in tables.values()},
                **{f"{t.id} sha256": t.sha256 for t in tables.values()},
            },
        )
        yield dg.AssetCheckResult(
            check_name="every_code_classified",
            passed=not unknown,
            severity=dg.AssetCheckSeverity.WARN if unknown else dg.AssetCheckSeverity.ERROR,
            metadata={"unclassified": dg.MetadataValue.md(_unknown_markdown(unknown))},
        )
        yield passed(row.output_model(), frame)

    return _classified


classified_assets = [classified_asset(row) for row in classify.plan()]
BRIDGED = [row for row in classify.plan() if row.population]


@dg.asset(
    ins={row.asset: dg.AssetIn(row.asset) for row in BRIDGED},
    metadata={"dagster/column_schema": table_schema(Bridge)},
    check_specs=[
        dg.AssetCheckSpec(
            "bridge_reconciles",
            asset="stem_bridge",
            blocking=True,
            description="nl_total = isced_total + added - left_out per level, year and sex; "
            "groups add up to their totals; T = M + V",
        ),
        contract_spec(Bridge, "stem_bridge"),
    ],
    **STAGE,
)
def stem_bridge(context: dg.AssetExecutionContext, **classified: pd.DataFrame):
    """Dutch vs ISCED STEM per level, population, year and sex, the difference split by group."""
    table = yield from under_contract(
        Bridge, lambda: bridge_logic.bridges(classified, classify.plan(), context.partition_key), _fail
    )
    gaps = bridge_logic.reconcile(table)
    totals = table[
        (table["group_kind"] == "") & (table["sex"] == "T") & table["component"].isin(["nl_total", "isced_total"])
    ]
    latest = totals[totals["year"] == totals["year"].max()] if len(totals) else totals
    yield dg.Output(
        table,
        metadata={
            "dagster/row_count": len(table),
            "latest year": dg.MetadataValue.md(
                "\n".join(
                    f"- {r.level} {r.population} {r.year} {r.component}: {r.count_low}" for r in latest.itertuples()
                )
                or "none"
            ),
        },
    )
    # blocking: a bridge that does not add up stops the run before anything reads it (its run is never
    # published, and a refresh reuses only the published release's outputs)
    yield dg.AssetCheckResult(
        check_name="bridge_reconciles",
        passed=not gaps,
        metadata={
            "cells": len(table),
            "gaps": len(gaps),
            "first gaps": dg.MetadataValue.md("\n".join(f"- {g}" for g in gaps[:50]) or "none"),
        },
    )
    yield passed(Bridge, table)


@dg.asset(
    deps=["reference_stem"],
    metadata={"dagster/column_schema": table_schema(DefinitionChanges)},
    check_specs=[contract_spec(DefinitionChanges, "definition_changes")],
    **STAGE,
)
def definition_changes(context: dg.AssetExecutionContext):
    """Definition tables that changed since the latest earlier recorded edition (empty when none)."""
    frame = yield from under_contract(DefinitionChanges, lambda: history.changes(context.partition_key), _fail)
    yield dg.Output(
        frame,
        metadata={
            "dagster/row_count": len(frame),
            "changed": dg.MetadataValue.md(
                "\n".join(
                    f"- {r.table_id}: {r.old_version} ({r.previous_edition}) -> {r.new_version}: +{r.codes_added} "
                    f"-{r.codes_removed} ~{r.codes_reclassified}"
                    for r in frame.itertuples()
                )
                or "none"
            ),
        },
    )
    yield passed(DefinitionChanges, frame)


@dg.asset(
    ins={row.core: dg.AssetIn(row.core) for row in classify.plan()},
    deps=["reference_stem"],
    metadata={"dagster/column_schema": table_schema(DefinitionComparison)},
    check_specs=[contract_spec(DefinitionComparison, "definition_comparison")],
    **STAGE,
)
def definition_comparison(context: dg.AssetExecutionContext, **cores: pd.DataFrame):
    """The whole series under the current and the previous version of every changed definition table."""
    frame = yield from under_contract(
        DefinitionComparison, lambda: history.comparison(context.partition_key, cores), _fail
    )
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame)})
    yield passed(DefinitionComparison, frame)
