"""Pandera validates the raw DUO tables: the sample's parsed files pass their models, and for every
rule of every raw DUO model a frame that breaks it in one row is reported with that row's line in
the delivery, the column and the check that failed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.typing import Series

from pipeline import sources
from schemas import validate
from schemas.raw import RawHoDiploma, RawHoEnrolment, RawMbo, RawVoExam, RawVoPupils

FAMILY_MODELS = {
    "duo_ho_first_years": RawHoEnrolment,
    "duo_ho_diplomas": RawHoDiploma,
    "duo_mbo_participants": RawMbo,
    "duo_vo_exams": RawVoExam,
    "duo_vo_pupils": RawVoPupils,
}


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pd.DataFrame]:
    from pipeline.sample.generate import generate

    out = tmp_path_factory.mktemp("sample")
    generate(out, sample_editions=(2024,))
    found = {}
    for path in sorted((out / "2024").glob("*.csv")):
        family = sources.detect(path).family
        if family in FAMILY_MODELS and family not in found:
            found[family] = sources.parse(path).frame
    assert set(found) == set(FAMILY_MODELS)
    return found


def _breaking_values(spec) -> list[object]:
    """One value per check of a column that the check refuses."""
    values = []
    for check in spec.checks:
        stats = check.statistics
        if check.name == "isin":
            values.append("not-in-the-vocabulary")
        elif check.name == "str_matches":
            values.append("?!")
        elif check.name == "str_length":
            values.append("")
        elif check.name == "greater_than_or_equal_to":
            values.append(stats["min_value"] - 1)
        elif check.name == "less_than_or_equal_to":
            values.append(stats["max_value"] + 1)
        else:
            raise AssertionError(f"no breaking value for check {check.name}: extend this test")
    if not spec.nullable and "str" in str(spec.dtype).lower():
        values.append(None)
    return values


@pytest.mark.parametrize("family", sorted(FAMILY_MODELS))
def test_valid_frames_pass(frames, family):
    model = FAMILY_MODELS[family]
    frame = frames[family]
    assert validate(model, frame, file="f.csv") == []
    model.validate(frame, lazy=True)


@pytest.mark.parametrize("family", sorted(FAMILY_MODELS))
def test_every_broken_rule_is_reported_with_line_column_and_check(frames, family):
    model = FAMILY_MODELS[family]
    good = frames[family]
    row = len(good) // 2
    line = int(good["source_line"].iloc[row])
    cases = 0
    for name, spec in model.to_schema().columns.items():
        for value in _breaking_values(spec):
            bad = good.copy()
            if isinstance(value, int) and not isinstance(value, bool):
                bad[name] = bad[name].astype(bad[name].dtype)
            bad.loc[row, name] = value
            problems = validate(model, bad, file="f.csv")
            at = value if name == "source_line" else line  # a broken line number is reported as itself
            assert any(p.row == at and p.column == name and p.check for p in problems), (name, value, problems[:3])
            cases += 1
    assert cases >= 8
    key = list(model.to_schema().unique)
    duplicate = pd.concat([good, good.iloc[[row]]], ignore_index=True)
    assert any(p.row == line for p in validate(model, duplicate, file="f.csv"))
    # a key that differs in one column only is no duplicate
    other = good.iloc[[row]].copy()
    other[key[0]] = "ZZ99" if other[key[0]].dtype != np.int64 else other[key[0]] + 10_000
    problems = validate(model, pd.concat([good, other], ignore_index=True), file="f.csv")
    assert not any(p.column is None or "unique" in p.problem.lower() for p in problems), problems[:3]


@pytest.mark.parametrize("family", sorted(FAMILY_MODELS))
def test_columns_and_types_are_checked(frames, family):
    model = FAMILY_MODELS[family]
    good = frames[family]
    missing = good.drop(columns=["source_file"])
    extra = good.assign(unexpected="x")
    retyped = good.assign(year=good["year"].astype(str))
    nulled = good.assign(year=good["year"].astype("Int64").mask(good.index == 0))
    for bad in (missing, extra, retyped, nulled):
        assert validate(model, bad, file="f.csv")


class WithCustomCheck(pa.DataFrameModel):
    value: Series[int] = pa.Field(ge=0)

    @pa.check("value")
    def even(cls, series: pd.Series) -> pd.Series:
        return series % 2 == 0


def test_a_custom_check_is_reported_by_its_name():
    frame = pd.DataFrame({"value": [2, 3]})
    problems = validate(WithCustomCheck, frame, file=Path("f.csv"))
    assert [(p.row, p.column, p.check) for p in problems] == [(1, "value", "even")]
    assert validate(WithCustomCheck, pd.DataFrame({"value": [2, 4]})) == []
