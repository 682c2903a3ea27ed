"""Operations: instance configuration, the landing-area sensor, the schedules, the refresh selection."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest
import yaml

import pipeline
from pipeline.settings import Settings, instance_yaml, prepare_dagster_home


@pytest.fixture(autouse=True)
def _no_current_instance_left_behind():
    """Dagster keeps the storage of the instance last entered in a context variable; leave none
    behind for the tests of other modules."""
    from dagster._core.storage.defs_state import base

    token = base._current_storage.set(None)
    yield
    try:
        base._current_storage.reset(token)
    except ValueError:
        base._current_storage.set(None)


# --- instance configuration ---------------------------------------------------------------------

PACKAGE = Path(pipeline.__file__).parent  # the instance configurations ship with the package


def test_instance_file_is_chosen_by_configuration(monkeypatch):
    monkeypatch.delenv("TECHPACT_DAGSTER_YAML", raising=False)
    monkeypatch.delenv("TECHPACT_INSTANCE", raising=False)
    assert instance_yaml() == PACKAGE / "dagster.yaml"
    monkeypatch.setenv("TECHPACT_INSTANCE", "postgres")
    for name in ("TECHPACT_PG_HOST", "TECHPACT_PG_PORT", "TECHPACT_PG_USER", "TECHPACT_PG_PASSWORD", "TECHPACT_PG_DB"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="TECHPACT_PG_HOST"):
        instance_yaml()
    for name, value in (
        ("TECHPACT_PG_HOST", "db"),
        ("TECHPACT_PG_PORT", "5432"),
        ("TECHPACT_PG_USER", "u"),
        ("TECHPACT_PG_PASSWORD", ""),
        ("TECHPACT_PG_DB", "dagster"),
    ):
        monkeypatch.setenv(name, value)
    assert instance_yaml() == PACKAGE / "dagster.postgres.yaml"
    monkeypatch.setenv("TECHPACT_INSTANCE", "mysql")
    with pytest.raises(ValueError, match="mysql"):
        instance_yaml()


def test_both_instance_files_share_queue_monitoring_retention_and_telemetry():
    sqlite = yaml.safe_load((PACKAGE / "dagster.yaml").read_text())
    postgres = yaml.safe_load((PACKAGE / "dagster.postgres.yaml").read_text())
    # Dagster's own SQLite storage under $DAGSTER_HOME: no storage section, no event log of the project's
    assert "storage" not in sqlite and "event_log_storage" not in sqlite
    db = postgres["storage"]["postgres"]["postgres_db"]
    assert db["scheme"] == "postgresql+psycopg2"
    assert all(
        isinstance(db[k], dict) and "env" in db[k] for k in ("hostname", "username", "password", "db_name", "port")
    )
    for config in (sqlite, postgres):
        limits = {item["key"]: item for item in config["run_coordinator"]["config"]["tag_concurrency_limits"]}
        assert limits["techpact/edition"]["limit"] == 1
        assert limits["techpact/edition"]["value"] == {"applyLimitPerUniqueValue": True}
        assert config["run_monitoring"]["enabled"] is True
        assert config["telemetry"]["enabled"] is False
        assert config["nux"]["enabled"] is False  # no community pop-up over the UI
        assert "retention" in config
    storage = ("storage", "event_log_storage")
    assert {k: v for k, v in sqlite.items() if k not in storage} == {
        k: v for k, v in postgres.items() if k not in storage
    }


def test_sqlite_instance_loads_with_the_queue_limits(tmp_path, monkeypatch):
    monkeypatch.delenv("TECHPACT_INSTANCE", raising=False)
    monkeypatch.delenv("TECHPACT_DAGSTER_YAML", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", "")  # restored after the test
    home = prepare_dagster_home(Settings(home=tmp_path))
    assert os.environ["DAGSTER_HOME"] == str(home)
    with dg.DagsterInstance.get() as instance:
        assert not instance.is_ephemeral
        assert instance.run_coordinator.__class__.__name__ == "QueuedRunCoordinator"
        keys = {limit["key"] for limit in instance.run_coordinator.get_run_queue_config().tag_concurrency_limits}
        assert {"techpact/edition", "dagster/partition"} <= keys
        assert instance.run_monitoring_enabled
        assert not instance.telemetry_enabled
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"  # Dagster's own
        assert (home / "history" / "runs.db").is_file()  # Dagster's own layout under $DAGSTER_HOME


# --- the landing-area sensor --------------------------------------------------------------------


@pytest.fixture
def landing(sample_dir, tmp_path) -> Path:
    root = tmp_path / "landing"
    for edition in ("2023", "2024"):
        shutil.copytree(sample_dir / edition, root / edition)
    return root


def _defs(landing: Path, tmp_path: Path):
    from pipeline.definitions import build_defs

    return build_defs(Settings(home=tmp_path / "home", sources=landing, out=tmp_path / "out"))


@pytest.fixture
def test_instance():
    """A throwaway instance, entered before any Definitions resolve (Dagster keeps the current one)."""
    with dg.instance_for_test() as instance:
        yield instance


def _tick(defs, cursor: str | None, instance):
    sensor = defs.get_sensor_def("landing_area_sensor")
    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        repository_def=defs.get_repository_def(),
        resources={"landing": defs.resources["landing"]},
    )
    return sensor(context)


def test_sensor_starts_a_run_on_a_new_or_changed_delivery_only(landing, tmp_path, test_instance):
    defs = _defs(landing, tmp_path)
    first = _tick(defs, None, test_instance)
    assert sorted(r.partition_key for r in first.run_requests) == ["2023", "2024"]
    assert all(
        r.tags["techpact/edition"] == r.partition_key and r.job_name == "edition_build" for r in first.run_requests
    )
    cursor = json.loads(first.cursor)
    victim = sorted((landing / "2024").glob("*hbo*.csv"))[0]
    assert set(cursor["2024"]) == {p.name for p in (landing / "2024").iterdir() if not p.name.startswith(".")}

    unchanged = _tick(defs, first.cursor, test_instance)
    assert unchanged.run_requests == []

    # same bytes, new modification time (a re-copy): no run
    stat = victim.stat()
    os.utime(victim, (stat.st_atime + 3600, stat.st_mtime + 3600))
    assert _tick(defs, first.cursor, test_instance).run_requests == []

    # one changed byte: a run for that edition only
    data = bytearray(victim.read_bytes())
    position = data.rindex(b";") + 1
    data[position : position + 1] = b"9" if data[position : position + 1] != b"9" else b"8"
    victim.write_bytes(bytes(data))
    changed = _tick(defs, first.cursor, test_instance)
    assert [r.partition_key for r in changed.run_requests] == ["2024"]
    request = changed.run_requests[0]
    assert request.job_name == "edition_build" and request.tags["techpact/edition"] == "2024"
    assert victim.name in request.tags["techpact/reason"]
    assert json.loads(changed.cursor)["2024"][victim.name] != cursor["2024"][victim.name]

    # a new delivery (a new file) also starts a run
    shutil.copyfile(victim, landing / "2023" / "extra-copy.csv")
    new = _tick(defs, changed.cursor, test_instance)
    assert [r.partition_key for r in new.run_requests] == ["2023"]
    assert "extra-copy.csv" in new.run_requests[0].tags["techpact/reason"]


def test_sensor_run_keys_follow_content(landing, tmp_path, test_instance):
    defs = _defs(landing, tmp_path)
    keys = {r.partition_key: r.run_key for r in _tick(defs, None, test_instance).run_requests}
    victim = sorted((landing / "2023").glob("*wo*.csv"))[0]
    victim.write_bytes(victim.read_bytes() + b"\n")
    again = {r.partition_key: r.run_key for r in _tick(defs, None, test_instance).run_requests}
    assert again["2024"] == keys["2024"]
    assert again["2023"] != keys["2023"]


# --- schedules ----------------------------------------------------------------------------------


def test_yearly_schedule_requests_the_edition_of_its_year(landing, tmp_path, test_instance):
    defs = _defs(landing, tmp_path)
    schedule = defs.get_schedule_def("yearly_edition")
    assert schedule.cron_schedule == "0 6 1 6 *"
    instance = test_instance
    context = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2024, 6, 1, 6),
        resources={"landing": defs.resources["landing"]},
        repository_def=defs.get_repository_def(),
    )
    requests = list(schedule.evaluate_tick(context).run_requests)
    assert [(r.partition_key, r.tags["techpact/edition"]) for r in requests] == [("2024", "2024")]
    context = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2025, 6, 1, 6),
        resources={"landing": defs.resources["landing"]},
        repository_def=defs.get_repository_def(),
    )
    result = schedule.evaluate_tick(context)
    assert not result.run_requests and "2025" in result.skip_message


def test_quarterly_refresh_requests_the_latest_landed_edition(landing, tmp_path, test_instance):
    from pipeline.dagster_support import LandingArea
    from pipeline.definitions import labour_market_selection, latest_landed_edition

    area = LandingArea(root=str(landing))
    assert latest_landed_edition(area) == "2024"
    assert latest_landed_edition(area, up_to=2023) == "2023"
    assert latest_landed_edition(area, up_to=2020) is None
    defs = _defs(landing, tmp_path)
    schedule = defs.get_schedule_def("quarterly_labour_market_refresh")
    assert schedule.cron_schedule == "0 6 15 1,4,7,10 *"
    instance = test_instance
    context = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2025, 1, 15, 6),
        resources={"landing": defs.resources["landing"]},
        repository_def=defs.get_repository_def(),
    )
    result = schedule.evaluate_tick(context)
    if labour_market_selection().resolve(defs.resolve_asset_graph()):
        assert [(r.partition_key, r.job_name, r.tags["techpact/edition"]) for r in result.run_requests] == [
            ("2024", "labour_market_refresh", "2024")
        ]
    else:  # until a labour-market source family exists, the refresh has nothing to do
        assert not result.run_requests and "labour-market" in result.skip_message


# --- the refresh job's selection ----------------------------------------------------------------


def test_family_domain_by_publisher_and_by_the_catalogue(monkeypatch):
    import pandas as pd

    from assets import sources
    from pipeline import reference

    assert sources.family_domain("duo_ho_first_years") == "education"
    assert sources.family_domain("uwv_vacancies") == "labour_market"
    assert sources.family_domain("cbs_labour_force") == "labour_market"
    table = reference.load("indicators/catalogue.csv")
    frame = pd.concat(
        [
            table.frame,
            pd.DataFrame(
                [
                    {
                        **dict.fromkeys(table.frame.columns, ""),
                        "indicator_id": "x",
                        "strand": "Werken",
                        "source_families": "duo_graduates;roa_survey",
                    }
                ]
            ),
        ]
    )
    monkeypatch.setattr(reference, "load", lambda path: type("T", (), {"frame": frame})())
    assert sources.family_domain("roa_survey") == "labour_market"
    assert sources.family_domain("duo_ho_first_years") == "education"


def test_refresh_job_selects_only_what_depends_on_labour_market_sources(test_instance):
    """A labour-market family added like any other is picked up by the refresh job, with its downstream."""
    from assets import sources
    from pipeline.definitions import REFRESH_JOB, build_defs, labour_market_selection

    base = build_defs()
    labour_source = sources.landing_source("uwv_vacancies_test", "UWV vacancies (test family)")

    @dg.asset(deps=[labour_source.key], group_name="core")
    def vacancies_core() -> None: ...

    @dg.asset(deps=[vacancies_core, dg.AssetKey("indicators")], group_name="indicators")
    def labour_indicators() -> None: ...

    graph_defs = dg.Definitions(
        assets=[*base.assets, labour_source, vacancies_core, labour_indicators], resources=base.resources
    )
    selected = {k.to_user_string() for k in labour_market_selection().resolve(graph_defs.resolve_asset_graph())}
    assert {"vacancies_core", "labour_indicators"} <= selected
    assert not selected & {
        "raw_duo_ho_first_years",
        "ho_first_years",
        "uwv_vacancies_test",
        "landing_uwv_vacancies_test",
    }

    # on the shipped code location: exactly the materialisable assets with a labour-market source upstream
    for defs in (graph_defs, base):
        graph = defs.resolve_asset_graph()
        labour = {
            k for k in graph.get_all_asset_keys() if graph.get(k).tags.get(sources.DOMAIN_TAG) == sources.LABOUR_MARKET
        }

        def upstream(key, graph=graph, seen=None):
            seen = set() if seen is None else seen
            for parent in graph.get(key).parent_keys:
                if parent not in seen:
                    seen.add(parent)
                    upstream(parent, graph, seen)
            return seen

        expected = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable and upstream(k) & labour}
        assert set(labour_market_selection().resolve(graph)) == expected
    assert dg.AssetKey("raw_duo_ho_first_years") not in set(
        base.resolve_job_def(REFRESH_JOB).asset_layer.selected_asset_keys
    )
