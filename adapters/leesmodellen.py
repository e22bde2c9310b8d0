"""The read models' tables, on SQLite or PostgreSQL, with each write and its tracking in one transaction.

Every text value written, in a column or inside the JSON document, and every text filter goes through
`opslagbaar` (adapters/opslagtekst.py): a NUL or lone surrogate that an event may hold reads as U+FFFD,
on both stores alike, instead of failing the write on PostgreSQL and with it every list read.
"""

from __future__ import annotations

import copy
import json
import operator
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import psycopg

from adapters.opslagtekst import opslagbaar, opslagbare_rijen
from adapters.sqlverbinding import SQLITE_WACHTTIJD, PostgresVerbinding, SqliteVerbinding, Verbinding, voorbijgaand
from projections.projector import AndereVersieError, Opbouw, PositieVerouderdError, Storing
from projections.signaleringen import SignaleringRij
from projections.trajectenlijst import TrajectRij

SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}leesmodel_tracking (projectie TEXT PRIMARY KEY, positie BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS {s}leesmodel_storingen (
    projectie TEXT PRIMARY KEY, positie BIGINT NOT NULL, tijdstip TEXT NOT NULL, fout TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {s}leesmodel_versies (leesmodel TEXT PRIMARY KEY, versie INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {s}leesmodel_opbouw (
    leesmodel TEXT PRIMARY KEY, versie INTEGER NOT NULL, eigenaar TEXT NOT NULL, verloopt DOUBLE PRECISION NOT NULL,
    positie BIGINT NOT NULL, kop BIGINT NOT NULL, sinds TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {s}leesmodel_opbouw_tracking (projectie TEXT PRIMARY KEY, positie BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS {s}leesmodel_opbouw_storingen (
    projectie TEXT PRIMARY KEY, positie BIGINT NOT NULL, tijdstip TEXT NOT NULL, fout TEXT NOT NULL)
"""
# Per read model its tables, with a version. The version in use lives under these names; another version
# is built beside it under the names with `__v<version>` (`opbouwopslag`), and then swapped in (`wissel`).
# A change to a read model's rows, columns or indexes raises its version (which only goes up).
# Every list filter has an index that yields its rows in the list's order, so a page reads no more than
# it shows, at any size (tests/adapters/test_leesmodellen.py reads the plans).
LEESMODEL_TABELLEN = {
    "trajectenlijst": (("leesmodel_trajecten", "leesmodel_rapportcijfers", "leesmodel_rapporttotalen"), 5, """
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
CREATE INDEX IF NOT EXISTS leesmodel_rapportcijfers_rapport ON {s}leesmodel_rapportcijfers (gemeente, jaar, maat, sleutel);
-- The contributions added up per gemeente and year as they are written (`schrijf_trajecten`): a report reads a few
-- dozen rows, however many trajectories a gemeente has (summing the contributions at each read grew with them).
CREATE TABLE IF NOT EXISTS {s}leesmodel_rapporttotalen (
    gemeente TEXT NOT NULL, jaar INTEGER NOT NULL, maat TEXT NOT NULL, sleutel TEXT NOT NULL,
    aantal BIGINT NOT NULL, centen BIGINT NOT NULL, PRIMARY KEY (gemeente, jaar, maat, sleutel))
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
# A worklist item but for its status (the day asked for decides it): its members, each as a column gives it.
WERKLIJSTITEM = (("trajectId", "traject_id"), ("gemeente", "gemeente"), ("regisseur", "regisseur"), ("soort", "soort"),
                 ("zaaknummer", "NULLIF(zaaknummer, 0)"), ("uiterlijk", "uiterlijk"), ("grondslag", "grondslag"))
RAPPORT_KOLOMMEN = ("traject_id", "gemeente", "jaar", "maat", "sleutel", "aantal", "centen")
RAPPORTTOTAAL_KOLOMMEN = ("gemeente", "jaar", "maat", "sleutel", "aantal", "centen")
# Per table its key (the primary key), in the order rows are compared by a replay (`rijen`).
SLEUTELS = {"leesmodel_trajecten": ("traject_id",), "leesmodel_signaleringen": ("traject_id", "soort", "zaaknummer"),
            "leesmodel_rapportcijfers": ("traject_id", "jaar", "maat", "sleutel"),
            "leesmodel_rapporttotalen": ("gemeente", "jaar", "maat", "sleutel")}
GETALKOLOMMEN = frozenset({"zaaknummer", "jaar", "aantal", "centen"})  # every other column is text
# What some trajectories contribute now, added to the totals of their gemeente and year (`teken` 1) or taken out of
# them (-1); `{trajecten}`: which (`_voor_trajecten`). Only the totals' key is indexed, so that on PostgreSQL a
# total's update stays on its page (HOT) and a busy gemeente's totals do not leave an index entry per update.
TEL_BIJ = ("INSERT INTO {{s}}leesmodel_rapporttotalen AS totaal (gemeente, jaar, maat, sleutel, aantal, centen) "
           "SELECT gemeente, jaar, maat, sleutel, {teken} * SUM(aantal), {teken} * SUM(centen) FROM {{s}}leesmodel_rapportcijfers "
           "WHERE {trajecten} GROUP BY gemeente, jaar, maat, sleutel ON CONFLICT (gemeente, jaar, maat, sleutel) DO UPDATE "
           "SET aantal = totaal.aantal + excluded.aantal, centen = totaal.centen + excluded.centen")
# After their old share went out, before it is deleted: a total it left at nothing goes (every contribution has an
# `aantal` of at least 1, so 0 means none left). Only the totals those trajectories had a share in are looked at.
WIS_LEGE_TOTALEN = ("DELETE FROM {{s}}leesmodel_rapporttotalen WHERE aantal = 0 AND (gemeente, jaar, maat, sleutel) IN "
                    "(SELECT gemeente, jaar, maat, sleutel FROM {{s}}leesmodel_rapportcijfers WHERE {trajecten})")
FOUTLENGTE = 300  # characters of an error kept with a storing
VERSIES_VERS = 1.0  # seconds a process trusts what it read of the versions in use (a swap is seen within it)
# SQLSTATE classes whose primary message names only the schema (constraints, columns, relations):
# integrity constraint violation, syntax error or access rule violation. Others may quote a value,
# as a data exception does: invalid input syntax for type date: "...", invalid byte sequence: 0x...
MELDING_ZONDER_WAARDEN = ("23", "42")


_NIET_OPSLAGBAAR_IN_JSON = re.compile(r"\\u0000|[\ud800-\udfff]")  # JSON escapes a NUL; a lone surrogate it leaves


def _json(document: dict[str, Any]) -> str:
    """The document as JSON text; walked by `opslagbaar` only when it holds what must be replaced, as
    that walk cost more than the rest of a row."""
    tekst = json.dumps(document, sort_keys=True, ensure_ascii=False)
    if _NIET_OPSLAGBAAR_IN_JSON.search(tekst):
        tekst = json.dumps(opslagbaar(document), sort_keys=True, ensure_ascii=False)
    return tekst


def _kolommen(rijen: Iterable[Any], kolommen: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows' values in the order of their table's columns, storable (the text of the whole batch checked at once:
    a walk of each value was half a rebuild writer's CPU); a document as its JSON text."""
    waarden = operator.attrgetter(*kolommen)
    if "document" not in kolommen:
        return opslagbare_rijen(waarden(rij) for rij in rijen)
    plaats = kolommen.index("document")
    return opslagbare_rijen((*w[:plaats], _json(w[plaats]), *w[plaats + 1:]) for w in map(waarden, rijen))


class Lijstrij(NamedTuple):
    """A row of the trajectenlijst as a list reads it: its item as the JSON text the projection wrote."""

    document: str
    traject_id: str
    startdatum: str
    betrokkene: str | None


class Werklijstrij(NamedTuple):
    """A row of the signaleringen as the worklist reads it: its item but for `status` as a JSON object made by
    the database (`WERKLIJSTITEM`), and what its cursor and access-log record need."""

    document: str
    traject_id: str
    uiterlijk: str
    soort: str
    zaaknummer: int
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


class SqlLeesmodelopslag:
    """The read models' SQL, the same on both stores (adapters/sqlverbinding.py)."""

    BYTEVOLGORDE = ""  # SQLite compares text by its bytes, which for UTF-8 is the order of code points
    JSON_OBJECT = "json_object({})"  # a JSON object's text, of name, value, ...

    def __init__(self, verbinding: Verbinding) -> None:
        self._verbinding = verbinding
        self._lokaal = threading.local()  # per thread: the transaction `samen` opened, if any
        self._codeversies = {naam: versie for naam, (_, versie, _) in LEESMODEL_TABELLEN.items()}
        self._eigen: tuple[float, frozenset[str]] | None = None  # (when read, eigen_leesmodellen)
        self._vervang: Callable[[str], str] = lambda sql: sql  # the table names of a version built beside
        self._gedeeld = False  # a view on another store's connection (`opbouwopslag`): closing it closes nothing

    def _sql(self, sql: str) -> str:
        return self._verbinding.sql(self._vervang(sql))

    def _transactie(self, schrijven: bool = True) -> AbstractContextManager[Any]:
        samen = getattr(self._lokaal, "cursor", None)
        return nullcontext(samen) if samen is not None else self._schrijf_of_lees(schrijven)

    def _schrijf_of_lees(self, schrijven: bool) -> AbstractContextManager[Any]:
        return self._verbinding.transactie(schrijven)

    def _lees(self) -> AbstractContextManager[Any]:
        """For a read of one statement: no transaction around it (on PostgreSQL one round trip, not three)."""
        samen = getattr(self._lokaal, "cursor", None)
        return nullcontext(samen) if samen is not None else self._verbinding.eenmalig()

    def _batch(self) -> AbstractContextManager[Any]:
        """For the rows of a batch and the position they bring a read model to: within `samen` its
        transaction, else one of their own."""
        samen = getattr(self._lokaal, "cursor", None)
        return nullcontext(samen) if samen is not None else self._batchtransactie()

    def _batchtransactie(self) -> AbstractContextManager[Any]:
        return self._schrijf_of_lees(True)

    @contextmanager
    def samen(self) -> Iterator[None]:
        """The writes of the read models within, in this thread, in one transaction: a batch that every read
        model takes costs one commit, not one per read model; a failure in any rolls back all of them."""
        with self._batchtransactie() as cursor:
            self._lokaal.cursor = cursor
            try:
                yield
            finally:
                self._lokaal.cursor = None

    def close(self) -> None:
        if not self._gedeeld:
            self._verbinding.close()

    def maak_tabellen(self, *, zoekindexen: bool = True) -> None:
        """The tables of a store that has none; a read model whose tables are there, of this code's version
        or another, is left as it is: another version is built beside it (Projector.bouw_nieuwe_versies),
        never in place. Without `zoekindexen`, the indexes by which lists, the worklist and reports are read
        are left out (only the keys stay): for a replay's scratch store, which is compared by key and never
        listed; keeping them up was two thirds of the database's work of a replay."""
        with self._transactie() as cursor:
            self._voer_uit(cursor, SCHEMA)
            cursor.execute(self._sql("SELECT leesmodel, versie FROM {s}leesmodel_versies"))
            versies = dict(cursor.fetchall())
            for naam, (tabellen, versie, schema) in LEESMODEL_TABELLEN.items():
                if naam in versies:
                    continue
                if self._bestaat(cursor, tabellen[0]):
                    versie = 0  # made before versions were kept: replaced like any other version
                else:
                    self._voer_uit(cursor, schema, zoekindexen=zoekindexen)
                cursor.execute(self._sql("INSERT INTO {s}leesmodel_versies (leesmodel, versie) VALUES (%s, %s)"), (naam, versie))
        self._eigen = None

    def _bestaat(self, cursor: Any, tabel: str) -> bool:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (tabel,))
        return cursor.fetchone() is not None

    # -- versions: the one in use, and another built beside it ------------------------------------

    def versies(self) -> dict[str, int]:
        """Per read model the version in use (its tables under their own names)."""
        with self._lees() as cursor:
            cursor.execute(self._sql("SELECT leesmodel, versie FROM {s}leesmodel_versies"))
            return {naam: int(versie) for naam, versie in cursor.fetchall()}

    def codeversie(self, naam: str) -> int:
        return self._codeversies[naam]

    def eigen_leesmodellen(self) -> frozenset[str]:
        """The read models whose version in use is this code's: only those does this process write. Read anew
        at most every VERSIES_VERS seconds; a write checks the version itself (`_volg`), so a process that has
        not yet seen a swap cannot write rows of its version into another's tables."""
        eigen = self._eigen
        if eigen is None or time.monotonic() - eigen[0] > VERSIES_VERS:
            versies = self.versies()
            eigen = (time.monotonic(), frozenset(n for n, v in self._codeversies.items() if versies.get(n) == v))
            self._eigen = eigen
        return eigen[1]

    def neem_opbouw(self, naam: str, eigenaar: str, seconden: float, kop: int, sinds: datetime) -> bool:
        """Take (or extend) the lease to build this code's version of `naam` beside the one in use. Not when
        that one is this code's already or newer (older code never touches a newer version), nor while
        another process holds an unexpired lease for this version or a newer one."""
        nu = time.time()
        versie = self._codeversies[naam]
        with self._transactie() as cursor:
            cursor.execute(self._sql("SELECT versie FROM {s}leesmodel_versies WHERE leesmodel = %s"), (naam,))
            rij = cursor.fetchone()
            if rij is not None and int(rij[0]) >= versie:
                return False
            cursor.execute(
                self._sql("INSERT INTO {s}leesmodel_opbouw AS o (leesmodel, versie, eigenaar, verloopt, positie, kop, sinds) "
                          "VALUES (%s, %s, %s, %s, 0, %s, %s) ON CONFLICT (leesmodel) DO UPDATE SET versie = excluded.versie, "
                          "eigenaar = excluded.eigenaar, verloopt = excluded.verloopt, positie = 0, kop = excluded.kop, "
                          "sinds = excluded.sinds WHERE o.verloopt < %s OR o.versie < excluded.versie OR o.eigenaar = excluded.eigenaar"),
                (naam, versie, eigenaar, nu + seconden, kop, sinds.isoformat(), nu),
            )
            return bool(cursor.rowcount == 1)

    def verleng_opbouw(self, naam: str, eigenaar: str, seconden: float, positie: int, kop: int) -> bool:
        """Extend the lease and record how far the build got; False when another process took it over."""
        with self._transactie() as cursor:
            cursor.execute(self._sql("UPDATE {s}leesmodel_opbouw SET verloopt = %s, positie = %s, kop = %s "
                                     "WHERE leesmodel = %s AND eigenaar = %s"), (time.time() + seconden, positie, kop, naam, eigenaar))
            return bool(cursor.rowcount == 1)

    def opbouw(self) -> dict[str, Opbouw]:
        """Per read model the version being built beside the one in use, and how far it got."""
        with self._lees() as cursor:
            cursor.execute(self._sql("SELECT leesmodel, versie, positie, kop, sinds, verloopt FROM {s}leesmodel_opbouw"))
            return {naam: Opbouw(int(versie), int(positie), int(kop), datetime.fromisoformat(sinds), float(verloopt) < time.time())
                    for naam, versie, positie, kop, sinds, verloopt in cursor.fetchall()}

    def opbouwopslag(self, naam: str) -> SqlLeesmodelopslag:
        """The store of this code's version of `naam` beside the one in use: the same SQL on its own tables
        (`__v<version>`), its own tracking and stops, its version checked against the lease. Made empty."""
        schaduw = copy.copy(self)
        schaduw._lokaal = threading.local()
        schaduw._codeversies = {naam: self._codeversies[naam]}
        schaduw._eigen = (float("inf"), frozenset({naam}))
        achtervoegsel = f"__v{self._codeversies[naam]}"
        tabellen = "|".join(map(re.escape, TABELLEN[naam]))
        vervangingen = {"leesmodel_tracking": "leesmodel_opbouw_tracking", "leesmodel_storingen": "leesmodel_opbouw_storingen",
                        "leesmodel_versies": "leesmodel_opbouw"}
        patroon = re.compile(rf"\b(?:(?P<eigen>(?:{tabellen})\w*)|(?P<gedeeld>{'|'.join(vervangingen)})\b)")
        schaduw._vervang = lambda sql: patroon.sub(
            lambda m: m["eigen"] + achtervoegsel if m["eigen"] else vervangingen[m["gedeeld"]], sql)
        schaduw._gedeeld = True
        with schaduw._transactie() as cursor:
            for tabel in TABELLEN[naam]:
                cursor.execute(schaduw._sql(f"DROP TABLE IF EXISTS {{s}}{tabel}"))
            schaduw._voer_uit(cursor, LEESMODEL_TABELLEN[naam][2])
            cursor.execute(schaduw._sql("DELETE FROM {s}leesmodel_tracking WHERE projectie = %s"), (naam,))
            cursor.execute(schaduw._sql("DELETE FROM {s}leesmodel_storingen WHERE projectie = %s"), (naam,))
        return schaduw

    def wissel(self, naam: str, eigenaar: str) -> bool:
        """Swap this code's version of `naam`, built beside, in for the one in use, in one transaction: until
        it commits every reader reads the old tables, after it the new ones (on PostgreSQL a read that
        meanwhile waits for the tables' lock reads the new ones). The old tables go; the position becomes the
        new version's, whatever was written after it is projected by this code's processes. False (nothing
        done) when the lease was lost, the new version is not at the position it was built to, or stopped."""
        versie = self._codeversies[naam]
        with self._transactie() as cursor:
            self._wacht_kort_op_sloten(cursor)
            cursor.execute(self._sql("SELECT 1 FROM {s}leesmodel_opbouw WHERE leesmodel = %s AND eigenaar = %s AND versie = %s"),
                           (naam, eigenaar, versie))
            if cursor.fetchone() is None:
                return False
            cursor.execute(self._sql("SELECT positie FROM {s}leesmodel_opbouw_tracking WHERE projectie = %s"), (naam,))
            positie = cursor.fetchone()
            cursor.execute(self._sql("SELECT 1 FROM {s}leesmodel_opbouw_storingen WHERE projectie = %s"), (naam,))
            if positie is None or cursor.fetchone() is not None:
                return False
            for tabel in TABELLEN[naam]:
                # Its indexes keep their `__v<version>` names (SQLite cannot rename an index; no query names one),
                # which is also why `maak_tabellen` runs no index statement on tables that are there.
                cursor.execute(self._sql(f"DROP TABLE IF EXISTS {{s}}{tabel}"))
                cursor.execute(self._sql(f"ALTER TABLE {{s}}{tabel}__v{versie} RENAME TO {tabel}"))
            cursor.execute(self._sql("INSERT INTO {s}leesmodel_tracking (projectie, positie) VALUES (%s, %s) "
                                     "ON CONFLICT (projectie) DO UPDATE SET positie = excluded.positie"), (naam, positie[0]))
            cursor.execute(self._sql("INSERT INTO {s}leesmodel_versies (leesmodel, versie) VALUES (%s, %s) "
                                     "ON CONFLICT (leesmodel) DO UPDATE SET versie = excluded.versie"), (naam, versie))
            for tabel, kolom in (("leesmodel_storingen", "projectie"), ("leesmodel_opbouw_tracking", "projectie"),
                                 ("leesmodel_opbouw", "leesmodel")):
                cursor.execute(self._sql(f"DELETE FROM {{s}}{tabel} WHERE {kolom} = %s"), (naam,))
        self._eigen = None
        return True

    def _wacht_kort_op_sloten(self, cursor: Any) -> None:
        """SQLite: a write waits for the other writer as it always does."""

    def _voer_uit(self, cursor: Any, opdrachten: str, *, zoekindexen: bool = True) -> None:
        for opdracht in filter(str.strip, self._sql(opdrachten).split(";")):
            if zoekindexen or not opdracht.lstrip().startswith("CREATE INDEX"):  # a key is part of its CREATE TABLE
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
        versie = self._codeversies[naam]
        cursor.execute(self._sql("UPDATE {s}leesmodel_tracking SET positie = %s WHERE projectie = %s AND positie = %s AND EXISTS "
                                 "(SELECT 1 FROM {s}leesmodel_versies WHERE leesmodel = %s AND versie = %s)"),
                       (tot, naam, van, naam, versie))
        if cursor.rowcount != 1:
            cursor.execute(self._sql("SELECT versie FROM {s}leesmodel_versies WHERE leesmodel = %s"), (naam,))
            rij = cursor.fetchone()
            if rij is None or int(rij[0]) != versie:  # swapped meanwhile: these tables are another version's now
                self._eigen = None
                raise AndereVersieError(f"{naam} is niet meer versie {versie}")
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

    def schrijf_trajecten(self, van: int, tot: int, rijen: dict[str, TrajectRij], *, nieuw: bool = False) -> None:
        """Each trajectory's row, and its contributions to the reports in place of the ones it had: taken out of
        the totals of their gemeente and year, and the new ones added in (a total that comes to nothing goes).
        `nieuw`: trajectories without rows (a rebuild's part, projections/projector.py): there is nothing to take
        out, and a row that is there after all breaks a key, which rolls the whole batch back."""
        bijwerken = ", ".join(f"{k} = excluded.{k}" for k in TRAJECT_KOLOMMEN[1:])
        waarden = _kolommen(rijen.values(), TRAJECT_KOLOMMEN)
        bijdragen = _kolommen((b for rij in rijen.values() for b in rij.bijdragen), RAPPORT_KOLOMMEN)
        traject_ids = [rij.traject_id for rij in rijen.values()]
        with self._batch() as cursor:
            self._volg(cursor, "trajectenlijst", van, tot)
            self._voeg_in(cursor, "leesmodel_trajecten", TRAJECT_KOLOMMEN, waarden,
                          "" if nieuw else f"ON CONFLICT (traject_id) DO UPDATE SET {bijwerken}")
            if not nieuw:
                self._voor_trajecten(cursor, TEL_BIJ, traject_ids, teken=-1)
                self._voor_trajecten(cursor, WIS_LEGE_TOTALEN, traject_ids)
                self._voor_trajecten(cursor, "DELETE FROM {{s}}leesmodel_rapportcijfers WHERE {trajecten}", traject_ids)
            self._voeg_in(cursor, "leesmodel_rapportcijfers", RAPPORT_KOLOMMEN, bijdragen)
            self._voor_trajecten(cursor, TEL_BIJ, traject_ids, teken=1)

    def schrijf_signaleringen(self, van: int, tot: int, rijen: dict[str, list[SignaleringRij]], *, nieuw: bool = False) -> None:
        """Each trajectory's open terms in place of the ones it had; `nieuw` as in `schrijf_trajecten`."""
        waarden = _kolommen((rij for lijst in rijen.values() for rij in lijst), SIGNALERING_KOLOMMEN)
        with self._batch() as cursor:
            self._volg(cursor, "signaleringen", van, tot)
            if not nieuw:
                self._voor_trajecten(cursor, "DELETE FROM {{s}}leesmodel_signaleringen WHERE {trajecten}", list(rijen))
            self._voeg_in(cursor, "leesmodel_signaleringen", SIGNALERING_KOLOMMEN, waarden)

    # A batch is written as a few statements of many rows each (on PostgreSQL one, of whole columns as arrays),
    # not as a statement per row: a round trip per row was most of the time of a rebuild on PostgreSQL.
    PER_OPDRACHT = 500

    def _voeg_in(self, cursor: Any, tabel: str, kolommen: Sequence[str], rijen: Sequence[Sequence[Any]], daarna: str = "") -> None:
        self._verbinding.voeg_in(cursor, self._vervang(tabel), kolommen, rijen, GETALKOLOMMEN, daarna)

    def _voor_trajecten(self, cursor: Any, opdracht: str, traject_ids: Sequence[str], **invullen: Any) -> None:
        """`opdracht` for these trajectories: `{trajecten}` in it stands for the condition on `traject_id`, and
        the other fields are `invullen`'s."""
        for begin in range(0, len(traject_ids), self.PER_OPDRACHT):
            deel = opslagbaar(list(traject_ids[begin:begin + self.PER_OPDRACHT]))
            cursor.execute(self._sql(opdracht.format(trajecten=f"traject_id IN ({', '.join(['%s'] * len(deel))})", **invullen)), deel)

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
    ) -> list[Werklijstrij]:
        """Open deadlines between `van` and `tot` (both included), ordered by date, after the cursor `na`."""
        with self._lees() as cursor:
            cursor.execute(*self.werklijstvraag(gemeenten, regisseur, van, tot, na, limiet))
            return [Werklijstrij(*rij) for rij in cursor.fetchall()]

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
        # The item made by the database: built field by field per row in Python, a page's items took about 0.2 ms.
        item = self.JSON_OBJECT.format(", ".join(f"'{naam}', {kolom}" for naam, kolom in WERKLIJSTITEM))
        sql = self._sql(f"SELECT {item}, {', '.join(Werklijstrij._fields[1:])} FROM {{s}}leesmodel_signaleringen WHERE {' AND '.join(waar)} "
                        "ORDER BY uiterlijk, traject_id, soort, zaaknummer LIMIT %s")
        return sql, [*parameters, limiet]

    def afgesloten_trajecten(self) -> list[str]:
        """The ids of every closed trajectory: the candidates whose retention period may have passed."""
        with self._lees() as cursor:
            cursor.execute(self._sql("SELECT traject_id FROM {s}leesmodel_trajecten WHERE status <> 'lopend' ORDER BY traject_id"))
            return [rij[0] for rij in cursor.fetchall()]

    def rapportcijfers(self, gemeente: str, jaar: int) -> dict[tuple[str, str], tuple[int, int]]:
        """Every figure of one gemeente's reports of one year: (maat, sleutel) -> (aantal, centen). From the totals
        (`schrijf_trajecten`); while another deploy's version is in use (an upgrade under way, whose tables may
        have none), added up from the contributions, as that version was read."""
        if "trajectenlijst" in self.eigen_leesmodellen():
            vraag = ("SELECT maat, sleutel, aantal, centen FROM {s}leesmodel_rapporttotalen WHERE gemeente = %s AND jaar = %s")
        else:
            vraag = ("SELECT maat, sleutel, SUM(aantal), SUM(centen) FROM {s}leesmodel_rapportcijfers "
                     "WHERE gemeente = %s AND jaar = %s GROUP BY maat, sleutel")
        with self._lees() as cursor:
            cursor.execute(self._sql(vraag), (opslagbaar(gemeente), jaar))
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

    @contextmanager
    def rijen_naast(self, tabel: str, ander: SqlLeesmodelopslag) -> Iterator[tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]]]]:
        """This store's rows of a table and `ander`'s, each in the order of the key (`rijen`), for a comparison
        of the two by key (adapters/replay.py): here every row of both."""
        with self.rijen(tabel) as eigen, ander.rijen(tabel) as andere:
            yield eigen, andere

    def _sleutelvolgorde(self, tabel: str) -> str:
        return ", ".join(f"{kolom}{self.BYTEVOLGORDE if kolom not in GETALKOLOMMEN else ''}" for kolom in SLEUTELS[tabel])

    @staticmethod
    def _binnen(gemeenten: Sequence[str]) -> tuple[list[str], list[Any]]:
        if not gemeenten:
            return ["1 = 0"], []
        return [f"gemeente IN ({', '.join(['%s'] * len(gemeenten))})"], opslagbaar(list(gemeenten))


class SqliteLeesmodelopslag(SqlLeesmodelopslag):
    """A file of its own: the event store's SQLite file has fixed table names (shared/eventsourcing.md)."""

    def __init__(self, pad: Path, wachttijd: float = SQLITE_WACHTTIJD) -> None:
        super().__init__(SqliteVerbinding(pad, wachttijd=wachttijd))


class PostgresLeesmodelopslag(SqlLeesmodelopslag):
    """Tables next to the event store's, in the same schema. A batch goes as one statement per table with each
    column as an array (PostgresVerbinding.voeg_in)."""

    BYTEVOLGORDE = ' COLLATE "C"'  # not the database's language order, which can pass over a hyphen
    JSON_OBJECT = "json_build_object({})::text"

    def __init__(self, url: str, schema: str, gebeurtenissen: str | None = None) -> None:
        super().__init__(PostgresVerbinding(url, schema))
        if gebeurtenissen is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", gebeurtenissen):
            raise ValueError(f"ongeldige tabelnaam {gebeurtenissen!r}")  # it is written into the statement
        self._gebeurtenissen = gebeurtenissen  # the event table beside these, when the caller knows it

    @contextmanager
    def rijen_naast(self, tabel: str, ander: SqlLeesmodelopslag) -> Iterator[tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]]]]:
        """With `ander` in the same database (a replay's scratch schema): only the rows that differ, each side's in
        the order of the key, found by the server in one join of the two tables: a row whose key only one side has,
        and both sides' rows of a key whose values differ. The rows alike, nearly all, never leave the server: at
        100,000 trajectories every row of both in Python cost a replay about 8 s of its 35."""
        verbinding = self._verbinding
        if not (isinstance(ander, PostgresLeesmodelopslag) and isinstance(verbinding, PostgresVerbinding)
                and verbinding.in_dezelfde_database(ander._verbinding)):
            with super().rijen_naast(tabel, ander) as paar:
                yield paar
            return
        sleutel = SLEUTELS[tabel]
        gelijk = " AND ".join(f"l.{kolom} = r.{kolom}" for kolom in sleutel)
        volgorde = ", ".join(f"coalesce(l.{kolom}, r.{kolom}){self.BYTEVOLGORDE if kolom not in GETALKOLOMMEN else ''}" for kolom in sleutel)
        # A whole row against a whole row, NULL-safe; a side without the key is a row of NULLs (a key is never NULL).
        with self._lees() as cursor:
            cursor.execute(f"SELECT l.*, r.* FROM {self._sql(f'{{s}}{tabel}')} AS l FULL JOIN {ander._sql(f'{{s}}{tabel}')} AS r "
                           f"ON {gelijk} WHERE l IS DISTINCT FROM r ORDER BY {volgorde}")
            kolommen = len(cursor.description) // 2
            paren = [(tuple(rij[:kolommen]), tuple(rij[kolommen:])) for rij in cursor.fetchall()]
        yield (iter([a for a, _ in paren if any(v is not None for v in a)]),
               iter([b for _, b in paren if any(v is not None for v in b)]))

    def _bestaat(self, cursor: Any, tabel: str) -> bool:
        cursor.execute("SELECT to_regclass(%s)", (self._sql(f"{{s}}{tabel}"),))
        return cursor.fetchone()[0] is not None

    def _wacht_kort_op_sloten(self, cursor: Any) -> None:
        # The swap takes the read model's tables exclusively: behind it every read of them waits. Rather than
        # wait long for a slow reader with a queue of reads behind it, it gives up and is tried again.
        cursor.execute("SET LOCAL lock_timeout TO '2s'")

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

    @contextmanager
    def _batchtransactie(self) -> Iterator[Any]:
        """A batch's statements sent together (`in_een_keer`): the server answers once per read model, whose
        position it must confirm before the commit (`_volg`), and once for the commit. A batch of both read
        models took about twelve round trips, each waiting for the interpreter while a rebuild computed the next
        part; its writer then spent four fifths of its time waiting."""
        with self._verbinding.in_een_keer() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")  # as in `_schrijf_of_lees`
            yield cursor

    def _volg(self, cursor: Any, naam: str, van: int, tot: int) -> None:
        """As the SQL one's, in one statement whose answer is read at once: the rows of the batch follow it on
        the same connection, so they are applied only behind a position that moved (or rolled back with it)."""
        versie = self._codeversies[naam]
        cursor.execute(self._sql(
            "WITH eigen AS (SELECT 1 FROM {s}leesmodel_versies WHERE leesmodel = %(naam)s AND versie = %(versie)s), "
            # A row it does not have yet is made at 0, as the SQL one's: moved only when the batch starts there.
            "gevolgd AS (INSERT INTO {s}leesmodel_tracking AS t (projectie, positie) "
            "SELECT %(naam)s, CASE WHEN %(van)s = 0 THEN %(tot)s ELSE 0 END WHERE EXISTS (SELECT 1 FROM eigen) "
            "ON CONFLICT (projectie) DO UPDATE SET positie = %(tot)s WHERE t.positie = %(van)s AND EXISTS (SELECT 1 FROM eigen) "
            "RETURNING positie = %(tot)s AS verder), "
            "gewist AS (DELETE FROM {s}leesmodel_storingen WHERE projectie = %(naam)s AND positie <= %(tot)s "
            "AND EXISTS (SELECT 1 FROM gevolgd WHERE verder)) "
            "SELECT EXISTS (SELECT 1 FROM gevolgd WHERE verder), (SELECT versie FROM {s}leesmodel_versies WHERE leesmodel = %(naam)s)"),
            {"naam": naam, "versie": versie, "van": van, "tot": tot})
        verder, in_gebruik = cursor.fetchone()
        if not verder:
            if in_gebruik is None or int(in_gebruik) != versie:  # swapped meanwhile: these tables are another version's now
                self._eigen = None
                raise AndereVersieError(f"{naam} is niet meer versie {versie}")
            raise PositieVerouderdError(f"{naam} staat niet meer op {van}")

    def _voor_trajecten(self, cursor: Any, opdracht: str, traject_ids: Sequence[str], **invullen: Any) -> None:
        if traject_ids:
            cursor.execute(self._sql(opdracht.format(trajecten="traject_id = ANY(%s::text[])", **invullen)), [opslagbaar(list(traject_ids))])
