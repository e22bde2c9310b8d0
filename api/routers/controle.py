"""For followers and auditors: the event feed as NL GOV CloudEvents, and the integrity of the log."""

# No `from __future__ import annotations`: FastAPI reads the parameter types at runtime.
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from adapters.bootstrap import controlepunten_van
from adapters.integriteit import Integriteitsstaat, als_dict, controleer_incrementeel, controleer_volledig
from api import schemas
from api.auth import Auditor, Lezer
from api.cloudevents import cloudevent
from api.logboek import betrokken
from api.openapi import BASISPAD
from api.routers.commandoroutes import App
from api.routers.werkdraad import in_een_werkdraad
from domain.application import Actor, Inburgering

router = APIRouter(tags=["controle"])


JSON, BATCH = "application/json", "application/cloudevents-batch+json"
FEED_ANTWOORDEN: dict[int | str, dict[str, Any]] = {200: {
    "description": f"Gelukt. Standaard (`{JSON}`) een pagina met `positie` en `volgende`; met `Accept: {BATCH}` dezelfde "
                   "CloudEvents als één JSON-array (CloudEvents batched content mode), de volgende pagina dan alleen in `Link`.",
    "content": {BATCH: {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/CloudEventPublic"}}}},
    "headers": {"Link": {}},  # api/antwoorden.py
}}


@router.get("/gebeurtenissen", responses=FEED_ANTWOORDEN, response_model=schemas.FeedPublic)
async def volg_gebeurtenissen(
    request: Request,
    response: Response,
    app: App,
    actor: Lezer,
    na: Annotated[int, Query(ge=0, le=10**15, description="De positie waarna gelezen wordt; 0 voor het begin.")] = 0,
    limiet: Annotated[int, Query(ge=1, le=1000, description="Hoeveel gebeurtenissen ten hoogste.")] = 100,
    wacht: Annotated[int, Query(
        ge=0, le=60, description="Hoeveel seconden het antwoord mag wachten op een nieuwe gebeurtenis die u mag zien, wanneer er "
        "na `na` nog geen is (long-poll); 0: antwoord meteen. Na die tijd volgt een lege pagina.")] = 0,
) -> schemas.FeedPublic | Response:
    """Elke gebeurtenis in de volgorde van het log, als NL GOV CloudEvents, informatiearm: wat er gebeurde
    en waar het staat (`dataref`). Een volger die bij 0 begint en `na` telkens op `positie` zet, ziet elke
    gebeurtenis binnen zijn mandaat precies één keer, ook terwijl er geschreven wordt. Met `wacht` antwoordt
    de API zodra er een nieuwe gebeurtenis is die de volger mag zien (een gebeurtenis van een andere
    gemeente beëindigt het wachten niet), of na zoveel seconden met een lege pagina."""
    einde = time.monotonic() + wacht
    feed = await run_in_threadpool(_lees_feed, request, app, actor, na, na, limiet)
    # Waiting holds no thread and no connection: the process's Wekker wakes this coroutine when the log grows.
    while not feed.gebeurtenissen and (rest := einde - time.monotonic()) > 0:
        if await request.app.state.wekker.wacht_async(feed.positie, rest) <= feed.positie:
            break  # the time is up (or the server stops)
        feed = await run_in_threadpool(_lees_feed, request, app, actor, na, feed.positie, limiet)
    koppen = {"Vary": "Accept"} | ({"Link": f'<{feed.volgende}>; rel="next"'} if feed.volgende else {})
    if _gevraagd(request.headers.get("accept", "")) == BATCH:
        inhoud = _CLOUDEVENTS.dump_json(feed.gebeurtenissen, by_alias=True)
        return Response(inhoud, media_type=BATCH, headers=koppen)
    response.headers.update(koppen)
    return feed


def _lees_feed(request: Request, app: Inburgering, actor: Actor, na: int, vanaf: int, limiet: int) -> schemas.FeedPublic:
    """One page from `vanaf` (blocking: one hop to a worker thread); `na` is where the follower asked to start, for the link."""
    feiten, positie = app.gebeurtenissen_na(vanaf, limiet, actor)
    bron, basis = request.app.state.instellingen.cloudevents_bron, str(request.base_url).rstrip("/") + BASISPAD
    betrokken(request, {feit.originator_id for _, feit in feiten})
    gebeurtenissen = [cloudevent(nummer, feit, actor.rol, bron, basis) for nummer, feit in feiten]
    volgende = None
    if na < positie < (app.recorder.max_notification_id() or 0):  # more to read after this page
        volgende = str(request.url.include_query_params(na=positie))
    return schemas.FeedPublic(gebeurtenissen=gebeurtenissen, positie=positie, volgende=volgende)


_CLOUDEVENTS = TypeAdapter(list[schemas.CloudEventPublic])


def _gevraagd(accept: str) -> str:
    """The batch when the client prefers it to plain JSON, else the default. Each type takes the q of the most
    specific range that covers it (RFC 9110 12.5.1), so `*/*` alone stays JSON. A type the client does not
    accept at all still gets JSON, as from every other operation of this API (no 406)."""
    bereiken: list[tuple[str, float]] = []
    for deel in accept.split(","):
        soort, *parameters = (stuk.strip() for stuk in deel.split(";"))
        q = 1.0
        for parameter in parameters:
            naam, _, waarde = parameter.partition("=")
            if naam.strip().lower() == "q":
                try:
                    q = float(waarde)
                except ValueError:
                    q = 0.0
        bereiken.append((soort.lower(), q))

    def kwaliteit(mediatype: str) -> float:
        for bereik in (mediatype, mediatype.split("/")[0] + "/*", "*/*"):  # the most specific first
            if gevonden := [q for soort, q in bereiken if soort == bereik]:
                return max(gevonden)
        return 0.0

    return BATCH if kwaliteit(BATCH) > kwaliteit(JSON) else JSON


@router.get("/integriteit")
@in_een_werkdraad
def controleer_integriteit(
    app: App,
    actor: Auditor,
    volledig: Annotated[Literal["true", "false"], Query(
        description="`true`: lees elke opgeslagen gebeurtenis opnieuw (zoals `make verify`) en leg tijdstip en uitkomst vast.")] = "false",
) -> schemas.IntegriteitPublic:
    """Controleer de opgeslagen gebeurtenissen tegen hun hashketen en de ondertekende controlepunten; elke
    afwijking noemt het traject (of ander aggregaat) en de versie.

    Standaard incrementeel: alleen de gebeurtenissen na de vorige controle worden gelezen (posities `na` tot en
    met `tot` in het log). Elke keten gaat verder vanaf de versie en hash waarop zij het laatst klopte en wordt
    tegen haar ondertekende controlepunt gehouden; ook elk controlepunt dat niet staat waar de gecontroleerde
    keten eindigt, wordt nagegaan. Een gevonden afwijking blijft gemeld, bij elke volgende controle, tot zij uit
    de opslag verdwenen is (ook een afwijking die een volledige controle vond).

    Een incrementele controle leest eerder gecontroleerde gebeurtenissen níet opnieuw: wie die achteraf wijzigt
    of verwijdert, wordt pas gevonden door een volledige controle (`volledig=true`, of `make verify`). De opslag
    weigert zulke wijzigingen wel zelf (een trigger, die op PostgreSQL alleen een eigenaar of superuser kan
    uitschakelen). `laatsteVolledigeControle` zegt wanneer alles voor het laatst is gecontroleerd en of het in
    orde was; `null` wanneer dat nog nooit gebeurde."""
    staat, controlepunten = Integriteitsstaat(app.recorder), controlepunten_van(app)
    if volledig == "true":
        rapport = controleer_volledig(app.recorder, controlepunten, staat, app.klok.nu())
    else:
        rapport = controleer_incrementeel(app.recorder, controlepunten, staat)
    return schemas.IntegriteitPublic.model_validate(als_dict(rapport) | {"in_orde": rapport.in_orde})
