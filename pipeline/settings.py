"""Where the pipeline reads and writes: one place for paths and environment variables."""

from __future__ import annotations

import importlib.resources
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# shipped with the code as package data (found where the packages are installed)
REFERENCE_DIR = Path(importlib.resources.files("reference"))
TEMPLATE_DIR = Path(importlib.resources.files("report_templates"))
# the working folders' defaults: in a source checkout (pyproject.toml beside the packages) inside the
# checkout; installed from a wheel, in the directory the command runs in (./.techpact, ./out, ./data/sample)
WORK_DIR = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()
SAMPLE_DIR = WORK_DIR / "data" / "sample"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


WAREHOUSE_ENV = "TECHPACT_WAREHOUSE_URL"  # the warehouse URL travels in the environment, never in run config


def mask_url(url: str) -> str:
    """A database URL fit to print or store: its password replaced by ***."""
    try:
        import sqlalchemy as sa

        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: mask whatever sits between ':' and '@'
        import re

        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


@dataclass(frozen=True)
class Settings:
    """Run settings; every field can come from the CLI or from a TECHPACT_* variable."""

    home: Path = field(default_factory=lambda: _env_path("TECHPACT_HOME", WORK_DIR / ".techpact"))
    sources: Path = field(default_factory=lambda: _env_path("TECHPACT_SOURCES", SAMPLE_DIR))
    out: Path = field(default_factory=lambda: _env_path("TECHPACT_OUT", WORK_DIR / "out"))
    warehouse_url: str = field(default_factory=lambda: os.environ.get(WAREHOUSE_ENV, ""))

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def storage_dir(self) -> Path:
        """Where the IO manager keeps asset outputs (Parquet): runs/<run id>/<asset>/<edition>."""
        return self.home / "storage"

    @property
    def warehouse(self) -> str:
        return self.warehouse_url or f"sqlite:///{self.home / 'warehouse.sqlite'}"

    @property
    def warehouse_shown(self) -> str:
        """The warehouse URL as messages show it (password masked)."""
        return mask_url(self.warehouse)

    def warehouse_environment(self) -> dict[str, str]:
        """The environment that carries a chosen warehouse URL (WAREHOUSE_ENV) to the Dagster resource
        (`dg.EnvVar`) and to child processes: never part of a run's configuration, job origin or event
        log. Empty for the default SQLite warehouse under the home folder (no secret in its path)."""
        return {WAREHOUSE_ENV: self.warehouse_url} if self.warehouse_url else {}

    @contextmanager
    def exported_warehouse(self) -> Iterator[None]:
        """This process's environment carries the warehouse URL (see `warehouse_environment`) meanwhile."""
        saved = os.environ.get(WAREHOUSE_ENV)
        os.environ.update(self.warehouse_environment())
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop(WAREHOUSE_ENV, None)
            else:
                os.environ[WAREHOUSE_ENV] = saved


INSTANCE_FILES = {"sqlite": "dagster.yaml", "postgres": "dagster.postgres.yaml"}
POSTGRES_ENV = ("TECHPACT_PG_HOST", "TECHPACT_PG_PORT", "TECHPACT_PG_USER", "TECHPACT_PG_PASSWORD", "TECHPACT_PG_DB")


def instance_yaml() -> Path:
    """The instance configuration to install: TECHPACT_DAGSTER_YAML (a file) wins, else
    TECHPACT_INSTANCE chooses between the package's SQLite (default) and PostgreSQL files."""
    explicit = os.environ.get("TECHPACT_DAGSTER_YAML")
    if explicit:
        return Path(explicit)
    kind = os.environ.get("TECHPACT_INSTANCE", "sqlite") or "sqlite"
    if kind not in INSTANCE_FILES:
        raise ValueError(f"TECHPACT_INSTANCE={kind!r}: use one of {', '.join(INSTANCE_FILES)}")
    if kind == "postgres":
        missing = [name for name in POSTGRES_ENV if name not in os.environ]
        if missing:
            raise ValueError(
                f"TECHPACT_INSTANCE=postgres needs {', '.join(missing)} (TECHPACT_PG_PASSWORD may be empty)"
            )
    return Path(__file__).parent / INSTANCE_FILES[kind]


def prepare_dagster_home(settings: Settings) -> Path:
    """Install the chosen instance configuration (see `instance_yaml`) into the instance directory
    and point DAGSTER_HOME at it."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    source = instance_yaml()
    target = home / "dagster.yaml"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    os.environ["DAGSTER_HOME"] = str(home)
    _create_instance_storage(home, source.read_bytes())
    return home


def _create_instance_storage(home: Path, configuration: bytes) -> None:
    """Open the instance once, under a lock, the first time a configuration is used: Dagster creates
    its storage tables when an instance first opens, and two commands started together on a new home
    would otherwise both create them (the second fails with "table ... already exists")."""
    import fcntl
    import hashlib

    done = home / f".storage-{hashlib.sha256(configuration).hexdigest()[:12]}"
    if done.exists():
        return
    with open(home / ".storage.lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # released when the file closes, or the process dies
        if done.exists():
            return
        import dagster as dg

        with dg.DagsterInstance.from_config(str(home)):
            pass
        done.touch()
