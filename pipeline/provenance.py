"""Code version and input fingerprints recorded with every output."""

from __future__ import annotations

import hashlib
import subprocess
from functools import lru_cache

from pipeline import __version__
from pipeline.settings import PROJECT_ROOT

CODE_DIRS = ("pipeline", "assets", "schemas", "report_templates", "reference")


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()


@lru_cache(maxsize=1)
def tree_sha256() -> str:
    """sha256 over the code, templates and reference tables (paths and bytes), sorted by path."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> dict[str, str]:
    commit = _git("rev-parse", "HEAD") or "unknown"
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", *CODE_DIRS))
    tree = tree_sha256()
    version = f"{__version__}+{commit[:12]}{'.dirty' if dirty else ''}.tree{tree[:12]}"
    return {
        "package": __version__,
        "git_commit": commit,
        "dirty": str(dirty).lower(),
        "tree_sha256": tree,
        "version": version,
    }
