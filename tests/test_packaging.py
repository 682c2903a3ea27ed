"""The project installs as a package (`pip install .`, not editable) and works outside the checkout:
every package is in it, the reference tables, report templates and Dagster instance configurations
come with it as package data, and `techpact sample` + `techpact build` run from any directory with
their working folders there (./data/sample, ./.techpact, ./out)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e

# what a source distribution holds: the build configuration, the packages and their data
SOURCE = ("pyproject.toml", "README.md", "pipeline", "assets", "schemas", "reference", "report_templates")
PACKAGES = ("pipeline", "assets", "schemas", "reference", "report_templates")


def _files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def run(command: list, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def test_the_installed_package_builds_the_sample_edition_from_any_directory(tmp_path, request):
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCE:
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(PROJECT_ROOT / name, source / name)
    # a fresh environment that sees the project's installed dependencies (their folder on its path, not
    # the project's own editable install, whose hook lives in a .pth file of that folder and is not run)
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, dict(os.environ))
    [site] = (venv / "lib").glob("python3*/site-packages")
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TECHPACT_", "DAGSTER_", "PYTHON"))}
    env["PYTHONWARNINGS"] = "ignore"
    python = venv / "bin" / "python"
    run(
        [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--quiet", source],
        tmp_path,
        env,
    )

    # the packages and every data file are installed; the code finds them there
    where = run(
        [
            python,
            "-c",
            "import pipeline, pipeline.indicators, pipeline.settings as s; print(pipeline.__file__); "
            "print(s.REFERENCE_DIR); print(s.TEMPLATE_DIR); print(s.instance_yaml())",
        ],
        tmp_path,
        env,
    ).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where
    for name in PACKAGES:  # the code and every data file beside it
        assert _files(site / name) == _files(PROJECT_ROOT / name), name

    # run from an empty directory: the sample, the instance and the edition are written there
    work = tmp_path / "work"
    work.mkdir()
    run([venv / "bin" / "techpact", "sample"], work, env)
    # one language: the English templates are among the installed files checked above
    run([venv / "bin" / "techpact", "build", "--lang", "nl"], work, env)
    assert (work / "data" / "sample" / "2024").is_dir()
    assert (work / ".techpact" / "warehouse.sqlite").is_file() and (work / ".techpact" / "dagster").is_dir()
    published = work / "out" / "2024"
    assert (published / "monitor-2024-nl.pdf").is_file() and (published / "index.html").is_file()
    # the same figures as the build in the checkout (asked for now: it may be built meanwhile)
    checkout = request.getfixturevalue("sample_build")
    assert (published / "indicators.csv").read_bytes() == (checkout.edition_dir / "indicators.csv").read_bytes()
