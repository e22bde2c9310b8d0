"""Trajecten: start, read, search, history, and one sub-resource per command."""

# No `from __future__ import annotations`: the command routes are built from runtime types.
from typing import Annotated

from fastapi import APIRouter, Body, Path, Request, Response

from api import schemas
from api.auth import Lezer, Regisseur
from api.logboek import betrokken
from api.problems import ProbleemError
from api.routers.commandoroutes import COMMANDO_ANTWOORDEN, App, IdempotencyKey, TrajectId, antwoord, commando_route, idempotentie
from api.weergave import gebeurtenis_public, traject_public

router = APIRouter(prefix="/trajecten", tags=["trajecten"])


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
    uitkomst = app.start_traject(body.commando(), actor, idempotentie(request, sleutel, body))
    return antwoord(request, response, uitkomst, f"/api/v1/trajecten/{uitkomst.traject.id}", actor)


@router.post("/_zoek")
def zoek_trajecten(request: Request, app: App, actor: Lezer, body: schemas.TrajectZoek) -> schemas.TrajectenPublic:
    """Zoek de trajecten van een persoon op BSN (in de body, nooit in de URL)."""
    vandaag = request.app.state.klok.vandaag()
    gevonden = app.zoek_trajecten(body.bsn, actor)
    betrokken(request, [t.id for t in gevonden])
    return schemas.TrajectenPublic(trajecten=[traject_public(t, vandaag, actor.rol) for t in gevonden])


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
    return traject_public(traject, request.app.state.klok.vandaag(), actor.rol)


@router.get("/{trajectId}/gebeurtenissen")
def lees_gebeurtenissen(app: App, actor: Lezer, traject_id: TrajectId) -> schemas.GebeurtenissenPublic:
    """Alle vastgelegde feiten van het traject, in volgorde, met wie en wanneer."""
    return schemas.GebeurtenissenPublic(gebeurtenissen=[gebeurtenis_public(e, actor.rol) for e in app.gebeurtenissen(traject_id, actor)])


@router.get("/{trajectId}/gebeurtenissen/{versie}")
def lees_gebeurtenis(
    app: App,
    actor: Lezer,
    traject_id: TrajectId,
    versie: Annotated[int, Path(ge=1, le=1_000_000_000, description="Het volgnummer van het feit.")],
) -> schemas.GebeurtenisPublic:
    """Eén vastgelegd feit van het traject."""
    return gebeurtenis_public(app.gebeurtenis(traject_id, versie, actor), actor.rol)


# The regisseur records every step of the trajectory, including what DUO decided (as received).
for pad, schema in {
    "coa-overdrachten": schemas.CoaOverdrachtCreate,
    "kennisgevingen": schemas.KennisgevingCreate,
    "huisvestingen": schemas.HuisvestingCreate,
    "intake-oproepen": schemas.IntakeOproepCreate,
    "kennismakingsgesprekken": schemas.KennismakingsgesprekCreate,
    "leerbaarheidstoetsen": schemas.LeerbaarheidstoetsCreate,
    "leerbaarheidstoets-ontheffingen": schemas.LeerbaarheidstoetsOntheffingCreate,
    "brede-intakes": schemas.BredeIntakeCreate,
    "intakes-in-afwezigheid": schemas.IntakeInAfwezigheidCreate,
    "welkomstprogrammas": schemas.WelkomstprogrammaCreate,
    "pip-vaststellingen": schemas.PipVaststellingCreate,
    "pip-wijzigingen": schemas.PipWijzigingCreate,
    "leerroute-wijzigingen": schemas.LeerrouteWijzigingCreate,
    "afschalingen": schemas.AfschalingCreate,
    "cursusuren": schemas.CursusurenCreate,
    "voortgangsgesprekken": schemas.VoortgangsgesprekCreate,
    "participatieverklaringen": schemas.ParticipatieverklaringCreate,
    "map-themas": schemas.MapThemaCreate,
    "map-eindgesprekken": schemas.MapEindgesprekCreate,
    "examenresultaten": schemas.ExamenresultaatCreate,
    "diplomas": schemas.DiplomaCreate,
    "z-route-eindgesprekken": schemas.ZRouteEindgesprekCreate,
    "certificaten": schemas.CertificaatCreate,
    "afrondingen": schemas.AfrondingCreate,
    "vervolgoverdrachten": schemas.VervolgoverdrachtCreate,
    "ontzorgingen": schemas.OntzorgingCreate,
    "maatschappelijke-begeleidingen": schemas.BegeleidingCreate,
    "tolkvoorzieningen": schemas.TolkvoorzieningCreate,
    "termijnverlengingen": schemas.TermijnverlengingCreate,
    "vrijstellingen": schemas.VrijstellingCreate,
    "ontheffingen": schemas.OntheffingCreate,
    "duo-boetes": schemas.DuoBoeteCreate,
    "verhuizingen": schemas.VerhuizingCreate,
    "overdrachten": schemas.OverdrachtCreate,
    "regisseur-toewijzingen": schemas.RegisseurToewijzingCreate,
    "correcties": schemas.CorrectieCreate,
}.items():
    commando_route(router, f"/{{trajectId}}/{pad}", schema, Regisseur)

# The college of the gemeente is the controller: its regisseur records a death or a passed retention
# period; the daily job (`make vergeet`) does the latter for every closed trajectory.
commando_route(router, "/{trajectId}/verwijderingen", schemas.VerwijderingCreate, Regisseur, beschrijving=schemas.VERWIJDERING)
