"""Which person registration belongs to a BSN: a table of keyed pseudonyms, kept apart from the events.

The registration's id is random, so nothing in the event store can be traced back to a BSN, not even
by someone holding the pseudonym key. Forgetting a person deletes their row: from then on their BSN
finds nothing, and a later registration for the same BSN starts afresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from uuid import UUID

from adapters.sqlverbinding import Verbinding
from domain.persoonsgegevens import Registratie

SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}inburgering_personen (pseudoniem TEXT PRIMARY KEY, persoon_id TEXT NOT NULL UNIQUE)
"""


class SqlPersonenregister:
    def __init__(self, verbinding: Verbinding, pseudoniem: Callable[[str], str]) -> None:
        self._verbinding = verbinding
        self._pseudoniem = pseudoniem

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql(SCHEMA))

    def close(self) -> None:
        self._verbinding.close()

    def zoek(self, bsn: str) -> UUID | None:
        with self._verbinding.eenmalig() as cursor:
            cursor.execute(self._verbinding.sql("SELECT persoon_id FROM {s}inburgering_personen WHERE pseudoniem = %s"), (self._pseudoniem(bsn),))
            rij = cursor.fetchone()
        return UUID(rij[0]) if rij else None

    def registreer(self, bsn: str) -> Registratie:
        """The person's registration id, made on first use, in one statement. Two requests racing for one BSN
        get the same id, so their registrations collide in the event store and only one trajectory opens.
        The id proposed is random: when it comes back, this call made the row."""
        voorstel = str(uuid.uuid4())
        with self._verbinding.eenmalig() as cursor:
            # The update changes nothing; it is there so that an existing row is returned too.
            cursor.execute(
                self._verbinding.sql("INSERT INTO {s}inburgering_personen (pseudoniem, persoon_id) VALUES (%s, %s) "
                                     "ON CONFLICT (pseudoniem) DO UPDATE SET pseudoniem = excluded.pseudoniem RETURNING persoon_id"),
                (self._pseudoniem(bsn), voorstel),
            )
            (persoon_id,) = cursor.fetchone()
        return Registratie(UUID(persoon_id), nieuw=persoon_id == voorstel)

    def vergeet(self, persoon_id: UUID) -> None:
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._verbinding.sql("DELETE FROM {s}inburgering_personen WHERE persoon_id = %s"), (str(persoon_id),))
