"""The read models' tables, on SQLite or PostgreSQL, with each write and its tracking in one transaction.

Every text value written, in a column or inside the JSON document, and every text filter goes through
`opslagbaar` (adapters/opslagtekst.py): a NUL or lone surrogate that an event may hold reads as U+FFFD,
on both stores alike, instead of failing the write on PostgreSQL and with it every list read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from adapters.opslagtekst import opslagbaar
from adapters.sqlverbinding import VERBINDINGSFOUTEN, PostgresVerbinding, SqliteVerbinding, Verbinding
from projections.projector import PositieVerouderdError, Storing
from projections.signaleringen import SignaleringRij
from projections.trajectenlijst import TrajectRij

SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}leesmodel_tracking (projectie TEXT PRIMARY KEY, positie BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS {s}leesmodel_storingen (
    projectie TEXT PRIMARY KEY, positie BIGINT NOT NULL, tijdstip TEXT NOT NULL, fout TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {s}leesmodel_trajecten (
    traject_id TEXT PRIMARY KEY, gemeente TEXT NOT NULL, doelgroep TEXT NOT NULL, leerroute TEXT,
    status TEXT NOT NULL, regisseur TEXT, startdatum TEXT NOT NULL, eerstvolgende_deadline TEXT,
    document TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS leesmodel_trajecten_lijst ON {s}leesmodel_trajecten (gemeente, startdatum, traject_id);
CREATE TABLE IF NOT EXISTS {s}leesmodel_signaleringen (
    traject_id TEXT NOT NULL, soort TEXT NOT NULL, zaaknummer INTEGER NOT NULL, gemeente TEXT NOT NULL,
    regisseur TEXT, uiterlijk TEXT NOT NULL, grondslag TEXT NOT NULL, PRIMARY KEY (traject_id, soort, zaaknummer));
CREATE INDEX IF NOT EXISTS leesmodel_signaleringen_werklijst ON {s}leesmodel_signaleringen (gemeente, uiterlijk);
"""
TABELLEN = {"trajectenlijst": "leesmodel_trajecten", "signaleringen": "leesmodel_signaleringen"}
TRAJECT_KOLOMMEN = ("traject_id", "gemeente", "doelgroep", "leerroute", "status", "regisseur", "startdatum", "eerstvolgende_deadline", "document")
SIGNALERING_KOLOMMEN = ("traject_id", "soort", "zaaknummer", "gemeente", "regisseur", "uiterlijk", "grondslag")
FOUTLENGTE = 300  # characters of an error kept with a storing
# SQLSTATE classes whose primary message names only the schema (constraints, columns, relations):
# integrity constraint violation, syntax error or access rule violation. Others may quote a value,
# as a data exception does: invalid input syntax for type date: "...", invalid byte sequence: 0x...
MELDING_ZONDER_WAARDEN = ("23", "42")
# Deterministic however often it is tried, although psycopg makes it an OperationalError: a value too
# large for an index. Caused by the event, so a stop, not a passing error.
PROGRAMMALIMIET = "54"


def foutmelding(fout: BaseException) -> str:
    """What a storing keeps of an error: its type; for a database error also its SQLSTATE and, in the
    classes above, PostgreSQL's primary message. Never the rest of a message: a Python error quotes the
    value it choked on (KeyError('...'), invalid literal for int(): '...') and PostgreSQL's DETAIL the
    refused row, data from the event and so often personal data (shown by GET /projecties and the CLI)."""
    soort = type(fout).__name__
    if not isinstance(fout, psycopg.Error) or not fout.sqlstate:  # not from the server: no code to give
        return soort
    melding = fout.diag.message_primary if fout.sqlstate[:2] in MELDING_ZONDER_WAARDEN else None
    return opslagbaar(f"{soort} (SQLSTATE {fout.sqlstate})" + (f": {melding}" if melding else ""))[:FOUTLENGTE]


def voorbijgaand(fout: BaseException) -> bool:
    """The database unreachable or busy (lost connection, no connection in time, a lock or statement
    timeout): it says nothing about the event, so the caller hears it (the API answers 503) and no
    read model records a stop for it."""
    sqlstate = fout.sqlstate if isinstance(fout, psycopg.Error) else None
    return isinstance(fout, VERBINDINGSFOUTEN) and not (sqlstate or "").startswith(PROGRAMMALIMIET)


class SqlLeesmodelopslag:
    """The read models' SQL, the same on both stores (adapters/sqlverbinding.py)."""

    def __init__(self, verbinding: Verbinding) -> None:
        self._verbinding = verbinding

    def _sql(self, sql: str) -> str:
        return self._verbinding.sql(sql)

    def _transactie(self, schrijven: bool = True) -> AbstractContextManager[Any]:
        return self._verbinding.transactie(schrijven)

    def close(self) -> None:
        self._verbinding.close()

    def maak_tabellen(self) -> None:
        with self._transactie() as cursor:
            for opdracht in filter(str.strip, self._sql(SCHEMA).split(";")):
                cursor.execute(opdracht)

    # -- writes --------------------------------------------------------------------------------

    def positie(self, naam: str) -> int:
        with self._transactie(schrijven=False) as cursor:
            cursor.execute(self._sql("SELECT positie FROM {s}leesmodel_tracking WHERE projectie = %s"), (naam,))
            rij = cursor.fetchone()
        return int(rij[0]) if rij else 0

    def _volg(self, cursor: Any, naam: str, van: int, tot: int) -> None:
        cursor.execute(self._sql("INSERT INTO {s}leesmodel_tracking (projectie, positie) VALUES (%s, 0) ON CONFLICT (projectie) DO NOTHING"), (naam,))
        cursor.execute(self._sql("UPDATE {s}leesmodel_tracking SET positie = %s WHERE projectie = %s AND positie = %s"), (tot, naam, van))
        if cursor.rowcount != 1:
            raise PositieVerouderdError(f"{naam} staat niet meer op {van}")
        cursor.execute(self._sql("DELETE FROM {s}leesmodel_storingen WHERE projectie = %s AND positie <= %s"), (naam, tot))

    foutmelding = staticmethod(foutmelding)
    voorbijgaand = staticmethod(voorbijgaand)

    def meld_storing(self, naam: str, positie: int, tijdstip: datetime, fout: str) -> None:
        """Record that this read model stopped at the event at `positie`, and why (`foutmelding`); a
        later write past it clears it."""
        with self._transactie() as cursor:
            cursor.execute(
                self._sql("INSERT INTO {s}leesmodel_storingen (projectie, positie, tijdstip, fout) VALUES (%s, %s, %s, %s) "
                          "ON CONFLICT (projectie) DO UPDATE SET positie = excluded.positie, tijdstip = excluded.tijdstip, "
                          "fout = excluded.fout"),
                (naam, positie, tijdstip.isoformat(), fout),
            )

    def storingen(self) -> dict[str, Storing]:
        with self._transactie(schrijven=False) as cursor:
            cursor.execute(self._sql("SELECT projectie, positie, tijdstip, fout FROM {s}leesmodel_storingen"))
            return {naam: Storing(int(positie), datetime.fromisoformat(tijdstip), fout) for naam, positie, tijdstip, fout in cursor.fetchall()}

    def schrijf_trajecten(self, van: int, tot: int, rijen: dict[str, TrajectRij]) -> None:
        kolommen = ", ".join(TRAJECT_KOLOMMEN)
        bijwerken = ", ".join(f"{k} = excluded.{k}" for k in TRAJECT_KOLOMMEN[1:])
        sql = self._sql(f"INSERT INTO {{s}}leesmodel_trajecten ({kolommen}) VALUES ({', '.join(['%s'] * len(TRAJECT_KOLOMMEN))}) "
                        f"ON CONFLICT (traject_id) DO UPDATE SET {bijwerken}")
        with self._transactie() as cursor:
            self._volg(cursor, "trajectenlijst", van, tot)
            for rij in rijen.values():
                waarden = opslagbaar(asdict(rij))
                waarden["document"] = json.dumps(waarden["document"], sort_keys=True)
                cursor.execute(sql, tuple(waarden[k] for k in TRAJECT_KOLOMMEN))

    def schrijf_signaleringen(self, van: int, tot: int, rijen: dict[str, list[SignaleringRij]]) -> None:
        invoegen = self._sql(f"INSERT INTO {{s}}leesmodel_signaleringen ({', '.join(SIGNALERING_KOLOMMEN)}) "
                             f"VALUES ({', '.join(['%s'] * len(SIGNALERING_KOLOMMEN))})")
        with self._transactie() as cursor:
            self._volg(cursor, "signaleringen", van, tot)
            for traject_id, signaleringen in rijen.items():
                cursor.execute(self._sql("DELETE FROM {s}leesmodel_signaleringen WHERE traject_id = %s"), (traject_id,))
                for rij in signaleringen:
                    waarden = opslagbaar(asdict(rij))
                    cursor.execute(invoegen, tuple(waarden[k] for k in SIGNALERING_KOLOMMEN))

    def wis(self, naam: str) -> None:
        with self._transactie() as cursor:
            cursor.execute(self._sql(f"DELETE FROM {{s}}{TABELLEN[naam]}"))
            cursor.execute(self._sql("DELETE FROM {s}leesmodel_tracking WHERE projectie = %s"), (naam,))
            cursor.execute(self._sql("DELETE FROM {s}leesmodel_storingen WHERE projectie = %s"), (naam,))

    # -- reads ---------------------------------------------------------------------------------

    def trajecten(
        self, gemeenten: Sequence[str], filters: dict[str, str], deadline_tot: str | None,
        na: tuple[str, str] | None, limiet: int,
    ) -> list[dict[str, Any]]:
        """Rows ordered by start date and id, after the cursor `na`; `filters` are exact matches."""
        waar, parameters = self._binnen(gemeenten)
        for kolom, waarde in sorted(filters.items()):
            waar.append(f"{kolom} = %s")
            parameters.append(opslagbaar(waarde))  # matches what was stored in its place
        if deadline_tot is not None:
            waar.append("eerstvolgende_deadline <= %s")
            parameters.append(deadline_tot)
        if na is not None:
            waar.append("(startdatum > %s OR (startdatum = %s AND traject_id > %s))")
            parameters += opslagbaar([na[0], na[0], na[1]])
        sql = self._sql(f"SELECT document FROM {{s}}leesmodel_trajecten WHERE {' AND '.join(waar)} "
                        "ORDER BY startdatum, traject_id LIMIT %s")
        with self._transactie(schrijven=False) as cursor:
            cursor.execute(sql, (*parameters, limiet))
            return [json.loads(rij[0]) for rij in cursor.fetchall()]

    def signaleringen(
        self, gemeenten: Sequence[str], regisseur: str | None, van: str | None, tot: str | None,
        na: tuple[str, str, str, int] | None, limiet: int,
    ) -> list[dict[str, Any]]:
        """Open deadlines between `van` and `tot` (both included), ordered by date, after the cursor `na`."""
        waar, parameters = self._binnen(gemeenten)
        if regisseur is not None:
            waar.append("regisseur = %s")
            parameters.append(opslagbaar(regisseur))  # matches what was stored in its place
        if van is not None:
            waar.append("uiterlijk >= %s")
            parameters.append(van)
        if tot is not None:
            waar.append("uiterlijk <= %s")
            parameters.append(tot)
        if na is not None:
            waar.append("(uiterlijk, traject_id, soort, zaaknummer) > (%s, %s, %s, %s)")
            parameters += opslagbaar(list(na))
        sql = self._sql(f"SELECT {', '.join(SIGNALERING_KOLOMMEN)} FROM {{s}}leesmodel_signaleringen WHERE {' AND '.join(waar)} "
                        "ORDER BY uiterlijk, traject_id, soort, zaaknummer LIMIT %s")
        with self._transactie(schrijven=False) as cursor:
            cursor.execute(sql, (*parameters, limiet))
            return [dict(zip(SIGNALERING_KOLOMMEN, rij, strict=True)) for rij in cursor.fetchall()]

    def afgesloten_trajecten(self) -> list[str]:
        """The ids of every closed trajectory: the candidates whose retention period may have passed."""
        with self._transactie(schrijven=False) as cursor:
            cursor.execute(self._sql("SELECT traject_id FROM {s}leesmodel_trajecten WHERE status <> 'lopend' ORDER BY traject_id"))
            return [rij[0] for rij in cursor.fetchall()]

    def documenten(self, gemeente: str) -> list[dict[str, Any]]:
        with self._transactie(schrijven=False) as cursor:
            cursor.execute(self._sql("SELECT document FROM {s}leesmodel_trajecten WHERE gemeente = %s ORDER BY traject_id"), (opslagbaar(gemeente),))
            return [json.loads(rij[0]) for rij in cursor.fetchall()]

    def inhoud(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every read model, in a fixed order: for comparing a rebuild with the live one."""
        with self._transactie(schrijven=False) as cursor:
            uitkomst = {}
            for tabel, sleutel in (("leesmodel_trajecten", "traject_id"), ("leesmodel_signaleringen", "traject_id, soort, zaaknummer")):
                cursor.execute(self._sql(f"SELECT * FROM {{s}}{tabel} ORDER BY {sleutel}"))
                uitkomst[tabel] = [tuple(rij) for rij in cursor.fetchall()]
            return uitkomst

    @staticmethod
    def _binnen(gemeenten: Sequence[str]) -> tuple[list[str], list[Any]]:
        if not gemeenten:
            return ["1 = 0"], []
        return [f"gemeente IN ({', '.join(['%s'] * len(gemeenten))})"], opslagbaar(list(gemeenten))


class SqliteLeesmodelopslag(SqlLeesmodelopslag):
    """A file of its own: the event store's SQLite file has fixed table names (shared/eventsourcing.md)."""

    def __init__(self, pad: Path) -> None:
        super().__init__(SqliteVerbinding(pad))


class PostgresLeesmodelopslag(SqlLeesmodelopslag):
    """Tables next to the event store's, in the same schema."""

    def __init__(self, url: str, schema: str) -> None:
        super().__init__(PostgresVerbinding(url, schema))
