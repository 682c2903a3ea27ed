"""Asset code versions come from the code (pipeline.code_versions): a changed function changes them."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

from pipeline.code_versions import code_version
from pipeline.settings import PROJECT_ROOT

PROBE = "pipeline._code_version_probe"  # a module of the project's package, read from a test folder
SOURCE = """
FACTOR = 2
LEVELS = frozenset({"hbo", "wo"})
_CACHE = {}


def helper(x):
    return x * FACTOR


def unrelated():
    return 1


def compute(x):
    _CACHE[x] = x
    return helper(x) + len(LEVELS)
"""


@pytest.fixture
def load(tmp_path):
    def load(text: str):
        path = tmp_path / "probe.py"
        path.write_text(text, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(PROBE, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[PROBE] = module
        spec.loader.exec_module(module)
        return module

    yield load
    sys.modules.pop(PROBE, None)


def test_a_changed_function_or_what_it_uses_changes_the_code_version(load):
    version = code_version(load(SOURCE).compute)
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert code_version(load(SOURCE).compute) == version  # the same code imported again
    changed = {
        "the function": SOURCE.replace("helper(x) + len", "helper(x) - len"),
        "a helper it calls": SOURCE.replace("x * FACTOR", "x * FACTOR + 1"),
        "a constant it uses": SOURCE.replace("FACTOR = 2", "FACTOR = 3"),
        "a set it uses": SOURCE.replace('{"hbo", "wo"}', '{"hbo", "wo", "mbo"}'),
    }
    for what, text in changed.items():
        assert code_version(load(text).compute) != version, what
    # code the function does not use leaves its version as it is, and so does what it has run
    assert code_version(load(SOURCE.replace("return 1", "return 2")).compute) == version
    module = load(SOURCE)
    module.compute(3)  # fills the module's cache
    assert code_version(module.compute) == version


def asset_versions_script() -> str:
    return (
        "import json, dagster as dg\n"
        "from pipeline.definitions import ASSET_MODULES\n"
        "from pipeline.code_versions import with_code_versions\n"
        "assets = with_code_versions(dg.load_assets_from_modules(list(ASSET_MODULES)))\n"
        "print(json.dumps({k.to_user_string(): v for a in assets if isinstance(a, dg.AssetsDefinition)"
        " for k, v in a.code_versions_by_key.items()}))\n"
    )


def test_every_asset_has_a_code_version_from_its_code_the_same_in_every_import():
    from pipeline.definitions import build_defs

    graph = build_defs().resolve_asset_graph()
    versions = {key.to_user_string(): graph.get(key).code_version for key in graph.materializable_asset_keys}
    assert versions and all(re.fullmatch(r"[0-9a-f]{12}", v or "") for v in versions.values()), versions
    assert versions["ho_first_years"] != versions["indicators"]
    # another process, another hash seed: the same versions
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", asset_versions_script()],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == versions
