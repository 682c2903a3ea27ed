"""The Pandera contract of every table as a blocking Dagster asset check, `pandera_<Model>`.

The table is validated by its Pandera model where it is made (the parser of a delivery, the core,
classification and indicator functions: `schemas.enforce`), so the check reports that validation's
outcome. A table that breaks its contract is never yielded as an output: the check is reported as
failed, with its failure cases (file, row, column, check, value) as a table in the check's metadata,
and the step fails, so the IO manager stores nothing and nothing downstream runs on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import dagster as dg
import pandas as pd

from pipeline.problems import SourceError, SourceProblem

FAILURE_CASES_SHOWN = 200
FAILURE_CASES_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("file", "string"),
        dg.TableColumn("row", "int"),
        dg.TableColumn("column", "string"),
        dg.TableColumn("check", "string"),
        dg.TableColumn("problem", "string"),
    ]
)


def check_name(model) -> str:
    return f"pandera_{model.__name__}"


def contract_spec(model, asset: str, what: str = "The table") -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        check_name(model),
        asset=asset,
        blocking=True,
        description=f"{what} satisfies the {model.__name__} contract (Pandera, every failure case listed)",
    )


def failure_cases(problems: list[SourceProblem]) -> dg.MetadataValue:
    """The failure cases as a table the Dagster UI shows: file, row, column, check, problem."""
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord(
                {
                    "file": p.file,
                    "row": p.row,
                    "column": p.column or "",
                    "check": p.check or "",
                    "problem": p.problem,
                }
            )
            for p in problems[:FAILURE_CASES_SHOWN]
        ],
        schema=FAILURE_CASES_SCHEMA,
    )


def passed(model, frame: pd.DataFrame, *, asset: str | None = None, **metadata) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=check_name(model),
        asset_key=asset,
        passed=True,
        metadata={"rows": len(frame), "columns": len(frame.columns), **metadata},
    )


def failed(model, error: SourceError, *, asset: str | None = None) -> dg.AssetCheckResult | None:
    """The failed check of a contract error (None when none of the problems is a contract's failure
    case, e.g. a file that could not be read: the step fails without a check result then)."""
    cases = [p for p in error.problems if p.check]
    if not cases:
        return None
    return dg.AssetCheckResult(
        check_name=check_name(model),
        asset_key=asset,
        passed=False,
        metadata={"failure_cases": failure_cases(cases), "failure_case_count": len(cases)},
    )


def under_contract(
    model, make: Callable[[], pd.DataFrame], fail: Callable[[SourceError], Exception], *, asset: str | None = None
) -> Iterator[dg.AssetCheckResult]:
    """`frame = yield from under_contract(Model, lambda: build(...), fail)`: the table `make` returns
    (validated there by Pandera), or, when it breaks its contract, the failed check and then the
    step's failure (`fail(error)`)."""
    try:
        return make()
    except SourceError as error:
        result = failed(model, error, asset=asset)
        if result is not None:
            yield result
        raise fail(error) from error
