"""Trajecten: start, read, search, history, and one sub-resource per command."""

# No `from __future__ import annotations`: the command routes are built from runtime types.
import hashlib
import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Header, Path, Request, Response

from api import schemas
from api.auth import Handhaver, Lezer, Regisseur
from api.problems import ProbleemError
from api.weergave import gebeurtenis_public, traject_public
from domain.application import Actor, Idempotentie, Inburgering, TrajectNietGevondenError, Uitkomst

router = APIRouter(prefix="/trajecten", tags=["trajecten"])

ETAG = re.compile(r'^(?:W/)?"?([0-9]{1,9})"?$')
TrajectId = Annotated[UUID, Path(alias="trajectId", description="Het id van het traject.")]


def applicatie(request: Request) -> Inburgering:
    return request.app.state.inburgering


App = Annotated[Inburgering, Depends(applicatie)]


def verwachte_versie(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            pattern=ETAG.pattern,
            description='De ETag van de versie waarop de wijziging voortbouwt, bijvoorbeeld "3"; bij een oudere versie volgt 412.',
        ),
    ] = None,
) -> int | None:
    gevonden = ETAG.match(if_match) if if_match is not None else None
    return int(gevonden.group(1)) if gevonden else None


def _idempotentie(request: Request, sleutel: str | None, body: schemas.Schema) -> Idempotentie | None:
    if sleutel is None:
        return None
    # The fingerprint binds the key to this exact request, so a reused key cannot change its meaning.
    verzoek = f"{request.method} {request.url.path}\n{body.model_dump_json()}"
    return Idempotentie(sleutel, hashlib.sha256(verzoek.encode()).hexdigest())


VerwachteVersie = Annotated[int | None, Depends(verwachte_versie)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Herhaal een verzoek met dezelfde sleutel: het eerste antwoord komt terug, niets wordt dubbel vastgelegd.",
    ),
]


def _antwoord(request: Request, response: Response, uitkomst: Uitkomst, locatie: str) -> schemas.TrajectPublic:
    traject = uitkomst.traject
    response.headers["Location"] = locatie
    response.headers["ETag"] = f'"{traject.version}"'
    if uitkomst.herhaald:
        response.headers["Idempotent-Replayed"] = "true"
    return traject_public(traject, request.app.state.klok.vandaag())


def _uitvoeren(
    request: Request,
    response: Response,
    app: Inburgering,
    traject_id: UUID,
    body: Any,
    actor: Actor,
    versie: int | None,
    sleutel: str | None,
) -> schemas.TrajectPublic:
    uitkomst = app.voer_uit(traject_id, body.commando(), actor, versie, _idempotentie(request, sleutel, body))
    locatie = f"/api/v1/trajecten/{traject_id}/gebeurtenissen/{uitkomst.traject.version}"
    return _antwoord(request, response, uitkomst, locatie)


COMMANDO_ANTWOORDEN: dict[int | str, dict[str, Any]] = {
    201: {"headers": {"Location": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}}}
}


@router.post("", status_code=201, responses=COMMANDO_ANTWOORDEN)
def start_traject(
    request: Request,
    response: Response,
    app: App,
    actor: Regisseur,
    body: Annotated[schemas.TrajectCreate, Body()],
    sleutel: IdempotencyKey = None,
) -> schemas.TrajectPublic:
    """Start een inburgeringstraject na een TVS-profiel (COA) of een kennisgeving van DUO."""
    uitkomst = app.start_traject(body.commando(), actor, _idempotentie(request, sleutel, body))
    return _antwoord(request, response, uitkomst, f"/api/v1/trajecten/{uitkomst.traject.id}")


@router.post("/_zoek")
def zoek_trajecten(request: Request, app: App, actor: Lezer, body: schemas.TrajectZoek) -> schemas.TrajectenPublic:
    """Zoek de trajecten van een persoon op BSN (in de body, nooit in de URL)."""
    vandaag = request.app.state.klok.vandaag()
    return schemas.TrajectenPublic(trajecten=[traject_public(t, vandaag) for t in app.zoek_trajecten(body.bsn, actor)])


@router.api_route("/_zoek", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def zoek_alleen_met_post() -> None:
    # Without this, GET /trajecten/_zoek would be read as a trajectory id and answered 400.
    raise ProbleemError(405, "methode-niet-toegestaan", "Methode niet toegestaan.", "Zoeken gaat met POST.", {"Allow": "POST"})


@router.get("/{trajectId}", responses={200: {"headers": {"ETag": {"schema": {"type": "string"}}}}})
def lees_traject(
    request: Request, response: Response, app: App, actor: Lezer, traject_id: TrajectId
) -> schemas.TrajectPublic:
    """Het traject zoals het nu is, met de termijnen die eruit volgen."""
    traject = app.traject(traject_id, actor)
    response.headers["ETag"] = f'"{traject.version}"'
    return traject_public(traject, request.app.state.klok.vandaag())


@router.get("/{trajectId}/gebeurtenissen")
def lees_gebeurtenissen(app: App, actor: Lezer, traject_id: TrajectId) -> schemas.GebeurtenissenPublic:
    """Alle vastgelegde feiten van het traject, in volgorde, met wie en wanneer."""
    return schemas.GebeurtenissenPublic(gebeurtenissen=[gebeurtenis_public(e) for e in app.gebeurtenissen(traject_id, actor)])


@router.get("/{trajectId}/gebeurtenissen/{versie}")
def lees_gebeurtenis(
    app: App,
    actor: Lezer,
    traject_id: TrajectId,
    versie: Annotated[int, Path(ge=1, le=1_000_000_000, description="Het volgnummer van het feit.")],
) -> schemas.GebeurtenisPublic:
    """Eén vastgelegd feit van het traject."""
    for event in app.gebeurtenissen(traject_id, actor):
        if event.originator_version == versie:
            return gebeurtenis_public(event)
    raise TrajectNietGevondenError(f"{traject_id} heeft geen feit {versie}")


def _commando_route(pad: str, schema: type, rol: Any, samenvatting: str) -> None:
    def route(
        request: Request,
        response: Response,
        app: App,
        actor: rol,  # type: ignore[valid-type]
        traject_id: TrajectId,
        body: Annotated[schema, Body()],  # type: ignore[valid-type]
        versie: VerwachteVersie,
        sleutel: IdempotencyKey = None,
    ) -> schemas.TrajectPublic:
        return _uitvoeren(request, response, app, traject_id, body, actor, versie, sleutel)

    naam = pad.replace("-", "_")
    route.__name__ = f"registreer_{naam}"
    route.__doc__ = samenvatting
    router.post(f"/{{trajectId}}/{pad}", status_code=201, responses=COMMANDO_ANTWOORDEN, name=route.__name__)(route)


_commando_route("kennisgevingen", schemas.KennisgevingCreate, Regisseur, "Leg de kennisgeving van DUO van de inburgeringsplicht vast.")
_commando_route("huisvestingen", schemas.HuisvestingCreate, Regisseur, "Leg de huisvesting en BRP-inschrijving in de gemeente vast.")
_commando_route("brede-intakes", schemas.BredeIntakeCreate, Regisseur, "Leg vast dat de brede intake is gehouden.")
_commando_route("pip-vaststellingen", schemas.PipVaststellingCreate, Regisseur, "Stel het PIP vast.")
_commando_route("leerroute-wijzigingen", schemas.LeerrouteWijzigingCreate, Regisseur, "Stel een andere leerroute vast.")
_commando_route("voortgangsgesprekken", schemas.VoortgangsgesprekCreate, Regisseur, "Leg een gevoerd of gemist voortgangsgesprek vast.")
_commando_route("boetes", schemas.BoeteCreate, Handhaver, "Leg een boete op (Wi 22 of Wi 23).")
