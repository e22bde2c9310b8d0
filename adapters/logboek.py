"""The access log, shaped after the Logius Logboek Dataverwerkingen (LDV), and the audit log beside it.

One LDV record per person per request that processed their data: trace and operation ids (W3C Trace
Context), the operation's name, status, start and end, the processing activity and the person as an
encrypted id. No user identity, as LDV decided: who did it goes to the audit log, one row per request,
joined on the request's operation id (`parent_operation_id` of its LDV records).

The person is the BSN exactly as the event store holds it: the ciphertext of the `bsn` field of the
trajectory's first event, under the trajectory's long-term data key (adapters/versleuteling.py). So a
record costs no key work, and forgetting the person (destroying that key) makes the log's reference to
them unreadable too, while the record of the processing itself remains. Records written before this
encrypted the BSN for the log under the same key; `betrokkene` reads both.

Records are written by one thread per process, in batches: a request's records go into a queue bounded
at WACHTRIJ_RIJEN rows (those being written included); the writer takes what is there, up to
RIJEN_PER_TRANSACTIE rows of many requests, and writes them in one transaction of a few multi-row INSERTs
(`voeg_in`; on PostgreSQL one per table, sent with BEGIN and COMMIT in one round trip). It does not wait
to fill a batch: an idle writer takes a record as it comes, so at
ordinary load a record is committed within milliseconds of its answer, and under load it waits only for
the rows ahead of it. A request that finds the queue full waits for room (push back), at most WACHTTIJD
seconds; then it writes its own records, in a transaction of their own, as before batching: memory stays
bounded and nothing is dropped. `close()` writes everything queued before it returns (the app's shutdown,
SIGTERM included). A crash (kill -9) loses at most what was queued and not committed: WACHTRIJ_RIJEN rows,
in practice what the last moments produced. A record that cannot be written is logged as CRITICAL with its
trace and operation id (BIO 8.15.05), as before; the others of its batch are then written one by one. A
database that is away for a moment (a failover, a lock another process holds a while) is waited out first, up
to GEDULD seconds: the records go in late rather than not at all.

A command's records are written in the transaction of its events (`met_de_gebeurtenissen`, where the log
lives in the events' database): a command is committed with its record or not at all, whatever crashes.
The records of every other request go through the writer below. Either way a record's rows are made before
the transaction opens (`rijen_van`): naming the person asks the key store, which another process may hold
for a while, and no transaction on the events waits for that.

Every request is recorded, also a rejected or odd one: each text value goes through `opslagbaar`
(adapters/opslagtekst.py) on its way in, so a NUL or a lone surrogate in a path, a route name or a
token's claims reads as U+FFFD instead of failing the insert on PostgreSQL and losing the record.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import repeat
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from adapters.keten import splits
from adapters.opslagtekst import opslagbaar, opslagbare_kolom, opslagbare_rijen
from adapters.sleutelkluis import Sleutelkluis
from adapters.sqlverbinding import Verbinding, voorbijgaand
from adapters.versleuteling import ENVELOP
from domain.traject import Inburgeringstraject
from domain.verwerkingsactiviteiten import Verwerkingsactiviteit

log = logging.getLogger("inburgering.logboek")
SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}inburgering_dataverwerkingen (
    operation_id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, parent_operation_id TEXT NOT NULL, name TEXT NOT NULL,
    status_code INTEGER NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL, resource TEXT NOT NULL,
    attributes TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS inburgering_dataverwerkingen_trace ON {s}inburgering_dataverwerkingen (trace_id);
CREATE TABLE IF NOT EXISTS {s}inburgering_auditlog (
    operation_id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, tijdstip TEXT NOT NULL, gebruiker TEXT, rol TEXT,
    gemeenten TEXT, actie TEXT NOT NULL, object TEXT NOT NULL, resultaat INTEGER NOT NULL, oorsprong TEXT)
"""
LDV_KOLOMMEN = ("operation_id", "trace_id", "parent_operation_id", "name", "status_code", "start_time", "end_time", "resource", "attributes")
AUDIT_KOLOMMEN = ("operation_id", "trace_id", "tijdstip", "gebruiker", "rol", "gemeenten", "actie", "object", "resultaat", "oorsprong")
GETALKOLOMMEN = frozenset({"status_code", "resultaat"})  # the others are text
STATUS_OK, STATUS_FOUT = 1, 2  # LDV status_code (0 is unknown)

WACHTRIJ_RIJEN = 5_000  # rows queued or being written, at most: about 50 list pages
RIJEN_PER_TRANSACTIE = 1_000
WACHTTIJD = 10.0  # seconds a request waits for room in the queue before it writes its records itself
GEDULD = 30.0  # seconds the writer waits out a database that is away for a moment, before it gives a batch up
REFERENTIES_ONTHOUDEN = 10_000  # trajectories whose first event's BSN ciphertext is kept (it never changes)


_tekst = json.encoder.encode_basestring_ascii  # a str as JSON, as json.dumps writes it (ASCII only)


class Dataverwerking(NamedTuple):
    """That the data of the person of one trajectory were processed, under one activity. A named tuple, as
    immutable as a frozen dataclass and made in half the time: a list page makes a hundred per request."""

    operation_id: str
    traject_id: str  # as str(UUID) writes it, the form the record holds: a page's ids come from a read model as text
    activiteit: Verwerkingsactiviteit
    # The reference to the person as a read model keeps it (`projections/trajectenlijst.py`), when the caller
    # had it; a read model drops it once the person is forgotten. Without it the log looks it up.
    betrokkene: str | None = None


@dataclass(frozen=True)
class Verzoek:
    """One request: the operation that groups the processings, and who asked for it."""

    trace_id: str
    operation_id: str
    aanroeper_id: str | None  # the caller's span from its traceparent: LDV's foreign operation
    naam: str
    start: str
    eind: str
    http_status: int
    actie: str
    object: str
    gebruiker: str | None
    rol: str | None
    gemeenten: Sequence[str]
    oorsprong: str | None


class Gebeurtenissen(Protocol):
    """The event store's recorder: the stored events of an aggregate, as stored."""

    def select_events(self, originator_id: UUID, *, lte: int | None = None) -> Sequence[StoredEvent]: ...


@dataclass
class Geschreven:
    """What the writer did so far (for operators at shutdown, and for tests)."""

    verzoeken: int = 0
    rijen: int = 0
    opdrachten: int = 0
    transacties: int = 0


@dataclass(frozen=True)
class _Vastlegging:
    verzoek: Verzoek
    verwerkingen: Sequence[Dataverwerking]

    @property
    def rijen(self) -> int:
        return 1 + len(self.verwerkingen)


@dataclass(frozen=True)
class Rijen:
    """The audit rows and LDV rows of one transaction, ready to insert."""

    audit: list[tuple[Any, ...]]
    ldv: list[tuple[Any, ...]]


class _Wachtrij:
    """Bounded by rows, counting those being written: what a crash can lose is what this holds."""

    def __init__(self, max_rijen: int) -> None:
        self._max = max_rijen
        self._items: deque[_Vastlegging] = deque()
        self._rijen = 0
        self._geplaatst = self._afgehandeld = 0
        self._open: dict[str, int] = {}  # per trace: items queued or being written
        self._gesloten = False
        self._voorwaarde = threading.Condition()

    @property
    def rijen(self) -> int:
        return self._rijen

    def plaats(self, item: _Vastlegging, wachttijd: float) -> bool:
        """Queue the item, waiting for room at most `wachttijd` seconds; False when it was not queued."""
        eind = time.monotonic() + wachttijd
        with self._voorwaarde:
            # An item larger than the whole queue still goes in alone, once the queue is empty.
            while not self._gesloten and self._rijen and self._rijen + item.rijen > self._max:
                over = eind - time.monotonic()
                if over <= 0:
                    return False
                self._voorwaarde.wait(over)
            if self._gesloten:
                return False
            self._items.append(item)
            self._rijen += item.rijen
            self._geplaatst += 1
            self._open[item.verzoek.trace_id] = self._open.get(item.verzoek.trace_id, 0) + 1
            self._voorwaarde.notify_all()
            return True

    def neem(self, max_rijen: int) -> list[_Vastlegging]:
        """The oldest items up to `max_rijen` rows (at least one), waiting for one; [] once closed and empty."""
        with self._voorwaarde:
            while not self._items and not self._gesloten:
                self._voorwaarde.wait()
            genomen: list[_Vastlegging] = []
            rijen = 0
            while self._items and (not genomen or rijen + self._items[0].rijen <= max_rijen):
                genomen.append(self._items.popleft())
                rijen += genomen[-1].rijen
            return genomen

    def klaar(self, items: Sequence[_Vastlegging]) -> None:
        with self._voorwaarde:
            self._rijen -= sum(item.rijen for item in items)
            self._afgehandeld += len(items)
            for item in items:
                if (over := self._open.pop(item.verzoek.trace_id) - 1) > 0:
                    self._open[item.verzoek.trace_id] = over
            self._voorwaarde.notify_all()

    def wacht_op_alles_tot_nu(self, wachttijd: float) -> bool:
        with self._voorwaarde:
            doel = self._geplaatst
            return self._voorwaarde.wait_for(lambda: self._afgehandeld >= doel, wachttijd)

    def wacht_op(self, trace_id: str, wachttijd: float) -> bool:
        with self._voorwaarde:
            return self._voorwaarde.wait_for(lambda: trace_id not in self._open, wachttijd)

    def sluit(self) -> None:
        with self._voorwaarde:
            self._gesloten = True
            self._voorwaarde.notify_all()


class Meegeschreven:
    """The records of one command, written by the event store in the transaction of its events
    (adapters/keten.py `Meeschrijven`): the audit row, and an LDV record per trajectory the command changed,
    each as the command ends with its commit (status 201). A new trajectory's person is named from its first
    event, stored in the same transaction."""

    def __init__(self, logboek: Logboek, verzoek: Verzoek, activiteit: Verwerkingsactiviteit) -> None:
        self._logboek, self._verzoek, self._activiteit = logboek, verzoek, activiteit
        self._rijen: Rijen | None = None
        self.is_vastgelegd = False

    def bereid_voor(self, opgeslagen: Sequence[StoredEvent]) -> None:
        verzoek = replace(self._verzoek, eind=datetime.now(UTC).isoformat())
        trajecten: dict[str, str | None] = {}
        for event in opgeslagen:
            if not event.topic.startswith(Inburgeringstraject.FEITEN):
                continue
            traject_id = str(event.originator_id)
            eerste = self._logboek.referentie_uit(event) if event.originator_version == 1 else None
            if eerste is not None or traject_id not in trajecten:
                trajecten[traject_id] = eerste[0] if eerste else None
        verwerkingen = [Dataverwerking(secrets.token_hex(8), t, self._activiteit, ref) for t, ref in sorted(trajecten.items())]
        self._rijen = self._logboek.rijen_van([_Vastlegging(verzoek, verwerkingen)])

    def schrijf(self, cursor: Any) -> None:
        assert self._rijen is not None, "bereid_voor() komt voor de transactie"
        self._logboek.schrijf_in(cursor, self._rijen)

    def vastgelegd(self) -> None:
        self.is_vastgelegd = True


class Logboek:
    def __init__(
        self,
        verbinding: Verbinding,
        kluis: Sleutelkluis,
        gebeurtenissen: Gebeurtenissen,
        dienst: dict[str, str],
        *,
        wachtrij_rijen: int = WACHTRIJ_RIJEN,
        rijen_per_transactie: int = RIJEN_PER_TRANSACTIE,
        wachttijd: float = WACHTTIJD,
        geduld: float = GEDULD,
    ) -> None:
        self._verbinding = verbinding
        self._kluis = kluis
        self._gebeurtenissen = gebeurtenissen
        self._resource = json.dumps(dienst, sort_keys=True)
        self._wachtrij = _Wachtrij(wachtrij_rijen)
        self._rijen_per_transactie = rijen_per_transactie
        self._wachttijd = wachttijd
        self._geduld = geduld
        self._schrijver: threading.Thread | None = None
        self._slot = threading.Lock()
        self._referenties: OrderedDict[str, tuple[str, str]] = OrderedDict()  # traject id: (reference, its key id)
        self.geschreven = Geschreven()

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            for opdracht in filter(str.strip, self._verbinding.sql(SCHEMA).split(";")):
                cursor.execute(opdracht)

    def close(self) -> None:
        """Write everything queued, then stop the writer and let go of the database."""
        self._wachtrij.sluit()
        with self._slot:
            schrijver = self._schrijver
        if schrijver is not None:
            schrijver.join()
            g = self.geschreven
            log.info("toegangslog: %d verzoeken, %d rijen in %d opdrachten en %d transacties geschreven",
                     g.verzoeken, g.rijen, g.opdrachten, g.transacties)
        self._verbinding.close()

    # -- recording ---------------------------------------------------------------------------

    def met_de_gebeurtenissen(self, verzoek: Verzoek, activiteit: Verwerkingsactiviteit) -> Meegeschreven:
        """A command's records, for the event store to write in the transaction of its events (the log lives in
        their database): give it to the use case, and record nothing after the answer once it `is_vastgelegd`."""
        return Meegeschreven(self, verzoek, activiteit)

    def probeer_leg_vast(self, verzoek: Verzoek, verwerkingen: Sequence[Dataverwerking]) -> bool:
        """Queue the request's records if there is room now (never waits: for the event loop)."""
        self._start_schrijver()
        return self._wachtrij.plaats(_Vastlegging(verzoek, verwerkingen), 0)

    def leg_vast(self, verzoek: Verzoek, verwerkingen: Sequence[Dataverwerking]) -> None:
        """Queue the request's audit row and LDV records, all written in one transaction; when the queue
        stays full for WACHTTIJD seconds (or is closed), write them here and now, or raise."""
        self._start_schrijver()
        item = _Vastlegging(verzoek, verwerkingen)
        if not self._wachtrij.plaats(item, self._wachttijd):
            log.warning("toegangslog: wachtrij vol na %g s, verzoek %s schrijft zijn eigen regels", self._wachttijd, verzoek.operation_id)
            self._schrijf([item])

    @property
    def in_de_wachtrij(self) -> int:
        """Rows queued or being written: what a crash would lose now."""
        return self._wachtrij.rijen

    def wacht_tot_geschreven(self, wachttijd: float = 60.0) -> bool:
        """Until every record queued before this call is written (or reported as not written)."""
        return self._wachtrij.wacht_op_alles_tot_nu(wachttijd)

    def _start_schrijver(self) -> None:
        with self._slot:
            if self._schrijver is None:
                # A daemon: a process that ends without close() loses the queue, as a crash would.
                self._schrijver = threading.Thread(target=self._schrijf_door, name="toegangslog", daemon=True)
                self._schrijver.start()

    def _schrijf_door(self) -> None:
        while items := self._wachtrij.neem(self._rijen_per_transactie):
            try:
                self._schrijf_geduldig(items)
            except Exception:
                # One bad record must not take the others with it: each request on its own, as before batching.
                for item in items:
                    try:
                        self._schrijf([item])
                    except Exception:
                        v = item.verzoek
                        log.critical("toegangslog niet geschreven voor trace %s operatie %s", v.trace_id, v.operation_id, exc_info=True)
            finally:
                self._wachtrij.klaar(items)

    def _schrijf_geduldig(self, items: Sequence[_Vastlegging]) -> None:
        """`_schrijf`, waiting out a database that is away for a moment (`voorbijgaand`: a lost connection, no
        connection in time, a lock held a while), with a growing pause, for up to `geduld` seconds: the records
        are written late rather than not at all. Any other error, or one that lasts longer, is raised."""
        tot, pauze = time.monotonic() + self._geduld, 0.05
        while True:
            try:
                self._schrijf(items)
                return
            except Exception as fout:
                if not voorbijgaand(fout) or time.monotonic() + pauze > tot:
                    raise
                log.warning("toegangslog: de database is even weg (%s); over %g s opnieuw", type(fout).__name__, pauze)
            time.sleep(pauze)
            pauze = min(pauze * 2, 2.0)

    def _schrijf(self, items: Sequence[_Vastlegging]) -> None:
        rijen = self.rijen_van(items)  # before the transaction: it may wait for the key store (`rijen_van`)
        with self._verbinding.in_een_keer() as cursor:
            opdrachten = self.schrijf_in(cursor, rijen)
        with self._slot:
            g = self.geschreven
            g.verzoeken, g.rijen = g.verzoeken + len(items), g.rijen + len(rijen.audit) + len(rijen.ldv)
            g.opdrachten, g.transacties = g.opdrachten + opdrachten, g.transacties + 1

    def rijen_van(self, items: Sequence[_Vastlegging]) -> Rijen:
        """The items' rows, made before any transaction opens: naming a person asks the key store whether their key
        still exists (and may read their first event), and another process may hold the key store a while (a
        rotation's batch). Asked inside the transaction, that wait would hold the events' write lock on SQLite,
        where the log lives in the events' file, and every other save would give up waiting for it (503)."""
        audit = opslagbare_rijen(self._auditrij(item.verzoek) for item in items)
        return Rijen(audit, [rij for item in items for rij in self._ldv_rijen(item)])

    def schrijf_in(self, cursor: Any, rijen: Rijen) -> int:
        """Insert the rows with this cursor (of the log's store, or of the events' transaction); it asks nothing
        of any other store. A row already there (by its random operation id) is the same record: a batch whose
        commit went unanswered is written again, and must not fail on what it wrote. Returns the statements it took."""
        return sum(self._verbinding.voeg_in(cursor, tabel, kolommen, deel, GETALKOLOMMEN, "ON CONFLICT (operation_id) DO NOTHING")
                   for tabel, kolommen, deel in (("inburgering_auditlog", AUDIT_KOLOMMEN, rijen.audit),
                                                 ("inburgering_dataverwerkingen", LDV_KOLOMMEN, rijen.ldv)))

    def _auditrij(self, verzoek: Verzoek) -> tuple[Any, ...]:
        return (verzoek.operation_id, verzoek.trace_id, verzoek.start, verzoek.gebruiker, verzoek.rol,
                ",".join(verzoek.gemeenten), verzoek.actie, verzoek.object, verzoek.http_status, verzoek.oorsprong)

    def _ldv_rijen(self, item: _Vastlegging) -> Iterable[tuple[Any, ...]]:
        """The request's LDV records, storable (adapters/opslagtekst.py), made a column at a time: a list page's
        hundred records share all but two of their values, so the request's are made storable once, and the
        records' own as two columns (each checked in one C call): a walk of every value of every row was a fifth of
        making a page's rows (0.21 -> 0.17 ms in-process). The records' `attributes` are the JSON object
        `json.dumps(..., sort_keys=True)` writes, composed of the parts the records of one request share: a dict
        encoded per record took about 3 µs of the writer's CPU, a third of a list page's records
        (tests/api/test_logboek_schrijver.py compares the two)."""
        verzoek = item.verzoek
        status = STATUS_OK if verzoek.http_status < 400 else STATUS_FOUT
        # The keys in sorted order: the person's, the caller's operation (LDV's foreign operation), the activity's.
        aanroeper = "" if verzoek.aanroeper_id is None else (
            f'"dpl.core.foreign_operation.operation_id": {_tekst(verzoek.aanroeper_id)}, '
            f'"dpl.core.foreign_operation.trace_id": {_tekst(verzoek.trace_id)}, ')
        activiteiten: dict[str, str] = {}
        attributen = []
        for verwerking in item.verwerkingen:
            uri = verwerking.activiteit.uri
            if (activiteit := activiteiten.get(uri)) is None:
                activiteit = activiteiten[uri] = f'"dpl.core.processing_activity_id": {_tekst(uri)}, "inburgering.traject_id": '
            referentie = self._betrokkene_van(verwerking)
            persoon = "" if referentie is None else f'"dpl.core.data_subject_id": {_tekst(referentie)}, "dpl.core.data_subject_id_type": "BSN", '
            attributen.append(f'{{{persoon}{aanroeper}{activiteit}{_tekst(verwerking.traject_id)}}}')
        aantal = len(attributen)
        gedeeld = opslagbaar((verzoek.trace_id, verzoek.operation_id, verzoek.naam, status, verzoek.start, verzoek.eind, self._resource))
        return zip(opslagbare_kolom([v.operation_id for v in item.verwerkingen]), *(repeat(waarde, aantal) for waarde in gedeeld),
                   opslagbare_kolom(attributen), strict=True)

    # -- the person: no key work per record ------------------------------------------------------

    def _betrokkene_van(self, verwerking: Dataverwerking) -> str | None:
        """The reference to the person, or None: a forgotten person is not identified again, not even encrypted."""
        if verwerking.betrokkene is not None:
            return verwerking.betrokkene  # from a read model, which drops it when it processes the removal
        gevonden = self._referentie(verwerking.traject_id)
        if gevonden is None:
            return None
        referentie, sleutel_id = gevonden
        try:
            # Destroyed keys stay known in the key store's cache; a live one is asked again after its short expiry.
            return referentie if self._kluis.sleutel(sleutel_id) is not None else None
        except LookupError:
            return None  # a key the key store never made: nothing to name the person by

    def _referentie(self, traject_id: str) -> tuple[str, str] | None:
        """The `bsn` of the trajectory's first event as stored (no decryption): it never changes, so kept."""
        with self._slot:
            if (bewaard := self._referenties.get(traject_id)) is not None:
                self._referenties.move_to_end(traject_id)
                return bewaard
        eerste = self._gebeurtenissen.select_events(UUID(traject_id), lte=1)
        return self.referentie_uit(eerste[0]) if eerste else None

    def referentie_uit(self, eerste: StoredEvent) -> tuple[str, str] | None:
        """The reference from a trajectory's first event as stored, and its key's id (kept: it never changes)."""
        bsn = json.loads(splits(eerste.state)[0]).get("bsn")
        if not (isinstance(bsn, dict) and set(bsn) == {ENVELOP} and isinstance(bsn[ENVELOP], dict)):
            return None  # not a trajectory, or a development store that kept the BSN in plain text: never into the log
        gevonden = json.dumps(bsn, sort_keys=True), str(bsn[ENVELOP]["sleutel"])
        with self._slot:
            self._referenties[str(eerste.originator_id)] = gevonden
            if len(self._referenties) > REFERENTIES_ONTHOUDEN:
                self._referenties.popitem(last=False)
        return gevonden

    # -- reading, for audits and tests -------------------------------------------------------

    def verwerkingen(self, trace_id: str) -> list[dict[str, Any]]:
        return self._lees("inburgering_dataverwerkingen", LDV_KOLOMMEN, trace_id)

    def auditregels(self, trace_id: str) -> list[dict[str, Any]]:
        return self._lees("inburgering_auditlog", AUDIT_KOLOMMEN, trace_id)

    def betrokkene(self, verwerking: dict[str, Any]) -> str | None:
        """The BSN of an LDV record, for the controller answering a request for access; None once forgotten."""
        waarde = verwerking["attributes"].get("dpl.core.data_subject_id")
        if waarde is None:
            return None
        traject_id = UUID(verwerking["attributes"]["inburgering.traject_id"])
        envelop = json.loads(waarde)
        if set(envelop) == {ENVELOP}:  # the first event's field as stored: its context, its JSON
            bsn = self._kluis.ontsleutel(envelop[ENVELOP], eerste_gebeurtenis_context(traject_id))
            return None if bsn is None else str(json.loads(bsn))
        bsn = self._kluis.ontsleutel(envelop, betrokkene_context(traject_id))  # written before issue 12: raw bytes
        return None if bsn is None else bsn.decode()

    def _lees(self, tabel: str, kolommen: Sequence[str], trace_id: str) -> list[dict[str, Any]]:
        # What this process queued under the trace is read too: an audit (and a test) reads its own writes.
        # Only that trace: a reader (the readiness probe) does not wait for the whole queue.
        self._wachtrij.wacht_op(trace_id, self._wachttijd)
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(
                self._verbinding.sql(f"SELECT {', '.join(kolommen)} FROM {{s}}{tabel} WHERE trace_id = %s ORDER BY operation_id"),
                (trace_id,),
            )
            rijen = [dict(zip(kolommen, rij, strict=True)) for rij in cursor.fetchall()]
        for rij in rijen:
            for veld in ("resource", "attributes"):
                if veld in rij:
                    rij[veld] = json.loads(rij[veld])
        return rijen



def betrokkene_context(traject_id: UUID) -> bytes:
    """Of the references written before issue 12: the BSN encrypted for the log itself."""
    return f"ldv|{traject_id}".encode()


def eerste_gebeurtenis_context(traject_id: UUID) -> bytes:
    """The context the event store bound into the first event's `bsn` (adapters/versleuteling.py `_context`)."""
    return f"{traject_id}|1|bsn".encode()
