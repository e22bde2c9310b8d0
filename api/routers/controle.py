"""For followers and auditors: the event feed as NL GOV CloudEvents, and the integrity of the log."""

# No `from __future__ import annotations`: FastAPI reads the parameter types at runtime.
from typing import Annotated, Literal
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter, Query, Request, Response

from adapters.bootstrap import controlepunten_van
from adapters.integriteit import Integriteitsstaat, als_dict, controleer_incrementeel, controleer_volledig
from api import schemas
from api.auth import Auditor, Lezer
from api.gebeurtenistypen import dataschema, type_voor
from api.logboek import betrokken
from api.openapi import BASISPAD
from api.routers.commandoroutes import App
from api.routers.werkdraad import in_een_werkdraad

router = APIRouter(tags=["controle"])


@router.get("/gebeurtenissen")
@in_een_werkdraad
def volg_gebeurtenissen(
    request: Request,
    response: Response,
    app: App,
    actor: Lezer,
    na: Annotated[int, Query(ge=0, le=10**15, description="De positie waarna gelezen wordt; 0 voor het begin.")] = 0,
    limiet: Annotated[int, Query(ge=1, le=1000, description="Hoeveel gebeurtenissen ten hoogste.")] = 100,
) -> schemas.FeedPublic:
    """Elke gebeurtenis in de volgorde van het log, als NL GOV CloudEvents, informatiearm: wat er gebeurde
    en waar het staat (`dataref`). Een volger die bij 0 begint en `na` telkens op `positie` zet, ziet elke
    gebeurtenis binnen zijn mandaat precies één keer, ook terwijl er geschreven wordt."""
    feiten, positie = app.gebeurtenissen_na(na, limiet, actor)
    bron, basis = request.app.state.instellingen.cloudevents_bron, str(request.base_url).rstrip("/") + BASISPAD
    betrokken(request, {feit.originator_id for _, feit in feiten})
    gebeurtenissen = [
        schemas.CloudEventPublic(
            specversion="1.0",
            id=uuid5(NAMESPACE_URL, f"urn:sdd:inburgering:gebeurtenis:{feit.originator_id}:{feit.originator_version}"),
            source=bron,
            type=type_voor(type(feit), actor.rol),
            dataschema=dataschema(basis, type_voor(type(feit), actor.rol), actor.rol),
            time=feit.timestamp,
            subject=feit.originator_id,
            sequence=f"{nummer:020d}",
            datacontenttype="application/json",
            dataref=f"{basis}/trajecten/{feit.originator_id}/gebeurtenissen/{feit.originator_version}",
            data=schemas.CloudEventData(
                traject_id=feit.originator_id, versie=feit.originator_version,
                datum=feit.datum, gemeente=feit.metadata.gemeente,  # type: ignore[attr-defined]
            ),
        )
        for nummer, feit in feiten
    ]
    volgende = None
    if na < positie < (app.recorder.max_notification_id() or 0):  # more to read after this page
        volgende = str(request.url.include_query_params(na=positie))
        response.headers["Link"] = f'<{volgende}>; rel="next"'
    return schemas.FeedPublic(gebeurtenissen=gebeurtenissen, positie=positie, volgende=volgende)


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
