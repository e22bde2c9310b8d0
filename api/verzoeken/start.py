"""How a trajectory starts and how a person is looked up: request bodies (Wi 2, Wi 13-14)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from api.schemas import Bsn, IsoDatum, Keuze, KorteTekst, Schema
from domain import commandos
from domain.waarden import Gemeente, Verblijfsvergunning


class TrajectStartNaTvsProfiel(Schema):
    """Start na ontvangst van het TVS-profiel van het COA (alleen asielstatushouders)."""

    aanleiding: Literal["tvs_profiel"]
    datum: IsoDatum = Field(description="Datum van ontvangst van het TVS-profiel.")
    gemeente: Keuze[Gemeente]
    bsn: Bsn
    huishoudgrootte: int | None = Field(default=None, ge=1, le=30)
    land_van_herkomst: KorteTekst | None = None
    taal: KorteTekst | None = None

    def commando(self) -> commandos.StartNaTvsProfiel:
        return commandos.StartNaTvsProfiel(**self.model_dump(exclude={"aanleiding"}))


class TrajectStartNaKennisgeving(Schema):
    """Start na de kennisgeving van DUO dat de persoon inburgeringsplichtig is."""

    aanleiding: Literal["duo_kennisgeving"]
    datum: IsoDatum = Field(description="Dagtekening van de kennisgeving van DUO.")
    gemeente: Keuze[Gemeente]
    bsn: Bsn
    verblijfsvergunning: Keuze[Verblijfsvergunning]
    referent_verblijfsvergunning: Keuze[Verblijfsvergunning] | None = None

    def commando(self) -> commandos.StartNaKennisgeving:
        return commandos.StartNaKennisgeving(**self.model_dump(exclude={"aanleiding"}))


TrajectCreate = Annotated[TrajectStartNaTvsProfiel | TrajectStartNaKennisgeving, Field(discriminator="aanleiding")]


class TrajectZoek(Schema):
    """Zoekvraag: het BSN staat in de body, nooit in een URL."""

    bsn: Bsn
