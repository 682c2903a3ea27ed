"""Dagster plumbing used by the code location: resources, the Parquet IO manager, progress display."""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pandas as pd

from pipeline import sources


class LandingArea(dg.ConfigurableResource):
    """The folder of source deliveries.

    Either one sub-folder per edition (`<root>/<edition>/`, as the embedded sample) or, with
    `edition` set, a flat folder holding the deliveries of that one edition (as downloaded).
    """

    root: str
    edition: str = ""

    def folder(self, edition: str) -> Path | None:
        root = Path(self.root)
        if self.edition:
            return root if edition == self.edition else None
        candidate = root / edition
        return candidate if candidate.is_dir() else None

    def files(self, edition: str) -> list[Path]:
        folder = self.folder(edition)
        return sources.delivery_files(folder) if folder else []


class Warehouse(dg.ConfigurableResource):
    url: str


class Publisher(dg.ConfigurableResource):
    out: str
    languages: list[str] = ["nl", "en"]


class BuildOptions(dg.ConfigurableResource):
    allow_unclassified: bool = False
    # source families the edition may be published without (the gap stated in manifest and report)
    allow_missing: list[str] = []


BATCH_ROWS = 250_000


@dataclass(frozen=True)
class StoredTable:
    """A stored asset output read in batches of rows (a step that only copies a large table, such as the
    warehouse load, never holds all of it in memory). Calling it yields DataFrames of up to `batch_rows`
    rows with the dtypes `pd.read_parquet` gives."""

    path: Path
    batch_rows: int = BATCH_ROWS

    @functools.cached_property
    def fingerprint(self) -> str:
        """sha256 of the stored file: the warehouse skips a table whose content it already holds."""
        from pipeline.sources.files import sha256_file

        return sha256_file(self.path)

    @functools.cached_property
    def rows(self) -> int:
        """Row count, from the file's metadata (nothing is read)."""
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.path).metadata.num_rows

    def arrow_batches(self) -> Iterator:
        """The same rows as Arrow record batches, text columns dictionary-encoded as Parquet stores
        them (no string is made per row): for a load that converts values itself (the SQLite warehouse)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        text = [
            f.name for f in pq.read_schema(self.path) if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ]
        yield from pq.ParquetFile(self.path, read_dictionary=text).iter_batches(batch_size=self.batch_rows)

    def __call__(self) -> Iterator[pd.DataFrame]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        stored = pq.ParquetFile(self.path)
        empty = True
        for batch in stored.iter_batches(batch_size=self.batch_rows):
            empty = False
            yield pa.Table.from_batches([batch]).to_pandas()
        if empty:
            yield pd.read_parquet(self.path)


def _release_arrow_memory() -> None:
    """Hand the buffers of a Parquet read or write back to the system: Arrow's allocator keeps freed
    memory for reuse, so the process would otherwise stay at its largest read for the rest of the run."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


RUNS_DIR = "runs"  # storage/runs/<run id>/<asset>/<edition>.parquet: each run its own outputs


def run_storage(base_dir: str | Path, run_id: str) -> Path:
    """Where one run's stored outputs are."""
    return Path(base_dir) / RUNS_DIR / run_id


def published_output(base_dir: str | Path, warehouse_url: str, asset: str, edition: str) -> Path:
    """The stored output (Parquet) of `asset` that the published release of `edition` was built from."""
    from pipeline.publish import release as releasing

    run_id = releasing.recorded_run(warehouse_url, edition)
    if run_id is None:
        raise FileNotFoundError(f"edition {edition} has no published release in {warehouse_url}")
    return run_storage(base_dir, run_id) / asset / f"{edition}.parquet"


def _run_id(context: dg.OutputContext | dg.InputContext) -> str:
    """The id of the run a step belongs to (its outputs' folder)."""
    return context.run_id if isinstance(context, dg.OutputContext) else context.step_context.run_id


def _link_or_copy(source: Path, target: Path) -> None:
    """`target` becomes the same file as `source` (a hard link; a copy across file systems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(target.name + ".link")
    temp.unlink(missing_ok=True)
    try:
        os.link(source, temp)
    except OSError:
        shutil.copyfile(source, temp)
    temp.replace(target)


class ParquetIOManager(dg.ConfigurableIOManager):
    """Stores DataFrames as Parquet (and other outputs as JSON) under
    `base_dir/runs/<run id>/<asset>/<edition>`, recording row count and sha256 of each stored file, so
    every step can run in its own process or on another machine (no in-memory hand-offs).

    Each run reads and writes only its own outputs: two runs of one edition (from different landing
    folders, say) never read each other's, and a failed run's outputs are never used again. An input
    this run did not make (a refresh re-makes only the labour-market assets) is the output of the run
    whose release of the edition is published (its run id is in the warehouse's release record); it
    is linked into this run's folder, so this run's folder holds everything its release was built from."""

    base_dir: str
    warehouse_url: str = ""

    def _path(self, context: dg.OutputContext | dg.InputContext, suffix: str, run_id: str | None = None) -> Path:
        key = context.asset_key.path
        partition = context.asset_partition_key if context.has_asset_partitions else "__all__"
        return run_storage(self.base_dir, run_id or _run_id(context)).joinpath(*key) / f"{partition}{suffix}"

    def _stored(self, context: dg.InputContext, suffix: str) -> Path | None:
        """The input's file in this run's folder; else the published run's, linked into this run's folder."""
        own = self._path(context, suffix)
        if own.exists():
            return own
        if not (self.warehouse_url and context.has_asset_partitions):
            return None
        from pipeline.publish import release as releasing

        published = releasing.recorded_run(self.warehouse_url, context.asset_partition_key)
        if not published or published == _run_id(context):
            return None
        source = self._path(context, suffix, published)
        if not source.exists():
            return None
        _link_or_copy(source, own)
        return own

    def _missing(self, context: dg.InputContext, suffix: str) -> FileNotFoundError:
        return FileNotFoundError(
            f"no stored output of {context.asset_key.to_user_string()} in this run ({self._path(context, suffix)}) "
            "nor in the run of the edition's published release: build the edition in full"
        )

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        if obj is None:
            return
        if isinstance(obj, pd.DataFrame):
            path = self._path(context, ".parquet")
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".parquet.tmp")
            obj.to_parquet(tmp, index=False)
            tmp.replace(path)
            rows = len(obj)
        else:
            path = self._path(context, ".json")
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".json.tmp")  # never written through a link to another run's file
            tmp.write_text(json.dumps(obj, sort_keys=True, indent=1, default=str), encoding="utf-8")
            tmp.replace(path)
            rows = len(obj) if hasattr(obj, "__len__") else 1
        from pipeline.sources.files import sha256_file

        digest = sha256_file(path)
        _release_arrow_memory()
        context.add_output_metadata(
            {"dagster/row_count": rows, "storage_path": dg.MetadataValue.path(str(path)), "storage_sha256": digest}
        )

    def load_input(self, context: dg.InputContext):
        parquet = self._stored(context, ".parquet")
        if parquet is not None:
            frame = pd.read_parquet(parquet)
            _release_arrow_memory()
            return frame
        data = self._stored(context, ".json")
        if data is not None:
            return json.loads(data.read_text(encoding="utf-8"))
        raise self._missing(context, ".parquet")


class StoredTableLoader(ParquetIOManager):
    """Input manager (resource key `STORED_TABLE_LOADER`) for inputs a step only copies: it hands the
    step a `StoredTable` to read in batches instead of the loaded frame."""

    def load_input(self, context: dg.InputContext):
        parquet = self._stored(context, ".parquet")
        if parquet is None:
            raise self._missing(context, ".parquet")
        return StoredTable(parquet)


def read_text_as_categories(path: Path) -> pd.DataFrame:
    """A stored table whose text columns are pandas Categoricals made from the Parquet dictionary
    (one Python-free copy of each distinct text, codes per row), categories in sorted order so that
    sorting rows by such a column orders them as by its text. The values are those of
    `pd.read_parquet`; a record-level table whose names and codes repeat takes a fraction of the memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    frame = pq.read_table(path, read_dictionary=text).to_pandas(self_destruct=True, split_blocks=True)
    _release_arrow_memory()
    for name in text:
        categories = frame[name].cat.categories
        if not categories.is_monotonic_increasing:
            frame[name] = frame[name].cat.set_categories(sorted(categories))
    return frame


class CategoricalTableLoader(ParquetIOManager):
    """Input manager (resource key `CATEGORICAL_TABLE_LOADER`) for large inputs whose text repeats
    (record-level DUO tables): text columns arrive as Categoricals (`read_text_as_categories`)."""

    def load_input(self, context: dg.InputContext):
        parquet = self._stored(context, ".parquet")
        if parquet is None:
            raise self._missing(context, ".parquet")
        return read_text_as_categories(parquet)


STORED_TABLE_LOADER = "stored_table_loader"
CATEGORICAL_TABLE_LOADER = "categorical_table_loader"
GROUP_ORDER = ("sources", "raw", "core", "classification", "indicators", "publication")


class ProgressHandler(logging.Handler):
    """Prints one line per step start/finish and per check, for people watching a build."""

    def __init__(self, stream=None):
        super().__init__(logging.DEBUG)
        self._stream = stream  # None: the process's stderr at the time of each line (it may be replaced)
        self.started: dict[str, float] = {}

    @property
    def stream(self):
        return self._stream or sys.stderr

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        if event is None:
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            self.started[step] = time.perf_counter()
            self.stream.write(f"  ... {step}\n")
        elif kind == "STEP_SUCCESS":
            took = time.perf_counter() - self.started.get(step, time.perf_counter())
            self.stream.write(f"  ok  {step} ({took:.1f} s)\n")
        elif kind == "STEP_FAILURE":
            self.stream.write(f"  FAILED {step}\n")
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            state = "passed" if data.passed else "FAILED"
            self.stream.write(f"      check {data.check_name} on {data.asset_key.to_user_string()}: {state}\n")
        self.stream.flush()


@dg.logger
def progress_logger(_init_context) -> logging.Logger:
    log = logging.getLogger("techpact.progress")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    if not log.handlers:
        log.addHandler(ProgressHandler())
    return log
