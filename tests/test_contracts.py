"""Pandera is the validator of every table: each raw, core, classified and indicator asset carries a
blocking `pandera_<Model>` check that reports the validation of its table. On a good delivery
Pandera validates every table and every such check passes; a delivery that breaks a contract shows
that check as failed in the run's events, with its failure cases, and its table is never stored."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline.dagster_support import run_storage

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample_2024(tmp_path_factory) -> Path:
    """The embedded sample's deliveries of edition 2024 (`<folder>/2024/`)."""
    from pipeline.sample.generate import generate

    folder = tmp_path_factory.mktemp("sample")
    generate(folder, sample_editions=(2024,))
    return folder


def materialize(landing: Path, tmp: Path, *targets: str) -> dg.ExecuteInProcessResult:
    """`dg.materialize` of edition 2024 of `targets` and every asset they need, read from `landing`,
    on a throwaway instance with its storage under `tmp` (the result, not raised on failure)."""
    from pipeline.definitions import build_defs
    from pipeline.settings import Settings

    settings = Settings(home=tmp / "home", sources=landing, out=tmp / "out", warehouse_url=f"sqlite:///{tmp / 'w.db'}")
    defs = build_defs(settings)
    graph = defs.resolve_asset_graph()
    selection = dg.AssetSelection.assets(*targets).upstream().materializable()
    assets = [a for a in defs.assets if isinstance(a, dg.AssetsDefinition)]
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            assets,
            selection=sorted(selection.resolve(graph)),
            partition_key="2024",
            resources=defs.resources,
            instance=instance,
            raise_on_error=False,
        )


def contract_checks(result: dg.ExecuteInProcessResult) -> dict[dg.AssetCheckKey, dg.AssetCheckEvaluation]:
    return {e.asset_check_key: e for e in result.get_asset_check_evaluations() if e.check_name.startswith("pandera_")}


def test_a_delivery_that_breaks_its_contract_fails_the_check_and_stores_nothing(sample_2024, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(sample_2024 / "2024", landing / "2024")
    victim = sorted((landing / "2024").glob("01-ingeschrevenen-hbo-*.csv"))[0]
    lines = victim.read_text(encoding="utf-8").split("\n")
    number = next(n for n, line in enumerate(lines[1:], start=2) if ";voltijd onderwijs;" in line)
    lines[number - 1] = lines[number - 1].replace(";voltijd onderwijs;", ";avondonderwijs;")
    victim.write_text("\n".join(lines), encoding="utf-8")

    result = materialize(landing, tmp_path, "raw_duo_ho_enrolments")

    assert not result.success
    key = dg.AssetCheckKey(dg.AssetKey("raw_duo_ho_enrolments"), "pandera_RawHoEnrolment")
    evaluation = contract_checks(result)[key]
    assert not evaluation.passed
    cases = evaluation.metadata["failure_cases"].value.records
    # the wide file's line is one row per year column of the long table: one failure case each
    years = [column for column in lines[0].split(";") if column.strip().isdigit()]
    assert {(r.data["file"], r.data["row"], r.data["column"]) for r in cases} == {(victim.name, number, "study_form")}
    assert len(cases) == len(years) == evaluation.metadata["failure_case_count"].value
    assert cases[0].data["check"].startswith("isin") and "avondonderwijs" in cases[0].data["problem"]
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey("raw_duo_ho_enrolments") not in materialized
    assert dg.AssetKey("landing_inventory") in materialized  # the step before it ran
    assert not (run_storage(tmp_path / "home" / "storage", result.run_id) / "raw_duo_ho_enrolments").exists()


def test_pandera_validates_every_table_of_a_good_build(sample_2024, tmp_path, monkeypatch):
    """Every asset with a contract check is materialised; Pandera's own `DataFrameModel.validate`
    runs for each of their models (spied on), and each check reports passed."""
    validated: list[str] = []
    original = pa.DataFrameModel.validate.__func__

    def spy(cls, check_obj, *args, **kwargs):
        validated.append(cls.__name__)
        return original(cls, check_obj, *args, **kwargs)

    monkeypatch.setattr(pa.DataFrameModel, "validate", classmethod(spy))
    from pipeline.definitions import build_defs

    specs = [spec for spec in build_defs().resolve_asset_graph().asset_check_keys if spec.name.startswith("pandera_")]
    tables = sorted({spec.asset_key.to_user_string() for spec in specs})
    assert len(tables) >= 40  # raw, core, classified and indicator tables

    result = materialize(sample_2024, tmp_path, *tables)

    assert result.success
    checks = contract_checks(result)
    assert set(checks) == set(specs)
    assert all(e.passed for e in checks.values())
    assert {spec.name.removeprefix("pandera_") for spec in specs} <= set(validated)
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert set(tables) <= materialized
    rows = {e.asset_check_key.asset_key.to_user_string(): e.metadata["rows"].value for e in checks.values()}
    stored = run_storage(tmp_path / "home" / "storage", result.run_id)
    for table in ("raw_duo_ho_enrolments", "ho_enrolments_classified", "indicators"):
        assert len(pd.read_parquet(stored / table / "2024.parquet")) == rows[table] > 0


@pytest.mark.parametrize("table", ["ho_first_years", "ho_first_years_classified", "indicators_ho_first_years"])
def test_the_contract_check_of_a_core_classified_or_indicator_table_can_fail(sample_2024, tmp_path, monkeypatch, table):
    """The model of one table is given a rule no table meets (Pandera runs it with the model's own
    rules): that table's check fails, the tables it is made from pass theirs, and it is not stored."""
    from pipeline.definitions import build_defs

    [key] = [
        k
        for k in build_defs().resolve_asset_graph().asset_check_keys
        if k.asset_key == dg.AssetKey(table) and k.name.startswith("pandera_")
    ]
    model = key.name.removeprefix("pandera_")
    original = pa.DataFrameModel.validate.__func__

    def validate(cls, check_obj, *args, **kwargs):
        if cls.__name__ != model:
            return original(cls, check_obj, *args, **kwargs)
        schema = cls.to_schema()
        spoiled = pa.DataFrameSchema(
            schema.columns,
            checks=[pa.Check(lambda frame: False, name="never_met")],
            strict=schema.strict,
            unique=schema.unique,
        )
        return spoiled.validate(check_obj, *args, **kwargs)

    monkeypatch.setattr(pa.DataFrameModel, "validate", classmethod(validate))

    result = materialize(sample_2024, tmp_path, table)

    assert not result.success
    checks = contract_checks(result)
    assert not checks[key].passed
    assert [r.data["check"] for r in checks[key].metadata["failure_cases"].value.records] == ["never_met"]
    assert all(e.passed for k, e in checks.items() if k != key) and len(checks) > 1
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(table) not in materialized
    assert not (run_storage(tmp_path / "home" / "storage", result.run_id) / table).exists()
