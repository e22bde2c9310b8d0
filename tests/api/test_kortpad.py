"""The short path's request handler (api/routers/kortpad.py) answers as FastAPI's generic handler would.

Every route on the short path is answered both ways in one app on one store: by its `Kortpadroute` and by
FastAPI's own handler of the same route (`Kortpadroute.door_fastapi`, wrapped as FastAPI wraps it).

- The commands: requests a command route refuses change nothing, so each is sent both ways and the answers must
  be the same, byte for byte: a missing or wrong token, a role without the right, every kind of invalid field at
  once, bytes that are not JSON, a wrong content type, an unknown query parameter, a stale version, a rule
  broken. A command that succeeds is compared by its parts (the ids differ), and its facts by what the store
  recorded.
- The lists: every role, every query parameter with values that are valid and values that are not (each alone,
  all at once, repeated, empty), the pages of a cursor and a cursor that is not ours: the same bytes and headers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import pytest
from fastapi import APIRouter, Body, Cookie, FastAPI, Header, Query, Request
from fastapi.testclient import TestClient

from api.auth import Regisseur, rollen_van
from api.main import verzoekvorm
from api.problems import ProbleemError
from api.routers.kortpad import Kortpadroute
from api.routers.werkdraad import als_commando
from api.schemas import TrajectPublic
from domain.waarden import Doelgroep, Leerroute, Rol
from tests.builders import een_bsn, kennisgeving_start, tvs_start
from tests.conftest import Kopregels

KENNISGEVING = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}
ZAAKNUMMER = "1"


def kortpadroutes(app: FastAPI) -> list[Kortpadroute]:
    return [r for r in app.router.routes if isinstance(r, Kortpadroute)]


def commandoroutes(app: FastAPI) -> list[Kortpadroute]:
    return [r for r in kortpadroutes(app) if r.methods == {"POST"}]


def lijstroutes(app: FastAPI) -> list[Kortpadroute]:
    return [r for r in kortpadroutes(app) if r.methods == {"GET"}]


@contextmanager
def door_fastapi(app: FastAPI) -> Iterator[None]:
    """Every short-path route answered by FastAPI's generic handler of the same route, then by its own again."""
    routes = kortpadroutes(app)
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


PER_VERZOEK = {"x-correlation-id", "traceparent"}


def zelfde(eigen: Any, fastapi: Any, wat: str) -> None:
    assert eigen.status_code == fastapi.status_code, (wat, eigen.text, fastapi.text)
    assert {k: v for k, v in eigen.headers.items() if k not in PER_VERZOEK} == {
        k: v for k, v in fastapi.headers.items() if k not in PER_VERZOEK}, wat
    assert eigen.content == fastapi.content, wat


def test_every_command_and_both_lists_are_answered_by_their_own_handler(api: TestClient) -> None:
    routes = kortpadroutes(api.app)  # type: ignore[arg-type]
    namen = {r.name for r in commandoroutes(api.app)}  # type: ignore[arg-type]
    assert "start_traject" in namen and "registreer_kennisgevingen" in namen and len(namen) > 30, sorted(namen)
    assert {r.path for r in lijstroutes(api.app)} == {"/api/v1/trajecten", "/api/v1/signaleringen"}  # type: ignore[arg-type]
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


# Per query parameter of a list: values a client may send that are valid, and values that are not. A parameter a
# list gains without its values here fails the test that answers every list both ways, and names it.
GELDIG: dict[str, list[str]] = {
    "gemeente": ["0505", "0642", "0590"],
    "doelgroep": [d.value for d in Doelgroep],
    "leerroute": [r.value for r in Leerroute],
    "status": ["lopend", "afgerond", "op_tijd", "binnenkort", "verlopen"],
    "regisseur": ["regisseur-0505", "iemand anders"],
    "deadlineBinnenDagen": ["0", "30", "3650"],
    "binnenkortDagen": ["0", "60", "365"],
    "peildatum": ["2025-01-06", "2026-06-30"],
    "limiet": ["1", "3", "200"],
    "cursor": ["WyIyMDI1LTAxLTA2IiwgIngiXQ=="],  # base64 of a key that may or may not fit the list
}
ONGELDIG: dict[str, list[str]] = {
    "gemeente": ["9999", "", "Dordrecht"],
    "doelgroep": ["statushouder", ""],
    "leerroute": ["B1", "a2"],
    "status": ["open", "LOPEND"],
    "regisseur": ["x" * 201],
    "deadlineBinnenDagen": ["-1", "3651", "dertig", "1.5"],
    "binnenkortDagen": ["-1", "366", ""],
    "peildatum": ["gisteren", "2025-02-30", "2025-01-06T10:00:00"],
    "limiet": ["0", "201", "1.5", ""],
    "cursor": ["!!", "x" * 501, "eyJ4IjogMX0=", "bm9nIGdlZW4ganNvbg=="],
}


def test_every_list_request_is_answered_as_fastapi_answers_it(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    for i, start in enumerate((tvs_start(een_bsn()), tvs_start(een_bsn(), datum="2025-02-03"), kennisgeving_start(een_bsn(), "0505"),
                               tvs_start(een_bsn(), gemeente="0642"))):
        antwoord = api.post("/api/v1/trajecten", json=start, headers=als("regisseur", str(start["gemeente"])))
        assert antwoord.status_code == 201, (i, antwoord.text)
    gevraagd = 0
    for route in lijstroutes(api.app):  # type: ignore[arg-type]
        parameters = [veld.alias for veld in route.dependant.query_params]
        zonder = sorted(set(parameters) - (set(GELDIG) & set(ONGELDIG)))
        assert not zonder, f"{route.path}: give {zonder} valid and invalid values in GELDIG and ONGELDIG"
        gevallen: list[tuple[str, dict[str, str] | list[tuple[str, str]], Any]] = [(f"as {rol.value}", {}, als(rol.value, "0505")) for rol in Rol]
        gevallen += [("no token", {}, {}), ("as a regisseur of two gemeenten", {}, als("regisseur", "0505", "0642")),
                     ("an unknown query parameter", {"sorteer": "naam"}, regisseur)]
        for naam in parameters:
            gevallen += [(f"{naam}={waarde!r}", {naam: waarde}, regisseur) for waarde in GELDIG[naam] + ONGELDIG[naam]]
        gevallen.append(("every parameter invalid at once", {naam: ONGELDIG[naam][0] for naam in parameters}, regisseur))
        gevallen.append(("every parameter invalid and no token", {naam: ONGELDIG[naam][0] for naam in parameters}, {}))
        gevallen.append(("every parameter given a value at once", {naam: GELDIG[naam][-1] for naam in parameters if naam != "cursor"}, regisseur))
        gevallen.append(("a parameter twice: the last counts", [("limiet", "0"), ("limiet", "2")], regisseur))
        gevallen.append(("an invalid correlation id", {}, regisseur | {"X-Correlation-ID": "geen-uuid"}))
        statussen = set()
        for wat, params, headers in gevallen:
            eigen, fastapi = beide(api, lambda: api.get(route.path, params=params, headers=headers))
            zelfde(eigen, fastapi, f"{route.path}: {wat}")
            statussen.add(eigen.status_code)
            gevraagd += 1
        assert statussen == {200, 400, 401, 403}, (route.path, statussen)
        # The pages of a cursor: the same pages, the same next links, to the end.
        pagina, paginas = f"{route.path}?limiet=1", 0
        while pagina:
            eigen, fastapi = beide(api, lambda: api.get(pagina, headers=regisseur))
            zelfde(eigen, fastapi, f"{route.path}: page {paginas}")
            assert eigen.status_code == 200 and len(next(iter(eigen.json().values()))) <= 1, eigen.text
            pagina, paginas = eigen.json()["volgende"] and eigen.links["next"]["url"], paginas + 1
        assert paginas >= 3, (route.path, paginas)  # three trajectories in 0505: the paging was followed
    assert gevraagd > 2 * 50


def test_a_route_that_uses_what_the_handler_does_not_know_is_refused_when_built() -> None:
    router = APIRouter(route_class=Kortpadroute)

    @als_commando
    def met_cookie(request: Request, actor: Regisseur, body: dict[str, Any] = Body(), sessie: str = Cookie("")) -> TrajectPublic:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="cookie"):
        router.add_api_route("/x", met_cookie, methods=["POST"], status_code=201)

    @als_commando
    def herhaalde_vraag(request: Request, labels: list[str] | None = Query(None)) -> TrajectPublic:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="one value per parameter, not 'labels'"):
        router.add_api_route("/v", herhaalde_vraag, methods=["GET"])

    def zonder_async(request: Request, body: dict[str, Any] = Body()) -> TrajectPublic:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="an async route"):
        router.add_api_route("/y", zonder_async, methods=["POST"], status_code=201)

    @als_commando
    def herhaalde_kop(request: Request, body: dict[str, Any] = Body(), labels: list[str] | None = Header(None)) -> TrajectPublic:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="one value per parameter, not 'labels'"):
        router.add_api_route("/z", herhaalde_kop, methods=["POST"], status_code=201)
