"""The data keys of personal data: one per holder (a trajectory or a person registration) and retention
class, kept apart from the events and wrapped by the master key from settings (envelope encryption).

Destroying a key clears its wrapped bytes for good; the row stays with the moment it was destroyed,
so that the store can say "removed" rather than "never existed", and so that no new key of that class
is ever made for the holder.
"""

from __future__ import annotations

import base64
import os
import threading
import time
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.sqlverbinding import Verbinding
from domain.persoonsgegevens import Bewaarklasse

SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}inburgering_sleutels (
    sleutel_id TEXT PRIMARY KEY, houder TEXT NOT NULL, klasse TEXT NOT NULL,
    gewikkeld BYTEA, aangemaakt TEXT NOT NULL, vernietigd TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS inburgering_sleutels_actief ON {s}inburgering_sleutels (houder, klasse) WHERE vernietigd IS NULL;
-- Every look-up is by holder (and class), destroyed keys included: the partial index above cannot serve it.
CREATE INDEX IF NOT EXISTS inburgering_sleutels_houder ON {s}inburgering_sleutels (houder, klasse)
"""


class SleutelVernietigdError(Exception):
    """Data would be encrypted with a key that no longer exists."""


class Sleutelkluis:
    """Creates, unwraps and destroys data keys. Unwrapped keys are cached briefly per process for reading;
    another process sees a destroyed key at most `cache_seconden` later."""

    def __init__(self, verbinding: Verbinding, hoofdsleutel: bytes, *, cache_seconden: float = 2.0) -> None:
        self._verbinding = verbinding
        self._hoofd = AESGCM(hoofdsleutel)
        self._cache_seconden = cache_seconden
        self._cache: dict[str, tuple[float, bytes | None]] = {}  # for reading: unwrapped keys, briefly
        self._slot = threading.Lock()
        self._lokaal = threading.local()  # per thread: the keys of the save in progress

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            for opdracht in filter(str.strip, self._sql(SCHEMA).split(";")):
                cursor.execute(opdracht)

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
    def binnen_een_opslag(self, nodig: Collection[tuple[UUID, Bewaarklasse]] = ()) -> Iterator[None]:
        """One save asks for a holder's key once, however many of its fields it encrypts; the keys it will
        need (`nodig`) are read, and made where missing, all in one transaction (a new person's three keys
        took five round trips each)."""
        self._lokaal.opslag = {}
        try:
            if nodig:
                self._lokaal.opslag.update(self._actieve_sleutels(nodig))
            yield
        finally:
            self._lokaal.opslag = None

    def _actieve_sleutels(self, nodig: Collection[tuple[UUID, Bewaarklasse]]) -> dict[tuple[UUID, Bewaarklasse], tuple[str, bytes]]:
        """As `actieve_sleutel` for each pair, read from the table (never from a cache), in one transaction."""
        paren = sorted(set(nodig), key=lambda paar: (str(paar[0]), paar[1].value))
        houders, klassen = sorted({str(h) for h, _ in paren}), sorted({k.value for _, k in paren})
        selecteer = self._sql(
            "SELECT houder, klasse, sleutel_id, gewikkeld, vernietigd FROM {s}inburgering_sleutels "
            f"WHERE houder IN ({', '.join(['%s'] * len(houders))}) AND klasse IN ({', '.join(['%s'] * len(klassen))})")
        with self._verbinding.transactie() as cursor:
            cursor.execute(selecteer, (*houders, *klassen))
            rijen = cursor.fetchall()
            bekend = {(houder, klasse) for houder, klasse, *_ in rijen}
            if ontbrekend := [(h, k) for h, k in paren if (str(h), k.value) not in bekend]:
                # Two writers may race for the first key: the unique index lets one win, both use it.
                nieuw = [(str(uuid.uuid4()), h, k, AESGCM.generate_key(bit_length=256)) for h, k in ontbrekend]
                cursor.execute(
                    self._sql("INSERT INTO {s}inburgering_sleutels (sleutel_id, houder, klasse, gewikkeld, aangemaakt) VALUES "
                              + ", ".join(["(%s, %s, %s, %s, %s)"] * len(nieuw)) + " ON CONFLICT DO NOTHING"),
                    [w for i, h, k, sleutel in nieuw for w in (i, str(h), k.value, self._wikkel(i, h, k, sleutel), _nu())],
                )
                cursor.execute(selecteer, (*houders, *klassen))
                rijen = cursor.fetchall()
        per_paar: dict[tuple[str, str], list[tuple[str, bytes | None, str | None]]] = {}
        for houder, klasse, sleutel_id, gewikkeld, vernietigd in rijen:
            per_paar.setdefault((houder, klasse), []).append((sleutel_id, gewikkeld, vernietigd))
        gevonden = {}
        for houder, klasse in paren:
            sleutels = per_paar[(str(houder), klasse.value)]
            if any(vernietigd is not None for _, _, vernietigd in sleutels):
                raise SleutelVernietigdError(f"de {klasse.value}-gegevens van {houder} zijn verwijderd")
            [(sleutel_id, gewikkeld, _)] = sleutels
            sleutel = self._pak_uit(sleutel_id, houder, klasse, bytes(gewikkeld))  # type: ignore[arg-type]
            self._onthoud(sleutel_id, sleutel)
            gevonden[(houder, klasse)] = (sleutel_id, sleutel)
        return gevonden

    def sleutel(self, sleutel_id: str) -> bytes | None:
        """The key's bytes, or None once it has been destroyed."""
        if (bewaard := self._cache.get(sleutel_id)) and (bewaard[1] is None or bewaard[0] > time.monotonic()):
            return bewaard[1]  # a destroyed key stays destroyed: no need to ask again
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(
                self._sql("SELECT houder, klasse, gewikkeld FROM {s}inburgering_sleutels WHERE sleutel_id = %s"),
                (sleutel_id,),
            )
            rij = cursor.fetchone()
        if rij is None:
            raise LookupError(f"onbekende sleutel {sleutel_id}")  # never made here: a store without its key table
        houder, klasse, gewikkeld = rij
        sleutel = None if gewikkeld is None else self._pak_uit(sleutel_id, UUID(houder), Bewaarklasse(klasse), bytes(gewikkeld))
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
            if len(self._cache) > 10_000:  # bounded: a long-running process reads many holders
                self._cache.clear()
            self._cache[sleutel_id] = (time.monotonic() + self._cache_seconden, sleutel)

    # -- wrapping ----------------------------------------------------------------------------

    def _wikkel(self, sleutel_id: str, houder: UUID, klasse: Bewaarklasse, sleutel: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._hoofd.encrypt(nonce, sleutel, _context(sleutel_id, houder, klasse))

    def _pak_uit(self, sleutel_id: str, houder: UUID, klasse: Bewaarklasse, gewikkeld: bytes) -> bytes:
        return self._hoofd.decrypt(gewikkeld[:12], gewikkeld[12:], _context(sleutel_id, houder, klasse))

    def _sql(self, sql: str) -> str:
        return self._verbinding.sql(sql)


def _context(sleutel_id: str, houder: UUID, klasse: Bewaarklasse) -> bytes:
    """Bound into each wrapped key: a wrapped key copied to another row does not unwrap."""
    return f"{sleutel_id}|{houder}|{klasse.value}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _nu() -> str:
    return datetime.now(UTC).isoformat()
