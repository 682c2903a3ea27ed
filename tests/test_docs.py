"""The documentation site: its generated pages are those the code gives, and every page is in the nav."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("build_docs", ROOT / "tools" / "build_docs.py")
build_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_docs)


def test_generated_pages_are_current():
    for path, text in build_docs.pages().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python tools/build_docs.py"


def test_dictionary_lists_every_model_with_its_columns():
    page = build_docs.dictionary_page()
    for _module, model in build_docs.models():
        assert f"### {model.__name__}\n" in page
        for column in model.to_schema().columns:
            assert f"| `{column}` |" in page, (model.__name__, column)


def _nav_files(entries) -> list[str]:
    files = []
    for entry in entries:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            files += _nav_files(value) if isinstance(value, list) else [value]
    return files


def test_every_docs_page_is_in_the_nav():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert set(_nav_files(config["nav"])) == pages
