"""The event log of the project's Dagster instance (dagster.yaml): Dagster's SQLite event log (same
files, under the instance's history/runs/), keeping its database connections open.

Dagster's SQLite event log opens a new connection for every event and closes it afterwards. Closing
the last connection of a database in WAL mode checkpoints it, and a checkpoint waits for the disk
twice (fsync of the log, then of the database): 10-17 ms per event on these machines, about 800
events per edition build, so seconds of every build went to waiting for the disk.

Here each database (one per run, plus the index) keeps one connection open while it is in use, so
events are appended to the write-ahead log without a checkpoint, and the connections use
`synchronous=NORMAL`, the setting SQLite recommends with WAL: a transaction is durable once the
operating system has it, so a killed or crashed process loses nothing, the database stays
consistent even after a power failure, and only the last transactions before a power failure can be
lost. Checkpoints happen when the log grows past SQLite's threshold and when the connection closes
(the storage is disposed, or the database falls out of the few kept open).

Dagster's UI follows a running run by watching its database file for changes; appends to the
write-ahead log do not change that file, so each stored event touches it (its modification time),
which the watcher sees.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import sqlalchemy as sa
from dagster._config import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import _event_logs_directory
from dagster._serdes import ConfigurableClassData

OPEN_DATABASES = 8  # databases an event log keeps a connection to (the runs it writes or reads, the index)


def _connection_settings(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class EventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log with one kept-open connection per database (see the module)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, sa.Engine] = OrderedDict()  # most recently used last
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> sa.Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            # one kept connection, used under the storage's lock by whichever thread holds it (creating
            # the database briefly needs a second)
            engine = sa.create_engine(
                self.conn_string_for_shard(shard),
                poolclass=sa.pool.QueuePool,
                pool_size=1,
                max_overflow=2,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            sa.event.listen(engine, "connect", _connection_settings)
            if shard not in self._initialized_dbs:
                self._initdb(engine, for_index_shard=shard == INDEX_SHARD_NAME)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_DATABASES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sa.Connection]:
        with self._db_lock, self._engine(shard).connect() as connection, connection.begin():
            yield connection

    def store_event(self, event) -> None:
        super().store_event(event)
        # wake the watchers of this run (Dagster's UI): the database file itself did not change
        with suppress(FileNotFoundError):
            os.utime(self.path_for_shard(event.run_id))

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_all()  # before the files are deleted under open connections
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()

    @classmethod
    def config_type(cls) -> dict:
        return {"instance_dir": StringSource}  # the instance's folder: the event log is its history/runs/

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> EventLogStorage:
        return cls(_event_logs_directory(config_value["instance_dir"]), inst_data=inst_data)
