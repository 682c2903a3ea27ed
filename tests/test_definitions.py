"""The code location loads and validates as Dagster sees it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipeline.settings import PROJECT_ROOT


def validate(env: dict) -> subprocess.CompletedProcess:
    """`dagster definitions validate -m pipeline.definitions` from the repository root."""
    return run([sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipeline.definitions"], env)


def check_defs(env: dict) -> subprocess.CompletedProcess:
    """`dg check defs` from the repository root: the project as pyproject.toml's [tool.dg] describes it."""
    dg = Path(sys.executable).parent / "dg"
    assert dg.exists(), f"{dg} is missing: dagster-dg-cli is a development dependency (requirements.lock)"
    return run([str(dg), "check", "defs"], env)


def run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dagster_definitions_validate(tmp_path):
    result = validate({**os.environ, "DAGSTER_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_dagster_tools_work_from_the_repository_root_with_no_environment(tmp_path):
    """As a Dagster user expects: no DAGSTER_HOME or TECHPACT_* variable, and also with DAGSTER_HOME on
    the instance `techpact` installs (Dagster's own storage: nothing in it needs another variable);
    `dg check defs` too, with no variable set."""
    from pipeline.settings import Settings, prepare_dagster_home

    bare = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "TECHPACT_"))}
    saved = os.environ.get("DAGSTER_HOME")
    try:
        installed = prepare_dagster_home(Settings(home=tmp_path / "home"))
    finally:
        if saved is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = saved
    for env in (bare, {**bare, "DAGSTER_HOME": str(installed)}):
        result = validate(env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "PostProcessingError" not in result.stdout + result.stderr
    result = check_defs(bare)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All definitions loaded successfully" in result.stdout + result.stderr


def test_asset_graph_stages():
    from pipeline.definitions import build_defs

    graph = build_defs().resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups["landing_duo_ho_first_years"] == "sources"
    assert groups["raw_duo_ho_first_years"] == "raw"
    assert groups["ho_first_years"] == "core"
    assert groups["ho_first_years_classified"] == "classification"
    assert groups["stem_bridge"] == groups["definition_changes"] == groups["definition_comparison"] == "classification"
    assert groups["indicators"] == "indicators"
    assert groups["edition_release"] == "publication"
