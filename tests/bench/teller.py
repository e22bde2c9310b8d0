"""Counting the API server's database round trips, cheaply and without touching the API.

uvicorn starts `api` below instead of `api.main:create_app`. On PostgreSQL a round trip is a statement
a cursor executes (an `executemany` counts once: psycopg pipelines it) or a command psycopg sends for
a transaction (BEGIN, COMMIT, ROLLBACK, SAVEPOINT; psycopg's `_exec_command`); in pipeline mode, where
statements are sent without waiting for their answers, it is each sync (the wait for them all);
connecting is not counted. On SQLite there are no round trips: sqlite3 connections get a trace callback that counts
every statement, BEGIN and COMMIT included. The count is
kept in a small file mapped into memory, so the bench reads it without a request (which would itself
be logged, and counted).
"""

from __future__ import annotations

import mmap
import os
import sqlite3
import struct
from pathlib import Path
from typing import Any

import psycopg
from psycopg._connection_base import BaseConnection  # private, but where every transaction command goes
from psycopg._pipeline_base import BasePipeline  # private, but where every pipeline sync goes
from fastapi import FastAPI

from api.main import create_app

GROOTTE = struct.calcsize("q")


class Teller:
    def __init__(self, pad: Path) -> None:
        pad.write_bytes(b"\0" * GROOTTE)
        self._bestand = pad.open("r+b")
        self._geheugen = mmap.mmap(self._bestand.fileno(), GROOTTE)
        self._aantal = 0

    def tel(self, *_: Any) -> None:
        # A lost increment between two threads is possible in principle (no lock, to stay cheap);
        # the GIL makes it rare, and the figure is an average over hundreds of commands.
        self._aantal += 1
        struct.pack_into("q", self._geheugen, 0, self._aantal)


def lees(pad: Path) -> int:
    return int(struct.unpack("q", pad.read_bytes()[:GROOTTE])[0])


def api() -> FastAPI:
    """The API as `make run` serves it, with its round trips counted into BENCH_TELLER."""
    teller = Teller(Path(os.environ["BENCH_TELLER"]))
    opdracht = BaseConnection._exec_command
    uitvoeren, veel_uitvoeren = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def tellende_opdracht(self: BaseConnection[Any], *args: Any, **kwargs: Any) -> Any:
        if not self._pipeline:  # in a pipeline the command rides with the statements around it
            teller.tel()
        return (yield from opdracht(self, *args, **kwargs))

    def tellend_uitvoeren(self: psycopg.Cursor[Any], *args: Any, **kwargs: Any) -> Any:
        if not self._conn._pipeline:  # in a pipeline the statement waits for the sync
            teller.tel()
        return uitvoeren(self, *args, **kwargs)

    synchroniseer = BasePipeline._enqueue_sync

    def tellend_synchroniseren(self: BasePipeline, *args: Any, **kwargs: Any) -> Any:
        teller.tel()
        return synchroniseer(self, *args, **kwargs)

    def tellend_veel_uitvoeren(self: psycopg.Cursor[Any], *args: Any, **kwargs: Any) -> Any:
        teller.tel()
        return veel_uitvoeren(self, *args, **kwargs)

    BaseConnection._exec_command = tellende_opdracht  # type: ignore[method-assign]
    psycopg.Cursor.execute = tellend_uitvoeren  # type: ignore[method-assign]
    psycopg.Cursor.executemany = tellend_veel_uitvoeren  # type: ignore[method-assign]
    BasePipeline._enqueue_sync = tellend_synchroniseren  # type: ignore[method-assign]
    verbind = sqlite3.connect

    def tellend_verbinden(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        verbinding = verbind(*args, **kwargs)
        verbinding.set_trace_callback(teller.tel)
        return verbinding

    sqlite3.connect = tellend_verbinden  # type: ignore[assignment]
    return create_app()
