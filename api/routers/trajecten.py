"""Trajecten: start, read, search, history, and one sub-resource per command."""

# No `from __future__ import annotations`: the command routes are built from runtime types.
from datetime import datetime, time, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Request, Response

from adapters.bootstrap import controlepunten_van
from adapters.clock import NEDERLAND
from adapters.integriteit import exporteer
from api import gebeurtenistypen, schemas
from api.verzoeken import duo, intake, ondersteuning, pip, start, uitvoering, verloop
from api.audittrail import audittrail
from api.auth import Auditor, Lezer, Regisseur
from api.logboek import betrokken, met_de_gebeurtenissen
from api.metrics import noem_commando
from api.openapi import BASISPAD
from api.problems import ProbleemError
from api.routers.commandoroutes import COMMANDO_ANTWOORDEN, App, IdempotencyKey, TrajectId, antwoord, commando_route, dienst, idempotentie
from api.routers.kortpad import Kortpadroute
from api.routers.werkdraad import als_commando, in_een_werkdraad
from api.schemas import IsoDatum
from api.weergave import gebeurtenis_public, traject_public

router = APIRouter(prefix="/trajecten", tags=["trajecten"])


@als_commando
def start_traject(
    request: Request,
    response: Response,
    actor: Regisseur,
    body: Annotated[start.TrajectCreate, Body(openapi_examples=start.VOORBEELDEN)],
    sleutel: IdempotencyKey = None,
) -> schemas.TrajectPublic:
    """Start een inburgeringstraject na een TVS-profiel (COA) of een kennisgeving van DUO."""
    commando = body.commando()
    noem_commando(request, commando)
    uitkomst = dienst(request).start_traject(commando, actor, idempotentie(request, sleutel, body), meeschrijven=met_de_gebeurtenissen(request, actor))
    return antwoord(request, response, uitkomst, f"/api/v1/trajecten/{uitkomst.traject.id}", actor)


router.add_api_route("", start_traject, methods=["POST"], status_code=201, responses=COMMANDO_ANTWOORDEN,
                     route_class_override=Kortpadroute)


@router.post("/_zoek")
@in_een_werkdraad
def zoek_trajecten(request: Request, app: App, actor: Lezer, body: start.TrajectZoek) -> schemas.TrajectenPublic:
    """Zoek de trajecten van een persoon op BSN (in de body, nooit in de URL)."""
    vandaag = request.app.state.klok.vandaag()
    gevonden = app.zoek_trajecten(body.bsn, actor)
    betrokken(request, [t.id for t in gevonden])
    return schemas.TrajectenPublic(trajecten=[traject_public(t, vandaag, actor.rol) for t in gevonden])


@router.post("/_historie")
@in_een_werkdraad
def historie(request: Request, app: App, actor: Lezer, body: start.TrajectZoek) -> gebeurtenistypen.HistoriePublic:
    """De volledige geschiedenis van elk traject van een persoon (BSN in de body): elk feit in volgorde,
    met alleen de gegevens die de rol van de lezer mag hebben (voor DUO: Bi 9.2-9.6)."""
    gevonden = app.historie(body.bsn, actor)
    betrokken(request, [t.id for t, _ in gevonden])
    return gebeurtenistypen.HistoriePublic(trajecten=[
        gebeurtenistypen.TrajectHistoriePublic(traject_id=t.id, gemeente=t.gemeente, gebeurtenissen=[gebeurtenis_public(e, actor.rol) for e in feiten])
        for t, feiten in gevonden
    ])


@router.api_route("/_zoek", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
@router.api_route("/_historie", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
@in_een_werkdraad
def zoek_alleen_met_post() -> None:
    # Without this, GET /trajecten/_zoek would be read as a trajectory id and answered 400.
    raise ProbleemError(405, "methode-niet-toegestaan", "Methode niet toegestaan.", "Zoeken gaat met POST.", {"Allow": "POST"})


@router.get("/{trajectId}", responses={200: {"headers": {"ETag": {}}}})
@in_een_werkdraad
def lees_traject(
    request: Request,
    response: Response,
    app: App,
    actor: Lezer,
    traject_id: TrajectId,
    versie: Annotated[int | None, Query(ge=1, le=1_000_000_000, description="Het traject zoals het na dit feit was vastgelegd.")] = None,
    peildatum: Annotated[IsoDatum | None, Query(description="Het traject zoals het aan het eind van deze dag (Nederlandse tijd) was vastgelegd.")] = None,
    geldig_op: Annotated[IsoDatum | None, Query(alias="geldigOp", description="Het traject zoals het op deze datum in werkelijkheid stond: alleen feiten die toen golden, zoals nu bekend (met correcties).")] = None,
) -> schemas.TrajectPublic:
    """Het traject zoals het nu is, met de termijnen die eruit volgen; of zoals het ooit was vastgelegd
    (`versie`, `peildatum`; samen: de vroegste van de twee) en zoals het op een datum in werkelijkheid
    stond (`geldigOp`), ook in combinatie."""
    vandaag = request.app.state.klok.vandaag()
    traject = app.traject(traject_id, actor, versie, kopie=False)  # read only: no copy of the cached aggregate
    if versie is not None and traject.version != versie:
        raise ProbleemError(404, "versie-niet-gevonden", "Versie niet gevonden.", f"Het traject heeft {traject.version} versies.")
    if peildatum is not None:
        einde_van_de_dag = datetime.combine(peildatum + timedelta(days=1), time(0), tzinfo=NEDERLAND) - timedelta(microseconds=1)
        toen = app.traject_vastgelegd_op(traject_id, actor, einde_van_de_dag)
        if toen is None:
            raise ProbleemError(404, "nog-niet-vastgelegd", "Nog niet vastgelegd.", f"Op {peildatum.isoformat()} was van dit traject nog niets vastgelegd.")
        if toen.version < traject.version:  # with a version too: the earlier of the two
            traject = toen
        vandaag = peildatum
    if geldig_op is not None:
        toen = traject.zoals_op(geldig_op)
        if toen is None:
            raise ProbleemError(404, "nog-niet-gestart", "Nog niet gestart.", f"Het traject startte op {traject.startdatum.isoformat()}.")
        traject, vandaag = toen, geldig_op
    if versie is None and peildatum is None and geldig_op is None:
        response.headers["ETag"] = f'"{traject.version}"'  # only the current state can be built on
    return traject_public(traject, vandaag, actor.rol)


@router.get("/{trajectId}/audittrail")
@in_een_werkdraad
def lees_audittrail(request: Request, app: App, actor: Lezer, traject_id: TrajectId) -> schemas.AudittrailPublic:
    """De audittrail van het traject, zoals de ZGW-API's die kennen, met het soort feit, de datum waarop
    het gold, de versie, de rechtsgrond en de gemeente namens wie het werd vastgelegd."""
    return schemas.AudittrailPublic(audittrail=audittrail(app.gebeurtenissen(traject_id, actor), actor.rol, _basis(request)))


@router.get("/{trajectId}/audittrail/{auditId}")
@in_een_werkdraad
def lees_auditregel(
    request: Request, app: App, actor: Lezer, traject_id: TrajectId,
    audit_id: Annotated[UUID, Path(alias="auditId", description="De uuid van de regel.")],
) -> schemas.AuditregelPublic:
    """Eén regel van de audittrail."""
    for regel in audittrail(app.gebeurtenissen(traject_id, actor), actor.rol, _basis(request)):
        if regel.uuid == audit_id:
            return regel
    raise ProbleemError(404, "auditregel-niet-gevonden", "Auditregel niet gevonden.", "Dit traject heeft geen regel met deze uuid.")


@router.get("/{trajectId}/export")
@in_een_werkdraad
def exporteer_traject(app: App, actor: Auditor, traject_id: TrajectId) -> schemas.KetenexportPublic:
    """Het traject zoals opgeslagen, met zijn ketenhashes, het ondertekende controlepunt en de publieke
    sleutel: genoeg om het offline te controleren (`python -m adapters.cli controleer-export`)."""
    app.traject(traject_id, actor, kopie=False)  # 404 outside the mandate
    return schemas.KetenexportPublic.model_validate(exporteer(app.recorder, controlepunten_van(app), traject_id))


def _basis(request: Request) -> str:
    return str(request.base_url).rstrip("/") + BASISPAD


@router.get("/{trajectId}/gebeurtenissen")
@in_een_werkdraad
def lees_gebeurtenissen(app: App, actor: Lezer, traject_id: TrajectId) -> gebeurtenistypen.GebeurtenissenPublic:
    """Alle vastgelegde feiten van het traject, in volgorde, met wie en wanneer."""
    return gebeurtenistypen.GebeurtenissenPublic(gebeurtenissen=[gebeurtenis_public(e, actor.rol) for e in app.gebeurtenissen(traject_id, actor)])


@router.get("/{trajectId}/gebeurtenissen/{versie}")
@in_een_werkdraad
def lees_gebeurtenis(
    app: App,
    actor: Lezer,
    traject_id: TrajectId,
    versie: Annotated[int, Path(ge=1, le=1_000_000_000, description="Het volgnummer van het feit.")],
) -> gebeurtenistypen.GebeurtenisPublic:
    """Eén vastgelegd feit van het traject."""
    return gebeurtenis_public(app.gebeurtenis(traject_id, versie, actor), actor.rol)


# The regisseur records every step of the trajectory, including what DUO decided (as received).
for pad, schema in {
    "coa-overdrachten": intake.CoaOverdrachtCreate,
    "kennisgevingen": intake.KennisgevingCreate,
    "huisvestingen": intake.HuisvestingCreate,
    "intake-oproepen": intake.IntakeOproepCreate,
    "kennismakingsgesprekken": intake.KennismakingsgesprekCreate,
    "leerbaarheidstoetsen": intake.LeerbaarheidstoetsCreate,
    "leerbaarheidstoets-ontheffingen": intake.LeerbaarheidstoetsOntheffingCreate,
    "brede-intakes": intake.BredeIntakeCreate,
    "intakes-in-afwezigheid": intake.IntakeInAfwezigheidCreate,
    "welkomstprogrammas": intake.WelkomstprogrammaCreate,
    "pip-vaststellingen": pip.PipVaststellingCreate,
    "pip-wijzigingen": pip.PipWijzigingCreate,
    "leerroute-wijzigingen": pip.LeerrouteWijzigingCreate,
    "afschalingen": pip.AfschalingCreate,
    "cursusuren": uitvoering.CursusurenCreate,
    "voortgangsgesprekken": uitvoering.VoortgangsgesprekCreate,
    "participatieverklaringen": uitvoering.ParticipatieverklaringCreate,
    "map-themas": uitvoering.MapThemaCreate,
    "map-eindgesprekken": uitvoering.MapEindgesprekCreate,
    "examenresultaten": uitvoering.ExamenresultaatCreate,
    "diplomas": uitvoering.DiplomaCreate,
    "z-route-eindgesprekken": uitvoering.ZRouteEindgesprekCreate,
    "certificaten": uitvoering.CertificaatCreate,
    "afrondingen": uitvoering.AfrondingCreate,
    "vervolgoverdrachten": uitvoering.VervolgoverdrachtCreate,
    "ontzorgingen": ondersteuning.OntzorgingCreate,
    "maatschappelijke-begeleidingen": ondersteuning.BegeleidingCreate,
    "tolkvoorzieningen": ondersteuning.TolkvoorzieningCreate,
    "termijnverlengingen": duo.TermijnverlengingCreate,
    "vrijstellingen": duo.VrijstellingCreate,
    "ontheffingen": duo.OntheffingCreate,
    "duo-boetes": duo.DuoBoeteCreate,
    "verhuizingen": verloop.VerhuizingCreate,
    "overdrachten": verloop.OverdrachtCreate,
    "regisseur-toewijzingen": verloop.RegisseurToewijzingCreate,
    "correcties": verloop.CorrectieCreate,
}.items():
    commando_route(router, f"/{{trajectId}}/{pad}", schema, Regisseur)

# The college of the gemeente is the controller: its regisseur records a death or a passed retention
# period; the daily job (`make vergeet`) does the latter for every closed trajectory.
commando_route(router, "/{trajectId}/verwijderingen", verloop.VerwijderingCreate, Regisseur, beschrijving=verloop.VERWIJDERING)
