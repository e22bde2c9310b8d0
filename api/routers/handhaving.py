"""Handhavingszaken: the Awb procedure for a boete of the college, one sub-resource per step."""

# No `from __future__ import annotations`: the command routes are built from runtime types.
from uuid import UUID

from fastapi import APIRouter

from api import schemas
from api.verzoeken import handhaving
from api.auth import Handhaver, Lezer
from api.routers.commandoroutes import App, TrajectId, Zaaknummer, commando_route
from api.routers.werkdraad import in_een_werkdraad
from api.weergave import zaak_public
from domain.fouten import HandhavingszaakNietGevondenError

router = APIRouter(prefix="/trajecten/{trajectId}/handhavingszaken", tags=["handhaving"])


def zaak_locatie(traject_id: UUID, versie: int) -> str:
    return f"/api/v1/trajecten/{traject_id}/handhavingszaken/{versie}"  # a zaak is numbered by its first fact


@router.get("/{zaaknummer}")
@in_een_werkdraad
def lees_handhavingszaak(app: App, actor: Lezer, traject_id: TrajectId, zaaknummer: Zaaknummer) -> schemas.HandhavingszaakPublic:
    """Eén handhavingszaak met de stap waarop ze staat."""
    zaak = app.traject(traject_id, actor, kopie=False).zaken.get(zaaknummer)
    if zaak is None:
        raise HandhavingszaakNietGevondenError(f"Geen zaak {zaaknummer}.")
    return zaak_public(zaak)


commando_route(router, "", handhaving.OvertredingCreate, Handhaver, locatie=zaak_locatie, naam="registreer-handhavingszaken")
for pad, schema in {
    "voornemens": handhaving.VoornemenCreate,
    "zienswijzen": handhaving.ZienswijzeCreate,
    "termijnverstrijkingen": handhaving.TermijnverstrijkingCreate,
    "bijstandsverlagingen": handhaving.BijstandsverlagingCreate,
    "boetebesluiten": handhaving.BoetebesluitCreate,
    "afzieningen": handhaving.AfzienCreate,
    "bezwaren": handhaving.BezwaarCreate,
    "bezwaarbeslissingen": handhaving.BezwaarbeslissingCreate,
}.items():
    commando_route(router, f"/{{zaaknummer}}/{pad}", schema, Handhaver, zaak=True)
