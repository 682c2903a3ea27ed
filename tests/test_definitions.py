"""The code location loads and validates as Dagster sees it."""

from __future__ import annotations

import os
import subprocess
import sys

from pipeline.settings import PROJECT_ROOT


def test_dagster_definitions_validate(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipeline.definitions"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


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
