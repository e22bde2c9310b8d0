"""Transactions on our own tables, on a SQLite file or in a PostgreSQL schema, with one SQL dialect.

SQL is written with `%s` placeholders and `{s}` before each table name; the SQLite side turns them
into `?` and nothing, the PostgreSQL side into `%s` and the quoted schema.

Connections to PostgreSQL, per process: the event store's pool (eventsourcing's, built by
`BegrensdePostgresFactory`) may open `INBURGERING_DATABASE_VERBINDINGEN` - HULPVERBINDINGEN; every other
store on the same database (key store, person register, log, read models) shares one pool of
HULPVERBINDINGEN. Connections are opened on demand and closed after a minute unused, so an idle process
holds none; each carries the process in its `application_name`, so an operator sees in pg_stat_activity
which process holds what.
"""

from __future__ import annotations

import os
import re
import select
import sqlite3
import threading
import weakref
from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import ConnectionPool as EventsourcingPool
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment, EnvType
from psycopg import sql
from psycopg_pool import ConnectionPool

HULPVERBINDINGEN = 3
STROOMDEEL = 1000  # rows per fetch of a cursor on the server (`PostgresVerbinding.stroom`)
WACHTTIJD = 5  # seconds a request may wait for a connection while the database answers (all in use)
WACHTTIJD_ONBEREIKBAAR = 0.2  # ... while new connections fail: the caller hears at once (503)
_open_pools: weakref.WeakSet[ConnectionPool] = weakref.WeakSet()  # every pool this process made (the metrics read them)
# What a request gets when there is no connection to be had; the API answers 503 (api/problems.py).
VERBINDINGSFOUTEN: tuple[type[Exception], ...] = (
    psycopg.OperationalError, psycopg.InterfaceError, OperationalError, InterfaceError
)


# Deterministic however often it is tried, although psycopg makes it an OperationalError: a value too
# large for an index. Caused by what is written, so not a passing error.
PROGRAMMALIMIET = "54"


def voorbijgaand(fout: BaseException) -> bool:
    """The database unreachable or busy (lost connection, no connection in time, a lock or statement
    timeout): it says nothing about what was asked of it, so it may be tried again later (the API answers
    503; a read model records no stop for it; the access log's writer waits it out)."""
    sqlstate = fout.sqlstate if isinstance(fout, psycopg.Error) else None
    return isinstance(fout, VERBINDINGSFOUTEN) and not (sqlstate or "").startswith(PROGRAMMALIMIET)


SQLITE_WACHTTIJD = 10  # seconds a statement waits for a lock another connection holds on the file (INBURGERING_DATABASE_LOCK_TIMEOUT)


def is_bezet(fout: sqlite3.OperationalError) -> bool:
    """Whether the file was locked by another connection for longer than this one waited (SQLITE_BUSY or
    SQLITE_LOCKED, extended codes included): the database is unavailable for now, nothing is wrong with the request."""
    return (getattr(fout, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


@contextmanager
def bezet_als_onbereikbaar() -> Iterator[None]:
    """A lock waited for in vain is raised as the event store's own OperationalError (eventsourcing's SQLite layer
    does the same), one of VERBINDINGSFOUTEN: the API answers 503 with Retry-After instead of 500. Any other
    error of SQLite, a programming error, stays what it is."""
    try:
        yield
    except sqlite3.OperationalError as fout:
        if is_bezet(fout):
            raise OperationalError(fout) from fout
        raise


def sqlite_sql(sql: str) -> str:
    return sql.replace("{s}", "").replace("%s", "?")


def postgres_sql(sql: str, schema: str) -> str:
    return sql.replace("{s}", f'"{schema}".')


class Verbinding(Protocol):
    def sql(self, sql: str) -> str: ...
    def voeg_in(self, cursor: Any, tabel: str, kolommen: Sequence[str], rijen: Sequence[Sequence[Any]], getallen: Collection[str] = (),
                daarna: str = "") -> int: ...
    def transactie(self, schrijven: bool = True) -> Any: ...
    def in_een_keer(self) -> Any: ...
    def eenmalig(self) -> Any: ...
    def stroom(self, opdracht: str) -> AbstractContextManager[Iterator[Sequence[Any]]]: ...
    def close(self) -> None: ...


@contextmanager
def sqlite_transactie(cursor: Any, schrijven: bool = True) -> Iterator[Any]:
    """A transaction on this cursor's connection (in autocommit mode) that commits when the block ends and rolls
    back on an error. A write takes the lock at BEGIN, so writers queue instead of failing late: a deferred
    transaction that read first fails at once ("database is locked") when another connection committed
    meanwhile. In WAL mode a read needs no lock and does not wait for a writer."""
    with bezet_als_onbereikbaar():
        cursor.execute("BEGIN IMMEDIATE" if schrijven else "BEGIN")
        try:
            yield cursor
            # In a rollback journal (the key store) a COMMIT waits for the file's readers; when it waits in vain
            # the transaction stays open, so it is rolled back below: else the connection's next BEGIN fails.
            cursor.execute("COMMIT")
        except BaseException:
            try:
                cursor.execute("ROLLBACK")
            except sqlite3.OperationalError:
                pass  # none open: SQLite rolled back itself (a full disk, an I/O error); the error raised says why
            raise


class SqliteVerbinding:
    """One connection to a file, used by one thread at a time."""

    def __init__(self, pad: Path, *, wis_grondig: bool = False, wachttijd: float = SQLITE_WACHTTIJD) -> None:
        pad.parent.mkdir(parents=True, exist_ok=True)
        self._verbinding = sqlite3.connect(pad, check_same_thread=False, isolation_level=None, timeout=wachttijd)
        if wis_grondig:
            # Overwrite deleted content instead of leaving it in free pages; no write-ahead log that
            # keeps old pages around until a checkpoint. For the key store, where deleting is the point.
            self._verbinding.execute("PRAGMA secure_delete=ON")
            self._verbinding.execute("PRAGMA journal_mode=DELETE")
        else:
            self._verbinding.execute("PRAGMA journal_mode=WAL")
        self._slot = threading.Lock()

    def sql(self, sql: str) -> str:
        return sqlite_sql(sql)

    @contextmanager
    def transactie(self, schrijven: bool = True) -> Iterator[sqlite3.Cursor]:
        """A cursor in a transaction that commits when the block ends and rolls back on an error."""
        with self._slot, sqlite_transactie(self._verbinding.cursor(), schrijven) as cursor:
            yield cursor

    # Rows per statement: of at most 10 columns they stay far under SQLite's limit on parameters (32,766
    # since 3.32); a statement per row was most of the time of a rebuild.
    RIJEN_PER_OPDRACHT = 500

    def voeg_in(
        self, cursor: Any, tabel: str, kolommen: Sequence[str], rijen: Sequence[Sequence[Any]], getallen: Collection[str] = (), daarna: str = ""
    ) -> int:
        """Insert the rows, a multi-row statement per RIJEN_PER_OPDRACHT (`daarna`: an ON CONFLICT clause);
        returns the statements sent."""
        rij = f"({', '.join(['%s'] * len(kolommen))})"
        opdrachten = 0
        for begin in range(0, len(rijen), self.RIJEN_PER_OPDRACHT):
            deel = rijen[begin:begin + self.RIJEN_PER_OPDRACHT]
            cursor.execute(self.sql(f"INSERT INTO {{s}}{tabel} ({', '.join(kolommen)}) VALUES {', '.join([rij] * len(deel))} {daarna}"),
                           [waarde for r in deel for waarde in r])
            opdrachten += 1
        return opdrachten

    def in_een_keer(self) -> AbstractContextManager[sqlite3.Cursor]:
        """A write transaction (in-process: nothing to send together)."""
        return self.transactie()

    @contextmanager
    def eenmalig(self) -> Iterator[sqlite3.Cursor]:
        """A cursor for one statement, which is its own transaction (the connection commits each statement)."""
        with self._slot, bezet_als_onbereikbaar():
            yield self._verbinding.cursor()

    @contextmanager
    def stroom(self, opdracht: str) -> Iterator[Iterator[Sequence[Any]]]:
        """The rows of one query, read from the file as they are taken, in one read transaction."""
        with self.transactie(schrijven=False) as cursor:
            cursor.execute(opdracht)
            yield iter(cursor)

    def close(self) -> None:
        self._verbinding.close()


class PostgresVerbinding:
    """Tables in the given schema, on the pool this process shares for the database (see the top)."""

    def __init__(self, url: str, schema: str) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", schema):
            raise ValueError(f"ongeldige schemanaam {schema!r}")
        self._schema = schema
        self._url: str | None = url
        self._pool = _neem_pool(url)

    def sql(self, sql: str) -> str:
        return postgres_sql(sql, self._schema)

    def in_dezelfde_database(self, ander: object) -> bool:
        """Whether a statement on this connection can read `ander`'s tables too (another schema, one database)."""
        return isinstance(ander, PostgresVerbinding) and self._url is not None and ander._url == self._url

    @contextmanager
    def transactie(self, schrijven: bool = True) -> Iterator[Any]:
        with self._pool.connection() as verbinding, verbinding.transaction(), verbinding.cursor() as cursor:
            yield cursor

    def voeg_in(
        self, cursor: Any, tabel: str, kolommen: Sequence[str], rijen: Sequence[Sequence[Any]], getallen: Collection[str] = (), daarna: str = ""
    ) -> int:
        """Insert the rows in one statement (%b: binary, no escaping). Rows go as one binary array per column
        (`unnest`): the same short text for any number of rows, so psycopg converts it once and the server parses
        it fast; a statement of a placeholder per value psycopg converted anew each time (it caches one of at most
        50 values). One row (a command's access-log record) goes as its values, as many as its arrays would be:
        psycopg dumps an array element by element in Python, about 6 µs per array of one, against well under
        1 µs for a value. `getallen`: the integer columns; the others are text. `daarna`: an ON CONFLICT clause."""
        if not rijen:
            return 0
        typen = ["bigint" if kolom in getallen else "text" for kolom in kolommen]
        if len(rijen) == 1:
            cursor.execute(self.sql(f"INSERT INTO {{s}}{tabel} ({', '.join(kolommen)}) VALUES ({', '.join(f'%b::{type_}' for type_ in typen)}) {daarna}"),
                           list(rijen[0]))
            return 1
        # A column with one value in every row (a page's access-log records share their request's) goes once, as a
        # value: psycopg dumps an array element by element in Python, and seven of a page's nine were the same.
        kolomwaarden = list(zip(*rijen, strict=True))
        vast = [kolom.count(kolom[0]) == len(kolom) for kolom in kolomwaarden]
        if all(vast):
            vast = [False] * len(vast)  # rows that are all alike: as they are, the statement keeps its rows
        selectie = ", ".join(f"%b::{type_}" if v else f"r.{kolom}" for kolom, type_, v in zip(kolommen, typen, vast, strict=True))
        arrays = ", ".join(f"%b::{type_}[]" for type_, v in zip(typen, vast, strict=True) if not v)
        namen = ", ".join(kolom for kolom, v in zip(kolommen, vast, strict=True) if not v)
        cursor.execute(self.sql(f"INSERT INTO {{s}}{tabel} ({', '.join(kolommen)}) SELECT {selectie} FROM unnest({arrays}) AS r({namen}) {daarna}"),
                       [k[0] for k, v in zip(kolomwaarden, vast, strict=True) if v] + [list(k) for k, v in zip(kolomwaarden, vast, strict=True) if not v])
        return 1

    @contextmanager
    def in_een_keer(self) -> Iterator[Any]:
        """A write transaction whose statements need no answer before the commit, in one round trip
        (`in_een_rondreis`)."""
        with self._pool.connection() as verbinding, verbinding.cursor() as cursor, in_een_rondreis(verbinding):
            yield cursor

    @contextmanager
    def eenmalig(self) -> Iterator[Any]:
        """A cursor for one statement, which is its own transaction: one round trip, where BEGIN and COMMIT
        around it would make three."""
        with self._pool.connection() as verbinding, verbinding.cursor() as cursor:
            yield cursor

    @contextmanager
    def stroom(self, opdracht: str) -> Iterator[Iterator[Sequence[Any]]]:
        """The rows of one query through a cursor on the server, STROOMDEEL at a time, in one read transaction:
        a plain cursor holds the whole answer in the client."""
        with self._pool.connection() as verbinding, verbinding.transaction(), verbinding.cursor(name="stroom") as cursor:
            cursor.itersize = STROOMDEEL
            cursor.execute(opdracht)
            yield iter(cursor)

    def close(self) -> None:
        if self._url is not None:
            _geef_pool_terug(self._url)
            self._url = None


@contextmanager
def in_een_rondreis(verbinding: psycopg.Connection[Any]) -> Iterator[None]:
    """BEGIN, the statements the block executes and COMMIT, sent in one pipeline and answered together: one
    round trip, where psycopg's `transaction()` in a pipeline waits after BEGIN and before COMMIT too. The
    block cannot read an answer before the end. A failing statement makes the server skip the rest, COMMIT
    included; the transaction is rolled back and the error raised. For an autocommit connection."""
    assert verbinding.autocommit, "BEGIN and COMMIT are sent as statements"
    try:
        with verbinding.pipeline():
            verbinding.execute("BEGIN")
            yield
            verbinding.execute("COMMIT")
    except BaseException:
        if not verbinding.broken:
            verbinding.rollback()
        raise


def verbindingsopties() -> dict[str, Any]:
    """For every connection of this process: its name in pg_stat_activity, and bounds on a database that
    does not answer (connecting; data sent but never acknowledged)."""
    # Keepalives: a database that silently stops answering (a cut network) is noticed within about 25 s
    # on an idle or waiting connection, instead of the operating system's two hours.
    return {"application_name": f"inburgering/{os.getpid()}", "connect_timeout": WACHTTIJD, "tcp_user_timeout": 10_000,
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}


# Reconnect attempts back off (1, 2, 4 s, ...) until this, then start afresh on the next request: a
# database that comes back is used again within seconds.
POOLGEDRAG: dict[str, Any] = {"timeout": WACHTTIJD, "reconnect_timeout": WACHTTIJD, "max_idle": 60.0}


def nog_verbonden(verbinding: psycopg.Connection[Any]) -> None:
    """The pools' check before handing out an idle connection, without a round trip while all is well: a
    server that restarts or ends a session says so on the socket (or closes it), which makes the idle socket
    readable. Only then is the connection asked, and replaced when it does not answer."""
    if verbinding.closed or verbinding.broken:
        raise psycopg.OperationalError("de verbinding is verbroken")
    peiling = select.poll()  # not select(): it fails on a descriptor above 1023, as a busy server has
    peiling.register(verbinding.fileno(), select.POLLIN)
    if peiling.poll(0):
        ConnectionPool.check_connection(verbinding)


class _MerktUitval:
    """For a psycopg pool: after a failed connection attempt a request that finds no idle connection
    waits WACHTTIJD_ONBEREIKBAAR instead of WACHTTIJD, until an attempt succeeds again. The pool still
    tries in the background and for each waiting request, so it recovers by itself."""

    _onbereikbaar = False

    def _open(self) -> None:  # where psycopg_pool opens every pool, at its creation (open=True) or by open()
        super()._open()  # type: ignore[misc]
        _open_pools.add(self)  # type: ignore[arg-type]

    def _connect(self, timeout: float | None = None) -> Any:  # where psycopg_pool makes every connection
        try:
            verbinding = super()._connect(timeout)  # type: ignore[misc]
        except Exception:
            self._onbereikbaar = True
            raise
        self._onbereikbaar = False
        return verbinding

    def getconn(self, timeout: float | None = None) -> Any:
        return super().getconn(WACHTTIJD_ONBEREIKBAAR if self._onbereikbaar else timeout)  # type: ignore[misc]


class Pool(_MerktUitval, ConnectionPool):
    """The pool the other stores of this process share (see the top)."""


class GebeurtenissenPool(_MerktUitval, EventsourcingPool):
    """The event store's pool, as eventsourcing builds it, quick to say the database is gone."""


def open_pools() -> list[ConnectionPool]:
    """The pools of this process that are open now (for the metrics: how many connections are in use)."""
    return [pool for pool in list(_open_pools) if not pool.closed]


_pools: dict[str, tuple[Pool, int]] = {}  # per database URL: the pool and how many stores use it
_pools_slot = threading.Lock()


def _neem_pool(url: str) -> Pool:
    with _pools_slot:
        pool, gebruikers = _pools.get(url) or (None, 0)
        if pool is None:
            # Checked before use: no retries here, so a connection the database dropped (a restart) is
            # replaced instead of failing one request. Autocommit: `transactie` begins and commits itself,
            # `eenmalig` sends its one statement alone.
            pool = Pool(url, min_size=0, max_size=HULPVERBINDINGEN, open=True, name="inburgering-opslag",
                        check=nog_verbonden, kwargs={"autocommit": True} | verbindingsopties(), **POOLGEDRAG)
        _pools[url] = (pool, gebruikers + 1)
        return pool


def _geef_pool_terug(url: str) -> None:
    with _pools_slot:
        pool, gebruikers = _pools.pop(url)
        if gebruikers > 1:
            _pools[url] = (pool, gebruikers - 1)
            return
    pool.close()


class BegrensdePostgresFactory(PostgresFactory):
    """eventsourcing's PostgreSQL persistence with the event store's pool as ours: named after this
    process, bounded waits, quick to say that the database is gone (PERSISTENCE_MODULE, adapters/settings.py)."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        opslag, gebouwd = self.datastore, self.datastore.pool  # not opened yet: nothing to close
        # The library's pool with its own settings; its generic row type and kwargs union are wider than it uses.
        opslag.pool = GebeurtenissenPool(  # type: ignore[assignment]
            get_password_func=gebouwd.get_password_func,
            connection_class=gebouwd.connection_class,  # type: ignore[arg-type]
            kwargs=dict(gebouwd.kwargs or {}) | verbindingsopties(),  # type: ignore[arg-type]
            min_size=gebouwd.min_size,
            max_size=gebouwd.max_size,
            open=False,
            configure=opslag.after_connect_func(),
            check=nog_verbonden if opslag.pre_ping else None,
            max_waiting=gebouwd.max_waiting,
            max_lifetime=gebouwd.max_lifetime,
            name="inburgering-gebeurtenissen",
            **POOLGEDRAG,
        )


def maak_schema(url: str, schema: str) -> None:
    """The schema our tables go in, when it is not there yet (for INBURGERING_MAAK_TABELLEN and `migreer`).
    Looked up first: CREATE SCHEMA IF NOT EXISTS needs the right to create, also when the schema exists."""
    with psycopg.connect(url, autocommit=True, **verbindingsopties()) as verbinding:
        if verbinding.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None:
            verbinding.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
