"""One POST sub-resource per command: the shared shape of every command route."""

# No `from __future__ import annotations`: the routes are built from runtime types.
import re
from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Header, Path, Request, Response

from api import schemas
from api.logboek import betrokken, met_de_gebeurtenissen
from api.metrics import noem_commando
from api.routers.kortpad import Kortpadroute
from api.routers.werkdraad import als_commando
from api.weergave import traject_public
from domain.application import Actor, Idempotentie, Inburgering, Uitkomst

ETAG = re.compile(r'^(?:\*|(?:W/)?"?([0-9]{1,9})"?)$')  # "*": any current version will do (RFC 9110 13.1.1)
TrajectId = Annotated[UUID, Path(alias="trajectId", description="Het id van het traject.")]
Zaaknummer = Annotated[int, Path(ge=1, le=1_000_000_000, description="Het nummer van de handhavingszaak.")]
# Headers by name: api/antwoorden.py declares what each means.
COMMANDO_ANTWOORDEN: dict[int | str, dict[str, Any]] = {201: {"headers": {"Location": {}, "ETag": {}}}}


def dienst(request: Request) -> Inburgering:
    """The application service this app was started with."""
    return request.app.state.inburgering


async def applicatie(request: Request) -> Inburgering:  # async: no I/O, so no thread hop
    return dienst(request)


App = Annotated[Inburgering, Depends(applicatie)]  # for reads; a command calls dienst() itself (one dependency less)
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        pattern=ETAG.pattern,
        description='De ETag van de versie waarop de wijziging voortbouwt, bijvoorbeeld "3"; bij een oudere versie volgt 412. '
        "Met * bouwt de wijziging voort op elke huidige versie.",
    ),
]


def verwachte_versie(if_match: str | None) -> int | None:
    """The version an If-Match names; None for none or "*". A header of the route itself, not a dependency:
    FastAPI spends about 50 µs per dependency per request, on a command's path too."""
    gevonden = ETAG.match(if_match) if if_match is not None else None
    return int(gevonden.group(1)) if gevonden and gevonden.group(1) else None


IdempotencyKey = Annotated[
    schemas.IdempotencySleutel | None,
    Header(
        alias="Idempotency-Key",
        description="Herhaal een verzoek met dezelfde sleutel: het eerste antwoord komt terug, niets wordt dubbel vastgelegd. "
        "De sleutel is 1 tot 255 zichtbare ASCII-tekens zonder spatie, bijvoorbeeld een UUID.",
    ),
]


def idempotentie(request: Request, sleutel: str | None, body: schemas.Schema) -> Idempotentie | None:
    if sleutel is None:
        return None
    # The fingerprint binds the key to this exact request, so a reused key cannot change its meaning.
    verzoek = f"{request.method} {request.url.path}\n{body.model_dump_json()}"
    return Idempotentie(sleutel, request.app.state.vingerafdruk(verzoek))


def antwoord(request: Request, response: Response, uitkomst: Uitkomst, locatie: str, actor: Actor) -> schemas.TrajectPublic:
    traject = uitkomst.traject
    betrokken(request, [traject.id])
    response.headers["Location"] = locatie
    response.headers["ETag"] = f'"{traject.version}"'
    if uitkomst.herhaald:
        response.headers["Idempotent-Replayed"] = "true"
    return traject_public(traject, request.app.state.klok.vandaag(), actor.rol)


def gebeurtenis_locatie(traject_id: UUID, versie: int) -> str:
    return f"/api/v1/trajecten/{traject_id}/gebeurtenissen/{versie}"


def commando_route(
    router: APIRouter,
    pad: str,
    schema: Any,  # a CommandoSchema, or a discriminated union of them
    rol: Any,
    *,
    zaak: bool = False,
    locatie: Callable[[UUID, int], str] = gebeurtenis_locatie,
    naam: str | None = None,
    beschrijving: str | None = None,
) -> None:
    """POST `pad`: the body becomes one command on the trajectory (in one handhavingszaak when `zaak`)."""

    def uitvoeren(request: Request, response: Response, traject_id: UUID, body: Any,
                  actor: Actor, if_match: str | None, sleutel: str | None, **uit_het_pad: Any) -> schemas.TrajectPublic:
        commando = body.commando(**uit_het_pad)
        noem_commando(request, commando)
        uitkomst = dienst(request).voer_uit(traject_id, commando, actor, verwachte_versie(if_match), idempotentie(request, sleutel, body),
                                meeschrijven=met_de_gebeurtenissen(request, actor))
        return antwoord(request, response, uitkomst, locatie(traject_id, uitkomst.traject.version), actor)

    # The blocking work (the store) goes to a worker thread in one hop, in its turn (api/routers/werkdraad.py).
    if zaak:
        @als_commando
        def route(request: Request, response: Response, actor: rol, traject_id: TrajectId,
                  zaaknummer: Zaaknummer, body: Annotated[schema, Body()], if_match: IfMatch = None,
                  sleutel: IdempotencyKey = None) -> schemas.TrajectPublic:
            return uitvoeren(request, response, traject_id, body, actor, if_match, sleutel, zaaknummer=zaaknummer)
    else:
        @als_commando
        def route(request: Request, response: Response, actor: rol,  # type: ignore[misc]
                  traject_id: TrajectId, body: Annotated[schema, Body()], if_match: IfMatch = None,
                  sleutel: IdempotencyKey = None) -> schemas.TrajectPublic:
            return uitvoeren(request, response, traject_id, body, actor, if_match, sleutel)

    naam = naam or "registreer-" + pad.rsplit("/", 1)[-1]
    route.__doc__ = beschrijving or schema.__doc__
    router.add_api_route(pad, route, methods=["POST"], status_code=201, responses=COMMANDO_ANTWOORDEN, name=naam.replace("-", "_"),
                         operation_id=naam, route_class_override=Kortpadroute)
