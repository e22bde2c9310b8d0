"""The request path's plumbing (issue 12): a command hops to a worker thread once, for its blocking work, when
its turn comes; every dependency before it runs on the event loop, and the access log is queued without a hop."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from typing import Any

import anyio.to_thread
import psycopg
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from psycopg import sql
from starlette.routing import Mount, Route

from adapters.clock import VasteKlok
from adapters.settings import Settings
from api.auth import Aanmelding
from api.main import create_app, neem_op, verzoekvorm
from api.routers.werkdraad import Commandobeurten
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import GEREED_BINNEN


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every function the app hands to a worker thread, in order (counted, then run as ever)."""
    gezien: list[str] = []
    echt, als_commando = anyio.to_thread.run_sync, Commandobeurten.voer_uit

    def naam(functie: Callable[..., Any]) -> str:
        functie = getattr(functie, "func", functie)  # a functools.partial: the function it calls
        return getattr(functie, "__qualname__", None) or repr(functie)

    async def geteld(functie: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        gezien.append(naam(functie))
        return await echt(functie, *args, **kwargs)

    async def geteld_commando(beurten: Commandobeurten, werk: Callable[[], Any]) -> Any:
        gezien.append(f"commando: {naam(werk)}")
        return await als_commando(beurten, werk)

    monkeypatch.setattr(anyio.to_thread, "run_sync", geteld)
    monkeypatch.setattr(Commandobeurten, "voer_uit", geteld_commando)
    return gezien


def test_a_command_hops_threads_once(api: TestClient, als: Kopregels, hops: list[str]) -> None:
    regisseur = als("regisseur", "0505")
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur | {"Idempotency-Key": "een-start"})
    assert start.status_code == 201, start.text
    assert hops == ["commando: start_traject"], hops  # a start too: as a sync route it hopped a second time to validate its answer
    hops.clear()
    antwoord = api.post(f"{start.headers['Location']}/kennisgevingen", json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"},
                        headers=regisseur | {"If-Match": start.headers["ETag"], "Idempotency-Key": "een-sleutel"})
    assert antwoord.status_code == 201, antwoord.text
    assert antwoord.headers["API-Version"] and antwoord.headers["X-Correlation-ID"] and antwoord.headers["traceparent"]
    assert hops == ["commando: commando_route.<locals>.route"], hops  # in the commands' own pool, not anyio's


def test_a_read_hops_threads_once_a_list_with_its_read_model_included(api: TestClient, als: Kopregels, hops: list[str]) -> None:
    """A sync route hopped to validate its answer too, and each sync dependency (the read model's catch-up) hopped
    on its own: a list read hopped three times."""
    regisseur = als("regisseur", "0505")
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur)
    assert start.status_code == 201, start.text
    for pad in (start.headers["Location"], f"{start.headers['Location']}/gebeurtenissen", "/api/v1/trajecten",
                "/api/v1/signaleringen", "/api/v1/rapportages/spuk?gemeente=0505&jaar=2025"):
        hops.clear()
        antwoord = api.get(pad, headers=regisseur)
        assert antwoord.status_code == 200, (pad, antwoord.text)
        assert len(hops) == 1, (pad, hops)
    assert antwoord.headers["Leesmodel-Achterstand"] == "0"  # the read model was brought up to date, in that one hop


def test_each_dependency_is_solved_on_its_own_and_a_command_has_two(api: TestClient) -> None:
    """FastAPI solves every dependency anew on each request, 50 µs and more apiece on a command's path: the bearer
    scheme and the role check are one dependency (api/auth.py `Aanmelding`), the form checks and the correlation
    id's header another (api/main.py `verzoekvorm`), and none has dependencies of its own."""
    routes = [r for r in api.app.routes if isinstance(r, APIRoute)]
    assert routes
    for route in routes:
        genest = [d.call for d in route.dependant.dependencies if d.dependencies]
        assert not genest, f"{route.path}: afhankelijkheden met eigen afhankelijkheden: {genest}"
    kennisgeving = next(r for r in routes if r.path == "/api/v1/trajecten/{trajectId}/kennisgevingen")
    oproepen = [d.call for d in kennisgeving.dependant.dependencies]
    assert oproepen[0] is verzoekvorm and isinstance(oproepen[1], Aanmelding) and len(oproepen) == 2, oproepen


def test_the_routes_are_one_list_not_branches_walked_on_every_request(api: TestClient) -> None:
    """An included router stays a branch in FastAPI, walked with its own bookkeeping on each request (0.2-0.3 ms of a
    command here); `neem_op` puts its routes on the app's list."""
    takken = [r for r in api.app.routes if not isinstance(r, (Route, Mount))]
    assert not takken, takken
    assert "/api/v1/trajecten/{trajectId}/kennisgevingen" in {r.path for r in api.app.routes if isinstance(r, APIRoute)}


def _app_met(opnemen: Callable[[FastAPI, APIRouter], None]) -> tuple[FastAPI, list[str]]:
    """An app with a dependency of its own and a router that brings a prefix, tags, a dependency and responses."""
    gezien: list[str] = []

    async def van_de_app(request: Request) -> None:
        gezien.append(f"app {request.url.path}")

    async def van_de_router() -> None:
        gezien.append("router")

    router = APIRouter(prefix="/dingen", tags=["dingen"], dependencies=[Depends(van_de_router)], responses={418: {"description": "Thee"}})

    @router.get("/{ding}", status_code=203, name="lees_ding", summary="Lees een ding")
    async def lees_ding(ding: int) -> dict[str, int]:
        """Een ding."""
        return {"ding": ding}

    @router.post("", status_code=201, include_in_schema=False)
    async def maak_ding() -> None:
        gezien.append("gemaakt")

    app = FastAPI(dependencies=[Depends(van_de_app)])
    opnemen(app, router)
    return app, gezien


def test_a_router_taken_over_route_by_route_is_the_same_as_one_included() -> None:
    """Its document, status codes, dependencies (the app's and the router's, in that order) and path parameters."""
    opgenomen, gezien_opgenomen = _app_met(lambda app, router: app.include_router(router, prefix="/api"))
    overgenomen, gezien_overgenomen = _app_met(lambda app, router: neem_op(app, router, "/api"))
    assert overgenomen.openapi() == opgenomen.openapi()
    for app, gezien in ((opgenomen, gezien_opgenomen), (overgenomen, gezien_overgenomen)):
        with TestClient(app) as client:
            antwoord = client.get("/api/dingen/7")
            assert (antwoord.status_code, antwoord.json()) == (203, {"ding": 7})
            assert client.get("/api/dingen/zeven").status_code == 422
            assert client.post("/api/dingen").status_code == 201
        assert gezien == ["app /api/dingen/7", "router", "app /api/dingen/zeven", "router", "app /api/dingen", "router", "gemaakt"]
    assert overgenomen.url_path_for("lees_ding", ding="3") == "/api/dingen/3"


def test_a_router_with_anything_but_api_routes_is_refused_not_taken_over_in_part() -> None:
    router = APIRouter()
    router.routes.append(Mount("/bestanden", routes=[]))
    with pytest.raises(TypeError, match="Mount"):
        neem_op(FastAPI(), router, "/api")


@contextmanager
def gebeurtenissen_op_slot(instellingen: Settings, tabel: str) -> Iterator[None]:
    """Another writer holds the events (PostgreSQL: the table's lock; SQLite: the file's write lock): a command
    that comes to save waits in its worker thread, as behind a slow commit. Reads go on."""
    if instellingen.database_url is None:
        with closing(sqlite3.connect(instellingen.sqlite_pad, isolation_level=None)) as ander:
            ander.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                ander.execute("ROLLBACK")
        return
    with psycopg.connect(instellingen.database_url) as ander, ander.transaction():
        ander.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(instellingen.database_schema, tabel)))
        yield


def wacht_op_beurten(api: TestClient, verwacht: tuple[int, int]) -> None:
    """Until (commands carried out, commands waiting for a turn) is as expected, in the turns the app's lifespan made."""
    gezien, tot = None, time.monotonic() + GEREED_BINNEN
    while time.monotonic() < tot:
        if (gezien := api.app.state.commandobeurten.bezet()) == verwacht:  # type: ignore[attr-defined]
            return
        time.sleep(0.01)
    raise AssertionError(f"na {GEREED_BINNEN:g} s stonden de commando's op {gezien} (bezig, wachtend), niet op {verwacht}")


def beurten_in_de_metrics(api: TestClient) -> dict[str, float]:
    scrape = api.get("/metrics")
    assert scrape.status_code == 200, scrape.text
    return {s.labels["state"]: s.value for familie in text_string_to_metric_families(scrape.text)
            for s in familie.samples if s.name == "inburgering_commands_in_progress"}


def test_commands_take_turns_without_a_thread_and_reads_do_not_wait_for_them(
    instellingen: Settings, klok: VasteKlok, als: Kopregels
) -> None:
    """Commands commit one at a time anyway; a thread per waiting command only handed the interpreter back and forth
    (served side by side, 3 or 4 turns against 40 threads gave 5-11 % more starts per second; README: Benchmarks). A read keeps the shared threadpool."""
    instellingen = instellingen.model_copy(update={"commandos_tegelijk": 1, "database_lock_timeout": 600})
    regisseur = als("regisseur", "0505")
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as api, ThreadPoolExecutor(3) as clients:
        eerste = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur)
        assert eerste.status_code == 201, eerste.text
        tabel = api.app.state.inburgering.recorder.events_table_name  # type: ignore[attr-defined]

        # Given three starts while another writer holds the events
        with gebeurtenissen_op_slot(instellingen, tabel):
            starts = [clients.submit(api.post, "/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur) for _ in range(3)]
            # Then one is carried out (it waits for the events) and two wait for their turn, without a thread
            wacht_op_beurten(api, (1, 2))
            # And a read is answered meanwhile, and the metrics say how many wait
            gelezen = api.get(eerste.headers["Location"], headers=regisseur)
            assert gelezen.status_code == 200, gelezen.text
            assert beurten_in_de_metrics(api) == {"bezig": 1, "wachtend": 2}
            assert api.app.state.commandobeurten.bezet() == (1, 2)  # type: ignore[attr-defined]

        # And once the events are free, each start is carried out in its turn
        antwoorden = [start.result(timeout=GEREED_BINNEN) for start in starts]
        assert [a.status_code for a in antwoorden] == [201, 201, 201], [a.text for a in antwoorden]
        assert len({a.json()["trajectId"] for a in antwoorden}) == 3
        wacht_op_beurten(api, (0, 0))
        assert beurten_in_de_metrics(api) == {"bezig": 0, "wachtend": 0}
