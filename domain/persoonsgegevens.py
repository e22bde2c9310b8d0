"""Personal data inside recorded facts: which fields, in which retention class, and forgetting them.

Each field of a fact declares whether it holds personal data and in which class (domain/velden.py;
special-category data always fall in the health class). The store encrypts those fields with a data key per trajectory and
class; destroying a key makes every copy of them unreadable while the fact itself, its dates, amounts
and leerroute stay readable, so replay, reports and audits go on working (crypto-shredding, digest 5.4).

Keys are per trajectory rather than per BSN: Bi 9.9 counts the retention period from the end of
one inburgeringsplicht, and a person may have had more than one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from typing_extensions import TypeIs

from domain import termijnen


class Bewaarklasse(StrEnum):
    """Hoe lang persoonsgegevens bewaard blijven na het einde van de inburgeringsplicht (Bi 9.9)."""

    KORT = "kort"  # 5 years: intake, verslagen, contact details, motiveringen
    LANG = "lang"  # up to 50 years: BSN and the identifying set of Bi 9.9(2)
    GEZONDHEID = "gezondheid"  # 5 years, under a key of its own (AVG art. 9, Bi 9.11)


KORT, LANG, GEZONDHEID = Bewaarklasse.KORT, Bewaarklasse.LANG, Bewaarklasse.GEZONDHEID
BEWAARJAREN = {Bewaarklasse.KORT: 5, Bewaarklasse.GEZONDHEID: 5, Bewaarklasse.LANG: 50}


class GrondVerwijdering(StrEnum):
    BEWAARTERMIJN_VERSTREKEN = "bewaartermijn_verstreken"  # Bi 9.9(1)-(2)
    OVERLIJDEN = "overlijden"  # Bi 9.9(1): "of bij overlijden"


class Verwijderd:
    """The value of a personal field whose key was destroyed. One instance: `VERWIJDERD`."""

    _enige: Verwijderd | None = None

    def __new__(cls) -> Verwijderd:
        if cls._enige is None:
            cls._enige = super().__new__(cls)
        return cls._enige

    def __repr__(self) -> str:
        return "VERWIJDERD"

    def __deepcopy__(self, memo: dict[int, Any]) -> Verwijderd:
        return self  # the aggregate cache deep-copies; the marker stays the marker


VERWIJDERD = Verwijderd()


def is_verwijderd(waarde: object) -> TypeIs[Verwijderd]:
    return waarde is VERWIJDERD


def bewaartermijn_einde(klasse: Bewaarklasse, plicht_einde: date) -> date:
    """The first day on which data of this class may no longer be kept (and must be removed)."""
    return termijnen.plus_maanden(plicht_einde, 12 * BEWAARJAREN[klasse])


class Registratie(NamedTuple):
    """A person's registration id, and whether this call made it (then nothing in the store has it yet)."""

    persoon_id: UUID
    nieuw: bool


class RegistratieBezetError(IntegrityError):
    """A proposed registration was not written: the BSN has one already (a start proposes without reading the
    register first, `registreer(..., zoek_eerst=False)`), or another request registered it a moment ago. Nothing
    of the save that proposed it was written."""


class Personenregister(Protocol):
    """Which person registration belongs to a BSN, kept apart from the events (the registration's id is
    random: nothing in the event store leads back to a BSN)."""

    def zoek(self, bsn: str) -> UUID | None: ...

    def registreer(self, bsn: str, *, zoek_eerst: bool = True) -> Registratie:
        """The person's registration id, made on first use. `zoek_eerst=False` may skip reading the register
        and propose a new id at once; where the BSN has one, the save fails with `RegistratieBezetError`."""
        ...

    def vergeet(self, persoon_id: UUID) -> None: ...


class Sleutelkluis(Protocol):
    """Where the data keys live, apart from the events. Destroying is final."""

    def vernietig(self, houder: UUID, klassen: Collection[Bewaarklasse]) -> None: ...

    def close(self) -> None: ...
