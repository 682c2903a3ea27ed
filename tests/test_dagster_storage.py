"""The instance's event log (pipeline.dagster_storage): Dagster's SQLite event log with kept-open
connections. What must hold: every stored event is there for a new reader, also after the writing
process was killed; watchers of a run (Dagster's UI) still see new events; the databases stay usable
when more runs are open than connections are kept, and after a wipe."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid

import dagster as dg
import pytest
import sqlalchemy as sa

from pipeline.dagster_storage import OPEN_DATABASES, EventLogStorage


def _entry(run_id: str, message: str) -> dg.EventLogEntry:
    return dg.EventLogEntry(error_info=None, level="INFO", user_message=message, run_id=run_id, timestamp=time.time())


def _messages(storage: EventLogStorage, run_id: str) -> list[str]:
    return [entry.user_message for entry in storage.get_logs_for_run(run_id)]


@pytest.fixture
def folder(tmp_path):
    return str(tmp_path / "history" / "runs")


def test_events_are_kept_in_write_ahead_log_mode_without_waiting_for_the_disk(folder):
    storage = EventLogStorage(folder)
    run_id = str(uuid.uuid4())
    storage.store_event(_entry(run_id, "one"))
    with storage.run_connection(run_id) as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    assert _messages(EventLogStorage(folder), run_id) == ["one"]  # a second storage reads it at once
    storage.dispose()


KILLED_WRITER = """
import os, signal, sys, time
import dagster as dg
from pipeline.dagster_storage import EventLogStorage
storage = EventLogStorage(sys.argv[1])
for n in range(50):
    storage.store_event(dg.EventLogEntry(error_info=None, level="INFO", user_message=f"event {n}",
                                         run_id=sys.argv[2], timestamp=time.time()))
os.kill(os.getpid(), signal.SIGKILL)  # no dispose, no checkpoint, no exit handlers
"""


def test_every_event_survives_a_killed_writer(folder):
    run_id = str(uuid.uuid4())
    EventLogStorage(folder).dispose()  # the folder and its index exist
    done = subprocess.run([sys.executable, "-c", KILLED_WRITER, folder, run_id], capture_output=True, text=True)
    assert done.returncode == -9, done.stderr
    assert _messages(EventLogStorage(folder), run_id) == [f"event {n}" for n in range(50)]


def test_a_watcher_of_the_run_sees_each_new_event(folder):
    writer, reader = EventLogStorage(folder), EventLogStorage(folder)
    run_id = str(uuid.uuid4())
    writer.store_event(_entry(run_id, "before"))
    seen: list[str] = []
    arrived = threading.Event()

    def callback(entry, _cursor):
        seen.append(entry.user_message)
        arrived.set()

    reader.watch(run_id, None, callback)
    try:
        for message in ("first", "second"):
            time.sleep(0.3)  # the watcher reads what is new since its last read
            arrived.clear()
            writer.store_event(_entry(run_id, message))
            assert arrived.wait(10), f"the watcher did not see {message!r}; it saw {seen}"
        deadline = time.monotonic() + 10
        while "second" not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [m for m in seen if m != "before"] == ["first", "second"]
    finally:
        reader.end_watch(run_id, callback)
        reader.dispose()
        writer.dispose()


def test_more_runs_than_kept_connections_and_a_wipe(folder):
    storage = EventLogStorage(folder)
    runs = [str(uuid.uuid4()) for _ in range(OPEN_DATABASES + 3)]
    for round_ in range(2):  # the second round reopens the databases closed in the first
        for run_id in runs:
            storage.store_event(_entry(run_id, f"{run_id[:4]} {round_}"))
    assert len(storage._engines) == OPEN_DATABASES
    for run_id in runs:
        assert _messages(storage, run_id) == [f"{run_id[:4]} 0", f"{run_id[:4]} 1"]
    storage.wipe()
    assert set(storage._engines) <= {"index"}  # the runs' databases were closed before their files went
    assert _messages(storage, runs[0]) == []
    storage.store_event(_entry(runs[0], "after the wipe"))
    assert _messages(EventLogStorage(folder), runs[0]) == ["after the wipe"]
    storage.dispose()
