"""The warehouse: an edition's rows are replaced in one transaction; other editions stay untouched."""

from __future__ import annotations

import threading

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

from pipeline import warehouse
from pipeline.dagster_support import StoredTable


def frame(edition: str, n: int, offset: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "edition": edition,
            "period": [str(2015 + i % 5) for i in range(n)],
            "region_code": [f"GM{i:04d}" for i in range(n)],
            "value": [float(i + offset) / 3 for i in range(n)],
            "count": pd.array([i if i % 7 else None for i in range(n)], dtype="Int64"),
            "masked": pd.array([i % 7 == 0 for i in range(n)], dtype="boolean"),
        }
    )


def batched(table: pd.DataFrame, rows: int):
    """`table` as the publication step hands a stored table to the warehouse: a callable yielding batches."""
    return lambda: (table.iloc[start : start + rows] for start in range(0, len(table), rows))


def check_replace_semantics(url: str) -> None:
    warehouse.replace_edition(url, "2023", {"indicators": frame("2023", 50)})
    warehouse.replace_edition(url, "2024", {"indicators": frame("2024", 40)})
    # a table streamed in batches replaces the edition's rows once: later batches add, never delete
    assert warehouse.replace_edition(url, "2024", {"indicators": batched(frame("2024", 30, offset=1), 7)}) == {
        "indicators": 30
    }
    got = warehouse.read_table(url, "indicators")
    assert got.groupby("edition").size().to_dict() == {"2023": 50, "2024": 30}
    back = warehouse.read_table(url, "indicators", "2024").sort_values("region_code").reset_index(drop=True)
    expected = frame("2024", 30, offset=1)
    assert back["value"].tolist() == pytest.approx(expected["value"].tolist())
    assert back["count"].isna().sum() == expected["count"].isna().sum()

    # a failure before commit leaves every table exactly as it was
    def boom():
        raise RuntimeError("publishing failed")

    with pytest.raises(RuntimeError):
        warehouse.replace_edition(
            url, "2024", {"indicators": frame("2024", 5), "other": frame("2024", 5)}, before_commit=boom
        )
    after = warehouse.read_table(url, "indicators")
    assert after.groupby("edition").size().to_dict() == {"2023": 50, "2024": 30}
    assert not sa.inspect(sa.create_engine(url)).has_table("other")


def test_sqlite_replace_is_per_edition_and_transactional(tmp_path):
    check_replace_semantics(f"sqlite:///{tmp_path / 'w.sqlite'}")


@pytest.mark.postgres
def test_postgres_replace_is_per_edition_and_transactional(pg_url):
    check_replace_semantics(pg_url)


def check_second_writer_waits(url: str) -> None:
    """Two editions loading at once into a fresh warehouse (`backfill --jobs 2`): the second load waits
    for the first to commit – it neither fails on the lock nor races the first creating the tables."""
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []
    errors: list[BaseException] = []

    def load(edition: str, hold: bool) -> None:
        def wait_for_release() -> None:
            holding.set()
            assert release.wait(60)
            order.append(f"{edition} commits")

        try:
            warehouse.replace_edition(
                url,
                edition,
                {"indicators": frame(edition, 50), "other": frame(edition, 5)},
                before_commit=wait_for_release if hold else None,
            )
            if not hold:
                order.append(f"{edition} committed")
        except BaseException as error:
            errors.append(error)
            holding.set()

    first = threading.Thread(target=load, args=("2023", True))
    first.start()
    assert holding.wait(60)
    second = threading.Thread(target=load, args=("2024", False))
    second.start()
    second.join(timeout=1.0)
    assert second.is_alive(), "the second load did not wait for the first one's transaction"
    release.set()
    first.join()
    second.join()
    assert errors == []
    assert order == ["2023 commits", "2024 committed"]
    for table, rows in (("indicators", 50), ("other", 5)):
        assert warehouse.read_table(url, table).groupby("edition").size().to_dict() == {"2023": rows, "2024": rows}


def test_sqlite_second_writer_waits_for_the_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    check_second_writer_waits(url)
    # and waits long enough for a whole load (the driver's default is 5 s)
    with warehouse.engine(url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 600_000


@pytest.mark.postgres
def test_postgres_second_writer_waits_for_the_first(pg_url):
    check_second_writer_waits(pg_url)


@pytest.mark.postgres
def test_postgres_load_uses_copy(pg_url, monkeypatch):
    calls = []
    original = warehouse._copy_method

    def spy(*args):
        calls.append(args[0].name)
        return original(*args)

    monkeypatch.setattr(warehouse, "_copy_method", spy)
    warehouse.replace_edition(pg_url, "2024", {"indicators": frame("2024", 1000)})
    assert calls and set(calls) == {"indicators"}
    assert len(warehouse.read_table(pg_url, "indicators", "2024")) == 1000


def test_changed_layout_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    warehouse.replace_edition(url, "2023", {"indicators": frame("2023", 3)})
    with pytest.raises(RuntimeError, match="layout changed"):
        warehouse.replace_edition(url, "2024", {"indicators": frame("2024", 3).assign(extra=1)})


def test_stored_table_batches_are_the_stored_frame(tmp_path):
    stored = frame("2024", 1000).assign(code=lambda f: f["region_code"].str[2:], empty=None)
    stored["kind"] = pd.Categorical(["a" if i % 3 else "b" for i in range(1000)])
    path = tmp_path / "t.parquet"
    stored.to_parquet(path, index=False)
    batches = list(StoredTable(path, batch_rows=300)())
    assert [len(b) for b in batches] == [300, 300, 300, 100]
    whole = pd.read_parquet(path)
    pd.testing.assert_frame_equal(pd.concat(batches, ignore_index=True), whole)
    assert all((b.dtypes == whole.dtypes).all() for b in batches)

    stored.iloc[:0].to_parquet(path, index=False)  # an empty table still gives its columns
    (only,) = list(StoredTable(path)())
    assert only.empty and list(only.columns) == list(stored.columns)


class Counted:
    """A fingerprinted table that counts how often the warehouse read it."""

    def __init__(self, table: pd.DataFrame, fingerprint: str):
        self.table, self.fingerprint, self.reads = table, fingerprint, 0

    def __call__(self):
        self.reads += 1
        yield self.table


def check_unchanged_tables_are_not_reloaded(url: str) -> None:
    education = Counted(frame("2024", 40), "a" * 64)
    labour = Counted(frame("2024", 10, offset=5), "b" * 64)
    assert warehouse.replace_edition(url, "2024", {"education": education, "labour": labour}) == {
        "education": 40,
        "labour": 10,
    }
    # a refresh: the labour table changed, the education table did not
    labour = Counted(frame("2024", 12, offset=9), "c" * 64)
    kept: list[str] = []
    assert warehouse.replace_edition(url, "2024", {"education": education, "labour": labour}, unchanged=kept) == {
        "education": 40,
        "labour": 12,
    }
    assert (education.reads, labour.reads, kept) == (1, 1, ["education"])
    assert len(warehouse.read_table(url, "education", "2024")) == 40
    assert warehouse.read_table(url, "labour", "2024")["value"].tolist() == pytest.approx(
        frame("2024", 12, offset=9)["value"].tolist()
    )
    # rows removed behind the pipeline's back are loaded again, even with the same fingerprint
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text("DELETE FROM education WHERE region_code = 'GM0001'"))
    warehouse.replace_edition(url, "2024", {"education": education, "labour": labour})
    assert education.reads == 2 and len(warehouse.read_table(url, "education", "2024")) == 40

    # a frame has no fingerprint: always loaded; a rolled-back load records nothing
    def fail():
        raise RuntimeError("publishing failed")

    with pytest.raises(RuntimeError):
        warehouse.replace_edition(url, "2024", {"education": frame("2024", 3)}, before_commit=fail)
    warehouse.replace_edition(url, "2024", {"education": education})
    assert education.reads == 2
    versions = warehouse.read_table(url, warehouse.VERSIONS_TABLE, "2024")
    assert versions.set_index("table_name")["rows"].to_dict() == {"education": 40}


def test_sqlite_unchanged_tables_are_not_reloaded(tmp_path):
    check_unchanged_tables_are_not_reloaded(f"sqlite:///{tmp_path / 'w.sqlite'}")


@pytest.mark.postgres
def test_postgres_unchanged_tables_are_not_reloaded(pg_url):
    check_unchanged_tables_are_not_reloaded(pg_url)


def test_stored_table_fingerprint_is_the_file_content(tmp_path):
    path = tmp_path / "t.parquet"
    frame("2024", 50).to_parquet(path, index=False)
    first = StoredTable(path).fingerprint
    frame("2024", 50).to_parquet(path, index=False)
    assert StoredTable(path).fingerprint == first  # the same frame stores the same bytes
    frame("2024", 50, offset=1).to_parquet(path, index=False)
    assert StoredTable(path).fingerprint != first


def _stored(url: str, table: str) -> tuple[str, list[tuple]]:
    """The table's definition and every stored value with its SQLite storage class."""
    with sa.create_engine(url).connect() as conn:
        ddl = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": table}).scalar_one()
        columns = [c["name"] for c in sa.inspect(conn).get_columns(table)]
        typed = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
        rows = conn.execute(sa.text(f'SELECT {typed} FROM "{table}" ORDER BY rowid')).fetchall()
    return ddl, [tuple(r) for r in rows]


@pytest.mark.parametrize("with_edition", [True, False])
def test_sqlite_load_stores_what_pandas_to_sql_stores(tmp_path, with_edition):
    """The SQLite load binds its own Python values (not pandas' per-value conversion): the table it
    creates and every value it stores (and its storage class) equal what plain `to_sql` gives."""
    n = 1000
    table = frame("2024", n).assign(
        text=pd.array([None if i % 11 == 0 else f"naam {i % 13} é" for i in range(n)], dtype="str"),
        kind=pd.Categorical([None if i % 17 == 0 else "ab"[i % 2] for i in range(n)]),
        line=range(n),
        flag=[i % 3 == 0 for i in range(n)],
        ratio=[float("nan") if i % 5 == 0 else i / 7 for i in range(n)],
        big=[2**40 + i for i in range(n)],
        mixed=[None if i % 2 else "x" for i in range(n)],
    )
    # text held in several Arrow chunks (as after a concat)
    halves = [[None if i % 9 == 0 else f"deel {i % 4}" for i in range(start, start + n // 2)] for start in (0, n // 2)]
    table["chunked"] = pd.array(pa.chunked_array(halves, type=pa.large_string()), dtype="str")
    if not with_edition:
        table = table.drop(columns="edition")
    fast = f"sqlite:///{tmp_path / 'fast.sqlite'}"
    warehouse.replace_edition(fast, "2024", {"t": batched(table, 300)})
    plain = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    with sa.create_engine(plain).begin() as conn:
        warehouse._prepare(table, "2024").to_sql("t", conn, index=False)
    assert _stored(fast, "t") == _stored(plain, "t")


def test_sqlite_load_of_a_stored_table_stores_what_pandas_to_sql_stores(tmp_path):
    """A stored table is loaded from its Arrow batches (text as Parquet's dictionary): the table and
    every value (and storage class) equal plain `to_sql` of the frame `pd.read_parquet` gives."""
    n = 1000
    table = frame("2024", n).assign(
        text=pd.array([None if i % 11 == 0 else f"naam {i % 13} é" for i in range(n)], dtype="str"),
        line=range(n),
        flag=[i % 3 == 0 for i in range(n)],
        ratio=[float("nan") if i % 5 == 0 else i / 7 for i in range(n)],
        big=[2**40 + i for i in range(n)],
    )
    path = tmp_path / "t.parquet"
    table.to_parquet(path, index=False)
    stored = StoredTable(path, batch_rows=300)
    fast = f"sqlite:///{tmp_path / 'fast.sqlite'}"
    assert warehouse.replace_edition(fast, "2024", {"t": stored, "u": StoredTable(path)}) == {"t": n, "u": n}
    plain = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    with sa.create_engine(plain).begin() as conn:
        warehouse._prepare(pd.read_parquet(path), "2024").to_sql("t", conn, index=False)
    assert _stored(fast, "t") == _stored(plain, "t")
    assert any(isinstance(b.column("text").type, pa.DictionaryType) for b in stored.arrow_batches())
