"""Persoonsregistratie: which trajectories belong to one person, found by a keyed BSN pseudonym.

Its id is derived from the BSN with a secret key (never the BSN itself, never a plain hash), so
that starting a trajectory and claiming the person are saved in one atomic write: two
trajectories for one person collide on this aggregate's first version.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.fouten import RegelOvertredenError
from domain.waarden import Metadata, Vastlegging


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
        traject_id: UUID
        metadata: Metadata

        def apply(self, persoon: Persoonsregistratie) -> None:
            persoon.trajecten.append(self.traject_id)

    def __init__(self) -> None:
        self.trajecten: list[UUID] = []

    @classmethod
    def nieuw(cls, persoon_id: UUID, door: Vastlegging) -> Persoonsregistratie:
        return cls._create(cls.Created, id=persoon_id, timestamp=door.tijdstip)

    def koppel(self, traject_id: UUID, door: Vastlegging, namens: Metadata) -> None:
        # Until afronding exists, every trajectory is open, so a person has at most one.
        if self.trajecten:
            raise TrajectBestaatAlError(f"Traject {self.trajecten[-1]} loopt al voor deze persoon.")
        self.trigger_event(self.TrajectGekoppeld, timestamp=door.tijdstip, traject_id=traject_id, metadata=namens)
