"""Which person registration belongs to a BSN: a table of keyed pseudonyms, kept apart from the events.

The registration's id is random, so nothing in the event store can be traced back to a BSN, not even
by someone holding the pseudonym key. Forgetting a person deletes their row: from then on their BSN
finds nothing, and a later registration for the same BSN starts afresh.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Collection
from uuid import UUID

from adapters.sqlverbinding import Verbinding
from domain.persoonsgegevens import Registratie

TABEL = "inburgering_personen"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {{s}}{TABEL} (pseudoniem TEXT PRIMARY KEY, persoon_id TEXT NOT NULL UNIQUE)
"""
# Proposed registrations kept for their save. One stays only when its command failed before saving; at this
# many the oldest goes (its save, were it still to come, would be thousands of registrations late).
MAX_VOORSTELLEN = 10_000


class SqlPersonenregister:
    def __init__(self, verbinding: Verbinding, pseudoniem: Callable[[str], str]) -> None:
        self._verbinding = verbinding
        self._pseudoniem = pseudoniem
        # person id -> pseudonym; None: each registration is written at once (no key store writes it along)
        self._voorstellen: dict[UUID, str] | None = None
        self._slot = threading.Lock()

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(SCHEMA))

    def close(self) -> None:
        self._verbinding.close()

    def zoek(self, bsn: str) -> UUID | None:
        return self._zoek_pseudoniem(self._pseudoniem(bsn))

    def _zoek_pseudoniem(self, pseudoniem: str) -> UUID | None:
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._verbinding.sql(f"SELECT persoon_id FROM {{s}}{TABEL} WHERE pseudoniem = %s"), (pseudoniem,))
            rij = cursor.fetchone()
        return UUID(rij[0]) if rij else None

    def registreer(self, bsn: str, *, zoek_eerst: bool = True) -> Registratie:
        """The person's registration id, made on first use.

        With a key store that writes registrations along (`Sleutelkluis.schrijf_registraties_mee`, as the app
        is built), a BSN not registered yet gets its random id at once, but the row is written by the save that
        begins the person, in the key store's statement that makes their first keys: the registration and the
        keys commit together or not at all, and a start writes the key store once. Two requests racing for one
        BSN both propose an id; the second save finds the pseudonym taken and fails as a concurrent save does
        (`RegistratieBezetError`, an IntegrityError), so only one trajectory opens. With `zoek_eerst=False`
        the register is not read at all: a BSN registered before fails its save the same way, a round trip
        fewer for a new person.

        Alone, the register writes the row at once, in one statement; an existing row is returned as it is."""
        if self._voorstellen is not None:
            pseudoniem = self._pseudoniem(bsn)
            if zoek_eerst and (gevonden := self._zoek_pseudoniem(pseudoniem)) is not None:
                return Registratie(gevonden, nieuw=False)
            persoon_id = uuid.uuid4()
            with self._slot:
                if len(self._voorstellen) >= MAX_VOORSTELLEN:
                    del self._voorstellen[next(iter(self._voorstellen))]
                self._voorstellen[persoon_id] = pseudoniem
            return Registratie(persoon_id, nieuw=True)
        voorstel = str(uuid.uuid4())
        with self._verbinding.eenmalig() as cursor:
            # The update changes nothing; it is there so that an existing row is returned too.
            cursor.execute(
                self._verbinding.sql(f"INSERT INTO {{s}}{TABEL} (pseudoniem, persoon_id) VALUES (%s, %s) "
                                     "ON CONFLICT (pseudoniem) DO UPDATE SET pseudoniem = excluded.pseudoniem RETURNING persoon_id"),
                (self._pseudoniem(bsn), voorstel),
            )
            (persoon_id,) = cursor.fetchone()
        return Registratie(UUID(persoon_id), nieuw=persoon_id == voorstel)

    def stel_voortaan_voor(self) -> None:
        """From now on `registreer` proposes a new registration for the key store to write (`neem_voorstellen`)."""
        with self._slot:
            if self._voorstellen is None:
                self._voorstellen = {}

    def neem_voorstellen(self, houders: Collection[UUID]) -> list[tuple[str, str]]:
        """The registrations proposed for these holders, as (pseudoniem, persoon_id) rows; taken, so written once."""
        with self._slot:
            if not self._voorstellen:
                return []
            return [(pseudoniem, str(houder)) for houder in houders if (pseudoniem := self._voorstellen.pop(houder, None)) is not None]

    def vergeet(self, persoon_id: UUID) -> None:
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(f"DELETE FROM {{s}}{TABEL} WHERE persoon_id = %s"), (str(persoon_id),))
