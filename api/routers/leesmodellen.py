"""Read models: the trajectenlijst, the worklist of signaleringen, management reports and projection lag."""

from __future__ import annotations

import base64
import logging
import binascii
import json
from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Query, Request, Response

from adapters.leesmodellen import SqlLeesmodelopslag
from adapters.sqlverbinding import VERBINDINGSFOUTEN
from api import schemas
from api.schemas import IsoDatum
from api.auth import Lezer, rollen
from api.logboek import betrokken
from api.problems import ProbleemError
from api.routers.kortpad import Kortpadroute
from api.routers.werkdraad import in_een_werkdraad
from domain.application import Actor
from domain.beleid import beleid_op
from domain.waarden import Doelgroep, Gemeente, Leerroute, Rol
from projections import rapportages
from projections.projector import Projector
from projections.signaleringen import Signaleringen, status_op
from projections.trajectenlijst import Trajectenlijst

router = APIRouter(tags=["leesmodellen"])
log = logging.getLogger("inburgering.projecties")
WerklijstLezer = Annotated[Actor, Depends(rollen(Rol.REGISSEUR, Rol.HANDHAVER, Rol.AUDITOR))]
RapportLezer = Annotated[Actor, Depends(rollen(Rol.REGISSEUR, Rol.AUDITOR, Rol.BEHEERDER))]
Beheer = Annotated[Actor, Depends(rollen(Rol.AUDITOR, Rol.BEHEERDER))]
Limiet = Annotated[int, Query(ge=1, le=200, description="Het aantal resultaten per pagina.")]
Cursor = Annotated[str | None, Query(max_length=500, pattern=r"^[A-Za-z0-9_-]+=*$", description="De cursor uit `volgende` van de vorige pagina.")]
Peildatum = Annotated[IsoDatum | None, Query(description="De datum waartegen termijnen worden beoordeeld; standaard vandaag.")]


ACHTERSTAND = "Leesmodel-Achterstand"
# Headers by name: api/antwoorden.py declares what each means.
MET_ACHTERSTAND: dict[int | str, dict[str, Any]] = {200: {"headers": {ACHTERSTAND: {}}}}
MET_VOLGENDE: dict[int | str, dict[str, Any]] = {200: {"headers": {ACHTERSTAND: {}, "Link": {}}}}  # a list's next page


def _bijgewerkt(request: Request, response: Response, naam: str) -> SqlLeesmodelopslag:
    """The read models, brought up to the head of the log first when they run inside the API (read-your-writes),
    and how far read model `naam` is behind: one that stopped at an event still answers. Called by the route in
    its worker thread, not a dependency: a sync one would be a thread hop of its own, and FastAPI spends about
    50 µs per dependency per request (a list is measured against a single trajectory's GET)."""
    projector: Projector = request.app.state.projector
    achterstand = None
    if request.app.state.instellingen.projecties == "ingebed":
        try:
            achterstand = projector.bij_en_achterstand(naam)
        except VERBINDINGSFOUTEN as fout:
            # Bringing it up to date waited in vain (a lock, a busy pool): answer from the last committed
            # state, with its lag. A database that is gone fails the read itself, as 503.
            log.warning("leesmodel %s niet bijgewerkt: %s", naam, type(fout).__name__)
    response.headers[ACHTERSTAND] = str(projector.achterstand_van(naam) if achterstand is None else achterstand)
    return cast(SqlLeesmodelopslag, request.app.state.leesmodellen)


def _gemeenten(actor: Actor, gevraagd: Gemeente | None) -> list[str]:
    toegestaan = sorted(g.value for g in actor.gemeenten) if actor.rol in (Rol.REGISSEUR, Rol.HANDHAVER) else sorted(g.value for g in Gemeente)
    if gevraagd is None:
        return toegestaan
    if gevraagd.value not in toegestaan:
        raise ProbleemError(403, "buiten-mandaat", "Buiten uw mandaat.", f"Gemeente {gevraagd.value} valt buiten uw mandaat.")
    return [gevraagd.value]


def _cursor(tekst: str | None, lengte: int) -> Any:
    if tekst is None:
        return None
    try:
        waarde = json.loads(base64.urlsafe_b64decode(tekst.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        waarde = None
    if not isinstance(waarde, list) or len(waarde) != lengte:
        raise ProbleemError(400, "ongeldige-cursor", "Ongeldige cursor.", "Gebruik de cursor uit `volgende`.")
    return tuple(waarde)


def _volgende(request: Request, response: Response, rijen: list[Any], limiet: int, sleutel: Any) -> str | None:
    if len(rijen) < limiet:
        return None
    cursor = base64.urlsafe_b64encode(json.dumps(sleutel(rijen[-1])).encode()).decode()
    response.headers["Link"] = f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'
    return cursor


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _pagina(response: Response, naam: str, items: str, rest: dict[str, Any]) -> Response:
    """A page of a read model, `items` as the JSON text of its items joined by commas, as the read model
    holds them. Parsing and validating our own rows once more against the schema they were written by cost
    more than all the rest of a list request; the route still declares its schema (`response_model`), and
    tests/api/test_leesmodellen.py holds each page to it."""
    koppen = {k: v for k, v in response.headers.items() if k != "content-length"}
    overige = _JSON.encode(rest)[1:-1]
    inhoud = f'{{"{naam}":[{items}]{"," if overige else ""}{overige}}}'
    return Response(inhoud, media_type="application/json", headers=koppen)


@in_een_werkdraad
def lijst_trajecten(
    request: Request,
    response: Response,
    actor: Lezer,
    gemeente: Gemeente | None = None,
    doelgroep: Doelgroep | None = None,
    leerroute: Leerroute | None = None,
    status: schemas.TrajectStatus | None = None,
    regisseur: Annotated[schemas.KorteTekst | None, Query()] = None,
    deadline_binnen_dagen: Annotated[int | None, Query(alias="deadlineBinnenDagen", ge=0, le=3650, description="Alleen trajecten met een open termijn binnen zoveel dagen na de peildatum (of verlopen).")] = None,
    peildatum: Peildatum = None,
    cursor: Cursor = None,
    limiet: Limiet = 50,
) -> Response:
    """De trajecten binnen het mandaat, te filteren, gesorteerd op startdatum."""
    opslag = _bijgewerkt(request, response, Trajectenlijst.naam)
    filters = {k: v.value if hasattr(v, "value") else v for k, v in
               {"doelgroep": doelgroep, "leerroute": leerroute, "status": status, "regisseur": regisseur}.items() if v is not None}
    dag = peildatum or request.app.state.klok.vandaag()
    tot = (dag + timedelta(days=deadline_binnen_dagen)).isoformat() if deadline_binnen_dagen is not None else None
    gevonden = opslag.trajecten(_gemeenten(actor, gemeente), filters, tot, _cursor(cursor, 2), limiet)
    betrokken(request, [r.traject_id for r in gevonden], {r.traject_id: r.betrokkene for r in gevonden if r.betrokkene is not None})
    volgende = _volgende(request, response, gevonden, limiet, lambda r: [r.startdatum, r.traject_id])
    return _pagina(response, "trajecten", ",".join(r.document for r in gevonden), {"volgende": volgende})  # stored as the API writes them


router.add_api_route("/trajecten", lijst_trajecten, methods=["GET"], responses=MET_VOLGENDE,
                     response_model=schemas.TrajectenlijstPublic, route_class_override=Kortpadroute)


@in_een_werkdraad
def lijst_signaleringen(
    request: Request,
    response: Response,
    actor: WerklijstLezer,
    gemeente: Gemeente | None = None,
    regisseur: Annotated[schemas.KorteTekst | None, Query()] = None,
    status: Literal["op_tijd", "binnenkort", "verlopen"] | None = None,
    binnenkort_dagen: Annotated[int | None, Query(alias="binnenkortDagen", ge=0, le=365, description="Hoeveel dagen vooruit 'binnenkort' telt; standaard het beleid (14).")] = None,
    peildatum: Peildatum = None,
    cursor: Cursor = None,
    limiet: Limiet = 50,
) -> Response:
    """Elke open termijn met de bron en de stand op de peildatum: de werklijst. Van een afgesloten traject
    alleen de termijnen van een handhavingszaak die nog loopt."""
    opslag = _bijgewerkt(request, response, Signaleringen.naam)
    dag = peildatum or request.app.state.klok.vandaag()
    dagen = binnenkort_dagen if binnenkort_dagen is not None else beleid_op(dag).signalering_binnenkort_dagen
    grenzen = {
        None: (None, None),
        "verlopen": (None, dag - timedelta(days=1)),
        "binnenkort": (dag, dag + timedelta(days=dagen)),
        "op_tijd": (dag + timedelta(days=dagen + 1), None),
    }[status]
    van, tot = (g.isoformat() if g else None for g in grenzen)
    rijen = opslag.signaleringen(_gemeenten(actor, gemeente), regisseur, van, tot, _cursor(cursor, 4), limiet)
    betrokken(request, {r.traject_id for r in rijen}, {r.traject_id: r.betrokkene for r in rijen if r.betrokkene is not None})
    volgende = _volgende(request, response, rijen, limiet, lambda r: [r.uiterlijk, r.traject_id, r.soort, r.zaaknummer])
    # Each item as the query made it (a JSON object, adapters/leesmodellen.py `WERKLIJSTITEM`), with its status on
    # the day asked for as its last member: built field by field per row, a page's items took about 0.2 ms.
    items = ",".join(f'{r.document[:-1]}, "status": "{status_op(date.fromisoformat(r.uiterlijk), dag, dagen)}"}}' for r in rijen)
    return _pagina(response, "signaleringen", items, {"peildatum": dag.isoformat(), "volgende": volgende})


router.add_api_route("/signaleringen", lijst_signaleringen, methods=["GET"], responses=MET_VOLGENDE,
                     response_model=schemas.SignaleringenPublic, route_class_override=Kortpadroute)


Jaar = Annotated[int, Query(ge=2022, le=2100, description="Het kalenderjaar.")]


def _cijfers(request: Request, response: Response, actor: Actor, gemeente: Gemeente, jaar: int) -> dict[tuple[str, str], tuple[int, int]]:
    opslag = _bijgewerkt(request, response, Trajectenlijst.naam)
    return opslag.rapportcijfers(_gemeenten(actor, gemeente)[0], jaar)


@router.get("/rapportages/instroom", responses=MET_ACHTERSTAND)
@in_een_werkdraad
def rapportage_instroom(request: Request, response: Response, actor: RapportLezer, gemeente: Gemeente, jaar: Jaar) -> schemas.InstroomRapport:
    """Instroom per doelgroep in een gemeente en jaar."""
    return schemas.InstroomRapport.model_validate(rapportages.instroom(_cijfers(request, response, actor, gemeente, jaar), jaar))


@router.get("/rapportages/leerroutemix", responses=MET_ACHTERSTAND)
@in_een_werkdraad
def rapportage_leerroutemix(request: Request, response: Response, actor: RapportLezer, gemeente: Gemeente, jaar: Jaar) -> schemas.LeerroutemixRapport:
    """De verdeling over de leerroutes naast de verwachting uit het beleidsplan."""
    return schemas.LeerroutemixRapport.model_validate(rapportages.leerroutemix(_cijfers(request, response, actor, gemeente, jaar), jaar))


@router.get("/rapportages/spuk", responses=MET_ACHTERSTAND)
@in_een_werkdraad
def rapportage_spuk(request: Request, response: Response, actor: RapportLezer, gemeente: Gemeente, jaar: Jaar) -> schemas.SpukRapport:
    """De SPUK-realisatie per component uit de werkelijke volumes, naast de raming 2022."""
    return schemas.SpukRapport.model_validate(rapportages.spuk(_cijfers(request, response, actor, gemeente, jaar), jaar, gemeente.value))


@router.get("/rapportages/handhaving", responses=MET_ACHTERSTAND)
@in_een_werkdraad
def rapportage_handhaving(request: Request, response: Response, actor: RapportLezer, gemeente: Gemeente, jaar: Jaar) -> schemas.HandhavingRapport:
    """Handhavingszaken per artikel en stap, met opgelegde bedragen en bezwaren."""
    return schemas.HandhavingRapport.model_validate(rapportages.handhaving(_cijfers(request, response, actor, gemeente, jaar), jaar))


@router.get("/projecties")
@in_een_werkdraad
def lijst_projecties(request: Request, actor: Beheer) -> schemas.ProjectiesPublic:
    """Per leesmodel de versie in gebruik, de verwerkte positie tegenover de kop van het gebeurtenissenlog,
    de storing als het stilstaat bij een gebeurtenis die het niet kon verwerken, en de voortgang van een
    nieuwe versie die ernaast wordt opgebouwd."""
    projector: Projector = request.app.state.projector
    return schemas.ProjectiesPublic(
        projecties=[
            schemas.ProjectiePublic(
                naam=naam, versie=stand.versie, positie=stand.positie, kop=stand.kop, achterstand=stand.achterstand,
                storing=schemas.ProjectieStoringPublic(**asdict(stand.storing)) if stand.storing else None,
                opbouw=schemas.ProjectieOpbouwPublic(**asdict(stand.opbouw)) if stand.opbouw else None,
            )
            for naam, stand in projector.stand().items()
        ]
    )
