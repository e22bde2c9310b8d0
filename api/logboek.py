"""Access logging per request: W3C Trace Context in and out, and which persons' data a request touched.

Routers name the trajectories whose data they served (`betrokken`), with the reference to the person
when a read model holds it; a request on one trajectory's path that got past authorization touched that
trajectory even when a rule then refused the command. After the answer, one audit row and one LDV record
per person are queued for the log's writer (adapters/logboek.py), which writes them in batches.
The row's object is the path only when each of its parameters is valid; otherwise the route template, so
that a BSN sent as a path segment by mistake is not stored.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from adapters.logboek import Dataverwerking, Logboek, Meegeschreven, Verzoek
from api.documentatie import BRONNEN
from api.serverlog import GEEN_ROUTE, sjabloon
from domain import verwerkingsactiviteiten as register
from domain.application import Actor
from domain.waarden import Rol

log = logging.getLogger("inburgering.logboek")
TRACEPARENT = re.compile(r"^00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-[0-9a-f]{2}$")
NIET_GELOGD = ("/health", "/health/live", "/health/ready", "/metrics", "/openapi.json", "/docs", "/redoc")
INTAKE_EN_PIP = {"coa-overdrachten", "kennisgevingen", "huisvestingen", "intake-oproepen", "kennismakingsgesprekken",
                 "leerbaarheidstoetsen", "leerbaarheidstoets-ontheffingen", "brede-intakes", "intakes-in-afwezigheid",
                 "welkomstprogrammas", "pip-vaststellingen", "pip-wijzigingen", "leerroute-wijzigingen", "afschalingen"}


@dataclass(frozen=True)
class Tracecontext:
    trace_id: str
    ouder_id: str | None  # the caller's span, when it sent a traceparent
    operation_id: str  # this request's span

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.operation_id}-01"


def tracecontext(traceparent: str | None) -> Tracecontext:
    """Continue the caller's trace, or start one; an invalid header starts a new one (W3C Trace Context 4.3)."""
    gevonden = TRACEPARENT.match(traceparent or "")
    if gevonden:
        return Tracecontext(gevonden.group(1), gevonden.group(2), secrets.token_hex(8))
    return Tracecontext(secrets.token_hex(16), None, secrets.token_hex(8))


def betrokken(request: Request, traject_ids: Iterable[UUID | str], referenties: Mapping[str, str] | None = None) -> None:
    """The request served data of the persons of these trajectories, given as UUIDs or as the text str(UUID) writes
    (a read model's column). `referenties` (by that text) are the persons' references as a read model keeps them
    (`betrokkene`, JSON), so the log looks none up; give only those the read model has, and none for a forgotten
    person (the read model drops it on the removal)."""
    gezien: dict[str, str | None] = request.state.betrokkenen
    for t in traject_ids:
        traject_id = t if isinstance(t, str) else str(t)  # a read model's ids are text already: 1 µs each to parse
        referentie = referenties.get(traject_id) if referenties else None
        if referentie is not None or traject_id not in gezien:
            gezien[traject_id] = referentie


def activiteit(rol: Rol | None, pad: str) -> register.Verwerkingsactiviteit:
    """Under which registered activity a role's request processes personal data."""
    if rol is Rol.DUO:
        return register.VERSTREKKING_DUO
    if rol in (Rol.AUDITOR, Rol.BEHEERDER):
        return register.VERANTWOORDING
    if rol is Rol.HANDHAVER or "/handhavingszaken" in pad:
        return register.HANDHAVING
    onderdeel = pad.rstrip("/").rsplit("/", 1)[-1]
    if onderdeel == "verwijderingen":
        return register.BEWAREN_EN_VERNIETIGEN
    return register.BREDE_INTAKE_EN_PIP if onderdeel in INTAKE_EN_PIP else register.TRAJECTREGIE


def _uuid(waarde: object) -> UUID | None:
    """The path's trajectory id; None when it is none, so an odd path still gets its record."""
    try:
        return UUID(str(waarde)) if waarde is not None else None
    except ValueError:
        return None


def _padparameters(dependant: Dependant) -> list[Any]:
    velden = list(dependant.path_params)
    for afhankelijk in dependant.dependencies:
        velden += _padparameters(afhankelijk)
    return velden


def _object(request: Request) -> str:
    """The path when every path parameter is valid (a trajectory id is a UUID, no personal data, and the
    auditor needs it), else the route template: the route may have refused the request before reading its path."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        _, fouten = request_params_to_args(_padparameters(route.dependant), request.path_params)
        if not fouten:
            return request.url.path
    return sjabloon(request.scope)


async def leg_vast(request: Request, status: int, trace: Tracecontext, start: datetime) -> None:
    """Queue the request's audit row and LDV records for the log's writer, unless they were committed with the
    command's events (`met_de_gebeurtenissen`). When its queue is full the request waits for room (in a worker
    thread: never the event loop), bounded; see adapters/logboek.py."""
    meegeschreven: Meegeschreven | None = getattr(request.state, "meegeschreven", None)
    if meegeschreven is not None and meegeschreven.is_vastgelegd:
        return
    pad = request.url.path
    if pad.endswith(NIET_GELOGD) or pad.startswith(f"{BRONNEN}/") or request.method == "OPTIONS":
        return
    actor: Actor | None = getattr(request.state, "actor", None)
    betrokkenen: dict[str, str | None] = dict(request.state.betrokkenen)
    traject_id = _uuid(request.path_params.get("trajectId"))
    if traject_id is not None and actor is not None and status not in (400, 401, 403, 404, 413, 415, 422):
        betrokkenen.setdefault(str(traject_id), None)  # loaded and judged, even if a rule then refused the command
    rol = actor.rol if actor else None
    ids, soort = secrets.token_hex(8 * len(betrokkenen)), activiteit(rol, pad)  # once for a page of a hundred persons
    verwerkingen = [
        Dataverwerking(ids[16 * i:16 * (i + 1)], traject, soort, referentie)
        # In the ids' order: as str(UUID) writes them (fixed width, lower-case hex), text sorts as the numbers do.
        for i, (traject, referentie) in enumerate(sorted(betrokkenen.items()))
    ]
    verzoek = _verzoek(request, status, trace, start, actor)
    logboek: Logboek = request.app.state.logboek
    try:
        if not logboek.probeer_leg_vast(verzoek, verwerkingen):
            await run_in_threadpool(logboek.leg_vast, verzoek, verwerkingen)  # push back: wait for room
    except Exception:
        # The request's own work is done (a command is committed): its answer stands. A log that could
        # not be written is an incident for the operators (BIO 8.15.05), raised loudly here.
        log.critical("toegangslog niet geschreven voor trace %s operatie %s", trace.trace_id, trace.operation_id, exc_info=True)


def met_de_gebeurtenissen(request: Request, actor: Actor) -> Meegeschreven:
    """The access-log records of the command this request carries out, as they read once it commits (201), for
    the event store to write in the transaction of its events: the command and its record commit together."""
    trace: Tracecontext = request.state.trace
    # Asked inside the route: FastAPI has validated each path parameter, so the path is the record's object.
    verzoek = _verzoek(request, 201, trace, request.state.begin, actor, request.url.path)
    meegeschreven = request.app.state.logboek.met_de_gebeurtenissen(verzoek, activiteit(actor.rol, request.url.path))
    request.state.meegeschreven = meegeschreven
    return meegeschreven


def _verzoek(request: Request, status: int, trace: Tracecontext, start: datetime, actor: Actor | None,
             object_: str | None = None) -> Verzoek:
    rol = actor.rol if actor else None
    route = request.scope.get("route")
    return Verzoek(
        trace_id=trace.trace_id,
        operation_id=trace.operation_id,
        aanroeper_id=trace.ouder_id,
        naam=getattr(route, "name", "").replace("_", "-") or f"{request.method} {GEEN_ROUTE}",
        start=start.isoformat(),
        eind=datetime.now(UTC).isoformat(),
        http_status=status,
        actie=request.method,
        object=object_ if object_ is not None else _object(request),
        gebruiker=actor.gebruiker if actor else None,
        rol=rol.value if rol else None,
        gemeenten=sorted(g.value for g in actor.gemeenten) if actor else [],
        oorsprong=request.client.host if request.client else None,
    )
