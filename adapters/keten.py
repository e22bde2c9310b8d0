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
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable
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
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from eventsourcing.utils import retry
import psycopg
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from adapters.sqlverbinding import postgres_sql, sqlite_sql, sqlite_transactie


log = logging.getLogger("inburgering.keten")
T = TypeVar("T")
NUL = bytes(32)
LOSSE_EVENTS = 8  # up to this many events a save gives each value on its own (PostgresKetenRecorder._in_een_opdracht)
# The hash as the last bytes of a stored row, of fixed length: matched there only (`fullmatch`), never searched for
# (a `$` also matched before a final newline, so a row with a byte added after its hash still verified).
STAART = re.compile(rb',"_keten":"([0-9a-f]{64})"\}')
STAARTLENGTE = len(b',"_keten":""}') + 64
# An aggregate's events as the application and the integrity check read them. Neither store's columns refuse NULL, and
# a NULL written by hand is read as empty, which the check names (no hash; a topic that does not fit the chain).
LEES_TOPIC_EN_STATE = "coalesce(topic, '') AS topic, coalesce(state, ''::bytea) AS state"
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
    gevonden = STAART.fullmatch(state, max(0, len(state) - STAARTLENGTE))
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
        if self._postgres or not schrijven:
            with self._datastore.transaction(commit=schrijven) as cursor:
                yield cursor
            return
        # SQLite: not the library's deferred BEGIN, as the access log's writer shares this file (sqlite_transactie).
        with self._datastore.get_connection(commit=True) as verbinding, sqlite_transactie(verbinding.cursor()) as cursor:
            yield cursor

    @contextmanager
    def eenmalig(self) -> Iterator[Any]:
        """A cursor for one statement that reads, which is its own transaction (PostgreSQL: the pool's
        connections commit each statement, so this is one round trip)."""
        if not self._postgres:
            with self.transactie(schrijven=False) as cursor:
                yield cursor
            return
        with self._datastore.get_connection() as verbinding, verbinding.cursor() as cursor:
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
        """The checkpoints of these aggregates (of those that have one), one statement per 500."""
        punten: dict[str, Controlepunt] = {}
        for begin in range(0, len(originator_ids), 500):
            deel = list(originator_ids[begin : begin + 500])
            with self._verbinding.eenmalig() as cursor:
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


class ControlepuntVeranderdError(Exception):
    """A checkpoint was no longer the one this process verified or signed when its save committed
    (moved by another process, or by an operator's `verzegel`): the save is retried once with what is
    stored now (KetenEventStore.put)."""

    def __init__(self, aggregaat_ids: Iterable[str]) -> None:
        super().__init__(", ".join(aggregaat_ids))
        self.aggregaat_ids = list(aggregaat_ids)


@dataclass(frozen=True)
class Verzegeling:
    """What one save asks of the checkpoints: per aggregate the head it builds on (version and stored
    hash; 0 for a new aggregate) and the signed new head. Checked and written by the recorder in the
    transaction that inserts the events, after the insert, so a concurrent save has already failed on
    the events' unique key and every remaining mismatch is a change past the application.

    `geverifieerd` holds the current checkpoints this process already knows to be genuine and to cover
    the head (it signed or checked them): the transaction then only makes sure each is still exactly that
    one, in the statement that moves it on, which needs no answer before the commit (one round trip on
    PostgreSQL). The others are read and checked inside the transaction."""

    vorige: dict[str, tuple[int, bytes]]
    nieuwe: dict[str, Controlepunt]
    publieke_sleutel: Ed25519PublicKey
    geverifieerd: dict[str, Controlepunt]
    lees_alles: bool = False  # the retry after ControlepuntVeranderdError: read and check every checkpoint

    @property
    def in_een_keer(self) -> bool:
        """Nothing needs to be read and checked inside the transaction."""
        return not self.lees_alles and all(versie == 0 or a in self.geverifieerd for a, (versie, _) in self.vorige.items())

    def voorwaardelijk(self, aggregaat_id: str, *, na: str = "") -> tuple[str, tuple[Any, ...]] | None:
        """The write of this aggregate's checkpoint where nothing needs to be read first: a statement that
        changes exactly one row while the checkpoint is as this process knows it, and none otherwise. `na`:
        a one-row relation the statement joins, so that it runs only after that has been evaluated (the lock,
        in PostgresKetenRecorder's one statement). None: the checkpoint is to be read inside the transaction."""
        if self.lees_alles:
            return None
        nieuw, (versie, _) = self.nieuwe[aggregaat_id], self.vorige[aggregaat_id]
        waarden = (nieuw.versie, nieuw.hash.hex(), nieuw.handtekening.hex(), datetime.now(UTC).isoformat(), aggregaat_id)
        if versie == 0:
            bron = f"SELECT %s, %s, %s, %s, %s FROM {na}" if na else "VALUES (%s, %s, %s, %s, %s)"
            return ("INSERT INTO {s}inburgering_controlepunten (versie, hash, handtekening, vastgelegd, originator_id) "
                    f"{bron} ON CONFLICT DO NOTHING", waarden)
        if (bekend := self.geverifieerd.get(aggregaat_id)) is not None:
            return ("UPDATE {s}inburgering_controlepunten SET versie = %s, hash = %s, handtekening = %s, vastgelegd = %s"
                    f"{f' FROM {na}' if na else ''} WHERE originator_id = %s AND versie = %s AND hash = %s AND handtekening = %s",
                    (*waarden, bekend.versie, bekend.hash.hex(), bekend.handtekening.hex()))
        return None

    def zet(self, cursor: Any, sql: Callable[[str], str], *, postgres: bool) -> None:
        for aggregaat_id, nieuw in self.nieuwe.items():
            versie, hash_ = self.vorige[aggregaat_id]
            waarden = (nieuw.versie, nieuw.hash.hex(), nieuw.handtekening.hex(), datetime.now(UTC).isoformat(), aggregaat_id)
            if (voorwaardelijk := self.voorwaardelijk(aggregaat_id)) is not None:
                self._alleen_als(cursor, sql, postgres, aggregaat_id, *voorwaardelijk)
            else:
                cursor.execute(sql(SELECTEER + " WHERE originator_id = %s"), (aggregaat_id,))
                rij = cursor.fetchone()
                huidig = None if rij is None else _controlepunt(rij)
                if huidig is None and versie == 0:
                    cursor.execute(sql("INSERT INTO {s}inburgering_controlepunten (versie, hash, handtekening, vastgelegd, "
                                       "originator_id) VALUES (%s, %s, %s, %s, %s)"), waarden)
                elif huidig is not None and (huidig.versie, huidig.hash) == (versie, hash_) and huidig.is_echt(self.publieke_sleutel):
                    cursor.execute(sql("UPDATE {s}inburgering_controlepunten SET versie = %s, hash = %s, handtekening = %s, "
                                       "vastgelegd = %s WHERE originator_id = %s"), waarden)
                else:
                    raise _niet_gedekt(aggregaat_id, versie, huidig)

    @staticmethod
    def _alleen_als(cursor: Any, sql: Callable[[str], str], postgres: bool, aggregaat_id: str, opdracht: str, waarden: Sequence[Any]) -> None:
        """Write one checkpoint only where it is still as expected, and fail when it is not. On PostgreSQL
        the failure is raised by the server (a division by zero rows changed), so that nothing needs to come
        back before the commit: the transaction is sent in one go and a failure rolls it all back."""
        if postgres:
            cursor.execute(sql(f"WITH gezet AS ({opdracht} RETURNING 1) SELECT 1 / (SELECT count(*) FROM gezet)"), waarden)
            return
        cursor.execute(sql(opdracht), waarden)
        cursor.execute("SELECT changes()")
        if cursor.fetchone()[0] != 1:
            raise ControlepuntVeranderdError([aggregaat_id])


def _niet_gedekt(aggregaat_id: str, versie: int, huidig: Controlepunt | None) -> IntegriteitsalarmError:
    gedekt = "geen enkele versie" if huidig is None else f"versie {huidig.versie}"
    return IntegriteitsalarmError(
        aggregaat_id, f"de opgeslagen kop (versie {versie}) is niet door deze applicatie ondertekend; het controlepunt dekt {gedekt}"
    )


class SqliteKetenRecorder(SQLiteApplicationRecorder):
    """The SQLite recorder that moves the checkpoints, and writes what the caller gives (`Meeschrijven`), in
    the transaction that inserts the events."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        # A state is read as bytes whatever type it has in the file: the column is a BLOB by affinity only, and a
        # value written by hand as text (or a number) failed the check that exists to name it; text as the bytes the
        # file holds, which is what the chain covers. A NULL as on PostgreSQL.
        self.select_events_statement = (f"SELECT originator_id, originator_version, coalesce(topic, '') AS topic, "
                                        f"coalesce(CAST(state AS BLOB), x'') AS state FROM {self.events_table_name} WHERE originator_id=? ")

    def select_events_van_elk(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Every stored event of each of these aggregates (in version order); in-process, so one read each."""
        return {originator_id: list(self.select_events(originator_id)) for originator_id in originator_ids}

    def select_eerste_events(self, topic_begin: str, na: int, tot: int) -> list[tuple[int, UUID]]:
        """(position, aggregate) of every first event (version 1) after position `na` up to `tot` whose topic
        begins with `topic_begin`, in log order: as PostgreSQL's."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid, originator_id FROM {self.events_table_name} WHERE rowid > ? AND rowid <= ? "
                      "AND originator_version = 1 AND substr(topic, 1, ?) = ? ORDER BY rowid",
                      (na, tot, len(topic_begin), topic_begin))
            return [(rij[0], UUID(rij[1])) for rij in c.fetchall()]  # this app's aggregates have UUIDs

    def select_versies(self, na: int, tot: int) -> list[tuple[UUID, int]]:
        """(aggregate, version) of every event after position `na` up to `tot`, in log order: as PostgreSQL's."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT originator_id, originator_version FROM {self.events_table_name} WHERE rowid > ? AND rowid <= ? "
                      "ORDER BY rowid", (na, tot))
            return [(UUID(rij[0]), rij[1]) for rij in c.fetchall()]  # this app's aggregates have UUIDs

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if (verzegeling := kwargs.get("verzegeling")) is not None:
            verzegeling.zet(c, sqlite_sql, postgres=False)
        if (meeschrijven := kwargs.get("meeschrijven")) is not None:
            meeschrijven.schrijf(c)
        return ids


# The library tries a read ten times, each waiting up to the pool's timeout for a connection: with every
# connection busy a reader waited 50 s. Once more after a lost connection is enough; then 503.
_een_keer_opnieuw = retry((InterfaceError, OperationalError), max_attempts=2, wait=0.2)


class PostgresKetenRecorder(PostgresApplicationRecorder):
    """The PostgreSQL recorder that moves the checkpoints, and writes what the caller gives (`Meeschrijven`),
    in the transaction that inserts the events.
    As the library's insert (table lock, NOTIFY, insert), but with the checkpoints inside, so that a refused
    checkpoint rolls the events back; and without its ten retries of a lost connection, so that a
    client hears within seconds that the database is gone (its Idempotency-Key makes a retry safe).

    The table lock makes every save wait for the one before it, so a save holds it for as short as it can:
    where no checkpoint needs to be read first (Verzegeling.in_een_keer), the whole save is one statement,
    one round trip (`_in_een_opdracht`)."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        # The library's insert (the lock that orders every save, NOTIFY, the rows) as a function, for the one
        # statement that saves a command (`_in_een_opdracht`): LOCK TABLE cannot stand in a query, and a query
        # that inserts into the table itself holds a weaker lock on it from the start, which two saves would
        # each want to raise (a deadlock).
        self.invoegfunctie = f"{self.events_table_name}_voeg_in"
        self.sql_create_statements.append(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{functie}(wachttijd text, ids {id_type}[], versies bigint[], topics text[], "
            "states bytea[]) RETURNS SETOF bigint LANGUAGE plpgsql AS $$ BEGIN PERFORM set_config('lock_timeout', wachttijd, true); "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(ids, versies, topics, states) RETURNING notification_id; END $$").format(
            schema=Identifier(self.datastore.schema), functie=Identifier(self.invoegfunctie),
            id_type=SQL(self.datastore.originator_id_type), table=Identifier(self.events_table_name), channel=Identifier(self.channel_name)))
        self._zonder_functie = False  # a store not migrated since the function came: a transaction, as before
        # The library's read of an aggregate's events, with a NULL (only by hand: the columns allow it) read as empty,
        # which the integrity check names: the library's `bytes(NULL)` failed the check instead.
        self.select_events_statement = SQL(f"SELECT originator_id, originator_version, {LEES_TOPIC_EN_STATE} "
                                           "FROM {schema}.{table} WHERE originator_id = %s").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        self._opdrachten: dict[tuple[int, tuple[tuple[str, bool], ...]], str] = {}  # `_in_een_opdracht`'s statement per shape (events given one by one, the parts)

    select_events = _een_keer_opnieuw(PostgresApplicationRecorder.select_events.__wrapped__)
    select_notifications = _een_keer_opnieuw(PostgresApplicationRecorder.select_notifications.__wrapped__)
    max_notification_id = _een_keer_opnieuw(PostgresApplicationRecorder.max_notification_id.__wrapped__)

    @_een_keer_opnieuw
    def select_events_van_elk(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Every stored event of each of these aggregates (in version order), in one query: a rebuild read
        them one round trip per trajectory."""
        gevonden: dict[UUID, list[StoredEvent]] = {originator_id: [] for originator_id in originator_ids}
        statement = SQL(f"SELECT originator_id, originator_version, {LEES_TOPIC_EN_STATE} FROM {{schema}}.{{table}} "
                        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        # Rows as tuples: the library's connections make a dict of each row, which cost a rebuild more than the read.
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, [list(originator_ids)])
            for originator_id, versie, topic, state in curs.fetchall():
                gevonden[originator_id].append(StoredEvent(originator_id, versie, topic, bytes(state)))
        return gevonden

    @_een_keer_opnieuw
    def select_eerste_events(self, topic_begin: str, na: int, tot: int) -> list[tuple[int, UUID]]:
        """(position, aggregate) of every first event (version 1) after position `na` up to `tot` whose topic
        begins with `topic_begin`, in log order. A rebuild looks for the trajectories to read whole: through
        every notification, it read and decoded all of the log in the client only to find them (a seventh of
        its CPU). The server scans the stretch whole (it cannot know how few match), so a caller asks for a
        stretch of bounded length, not for the first so many after `na`: that scanned to the head each time."""
        statement = SQL("SELECT notification_id, originator_id FROM {schema}.{table} WHERE notification_id > %s "
                        "AND notification_id <= %s AND originator_version = 1 AND starts_with(topic, %s) "
                        "ORDER BY notification_id").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, [na, tot, topic_begin])
            return [(positie, originator_id) for positie, originator_id in curs.fetchall()]

    @_een_keer_opnieuw
    def select_versies(self, na: int, tot: int) -> list[tuple[UUID, int]]:
        """(aggregate, version) of every event after position `na` up to `tot`, in log order: what an integrity
        check notes in its first pass over the log. Through the notifications it fetched every event's state as
        well, decoded in the client, to keep two of its columns; the state is read once, in the second pass."""
        statement = SQL("SELECT originator_id, originator_version FROM {schema}.{table} WHERE notification_id > %s "
                        "AND notification_id <= %s ORDER BY notification_id").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, [na, tot])
            return [(originator_id, versie) for originator_id, versie in curs.fetchall()]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return []
        verzegeling: Verzegeling | None = kwargs.get("verzegeling")
        meeschrijven: Meeschrijven | None = kwargs.get("meeschrijven")
        sql = functools.partial(postgres_sql, schema=self.datastore.schema)
        in_een_keer = verzegeling is not None and verzegeling.in_een_keer
        with self.datastore.get_connection() as conn, conn.cursor() as invoegen, conn.cursor() as controlepunten:
            try:
                if in_een_keer and not self._zonder_functie:
                    assert verzegeling is not None
                    try:
                        return self._in_een_opdracht(invoegen, stored_events, verzegeling, meeschrijven)
                    except psycopg.errors.UndefinedFunction:  # nothing was written: the statement was its transaction
                        log.error("%s ontbreekt: draai `make migrate`; tot dan kost elke opdracht meer rondreizen", self.invoegfunctie)
                        self._zonder_functie = True
                with conn.transaction():
                    self._insert_stored_events(invoegen, stored_events)
                    # The library's order: a concurrent save fails here, before any checkpoint is read.
                    ids = self._fetch_ids_after_insert_events(invoegen, stored_events)
                    if verzegeling is not None:
                        verzegeling.zet(controlepunten, sql, postgres=True)
                    if meeschrijven is not None:
                        meeschrijven.schrijf(controlepunten)
            except (psycopg.errors.DivisionByZero, psycopg.errors.UniqueViolation) as fout:
                # A checkpoint not as this process knew it (Verzegeling._alleen_als). The events' unique key (a
                # concurrent save) goes on as the library's IntegrityError.
                if isinstance(fout, psycopg.errors.DivisionByZero) or fout.diag.table_name == "inburgering_controlepunten":
                    assert verzegeling is not None
                    raise ControlepuntVeranderdError(verzegeling.nieuwe) from fout
                raise
            return ids

    def _in_een_opdracht(
        self, cursor: Any, stored_events: Sequence[StoredEvent], verzegeling: Verzegeling, meeschrijven: Meeschrijven | None
    ) -> list[int]:
        """The whole save as one statement, its own transaction: the events (the function takes the lock and
        inserts them), the checkpoints and what is written along. Each part that could wait on a row another
        save holds runs after the lock (it joins `vergrendeld`), so two saves never wait on each other in
        opposite order; a checkpoint not as expected divides by zero and the server rolls everything back. One
        round trip, and one statement for the client library to handle, where the pipeline took nine."""
        delen = _Deelopdrachten()
        for aggregaat_id in verzegeling.nieuwe:
            punt = verzegeling.voorwaardelijk(aggregaat_id, na="vergrendeld")
            assert punt is not None, "in_een_keer: no checkpoint needs to be read"
            delen.execute(postgres_sql(punt[0], self.datastore.schema) + " RETURNING 1", punt[1], controle=True)
        if meeschrijven is not None:
            meeschrijven.schrijf(delen)
        waarden: list[Any] = [f"{self.datastore.lock_timeout}s"]
        # A command's few events as values, not lists: psycopg works out a list's element type anew on each
        # statement (a start's four lists took about 0.1 ms); a batch, an array per column.
        los = len(stored_events) if len(stored_events) <= LOSSE_EVENTS else 0
        kolommen = ([e.originator_id for e in stored_events], [e.originator_version for e in stored_events],
                    [e.topic for e in stored_events], [e.state for e in stored_events])
        for kolom in kolommen:
            waarden += kolom if los else [kolom]
        for _, deel, _ in delen.opdrachten:
            waarden += deel
        vorm = tuple((tekst, controle) for tekst, _, controle in delen.opdrachten)
        if (opdracht := self._opdrachten.get((los, vorm))) is None:
            if len(self._opdrachten) >= 64:  # a few shapes in practice; bounded all the same
                self._opdrachten.clear()
            opdracht = self._opdrachten[(los, vorm)] = self._opdracht_voor(los, vorm)
        cursor.execute(opdracht, waarden)
        return [rij["notification_id"] for rij in cursor.fetchall()]

    def _opdracht_voor(self, los: int, delen: tuple[tuple[str, bool], ...]) -> str:
        """The statement of `_in_een_opdracht` for `los` events given one by one (0: as arrays) and these parts,
        as text: composed once per shape, so that psycopg finds it in its caches (and prepares it) instead of
        converting it anew each time."""
        functie = f'"{self.datastore.schema}"."{self.invoegfunctie}"'
        arrays = ", ".join(f"ARRAY[{', '.join([f'%b::{type_}'] * los)}]" if los else f"%b::{type_}[]"
                           for type_ in (self.datastore.originator_id_type, "bigint", "text", "bytea"))
        return (f"WITH nieuw AS MATERIALIZED (SELECT notification_id FROM {functie}(%s, {arrays}) AS notification_id), "
                "vergrendeld AS (SELECT 1 FROM nieuw LIMIT 1)"
                + "".join(f", d{i} AS ({tekst})" for i, (tekst, _) in enumerate(delen))
                + " SELECT notification_id" + "".join(f", 1 / (SELECT count(*) FROM d{i})" for i, (_, controle) in enumerate(delen) if controle)
                + " FROM nieuw ORDER BY notification_id")


class _Deelopdrachten:
    """Stands in for a cursor to collect statements that change rows (no answers read), for one statement that
    runs them all (PostgresKetenRecorder._in_een_opdracht)."""

    def __init__(self) -> None:
        self.opdrachten: list[tuple[str, Sequence[Any], bool]] = []

    def execute(self, opdracht: str, waarden: Sequence[Any] = (), *, controle: bool = False) -> None:
        self.opdrachten.append((opdracht, list(waarden), controle))


@runtime_checkable
class Opslagvoorbereiding(Protocol):
    """A mapper that prepares for one save of these events (VeldversleutelendeMapper: their keys)."""

    def binnen_een_opslag(self, domain_events: Sequence[DomainEventProtocol[UUID]]) -> AbstractContextManager[None]: ...


class Meeschrijven(Protocol):
    """Rows a caller has written in the transaction of a save's events (adapters/logboek.py: the access-log
    record of the request that made them), and told when they committed. `bereid_voor` makes the rows from the
    events to be stored before the transaction opens, so that what it asks of another store (the key store) is
    never waited for while the events' write lock is held; `schrijf`, in the transaction, only inserts them."""

    def bereid_voor(self, opgeslagen: Sequence[StoredEvent]) -> None: ...
    def schrijf(self, cursor: Any) -> None: ...
    def vastgelegd(self) -> None: ...


@runtime_checkable
class Leesvoorbereiding(Protocol):
    """A mapper that prepares for decrypting these events (VeldversleutelendeMapper: their keys, at once)."""

    def voor_het_lezen(self, stored_events: Sequence[StoredEvent]) -> None: ...


class KetenEventStore(EventStore[UUID]):
    """Chains each new event to its aggregate's previous one before it is recorded, and signs the new
    heads; the recorder stores both in one transaction (Verzegeling).

    A command reads its aggregate just before it saves, so the head's stored hash is noted on that read
    (and after each save), and the save chains from it without reading it again. The checkpoints this
    process signed or verified are remembered too; the save's transaction checks that each is still
    exactly that one, so a remembered one never stands in for what is stored."""

    def __init__(self, mapper: Mapper[UUID], recorder: ApplicationRecorder, controlepunten: Controlepunten) -> None:
        super().__init__(mapper=mapper, recorder=recorder)
        self.controlepunten = controlepunten
        self._koppen = _Begrensd[tuple[int, bytes]]()  # per aggregate: version and stored hash of its head
        self._punten = _Begrensd[Controlepunt]()  # per aggregate: its checkpoint, signed or verified here
        # Looked up once: an isinstance check against a runtime Protocol costs more than it seems, per save.
        self._voor_het_lezen = mapper.voor_het_lezen if isinstance(mapper, Leesvoorbereiding) else None
        self._binnen_een_opslag = mapper.binnen_een_opslag if isinstance(mapper, Opslagvoorbereiding) else None

    def get(
        self, originator_id: UUID, *, gt: int | None = None, lte: int | None = None, desc: bool = False, limit: int | None = None
    ) -> Iterator[DomainEventProtocol[UUID]]:
        if lte is not None or desc or limit is not None:
            return super().get(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        # Reading on from a cached version: the head itself comes along (one row more, no round trip more).
        opgeslagen = self.recorder.select_events(originator_id, gt=gt - 1 if gt else gt)
        if opgeslagen and (not gt or opgeslagen[0].originator_version == gt):
            laatste = opgeslagen[-1]
            self._koppen.zet(str(originator_id), (laatste.originator_version, _opgeslagen_hash(laatste.state)))
        else:  # the head the reader holds is gone: a save must not build on what was noted before
            self._koppen.vergeet(str(originator_id))
        nieuw = [e for e in opgeslagen if gt is None or e.originator_version > gt]
        if self._voor_het_lezen is not None and nieuw:  # keys only for what is decrypted, not for the head
            self._voor_het_lezen(nieuw)
        return map(self.mapper.to_domain_event, nieuw)

    def put(self, domain_events: Sequence[DomainEventProtocol[UUID]], **kwargs: Any) -> list[Recording[UUID]]:
        if not domain_events:
            return []
        try:
            try:
                opgeslagen, verzegeling = self._keten(domain_events)
                return self._bewaar(domain_events, opgeslagen, verzegeling, **kwargs)
            except ControlepuntVeranderdError as veranderd:
                for aggregaat_id in veranderd.aggregaat_ids:
                    self._punten.vergeet(aggregaat_id)
                opgeslagen, verzegeling = self._keten(domain_events, lees_alles=True)
                return self._bewaar(domain_events, opgeslagen, verzegeling, **kwargs)
        except IntegriteitsalarmError as alarm:
            log.critical("integriteitsalarm, opslag geweigerd: %s", alarm)
            raise

    def _keten(self, domain_events: Sequence[DomainEventProtocol[UUID]], *, lees_alles: bool = False) -> tuple[list[StoredEvent], Verzegeling]:
        """The stored events, each chained to the one before it, and what their save asks of the checkpoints."""
        # The encrypting mapper fetches the keys the save needs at once (adapters/versleuteling.py).
        with self._binnen_een_opslag(domain_events) if self._binnen_een_opslag is not None else nullcontext():
            opgeslagen = [self.mapper.to_stored_event(e) for e in domain_events]
        vorige: dict[str, tuple[int, bytes]] = {}
        koppen: dict[str, tuple[int, bytes]] = {}
        geketend = []
        for event in opgeslagen:
            sleutel = str(event.originator_id)
            if sleutel not in koppen:
                vorige[sleutel] = (event.originator_version - 1, self._vorige_hash(event, lees_alles))
                koppen[sleutel] = vorige[sleutel]
            hash_ = ketenhash(koppen[sleutel][1], event.originator_id, event.originator_version, event.topic, event.state)
            koppen[sleutel] = (event.originator_version, hash_)
            geketend.append(StoredEvent(event.originator_id, event.originator_version, event.topic, met_hash(event.state, hash_)))
        nieuwe = {sleutel: self.controlepunten.onderteken(sleutel, versie, hash_) for sleutel, (versie, hash_) in koppen.items()}
        geverifieerd = {} if lees_alles else self._geverifieerd(vorige)
        return geketend, Verzegeling(vorige, nieuwe, self.controlepunten.publieke_sleutel, geverifieerd, lees_alles)

    def _geverifieerd(self, vorige: dict[str, tuple[int, bytes]]) -> dict[str, Controlepunt]:
        """The current checkpoint of each aggregate the save builds on, where it is genuine and covers the
        head: remembered, or read before the transaction (one query for all). Any other is left to the
        transaction, which reads it after the insert and tells a concurrent save from a change past us."""
        geverifieerd: dict[str, Controlepunt] = {}
        for aggregaat_id, (versie, hash_) in vorige.items():
            if versie > 0 and (punt := self._punten.neem(aggregaat_id)) is not None and (punt.versie, punt.hash) == (versie, hash_):
                geverifieerd[aggregaat_id] = punt
        if ontbrekend := [a for a, (versie, _) in vorige.items() if versie > 0 and a not in geverifieerd]:
            for aggregaat_id, punt in self.controlepunten.van_elk(ontbrekend).items():
                if (punt.versie, punt.hash) == vorige[aggregaat_id] and punt.is_echt(self.controlepunten.publieke_sleutel):
                    geverifieerd[aggregaat_id] = punt
        return geverifieerd

    def _vorige_hash(self, event: StoredEvent, lees_alles: bool) -> bytes:
        if event.originator_version == 1:
            return NUL
        vorige = event.originator_version - 1
        if not lees_alles and (kop := self._koppen.neem(str(event.originator_id))) is not None and kop[0] == vorige:
            return kop[1]
        gevonden = self.recorder.select_events(event.originator_id, gt=vorige - 1, lte=vorige)
        if not gevonden:
            raise IntegriteitsalarmError(str(event.originator_id), f"de kop waarop deze opslag bouwt (versie {vorige}) ontbreekt")
        return _opgeslagen_hash(gevonden[0].state)

    def _bewaar(
        self, domain_events: Sequence[DomainEventProtocol[UUID]], opgeslagen: list[StoredEvent], verzegeling: Verzegeling, **kwargs: Any
    ) -> list[Recording[UUID]]:
        # As EventStore.put, with the chained stored events; the recorder writes the checkpoints with them.
        meeschrijven: Meeschrijven | None = kwargs.get("meeschrijven")
        if meeschrijven is not None:
            meeschrijven.bereid_voor(opgeslagen)  # before the transaction (Meeschrijven)
        notification_ids = self.recorder.insert_events(opgeslagen, verzegeling=verzegeling, **kwargs)
        if meeschrijven is not None:
            meeschrijven.vastgelegd()
        for aggregaat_id, punt in verzegeling.nieuwe.items():
            self._koppen.zet(aggregaat_id, (punt.versie, punt.hash))
            self._punten.zet(aggregaat_id, punt)
        if not notification_ids:
            return []
        return [
            Recording(d, Notification(originator_id=s.originator_id, originator_version=s.originator_version,
                                      topic=s.topic, state=s.state, id=n_id))
            for d, s, n_id in zip(domain_events, opgeslagen, notification_ids, strict=True)
        ]


def _opgeslagen_hash(state: bytes) -> bytes:
    _, hash_ = splits(state)
    if hash_ is None:  # recorded before chaining (development stores): no checkpoint can cover it
        return hashlib.sha256(state).digest()
    return hash_


class _Begrensd(Generic[T]):
    """A small per-process memory shared by the request threads, emptied when it grows too large."""

    def __init__(self, maximaal: int = 10_000) -> None:
        self._waarden: dict[str, T] = {}
        self._maximaal = maximaal

    def zet(self, sleutel: str, waarde: T) -> None:
        if len(self._waarden) >= self._maximaal:
            self._waarden.clear()
        self._waarden[sleutel] = waarde

    def neem(self, sleutel: str) -> T | None:
        return self._waarden.get(sleutel)

    def vergeet(self, sleutel: str) -> None:
        self._waarden.pop(sleutel, None)


AGGREGATEN_PER_DEEL = 500  # aggregates whose events are held at once by `per_aggregaat_in_delen`
VERSIES_VENSTER = 50_000  # positions of the log whose (aggregate, version) the first pass reads at once


def per_aggregaat_in_delen(
    recorder: ApplicationRecorder, tot: int | None = None, batch: int = 1000, na: int = 0
) -> Iterator[dict[str, list[StoredEvent]]]:
    """Every stored event after position `na` up to `tot`, grouped by aggregate (in version order), a few
    hundred aggregates at a time. Memory stays flat at any size of the log: a first pass through the log
    notes only which versions of which aggregate lie in that stretch, then the events of each part are
    read by aggregate (PostgreSQL: one query per part). An event changed or deleted between the passes is
    read as it is then, which is what a check should see."""
    versies: dict[str, list[int]] = {}
    for originator_id, versie in _versies_in(recorder, na, tot, batch):
        versies.setdefault(str(originator_id), []).append(versie)
    ids = list(versies)
    for begin in range(0, len(ids), AGGREGATEN_PER_DEEL):
        deel = ids[begin:begin + AGGREGATEN_PER_DEEL]
        stromen = lees_stromen(recorder, [UUID(i) for i in deel])
        yield {i: _alleen(stromen[UUID(i)], set(versies[i])) for i in deel}


def _versies_in(recorder: ApplicationRecorder, na: int, tot: int | None, batch: int) -> Iterator[tuple[UUID | str, int]]:
    """(aggregate, version) of each event after `na` up to `tot` (None: the head as it is now), in log order. Our
    recorders read only those two columns, a bounded stretch of positions per query (the server scans the stretch
    whichever rows it holds); another recorder's notifications are read whole."""
    if isinstance(recorder, (PostgresKetenRecorder, SqliteKetenRecorder)):
        kop = (recorder.max_notification_id() or 0) if tot is None else tot
        positie = na
        while positie < kop:
            van, positie = positie, min(positie + VERSIES_VENSTER, kop)
            yield from recorder.select_versies(van, positie)
        return
    positie = na
    while notificaties := recorder.select_notifications(start=positie, limit=batch, stop=tot, inclusive_of_start=False):
        for notificatie in notificaties:
            yield notificatie.originator_id, notificatie.originator_version
        positie = notificaties[-1].id


def _alleen(events: list[StoredEvent], versies: set[int]) -> list[StoredEvent]:
    """The events of these versions: those that lay in the stretch of the log that was read."""
    return [e for e in events if e.originator_version in versies]


def lees_stromen(recorder: ApplicationRecorder, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
    """Every stored event of each of these aggregates: in one query where the recorder can."""
    if isinstance(recorder, (PostgresKetenRecorder, SqliteKetenRecorder)):
        return recorder.select_events_van_elk(originator_ids)
    return {originator_id: list(recorder.select_events(originator_id)) for originator_id in originator_ids}
