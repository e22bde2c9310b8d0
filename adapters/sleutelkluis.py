"""The data keys of personal data: one per holder (a trajectory or a person registration) and retention
class, kept apart from the events and wrapped by the master key from settings (envelope encryption).

Destroying a key clears its wrapped bytes for good; the row stays with the moment it was destroyed,
so that the store can say "removed" rather than "never existed", and so that no new key of that class
is ever made for the holder.

Each row names the master key that wrapped it (`hoofdsleutel_id`, a fingerprint; NULL for rows wrapped before
that column existed), so that the master key can be rotated: `roteer` rewraps, a batch at a time, every key
another master key wrapped, while the API goes on making and destroying keys.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters import personen
from adapters.crypto import hoofdsleutel_id
from adapters.sqlverbinding import PostgresVerbinding, Verbinding
from domain.persoonsgegevens import Bewaarklasse, RegistratieBezetError

SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}inburgering_sleutels (
    sleutel_id TEXT PRIMARY KEY, houder TEXT NOT NULL, klasse TEXT NOT NULL,
    gewikkeld BYTEA, aangemaakt TEXT NOT NULL, vernietigd TEXT);
-- One key per holder and class, ever: a destroyed key keeps its row, so no new one is made in its place.
-- It serves every look-up by holder (and class), and lets a new key be made in the statement that returns it.
CREATE UNIQUE INDEX IF NOT EXISTS inburgering_sleutels_per_houder ON {s}inburgering_sleutels (houder, klasse);
DROP INDEX IF EXISTS {s}inburgering_sleutels_actief;
DROP INDEX IF EXISTS {s}inburgering_sleutels_houder
"""
# Added to tables made before rotation existed; a process of that time writes NULL, read as "try each master key".
KOLOM_HOOFDSLEUTEL = "ALTER TABLE {s}inburgering_sleutels ADD COLUMN hoofdsleutel_id TEXT"
KOLOMMEN = "houder, klasse, sleutel_id, gewikkeld, vernietigd, hoofdsleutel_id"
MAAK = "INSERT INTO {s}inburgering_sleutels (sleutel_id, houder, klasse, gewikkeld, aangemaakt, hoofdsleutel_id)"


class SleutelVernietigdError(Exception):
    """Data would be encrypted with a key that no longer exists."""


class OnbekendeHoofdsleutelError(RuntimeError):
    """A data key was wrapped by a master key this process was not given (INBURGERING_VORIGE_HOOFDSLEUTELS)."""


class Sleutelkluis:
    """Creates, unwraps and destroys data keys. Unwrapped keys are cached briefly per process for reading;
    another process sees a destroyed key at most `cache_seconden` later."""

    def __init__(
        self, verbinding: Verbinding, hoofdsleutel: bytes, *, vorige: Sequence[bytes] = (), cache_seconden: float = 2.0
    ) -> None:
        """`hoofdsleutel` wraps every new key; `vorige` (earlier master keys) only unwrap, until `roteer` is done."""
        self._verbinding = verbinding
        self._hoofd_id = hoofdsleutel_id(hoofdsleutel)
        self._hoofden = {hoofdsleutel_id(s): AESGCM(s) for s in (hoofdsleutel, *vorige)}  # the current one first
        self._cache_seconden = cache_seconden
        self._cache: dict[str, tuple[float, bytes | None]] = {}  # for reading: unwrapped keys, briefly
        self._slot = threading.Lock()
        self._lokaal = threading.local()  # per thread: the keys of the save in progress
        self._houders: dict[str, float] = {}  # holders whose keys `laad_voor` put in the cache, until when
        self._register: personen.SqlPersonenregister | None = None  # see schrijf_registraties_mee

    def schrijf_registraties_mee(self, register: personen.SqlPersonenregister) -> None:
        """From now on a new person's registration, proposed by `register.registreer`, is written in the statement
        that makes the person's first keys (`binnen_een_opslag`): both in the key store's database, committed
        together or not at all, one write instead of two for a start."""
        register.stel_voortaan_voor()
        self._register = register

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            for opdracht in filter(str.strip, self._sql(SCHEMA).split(";")):
                cursor.execute(opdracht)
        try:  # asked first: ALTER TABLE would lock the table out of every key look-up of a running API for a moment
            with self._verbinding.transactie(schrijven=False) as cursor:
                cursor.execute(self._sql("SELECT hoofdsleutel_id FROM {s}inburgering_sleutels WHERE 1 = 0"))
            return
        except (sqlite3.OperationalError, psycopg.errors.UndefinedColumn):
            pass
        try:
            with self._verbinding.transactie() as cursor:
                cursor.execute(self._sql(KOLOM_HOOFDSLEUTEL))
        except (sqlite3.OperationalError, psycopg.errors.DuplicateColumn):
            pass  # another process added it a moment ago

    def close(self) -> None:
        self._verbinding.close()

    # -- for the mapper ----------------------------------------------------------------------

    def actieve_sleutel(self, houder: UUID, klasse: Bewaarklasse) -> tuple[str, bytes]:
        """The id and bytes of the holder's key of this class, made on first use. For facts it is read from
        the table on every save, never from a cache: a key another process destroyed a moment ago is not
        used, and once a class was destroyed no new key is made for it."""
        opslag = getattr(self._lokaal, "opslag", None)
        if opslag is not None and (houder, klasse) in opslag:
            return opslag[(houder, klasse)]  # read for this same save (`binnen_een_opslag`)
        gevonden = self._actieve_sleutels([(houder, klasse)])[(houder, klasse)]
        if opslag is not None:
            opslag[(houder, klasse)] = gevonden
        return gevonden

    @contextmanager
    def binnen_een_opslag(
        self, nodig: Collection[tuple[UUID, Bewaarklasse]] = (), nieuwe_houders: Collection[UUID] = ()
    ) -> Iterator[None]:
        """One save asks for a holder's key once, however many of its fields it encrypts; the keys it will
        need (`nodig`) are read, and made where missing, beforehand: one statement each way (a new person's
        three keys took five round trips each). A holder the save creates (`nieuwe_houders`) has no keys yet,
        so they are made at once, in one statement with its person registration where the register proposed
        one (`schrijf_registraties_mee`)."""
        self._lokaal.opslag = {}
        registraties = self._register.neem_voorstellen(nieuwe_houders) if self._register is not None and nieuwe_houders else []
        try:
            if nodig or registraties:
                self._lokaal.opslag.update(self._actieve_sleutels(nodig, nieuwe_houders, registraties))
            yield
        finally:
            self._lokaal.opslag = None

    def _actieve_sleutels(
        self, nodig: Collection[tuple[UUID, Bewaarklasse]], nieuwe_houders: Collection[UUID] = (), registraties: Sequence[tuple[str, str]] = ()
    ) -> dict[tuple[UUID, Bewaarklasse], tuple[str, bytes]]:
        """As `actieve_sleutel` for each pair, read from the table (never from a cache); `registraties`
        (pseudoniem, persoon_id) are written with the keys made."""
        paren = sorted(set(nodig), key=lambda paar: (str(paar[0]), paar[1].value))
        gezocht = [paar for paar in paren if paar[0] not in nieuwe_houders]
        rijen = self._zoek(gezocht) if gezocht else []
        if (ontbrekend := _zonder(paren, rijen)) or registraties:
            rijen += self._maak(ontbrekend, registraties)
            if nog := _zonder(ontbrekend, rijen):  # made (or destroyed) by another writer at the same moment
                rijen += self._zoek(nog)
        per_paar = {(rij[0], rij[1]): rij[2:] for rij in rijen}
        gevonden = {}
        for houder, klasse in paren:
            sleutel_id, gewikkeld, vernietigd, door = per_paar[(str(houder), klasse.value)]
            if vernietigd is not None:
                raise SleutelVernietigdError(f"de {klasse.value}-gegevens van {houder} zijn verwijderd")
            sleutel = self._pak_uit(sleutel_id, houder, klasse, bytes(gewikkeld), door)
            self._onthoud(sleutel_id, sleutel)
            gevonden[(houder, klasse)] = (sleutel_id, sleutel)
        return gevonden

    def _zoek(self, paren: Sequence[tuple[UUID, Bewaarklasse]]) -> list[tuple[Any, ...]]:
        houders, klassen = sorted({str(h) for h, _ in paren}), sorted({k.value for _, k in paren})
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._sql(
                f"SELECT {KOLOMMEN} FROM {{s}}inburgering_sleutels "
                f"WHERE houder IN ({', '.join(['%s'] * len(houders))}) AND klasse IN ({', '.join(['%s'] * len(klassen))})"),
                (*houders, *klassen))
            return [tuple(rij) for rij in cursor.fetchall()]

    def _maak(self, paren: Sequence[tuple[UUID, Bewaarklasse]], registraties: Sequence[tuple[str, str]] = ()) -> list[tuple[Any, ...]]:
        """New keys for these pairs, returned by the statement that makes them. A pair that has a key (two
        writers raced, or its class was destroyed) keeps it and is not returned. `registraties` go with them."""
        nieuw = [(str(uuid.uuid4()), h, k, AESGCM.generate_key(bit_length=256)) for h, k in paren]
        waarden = [w for i, h, k, sleutel in nieuw for w in (i, str(h), k.value, self._wikkel(i, h, k, sleutel), _nu(), self._hoofd_id)]
        rijen = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(nieuw))
        maak = f"{MAAK} VALUES {rijen} ON CONFLICT DO NOTHING RETURNING {KOLOMMEN}"
        if registraties:
            return self._registreer_en_maak(registraties, rijen, maak if nieuw else None, waarden)
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._sql(maak), waarden)
            return [tuple(rij) for rij in cursor.fetchall()]

    def _registreer_en_maak(
        self, registraties: Sequence[tuple[str, str]], rijen: str, maak: str | None, waarden: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """The person registrations (pseudoniem, persoon_id) and the keys (`maak`, the statement of `rijen` of
        `waarden`; None: no key to make) in one transaction: all or nothing. A BSN another request registered
        meanwhile makes nothing at all and fails as a concurrent save does."""
        registreer = (f"INSERT INTO {{s}}{personen.TABEL} (pseudoniem, persoon_id) VALUES {', '.join(['(%s, %s)'] * len(registraties))} "
                      "ON CONFLICT DO NOTHING RETURNING persoon_id")
        registratiewaarden = [w for rij in registraties for w in rij]
        if isinstance(self._verbinding, PostgresVerbinding) and maak is not None:
            # One statement, its own transaction: the keys are made only when every registration was.
            with self._verbinding.eenmalig() as cursor:
                cursor.execute(self._sql(
                    f"WITH registratie AS ({registreer}), sleutel AS ({MAAK} SELECT * FROM (VALUES {rijen}) AS nieuw "
                    f"WHERE (SELECT count(*) FROM registratie) = %s ON CONFLICT DO NOTHING RETURNING {KOLOMMEN}) "
                    "SELECT (SELECT count(*) FROM registratie), sleutel.* FROM (SELECT) AS een LEFT JOIN sleutel ON true"),
                    [*registratiewaarden, *waarden, len(registraties)])
                antwoord = cursor.fetchall()
            _alle_geregistreerd(antwoord[0][0], registraties)
            return [tuple(rij[1:]) for rij in antwoord if rij[1] is not None]
        # SQLite (no INSERT in a WITH), or no key to make: two statements in one transaction.
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._sql(registreer), registratiewaarden)
            _alle_geregistreerd(len(cursor.fetchall()), registraties)  # else it rolls the transaction back
            if maak is None:
                return []
            cursor.execute(self._sql(maak), waarden)
            return [tuple(rij) for rij in cursor.fetchall()]

    def laad_voor(self, houders: Collection[UUID]) -> None:
        """Unwrap every key of these holders into the read cache in one statement, before their events are
        decrypted one by one (a trajectory's events use a few keys, each asked for separately before)."""
        nu = time.monotonic()
        if not (te_laden := [str(h) for h in houders if self._houders.get(str(h), 0.0) <= nu]):
            return
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._sql(f"SELECT {KOLOMMEN} FROM {{s}}inburgering_sleutels WHERE houder IN "
                                     f"({', '.join(['%s'] * len(te_laden))})"), te_laden)
            rijen = cursor.fetchall()
        for houder, klasse, sleutel_id, gewikkeld, _, door in rijen:
            sleutel = None if gewikkeld is None else self._pak_uit(sleutel_id, UUID(houder), Bewaarklasse(klasse), bytes(gewikkeld), door)
            self._onthoud(sleutel_id, sleutel)
        with self._slot:
            for houder_id in te_laden:
                self._houders[houder_id] = nu + self._cache_seconden

    def sleutel(self, sleutel_id: str) -> bytes | None:
        """The key's bytes, or None once it has been destroyed."""
        if (bewaard := self._cache.get(sleutel_id)) and (bewaard[1] is None or bewaard[0] > time.monotonic()):
            return bewaard[1]  # a destroyed key stays destroyed: no need to ask again
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(
                self._sql("SELECT houder, klasse, gewikkeld, hoofdsleutel_id FROM {s}inburgering_sleutels WHERE sleutel_id = %s"),
                (sleutel_id,),
            )
            rij = cursor.fetchone()
        if rij is None:
            raise LookupError(f"onbekende sleutel {sleutel_id}")  # never made here: a store without its key table
        houder, klasse, gewikkeld, door = rij
        sleutel = None if gewikkeld is None else self._pak_uit(sleutel_id, UUID(houder), Bewaarklasse(klasse), bytes(gewikkeld), door)
        self._onthoud(sleutel_id, sleutel)
        return sleutel

    def versleutel(self, houder: UUID, klasse: Bewaarklasse, gegevens: bytes, context: bytes) -> dict[str, str]:
        """AES-GCM under the holder's current key of the class; `context` is bound in (moved, it fails)."""
        sleutel_id, sleutel = self.actieve_sleutel(houder, klasse)
        nonce = os.urandom(12)
        versleuteld = AESGCM(sleutel).encrypt(nonce, gegevens, context)
        return {"sleutel": sleutel_id, "klasse": klasse.value, "nonce": _b64(nonce), "data": _b64(versleuteld)}

    def ontsleutel(self, envelop: dict[str, str], context: bytes) -> bytes | None:
        """The plaintext, or None when the key has been destroyed."""
        sleutel = self.sleutel(envelop["sleutel"])
        if sleutel is None:
            return None
        return AESGCM(sleutel).decrypt(base64.b64decode(envelop["nonce"]), base64.b64decode(envelop["data"]), context)

    # -- the domain's port -------------------------------------------------------------------

    def vernietig(self, houder: UUID, klassen: Collection[Bewaarklasse]) -> None:
        """Destroy every key of these classes of the holder; destroying twice changes nothing."""
        if not klassen:
            return
        waarden = [k.value for k in klassen]
        with self._verbinding.transactie() as cursor:
            cursor.execute(
                self._sql(
                    "UPDATE {s}inburgering_sleutels SET gewikkeld = NULL, vernietigd = %s "
                    f"WHERE houder = %s AND vernietigd IS NULL AND klasse IN ({', '.join(['%s'] * len(waarden))})"
                ),
                (_nu(), str(houder), *waarden),
            )
            cursor.execute(
                self._sql(
                    f"SELECT sleutel_id FROM {{s}}inburgering_sleutels WHERE houder = %s AND klasse IN ({', '.join(['%s'] * len(waarden))})"
                ),
                (str(houder), *waarden),
            )
            vernietigd = [rij[0] for rij in cursor.fetchall()]
        with self._slot:
            for sleutel_id in vernietigd:
                self._cache[sleutel_id] = (0.0, None)
            self._houders.pop(str(houder), None)

    def vernietigd(self, houder: UUID) -> dict[Bewaarklasse, str]:
        """When each class of the holder was destroyed (for audits)."""
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(
                self._sql("SELECT klasse, MAX(vernietigd) FROM {s}inburgering_sleutels WHERE houder = %s "
                          "AND vernietigd IS NOT NULL GROUP BY klasse"),
                (str(houder),),
            )
            return {Bewaarklasse(klasse): moment for klasse, moment in cursor.fetchall()}

    def _onthoud(self, sleutel_id: str, sleutel: bytes | None) -> None:
        with self._slot:
            if (bewaard := self._cache.get(sleutel_id)) is not None and bewaard[1] is None:
                return  # destroyed while this thread read it: a read that began before must not bring it back
            if len(self._cache) > 10_000:  # bounded: a long-running process reads many holders
                self._cache.clear()
                self._houders.clear()
            self._cache[sleutel_id] = (time.monotonic() + self._cache_seconden, sleutel)

    # -- rotating the master key -------------------------------------------------------------

    def roteer(self, per_keer: int = 500, *, meld: Callable[[int, int], None] | None = None) -> tuple[int, int]:
        """Rewrap every key another master key wrapped under the current one, `per_keer` in a transaction; what is
        done stays done, so a rotation that was stopped resumes where it was. `meld(herverpakt, over)` after each
        batch. Returns (rewrapped, destroyed meanwhile and so left destroyed)."""
        herverpakt = overgeslagen = 0
        na = ""  # keyset pagination: each batch after the last key id of the one before
        te_gaan = self.te_roteren()  # counted once: a count per batch would read the whole table each time
        while rijen := self._te_herverpakken(na, per_keer):
            gedaan = self._herverpak(rijen)
            herverpakt, overgeslagen, na = herverpakt + gedaan, overgeslagen + len(rijen) - gedaan, str(rijen[-1][0])
            if meld is not None:
                meld(herverpakt, max(te_gaan - herverpakt - overgeslagen, 0))
        return herverpakt, overgeslagen

    def _te_herverpakken(self, na: str, aantal: int) -> list[tuple[Any, ...]]:
        """The next `aantal` keys after `na` (in key id order) that another master key wrapped."""
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._sql(
                "SELECT sleutel_id, houder, klasse, gewikkeld, hoofdsleutel_id FROM {s}inburgering_sleutels WHERE sleutel_id > %s "
                "AND gewikkeld IS NOT NULL AND (hoofdsleutel_id IS NULL OR hoofdsleutel_id <> %s) ORDER BY sleutel_id LIMIT %s"),
                (na, self._hoofd_id, aantal))
            return [tuple(rij) for rij in cursor.fetchall()]

    def _herverpak(self, rijen: Sequence[tuple[Any, ...]]) -> int:
        """Rewrap these keys in one transaction; how many were still there to rewrap."""
        gedaan = 0
        with self._verbinding.transactie() as cursor:
            for sleutel_id, houder, klasse, gewikkeld, door in rijen:
                h, k = UUID(houder), Bewaarklasse(klasse)
                nieuw = self._wikkel(sleutel_id, h, k, self._pak_uit(sleutel_id, h, k, bytes(gewikkeld), door))
                # Only over the wrapped bytes just read: a key destroyed since (NULL) stays destroyed, never written back.
                cursor.execute(self._sql(
                    "UPDATE {s}inburgering_sleutels SET gewikkeld = %s, hoofdsleutel_id = %s "
                    "WHERE sleutel_id = %s AND gewikkeld = %s AND vernietigd IS NULL RETURNING sleutel_id"),
                    (nieuw, self._hoofd_id, sleutel_id, bytes(gewikkeld)))
                gedaan += len(cursor.fetchall())
        return gedaan

    def te_roteren(self) -> int:
        """How many existing keys another master key (or an unrecorded one) wrapped."""
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._sql("SELECT COUNT(*) FROM {s}inburgering_sleutels WHERE gewikkeld IS NOT NULL "
                                     "AND (hoofdsleutel_id IS NULL OR hoofdsleutel_id <> %s)"), (self._hoofd_id,))
            return int(cursor.fetchone()[0])

    def per_hoofdsleutel(self) -> dict[str, int]:
        """How many existing keys each master key wrapped, by fingerprint ("?" for rows from before the column)."""
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._sql("SELECT hoofdsleutel_id, COUNT(*) FROM {s}inburgering_sleutels WHERE gewikkeld IS NOT NULL "
                                     "GROUP BY hoofdsleutel_id"))
            return {door or "?": int(aantal) for door, aantal in cursor.fetchall()}

    @property
    def hoofdsleutel_id(self) -> str:
        return self._hoofd_id

    # -- wrapping ----------------------------------------------------------------------------

    def _wikkel(self, sleutel_id: str, houder: UUID, klasse: Bewaarklasse, sleutel: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._hoofden[self._hoofd_id].encrypt(nonce, sleutel, _context(sleutel_id, houder, klasse))

    def _pak_uit(self, sleutel_id: str, houder: UUID, klasse: Bewaarklasse, gewikkeld: bytes, door: str | None) -> bytes:
        """Unwrapped by the master key the row names; one from before the column was recorded tries each (GCM's tag
        tells the right one)."""
        if door is not None and door not in self._hoofden:
            raise OnbekendeHoofdsleutelError(
                f"sleutel {sleutel_id} is verpakt met hoofdsleutel {door}, die niet is ingesteld: zet hem in "
                "INBURGERING_VORIGE_HOOFDSLEUTELS tot `make sleutels-roteer` klaar is")
        for hoofd in [self._hoofden[door]] if door is not None else self._hoofden.values():
            try:
                return hoofd.decrypt(gewikkeld[:12], gewikkeld[12:], _context(sleutel_id, houder, klasse))
            except InvalidTag:
                if door is not None:
                    raise
        raise OnbekendeHoofdsleutelError(f"geen ingestelde hoofdsleutel pakt sleutel {sleutel_id} uit")

    def _sql(self, sql: str) -> str:
        return self._verbinding.sql(sql)


def _alle_geregistreerd(aantal: int, registraties: Sequence[tuple[str, str]]) -> None:
    if aantal != len(registraties):  # a pseudonym taken: registered before, or by another request's save a moment ago
        raise RegistratieBezetError("deze persoon is al geregistreerd, of een andere opdracht registreerde hem zojuist")


def _zonder(paren: Sequence[tuple[UUID, Bewaarklasse]], rijen: Sequence[tuple[Any, ...]]) -> list[tuple[UUID, Bewaarklasse]]:
    """The pairs no row is for."""
    bekend = {(rij[0], rij[1]) for rij in rijen}
    return [(h, k) for h, k in paren if (str(h), k.value) not in bekend]


def _context(sleutel_id: str, houder: UUID, klasse: Bewaarklasse) -> bytes:
    """Bound into each wrapped key: a wrapped key copied to another row does not unwrap."""
    return f"{sleutel_id}|{houder}|{klasse.value}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _nu() -> str:
    return datetime.now(UTC).isoformat()
