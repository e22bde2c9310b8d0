"""Checking the event log against its hash chains and signed checkpoints (adapters/keten.py), whole or
from where the last check ended, exporting one trajectory for offline verification, and making the stored
events append-only in the database."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from eventsourcing.persistence import ApplicationRecorder
from psycopg import sql

from adapters.keten import (
    AGGREGATEN_PER_DEEL,
    NUL,
    Controlepunt,
    Controlepunten,
    OpslagVerbinding,
    ketenhash,
    per_aggregaat_in_delen,
    splits,
)
from adapters.settings import Settings

ALGORITME = (
    "h(0) = 32 nulbytes; h(n) = SHA-256(h(n-1) || voor originatorId, versie, topic en opgeslagen toestand zonder "
    'hash: lengte als 8 bytes big-endian gevolgd door de bytes (UTF-8)); de hash staat als laatste lid "_keten" '
    "in de opgeslagen JSON. Het controlepunt is een Ed25519-handtekening over "
    "'inburgering-controlepunt|<originatorId>|<versie>|<hash hex>'."
)


@dataclass(frozen=True)
class Bevinding:
    aggregaat_id: str
    versie: int | None
    soort: str
    uitleg: str


@dataclass(frozen=True)
class VolledigeControle:
    tijdstip: datetime
    in_orde: bool


@dataclass
class Rapport:
    aggregaten: int = 0
    gebeurtenissen: int = 0
    bevindingen: list[Bevinding] = field(default_factory=list)
    volledig: bool = True
    na: int = 0  # the log positions read: after `na`, up to and including `tot`
    tot: int = 0
    laatste_volledige_controle: VolledigeControle | None = None

    @property
    def in_orde(self) -> bool:
        return not self.bevindingen


ONBEKEND = (0, NUL)  # an aggregate of which nothing was verified yet: its chain starts from nothing


def controleer_keten(aggregaat_id: str, events: Iterable[tuple[int, str, bytes]], punt: Controlepunt | None,
                     publieke_sleutel: Ed25519PublicKey) -> list[Bevinding]:
    """The findings for one aggregate: (version, topic, stored state) in version order, and its checkpoint."""
    return _keten(aggregaat_id, events, punt, publieke_sleutel)[0]


def _keten(aggregaat_id: str, events: Iterable[tuple[int, str, bytes]], punt: Controlepunt | None,
           publieke_sleutel: Ed25519PublicKey, vanaf: tuple[int, bytes] = ONBEKEND,
           echt: Callable[[Controlepunt], bool] | None = None) -> tuple[list[Bevinding], dict[int, bytes]]:
    """The findings and the chain hash at each version, for the events after `vanaf`: the version and chain
    hash up to which the aggregate was verified before. `echt`: whether a checkpoint's signature holds
    (`Handtekeningen.is_echt`); by default verified here."""
    rijen = [(versie, topic, *splits(opgeslagen)) for versie, topic, opgeslagen in events]
    opgeslagen_hashes = {h for *_, h in rijen if h is not None} | {NUL, vanaf[1]}
    bevindingen: list[Bevinding] = []
    vorige, verwacht = vanaf[1], vanaf[0] + 1
    hashes = {vanaf[0]: vanaf[1]} if vanaf[0] else {}
    for versie, topic, state, opgeslagen_hash in rijen:
        ontbrak = versie > verwacht
        if ontbrak:
            bevindingen.append(Bevinding(aggregaat_id, verwacht, "ontbreekt", f"versie {verwacht} tot {versie - 1} ontbreekt"))
        if opgeslagen_hash is None:
            bevindingen.append(Bevinding(aggregaat_id, versie, "zonder-hash", "deze rij draagt geen ketenhash: met de hand ingevoegd of van voor de keten"))
            vorige = hashlib.sha256(state).digest()  # as the writer continues after a row without a hash
        else:
            # A row is in place when it follows from the row before it; or from some other stored row, in
            # which case the break lies with the rows before it (a swap), and they are the ones named.
            past = ketenhash(vorige, aggregaat_id, versie, topic, state) == opgeslagen_hash or any(
                ketenhash(kandidaat, aggregaat_id, versie, topic, state) == opgeslagen_hash for kandidaat in opgeslagen_hashes
            )
            if not past and not ontbrak:
                bevindingen.append(Bevinding(aggregaat_id, versie, "gewijzigd",
                                             "deze rij past niet in de keten: zij (of de rij ervoor) is gewijzigd, verplaatst of ingevoegd"))
            vorige = opgeslagen_hash  # go on from what is stored: each changed row is named on its own
        hashes[versie] = vorige
        verwacht = max(verwacht, versie + 1)
    laatste = verwacht - 1
    if punt is None:
        bevindingen.append(Bevinding(aggregaat_id, None, "zonder-controlepunt", "geen ondertekend controlepunt: niet door deze applicatie vastgelegd"))
        return bevindingen, hashes
    if not (echt(punt) if echt is not None else punt.is_echt(publieke_sleutel)):
        bevindingen.append(Bevinding(aggregaat_id, punt.versie, "controlepunt-vervalst", "de handtekening van het controlepunt klopt niet"))
    if laatste < punt.versie:
        bevindingen.append(Bevinding(aggregaat_id, laatste + 1, "staart-verwijderd", f"het controlepunt staat op versie {punt.versie}, de opslag eindigt bij {laatste}"))
    elif hashes.get(punt.versie) != punt.hash:
        bevindingen.append(Bevinding(aggregaat_id, punt.versie, "afwijkend-controlepunt", "de keten komt op deze versie niet uit bij het controlepunt"))
    if laatste > punt.versie:
        bevindingen.append(Bevinding(aggregaat_id, punt.versie + 1, "niet-gedekt",
                                     f"versie {punt.versie + 1} tot en met {laatste} valt na het ondertekende controlepunt: "
                                     "niet door deze applicatie vastgelegd"))
    return bevindingen, hashes


HANDTEKENINGEN_PER_TAAK = 64  # checkpoints one verifying thread takes at once
VERIFIERENDE_DRADEN = 2


class Handtekeningen:
    """Whether checkpoints are genuine, verified on threads of their own ahead of the check that asks. Verifying
    the Ed25519 signatures, one per aggregate, is the largest part of a full check's CPU (about 40 %), and the
    library does it without holding the interpreter, so the chains are hashed meanwhile. A checkpoint not handed
    over in advance is verified when asked."""

    def __init__(self, publieke_sleutel: Ed25519PublicKey, draden: ThreadPoolExecutor) -> None:
        self._sleutel, self._draden = publieke_sleutel, draden
        self._uitslagen: dict[Controlepunt, Future[dict[Controlepunt, bool]]] = {}

    def vooruit(self, punten: Iterable[Controlepunt]) -> None:
        """Begin verifying these; what was handed over before and not asked for is forgotten (memory stays flat)."""
        self._uitslagen = {}
        punten = list(punten)
        for begin in range(0, len(punten), HANDTEKENINGEN_PER_TAAK):
            taak = punten[begin:begin + HANDTEKENINGEN_PER_TAAK]
            uitslag = self._draden.submit(self._verifieer, taak)
            self._uitslagen.update(dict.fromkeys(taak, uitslag))

    def _verifieer(self, punten: Sequence[Controlepunt]) -> dict[Controlepunt, bool]:
        return {punt: punt.is_echt(self._sleutel) for punt in punten}

    def is_echt(self, punt: Controlepunt) -> bool:
        if (uitslag := self._uitslagen.get(punt)) is not None:
            return uitslag.result()[punt]
        return punt.is_echt(self._sleutel)


@contextmanager
def handtekeningen_van(controlepunten: Controlepunten) -> Iterator[Handtekeningen]:
    """`Handtekeningen` for one check; its threads end with it (what is still queued is dropped on an error)."""
    draden = ThreadPoolExecutor(VERIFIERENDE_DRADEN, thread_name_prefix="handtekeningen")
    try:
        yield Handtekeningen(controlepunten.publieke_sleutel, draden)
    finally:
        draden.shutdown(wait=True, cancel_futures=True)


def controleer(recorder: ApplicationRecorder, controlepunten: Controlepunten) -> Rapport:
    """Every aggregate in the store, and every checkpoint whose aggregate is gone. Safe while the
    application writes: a checkpoint commits with the events it covers, and the log is read up to its
    head before the checkpoints, so an aggregate whose checkpoint is ahead of what was read (saved
    meanwhile) is read again whole; an event no checkpoint covers was never the application's."""
    kop = recorder.max_notification_id() or 0
    rapport = Rapport(tot=kop)
    gezien: set[str] = set()

    def een(aggregaat_id: str, events: list[Any], punt: Controlepunt | None, handtekeningen: Handtekeningen) -> None:
        if punt is not None and (not events or events[-1].originator_version < punt.versie):
            events = list(recorder.select_events(UUID(aggregaat_id)))  # saved since the log was read
        if events:
            rapport.aggregaten += 1
            rapport.gebeurtenissen += len(events)
        rapport.bevindingen += _bevindingen(aggregaat_id, events, punt, controlepunten, echt=handtekeningen.is_echt)[0]

    with handtekeningen_van(controlepunten) as handtekeningen:
        for deel in per_aggregaat_in_delen(recorder, tot=kop):
            punten = controlepunten.van_elk(list(deel))  # after the events of this part (see above)
            handtekeningen.vooruit(punten.values())
            for aggregaat_id, events in deel.items():
                een(aggregaat_id, events, punten.get(aggregaat_id), handtekeningen)
            gezien.update(deel)
        for aggregaat_id, punt in controlepunten.alle().items():  # checkpoints whose events are all gone
            if aggregaat_id not in gezien:
                een(aggregaat_id, [], punt, handtekeningen)
    rapport.bevindingen.sort(key=lambda b: b.aggregaat_id)  # stable: per aggregate in the order found
    return rapport


def _bevindingen(aggregaat_id: str, events: list[Any], punt: Controlepunt | None, controlepunten: Controlepunten,
                 vanaf: tuple[int, bytes] = ONBEKEND, echt: Callable[[Controlepunt], bool] | None = None,
                 ) -> tuple[list[Bevinding], dict[int, bytes]]:
    if not events and punt is not None and vanaf == ONBEKEND:
        return [Bevinding(aggregaat_id, 1, "verdwenen", f"het controlepunt noemt {punt.versie} versies, de opslag geen enkele")], {}
    rijen = ((e.originator_version, e.topic, e.state) for e in events)
    return _keten(aggregaat_id, rijen, punt, controlepunten.publieke_sleutel, vanaf, echt)


class VerzegelenGeweigerdError(Exception):
    """The aggregate is not one that only lacks a checkpoint, or not at the version the operator examined."""


def verzegel_na_onderzoek(recorder: ApplicationRecorder, controlepunten: Controlepunten, aggregaat_id: UUID, versie: int) -> None:
    """Accept an aggregate's stored head as the application's own, after an operator examined the events that
    no checkpoint covers (events of a crash before checkpoints were written with their events, or facts
    recorded before chaining). Only when the chain itself is intact and `versie` is the head: a changed,
    removed or reordered event is never sealed over."""
    events = list(recorder.select_events(aggregaat_id))
    if not events:
        raise VerzegelenGeweigerdError(f"{aggregaat_id} heeft geen opgeslagen gebeurtenissen.")
    if events[-1].originator_version != versie:
        raise VerzegelenGeweigerdError(f"{aggregaat_id} staat op versie {events[-1].originator_version}, niet op {versie}.")
    ernstig = [b for b in _bevindingen(str(aggregaat_id), events, controlepunten.van(aggregaat_id), controlepunten)[0]
               if b.soort not in ("niet-gedekt", "zonder-controlepunt")]
    _, hash_ = splits(events[-1].state)
    if ernstig or hash_ is None:
        redenen = "; ".join(f"versie {b.versie}: {b.soort}" for b in ernstig) or "de kop draagt geen ketenhash"
        raise VerzegelenGeweigerdError(f"{aggregaat_id} wordt niet verzegeld: {redenen}.")
    controlepunten.herzegel(str(aggregaat_id), versie, hash_)


# -- from where the last check ended -----------------------------------------------------------

STAAT = (
    """CREATE TABLE IF NOT EXISTS {s}inburgering_integriteit (
        sleutel TEXT PRIMARY KEY, positie BIGINT NOT NULL, ronde BIGINT NOT NULL,
        volledig_tijdstip TEXT, volledig_in_orde BOOLEAN)""",
    # versie and hash NULL: a deviation was found, the aggregate is checked whole until it is gone
    "CREATE TABLE IF NOT EXISTS {s}inburgering_integriteit_ketens (originator_id TEXT PRIMARY KEY, versie BIGINT, hash TEXT)",
    "INSERT INTO {s}inburgering_integriteit (sleutel, positie, ronde) VALUES ('log', 0, 0) ON CONFLICT (sleutel) DO NOTHING",
)
KETEN_BIJWERKEN = ("INSERT INTO {s}inburgering_integriteit_ketens (originator_id, versie, hash) VALUES (%s, %s, %s) "
                   "ON CONFLICT (originator_id) DO UPDATE SET versie = excluded.versie, hash = excluded.hash")


@dataclass(frozen=True)
class Stand:
    positie: int
    ronde: int  # moves on with every record, so that of two checks at once only one records what it saw
    volledig: VolledigeControle | None


class Integriteitsstaat:
    """How far the log is verified, in the events' database (a restored backup brings its own): the
    position up to which every event was checked; per aggregate the version and chain hash up to which
    it verified, or that a deviation was found; and the time and outcome of the last full check."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self._verbinding = OpslagVerbinding(recorder)

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            for opdracht in STAAT:
                cursor.execute(self._verbinding.sql(opdracht))

    def stand(self) -> Stand:
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(self._verbinding.sql(
                "SELECT positie, ronde, volledig_tijdstip, volledig_in_orde FROM {s}inburgering_integriteit WHERE sleutel = 'log'"))
            r = cursor.fetchone()
        volledig = None if r["volledig_tijdstip"] is None else VolledigeControle(datetime.fromisoformat(r["volledig_tijdstip"]), bool(r["volledig_in_orde"]))
        return Stand(int(r["positie"]), int(r["ronde"]), volledig)

    def te_herzien(self) -> set[str]:
        """Aggregates to look at whatever the log says: a deviation found before, or a checkpoint that is not
        where the verified chain ends (saved since, events removed before they were checked, a changed
        checkpoint). One query over the two tables, no event read."""
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(self._verbinding.sql(
                "SELECT c.originator_id FROM {s}inburgering_controlepunten c LEFT JOIN {s}inburgering_integriteit_ketens k "
                "ON k.originator_id = c.originator_id WHERE k.versie IS NULL OR k.versie <> c.versie OR k.hash <> c.hash "
                "UNION SELECT originator_id FROM {s}inburgering_integriteit_ketens WHERE versie IS NULL"))
            return {r["originator_id"] for r in cursor.fetchall()}

    def ketens(self, originator_ids: list[str]) -> dict[str, tuple[int, bytes] | None]:
        """The verified (version, chain hash) of these aggregates; None after a deviation; absent: never verified."""
        ketens: dict[str, tuple[int, bytes] | None] = {}
        with self._verbinding.transactie(schrijven=False) as cursor:
            for begin in range(0, len(originator_ids), 500):
                deel = originator_ids[begin : begin + 500]
                cursor.execute(self._verbinding.sql("SELECT originator_id, versie, hash FROM {s}inburgering_integriteit_ketens "
                                                    f"WHERE originator_id IN ({', '.join(['%s'] * len(deel))})"), deel)
                ketens.update((r["originator_id"], None if r["versie"] is None else (int(r["versie"]), bytes.fromhex(r["hash"])))
                              for r in cursor.fetchall())
        return ketens

    def leg_vast(self, ronde: int, positie: int, schoon: dict[str, tuple[int, bytes]], afwijkend: set[str]) -> bool:
        """Record a check that began at `ronde`, unless another recorded since (compare-and-set): then what it
        read may be older than what is recorded, and nothing of it is kept. Returns whether it was kept."""
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql("UPDATE {s}inburgering_integriteit SET positie = %s, ronde = ronde + 1 "
                                                "WHERE sleutel = 'log' AND ronde = %s RETURNING ronde"), (positie, ronde))
            if cursor.fetchone() is None:
                return False
            rijen = [(i, v, h.hex()) for i, (v, h) in schoon.items()] + [(i, None, None) for i in afwijkend]
            if rijen:
                cursor.executemany(self._verbinding.sql(KETEN_BIJWERKEN), rijen)
        return True

    def leg_volledig_vast(self, controle: VolledigeControle, afwijkend: set[str]) -> None:
        """A full check: its time and outcome, and its deviations, which incremental checks go on reporting."""
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql("UPDATE {s}inburgering_integriteit SET volledig_tijdstip = %s, "
                                                "volledig_in_orde = %s, ronde = ronde + 1 WHERE sleutel = 'log'"),
                           (controle.tijdstip.isoformat(), controle.in_orde))
            if afwijkend:
                cursor.executemany(self._verbinding.sql(KETEN_BIJWERKEN), [(i, None, None) for i in afwijkend])


def controleer_volledig(recorder: ApplicationRecorder, controlepunten: Controlepunten, staat: Integriteitsstaat,
                        tijdstip: datetime) -> Rapport:
    """The full check (`controleer`), recorded: when it began and whether all was in order, and each
    aggregate with a deviation, so that the incremental check keeps naming it until it is gone."""
    rapport = controleer(recorder, controlepunten)
    rapport.laatste_volledige_controle = VolledigeControle(tijdstip, rapport.in_orde)
    staat.leg_volledig_vast(rapport.laatste_volledige_controle, {b.aggregaat_id for b in rapport.bevindingen})
    return rapport


def controleer_incrementeel(recorder: ApplicationRecorder, controlepunten: Controlepunten, staat: Integriteitsstaat) -> Rapport:
    """Only what is new since the last check: the events after the recorded position, each continuing its
    aggregate's verified chain (version and hash) and held against its signed checkpoint; and the
    aggregates `te_herzien` names. An aggregate with a deviation is checked whole, now and on every later
    call until the deviation is gone, so a finding never drops out of the answer by moving on. Events
    verified before are not read again: changing those is found by the full check."""
    stand = staat.stand()
    kop = max(recorder.max_notification_id() or 0, stand.positie)
    rapport = Rapport(volledig=False, na=stand.positie, tot=kop, laatste_volledige_controle=stand.volledig)
    schoon: dict[str, tuple[int, bytes]] = {}
    afwijkend: set[str] = set()
    gezien: set[str] = set()

    def deel(nieuw: dict[str, list[Any]], ids: list[str], handtekeningen: Handtekeningen) -> None:
        # The checkpoints are read after the log, so they are at least as new as the events read (see controleer).
        punten, ketens = controlepunten.van_elk(ids), staat.ketens(ids)
        handtekeningen.vooruit(punten.values())
        for aggregaat_id in ids:
            bevindingen, gelezen, geverifieerd = _controleer_vanaf(
                recorder, controlepunten, aggregaat_id, nieuw.get(aggregaat_id, []), punten.get(aggregaat_id),
                ketens.get(aggregaat_id, ONBEKEND), handtekeningen.is_echt,
            )
            rapport.aggregaten += 1 if gelezen else 0
            rapport.gebeurtenissen += gelezen
            rapport.bevindingen += bevindingen
            was = ketens.get(aggregaat_id, ONBEKEND)  # None: a deviation recorded before
            if bevindingen and was is not None:
                afwijkend.add(aggregaat_id)
            elif not bevindingen and geverifieerd != was:
                schoon[aggregaat_id] = geverifieerd

    with handtekeningen_van(controlepunten) as handtekeningen:
        for nieuw in per_aggregaat_in_delen(recorder, na=stand.positie, tot=kop):
            deel(nieuw, sorted(nieuw), handtekeningen)
            gezien.update(nieuw)
        rest = sorted(staat.te_herzien() - gezien)  # read after the log, as the checkpoints are
        for begin in range(0, len(rest), AGGREGATEN_PER_DEEL):
            deel({}, rest[begin:begin + AGGREGATEN_PER_DEEL], handtekeningen)
    rapport.bevindingen.sort(key=lambda b: b.aggregaat_id)  # stable: per aggregate in the order found
    if kop > stand.positie or schoon or afwijkend:  # an idle poll writes nothing
        staat.leg_vast(stand.ronde, kop, schoon, afwijkend)
    return rapport


def _controleer_vanaf(recorder: ApplicationRecorder, controlepunten: Controlepunten, aggregaat_id: str, nieuw: list[Any],
                      punt: Controlepunt | None, vanaf: tuple[int, bytes] | None,
                      echt: Callable[[Controlepunt], bool] | None = None) -> tuple[list[Bevinding], int, tuple[int, bytes]]:
    """One aggregate: its new events (from the log, in version order) continue the chain verified up to
    `vanaf` when they follow on from it; otherwise it is checked whole, as the full check would. Returns
    the findings, the number of events read and the (version, hash) verified within the log read."""
    uuid = UUID(aggregaat_id)
    if vanaf is not None and _sluit_aan(nieuw, punt, vanaf):
        events = list(nieuw)
        laatste = events[-1].originator_version if events else vanaf[0]
        if punt is not None and punt.versie > laatste:  # saved since the log was read, or removed
            events += recorder.select_events(uuid, gt=laatste, lte=punt.versie)
    else:
        vanaf, events = ONBEKEND, list(recorder.select_events(uuid))
        punt = controlepunten.van(uuid)  # after the events, and the events again if it is ahead (as controleer does)
        if punt is not None and (not events or events[-1].originator_version < punt.versie):
            events = list(recorder.select_events(uuid))
        if not events and punt is None:
            return [], 0, ONBEKEND  # nothing stored and nothing signed: nothing to verify any more
    bevindingen, hashes = _bevindingen(aggregaat_id, events, punt, controlepunten, vanaf, echt)
    if bevindingen:
        return bevindingen, len(events), ONBEKEND
    # Within the log read where it can, so that the next call's events of this aggregate follow on from it.
    tot = nieuw[-1].originator_version if nieuw else max(hashes, default=0)
    return [], len(events), (tot, hashes[tot]) if tot else ONBEKEND


def _sluit_aan(nieuw: list[Any], punt: Controlepunt | None, vanaf: tuple[int, bytes]) -> bool:
    """Whether the new events continue the verified chain: the next version, and a checkpoint not behind it."""
    if punt is None and vanaf != ONBEKEND:
        return False  # the checkpoint of a verified chain is gone
    if punt is not None and punt.versie < vanaf[0]:
        return False
    return not nieuw or nieuw[0].originator_version == vanaf[0] + 1


# -- export and offline verification ---------------------------------------------------------


def exporteer(recorder: ApplicationRecorder, controlepunten: Controlepunten, aggregaat_id: UUID) -> dict[str, Any]:
    """One aggregate as stored, with its checkpoint and the public key: all an auditor needs offline.
    The checkpoint is read first and the events up to it, so a save in between does not show as a gap."""
    punt = controlepunten.van(aggregaat_id)
    return {
        "aggregaatId": str(aggregaat_id),
        "algoritme": ALGORITME,
        "gebeurtenissen": [
            {"versie": e.originator_version, "topic": e.topic, "opgeslagen": base64.b64encode(e.state).decode()}
            for e in recorder.select_events(aggregaat_id, lte=punt.versie if punt else None)
        ],
        "controlepunt": None if punt is None else {"versie": punt.versie, "hash": punt.hash.hex(), "handtekening": punt.handtekening.hex()},
        "publiekeSleutel": base64.b64encode(controlepunten.publieke_sleutel.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode(),
    }


def controleer_export(export: dict[str, Any], publieke_sleutel: bytes | None = None) -> list[Bevinding]:
    """Verify an export on its own. Pass the public key obtained separately from SDD; the one in the
    export only shows which key signed."""
    sleutel = Ed25519PublicKey.from_public_bytes(publieke_sleutel or base64.b64decode(export["publiekeSleutel"]))
    punt = export["controlepunt"]
    controlepunt = None if punt is None else Controlepunt(export["aggregaatId"], punt["versie"], bytes.fromhex(punt["hash"]), bytes.fromhex(punt["handtekening"]))
    rijen = ((e["versie"], e["topic"], base64.b64decode(e["opgeslagen"])) for e in export["gebeurtenissen"])
    return controleer_keten(export["aggregaatId"], rijen, controlepunt, sleutel)


def als_dict(rapport: Rapport) -> dict[str, Any]:
    laatste = rapport.laatste_volledige_controle
    return {"aggregaten": rapport.aggregaten, "gebeurtenissen": rapport.gebeurtenissen,
            "bevindingen": [asdict(b) for b in rapport.bevindingen], "volledig": rapport.volledig,
            "na": rapport.na, "tot": rapport.tot, "laatste_volledige_controle": None if laatste is None else asdict(laatste)}


# -- append-only in the database ---------------------------------------------------------------


def bescherm_gebeurtenissen(instellingen: Settings, tabel: str) -> None:
    """No UPDATE, DELETE or TRUNCATE of stored events, whoever asks: a trigger refuses them (an owner or
    superuser must first drop it, which is itself a change an auditor can see). On PostgreSQL the
    application role, when named, is also granted no more than SELECT and INSERT."""
    if instellingen.database_url is None:
        with sqlite3.connect(instellingen.sqlite_pad) as verbinding:
            for actie in ("UPDATE", "DELETE"):
                verbinding.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {tabel}_geen_{actie.lower()} BEFORE {actie} ON {tabel} "
                    "BEGIN SELECT RAISE(ABORT, 'opgeslagen gebeurtenissen zijn onveranderlijk'); END"
                )
        return
    schema = sql.Identifier(instellingen.database_schema)
    with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
        verbinding.execute(sql.SQL(
            "CREATE OR REPLACE FUNCTION {}.inburgering_onveranderlijk() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'opgeslagen gebeurtenissen zijn onveranderlijk (%)', TG_OP; END $$"
        ).format(schema))
        verbinding.execute(sql.SQL(
            "CREATE OR REPLACE TRIGGER inburgering_onveranderlijk BEFORE UPDATE OR DELETE ON {}.{} "
            "FOR EACH ROW EXECUTE FUNCTION {}.inburgering_onveranderlijk()"
        ).format(schema, sql.Identifier(tabel), schema))
        verbinding.execute(sql.SQL(
            "CREATE OR REPLACE TRIGGER inburgering_onveranderlijk_truncate BEFORE TRUNCATE ON {}.{} "
            "FOR EACH STATEMENT EXECUTE FUNCTION {}.inburgering_onveranderlijk()"
        ).format(schema, sql.Identifier(tabel), schema))
        verbinding.execute(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {}.{} FROM PUBLIC").format(schema, sql.Identifier(tabel)))


def rechten_van_de_applicatie(instellingen: Settings, tabel: str) -> None:
    """The role the API runs as (INBURGERING_DATABASE_APP_ROL), after every table exists: reading and
    writing its own tables, only reading and adding stored events and checkpoints. TRUNCATE stays
    granted on the events because the library takes an EXCLUSIVE table lock to keep notification ids
    in commit order, and PostgreSQL lets only UPDATE, DELETE or TRUNCATE holders take it; the statement
    trigger refuses the TRUNCATE itself."""
    if instellingen.database_url is None or not instellingen.database_app_rol:
        return
    schema, rol = sql.Identifier(instellingen.database_schema), sql.Identifier(instellingen.database_app_rol)
    with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
        verbinding.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, rol))
        verbinding.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, rol))
        verbinding.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, rol))
        verbinding.execute(sql.SQL("REVOKE ALL ON {}.{} FROM {}").format(schema, sql.Identifier(tabel), rol))
        verbinding.execute(sql.SQL("GRANT SELECT, INSERT, TRUNCATE ON {}.{} TO {}").format(schema, sql.Identifier(tabel), rol))
        verbinding.execute(sql.SQL("REVOKE DELETE ON {}.inburgering_controlepunten FROM {}").format(schema, rol))
