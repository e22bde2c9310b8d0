"""What every part of the trajectory shares: the event base, the state records, date checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self

from eventsourcing.domain import Aggregate

from domain import fouten
from domain.metadata import Metadata
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, Veld
from domain.waarden import Boeteartikel, Boetegrond, Rol, Vastlegging

if TYPE_CHECKING:
    from domain.traject.aggregaat import Inburgeringstraject


class Status(StrEnum):
    """Where the trajectory stands; everything but `lopend` is closed."""

    LOPEND = "lopend"
    AFGEROND = "afgerond"  # inburgeringsplicht voldaan
    VRIJGESTELD = "vrijgesteld"
    ONTHEVEN = "ontheven"
    OVERGEDRAGEN = "overgedragen"  # moved out of the region
    OVERLEDEN = "overleden"  # the plicht ended with the person's death


class Onveranderlijk:
    """A value that is never changed once made: a recorded fact, a gesprek, a boete. A deep copy of the
    trajectory that holds it shares it, so the copy a command works on does not copy the whole history
    (what changes, the trajectory's own attributes, is still copied)."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        return self


class Gebeurtenis(Onveranderlijk, Aggregate.Event):
    """Every fact after the start: the date it took effect and who recorded it.

    The aggregate keeps each applied fact, so that a later correction can replace one and
    rebuild the state as if the corrected value had been recorded in the first place.
    """

    CORRIGEERBAAR: ClassVar[dict[str, type]] = {"datum": date}
    NA_AFSLUITING: ClassVar[bool] = False  # may this fact still be recorded on a closed trajectory?
    VEREIST_PIP: ClassVar[bool] = False  # does this fact follow on the PIP (and so not lie before its dagtekening)?
    SOORT_LEZERS: ClassVar[frozenset[Rol]] = IEDEREEN  # who may see that such a fact exists (domain/doelbinding.py)
    OMSCHRIJVING: ClassVar[str]  # what happened, in Dutch, for the event catalogue (api/catalogus.py)
    RECHTSGROND: ClassVar[str]  # the legal basis the audit trail shows (digest 4.2); SDD's policy where not the law

    datum: Annotated[date, Veld(NIET_PERSOONLIJK, IEDEREEN)]
    metadata: Annotated[Metadata, Veld(NIET_PERSOONLIJK, IEDEREEN)]

    def apply(self, traject: Inburgeringstraject) -> None:
        traject.feiten[self.originator_version] = self
        self.pas_toe(traject)

    def pas_toe(self, traject: Inburgeringstraject) -> None:
        """Change the state; runs on every replay, so it only assigns."""

    def vereist_pip(self) -> bool:
        return self.VEREIST_PIP

    def samenhang(self, traject: Inburgeringstraject, versie: int) -> list[str]:
        """The rules between this fact and the rest of the history: the command checked them when it was
        recorded; a later correction may break them, so the whole history is checked again (`samenhang`)."""
        if not self.vereist_pip():
            return []
        return na(self.datum, traject.pip_dagtekening, f"{type(self).__name__} (versie {versie}) voor het PIP")


def na(later: date | None, eerder: date | None, wat: str) -> list[str]:
    """A violation when `later` lies before `eerder` (both known)."""
    if later is not None and eerder is not None and later < eerder:
        return [f"{wat}: {later.isoformat()} ligt voor {eerder.isoformat()}"]
    return []


class ZaakStap(StrEnum):
    """Waar een handhavingszaak staat in de volgorde van de Awb."""

    GECONSTATEERD = "geconstateerd"
    VOORNEMEN = "voornemen"
    ZIENSWIJZE = "zienswijze"  # given, or its term passed: the college may decide
    BESLOTEN = "besloten"
    AFGEZIEN = "afgezien"


@dataclass(frozen=True)
class Oproep(Onveranderlijk):
    volgnummer: int
    datum: date
    uiterlijk: date
    waarschuwing: bool


@dataclass(frozen=True)
class Gesprek(Onveranderlijk):
    versie: int
    datum: date
    gevoerd: bool
    geldige_reden: bool


@dataclass(frozen=True)
class Boete(Onveranderlijk):
    zaaknummer: int
    datum: date
    artikel: Boeteartikel
    grond: Boetegrond
    bedrag: Decimal


@dataclass
class Handhavingszaak:
    """One Awb procedure: rapport, voornemen, zienswijze, besluit, bezwaar."""

    nummer: int
    artikel: Boeteartikel
    grond: Boetegrond
    overtredingsdatum: date
    rapportdatum: date
    gemist_gesprek_versie: int | None
    rapporteur: str = ""
    besluitnemer: str = ""
    stap: ZaakStap = ZaakStap.GECONSTATEERD
    zienswijzetermijn: date | None = None
    bijstand_verlaagd: bool = False
    boete: Boete | None = None
    bezwaar_ontvangen: date | None = None
    bezwaar_tijdig: bool | None = None
    beslissing_op_bezwaar: str | None = None


@dataclass(frozen=True)
class Deadline(Onveranderlijk):
    """A date the law or policy sets, and whether it was met."""

    soort: str
    uiterlijk: date
    grondslag: str
    status: str  # open | verlopen | voldaan | te_laat_voldaan
    zaaknummer: int | None = None


@dataclass
class Uren:
    """Registered hours per kind (nt2, alfabetisering, knm, pvt, map, participatie)."""

    per_soort: dict[str, int] = field(default_factory=dict)

    def van(self, *soorten: str) -> int:
        return sum(self.per_soort.get(soort, 0) for soort in soorten)


def deadline_status(uiterlijk: date, voldaan_op: date | None, vandaag: date) -> str:
    if voldaan_op is not None:
        return "voldaan" if voldaan_op <= uiterlijk else "te_laat_voldaan"
    return "open" if vandaag <= uiterlijk else "verlopen"


WET_IN_WERKING = date(2022, 1, 1)  # Wet inburgering 2021 (Stb. 2021, 38)


def geldige_feitdatum(datum: date, door: Vastlegging) -> None:
    """A fact happened between the law's entry into force and today."""
    if datum > door.vandaag:
        raise fouten.DatumInDeToekomstError(f"{datum.isoformat()} ligt na vandaag ({door.vandaag.isoformat()}).")
    if datum < WET_IN_WERKING:
        raise fouten.VoorInwerkingtredingError(f"{datum.isoformat()} ligt voor {WET_IN_WERKING.isoformat()}.")


def niet_voor(datum: date, eerder: date, stap: str) -> None:
    if datum < eerder:
        raise fouten.DatumVoorVorigeStapError(f"{datum.isoformat()} ligt voor {stap} ({eerder.isoformat()}).")


def waarde(soort: type, ruw: Any) -> Any:
    """A corrected value from JSON into the field's type."""
    if soort is date:
        return ruw if isinstance(ruw, date) else date.fromisoformat(str(ruw))
    if soort is bool and isinstance(ruw, bool) or soort is str and isinstance(ruw, str):
        return ruw
    if soort is int and isinstance(ruw, int) and not isinstance(ruw, bool):
        return ruw
    raise ValueError(f"verwacht {soort.__name__}")
