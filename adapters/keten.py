"""Tamper evidence: every stored event is chained by a hash to the one before it in its aggregate, and
each aggregate's head is checkpointed with a signature, so that a changed, deleted, reordered or
inserted row is found, including a deleted tail.

The hash covers the stored form (after field encryption), so a forgotten person's history still
verifies. It is SHA-256 and needs no secret: an auditor recomputes it offline. What an attacker with
write access could recompute is held in place by the checkpoints, signed with an Ed25519 key that is
not in the database; the public key verifies them.

    h(1)   = SHA-256(32 zero bytes || len-prefixed originator_id, version, topic, state)
    h(n)   = SHA-256(h(n-1)        || len-prefixed originator_id, version, topic, state)

`state` is the stored bytes without the hash itself, which is appended to the stored JSON object as
its last member, `"_keten":"<hex>"`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import ApplicationRecorder, EventStore, Mapper, Notification, Recording, StoredEvent

from adapters.sqlverbinding import Verbinding

log = logging.getLogger("inburgering.keten")
NUL = bytes(32)
STAART = re.compile(rb',"_keten":"([0-9a-f]{64})"\}$')
SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}inburgering_controlepunten (
    originator_id TEXT PRIMARY KEY, versie INTEGER NOT NULL, hash TEXT NOT NULL, handtekening TEXT NOT NULL,
    vastgelegd TEXT NOT NULL)
"""


def ketenhash(vorige: bytes, originator_id: UUID | str, versie: int, topic: str, state: bytes) -> bytes:
    inhoud = hashlib.sha256(vorige)
    for deel in (str(originator_id).encode(), str(versie).encode(), topic.encode(), state):
        inhoud.update(len(deel).to_bytes(8, "big") + deel)  # length-prefixed: no two splits hash alike
    return inhoud.digest()


def met_hash(state: bytes, hash_: bytes) -> bytes:
    if not state.endswith(b"}") or state == b"{}":
        raise ValueError("een opgeslagen gebeurtenis is een niet-leeg JSON-object")
    return state[:-1] + b',"_keten":"' + hash_.hex().encode() + b'"}'


def splits(state: bytes) -> tuple[bytes, bytes | None]:
    """The stored state without its hash, and the hash (None for an event stored before chaining)."""
    gevonden = STAART.search(state)
    if gevonden is None:
        return state, None
    return state[: gevonden.start()] + b"}", bytes.fromhex(gevonden.group(1).decode())


def ondertekend(originator_id: UUID | str, versie: int, hash_: bytes) -> bytes:
    """What a checkpoint's signature covers."""
    return f"inburgering-controlepunt|{originator_id}|{versie}|{hash_.hex()}".encode()


class Controlepunten:
    """The signed head of each aggregate. Moved forward only: a late writer cannot move it back."""

    def __init__(self, verbinding: Verbinding, sleutel: Ed25519PrivateKey) -> None:
        self._verbinding = verbinding
        self._sleutel = sleutel
        self.publieke_sleutel: Ed25519PublicKey = sleutel.public_key()

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(SCHEMA))

    def close(self) -> None:
        self._verbinding.close()

    def zet(self, koppen: dict[str, tuple[int, bytes]]) -> None:
        rijen = [
            (originator_id, versie, hash_.hex(), self._sleutel.sign(ondertekend(originator_id, versie, hash_)).hex(),
             datetime.now(UTC).isoformat())
            for originator_id, (versie, hash_) in koppen.items()
        ]
        sql = self._verbinding.sql(
            "INSERT INTO {s}inburgering_controlepunten (originator_id, versie, hash, handtekening, vastgelegd) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (originator_id) DO UPDATE SET versie = excluded.versie, "
            "hash = excluded.hash, handtekening = excluded.handtekening, vastgelegd = excluded.vastgelegd "
            "WHERE excluded.versie > {s}inburgering_controlepunten.versie"
        )
        with self._verbinding.transactie() as cursor:
            for rij in rijen:
                cursor.execute(sql, rij)

    def alle(self) -> dict[str, Controlepunt]:
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(self._verbinding.sql("SELECT originator_id, versie, hash, handtekening FROM {s}inburgering_controlepunten"))
            return {r[0]: Controlepunt(r[0], int(r[1]), bytes.fromhex(r[2]), bytes.fromhex(r[3])) for r in cursor.fetchall()}

    def van(self, originator_id: UUID | str) -> Controlepunt | None:
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(
                self._verbinding.sql("SELECT originator_id, versie, hash, handtekening FROM {s}inburgering_controlepunten WHERE originator_id = %s"),
                (str(originator_id),),
            )
            r = cursor.fetchone()
        return None if r is None else Controlepunt(r[0], int(r[1]), bytes.fromhex(r[2]), bytes.fromhex(r[3]))


@dataclass(frozen=True)
class Controlepunt:
    originator_id: str
    versie: int
    hash: bytes
    handtekening: bytes

    def is_echt(self, publieke_sleutel: Ed25519PublicKey) -> bool:
        try:
            publieke_sleutel.verify(self.handtekening, ondertekend(self.originator_id, self.versie, self.hash))
        except InvalidSignature:
            return False
        return True


class KetenEventStore(EventStore[UUID]):
    """Chains each new event to its aggregate's previous one before it is recorded, then moves the
    aggregate's signed checkpoint. The events and their hashes are written in one transaction; the
    checkpoint right after (an event beyond its checkpoint is reported, not hidden)."""

    def __init__(self, mapper: Mapper[UUID], recorder: ApplicationRecorder, controlepunten: Controlepunten) -> None:
        super().__init__(mapper=mapper, recorder=recorder)
        self.controlepunten = controlepunten

    def put(self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any) -> list[Recording[UUID]]:
        kluis = getattr(self.mapper, "kluis", None)  # the encrypting mapper's key store, when there is one
        with kluis.binnen_een_opslag() if kluis is not None else nullcontext():
            opgeslagen = [self.mapper.to_stored_event(e) for e in domain_events]
        koppen: dict[str, tuple[int, bytes]] = {}
        geketend = []
        for event in opgeslagen:
            sleutel = str(event.originator_id)
            if sleutel in koppen and koppen[sleutel][0] == event.originator_version - 1:
                vorige = koppen[sleutel][1]
            else:
                vorige = self._vorige_hash(event)
            hash_ = ketenhash(vorige, event.originator_id, event.originator_version, event.topic, event.state)
            koppen[sleutel] = (event.originator_version, hash_)
            geketend.append(StoredEvent(event.originator_id, event.originator_version, event.topic, met_hash(event.state, hash_)))
        recordings = self._bewaar(domain_events, geketend, **kwargs)
        try:
            self.controlepunten.zet(koppen)
        except Exception:
            # The facts are committed: the command succeeded and must say so. The missing checkpoint is
            # an incident (verify reports these events as not covered until an operator looks into it).
            log.critical("controlepunt niet gezet voor %s", ", ".join(koppen), exc_info=True)
        return recordings

    def _vorige_hash(self, event: StoredEvent) -> bytes:
        if event.originator_version == 1:
            return NUL
        [vorige] = self.recorder.select_events(event.originator_id, gt=event.originator_version - 2, lte=event.originator_version - 1)
        _, hash_ = splits(vorige.state)
        if hash_ is None:  # recorded before chaining (development stores): the chain starts here
            return hashlib.sha256(vorige.state).digest()
        return hash_

    def _bewaar(self, domain_events: Sequence[DomainEventProtocol[UUID]], opgeslagen: list[StoredEvent], **kwargs: Any) -> list[Recording[UUID]]:
        # As EventStore.put, with the chained stored events.
        notification_ids = self.recorder.insert_events(opgeslagen, **kwargs)
        if not notification_ids:
            return []
        return [
            Recording(d, Notification(originator_id=s.originator_id, originator_version=s.originator_version,
                                      topic=s.topic, state=s.state, id=n_id))
            for d, s, n_id in zip(domain_events, opgeslagen, notification_ids, strict=True)
        ]


def per_aggregaat(recorder: ApplicationRecorder, tot: int | None = None, batch: int = 1000) -> Iterator[tuple[str, list[Any]]]:
    """Every stored event up to position `tot`, grouped by aggregate (in version order), through the log."""
    groepen: dict[str, list[Any]] = {}
    positie = 0
    while notificaties := recorder.select_notifications(start=positie, limit=batch, stop=tot, inclusive_of_start=False):
        for notificatie in notificaties:
            groepen.setdefault(str(notificatie.originator_id), []).append(notificatie)
        positie = notificaties[-1].id
    for originator_id, events in groepen.items():
        yield originator_id, sorted(events, key=lambda e: (e.originator_version, e.id))
