"""Liveness and readiness, without authentication."""

import threading
import time
from collections.abc import Callable, Mapping
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.peiling import peil
from api.problems import PROBLEM_JSON, onbeschikbaar
from api.routers.werkdraad import in_een_werkdraad
from api.schemas import Gezondheid
from projections.projector import Stand

router = APIRouter(tags=["beheer"])
GEREED_BINNEN = 2.0  # seconds: a load balancer's probe gets its answer well within its own timeout


class Stilstand:
    """Which read models stand still: behind the head of the log, at the same position for longer than
    `na` seconds of this process's clock, counted from the first probe that saw them there behind (so never
    right after a start).

    Extern, a projector process moves them: a position that stays behind means that process is down, stuck
    or stopped at an event. Ingebed, this API moves them only when a list is read, so a quiet lag is no
    stall; one is stalled only when it stopped at an event it cannot take (`storing`) and stays there."""

    def __init__(self, na: float, extern: bool) -> None:
        self.na, self.extern = na, extern
        self._gezien: dict[str, tuple[int, float]] = {}  # per read model: its position and since when
        self._slot = threading.Lock()

    def stilstaand(self, standen: Mapping[str, Stand], nu: float | None = None) -> list[str]:
        nu = time.monotonic() if nu is None else nu
        stil = []
        with self._slot:
            for naam, stand in standen.items():
                if not (stand.achterstand > 0 and (self.extern or stand.storing is not None)):
                    self._gezien.pop(naam, None)  # the time counts from the first sight behind, not before
                    continue
                vorige = self._gezien.get(naam)
                if vorige is None or vorige[0] != stand.positie:
                    self._gezien[naam] = (stand.positie, nu)
                elif self.na > 0 and nu - vorige[1] > self.na:
                    stil.append(naam)
        return sorted(stil)


@router.get("/health")
@in_een_werkdraad
def health() -> Gezondheid:
    """De API draait (liveness): hetzelfde als `/health/live`, voor wie dit pad al gebruikt."""
    return Gezondheid(status="ok")


@router.get("/health/live")
@in_een_werkdraad
def health_live() -> Gezondheid:
    """De API draait (liveness); zegt niets over de opslag, zie `/health/ready`. Faalt dit, dan helpt een herstart."""
    return Gezondheid(status="ok")


@router.get(
    "/health/ready",
    response_model=Gezondheid,
    responses={503: {
        "description": f"Een opslag antwoordt niet binnen {GEREED_BINNEN:g} seconden, of een leesmodel staat stil; "
                       "`Retry-After` zegt wanneer opnieuw.",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Probleem"}}},
        "headers": {"Retry-After": {"description": "Seconden tot een nieuwe poging zin heeft.", "schema": {"type": "integer"}}},
    }},
)
@in_een_werkdraad
def health_ready(request: Request) -> Gezondheid | JSONResponse:
    """De API kan verzoeken afhandelen (readiness): gebeurtenissen, sleutels en logboek antwoorden binnen
    2 seconden, en geen leesmodel staat stil: met `INBURGERING_PROJECTIES=extern` loopt het langer dan
    `INBURGERING_PROJECTIES_STILSTAND_SECONDEN` achter het log zonder op te schuiven, ingebed staat het zo
    lang stil bij een gebeurtenis die het niet kan verwerken (zie `GET /projecties`). Anders 503, zodat een
    load balancer deze instantie overslaat."""
    staat = request.app.state
    peilingen: dict[str, Callable[[], object]] = {
        "gebeurtenissen": staat.inburgering.recorder.max_notification_id,
        "sleutels": lambda: staat.inburgering.sleutels.vernietigd(UUID(int=0)),
        "logboek": lambda: staat.logboek.auditregels("0" * 32),
        "projecties": staat.projector.stand,
    }
    uitslag = peil(peilingen, GEREED_BINNEN)
    if uitslag.mislukt:
        return onbeschikbaar(request, f"Niet bereikbaar binnen {GEREED_BINNEN:g} s: {', '.join(uitslag.mislukt)}.")
    if stil := staat.stilstand.stilstaand(uitslag.antwoorden["projecties"]):
        return onbeschikbaar(request, f"Leesmodellen staan stil: {', '.join(stil)} (zie GET /api/v1/projecties).")
    return Gezondheid(status="ok")
