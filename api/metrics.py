"""Metrics in the Prometheus text format: `GET /metrics`, beside the API (not under /api/v1, not in its
document), without a token, like the health checks. It carries no personal value: labels are route
templates (api/serverlog.py), statuses, command methods, read-model names, subscription ids and pool
kinds, never a path as sent, a BSN, a person or a token (tests/api/test_metrics.py drives a BSN through
and searches the scrape). It does tell how busy the service is: operators keep it off the public reverse
proxy (README, Operations).

Several workers: counters and histograms are kept by each worker in files under PROMETHEUS_MULTIPROC_DIR
and every scrape adds them up (prometheus-client's multiprocess mode), so whichever worker answers, the
numbers are those of the whole server. Without that variable (one worker, the tests' app) they live in
this process. What needs a read of the stores (read models, subscriptions, the integrity check) is read
at scrape time, bounded like the readiness check; the pools' use and the commands' turns are each worker's own, summed."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.integriteit import Integriteitsstaat
from adapters.sqlverbinding import GebeurtenissenPool, open_pools
from api.peiling import peil
from api.problems import PROBLEEMCODE
from api.routers.werkdraad import Commandobeurten
from api.serverlog import sjabloon
from domain.abonnement import Abonnementstatus

MAP = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MAP:
    os.makedirs(MAP, exist_ok=True)  # before the first metric writes its file there
PEILEN_BINNEN = 2.0  # seconds: the reads of a scrape, well within Prometheus's default scrape timeout (10 s)
POOLS_BIJWERKEN_NA = 1.0  # seconds: a worker reports its pools' use and its commands' turns at most this often, after a request
METHODEN = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
COMMANDO = "metrics_commando"  # the key in the request's state under which a command route names its command

VERZOEKEN = Counter("inburgering_http_requests", "HTTP requests, per method, route template and status.",
                    ["method", "route", "status"])
DUUR = Histogram("inburgering_http_request_duration_seconds", "Time from request to the last byte of the answer.",
                 ["method", "route", "status"])
COMMANDOS = Counter("inburgering_commands", "Commands on trajectories, per command (the trajectory's method) and outcome: "
                    "ok, herhaald (an idempotent repeat), regel-overtreden (409), gelijktijdig (409: another request changed it at "
                    "the same time), sleutel-hergebruikt (409: an Idempotency-Key reused for another request), "
                    "verouderd (412), niet-gevonden (404), "
                    "geweigerd (another 4xx), onbeschikbaar (503), fout (another 5xx).", ["command", "outcome"])
POOL = Gauge("inburgering_pool_connections", "Database connections per pool (gebeurtenissen: the event store's; "
             "opslag: the other stores') and state (in_gebruik, vrij, max), summed over the workers.",
             ["pool", "state"], multiprocess_mode="livesum")
POOL_WACHTEND = Gauge("inburgering_pool_requests_waiting", "Requests waiting for a connection, summed over the workers.",
                      ["pool"], multiprocess_mode="livesum")
BEURTEN = Gauge("inburgering_commands_in_progress", "Commands carried out now (bezig) and commands waiting for their turn "
                "(wachtend: more than COMMANDOS_TEGELIJK at once), summed over the workers.", ["state"], multiprocess_mode="livesum")
UITKOMSTEN = {409: "regel-overtreden", 412: "verouderd", 404: "niet-gevonden", 503: "onbeschikbaar"}
# A 409 that breaks no rule of the law: by the problem's code (api/problems.py), so that a dashboard of broken
# rules is not one of races and client mistakes.
ANDERE_CONFLICTEN = {"gelijktijdige-wijziging": "gelijktijdig", "idempotency-key-hergebruikt": "sleutel-hergebruikt"}


def noem_commando(request: Request, aanroep: Any) -> None:
    """Called by a command route: the request's command, counted with its outcome once it is answered."""
    setattr(request.state, COMMANDO, aanroep.methode.__name__)


def uitkomst(status: int, herhaald: bool, probleemcode: str | None = None) -> str:
    if status < 300:
        return "herhaald" if herhaald else "ok"
    if status == 409 and probleemcode in ANDERE_CONFLICTEN:
        return ANDERE_CONFLICTEN[probleemcode]
    return UITKOMSTEN.get(status, "fout" if status >= 500 else "geweigerd")


def werk_bezetting_bij(app_staat: State) -> None:
    """The pools' use and the commands' turns, as the gauges show them."""
    beurten: Commandobeurten | None = getattr(app_staat, "commandobeurten", None)  # set by the lifespan (api/main.py)
    bezig, wachtend = beurten.bezet() if beurten is not None else (0, 0)
    BEURTEN.labels("bezig").set(bezig)
    BEURTEN.labels("wachtend").set(wachtend)
    per_soort: dict[str, dict[str, int]] = {}
    for pool in open_pools():
        stats = pool.get_stats()
        soort = per_soort.setdefault("gebeurtenissen" if isinstance(pool, GebeurtenissenPool) else "opslag",
                                     dict.fromkeys(("in_gebruik", "vrij", "max", "wachtend"), 0))
        soort["in_gebruik"] += stats.get("pool_size", 0) - stats.get("pool_available", 0)
        soort["vrij"] += stats.get("pool_available", 0)
        soort["max"] += stats.get("pool_max", 0)
        soort["wachtend"] += stats.get("requests_waiting", 0)
    for naam, tellingen in per_soort.items():
        for staat in ("in_gebruik", "vrij", "max"):
            POOL.labels(naam, staat).set(tellingen[staat])
        POOL_WACHTEND.labels(naam).set(tellingen["wachtend"])


class Metingen:
    """Middleware, just inside the request log: counts and times every request by its route template, and
    the command a route names by the answer's status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._pools_bijgewerkt = 0.0
        # Each series' child, as `labels()` finds it (under a lock, after checking the labels) on every request.
        # Method, route template and status are bounded sets, so is this.
        self._reeksen: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begin = time.perf_counter()
        staat = scope.setdefault("state", {})  # the routes' request.state: where a command route names its command
        status, herhaald = 500, False

        async def zend(bericht: Message) -> None:
            nonlocal status, herhaald
            if bericht["type"] == "http.response.start":
                status = bericht["status"]
                herhaald = any(naam.lower() == b"idempotent-replayed" for naam, _ in bericht.get("headers", []))
            await send(bericht)

        try:
            await self.app(scope, receive, zend)
        finally:
            methode = scope["method"] if scope["method"] in METHODEN else "anders"
            labels = (methode, sjabloon(scope), str(status))
            if (reeksen := self._reeksen.get(labels)) is None:
                reeksen = self._reeksen[labels] = (VERZOEKEN.labels(*labels), DUUR.labels(*labels))
            reeksen[0].inc()
            reeksen[1].observe(time.perf_counter() - begin)
            if (commando := staat.get(COMMANDO)) is not None:
                COMMANDOS.labels(commando, uitkomst(status, herhaald, staat.get(PROBLEEMCODE))).inc()
            if (nu := time.monotonic()) - self._pools_bijgewerkt > POOLS_BIJWERKEN_NA:
                self._pools_bijgewerkt = nu
                werk_bezetting_bij(scope["app"].state)


class Opslagmeter(Collector):
    """What a scrape reads from the stores, the same whichever worker answers: per read model its position,
    the head and its lag; per subscription its position and lag; the last full integrity check."""

    def __init__(self, staat: Any) -> None:
        self.staat = staat

    def collect(self) -> Iterator[Metric]:
        staat = self.staat
        uitslag = peil({
            "projecties": staat.projector.stand,
            "abonnementen": lambda: (staat.abonnementen.alle(), staat.inburgering.recorder.max_notification_id() or 0),
            "integriteit": lambda: Integriteitsstaat(staat.inburgering.recorder).stand(),
        }, PEILEN_BINNEN)
        gelukt = GaugeMetricFamily("inburgering_metrics_read_ok", "1: this scrape read the source in time; 0: it did not "
                                   "(its series are missing from this scrape).", labels=["source"])
        for bron in ("projecties", "abonnementen", "integriteit"):
            gelukt.add_metric([bron], 0 if bron in uitslag.mislukt else 1)
        yield gelukt
        if (standen := uitslag.antwoorden.get("projecties")) is not None:
            yield from _projecties(standen)
        if (abonnementen := uitslag.antwoorden.get("abonnementen")) is not None:
            yield from _abonnementen(*abonnementen)
        if (integriteit := uitslag.antwoorden.get("integriteit")) is not None:
            yield from _integriteit(integriteit)


def _projecties(standen: dict[str, Any]) -> Iterator[Metric]:
    positie = GaugeMetricFamily("inburgering_projection_position", "The last log position the read model processed.", labels=["read_model"])
    kop = GaugeMetricFamily("inburgering_projection_head", "The head of the event log (its highest position).")
    achterstand = GaugeMetricFamily("inburgering_projection_lag", "Log positions the read model has not processed yet.", labels=["read_model"])
    storing = GaugeMetricFamily("inburgering_projection_stopped", "1 when the read model stopped at an event it cannot "
                                "take (GET /api/v1/projecties names it).", labels=["read_model"])
    for naam, stand in standen.items():
        positie.add_metric([naam], stand.positie)
        achterstand.add_metric([naam], stand.achterstand)
        storing.add_metric([naam], 0 if stand.storing is None else 1)
    kop.add_metric([], max((s.kop for s in standen.values()), default=0))
    yield from (positie, kop, achterstand, storing)


def _abonnementen(abonnementen: list[Any], kop: int) -> Iterator[Metric]:
    positie = GaugeMetricFamily("inburgering_subscription_position", "The log position delivered up to.", labels=["subscription"])
    achterstand = GaugeMetricFamily("inburgering_subscription_lag", "Log positions after the delivered one (not all of them "
                                    "match the subscription's filters).", labels=["subscription"])
    geschorst = GaugeMetricFamily("inburgering_subscription_suspended", "1 when delivery is suspended (geschorst).", labels=["subscription"])
    mislukt = GaugeMetricFamily("inburgering_subscription_failed_attempts", "Failed deliveries in a row.", labels=["subscription"])
    for abonnement in abonnementen:
        id_ = [str(abonnement.id)]
        positie.add_metric(id_, abonnement.positie)
        achterstand.add_metric(id_, max(0, kop - abonnement.positie))
        geschorst.add_metric(id_, 1 if abonnement.status is Abonnementstatus.GESCHORST else 0)
        mislukt.add_metric(id_, abonnement.mislukte_pogingen)
    yield from (positie, achterstand, geschorst, mislukt)


def _integriteit(stand: Any) -> Iterator[Metric]:
    positie = GaugeMetricFamily("inburgering_integrity_verified_position", "The log position up to which the incremental check verified.")
    positie.add_metric([], stand.positie)
    yield positie
    if stand.volledig is None:
        return  # never checked in full: no result and no age, rather than a made-up one
    in_orde = GaugeMetricFamily("inburgering_integrity_last_full_check_ok", "1 when the last full check (make verify, "
                                "GET /api/v1/integriteit?volledig=true) found everything in order.")
    in_orde.add_metric([], 1 if stand.volledig.in_orde else 0)
    tijdstip = GaugeMetricFamily("inburgering_integrity_last_full_check_timestamp_seconds", "When the last full check began (Unix time).")
    tijdstip.add_metric([], stand.volledig.tijdstip.timestamp())
    leeftijd = GaugeMetricFamily("inburgering_integrity_last_full_check_age_seconds", "Seconds since the last full check began.")
    leeftijd.add_metric([], (datetime.now(UTC) - stand.volledig.tijdstip).total_seconds())
    yield from (in_orde, tijdstip, leeftijd)


class _Proces(Collector):
    """The metrics of this process (one worker), as prometheus-client keeps them by default."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def metrics(request: Request) -> Response:
    register = CollectorRegistry()
    if MAP:
        multiprocess.MultiProcessCollector(register)
    else:
        register.register(_Proces())
    werk_bezetting_bij(request.app.state)
    register.register(Opslagmeter(request.app.state))
    codeer, soort = choose_encoder(request.headers.get("Accept", ""))
    return Response(codeer(register), media_type=soort)


def meld_af() -> None:
    """When the app stops: a worker that stops takes its pool gauges out of the sum; its counts stay, as a
    counter never goes down. (Not atexit: uvicorn's workers end with os._exit.)"""
    if MAP:
        multiprocess.mark_process_dead(os.getpid())


def voeg_metrics_toe(app: FastAPI) -> None:
    """GET /metrics, outside the API's document; the middleware that counts each request."""
    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    app.add_middleware(Metingen)
