"""Shared fixtures: the generated sample, the real files in ../shared/realdata, a PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT

REALDATA = Path(os.environ.get("TECHPACT_REALDATA", PROJECT_ROOT.parent / "shared" / "realdata"))
PG_ADMIN_URL = os.environ.get("TECHPACT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real DUO/CBS files not found at {REALDATA} (they live beside the checkout in ../shared)")
    return REALDATA


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """The embedded sample, generated once per test session (deterministic)."""
    from pipeline.sample.generate import generate

    out = tmp_path_factory.mktemp("sample")
    generate(out)
    return out


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
