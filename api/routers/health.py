"""Liveness and readiness, without authentication."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.problems import PROBLEM_JSON, log, onbeschikbaar
from api.routers.werkdraad import in_een_werkdraad
from api.schemas import Gezondheid

router = APIRouter(tags=["beheer"])
GEREED_BINNEN = 2.0  # seconds: a load balancer's probe gets its answer well within its own timeout
# Few threads of its own: a probe that hangs on a dead connection can hold no more than these, and
# never a thread that serves requests.
_peilers = ThreadPoolExecutor(max_workers=3, thread_name_prefix="gereedheid")


@router.get("/health")
@in_een_werkdraad
def health() -> Gezondheid:
    """De API draait (liveness); zegt niets over de opslag, zie `/health/ready`."""
    return Gezondheid(status="ok")


@router.get(
    "/health/ready",
    response_model=Gezondheid,
    responses={503: {
        "description": f"Een opslag antwoordt niet binnen {GEREED_BINNEN:g} seconden; `Retry-After` zegt wanneer opnieuw.",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Probleem"}}},
        "headers": {"Retry-After": {"description": "Seconden tot een nieuwe poging zin heeft.", "schema": {"type": "integer"}}},
    }},
)
@in_een_werkdraad
def health_ready(request: Request) -> Gezondheid | JSONResponse:
    """De API kan verzoeken afhandelen (readiness): gebeurtenissen, sleutels en logboek antwoorden binnen
    2 seconden. Anders 503, zodat een load balancer deze instantie overslaat."""
    staat = request.app.state
    peilingen: dict[str, Callable[[], object]] = {
        "gebeurtenissen": staat.inburgering.recorder.max_notification_id,
        "sleutels": lambda: staat.inburgering.sleutels.vernietigd(UUID(int=0)),
        "logboek": lambda: staat.logboek.auditregels("0" * 32),
    }
    lopend = {_peilers.submit(peiling): naam for naam, peiling in peilingen.items()}
    klaar, _ = wait(lopend, timeout=GEREED_BINNEN)
    niet_gereed = []
    for peiling, naam in lopend.items():
        if peiling not in klaar:
            peiling.cancel()  # not started yet: it never will
            niet_gereed.append(naam)
        elif (fout := peiling.exception()) is not None:
            log.warning("gereedheid: %s antwoordt niet: %s: %s", naam, type(fout).__name__, fout)
            niet_gereed.append(naam)
    if niet_gereed:
        return onbeschikbaar(request, f"Niet bereikbaar binnen {GEREED_BINNEN:g} s: {', '.join(sorted(niet_gereed))}.")
    return Gezondheid(status="ok")

