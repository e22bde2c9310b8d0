"""Tamper evidence: every stored event is chained by a hash to the one before it in its aggregate, and
each aggregate's head is checkpointed with a signature, so that a changed, deleted, reordered or
inserted row is found, including a deleted tail.

The checkpoint is what makes an event the application's own, so it is written in the same transaction as
the events (by the recorders below, in the events' own database): whatever committed is covered, whatever
crashed is neither. And before a save moves a checkpoint on, the head it builds on must be covered by the
current one, signed by this application: a fact slipped in with write access to the database is refused,
never built on or signed over.

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

import functools
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    InterfaceError,
    Mapper,
    Notification,
    OperationalError,
    Recording,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from adapters.sqlverbinding import postgres_sql, sqlite_sql


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


class IntegriteitsalarmError(Exception):
    """The stored head of an aggregate is not covered by this application's signed checkpoint: a fact
    was added, changed or removed past the application. Nothing is built on it."""

    def __init__(self, aggregaat_id: str, uitleg: str) -> None:
        super().__init__(f"{aggregaat_id}: {uitleg}")
        self.aggregaat_id = aggregaat_id


class OpslagVerbinding:
    """Our own SQL on the event store's connections (its pool, or its file), so that what belongs with
    the events lives in their database and is read without a pool of its own."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self._datastore = recorder.datastore  # type: ignore[attr-defined]
        self._postgres = isinstance(recorder, PostgresApplicationRecorder)

    def sql(self, sql: str) -> str:
        return postgres_sql(sql, self._datastore.schema) if self._postgres else sqlite_sql(sql)

    @contextmanager
    def transactie(self, schrijven: bool = True) -> Iterator[Any]:
        with self._datastore.transaction(commit=schrijven) as cursor:
            yield cursor

    def close(self) -> None:
        pass  # the application closes its recorder, and with it these connections


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


def _controlepunt(rij: Any) -> Controlepunt:
    # By name: PostgreSQL rows come as dicts, SQLite rows as sqlite3.Row.
    return Controlepunt(rij["originator_id"], int(rij["versie"]), bytes.fromhex(rij["hash"]), bytes.fromhex(rij["handtekening"]))


SELECTEER = "SELECT originator_id, versie, hash, handtekening FROM {s}inburgering_controlepunten"


class Controlepunten:
    """The signed head of each aggregate, in the events' database. Moved on only in the transaction that
    stores the events it covers (see Verzegeling), so never back and never ahead of the events."""

    def __init__(self, verbinding: OpslagVerbinding, sleutel: Ed25519PrivateKey) -> None:
        self._verbinding = verbinding
        self._sleutel = sleutel
        self.publieke_sleutel: Ed25519PublicKey = sleutel.public_key()

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(SCHEMA))

    def close(self) -> None:
        self._verbinding.close()

    def onderteken(self, originator_id: str, versie: int, hash_: bytes) -> Controlepunt:
        return Controlepunt(originator_id, versie, hash_, self._sleutel.sign(ondertekend(originator_id, versie, hash_)))

    def alle(self) -> dict[str, Controlepunt]:
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(self._verbinding.sql(SELECTEER))
            return {r["originator_id"]: _controlepunt(r) for r in cursor.fetchall()}

    def van(self, originator_id: UUID | str) -> Controlepunt | None:
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(self._verbinding.sql(SELECTEER + " WHERE originator_id = %s"), (str(originator_id),))
            r = cursor.fetchone()
        return None if r is None else _controlepunt(r)

    def van_elk(self, originator_ids: Sequence[str]) -> dict[str, Controlepunt]:
        """The checkpoints of these aggregates (of those that have one), a few queries for many."""
        punten: dict[str, Controlepunt] = {}
        with self._verbinding.transactie(schrijven=False) as cursor:
            for begin in range(0, len(originator_ids), 500):
                deel = list(originator_ids[begin : begin + 500])
                cursor.execute(self._verbinding.sql(SELECTEER + f" WHERE originator_id IN ({', '.join(['%s'] * len(deel))})"), deel)
                punten.update((r["originator_id"], _controlepunt(r)) for r in cursor.fetchall())
        return punten

    def herzegel(self, originator_id: str, versie: int, hash_: bytes) -> None:
        """Sign a head that an operator has examined and accepts as the application's own (adapters/integriteit.py
        `verzegel_na_onderzoek`); the one way to move a checkpoint outside a save."""
        punt = self.onderteken(originator_id, versie, hash_)
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(
                "INSERT INTO {s}inburgering_controlepunten (originator_id, versie, hash, handtekening, vastgelegd) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (originator_id) DO UPDATE SET versie = excluded.versie, "
                "hash = excluded.hash, handtekening = excluded.handtekening, vastgelegd = excluded.vastgelegd"),
                (originator_id, versie, hash_.hex(), punt.handtekening.hex(), datetime.now(UTC).isoformat()))

    def neem_over(self, eerdere: Iterable[tuple[str, int, str, str, str]]) -> None:
        """Checkpoints kept elsewhere by an earlier version (their signatures still prove them)."""
        with self._verbinding.transactie() as cursor:
            for rij in eerdere:
                cursor.execute(self._verbinding.sql(
                    "INSERT INTO {s}inburgering_controlepunten (originator_id, versie, hash, handtekening, vastgelegd) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (originator_id) DO NOTHING"), rij)


@dataclass(frozen=True)
class Verzegeling:
    """What one save asks of the checkpoints: per aggregate the head it builds on (version and stored
    hash; 0 for a new aggregate) and the signed new head. Checked and written by the recorder in the
    transaction that inserts the events, after the insert, so a concurrent save has already failed on
    the events' unique key and every remaining mismatch is a change past the application."""

    vorige: dict[str, tuple[int, bytes]]
    nieuwe: dict[str, Controlepunt]
    publieke_sleutel: Ed25519PublicKey

    def zet(self, cursor: Any, sql: Callable[[str], str]) -> None:
        for aggregaat_id, nieuw in self.nieuwe.items():
            cursor.execute(sql(SELECTEER + " WHERE originator_id = %s"), (aggregaat_id,))
            rij = cursor.fetchone()
            huidig = None if rij is None else _controlepunt(rij)
            versie, hash_ = self.vorige[aggregaat_id]
            waarden = (nieuw.versie, nieuw.hash.hex(), nieuw.handtekening.hex(), datetime.now(UTC).isoformat(), aggregaat_id)
            if huidig is None and versie == 0:
                cursor.execute(sql("INSERT INTO {s}inburgering_controlepunten (versie, hash, handtekening, vastgelegd, "
                                   "originator_id) VALUES (%s, %s, %s, %s, %s)"), waarden)
            elif huidig is not None and (huidig.versie, huidig.hash) == (versie, hash_) and huidig.is_echt(self.publieke_sleutel):
                cursor.execute(sql("UPDATE {s}inburgering_controlepunten SET versie = %s, hash = %s, handtekening = %s, "
                                   "vastgelegd = %s WHERE originator_id = %s"), waarden)
            else:
                gedekt = "geen enkele versie" if huidig is None else f"versie {huidig.versie}"
                raise IntegriteitsalarmError(
                    aggregaat_id, f"de opgeslagen kop (versie {versie}) is niet door deze applicatie ondertekend; het controlepunt dekt {gedekt}"
                )


class SqliteKetenRecorder(SQLiteApplicationRecorder):
    """The SQLite recorder that moves the checkpoints in the transaction that inserts the events."""

    def select_events_van_elk(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Every stored event of each of these aggregates (in version order); in-process, so one read each."""
        return {originator_id: list(self.select_events(originator_id)) for originator_id in originator_ids}

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if (verzegeling := kwargs.get("verzegeling")) is not None:
            verzegeling.zet(c, sqlite_sql)
        return ids


# The library tries a read ten times, each waiting up to the pool's timeout for a connection: with every
# connection busy a reader waited 50 s. Once more after a lost connection is enough; then 503.
_een_keer_opnieuw = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)


class PostgresKetenRecorder(PostgresApplicationRecorder):
    """The PostgreSQL recorder that moves the checkpoints in the transaction that inserts the events.
    As the library's insert (table lock, NOTIFY, insert), without its pipeline, so that a refused
    checkpoint rolls the events back; and without its ten retries of a lost connection, so that a
    client hears within seconds that the database is gone (its Idempotency-Key makes a retry safe)."""

    select_events = _een_keer_opnieuw(PostgresApplicationRecorder.select_events.__wrapped__)  # type: ignore[attr-defined]
    select_notifications = _een_keer_opnieuw(PostgresApplicationRecorder.select_notifications.__wrapped__)  # type: ignore[attr-defined]
    max_notification_id = _een_keer_opnieuw(PostgresApplicationRecorder.max_notification_id.__wrapped__)  # type: ignore[attr-defined]

    @_een_keer_opnieuw
    def select_events_van_elk(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Every stored event of each of these aggregates (in version order), in one query: a rebuild read
        them one round trip per trajectory."""
        gevonden: dict[UUID, list[StoredEvent]] = {originator_id: [] for originator_id in originator_ids}
        statement = SQL("SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
                        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [list(originator_ids)])
            for rij in curs.fetchall():
                gevonden[rij["originator_id"]].append(StoredEvent(rij["originator_id"], rij["originator_version"], rij["topic"], bytes(rij["state"])))
        return gevonden

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        verzegeling = kwargs.get("verzegeling")
        if not stored_events:
            return []
        with self.datastore.transaction(commit=True) as curs:
            self._insert_stored_events(curs, stored_events, **kwargs)
            ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            if verzegeling is not None:
                verzegeling.zet(curs, functools.partial(postgres_sql, schema=self.datastore.schema))
        return ids


@runtime_checkable
class Opslagvoorbereiding(Protocol):
    """A mapper that prepares for one save of these events (VeldversleutelendeMapper: their keys)."""

    def binnen_een_opslag(self, domain_events: Sequence[DomainEventProtocol[UUID]]) -> AbstractContextManager[None]: ...


class KetenEventStore(EventStore[UUID]):
    """Chains each new event to its aggregate's previous one before it is recorded, and signs the new
    heads; the recorder stores both in one transaction (Verzegeling)."""

    def __init__(self, mapper: Mapper[UUID], recorder: ApplicationRecorder, controlepunten: Controlepunten) -> None:
        super().__init__(mapper=mapper, recorder=recorder)
        self.controlepunten = controlepunten

    def put(self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any) -> list[Recording[UUID]]:
        if not domain_events:
            return []
        try:
            return self._bewaar(domain_events, *self._keten(domain_events), **kwargs)
        except IntegriteitsalarmError as alarm:
            log.critical("integriteitsalarm, opslag geweigerd: %s", alarm)
            raise

    def _keten(self, domain_events: Sequence[DomainEventProtocol[UUID]]) -> tuple[list[StoredEvent], Verzegeling]:
        """The stored events, each chained to the one before it, and what their save asks of the checkpoints."""
        # The encrypting mapper fetches the keys the save needs at once (adapters/versleuteling.py).
        with self.mapper.binnen_een_opslag(domain_events) if isinstance(self.mapper, Opslagvoorbereiding) else nullcontext():
            opgeslagen = [self.mapper.to_stored_event(e) for e in domain_events]
        vorige: dict[str, tuple[int, bytes]] = {}
        koppen: dict[str, tuple[int, bytes]] = {}
        geketend = []
        for event in opgeslagen:
            sleutel = str(event.originator_id)
            if sleutel not in koppen:
                vorige[sleutel] = (event.originator_version - 1, self._vorige_hash(event))
                koppen[sleutel] = vorige[sleutel]
            hash_ = ketenhash(koppen[sleutel][1], event.originator_id, event.originator_version, event.topic, event.state)
            koppen[sleutel] = (event.originator_version, hash_)
            geketend.append(StoredEvent(event.originator_id, event.originator_version, event.topic, met_hash(event.state, hash_)))
        nieuwe = {sleutel: self.controlepunten.onderteken(sleutel, versie, hash_) for sleutel, (versie, hash_) in koppen.items()}
        return geketend, Verzegeling(vorige, nieuwe, self.controlepunten.publieke_sleutel)

    def _vorige_hash(self, event: StoredEvent) -> bytes:
        if event.originator_version == 1:
            return NUL
        gevonden = self.recorder.select_events(event.originator_id, gt=event.originator_version - 2, lte=event.originator_version - 1)
        if not gevonden:
            raise IntegriteitsalarmError(str(event.originator_id), f"de kop waarop deze opslag bouwt (versie {event.originator_version - 1}) ontbreekt")
        _, hash_ = splits(gevonden[0].state)
        if hash_ is None:  # recorded before chaining (development stores): no checkpoint can cover it
            return hashlib.sha256(gevonden[0].state).digest()
        return hash_

    def _bewaar(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], opgeslagen: list[StoredEvent], verzegeling: Verzegeling, **kwargs: Any
    ) -> list[Recording[UUID]]:
        # As EventStore.put, with the chained stored events; the recorder writes the checkpoints with them.
        notification_ids = self.recorder.insert_events(opgeslagen, verzegeling=verzegeling, **kwargs)
        if not notification_ids:
            return []
        return [
            Recording(d, Notification(originator_id=s.originator_id, originator_version=s.originator_version,
                                      topic=s.topic, state=s.state, id=n_id))
            for d, s, n_id in zip(domain_events, opgeslagen, notification_ids, strict=True)
        ]


AGGREGATEN_PER_DEEL = 500  # aggregates whose events are held at once by `per_aggregaat_in_delen`


def per_aggregaat_in_delen(
    recorder: ApplicationRecorder, tot: int | None = None, batch: int = 1000, na: int = 0
) -> Iterator[dict[str, list[StoredEvent]]]:
    """Every stored event after position `na` up to `tot`, grouped by aggregate (in version order), a few
    hundred aggregates at a time. Memory stays flat at any size of the log: a first pass through the log
    notes only which versions of which aggregate lie in that stretch, then the events of each part are
    read by aggregate (PostgreSQL: one query per part). An event changed or deleted between the passes is
    read as it is then, which is what a check should see."""
    versies: dict[str, list[int]] = {}
    positie = na
    while notificaties := recorder.select_notifications(start=positie, limit=batch, stop=tot, inclusive_of_start=False):
        for notificatie in notificaties:
            versies.setdefault(str(notificatie.originator_id), []).append(notificatie.originator_version)
        positie = notificaties[-1].id
    ids = list(versies)
    for begin in range(0, len(ids), AGGREGATEN_PER_DEEL):
        deel = ids[begin:begin + AGGREGATEN_PER_DEEL]
        stromen = lees_stromen(recorder, [UUID(i) for i in deel])
        yield {i: _alleen(stromen[UUID(i)], set(versies[i])) for i in deel}


def _alleen(events: list[StoredEvent], versies: set[int]) -> list[StoredEvent]:
    """The events of these versions: those that lay in the stretch of the log that was read."""
    return [e for e in events if e.originator_version in versies]


def lees_stromen(recorder: ApplicationRecorder, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
    """Every stored event of each of these aggregates: in one query where the recorder can."""
    if isinstance(recorder, (PostgresKetenRecorder, SqliteKetenRecorder)):
        return recorder.select_events_van_elk(originator_ids)
    return {originator_id: list(recorder.select_events(originator_id)) for originator_id in originator_ids}
