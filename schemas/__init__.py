"""Table contracts (Pandera models) for every stage: raw, core, classification, indicators, reference.

Each model is the one source of truth for a table's columns: it validates the data, gives the
Dagster column schema (`table_schema`) and the data dictionary of the downloads.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline.problems import SourceError, SourceProblem

SOURCE_LINE = "source_line"


def empty_table(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """An empty table with the model's columns and types (a family with no delivery this edition)."""
    known = {"int64": "int64", "bool": bool, "Int64": "Int64", "float64": "float64", "boolean": "boolean"}
    return pd.DataFrame(
        {
            name: pd.Series([], dtype=known.get(str(column.dtype)) or ("str" if "str" in str(column.dtype) else object))
            for name, column in model.to_schema().columns.items()
        }
    )


def validate(
    model: type[pa.DataFrameModel], frame: pd.DataFrame, *, file: Path | str | None = None
) -> list[SourceProblem]:
    """Validate with Pandera, lazily, and turn every failure case into a problem with file, row,
    column and the check that failed.

    Rows are reported by their `source_line` (physical line in the delivery) when the frame has
    one, by frame position otherwise."""
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return failure_problems(errors.failure_cases, frame, file=file)
    return []


class ContractError(SourceError):
    """A table breaks the contract of its Pandera model (`model`: the model's name)."""

    def __init__(self, model: str, problems: list[SourceProblem]):
        self.model = model
        super().__init__(problems)


def enforce(model: type[pa.DataFrameModel], frame: pd.DataFrame, *, file: Path | str | None = None) -> pd.DataFrame:
    """The frame, once Pandera has validated it against the model; a `ContractError` naming every
    failure case (file, row, column, check) when it breaks the contract."""
    problems = validate(model, frame, file=file)
    if problems:
        raise ContractError(model.__name__, problems)
    return frame


def failure_problems(cases: pd.DataFrame, frame: pd.DataFrame, *, file: Path | str | None) -> list[SourceProblem]:
    problems: list[SourceProblem] = []
    lines = frame[SOURCE_LINE] if SOURCE_LINE in frame.columns else None
    files = frame["source_file"] if "source_file" in frame.columns else None
    for case in cases.itertuples(index=False):
        index = case.index
        row = None
        where = str(file) if file is not None else "table"
        if index is not None and not pd.isna(index) and lines is not None and index in frame.index:
            row = int(lines.loc[index])
            if files is not None:
                where = str(files.loc[index])
        elif index is not None and not pd.isna(index):
            row = int(index)
        column = None if case.column is None or pd.isna(case.column) else str(case.column)
        check = str(case.check)
        value = case.failure_case
        problems.append(SourceProblem(where, row, column, f"check {check} failed for value {value!r}", check))
    return sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or ""))


def table_schema(model: type[pa.DataFrameModel]):
    """Dagster TableSchema generated from a Pandera model (column names, types, descriptions)."""
    import dagster as dg

    schema = model.to_schema()
    columns = []
    for name, column in schema.columns.items():
        constraints = dg.TableColumnConstraints(nullable=bool(column.nullable), unique=bool(column.unique))
        columns.append(
            dg.TableColumn(
                name=name, type=str(column.dtype), description=column.description or "", constraints=constraints
            )
        )
    return dg.TableSchema(columns=columns)


def data_dictionary(model: type[pa.DataFrameModel]) -> pd.DataFrame:
    schema = model.to_schema()
    return pd.DataFrame(
        [
            {"column": name, "type": str(col.dtype), "description": col.description or ""}
            for name, col in schema.columns.items()
        ]
    )
