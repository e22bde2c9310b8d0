"""Transactions on our own tables, on a SQLite file or in a PostgreSQL schema, with one SQL dialect.

SQL is written with `%s` placeholders and `{s}` before each table name; the SQLite side turns them
into `?` and nothing, the PostgreSQL side into `%s` and the quoted schema.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from psycopg_pool import ConnectionPool


class Verbinding(Protocol):
    def sql(self, sql: str) -> str: ...
    def transactie(self, schrijven: bool = True) -> Any: ...
    def close(self) -> None: ...


class SqliteVerbinding:
    """One connection to a file, used by one thread at a time."""

    def __init__(self, pad: Path, *, wis_grondig: bool = False) -> None:
        pad.parent.mkdir(parents=True, exist_ok=True)
        self._verbinding = sqlite3.connect(pad, check_same_thread=False, isolation_level=None, timeout=10)
        if wis_grondig:
            # Overwrite deleted content instead of leaving it in free pages; no write-ahead log that
            # keeps old pages around until a checkpoint. For the key store, where deleting is the point.
            self._verbinding.execute("PRAGMA secure_delete=ON")
            self._verbinding.execute("PRAGMA journal_mode=DELETE")
        else:
            self._verbinding.execute("PRAGMA journal_mode=WAL")
        self._slot = threading.Lock()

    def sql(self, sql: str) -> str:
        return sql.replace("{s}", "").replace("%s", "?")

    @contextmanager
    def transactie(self, schrijven: bool = True) -> Iterator[sqlite3.Cursor]:
        """A cursor in a transaction that commits when the block ends and rolls back on an error."""
        with self._slot:
            cursor = self._verbinding.cursor()
            # A write takes the lock at once, so processes queue instead of failing late; in WAL mode a
            # read needs no lock and does not wait for a writer.
            cursor.execute("BEGIN IMMEDIATE" if schrijven else "BEGIN")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def close(self) -> None:
        self._verbinding.close()


class PostgresVerbinding:
    """A small pool; tables in the given schema."""

    def __init__(self, url: str, schema: str) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", schema):
            raise ValueError(f"ongeldige schemanaam {schema!r}")
        self._prefix = f'"{schema}".'
        self._pool = ConnectionPool(url, min_size=1, max_size=4, open=True, kwargs={"autocommit": False})

    def sql(self, sql: str) -> str:
        return sql.replace("{s}", self._prefix)

    @contextmanager
    def transactie(self, schrijven: bool = True) -> Iterator[Any]:
        with self._pool.connection() as verbinding, verbinding.transaction(), verbinding.cursor() as cursor:
            yield cursor

    def close(self) -> None:
        self._pool.close()
