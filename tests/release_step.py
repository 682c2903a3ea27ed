"""The edition's release step alone (the asset `edition_release`) on the home of an earlier build, for the
crash tests: its upstream assets are read from that build's storage, and the renderers write the
tables and the manifest but no PDF, chart or HTML page, so it can be killed at every checkpoint at
little cost. What is under test is the release itself: lock, recovery, staging folder, warehouse
transaction, link switch (pipeline.publish.release, assets/publication.py)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

EDITION = "2024"


@contextmanager
def tables_only_rendering(stage: Path, edition: str, indicators, catalogue, manifest, *args, extra_tables=None, **_):
    """Stands in for pipeline.publish.edition.rendering: `finish()` writes the extra tables, a one-line
    index page and the manifest over every file, and returns relative path -> sha256 as the real one."""

    class Job:
        def finish(self) -> dict[str, str]:
            for name, table in sorted((extra_tables or {}).items()):
                table.to_csv(stage / f"{name}.csv", index=False, lineterminator="\n")
            (stage / "index.html").write_text(f"<p>{edition}: {len(indicators)} figures</p>\n", encoding="utf-8")
            files = {
                p.relative_to(stage).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(stage.rglob("*"))
                if p.is_file()
            }
            full = {**manifest, "outputs": [{"path": k, "sha256": v} for k, v in files.items()]}
            (stage / "manifest.json").write_text(json.dumps(full, sort_keys=True), encoding="utf-8")
            files["manifest.json"] = hashlib.sha256((stage / "manifest.json").read_bytes()).hexdigest()
            return files

    yield Job()


def run(home: str, sources: str, out: str, warehouse_url: str, log: str, kill_at: str = "") -> None:
    """Materialise `edition_release` of edition 2024 on the instance in `home`, printing into the file
    `log`; exits 0 when released, 1 when the step failed; `kill_at` names the checkpoint where the
    process kills itself (SIGKILL)."""
    for stream in (1, 2):
        target = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.dup2(target, stream)
        os.close(target)

    import dagster as dg

    from pipeline.definitions import EDITION_JOB, build_defs
    from pipeline.publish import edition
    from pipeline.publish import release as releasing
    from pipeline.settings import Settings, prepare_dagster_home

    os.environ.pop(releasing.KILL_ENV, None)
    if kill_at:
        os.environ[releasing.KILL_ENV] = kill_at
    edition.rendering = tables_only_rendering
    settings = Settings(home=Path(home), sources=Path(sources), out=Path(out), warehouse_url=warehouse_url)
    prepare_dagster_home(settings)
    job = build_defs(settings, languages=("nl", "en")).resolve_job_def(EDITION_JOB)
    with settings.exported_warehouse(), dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            partition_key=EDITION,
            asset_selection=[dg.AssetKey("edition_release")],
            instance=instance,
            raise_on_error=False,
        )
    sys.exit(0 if result.success else 1)
