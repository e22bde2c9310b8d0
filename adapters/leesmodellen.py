"""The read models' tables, on SQLite or PostgreSQL, with each write and its tracking in one transaction.

Every text value written, in a column or inside the JSON document, and every text filter goes through
`opslagbaar` (adapters/opslagtekst.py): a NUL or lone surrogate that an event may hold reads as U+FFFD,
on both stores alike, instead of failing the write on PostgreSQL and with it every list read.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

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
CREATE TABLE IF NOT EXISTS {s}leesmodel_versies (leesmodel TEXT PRIMARY KEY, versie INTEGER NOT NULL)
"""
# Per read model its tables, with a version: a store made by other code (another version) has its tables
# dropped and rebuilt from the events when the tables are made, as they hold nothing the log does not.
# Every list filter has an index that yields its rows in the list's order, so a page reads no more than
# it shows, at any size (tests/adapters/test_leesmodellen.py reads the plans).
LEESMODEL_TABELLEN = {
    "trajectenlijst": (("leesmodel_trajecten", "leesmodel_rapportcijfers"), 4, """
CREATE TABLE IF NOT EXISTS {s}leesmodel_trajecten (
    traject_id TEXT PRIMARY KEY, gemeente TEXT NOT NULL, doelgroep TEXT NOT NULL, leerroute TEXT,
    status TEXT NOT NULL, regisseur TEXT, startdatum TEXT NOT NULL, eerstvolgende_deadline TEXT,
    document TEXT NOT NULL, betrokkene TEXT);
CREATE INDEX IF NOT EXISTS leesmodel_trajecten_volgorde ON {s}leesmodel_trajecten (startdatum, traject_id);
CREATE INDEX IF NOT EXISTS leesmodel_trajecten_lijst ON {s}leesmodel_trajecten (gemeente, startdatum, traject_id);
CREATE INDEX IF NOT EXISTS leesmodel_trajecten_regisseur ON {s}leesmodel_trajecten (regisseur, startdatum, traject_id);
CREATE INDEX IF NOT EXISTS leesmodel_trajecten_status ON {s}leesmodel_trajecten (status, startdatum, traject_id);
CREATE INDEX IF NOT EXISTS leesmodel_trajecten_deadline ON {s}leesmodel_trajecten (eerstvolgende_deadline);
CREATE TABLE IF NOT EXISTS {s}leesmodel_rapportcijfers (
    traject_id TEXT NOT NULL, gemeente TEXT NOT NULL, jaar INTEGER NOT NULL, maat TEXT NOT NULL, sleutel TEXT NOT NULL,
    aantal INTEGER NOT NULL, centen BIGINT NOT NULL, PRIMARY KEY (traject_id, jaar, maat, sleutel));
CREATE INDEX IF NOT EXISTS leesmodel_rapportcijfers_rapport ON {s}leesmodel_rapportcijfers (gemeente, jaar, maat, sleutel)
"""),
    "signaleringen": (("leesmodel_signaleringen",), 3, """
CREATE TABLE IF NOT EXISTS {s}leesmodel_signaleringen (
    traject_id TEXT NOT NULL, soort TEXT NOT NULL, zaaknummer INTEGER NOT NULL, gemeente TEXT NOT NULL,
    regisseur TEXT, uiterlijk TEXT NOT NULL, grondslag TEXT NOT NULL, betrokkene TEXT,
    PRIMARY KEY (traject_id, soort, zaaknummer));
CREATE INDEX IF NOT EXISTS leesmodel_signaleringen_volgorde ON {s}leesmodel_signaleringen (uiterlijk, traject_id, soort, zaaknummer);
CREATE INDEX IF NOT EXISTS leesmodel_signaleringen_gemeente ON {s}leesmodel_signaleringen (gemeente, uiterlijk, traject_id, soort, zaaknummer);
CREATE INDEX IF NOT EXISTS leesmodel_signaleringen_regisseur ON {s}leesmodel_signaleringen (regisseur, uiterlijk, traject_id, soort, zaaknummer)
"""),
}
TABELLEN = {naam: tabellen for naam, (tabellen, _, _) in LEESMODEL_TABELLEN.items()}
TRAJECT_KOLOMMEN = ("traject_id", "gemeente", "doelgroep", "leerroute", "status", "regisseur", "startdatum", "eerstvolgende_deadline",
                    "document", "betrokkene")
SIGNALERING_KOLOMMEN = ("traject_id", "soort", "zaaknummer", "gemeente", "regisseur", "uiterlijk", "grondslag", "betrokkene")
RAPPORT_KOLOMMEN = ("traject_id", "gemeente", "jaar", "maat", "sleutel", "aantal", "centen")
# Per table its key (the primary key), in the order rows are compared by a replay (`rijen`).
SLEUTELS = {"leesmodel_trajecten": ("traject_id",), "leesmodel_signaleringen": ("traject_id", "soort", "zaaknummer"),
            "leesmodel_rapportcijfers": ("traject_id", "jaar", "maat", "sleutel")}
GETALKOLOMMEN = frozenset({"zaaknummer", "jaar", "aantal", "centen"})  # every other column is text
FOUTLENGTE = 300  # characters of an error kept with a storing
# SQLSTATE classes whose primary message names only the schema (constraints, columns, relations):
# integrity constraint violation, syntax error or access rule violation. Others may quote a value,
# as a data exception does: invalid input syntax for type date: "...", invalid byte sequence: 0x...
MELDING_ZONDER_WAARDEN = ("23", "42")
# Deterministic however often it is tried, although psycopg makes it an OperationalError: a value too
# large for an index. Caused by the event, so a stop, not a passing error.
PROGRAMMALIMIET = "54"


_NIET_OPSLAGBAAR_IN_JSON = re.compile(r"\\u0000|[\ud800-\udfff]")  # JSON escapes a NUL; a lone surrogate it leaves


def _json(document: dict[str, Any]) -> str:
    """The document as JSON text; walked by `opslagbaar` only when it holds what must be replaced, as
    that walk cost more than the rest of a row."""
    tekst = json.dumps(document, sort_keys=True, ensure_ascii=False)
    if _NIET_OPSLAGBAAR_IN_JSON.search(tekst):
        tekst = json.dumps(opslagbaar(document), sort_keys=True, ensure_ascii=False)
    return tekst


def _kolommen(rij: Any, kolommen: Sequence[str]) -> tuple[Any, ...]:
    """A row's values in the order of its table's columns, storable; a document as its JSON text."""
    return tuple(_json(rij.document) if kolom == "document" else opslagbaar(getattr(rij, kolom)) for kolom in kolommen)


class Lijstrij(NamedTuple):
    """A row of the trajectenlijst as a list reads it: its item as the JSON text the projection wrote."""

    document: str
    traject_id: str
    startdatum: str
    betrokkene: str | None


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

    BYTEVOLGORDE = ""  # SQLite compares text by its bytes, which for UTF-8 is the order of code points

    def __init__(self, verbinding: Verbinding) -> None:
        self._verbinding = verbinding
        self._lokaal = threading.local()  # per thread: the transaction `samen` opened, if any

    def _sql(self, sql: str) -> str:
        return self._verbinding.sql(sql)

    def _transactie(self, schrijven: bool = True) -> AbstractContextManager[Any]:
        samen = getattr(self._lokaal, "cursor", None)
        return nullcontext(samen) if samen is not None else self._schrijf_of_lees(schrijven)

    def _schrijf_of_lees(self, schrijven: bool) -> AbstractContextManager[Any]:
        return self._verbinding.transactie(schrijven)

    def _lees(self) -> AbstractContextManager[Any]:
        """For a read of one statement: no transaction around it (on PostgreSQL one round trip, not three)."""
        samen = getattr(self._lokaal, "cursor", None)
        return nullcontext(samen) if samen is not None else self._verbinding.eenmalig()

    @contextmanager
    def samen(self) -> Iterator[None]:
        """The writes of the read models within, in this thread, in one transaction: a batch that every read
        model takes costs one commit, not one per read model; a failure in any rolls back all of them."""
        with self._schrijf_of_lees(True) as cursor:
            self._lokaal.cursor = cursor
            try:
                yield
            finally:
                self._lokaal.cursor = None

    def close(self) -> None:
        self._verbinding.close()

    def maak_tabellen(self) -> None:
        with self._transactie() as cursor:
            self._voer_uit(cursor, SCHEMA)
            cursor.execute(self._sql("SELECT leesmodel, versie FROM {s}leesmodel_versies"))
            versies = dict(cursor.fetchall())
            for naam, (tabellen, versie, schema) in LEESMODEL_TABELLEN.items():
                if versies.get(naam) != versie:
                    # Made by other code (or before versions were kept): rebuilt from the first event.
                    for tabel in tabellen:
                        cursor.execute(self._sql(f"DROP TABLE IF EXISTS {{s}}{tabel}"))
                    cursor.execute(self._sql("DELETE FROM {s}leesmodel_tracking WHERE projectie = %s"), (naam,))
                    cursor.execute(self._sql("DELETE FROM {s}leesmodel_storingen WHERE projectie = %s"), (naam,))
                    cursor.execute(self._sql("DELETE FROM {s}leesmodel_versies WHERE leesmodel = %s"), (naam,))
                    cursor.execute(self._sql("INSERT INTO {s}leesmodel_versies (leesmodel, versie) VALUES (%s, %s)"), (naam, versie))
                self._voer_uit(cursor, schema)

    def _voer_uit(self, cursor: Any, opdrachten: str) -> None:
        for opdracht in filter(str.strip, self._sql(opdrachten).split(";")):
            cursor.execute(opdracht)

    # -- writes --------------------------------------------------------------------------------

    def positie(self, naam: str) -> int:
        with self._lees() as cursor:
            cursor.execute(self._sql("SELECT positie FROM {s}leesmodel_tracking WHERE projectie = %s"), (naam,))
            rij = cursor.fetchone()
        return int(rij[0]) if rij else 0

    def posities(self) -> dict[str, int]:
        """Every read model's position, in one query."""
        with self._lees() as cursor:
            cursor.execute(self._sql("SELECT projectie, positie FROM {s}leesmodel_tracking"))
            return {naam: int(positie) for naam, positie in cursor.fetchall()}

    def posities_en_kop(self, kop: Callable[[], int]) -> tuple[dict[str, int], int]:
        """Every read model's position and the head of the log, as `kop` reads it."""
        return self.posities(), kop()

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
        with self._lees() as cursor:
            cursor.execute(self._sql("SELECT projectie, positie, tijdstip, fout FROM {s}leesmodel_storingen"))
            return {naam: Storing(int(positie), datetime.fromisoformat(tijdstip), fout) for naam, positie, tijdstip, fout in cursor.fetchall()}

    def schrijf_trajecten(self, van: int, tot: int, rijen: dict[str, TrajectRij]) -> None:
        """Each trajectory's row, and its contributions to the reports in place of the ones it had."""
        bijwerken = ", ".join(f"{k} = excluded.{k}" for k in TRAJECT_KOLOMMEN[1:])
        waarden = [_kolommen(rij, TRAJECT_KOLOMMEN) for rij in rijen.values()]
        bijdragen = [_kolommen(b, RAPPORT_KOLOMMEN) for rij in rijen.values() for b in rij.bijdragen]
        with self._transactie() as cursor:
            self._volg(cursor, "trajectenlijst", van, tot)
            self._voeg_in(cursor, "leesmodel_trajecten", TRAJECT_KOLOMMEN, waarden,
                          f"ON CONFLICT (traject_id) DO UPDATE SET {bijwerken}")
            self._wis_van(cursor, "leesmodel_rapportcijfers", list(rijen))
            self._voeg_in(cursor, "leesmodel_rapportcijfers", RAPPORT_KOLOMMEN, bijdragen)

    def schrijf_signaleringen(self, van: int, tot: int, rijen: dict[str, list[SignaleringRij]]) -> None:
        """Each trajectory's open terms in place of the ones it had."""
        nieuw = [_kolommen(rij, SIGNALERING_KOLOMMEN) for lijst in rijen.values() for rij in lijst]
        with self._transactie() as cursor:
            self._volg(cursor, "signaleringen", van, tot)
            self._wis_van(cursor, "leesmodel_signaleringen", list(rijen))
            self._voeg_in(cursor, "leesmodel_signaleringen", SIGNALERING_KOLOMMEN, nieuw)

    # A batch is written as a few statements of many rows each (on PostgreSQL one, of whole columns as arrays),
    # not as a statement per row: a round trip per row was most of the time of a rebuild on PostgreSQL.
    PER_OPDRACHT = 500

    def _voeg_in(self, cursor: Any, tabel: str, kolommen: Sequence[str], rijen: Sequence[Sequence[Any]], daarna: str = "") -> None:
        self._verbinding.voeg_in(cursor, tabel, kolommen, rijen, GETALKOLOMMEN, daarna)

    def _wis_van(self, cursor: Any, tabel: str, traject_ids: Sequence[str]) -> None:
        for begin in range(0, len(traject_ids), self.PER_OPDRACHT):
            deel = opslagbaar(list(traject_ids[begin:begin + self.PER_OPDRACHT]))
            cursor.execute(self._sql(f"DELETE FROM {{s}}{tabel} WHERE traject_id IN ({', '.join(['%s'] * len(deel))})"), deel)

    def wis(self, naam: str) -> None:
        with self._transactie() as cursor:
            for tabel in TABELLEN[naam]:
                cursor.execute(self._sql(f"DELETE FROM {{s}}{tabel}"))
            cursor.execute(self._sql("DELETE FROM {s}leesmodel_tracking WHERE projectie = %s"), (naam,))
            cursor.execute(self._sql("DELETE FROM {s}leesmodel_storingen WHERE projectie = %s"), (naam,))

    def tel_opnieuw(self, naam: str) -> None:
        """Refresh the planner's statistics of a read model's tables, after a rebuild filled them: without
        them PostgreSQL planned a filtered list page at 100,000 trajectories as a sort of every match (100 ms
        and more, not 1), until autovacuum got round to it."""
        with self._transactie() as cursor:
            for tabel in TABELLEN[naam]:
                cursor.execute(self._sql(f"ANALYZE {{s}}{tabel}"))

    # -- reads ---------------------------------------------------------------------------------

    def trajecten(
        self, gemeenten: Sequence[str], filters: dict[str, str], deadline_tot: str | None,
        na: tuple[str, str] | None, limiet: int,
    ) -> list[Lijstrij]:
        """Rows ordered by start date and id, after the cursor `na`, each with its item as JSON text and its
        access-log reference (projections/trajectenlijst.py `betrokkene`); `filters` are exact matches."""
        with self._lees() as cursor:
            cursor.execute(*self.lijstvraag(gemeenten, filters, deadline_tot, na, limiet))
            return [Lijstrij(*rij) for rij in cursor.fetchall()]

    def lijstvraag(
        self, gemeenten: Sequence[str], filters: dict[str, str], deadline_tot: str | None,
        na: tuple[str, str] | None, limiet: int,
    ) -> tuple[str, list[Any]]:
        """The SQL of `trajecten` and its parameters (also for reading its plan)."""
        waar, parameters = self._binnen(gemeenten)
        for kolom, waarde in sorted(filters.items()):
            waar.append(f"{kolom} = %s")
            parameters.append(opslagbaar(waarde))  # matches what was stored in its place
        if deadline_tot is not None:
            waar.append("eerstvolgende_deadline <= %s")
            parameters.append(deadline_tot)
        if na is not None:
            waar.append("(startdatum, traject_id) > (%s, %s)")  # a row comparison: an index condition, unlike OR
            parameters += opslagbaar(list(na))
        sql = self._sql(f"SELECT document, traject_id, startdatum, betrokkene FROM {{s}}leesmodel_trajecten WHERE {' AND '.join(waar)} "
                        "ORDER BY startdatum, traject_id LIMIT %s")
        return sql, [*parameters, limiet]

    def signaleringen(
        self, gemeenten: Sequence[str], regisseur: str | None, van: str | None, tot: str | None,
        na: tuple[str, str, str, int] | None, limiet: int,
    ) -> list[dict[str, Any]]:
        """Open deadlines between `van` and `tot` (both included), ordered by date, after the cursor `na`."""
        with self._lees() as cursor:
            cursor.execute(*self.werklijstvraag(gemeenten, regisseur, van, tot, na, limiet))
            return [dict(zip(SIGNALERING_KOLOMMEN, rij, strict=True)) for rij in cursor.fetchall()]

    def werklijstvraag(
        self, gemeenten: Sequence[str], regisseur: str | None, van: str | None, tot: str | None,
        na: tuple[str, str, str, int] | None, limiet: int,
    ) -> tuple[str, list[Any]]:
        """The SQL of `signaleringen` and its parameters (also for reading its plan)."""
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
        return sql, [*parameters, limiet]

    def afgesloten_trajecten(self) -> list[str]:
        """The ids of every closed trajectory: the candidates whose retention period may have passed."""
        with self._lees() as cursor:
            cursor.execute(self._sql("SELECT traject_id FROM {s}leesmodel_trajecten WHERE status <> 'lopend' ORDER BY traject_id"))
            return [rij[0] for rij in cursor.fetchall()]

    def rapportcijfers(self, gemeente: str, jaar: int) -> dict[tuple[str, str], tuple[int, int]]:
        """Every figure of one gemeente's reports of one year: (maat, sleutel) -> (aantal, centen)."""
        with self._lees() as cursor:
            cursor.execute(self._sql("SELECT maat, sleutel, SUM(aantal), SUM(centen) FROM {s}leesmodel_rapportcijfers "
                                     "WHERE gemeente = %s AND jaar = %s GROUP BY maat, sleutel"), (opslagbaar(gemeente), jaar))
            return {(maat, sleutel): (int(aantal), int(centen)) for maat, sleutel, aantal, centen in cursor.fetchall()}

    def inhoud(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every read model, in a fixed order (for tests: a store of any size is compared a part
        at a time, `rijen`)."""
        with self._transactie(schrijven=False) as cursor:
            uitkomst = {}
            for tabel in SLEUTELS:
                cursor.execute(self._sql(f"SELECT * FROM {{s}}{tabel} ORDER BY {self._sleutelvolgorde(tabel)}"))
                uitkomst[tabel] = [tuple(rij) for rij in cursor.fetchall()]
            return uitkomst

    @contextmanager
    def rijen(self, tabel: str) -> Iterator[Iterator[tuple[Any, ...]]]:
        """Every row of a read model's table in the order of its key as Python orders it (text by code point,
        numbers by value), fetched a part at a time: a replay compares stores of any size in flat memory."""
        with self._verbinding.stroom(self._sql(f"SELECT * FROM {{s}}{tabel} ORDER BY {self._sleutelvolgorde(tabel)}")) as stroom:
            yield (tuple(rij) for rij in stroom)

    def _sleutelvolgorde(self, tabel: str) -> str:
        return ", ".join(f"{kolom}{self.BYTEVOLGORDE if kolom not in GETALKOLOMMEN else ''}" for kolom in SLEUTELS[tabel])

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
    """Tables next to the event store's, in the same schema. A batch goes as one statement per table with each
    column as an array (PostgresVerbinding.voeg_in)."""

    BYTEVOLGORDE = ' COLLATE "C"'  # not the database's language order, which can pass over a hyphen

    def __init__(self, url: str, schema: str, gebeurtenissen: str | None = None) -> None:
        super().__init__(PostgresVerbinding(url, schema))
        if gebeurtenissen is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", gebeurtenissen):
            raise ValueError(f"ongeldige tabelnaam {gebeurtenissen!r}")  # it is written into the statement
        self._gebeurtenissen = gebeurtenissen  # the event table beside these, when the caller knows it

    def posities_en_kop(self, kop: Callable[[], int]) -> tuple[dict[str, int], int]:
        """With the event table beside these: the positions and the head of the log in one query and one snapshot."""
        if self._gebeurtenissen is None:
            return super().posities_en_kop(kop)
        with self._lees() as cursor:
            cursor.execute(self._sql(f"SELECT (SELECT max(notification_id) FROM {{s}}{self._gebeurtenissen}), projectie, positie "
                                     "FROM (SELECT 1) AS altijd LEFT JOIN {s}leesmodel_tracking ON true"))
            rijen = cursor.fetchall()
        return {naam: int(positie) for _, naam, positie in rijen if naam is not None}, int(rijen[0][0] or 0)

    @contextmanager
    def _schrijf_of_lees(self, schrijven: bool) -> Iterator[Any]:
        with self._verbinding.transactie(schrijven) as cursor:
            if schrijven:
                # A read model holds nothing the log does not: its commit need not wait for the disk. A crash
                # may lose the last of them, rows and position together, and they are projected again. (The
                # events, keys and access log keep their synchronous commit.)
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield cursor

    def _wis_van(self, cursor: Any, tabel: str, traject_ids: Sequence[str]) -> None:
        if traject_ids:
            cursor.execute(self._sql(f"DELETE FROM {{s}}{tabel} WHERE traject_id = ANY(%s::text[])"), [opslagbaar(list(traject_ids))])
