"""The FastAPI application: composition of settings, store, routers and error mapping."""

from __future__ import annotations

import gc
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.dependencies.models import Dependant
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.bootstrap import bouw_abonnementen, bouw_applicatie, bouw_leesmodelopslag, bouw_logboek
from adapters.clock import SysteemKlok
from adapters.crypto import bsn_sleutel, vingerafdruk_functie
from adapters.settings import Settings
from adapters.startcontrole import start_instellingen
from adapters.tokens import sleutelbron
from adapters.wekker import Wekker
from api import problems
from api.auth import Tokencontrole
from api.beveiliging import Poortwachter, alleen_json
from api.documentatie import voeg_documentatie_toe
from api.logboek import leg_vast, tracecontext
from adapters.logopmaak import zet_verzoek
from api.metrics import meld_af, voeg_metrics_toe
from api.openapi import API_VERSIE, BASISPAD, bouw_openapi
from api.proxy import VertrouwdeProxies
from api.bezorging import Bezorger
from api.routers import abonnementen, controle, gebeurtenistypen, handhaving, health, leesmodellen, trajecten
from api.routers.health import Stilstand
from api.routers.werkdraad import begrens_commandos, laat_commandos_los
from api.schemas import UUID_PATROON, CorrelatieId
from api.serverlog import Verzoeklog
from domain.application import Klok
from projections.projector import Projector
from projections.versies import Versiebouwer

CORRELATIE_ID = re.compile(UUID_PATROON)


def _operation_id(route: APIRoute) -> str:
    return route.name.replace("_", "-")


def _queryparameters(dependant: Dependant) -> set[str]:
    namen = {veld.alias for veld in dependant.query_params}
    for afhankelijk in dependant.dependencies:
        namen |= _queryparameters(afhankelijk)
    return namen


async def verzoekvorm(
    request: Request,
    _: Annotated[
        CorrelatieId | None,
        Header(
            alias="X-Correlation-ID",
            description="Een UUID die dit verzoek verbindt met de feiten die het vastlegt; zonder kiest de API er een. "
            "Alleen een UUID, want de id wordt bij elk feit bewaard, ook na verwijdering van de persoonsgegevens.",
        ),
    ] = None,
) -> None:
    """What every operation asks of a request's form, in one dependency (FastAPI spends about 50 µs on each, per
    request):
    - a correlation id is stored with every fact and outlives forgetting: anything but an identifier is a 400 (the
      middleware takes a valid one, or makes one, before routing; this declares and checks the header);
    - a query parameter the operation does not know is a mistake worth saying, not ignoring;
    - a body is JSON (api/beveiliging.py)."""
    if request.scope["query_string"]:
        route = request.scope.get("route")
        bekend = _queryparameters(route.dependant) if isinstance(route, APIRoute) else set()
        if onbekend := sorted(set(request.query_params) - bekend):
            raise problems.ProbleemError(
                400, "onbekende-parameter", "Onbekende queryparameter.", f"Onbekend: {', '.join(repr(p) for p in onbekend)}."
            )
    alleen_json(request)


class Kopregels:
    """Per request: the correlation id and trace context in, the API's headers out, and the access log after
    the answer (queued for the log's writer, api/logboek.py). Plain ASGI: no task or stream of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)  # its state is the scope's: the routes see what is set here
        gevraagd = request.headers.get("X-Correlation-ID", "")
        request.state.correlatie_id = correlatie = gevraagd if CORRELATIE_ID.fullmatch(gevraagd) else str(uuid.uuid4())
        request.state.trace = trace = tracecontext(request.headers.get("traceparent"))
        zet_verzoek(trace.trace_id, trace.operation_id, correlatie)  # on every log line of this request (api/logopmaak.py)
        request.state.betrokkenen = {}
        request.state.begin = begin = datetime.now(UTC)
        status = 500

        async def verzend(bericht: Message) -> None:
            nonlocal status
            if bericht["type"] == "http.response.start":
                status = bericht["status"]
                koppen = MutableHeaders(scope=bericht)
                koppen["API-Version"] = API_VERSIE
                koppen["X-Correlation-ID"] = correlatie
                koppen["traceparent"] = trace.traceparent
            await send(bericht)

        try:
            await self.app(scope, receive, verzend)
        except Exception:
            # An unexpected error becomes a 500 outside this middleware; what was processed is logged first.
            await leg_vast(request, 500, trace, begin)
            raise
        # The answer has been sent (as an exporter would, the log does not keep the client waiting).
        await leg_vast(request, status, trace, begin)


def neem_op(app: FastAPI, router: APIRouter, prefix: str) -> None:
    """`app.include_router(router, prefix=prefix)`, but with each route on the app's own list. FastAPI 0.163 keeps
    an included router as a branch that it walks, with its own bookkeeping, on every request: 0.2 to 0.3 ms of a
    command here, against 0.1 ms for the same routes in one list. What the router added to its routes (its prefix,
    tags, dependencies, responses) is in each route already; the app adds its own, as for any route. A test builds
    a router both ways and compares the document and the requests (tests/api/test_verzoekpad.py)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only API routes are taken over one by one")
        app.router.add_api_route(
            prefix + route.path, route.endpoint, response_model=route.response_model, status_code=route.status_code,
            tags=route.tags, dependencies=route.dependencies, summary=route.summary, description=route.description,
            response_description=route.response_description, responses=route.responses, deprecated=route.deprecated,
            methods=route.methods, operation_id=route.operation_id, response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude, response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none, include_in_schema=route.include_in_schema,
            response_class=route.response_class, name=route.name, route_class_override=type(route), callbacks=route.callbacks,
            openapi_extra=route.openapi_extra, generate_unique_id_function=route.generate_unique_id_function,
            strict_content_type=route.strict_content_type,
        )


def create_app(instellingen: Settings | None = None, klok: Klok | None = None) -> FastAPI:
    """Build the app; the store is opened when it starts and closed when it stops. Without settings (uvicorn's
    factory) they are read from the environment and checked all at once: one message and exit 3 when incomplete."""
    instellingen = instellingen or start_instellingen()
    klok = klok or SysteemKlok()
    sleutels = sleutelbron(instellingen)

    @asynccontextmanager
    async def levensduur(app: FastAPI) -> AsyncIterator[None]:
        app.state.commandobeurten = begrens_commandos(instellingen.commandos_tegelijk)
        app.state.inburgering = bouw_applicatie(instellingen, klok)
        app.state.vingerafdruk = vingerafdruk_functie(bsn_sleutel(instellingen))
        app.state.leesmodellen = bouw_leesmodelopslag(instellingen, app.state.inburgering.recorder.events_table_name)
        app.state.projector = Projector(app.state.inburgering, app.state.leesmodellen)
        app.state.stilstand = Stilstand(instellingen.projecties_stilstand_seconden, extern=instellingen.projecties == "extern")
        # Embedded, the API writes the read models: it also builds a newer version of one beside the old
        # (projections/versies.py). With an external projector, that process does.
        app.state.versiebouwer = Versiebouwer(app.state.projector)
        if instellingen.projecties == "ingebed":
            app.state.versiebouwer.start()
        app.state.logboek = bouw_logboek(
            instellingen, app.state.inburgering, {"service.name": "inburgering-api", "service.version": API_VERSIE}
        )
        app.state.wekker = Wekker(app.state.inburgering.recorder)  # wakes the feed's long-polls (`wacht=`) and the dispatcher
        app.state.wekker.start()
        app.state.abonnementen = bouw_abonnementen(instellingen, app.state.inburgering)
        app.state.bezorger = None
        if instellingen.bezorging == "ingebed":  # the embedded set-up needs nothing more; several workers: make bezorging
            app.state.bezorger = Bezorger(app.state.inburgering, app.state.abonnementen, app.state.logboek, instellingen,
                                          app.state.wekker.wacht)
            app.state.bezorger.start()
        # What start-up built (modules, the app's schemas and routes, the stores) lives as long as the process.
        # Frozen, a full collection no longer walks it: under load such a collection paused every request for
        # 50-100 ms a few times a minute, and a request's short-lived objects are gone by the time the young
        # generation is collected, at 7,000 allocations rather than 700 (GC time under load about 300 -> 50 ms
        # per 1,300 commands, the longest pause 97 -> 16 ms). Undone on stop, so that an app stopped inside a
        # longer-lived process (the tests) can be collected.
        drempels = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(7000, 10, 10)
        try:
            yield
        finally:
            gc.set_threshold(*drempels)
            gc.unfreeze()
            laat_commandos_los(app.state.commandobeurten)  # the commands under way end before the stores close
            if app.state.bezorger is not None:
                app.state.bezorger.close()
            app.state.versiebouwer.close()
            app.state.wekker.close()  # before the store: it holds a connection of the event store's pool
            app.state.logboek.close()
            app.state.leesmodellen.close()
            app.state.inburgering.close()
            meld_af()

    app = FastAPI(
        title="Inburgering API",
        version=API_VERSIE,
        lifespan=levensduur,
        redirect_slashes=False,  # a trailing slash is another URL: 404, never a redirect
        docs_url=None,  # served from this app's own assets below, in development only (api/documentatie.py)
        redoc_url=None,
        openapi_url=f"{BASISPAD}/openapi.json",
        generate_unique_id_function=_operation_id,
        dependencies=[Depends(verzoekvorm)],
        # FastAPI's own OpenTelemetry spans would name the URL as sent, query and all (as uvicorn's access line
        # would: see below); the trace context is this app's own (api/logboek.py). Off, it also stops asking the
        # global providers on every request (about 1 % of a command's CPU).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.instellingen = instellingen
    app.state.klok = klok
    app.state.tokens = Tokencontrole(sleutels, instellingen.jwt_issuer, instellingen.jwt_audience)
    problems.registreer(app)
    for router in (health.router, leesmodellen.router, trajecten.router, handhaving.router, controle.router,
                   gebeurtenistypen.router, abonnementen.router):
        neem_op(app, router, BASISPAD)
    app.openapi = lambda: bouw_openapi(app)  # type: ignore[method-assign]
    if not instellingen.is_productie:
        voeg_documentatie_toe(app)

    app.add_middleware(Kopregels)  # innermost: it sees the matched route and the routes' state
    # Outermost last: CORS answers preflights itself; the Poortwachter guards every other request.
    app.add_middleware(Poortwachter, max_verzoek_bytes=instellingen.max_verzoek_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=instellingen.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Correlation-ID",
                       "X-Audit-Toelichting", "traceparent"],
        expose_headers=["API-Version", "ETag", "Location", "Link", "X-Correlation-ID", "Idempotent-Replayed", "traceparent",
                        "Leesmodel-Achterstand"],
        max_age=600,
    )
    # uvicorn's access line names the URL as sent, query and all: off however the server was started.
    logging.getLogger("uvicorn.access").disabled = True
    voeg_metrics_toe(app)  # GET /metrics, and the middleware that counts every request, just inside the request log
    app.add_middleware(Verzoeklog)  # one request line for everything, preflights and refusals too
    # Outermost: everything inside sees the public scheme, host and client, whatever server runs the app. With no
    # proxy trusted it would change nothing: not a layer every request passes then.
    if instellingen.vertrouwde_proxies:
        app.add_middleware(VertrouwdeProxies, proxies=instellingen.vertrouwde_proxies)
    return app
