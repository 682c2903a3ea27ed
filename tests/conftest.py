"""Shared fixtures: the generated sample, one build of the sample edition that the read-only tests
share, the real files in ../shared/realdata, a PostgreSQL database, a synthetic rendered edition."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT

REALDATA = Path(os.environ.get("TECHPACT_REALDATA", PROJECT_ROOT.parent / "shared" / "realdata"))
PG_ADMIN_URL = os.environ.get("TECHPACT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

SAMPLE_EDITION = "2024"
REFERENCE_LOG = "reference-opened.log"  # the reference files the shared sample build opened
SAMPLE_LANGUAGES = "nl,en"


@pytest.fixture(scope="session", autouse=True)
def _own_home(tmp_path_factory):
    """The tests never read or write the checkout's own home, output and warehouse (what `make monitor`
    built there): the defaults point into the test run's temporary folder, and a warehouse URL or
    Dagster home of the caller's environment is set aside."""
    root = tmp_path_factory.mktemp("default-home")
    names = ("TECHPACT_HOME", "TECHPACT_OUT", "TECHPACT_WAREHOUSE_URL", "DAGSTER_HOME")
    saved = {name: os.environ.pop(name, None) for name in names}
    os.environ.update(TECHPACT_HOME=str(root / ".techpact"), TECHPACT_OUT=str(root / "out"))
    yield
    for name, value in saved.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value


# modules that take longest, run first (pytest-xdist hands out whole modules in this order, see the
# Makefile), so that the others fill in beside them; the first builds the shared sample edition
LONGEST_FIRST = (
    "test_build_end_to_end.py",
    "test_audit.py",
    "test_publish_report.py",
    "test_explain_cells.py",
    "test_scale_out.py",
    "test_crash_safety.py",
    "test_contracts.py",
    "test_packaging.py",
    "test_realdata_build.py",
    "test_site_browser.py",
)


def pytest_collection_modifyitems(items) -> None:
    """A test that reads the shared sample build is an end-to-end test (marker e2e); the longest
    modules come first."""
    for item in items:
        if "sample_build" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real DUO/CBS files not found at {REALDATA} (they live beside the checkout in ../shared)")
    return REALDATA


def _run_folder(tmp_path_factory) -> Path:
    """A folder of this test run that every pytest-xdist worker of the run shares."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """The embedded sample (`<edition>/<deliveries>`), generated once per test run (deterministic).
    Read-only: a test that changes a delivery copies the folder first."""
    from pipeline.sample.generate import generate

    root = _run_folder(tmp_path_factory)
    folder = root / "sample"
    with _exclusive(root / "sample.lock"):
        if not (root / "sample.done").exists():
            generate(folder)
            (root / "sample.done").touch()
    return folder


@dataclass(frozen=True)
class SampleBuild:
    """What `techpact build --edition 2024 --lang nl,en` made from the embedded sample.

    home: TECHPACT_HOME (Dagster instance in home/dagster, stored asset outputs in home/storage);
    out: the output folder (out/2024 links to the released edition); edition_dir: out/2024;
    warehouse_url: its SQLite warehouse; sample_dir: the deliveries it was built from (sample_dir/2024);
    reference_log: the reference files the build opened (path, sha256; pipeline.reference.OPEN_LOG)."""

    home: Path
    out: Path
    edition_dir: Path
    warehouse_url: str
    sample_dir: Path
    edition: str = SAMPLE_EDITION
    reference_log: Path | None = None

    def copy(self, target: Path) -> SampleBuild:
        """A private, writable copy of the build's home, output folder and warehouse under `target`
        (the release links stay relative); the sample deliveries are shared, read-only."""
        target.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.home, target / "home", symlinks=True)
        shutil.copytree(self.out, target / "out", symlinks=True)
        return SampleBuild(
            home=target / "home",
            out=target / "out",
            edition_dir=target / "out" / self.edition,
            warehouse_url=f"sqlite:///{target / 'home' / 'warehouse.sqlite'}",
            sample_dir=self.sample_dir,
            edition=self.edition,
        )


@contextlib.contextmanager
def _exclusive(path: Path):
    """An exclusive file lock: with pytest-xdist the first worker builds, the others wait for it."""
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory, sample_dir) -> SampleBuild:
    """The sample edition 2024 in Dutch and English, built once per test run by the real command
    (`python -m pipeline.cli build`, in its own process) and shared by every test that only reads it.

    Tests must not modify anything in it (files, warehouse, Dagster instance): a test that publishes,
    refreshes, kills or otherwise changes a build works on `sample_build.copy(tmp_path)`."""
    root = _run_folder(tmp_path_factory)
    folder = root / "sample-build"
    with _exclusive(root / "sample-build.lock"):
        done, failed = folder / "built", folder / "failed"
        if failed.exists():  # another worker's build failed: say so once, do not build again
            pytest.fail(failed.read_text(encoding="utf-8"))
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
            env.update(
                TECHPACT_HOME=str(folder / "home"),
                PYTHONWARNINGS="ignore",
                TECHPACT_REFERENCE_LOG=str(folder / REFERENCE_LOG),  # what the build opens (test_manifest.py)
            )
            command = [sys.executable, "-m", "pipeline.cli", "build", "--sources", str(sample_dir)]
            command += ["--edition", SAMPLE_EDITION, "--lang", SAMPLE_LANGUAGES, "--out", str(folder / "out")]
            build = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=1800)
            (folder / "build.log").write_text(build.stdout + build.stderr, encoding="utf-8")
            if build.returncode != 0:
                failed.write_text(f"the shared sample build failed (exit {build.returncode}):\n{build.stderr[-4000:]}")
                pytest.fail(failed.read_text(encoding="utf-8"))
            done.touch()
    return SampleBuild(
        home=folder / "home",
        out=folder / "out",
        edition_dir=folder / "out" / SAMPLE_EDITION,
        warehouse_url=f"sqlite:///{folder / 'home' / 'warehouse.sqlite'}",
        sample_dir=sample_dir,
        reference_log=folder / REFERENCE_LOG,
    )


@pytest.fixture(scope="session")
def pg_server():
    """An engine on the PostgreSQL server; skips without one, but fails in CI where it must exist."""
    import sqlalchemy as sa

    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_ADMIN_URL}: {error}")
        pytest.skip(f"no PostgreSQL server at {PG_ADMIN_URL}: {error}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_server):
    """URL of a fresh, empty database, dropped afterwards (tests in parallel sessions don't collide)."""
    import sqlalchemy as sa

    name = f"techpact_test_{uuid.uuid4().hex[:12]}"
    with pg_server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = pg_server.url.set(database=name).render_as_string(hide_password=False)
    yield url
    sa.create_engine(url).dispose()
    with pg_server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def synthetic_edition(tmp_path_factory) -> Path:
    """A full edition (PDF nl/en, site, downloads) rendered from the synthetic regional indicator
    table of tests/publish_fixtures.py, without Dagster; shared by the publication tests."""
    from publish_fixtures import render_edition

    stage = tmp_path_factory.mktemp("edition") / "2024"
    render_edition(stage)
    return stage
