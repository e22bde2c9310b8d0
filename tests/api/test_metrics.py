"""GET /metrics (issue 16): after a scripted run through a real server, the request, command, projection,
subscription, pool and integrity series hold exactly what happened; with two workers the numbers are the
whole server's whichever worker answers; and no label or value names a person."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from adapters.settings import Settings
from adapters.sqlverbinding import HULPVERBINDINGEN
from adapters.tokens import maak_ontwikkeltoken
from domain.traject import Inburgeringstraject
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import Serverproces

TRAJECTEN = "/api/v1/trajecten"
START = Inburgeringstraject.start_na_tvs_profiel.__name__
KENNISGEVING = Inburgeringstraject.registreer_kennisgeving.__name__
HUISVESTING = Inburgeringstraject.registreer_huisvesting.__name__
Reeksen = dict[tuple[str, frozenset[tuple[str, str]]], float]


def reeksen(tekst: str) -> Reeksen:
    """Every sample of a scrape, by name and labels."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for familie in text_string_to_metric_families(tekst) for s in familie.samples}


def waarde(gemeten: Reeksen, naam: str, **labels: str) -> float | None:
    return gemeten.get((naam, frozenset(labels.items())))


def _kop(instellingen: Settings, rol: str, *gemeenten: str) -> dict[str, str]:
    token = maak_ontwikkeltoken(instellingen, rol=rol, gemeenten=list(gemeenten), gebruiker=f"{rol}-metrics")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def server(instellingen: Settings) -> Any:
    # No dispatcher: a subscription's position stays where it was taken, so its lag is exactly known.
    with Serverproces(instellingen.model_copy(update={"bezorging": "extern"})) as server:
        yield server


def test_a_scrape_after_a_scripted_run_counts_every_request_and_command_and_shows_each_lag(
    server: Serverproces, instellingen: Settings
) -> None:
    regisseur, beheerder, auditor = (_kop(instellingen, "regisseur", "0505"), _kop(instellingen, "beheerder"),
                                     _kop(instellingen, "auditor"))
    with httpx2.Client(base_url=server.basis, timeout=60) as http:
        bsns = [een_bsn() for _ in range(3)]
        paden = []
        for bsn in bsns:
            gestart = http.post(TRAJECTEN, json=tvs_start(bsn), headers=regisseur)
            assert gestart.status_code == 201, gestart.text
            paden.append(gestart.headers["Location"].removeprefix(server.basis))
        assert http.post(TRAJECTEN, json=tvs_start(bsns[0]), headers=regisseur).status_code == 409  # a second for the person
        sleutel = {"Idempotency-Key": str(uuid.uuid4())}
        kennisgeving = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}
        for _ in range(2):  # the second is the first's answer again
            assert http.post(f"{paden[0]}/kennisgevingen", json=kennisgeving, headers=regisseur | sleutel).status_code == 201
        anders = kennisgeving | {"datum": "2025-01-21"}  # the same key for another request: no rule broken
        assert http.post(f"{paden[0]}/kennisgevingen", json=anders, headers=regisseur | sleutel).status_code == 409
        huisvesting = {"datum": "2025-02-03", "gemeente": "0505"}
        assert http.post(f"{paden[1]}/huisvestingen", json=huisvesting, headers=regisseur | {"If-Match": '"1"'}).status_code == 412
        assert http.post(f"{TRAJECTEN}/{uuid.uuid4()}/huisvestingen", json=huisvesting, headers=regisseur).status_code == 404
        assert http.post(f"{paden[1]}/huisvestingen", json={}, headers=regisseur).status_code == 400  # never reaches the command
        abonnement = http.post("/api/v1/abonnementen", json={"callbackUrl": "https://ontvanger.example.nl/x", "vanaf": 0},
                               headers=_kop(instellingen, "duo"))
        assert abonnement.status_code == 201, abonnement.text

        # Nothing read a list yet: the read models stand where they started, the whole log behind.
        projecties = {p["naam"]: p for p in http.get("/api/v1/projecties", headers=beheerder).json()["projecties"]}
        kop = projecties["trajectenlijst"]["kop"]
        assert kop > 0 and {p["achterstand"] for p in projecties.values()} == {kop}
        voor = reeksen(http.get("/metrics").text)
        assert waarde(voor, "inburgering_projection_head") == kop
        for naam in ("trajectenlijst", "signaleringen"):
            assert waarde(voor, "inburgering_projection_position", read_model=naam) == 0
            assert waarde(voor, "inburgering_projection_lag", read_model=naam) == kop
            assert waarde(voor, "inburgering_projection_stopped", read_model=naam) == 0
        abonnement_id = abonnement.json()["abonnementId"]
        assert waarde(voor, "inburgering_subscription_position", subscription=abonnement_id) == 0
        assert waarde(voor, "inburgering_subscription_lag", subscription=abonnement_id) == kop
        assert waarde(voor, "inburgering_subscription_suspended", subscription=abonnement_id) == 0
        assert waarde(voor, "inburgering_integrity_last_full_check_ok") is None  # never checked in full: no made-up age

        # A list read brings the read models up (embedded), and a full integrity check is recorded.
        assert len(http.get(TRAJECTEN, headers=regisseur).json()["trajecten"]) == 3
        controle = http.get("/api/v1/integriteit", params={"volledig": "true"}, headers=auditor)
        assert controle.status_code == 200 and controle.json()["inOrde"] is True
        assert http.get("/api/v1/integriteit", headers=auditor).json()["tot"] == kop  # the incremental one records its position
        gemeten = reeksen(http.get("/metrics").text)

    for naam in ("trajectenlijst", "signaleringen"):
        assert waarde(gemeten, "inburgering_projection_position", read_model=naam) == kop
        assert waarde(gemeten, "inburgering_projection_lag", read_model=naam) == 0
    requests = "inburgering_http_requests_total"
    assert waarde(gemeten, requests, method="POST", route=TRAJECTEN, status="201") == 3
    assert waarde(gemeten, requests, method="POST", route=TRAJECTEN, status="409") == 1
    huisvestingen = f"{TRAJECTEN}/{{trajectId}}/huisvestingen"
    assert waarde(gemeten, requests, method="POST", route=huisvestingen, status="412") == 1
    assert waarde(gemeten, requests, method="POST", route=huisvestingen, status="404") == 1
    assert waarde(gemeten, requests, method="POST", route=huisvestingen, status="400") == 1
    assert waarde(gemeten, requests, method="GET", route="/api/v1/projecties", status="200") == 1
    assert waarde(gemeten, requests, method="GET", route="/api/v1/integriteit", status="200") == 2
    assert waarde(gemeten, requests, method="GET", route="/metrics", status="200") == 1  # the scrape before this one
    assert waarde(gemeten, "inburgering_http_request_duration_seconds_count", method="POST", route=TRAJECTEN, status="201") == 3
    commands = "inburgering_commands_total"
    assert {(dict(labels)["command"], dict(labels)["outcome"]): n for (naam, labels), n in gemeten.items() if naam == commands} == {
        (START, "ok"): 3, (START, "regel-overtreden"): 1, (KENNISGEVING, "ok"): 1, (KENNISGEVING, "herhaald"): 1,
        (KENNISGEVING, "sleutel-hergebruikt"): 1,
        (HUISVESTING, "verouderd"): 1, (HUISVESTING, "niet-gevonden"): 1,
    }
    volledig = controle.json()["laatsteVolledigeControle"]
    assert waarde(gemeten, "inburgering_integrity_last_full_check_ok") == 1
    assert waarde(gemeten, "inburgering_integrity_last_full_check_timestamp_seconds") == datetime.fromisoformat(volledig["tijdstip"]).timestamp()
    assert 0 <= (waarde(gemeten, "inburgering_integrity_last_full_check_age_seconds") or -1) < 3600
    assert waarde(gemeten, "inburgering_integrity_verified_position") == kop
    assert {waarde(gemeten, "inburgering_metrics_read_ok", source=b) for b in ("projecties", "abonnementen", "integriteit")} == {1}
    if instellingen.database_url:  # PostgreSQL: the pools, one worker's
        assert waarde(gemeten, "inburgering_pool_connections", pool="gebeurtenissen", state="max") == \
            instellingen.database_verbindingen - HULPVERBINDINGEN
        assert waarde(gemeten, "inburgering_pool_connections", pool="opslag", state="max") == HULPVERBINDINGEN
        assert waarde(gemeten, "inburgering_pool_requests_waiting", pool="gebeurtenissen") == 0


def test_with_two_workers_every_scrape_counts_the_whole_server(
    instellingen: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    map_ = tmp_path / "prometheus"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(map_))  # the servers' environment, as the Dockerfile sets it
    verzoeken = 0
    with Serverproces(instellingen, workers=2) as server:
        # A new connection per request until both workers have answered some (each writes its own files).
        while len({re.sub(r"\D", "", p.name) for p in map_.glob("counter_*.db")}) < 2:
            assert verzoeken < 500, f"na {verzoeken} verzoeken had nog geen tweede worker er een beantwoord"
            assert httpx2.get(f"{server.basis}/api/v1/health/live", timeout=60).status_code == 200
            verzoeken += 1
        for _ in range(6):  # whichever worker answers, the count is the server's
            gemeten = reeksen(httpx2.get(f"{server.basis}/metrics", timeout=60).text)
            assert waarde(gemeten, "inburgering_http_requests_total", method="GET", route="/api/v1/health/live", status="200") == verzoeken
        gestopt = server.stop()
    assert "Traceback" not in gestopt
    assert not list(map_.glob("gauge_livesum_*.db"))  # a stopped worker's pools no longer count


def test_no_label_or_value_names_a_person_or_a_token(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    bsn = een_bsn()
    gestart = api.post(TRAJECTEN, json=tvs_start(bsn), headers=regisseur)
    assert gestart.status_code == 201
    traject_id = gestart.json()["trajectId"]
    api.post(f"{TRAJECTEN}/{traject_id}/kennisgevingen", json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"},
             headers=regisseur)
    assert api.post(f"{TRAJECTEN}/_zoek", json={"bsn": bsn}, headers=regisseur).status_code == 200
    # A BSN where none belongs: in a path and in a query. Refused, but it was sent.
    api.get(f"{TRAJECTEN}/{bsn}", headers=regisseur)
    api.get(f"{TRAJECTEN}?bsn={bsn}", headers=regisseur)
    api.get(f"/api/v1/personen/{bsn}", headers=regisseur)
    api.get(TRAJECTEN, headers=regisseur)
    scrape = api.get("/metrics")
    assert scrape.status_code == 200
    token = regisseur["Authorization"].removeprefix("Bearer ")
    for persoonlijk in (bsn, traject_id, token, token.split(".")[1], "regisseur-0505"):
        assert persoonlijk not in scrape.text
    routes = {dict(labels)["route"] for (naam, labels), _ in reeksen(scrape.text).items() if naam == "inburgering_http_requests_total"}
    assert f"{TRAJECTEN}/{{trajectId}}" in routes and "(geen route)" in routes
    assert all(route.startswith("/") or route == "(geen route)" for route in routes)


def test_metrics_stay_out_of_the_api_document_and_the_access_log(api: TestClient) -> None:
    assert "/metrics" not in api.get("/api/v1/openapi.json").json()["paths"]
    scrape = api.get("/metrics")
    assert scrape.headers["content-type"].startswith("text/plain")
    assert api.app.state.logboek.auditregels(scrape.headers["traceparent"].split("-")[1]) == []  # type: ignore[attr-defined]
    openmetrics = api.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")
    assert openmetrics.text.endswith("# EOF\n")
