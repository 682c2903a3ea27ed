"""Scale-out without a rewrite: the full sample build under Dagster's Dask executor on a local Dask
cluster (worker processes), with the instance and the warehouse on PostgreSQL, gives the same outputs
and warehouse rows as the in-process build with SQLite (the shared sample build)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline import warehouse
from pipeline.dagster_support import published_output
from pipeline.settings import PROJECT_ROOT, Settings, prepare_dagster_home

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def _parquet_outputs(storage: Path) -> dict[str, pd.DataFrame]:
    return {p.relative_to(storage).as_posix(): pd.read_parquet(p) for p in sorted(storage.rglob("2024.parquet"))}


def test_dask_executor_with_postgres_equals_in_process_build(
    sample_dir, tmp_path, pg_url, pg_server, monkeypatch, request
):
    import dagster as dg
    from dask.distributed import Client, LocalCluster

    # a second PostgreSQL database for the warehouse (the first holds the Dagster instance)
    warehouse_db = f"techpact_test_{os.urandom(6).hex()}"
    with pg_server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{warehouse_db}"'))
    warehouse_url = pg_server.url.set(database=warehouse_db).render_as_string(hide_password=False)

    # `techpact build --executor dask` in a fresh process, with the PostgreSQL instance chosen by
    # configuration (a fresh database of the test server) and a local Dask cluster of worker processes
    url = sa.engine.make_url(pg_url)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(
        TECHPACT_INSTANCE="postgres",
        TECHPACT_HOME=str(tmp_path / "dask"),
        PYTHONWARNINGS="ignore",
        TECHPACT_PG_HOST=url.host,
        TECHPACT_PG_PORT=str(url.port or 5432),
        TECHPACT_PG_USER=url.username,
        TECHPACT_PG_PASSWORD=url.password or "",
        TECHPACT_PG_DB=url.database,
    )
    settings = Settings(home=tmp_path / "dask", sources=sample_dir, out=tmp_path / "out-dask")
    # the workers load the instance from its configuration: they need the same environment
    monkeypatch.setenv("TECHPACT_INSTANCE", "postgres")
    for key in ("HOST", "PORT", "USER", "PASSWORD", "DB"):
        monkeypatch.setenv(f"TECHPACT_PG_{key}", env[f"TECHPACT_PG_{key}"])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            worker_pids = set(client.run(os.getpid).values())
        build = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "build",
                "--sources",
                str(sample_dir),
                "--edition",
                "2024",
                "--lang",
                "nl,en",
                "--out",
                str(settings.out),
                "--warehouse",
                warehouse_url,
                "--executor",
                "dask",
                "--dask-address",
                cluster.scheduler_address,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )  # a guard against a hang, not a speed test
    assert build.returncode == 0, build.stderr[-4000:]
    run_id = re.search(r"\(run ([0-9a-f-]{36})\)", build.stdout).group(1)

    prepare_dagster_home(settings)
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        run = instance.get_run_by_id(run_id)
        assert run.is_success and run.tags["techpact/edition"] == "2024"
        events = [r.event_log_entry for r in instance.get_records_for_run(run_id).records]
        starts = {
            e.dagster_event.step_key: e.dagster_event.pid
            for e in events
            if e.dagster_event and e.dagster_event.event_type_value == "STEP_START"
        }
    assert {"raw_duo_ho_first_years", "indicators", "edition_release"} <= set(starts)
    assert len(worker_pids) == 2 and set(starts.values()) <= worker_pids  # every step ran in a Dask worker

    try:
        sample_build = request.getfixturevalue("sample_build")  # asked for now: it may be built meanwhile
        local, dask = sample_build.edition_dir, settings.out / "2024"
        names = sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file())
        assert names == sorted(p.relative_to(dask).as_posix() for p in dask.rglob("*") if p.is_file())
        for name in names:
            assert (dask / name).read_bytes() == (local / name).read_bytes(), name
        # each build's outputs are in its run's folder (storage/runs/<run id>/)
        stored_local = _parquet_outputs(
            published_output(sample_build.home / "storage", sample_build.warehouse_url, "x", "2024").parent.parent
        )
        stored_dask = _parquet_outputs(settings.storage_dir / "runs" / run_id)
        assert stored_local.keys() == stored_dask.keys() and len(stored_local) >= 4
        for key, frame in stored_local.items():
            pd.testing.assert_frame_equal(stored_dask[key], frame, obj=key)
        # the PostgreSQL warehouse holds the rows of the SQLite one, table for table
        tables = sorted(sa.inspect(warehouse.engine(sample_build.warehouse_url)).get_table_names())
        assert sorted(sa.inspect(warehouse.engine(warehouse_url)).get_table_names()) == tables
        for table in tables:
            sqlite, postgres = (
                warehouse.read_table(u, table, "2024") for u in (sample_build.warehouse_url, warehouse_url)
            )
            if table == "edition_releases":  # one row, the run's own id
                sqlite, postgres = sqlite.drop(columns="run_id"), postgres.drop(columns="run_id")
            sqlite, postgres = (f.sort_values(list(f.columns)).reset_index(drop=True) for f in (sqlite, postgres))
            pd.testing.assert_frame_equal(postgres, sqlite, check_dtype=False, obj=table)
        assert len(warehouse.read_table(warehouse_url, "indicators", "2024")) > 1000
    finally:
        warehouse.engine(warehouse_url).dispose()
        with pg_server.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{warehouse_db}" WITH (FORCE)'))


def test_a_step_process_without_the_runs_warehouse_stops_instead_of_writing_elsewhere(tmp_path, monkeypatch):
    """A Dask worker rebuilds the job from its plain arguments, the warehouse's password only from
    its own environment: a worker started without it must not fall back to the default warehouse."""
    import dagster as dg

    from pipeline.definitions import edition_job_for
    from pipeline.settings import WAREHOUSE_ENV

    monkeypatch.delenv(WAREHOUSE_ENV, raising=False)
    paths = {"home": str(tmp_path / "home"), "sources": str(tmp_path / "in"), "out": str(tmp_path / "out")}
    shown = "postgresql+psycopg://techpact:***@db.example:5432/monitor"
    with pytest.raises(dg.DagsterInvariantViolationError, match=WAREHOUSE_ENV) as refused:
        edition_job_for("in_process", **paths, warehouse_shown=shown)
    assert "sqlite" in str(refused.value) and shown in str(refused.value)

    monkeypatch.setenv(WAREHOUSE_ENV, "postgresql+psycopg://techpact:secret@db.example:5432/monitor")
    assert edition_job_for("in_process", **paths, warehouse_shown=shown).name == "edition_build"
    monkeypatch.delenv(WAREHOUSE_ENV)
    # a URL without a password is the URL itself: a worker needs nothing in its environment
    plain = "postgresql+psycopg://techpact@db.example:5432/monitor"
    assert edition_job_for("in_process", **paths, warehouse_shown=plain).name == "edition_build"
