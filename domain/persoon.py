"""Persoonsregistratie: which trajectories belong to one person, found by a keyed BSN pseudonym.

Its id is derived from the BSN with a secret key (never the BSN itself, never a plain hash), so
that starting a trajectory and claiming the person are saved in one atomic write: two
trajectories for one person collide on this aggregate's first version.

Which trajectories are the person's is itself personal data: the links are encrypted under this
registration's own key, destroyed once no trajectory of the person keeps its BSN any more, so that
the BSN no longer leads to a forgotten trajectory.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.fouten import RegelOvertredenError
from domain.metadata import Metadata
from domain.persoonsgegevens import LANG, is_verwijderd
from domain.velden import NIEMAND, NIET_PERSOONLIJK, Veld
from domain.waarden import Vastlegging


class TrajectBestaatAlError(RegelOvertredenError):
    """Deze persoon heeft al een inburgeringstraject."""

    code = "traject-bestaat-al"
    titel = "Deze persoon heeft al een inburgeringstraject."
    grondslag = "Wi 2, Wi 15 (één traject per inburgeringsplicht)"


class Persoonsregistratie(Aggregate):
    """The trajectories of one person."""

    TOPIC = "Persoonsregistratie"

    class Created(Aggregate.Created):
        TOPIC = "Persoonsregistratie.Aangemaakt"

    class TrajectGekoppeld(Aggregate.Event):
        TOPIC = "Persoonsregistratie.TrajectGekoppeld"
        traject_id: Annotated[UUID, Veld(LANG, NIEMAND)]
        metadata: Annotated[Metadata, Veld(NIET_PERSOONLIJK, NIEMAND)]

        def apply(self, persoon: Persoonsregistratie) -> None:
            if not is_verwijderd(self.traject_id):
                persoon.trajecten.append(self.traject_id)

    class TrajectAfgesloten(Aggregate.Event):
        TOPIC = "Persoonsregistratie.TrajectAfgesloten"
        traject_id: Annotated[UUID, Veld(LANG, NIEMAND)]
        metadata: Annotated[Metadata, Veld(NIET_PERSOONLIJK, NIEMAND)]

        def apply(self, persoon: Persoonsregistratie) -> None:
            if not is_verwijderd(self.traject_id):
                persoon.afgesloten.add(self.traject_id)

    def __init__(self) -> None:
        self.trajecten: list[UUID] = []
        self.afgesloten: set[UUID] = set()

    @classmethod
    def nieuw(cls, persoon_id: UUID, door: Vastlegging) -> Persoonsregistratie:
        return cls._create(cls.Created, id=persoon_id, timestamp=door.tijdstip)

    @property
    def lopend(self) -> list[UUID]:
        return [t for t in self.trajecten if t not in self.afgesloten]

    def koppel(self, traject_id: UUID, door: Vastlegging, namens: Metadata) -> None:
        """A person has at most one open trajectory; after one closes, a new plicht may start another."""
        if self.lopend:
            # No id in the answer: the open trajectory may belong to a gemeente outside the caller's mandate.
            raise TrajectBestaatAlError(
                "Voor deze persoon loopt al een traject. Zoek het op met POST /trajecten/_zoek; "
                "ligt het buiten uw gemeenten, dan volgt eerst een verhuizing of overdracht."
            )
        self.trigger_event(self.TrajectGekoppeld, timestamp=door.tijdstip, traject_id=traject_id, metadata=namens)

    def sluit(self, traject_id: UUID, door: Vastlegging, namens: Metadata) -> None:
        self.trigger_event(self.TrajectAfgesloten, timestamp=door.tijdstip, traject_id=traject_id, metadata=namens)
