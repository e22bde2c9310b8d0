"""How a trajectory starts and how a person is looked up: request bodies (Wi 2, Wi 13-14)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, ClassVar, Literal

from fastapi.openapi.models import Example
from pydantic import Field

from api.schemas import Bsn, IsoDatum, Keuze, KorteTekst, Schema
from domain import commandos
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Verblijfsvergunning


class StartSchema(Schema):
    """A request body that starts a trajectory by the method `METHODE`; `aanleiding` says which start it is."""

    METHODE: ClassVar[Callable[..., Inburgeringstraject]]

    def commando(self) -> commandos.Start:
        return commandos.Start(type(self).METHODE, **self.model_dump(exclude={"aanleiding"}))


class TrajectStartNaTvsProfiel(StartSchema):
    """Start na ontvangst van het TVS-profiel van het COA (alleen asielstatushouders)."""

    METHODE = Inburgeringstraject.start_na_tvs_profiel
    aanleiding: Literal["tvs_profiel"]
    datum: IsoDatum = Field(description="Datum van ontvangst van het TVS-profiel.")
    gemeente: Keuze[Gemeente]
    bsn: Bsn
    huishoudgrootte: int | None = Field(default=None, ge=1, le=30)
    land_van_herkomst: KorteTekst | None = None
    taal: KorteTekst | None = None



class TrajectStartNaKennisgeving(StartSchema):
    """Start na de kennisgeving van DUO dat de persoon inburgeringsplichtig is."""

    METHODE = Inburgeringstraject.start_na_kennisgeving
    aanleiding: Literal["duo_kennisgeving"]
    datum: IsoDatum = Field(description="Dagtekening van de kennisgeving van DUO.")
    gemeente: Keuze[Gemeente]
    bsn: Bsn
    verblijfsvergunning: Keuze[Verblijfsvergunning]
    referent_verblijfsvergunning: Keuze[Verblijfsvergunning] | None = None


TrajectCreate = Annotated[TrajectStartNaTvsProfiel | TrajectStartNaKennisgeving, Field(discriminator="aanleiding")]
# Swagger UI fills "Try it out" with the first; without them it made one up from the patterns, with an impossible date.
VOORBEELDEN: dict[str, Example] = {
    "tvs_profiel": {
        "summary": "Na het TVS-profiel van het COA (asielstatushouder)",
        "value": {"aanleiding": "tvs_profiel", "datum": "2025-01-06", "gemeente": "0505", "bsn": "111222333"},
    },
    "duo_kennisgeving": {
        "summary": "Na de kennisgeving van DUO (gezinsmigrant)",
        "value": {"aanleiding": "duo_kennisgeving", "datum": "2025-03-03", "gemeente": "0642", "bsn": "123456782",
                  "verblijfsvergunning": "regulier_bepaalde_tijd"},
    },
}


class TrajectZoek(Schema):
    """Zoekvraag: het BSN staat in de body, nooit in een URL."""

    VOORBEELD = {"bsn": "111222333"}

    bsn: Bsn
