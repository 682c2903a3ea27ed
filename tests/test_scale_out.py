"""Scale-out without a rewrite: the full sample build under Dagster's Dask executor on a local Dask
cluster (worker processes), with the instance on PostgreSQL, gives the same outputs as the
in-process build."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline import cli
from pipeline.settings import Settings, prepare_dagster_home

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _parquet_outputs(storage: Path) -> dict[str, pd.DataFrame]:
    return {p.relative_to(storage).as_posix(): pd.read_parquet(p) for p in sorted(storage.rglob("2024.parquet"))}


def test_dask_executor_with_postgres_instance_equals_in_process_build(sample_dir, tmp_path, pg_url, monkeypatch):
    import dagster as dg
    from dask.distributed import LocalCluster

    # the reference: the ordinary in-process build (SQLite instance)
    monkeypatch.setenv("TECHPACT_HOME", str(tmp_path / "local"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "local" / "dagster"))
    monkeypatch.delenv("TECHPACT_INSTANCE", raising=False)
    assert cli.main(["build", "--sources", str(sample_dir), "--edition", "2024", "--out", str(tmp_path / "out-local"),
                     "--warehouse", f"sqlite:///{tmp_path / 'local.sqlite'}"]) == 0

    # the PostgreSQL instance, chosen by configuration (a fresh database of the test server)
    url = sa.engine.make_url(pg_url)
    monkeypatch.setenv("TECHPACT_INSTANCE", "postgres")
    for name, value in (("HOST", url.host), ("PORT", str(url.port or 5432)), ("USER", url.username),
                        ("PASSWORD", url.password or ""), ("DB", url.database)):
        monkeypatch.setenv(f"TECHPACT_PG_{name}", value)
    settings = Settings(home=tmp_path / "dask", sources=sample_dir, out=tmp_path / "out-dask",
                        warehouse_url=f"sqlite:///{tmp_path / 'dask.sqlite'}")
    prepare_dagster_home(settings)
    job = dg.build_reconstructable_job("pipeline.definitions", "edition_job_for", reconstructable_kwargs={
        "executor": "dask", "home": str(settings.home), "sources": str(sample_dir), "out": str(settings.out),
        "warehouse_url": settings.warehouse})
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = dg.execute_job(job, instance=instance, tags={"dagster/partition": "2024", "techpact/edition": "2024"},
                                run_config={"execution": {"config": {"cluster": {"existing": {"address": cluster.scheduler_address}}}}})
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
        assert {"raw_duo_ho_first_years", "indicators", "edition_release"} <= steps
        workers = {e.pid for e in result.all_events if e.event_type_value == "STEP_START"}
        assert os.getpid() not in workers  # the steps ran in the Dask worker processes
        run = instance.get_run_by_id(result.run_id)
        assert run.tags["techpact/edition"] == "2024"

    local, dask = tmp_path / "out-local" / "2024", settings.out / "2024"
    names = sorted(p.name for p in local.iterdir())
    assert names == sorted(p.name for p in dask.iterdir())
    for name in names:
        assert (dask / name).read_bytes() == (local / name).read_bytes(), name
    stored_local = _parquet_outputs(tmp_path / "local" / "storage")
    stored_dask = _parquet_outputs(settings.storage_dir)
    assert stored_local.keys() == stored_dask.keys() and len(stored_local) >= 4
    for key, frame in stored_local.items():
        pd.testing.assert_frame_equal(stored_dask[key], frame, obj=key)
