"""DuckDB primitives every part of the store shares: read-only opens and one-transaction blocks.

DuckDB allows one writing process, and while it holds the file no other process may open it, even
read-only; pipeline.store.database keeps writers off the published file, so readers here never wait
long. The numbered migrations live in pipeline.store.migrations, every write in pipeline.store.database.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa


class StoreBusy(RuntimeError):
    """Another process is writing the database."""


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: committed whole, or rolled back on any error or interrupt."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def utc_now() -> datetime:
    """Return the current UTC time without a zone, as the tables store it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[list]) -> None:
    """Insert rows (in the table's column order) with one statement: the rows travel as one Arrow table.

    executemany runs one INSERT per row (about 1 ms each); a document's statements and claims are
    dozens of rows, and the single writer stores every document, so this is most of its time.
    """
    if not rows:
        return
    columns = [pa.array(column) for column in zip(*rows)]
    con.register("incoming_rows", pa.table(columns, names=[f"c{i}" for i in range(len(columns))]))
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM incoming_rows")
    finally:
        con.unregister("incoming_rows")


# --- connections ------------------------------------------------------------------------------


class NotADatabase(ValueError):
    """The file exists but is not a DuckDB database."""


class Unwritable(ValueError):
    """The database cannot be written where it is asked for (a read-only folder, /proc, no such drive)."""


def raise_if_not_a_database(path: Path, exc: duckdb.IOException) -> None:
    """Raise NotADatabase when DuckDB refused the file because it is something else (a text file, /proc/...)."""
    if "not a valid DuckDB database" in str(exc):
        raise NotADatabase(f"{path}: not a DuckDB database file") from None


def connect_readonly(path: Path, attempts: int = 20, wait: float = 0.05) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to the published database, retrying briefly while it is swapped."""
    last: Exception | None = None
    for attempt in range(attempts):
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:  # e.g. a writer of an older design still holds it
            raise_if_not_a_database(path, exc)
            last = exc
            time.sleep(wait * (attempt + 1))
    raise StoreBusy(f"{path}: database is busy: {last}")
