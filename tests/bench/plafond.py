"""The bare ceiling: FastAPI with one pooled INSERT per POST and one indexed SELECT of 100 rows per GET.

Served the same way as the API (uvicorn --factory, one worker, loopback, same clients), on the same
store kind: PostgreSQL (a table in the bench's schema) or a SQLite file. The ratio against it is what
the event-sourced path costs on top of "FastAPI plus one statement".
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from fastapi import FastAPI
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

HEALTH = "/api/v1/health"  # the API's path too, so one readiness check serves both
INSERTS, RIJEN = "bare_inserts", "bare_rijen"
PAGINA = 100
GEMEENTEN = ("0505", "0531", "0590", "0642")
SQLITE_TABELLEN = f"""
CREATE TABLE IF NOT EXISTS {INSERTS} (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {RIJEN} (id INTEGER PRIMARY KEY, gemeente TEXT NOT NULL, startdatum TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS {RIJEN}_lijst ON {RIJEN} (gemeente, startdatum, id);
"""


def document(nummer: int) -> dict[str, Any]:
    """A row shaped like a trajectenlijst document (projections/trajectenlijst.py), about as large."""
    start = date(2022 + nummer // 12 % 4, 1, 2) + timedelta(days=nummer * 7 % 300)
    return {
        "trajectId": f"00000000-0000-4000-8000-{nummer:012d}", "versie": 1 + nummer % 5, "gemeente": GEMEENTEN[nummer % 4],
        "doelgroep": "asielstatushouder", "leerroute": "b1", "status": "lopend", "regisseur": f"regisseur-{nummer % 12}",
        "startdatum": start.isoformat(), "pipDagtekening": None, "termijnEinde": (start + timedelta(days=1095)).isoformat(),
        "eerstvolgendeDeadline": {"soort": "brede-intake-signaal", "uiterlijk": (start + timedelta(days=70)).isoformat()},
        "aanbod": [], "begeleidingStart": None, "tolkvoorzieningen": [], "handhavingszaken": [],
    }


def maak_tabellen_postgres(url: str, schema: str, rijen: int) -> None:
    """The INSERT target and the SELECT source with `rijen` rows, indexed as the API's list is."""
    tabel = sql.Identifier(schema, RIJEN)
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE TABLE {} (id bigserial PRIMARY KEY, body jsonb NOT NULL)").format(sql.Identifier(schema, INSERTS)))
        conn.execute(sql.SQL("CREATE TABLE {} (id bigint PRIMARY KEY, gemeente text NOT NULL, startdatum text NOT NULL, "
                             "body jsonb NOT NULL)").format(tabel))
        with conn.cursor() as cursor, cursor.copy(sql.SQL("COPY {} (id, gemeente, startdatum, body) FROM STDIN").format(tabel)) as copy:
            for nummer in range(rijen):
                doc = document(nummer)
                copy.write_row((nummer, doc["gemeente"], doc["startdatum"], json.dumps(doc)))
        conn.execute(sql.SQL("CREATE INDEX ON {} (gemeente, startdatum, id)").format(tabel))
        conn.execute(sql.SQL("ANALYZE {}").format(tabel))


def maak_tabellen_sqlite(pad: Path, rijen: int) -> None:
    with closing(sqlite3.connect(pad)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")  # as the event store's file
        conn.executescript(SQLITE_TABELLEN)
        with conn:
            conn.executemany(f"INSERT INTO {RIJEN} (id, gemeente, startdatum, body) VALUES (?, ?, ?, ?)",
                             ((n, (d := document(n))["gemeente"], d["startdatum"], json.dumps(d)) for n in range(rijen)))
        conn.execute("ANALYZE")


def bare_app() -> FastAPI:
    """Started by uvicorn --factory; BENCH_DATABASE_URL + BENCH_SCHEMA for PostgreSQL, else BENCH_SQLITE_PAD."""
    if url := os.environ.get("BENCH_DATABASE_URL"):
        return _app(_PostgresOpslag(url, os.environ["BENCH_SCHEMA"]))
    return _app(_SqliteOpslag(Path(os.environ["BENCH_SQLITE_PAD"])))


def _app(opslag: _PostgresOpslag | _SqliteOpslag) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with opslag.open():  # the API also opens its store in its lifespan
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get(HEALTH)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/inserts", status_code=201)
    def insert_row(body: dict[str, Any]) -> dict[str, int]:
        return {"id": opslag.insert(body)}

    @app.get("/rijen")
    def rijen(gemeente: str = "0505") -> dict[str, list[dict[str, Any]]]:
        return {"rijen": opslag.pagina(gemeente)}

    return app


class _PostgresOpslag:
    def __init__(self, url: str, schema: str) -> None:
        self._insert = sql.SQL("INSERT INTO {} (body) VALUES (%s) RETURNING id").format(sql.Identifier(schema, INSERTS))
        self._select = sql.SQL("SELECT body FROM {} WHERE gemeente = %s ORDER BY startdatum, id LIMIT %s").format(
            sql.Identifier(schema, RIJEN))
        self._pool = ConnectionPool(url, min_size=5, max_size=5, open=False)

    @contextmanager
    def open(self) -> Iterator[None]:
        with self._pool:
            yield

    def insert(self, body: dict[str, Any]) -> int:
        with self._pool.connection() as conn:  # commits on exit: one transaction, one INSERT
            row = conn.execute(self._insert, (Jsonb(body),)).fetchone()
        assert row is not None
        return int(row[0])

    def pagina(self, gemeente: str) -> list[dict[str, Any]]:
        with self._pool.connection() as conn:
            return [row[0] for row in conn.execute(self._select, (gemeente, PAGINA)).fetchall()]


class _SqliteOpslag:
    """A connection per worker thread (sqlite3 connections are not shared), in WAL mode."""

    def __init__(self, pad: Path) -> None:
        self._pad, self._lokaal = pad, threading.local()

    @contextmanager
    def open(self) -> Iterator[None]:
        yield

    def _conn(self) -> sqlite3.Connection:
        if (conn := getattr(self._lokaal, "conn", None)) is None:
            conn = self._lokaal.conn = sqlite3.connect(self._pad, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def insert(self, body: dict[str, Any]) -> int:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            rij = conn.execute(f"INSERT INTO {INSERTS} (body) VALUES (?) RETURNING id", (json.dumps(body),)).fetchone()
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return int(rij[0])

    def pagina(self, gemeente: str) -> list[dict[str, Any]]:
        rijen = self._conn().execute(
            f"SELECT body FROM {RIJEN} WHERE gemeente = ? ORDER BY startdatum, id LIMIT ?", (gemeente, PAGINA)).fetchall()
        return [json.loads(rij[0]) for rij in rijen]
