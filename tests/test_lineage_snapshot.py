"""Lineage in Dagster: every asset carries its metadata, and the asset graph matches the committed
snapshot, so any lineage change (new asset, new dependency, moved group, new check, job, schedule
or sensor) shows up in review. After an intended change:

    .venv/bin/python -m pipeline.lineage --write
"""

from __future__ import annotations

import difflib
import json

from pipeline import lineage

TABULAR_GROUPS = {"raw", "core", "classification", "indicators"}
NOT_TABULAR = {"landing_inventory"}  # the file list of the landing area, no Pandera model


def test_asset_graph_matches_the_committed_snapshot():
    current = lineage.render(lineage.snapshot())
    committed = lineage.SNAPSHOT.read_text(encoding="utf-8")
    if current != committed:
        changes = "".join(
            difflib.unified_diff(committed.splitlines(True), current.splitlines(True), "committed", "current", n=2)
        )
        raise AssertionError(
            "the asset graph changed; review the difference and, if intended, run "
            "`.venv/bin/python -m pipeline.lineage --write`\n" + changes[:6000]
        )


def test_every_asset_carries_its_lineage_metadata():
    snap = json.loads(lineage.render(lineage.snapshot()))
    for name, asset in snap["assets"].items():
        assert asset["group"] and asset["group"] != "default", name
        assert asset["has_description"], name
        if not asset["materializable"]:
            continue  # observable sources: data version = sha256 of the files
        assert asset["owners"], name
        assert asset["kinds"], name
        assert asset["code_version"], name
        assert asset["code_references"], name
        if asset["group"] in TABULAR_GROUPS and name not in NOT_TABULAR:
            assert asset["columns"], f"{name}: no column schema (metadata dagster/column_schema from its Pandera model)"
    jobs = snap["jobs"]
    assert jobs["edition_build"]["retries"] > 0 and jobs["labour_market_refresh"]["retries"] > 0
    assert set(snap["schedules"]) == {"yearly_edition", "quarterly_labour_market_refresh"}
    assert snap["sensors"]["landing_area_sensor"]["jobs"] == ["edition_build", "labour_market_refresh"]
