"""The SQL warehouse (SQLAlchemy): every table keyed by edition, replaced per edition in one transaction.

SQLite by default, PostgreSQL by URL (`postgresql+psycopg://...` or `postgresql+psycopg2://...`).
Loads into PostgreSQL use COPY (pandas' default INSERTs are an order of magnitude slower). Loads into
SQLite go through sqlite3's executemany with values made per column (a stored table's text straight
from its Parquet dictionary, one Python string per distinct value) instead of pandas' per-value
conversion; the tables are created by pandas from the first batch, so their layout and every stored
value are those of `to_sql` (tested).
Rebuilding an edition deletes and reloads that edition's rows of every table inside one
transaction: a failure anywhere leaves the warehouse as it was, and other editions are untouched.
A table that arrives with a content fingerprint (a stored Parquet file's sha256) is loaded only when
its fingerprint, or the rows the warehouse holds of it, differ from what the last load recorded in
`edition_table_versions`: a refresh of the labour-market data does not reload the education tables.

Editions built at once (`techpact backfill --jobs 2`) load one after the other: the transaction
takes the warehouse's write lock before it reads or writes anything (SQLite `BEGIN IMMEDIATE`, a
PostgreSQL transaction-level advisory lock), so a second load waits for the first to commit – and
never creates a table the first is creating – instead of failing. SQLite connections wait up to
`SQLITE_BUSY_TIMEOUT_S` for a lock (the driver's default, 5 s, is shorter than one load).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

EDITION = "edition"
SQLITE_BUSY_TIMEOUT_S = 3600  # long enough for another edition's whole load
WRITER_LOCK = 0x7465636870616374  # PostgreSQL advisory lock key of the warehouse's writers ("techpact")

# A table to load: a DataFrame, or a callable that yields it in batches of rows (same columns and
# dtypes in every batch), so that a large table is never in memory whole. A callable with a
# `fingerprint` attribute (str: a hash of its content) is skipped when the edition holds that content.
Table = pd.DataFrame | Callable[[], Iterable[pd.DataFrame]]
VERSIONS_TABLE = "edition_table_versions"  # edition, table_name, fingerprint, rows: what each load wrote


def engine(url: str) -> Engine:
    if sa.engine.make_url(url).get_backend_name() == "sqlite":
        return sa.create_engine(url, future=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    return sa.create_engine(url, future=True)


def _take_writer_lock(conn: Connection) -> None:
    """Hold the warehouse's write lock until this transaction ends (one edition load at a time)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite has not begun yet: it begins before the first write
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})


def _sqlite_method(table, conn, keys, data_iter):
    """pandas `to_sql` method that inserts through sqlite3's own executemany (no per-row SQLAlchemy
    statement building: several times faster on large tables)."""
    name = f'"{table.name}"'
    columns = ", ".join(f'"{k}"' for k in keys)
    marks = ", ".join("?" for _ in keys)
    conn.connection.dbapi_connection.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", data_iter)


def _python_values(column: pd.Series) -> list:
    """A column's values as the Python objects the driver binds (None for a null), equal to those
    pandas' `to_sql` would bind, made without pandas' per-value conversion: a text column makes one
    Python string per distinct value (its rows share it), numbers and flags convert in C."""
    dtype = column.dtype
    if isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype)):
        if isinstance(dtype, pd.CategoricalDtype):
            codes, values = column.cat.codes.to_numpy(), column.cat.categories.to_numpy(dtype=object)
        else:
            import pyarrow as pa
            import pyarrow.compute as pc

            array = pa.array(column.array)
            encoded = pc.dictionary_encode(array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array)
            codes, values = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()
        lookup = np.empty(len(values) + 1, dtype=object)  # code -1 (null) takes the last entry: None
        lookup[:-1] = values
        return lookup[codes].tolist()
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return column.to_numpy().tolist()
    if isinstance(dtype, pd.BooleanDtype | pd.Int64Dtype) or str(dtype) == "Int64":
        return column.array.to_numpy(dtype=object, na_value=None).tolist()
    values = column.to_numpy(dtype=object, copy=True)  # as pandas: objects, every null (NaN, NA, None) as None
    values[pd.isna(values)] = None
    return values.tolist()


def _arrow_values(array) -> list:
    """`_python_values` of an Arrow column (text dictionary-encoded: one Python string per distinct value)."""
    import pyarrow as pa

    kind = array.type
    if pa.types.is_dictionary(kind):
        lookup = np.empty(len(array.dictionary) + 1, dtype=object)  # index -1 (null): None
        lookup[:-1] = array.dictionary.to_pylist()
        return lookup[array.indices.fill_null(-1).to_numpy(zero_copy_only=False)].tolist()
    if (pa.types.is_integer(kind) or pa.types.is_boolean(kind)) and array.null_count == 0:
        return array.to_numpy(zero_copy_only=False).tolist()
    return array.to_pylist()  # None for nulls (a NaN float is stored as NULL by SQLite, as pandas' None)


def _arrow_loadable(schema) -> bool:
    """Whether `_arrow_values` gives what pandas' `to_sql` binds for every column of the schema."""
    import pyarrow as pa

    def plain(kind) -> bool:
        return (
            pa.types.is_integer(kind)
            or pa.types.is_boolean(kind)
            or pa.types.is_floating(kind)
            or pa.types.is_string(kind)
            or pa.types.is_large_string(kind)
        )

    return all(plain(f.type.value_type if pa.types.is_dictionary(f.type) else f.type) for f in schema)


def _executemany(conn: Connection, name: str, columns: list[str], editions: Iterable, values: list[list]) -> None:
    """Insert rows (the edition, then `columns`) with sqlite3's own executemany."""
    keys = ", ".join(f'"{k}"' for k in [EDITION, *columns])
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    conn.connection.dbapi_connection.executemany(
        f'INSERT INTO "{name}" ({keys}) VALUES ({marks})', zip(editions, *values)
    )


def _sqlite_insert_arrow(conn: Connection, name: str, batch, edition: str) -> None:
    """Insert an Arrow record batch (a `StoredTable`'s), as `_sqlite_insert`."""
    columns = [c for c in batch.schema.names if c != EDITION]
    editions = (
        [str(e) for e in _arrow_values(batch.column(EDITION))]
        if EDITION in batch.schema.names
        else itertools.repeat(edition, batch.num_rows)
    )
    _executemany(conn, name, columns, editions, [_arrow_values(batch.column(c)) for c in columns])


def _sqlite_insert(conn: Connection, name: str, frame: pd.DataFrame, edition: str) -> None:
    """Insert a batch, the edition column included (constant)."""
    columns = [c for c in frame.columns if c != EDITION]
    editions = (
        _python_values(frame[EDITION].astype(str))
        if EDITION in frame.columns  # as `_prepare`
        else itertools.repeat(edition, len(frame))
    )
    _executemany(conn, name, columns, editions, [_python_values(frame[c]) for c in columns])


def _fast_sqlite(frame: pd.DataFrame) -> bool:
    """Whether `_sqlite_insert` binds this batch as pandas would (not: dates, times, mixed columns)."""
    return not any(dtype.kind in "mM" for dtype in frame.dtypes)


def _load_arrow_sqlite(conn: Connection, name: str, table, edition: str) -> int | None:
    """Load a table that also gives Arrow batches (`StoredTable.arrow_batches`) into SQLite; the table
    is created, checked and cleared from its first DataFrame batch as in the DataFrame path. None
    (nothing done) when a column has a type this path does not convert as pandas does."""
    first = next(iter(table()))
    batches = table.arrow_batches()
    head = next(batches, None)
    if not _fast_sqlite(first) or (head is not None and not _arrow_loadable(head.schema)):
        return None
    exists = sa.inspect(conn).has_table(name)
    _check_columns(conn, name, _prepare(first.iloc[:0], edition))
    if exists:
        conn.execute(sa.text(f'DELETE FROM "{name}" WHERE "{EDITION}" = :edition'), {"edition": edition})
    else:  # the column types pandas infers from the whole first batch, as the DataFrame path
        _create_table(conn, name, _prepare(first, edition))
    rows = 0
    for batch in itertools.chain([head] if head is not None else [], batches):
        _sqlite_insert_arrow(conn, name, batch, edition)
        rows += batch.num_rows
    return rows


def _create_table(conn: Connection, name: str, data: pd.DataFrame) -> None:
    """Create the table as pandas' `to_sql` does from this (prepared) batch, without inserting rows."""
    from pandas.io import sql as pandas_sql

    with pandas_sql.pandasSQL_builder(conn) as database:
        database.prep_table(frame=data, name=name, if_exists="append", index=False)


def _copy_method(table, conn, keys, data_iter):
    """pandas `to_sql` method that loads with PostgreSQL COPY (psycopg 3 or psycopg2)."""
    dbapi = conn.connection.dbapi_connection
    name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
    columns = ", ".join(f'"{k}"' for k in keys)
    with dbapi.cursor() as cursor:
        if hasattr(cursor, "copy"):  # psycopg 3
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in data_iter:
                    copy.write_row(row)
        else:  # psycopg2
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in data_iter:
                writer.writerow(["\\N" if v is None else v for v in row])
            buffer.seek(0)
            cursor.copy_expert(f"COPY {name} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _prepare(frame: pd.DataFrame, edition: str) -> pd.DataFrame:
    out = frame.copy()
    if EDITION not in out.columns:
        out.insert(0, EDITION, edition)
    out[EDITION] = out[EDITION].astype(str)
    # nullable extension types -> plain objects with None, which every driver accepts
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.BooleanDtype | pd.Int64Dtype) or str(dtype) == "Int64":
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def _check_columns(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    inspector = sa.inspect(conn)
    if not inspector.has_table(table):
        return
    existing = [c["name"] for c in inspector.get_columns(table)]
    if set(existing) != set(frame.columns):
        raise RuntimeError(
            f"warehouse table {table!r} has columns {existing}, the build writes {list(frame.columns)}: "
            "the table's layout changed; migrate or drop the table before loading"
        )


def _loaded_versions(conn: Connection, edition: str) -> dict[str, tuple[str | None, int]]:
    """table -> (fingerprint, rows) of the edition's last load."""
    if not sa.inspect(conn).has_table(VERSIONS_TABLE):
        return {}
    rows = conn.execute(
        sa.text(f'SELECT table_name, fingerprint, "rows" FROM "{VERSIONS_TABLE}" WHERE "{EDITION}" = :edition'),
        {"edition": edition},
    )
    return {name: (fingerprint, int(count)) for name, fingerprint, count in rows}


def _holds(conn: Connection, name: str, edition: str, rows: int) -> bool:
    """Whether the warehouse still holds `rows` rows of the edition in table `name`."""
    if not sa.inspect(conn).has_table(name):
        return False
    count = conn.execute(sa.text(f'SELECT COUNT(*) FROM "{name}" WHERE "{EDITION}" = :edition'), {"edition": edition})
    return count.scalar_one() == rows


def replace_edition(
    url_or_engine: str | Engine,
    edition: str,
    tables: Mapping[str, Table],
    before_commit: Callable[[], object] | None = None,
    unchanged: list[str] | None = None,
) -> dict[str, int]:
    """Replace the rows of `edition` in every table, all in one transaction. Returns rows per table.

    A table with a `fingerprint` equal to the one its last load of this edition recorded, whose rows
    are all still there, is left as it is (its rows count as written; its name is appended to
    `unchanged` when given).
    `before_commit` runs after every row is written and before the commit: if it raises, the
    transaction rolls back (the publication step releases the edition's files there).
    """
    eng = engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    method = {"postgresql": _copy_method, "sqlite": _sqlite_method}.get(eng.dialect.name)
    written: dict[str, int] = {}
    with eng.begin() as conn:
        _take_writer_lock(conn)
        loaded = _loaded_versions(conn, edition)
        fingerprints: dict[str, str | None] = {}
        for name, table in tables.items():
            fingerprint = fingerprints[name] = getattr(table, "fingerprint", None)
            last, rows = loaded.get(name, (None, 0))
            if fingerprint is not None and fingerprint == last and _holds(conn, name, edition, rows):
                written[name] = rows
                if unchanged is not None:
                    unchanged.append(name)
                continue
            written[name] = 0
            if conn.dialect.name == "sqlite" and hasattr(table, "arrow_batches"):
                written[name] = _load_arrow_sqlite(conn, name, table, edition)
                if written[name] is not None:
                    continue
                written[name] = 0
            for number, batch in enumerate([table] if isinstance(table, pd.DataFrame) else table()):
                fast = conn.dialect.name == "sqlite" and _fast_sqlite(batch)
                if number == 0:
                    exists = sa.inspect(conn).has_table(name)
                    _check_columns(conn, name, _prepare(batch.iloc[:0], edition))
                    if exists:
                        conn.execute(
                            sa.text(f'DELETE FROM "{name}" WHERE "{EDITION}" = :edition'), {"edition": edition}
                        )
                    elif fast:  # the column types pandas infers from the whole first batch
                        _create_table(conn, name, _prepare(batch, edition))
                if fast:
                    _sqlite_insert(conn, name, batch, edition)
                else:
                    _prepare(batch, edition).to_sql(
                        name, conn, if_exists="append", index=False, method=method, chunksize=100_000
                    )
                written[name] += len(batch)
        versions = pd.DataFrame(
            {
                EDITION: edition,
                "table_name": list(written),
                "fingerprint": [fingerprints[name] for name in written],
                "rows": list(written.values()),
            }
        )
        if sa.inspect(conn).has_table(VERSIONS_TABLE):
            conn.execute(sa.text(f'DELETE FROM "{VERSIONS_TABLE}" WHERE "{EDITION}" = :edition'), {"edition": edition})
        versions.to_sql(VERSIONS_TABLE, conn, if_exists="append", index=False)
        if before_commit is not None:
            before_commit()
    return written


def read_table(url_or_engine: str | Engine, table: str, edition: str | None = None) -> pd.DataFrame:
    eng = engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    query = f'SELECT * FROM "{table}"' + (f' WHERE "{EDITION}" = :edition' if edition else "")
    with eng.connect() as conn:
        return pd.read_sql(sa.text(query), conn, params={"edition": edition} if edition else None)
