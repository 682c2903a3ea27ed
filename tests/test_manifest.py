"""The edition manifest names every reference file the build read, and `techpact verify` checks them.

The shared sample build runs with the reference loader's open log on (pipeline.reference.OPEN_LOG,
set in tests/conftest.py): every process of the build appends the reference files it opens. The
manifest must list each of them with the same sha256."""

from __future__ import annotations

import json
import shutil

import pytest

from pipeline import reference, verify

pytestmark = pytest.mark.e2e


def _opened(sample_build) -> dict[str, set[str]]:
    opened: dict[str, set[str]] = {}
    for line in sample_build.reference_log.read_text(encoding="utf-8").splitlines():
        path, digest = line.split("\t")
        opened.setdefault(path, set()).add(digest)
    return opened


def test_the_manifest_lists_every_reference_file_the_build_opened(sample_build):
    opened = _opened(sample_build)
    # the tables the old manifest left out are among those the build reads
    for table in (
        "regions/municipalities.csv",
        "regions/municipal_mergers.csv",
        "indicators/targets.csv",
        "indicators/parameters.csv",
        "stem/nl_technical_occupations.csv",
    ):
        assert table in opened, f"the build did not open {table}: is the open log written?"
    assert any(path.endswith(".topojson") for path in opened)
    manifest = json.loads((sample_build.edition_dir / "manifest.json").read_text(encoding="utf-8"))
    listed = {t["path"]: t["sha256"] for t in manifest["reference_tables"]}
    missing = sorted(set(opened) - set(listed))
    assert not missing, f"opened by the build, not in the manifest: {missing}"
    changed = sorted(p for p, digests in opened.items() if digests != {listed[p]})
    assert not changed, f"the manifest's sha256 differs from what the build read: {changed}"
    for entry in manifest["reference_tables"]:
        assert entry["id"] and entry["sha256"] and entry["path"]
    assert manifest["reference_parameters"]["disclosure_threshold"]
    assert manifest["code"]["tree_sha256"]


def test_verify_checks_reference_tables_parameters_and_code(sample_build, tmp_path, monkeypatch):
    edition = tmp_path / "edition"
    shutil.copytree(sample_build.edition_dir, edition)
    findings, _ = verify.verify(edition, None, check_inputs=False)
    assert findings == []
    assert verify.verify_reference(json.loads((edition / "manifest.json").read_text()))[0] == []

    # an override that replaces the merger table: verify names it
    manifest = json.loads((edition / "manifest.json").read_text())
    entry = next(t for t in manifest["reference_tables"] if t["path"] == "regions/municipal_mergers.csv")
    overrides = tmp_path / "overrides"
    overrides.mkdir()
    source = reference.table_path("regions/municipal_mergers.csv")
    shutil.copyfile(source.with_suffix(".meta.toml"), (overrides / source.name).with_suffix(".meta.toml"))
    lines = source.read_text(encoding="utf-8").splitlines()  # the table without its last merger
    (overrides / source.name).write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    monkeypatch.setenv("TECHPACT_REFERENCE_OVERRIDES", str(overrides))
    found = verify.verify_reference(manifest)[0]
    assert [(f.kind, f.path, f.problem) for f in found] == [("reference", entry["path"], "changed")]
    monkeypatch.delenv("TECHPACT_REFERENCE_OVERRIDES")

    # a parameter and the code version recorded otherwise than the checkout has them
    manifest["reference_parameters"]["disclosure_threshold"] = "5"
    manifest["code"]["tree_sha256"] = "0" * 64
    kinds = sorted((f.kind, f.path) for f in verify.verify_reference(manifest)[0])
    assert kinds == [("code", "tree_sha256"), ("reference", "parameter disclosure_threshold")]
