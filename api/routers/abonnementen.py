"""Abonnementen: facts pushed to a follower's receiver as CloudEvents, instead of polled from the feed (issue 14).

A subscriber sees and changes only its own subscriptions, and receives only what it could read from the feed
(its role and gemeenten, kept with the subscription and renewed on every change)."""

# No `from __future__ import annotations`: FastAPI reads the parameter types at runtime.
import base64
import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from fastapi.exceptions import RequestValidationError

from adapters.abonnementen import Abonnementen, Geheimen
from api import schemas
from api.auth import Lezer
from api.bezorging import ontvanger_toegestaan
from api.openapi import BASISPAD
from api.routers.commandoroutes import COMMANDO_ANTWOORDEN, IfMatch, verwachte_versie
from api.routers.werkdraad import als_commando, in_een_werkdraad
from api.verzoeken.abonnement import AbonnementCreate, AbonnementWijziging
from domain.abonnement import Abonnement, binnen_mandaat, nieuw_abonnement

router = APIRouter(prefix="/abonnementen", tags=["abonnementen"])
AbonnementId = Annotated[UUID, Path(alias="abonnementId", description="Het id van het abonnement.")]
MET_ETAG: dict[int | str, dict[str, Any]] = {200: {"headers": {"ETag": {}}}}


def _abonnementen(request: Request) -> Abonnementen:
    return request.app.state.abonnementen


def _toegestane_callback(request: Request, callback: str | None) -> None:
    """In production a receiver is reached over TLS (the facts and the authorization value travel with it), and
    only a host the operator allows is posted to (`BEZORGING_HOSTS`): the API must not be a way into its network."""
    instellingen = request.app.state.instellingen
    if callback is None:
        return
    if instellingen.is_productie and urlsplit(callback).scheme != "https":
        reden = "In productie is een callback-URL https."
    elif not ontvanger_toegestaan(callback, instellingen.bezorging_hosts):
        reden = f"Deze host mag niet; toegestaan: {', '.join(instellingen.bezorging_hosts)}."
    else:
        return
    raise RequestValidationError([{"type": "callback", "loc": ("body", "callbackUrl"), "input": callback, "msg": reden}])


def _met_etag(response: Response, abonnement: Abonnement) -> Abonnement:
    response.headers["ETag"] = f'"{abonnement.versie}"'
    return abonnement


def _wek_de_bezorger(request: Request) -> None:
    """The dispatcher in this process (if it runs here) delivers at once instead of at its next round."""
    if (bezorger := request.app.state.bezorger) is not None:
        bezorger.wek()


def _publiek(request: Request, abonnement: Abonnement) -> schemas.AbonnementPublic:
    eind = request.app.state.inburgering.recorder.max_notification_id() or 0
    return schemas.AbonnementPublic(
        abonnement_id=abonnement.id, callback_url=abonnement.callback,
        autorisatie_ingesteld=abonnement.met_autorisatie,
        gebeurtenistypen=None if abonnement.gebeurtenistypen is None else sorted(abonnement.gebeurtenistypen),
        gemeenten=None if abonnement.gemeentefilter is None else sorted(abonnement.gemeentefilter),
        bezorgwijze=abonnement.bezorgwijze.value, status=abonnement.status.value, positie=abonnement.positie,
        achterstand=max(0, eind - abonnement.positie), laatste_succes=abonnement.laatste_succes,
        laatste_fout=abonnement.laatste_fout, laatste_fout_op=abonnement.laatste_fout_op,
        mislukte_pogingen=abonnement.mislukte_pogingen, volgende_poging=abonnement.volgende_poging,
        aangemaakt=abonnement.aangemaakt, gewijzigd=abonnement.gewijzigd,
    )


@router.post("", status_code=201, responses=COMMANDO_ANTWOORDEN)
@als_commando
def neem_abonnement(request: Request, response: Response, actor: Lezer, body: AbonnementCreate) -> schemas.AbonnementAangemaaktPublic:
    """Neem een abonnement: elk feit dat u uit de feed mag lezen en door uw filters komt, wordt naar uw ontvanger gepost,
    ten minste één keer en per traject in volgorde, ondertekend met het geheim in dit antwoord (alleen nu getoond)."""
    _toegestane_callback(request, body.callback_url)
    app = request.app.state.inburgering
    positie = body.vanaf if body.vanaf is not None else (app.recorder.max_notification_id() or 0)
    abonnement = nieuw_abonnement(
        actor, body.callback_url, None if body.gebeurtenistypen is None else frozenset(body.gebeurtenistypen),
        None if body.gemeenten is None else frozenset(body.gemeenten), body.bezorgwijze, positie, app.klok.nu(), met_autorisatie=body.autorisatie is not None)
    geheim = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    _abonnementen(request).neem_op(abonnement, Geheimen(body.autorisatie, geheim))
    _wek_de_bezorger(request)
    response.headers["Location"] = f"{BASISPAD}/abonnementen/{abonnement.id}"
    return schemas.AbonnementAangemaaktPublic(**_publiek(request, _met_etag(response, abonnement)).model_dump(), geheim=geheim)


@router.get("")
@in_een_werkdraad
def lijst_abonnementen(request: Request, actor: Lezer) -> schemas.AbonnementenPublic:
    """Uw abonnementen, elk met hoe de bezorging ervan staat."""
    return schemas.AbonnementenPublic(abonnementen=[_publiek(request, a) for a in _abonnementen(request).van_eigenaar(actor.gebruiker)])


@router.get("/{abonnementId}", responses=MET_ETAG)
@in_een_werkdraad
def lees_abonnement(request: Request, response: Response, actor: Lezer, abonnement_id: AbonnementId) -> schemas.AbonnementPublic:
    """Een abonnement: positie, achterstand, laatste succes, laatste fout en mislukte pogingen."""
    return _publiek(request, _met_etag(response, _abonnementen(request).van(abonnement_id, actor.gebruiker)))


@router.patch("/{abonnementId}", responses=MET_ETAG)
@als_commando
def wijzig_abonnement(request: Request, response: Response, actor: Lezer, abonnement_id: AbonnementId,
                      body: AbonnementWijziging, if_match: IfMatch = None) -> schemas.AbonnementPublic:
    """Wijzig een abonnement (met If-Match: alleen als het sindsdien niet gewijzigd is, anders 412); met `status` actief
    hervat u een geschorst abonnement vanaf zijn positie. Het abonnement volgt daarna uw huidige rol en gemeenten."""
    wijzigingen = body.wijzigingen()
    _toegestane_callback(request, wijzigingen.get("callback"))
    binnen_mandaat(actor, wijzigingen.get("gemeentefilter"))
    abonnement = _abonnementen(request).wijzig(
        abonnement_id, actor.gebruiker, verwachte_versie(if_match), request.app.state.klok.nu(), mandaat=(actor.rol, actor.gemeenten), **wijzigingen)
    _wek_de_bezorger(request)
    return _publiek(request, _met_etag(response, abonnement))


@router.delete("/{abonnementId}", status_code=204, response_class=Response)
@als_commando
def zeg_abonnement_op(request: Request, actor: Lezer, abonnement_id: AbonnementId, if_match: IfMatch = None) -> None:
    """Zeg een abonnement op: er wordt niets meer bezorgd."""
    _abonnementen(request).zeg_op(abonnement_id, actor.gebruiker, verwachte_versie(if_match))

