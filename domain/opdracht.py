"""Opdracht: the remembered outcome of a command sent with an Idempotency-Key.

Saved in the same atomic write as the command's events, so a repeated request finds either
nothing (and runs) or the first outcome (and appends nothing).
"""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.persoonsgegevens import KORT
from domain.velden import NIEMAND, NIET_PERSOONLIJK, Veld


class IdempotencyKeyHergebruiktError(Exception):
    """The Idempotency-Key was used before for a different request."""


def opdracht_id(gebruiker: str, sleutel: str) -> UUID:
    # Keys are scoped per user: one user's key can never replay another user's answer.
    return uuid5(NAMESPACE_URL, f"urn:sdd:inburgering:opdracht:{gebruiker}:{sleutel}")


class Opdracht(Aggregate):
    """A processed command: which request it was and which trajectory version it produced."""

    TOPIC = "Opdracht"

    class Created(Aggregate.Created):
        TOPIC = "Opdracht.Verwerkt"
        # The fingerprint is of a request that may hold a BSN: encrypted under the trajectory's key, so
        # that forgetting the trajectory also ends any way of testing a BSN against it.
        SLEUTELHOUDER: ClassVar[str] = "traject_id"
        vingerafdruk: Annotated[str, Veld(KORT, NIEMAND)]
        traject_id: Annotated[UUID, Veld(NIET_PERSOONLIJK, NIEMAND)]
        traject_versie: Annotated[int, Veld(NIET_PERSOONLIJK, NIEMAND)]

    def __init__(self, vingerafdruk: str, traject_id: UUID, traject_versie: int) -> None:
        self.vingerafdruk = vingerafdruk
        self.traject_id = traject_id
        self.traject_versie = traject_versie

    @classmethod
    def verwerkt(cls, gebruiker: str, sleutel: str, vingerafdruk: str, traject_id: UUID, traject_versie: int) -> Opdracht:
        return cls._create(
            cls.Created,
            id=opdracht_id(gebruiker, sleutel),
            vingerafdruk=vingerafdruk,
            traject_id=traject_id,
            traject_versie=traject_versie,
        )

    def controleer(self, vingerafdruk: str) -> None:
        if vingerafdruk != self.vingerafdruk:
            raise IdempotencyKeyHergebruiktError("Deze Idempotency-Key hoort bij een ander verzoek.")
