"""A command's own request handler (api/routers/commandopad.py) answers as FastAPI's generic handler would.

Every command route is answered both ways in one app on one store: by its `Commandoroute` and by FastAPI's own
handler of the same route (`Commandoroute.door_fastapi`, wrapped as FastAPI wraps it). Requests a command route
refuses change nothing, so each is sent both ways and the answers must be the same, byte for byte: a missing or
wrong token, a role without the right, every kind of invalid field at once, bytes that are not JSON, a wrong
content type, an unknown query parameter, a stale version, a rule broken. A command that succeeds is compared by
its parts (the ids differ), and its facts by what the store recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import pytest
from fastapi import APIRouter, Body, FastAPI, Header, Query, Request
from fastapi.testclient import TestClient

from api.auth import Regisseur, rollen_van
from api.main import verzoekvorm
from api.problems import ProbleemError
from api.routers.commandopad import Commandoroute
from api.routers.werkdraad import als_commando
from api.schemas import TrajectPublic
from domain.waarden import Rol
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels

KENNISGEVING = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}
ZAAKNUMMER = "1"


def commandoroutes(app: FastAPI) -> list[Commandoroute]:
    return [r for r in app.router.routes if isinstance(r, Commandoroute)]


@contextmanager
def door_fastapi(app: FastAPI) -> Iterator[None]:
    """Every command route answered by FastAPI's generic handler of the same route, then by its own again."""
    routes = commandoroutes(app)
    eigen = [route.app for route in routes]
    for route in routes:
        route.app = route.door_fastapi
    try:
        yield
    finally:
        for route, handler in zip(routes, eigen, strict=True):
            route.app = handler


def beide(api: TestClient, verzoek: Callable[[], Any]) -> tuple[Any, Any]:
    """The same request, answered by the route's own handler and by FastAPI's."""
    eigen = verzoek()
    with door_fastapi(api.app):  # type: ignore[arg-type]
        fastapi = verzoek()
    return eigen, fastapi


def zelfde(eigen: Any, fastapi: Any, wat: str) -> None:
    assert (eigen.status_code, eigen.headers.get("content-type"), eigen.headers.get("www-authenticate")) == (
        fastapi.status_code, fastapi.headers.get("content-type"), fastapi.headers.get("www-authenticate")), (wat, eigen.text, fastapi.text)
    assert eigen.content == fastapi.content, wat


def test_every_command_route_is_answered_by_its_own_handler(api: TestClient) -> None:
    routes = commandoroutes(api.app)  # type: ignore[arg-type]
    namen = {r.name for r in routes}
    assert "start_traject" in namen and "registreer_kennisgevingen" in namen and len(routes) > 30, sorted(namen)
    assert all(r.app == r._asgi for r in routes)  # not FastAPI's wrapper around it


def test_refused_commands_are_answered_as_fastapi_answers_them(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur)
    assert start.status_code == 201, start.text
    traject = start.headers["Location"]
    kennisgeving = api.post(f"{traject}/kennisgevingen", json=KENNISGEVING, headers=regisseur)
    assert kennisgeving.status_code == 201, kennisgeving.text
    versie = kennisgeving.headers["ETag"]
    gevraagd = 0
    for route in commandoroutes(api.app):  # type: ignore[arg-type]
        pad = route.path.replace("/api/v1/trajecten/{trajectId}", traject).replace("{zaaknummer}", ZAAKNUMMER)
        rol = (rollen_van(route.dependant) or (Rol.REGISSEUR,))[0]
        mag = als(rol.value, "0505")
        niet = als("auditor")
        gevallen: dict[str, dict[str, Any]] = {
            "no token": {"json": {}},
            "a role without the right": {"json": {}, "headers": niet},
            "an invalid correlation id and no token": {"json": {}, "headers": {"X-Correlation-ID": "geen-uuid"}},
            "bytes that are not JSON": {"content": b'{"datum": ', "headers": mag | {"Content-Type": "application/json"}},
            "JSON nested too deep": {"content": b"[" * 100_000 + b"]" * 100_000, "headers": mag | {"Content-Type": "application/json"}},
            "no body": {"content": b"", "headers": mag | {"Content-Type": "application/json"}},
            "not JSON at all": {"content": b"datum=2025", "headers": mag | {"Content-Type": "text/plain"}},
            "no content type": {"content": b"{}", "headers": mag},
            "a list for an object": {"json": [1, 2], "headers": mag},
            "null for an object": {"content": b"null", "headers": mag | {"Content-Type": "application/json"}},
            "every header wrong and an empty object": {"json": {}, "headers": mag | {
                "X-Correlation-ID": "geen-uuid", "If-Match": "versie drie", "Idempotency-Key": "met spatie"}},
            "fields of the wrong type": {"json": {"datum": "gisteren", "gemeente": 5, "bsn": ["x"], "verblijfsvergunning": 3,
                                                  "aanleiding": "tvs_profiel"}, "headers": mag},
            "an unknown query parameter": {"json": {}, "headers": mag, "params": {"dryRun": "1"}},
            "an invalid correlation id and an unknown query parameter": {
                "json": {}, "headers": mag | {"X-Correlation-ID": "geen-uuid"}, "params": {"dryRun": "1"}},
            "a stale version": {"json": {}, "headers": mag | {"If-Match": '"999"'}},
        }
        if "{trajectId}" in route.path:
            gevallen["a trajectory id that is no UUID"] = {"json": {}, "headers": mag, "pad": pad.replace(traject.rsplit("/", 1)[1], "123")}
            gevallen["an unknown trajectory"] = {"json": {}, "headers": mag | {"If-Match": '"999"'},
                                                 "pad": pad.replace(traject.rsplit("/", 1)[1], str(uuid4()))}
        if "{zaaknummer}" in route.path:
            gevallen["a case number out of range"] = {"json": {}, "headers": mag, "pad": pad.replace(f"/{ZAAKNUMMER}/", "/0/")}
        for wat, verzoek in gevallen.items():
            doel = verzoek.pop("pad", pad)
            eigen, fastapi = beide(api, lambda: api.post(doel, **verzoek))
            assert eigen.status_code in (400, 401, 403, 404, 409, 412, 415), (route.path, wat, eigen.status_code, eigen.text)
            zelfde(eigen, fastapi, f"{route.path}: {wat}")
            gevraagd += 1
            assert api.get(traject, headers=regisseur).headers["ETag"] == versie, (route.path, wat)  # nothing recorded
    assert gevraagd > 30 * 13


def test_a_broken_rule_is_answered_alike(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    traject = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur).headers["Location"]
    assert api.post(f"{traject}/kennisgevingen", json=KENNISGEVING, headers=regisseur).status_code == 201
    eigen, fastapi = beide(api, lambda: api.post(f"{traject}/kennisgevingen", json=KENNISGEVING, headers=regisseur))
    assert eigen.status_code == 409 and eigen.json()["code"] == "inburgeringsplicht-al-vastgesteld", eigen.text
    zelfde(eigen, fastapi, "a second kennisgeving")


def test_a_command_that_succeeds_is_answered_alike(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")

    def start_en_kennisgeving() -> tuple[list[Any], str]:
        start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur | {"Idempotency-Key": str(uuid4())})
        assert start.status_code == 201, start.text
        kop = regisseur | {"If-Match": start.headers["ETag"], "Idempotency-Key": str(uuid4())}
        kennisgeving = api.post(f"{start.headers['Location']}/kennisgevingen", json=KENNISGEVING, headers=kop)
        herhaald = api.post(f"{start.headers['Location']}/kennisgevingen", json=KENNISGEVING, headers=kop)
        return [start, kennisgeving, herhaald], start.json()["trajectId"]

    eigen, eigen_id = start_en_kennisgeving()
    with door_fastapi(api.app):  # type: ignore[arg-type]
        fastapi, fastapi_id = start_en_kennisgeving()
    assert [a.status_code for a in eigen] == [201, 201, 201] and eigen[2].headers["Idempotent-Replayed"] == "true"
    for a, b in zip(eigen, fastapi, strict=True):
        assert a.status_code == b.status_code
        zonder = {"x-correlation-id", "traceparent", "content-length"}  # per request; the length: a BSN's digits may differ
        assert {k: v.replace(eigen_id, "ID") for k, v in a.headers.items() if k not in zonder} == {
            k: v.replace(fastapi_id, "ID") for k, v in b.headers.items() if k not in zonder}
        assert _zonder(a.json(), eigen_id) == _zonder(b.json(), fastapi_id)
    # Each side's facts were recorded once: the repeated kennisgeving left the version where the first put it.
    for antwoorden, traject_id in ((eigen, eigen_id), (fastapi, fastapi_id)):
        assert api.get(f"/api/v1/trajecten/{traject_id}", headers=regisseur).headers["ETag"] == antwoorden[1].headers["ETag"]


def _zonder(antwoord: dict[str, Any], traject_id: str) -> Any:
    """The answer with the trajectory's id and the person's data (two different persons) left out."""
    return json.loads(json.dumps(antwoord).replace(traject_id, "ID"), object_hook=lambda o: {k: v for k, v in o.items() if k != "bsn"})


def test_overridden_dependencies_are_applied_as_fastapi_applies_them(api: TestClient, als: Kopregels) -> None:
    def geweigerd() -> None:
        raise ProbleemError(400, "overschreven", "Overschreven.", "Door de test.")

    api.app.dependency_overrides[verzoekvorm] = geweigerd  # type: ignore[attr-defined]
    antwoord = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=als("regisseur", "0505"))
    assert (antwoord.status_code, antwoord.json()["code"]) == (400, "overschreven"), antwoord.text
    api.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=als("regisseur", "0505")).status_code == 201


def test_a_route_that_uses_what_the_handler_does_not_know_is_refused_when_built() -> None:
    router = APIRouter(route_class=Commandoroute)

    @als_commando
    def met_query(request: Request, actor: Regisseur, body: dict[str, Any] = Body(), dry_run: bool = Query(False)) -> TrajectPublic:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="query"):
        router.add_api_route("/x", met_query, methods=["POST"], status_code=201)

    def zonder_async(request: Request, body: dict[str, Any] = Body()) -> TrajectPublic:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="an async route"):
        router.add_api_route("/y", zonder_async, methods=["POST"], status_code=201)

    @als_commando
    def herhaalde_kop(request: Request, body: dict[str, Any] = Body(), labels: list[str] | None = Header(None)) -> TrajectPublic:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="one value per parameter, not 'labels'"):
        router.add_api_route("/z", herhaalde_kop, methods=["POST"], status_code=201)
