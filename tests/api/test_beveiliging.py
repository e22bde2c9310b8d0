"""Transport hardening: security headers, CORS allowlist, body size and content type (ADR, BIO)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.beveiliging import BEVEILIGINGSKOPPEN
from api.main import create_app
from tests.builders import een_bsn, tvs_start

TRAJECTEN = "/api/v1/trajecten"
FRONTEND = "https://werkplek.sdd.nl"


@pytest.fixture
def instellingen(sqlite_instellingen: Settings) -> Settings:
    """One allowed frontend origin and a small body limit (transport is the same on both stores)."""
    return sqlite_instellingen.model_copy(update={"cors_origins": [FRONTEND], "max_verzoek_bytes": 2048})


@pytest.fixture
def beveiligd(instellingen: Settings, klok: VasteKlok) -> Iterator[TestClient]:
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def kop(instellingen: Settings) -> dict[str, str]:
    token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=["0505"], gebruiker="regisseur-0505")
    return {"Authorization": f"Bearer {token}"}


def aantal_trajecten(api: TestClient, kop: dict[str, str]) -> int:
    return len(api.get(f"{TRAJECTEN}?limiet=200", headers=kop).json()["trajecten"])


@pytest.mark.parametrize("pad", ["/api/v1/health", "/api/v1/trajecten", "/elders"], ids=["200", "401", "404"])
def test_every_answer_carries_the_security_headers(beveiligd: TestClient, pad: str) -> None:
    antwoord = beveiligd.get(pad)
    assert {k: antwoord.headers.get(k) for k in BEVEILIGINGSKOPPEN} == BEVEILIGINGSKOPPEN


def test_only_an_allowed_origin_may_call_from_a_browser(beveiligd: TestClient) -> None:
    voorvraag = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,if-match"}
    toegestaan = beveiligd.options(TRAJECTEN, headers={"Origin": FRONTEND} | voorvraag)
    assert (toegestaan.status_code, toegestaan.headers["access-control-allow-origin"]) == (200, FRONTEND)
    vreemd = beveiligd.options(TRAJECTEN, headers={"Origin": "https://elders.example"} | voorvraag)
    assert vreemd.status_code == 400 and "access-control-allow-origin" not in vreemd.headers
    gewoon = beveiligd.get("/api/v1/health", headers={"Origin": FRONTEND})
    assert gewoon.headers["access-control-allow-origin"] == FRONTEND
    assert "ETag" in gewoon.headers["access-control-expose-headers"]


def test_a_body_over_the_limit_is_413_and_records_nothing(beveiligd: TestClient, kop: dict[str, str]) -> None:
    te_groot = tvs_start(een_bsn()) | {"taal": "x" * 3000}
    antwoord = beveiligd.post(TRAJECTEN, json=te_groot, headers=kop)
    assert (antwoord.status_code, antwoord.headers["content-type"]) == (413, "application/problem+json")
    assert antwoord.json()["code"] == "verzoek-te-groot" and antwoord.headers["API-Version"]

    def in_stukken():  # no Content-Length: the limit holds on what actually arrives
        yield b'{"aanleiding": "tvs_profiel", "taal": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    gestroomd = beveiligd.post(TRAJECTEN, content=in_stukken(), headers=kop | {"Content-Type": "application/json"})
    assert gestroomd.status_code == 413
    assert aantal_trajecten(beveiligd, kop) == 0


@pytest.mark.parametrize("soort", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_that_is_not_json_is_415(beveiligd: TestClient, kop: dict[str, str], soort: str) -> None:
    soort_kop = {"Content-Type": soort} if soort else {}
    antwoord = beveiligd.post(TRAJECTEN, content=json.dumps(tvs_start(een_bsn())).encode(), headers=kop | soort_kop)
    assert (antwoord.status_code, antwoord.json()["code"]) == (415, "content-type-niet-ondersteund")
    assert aantal_trajecten(beveiligd, kop) == 0


def test_a_json_body_within_the_limit_passes(beveiligd: TestClient, kop: dict[str, str]) -> None:
    soort = {"Content-Type": "application/json; charset=utf-8"}
    antwoord = beveiligd.post(TRAJECTEN, content=json.dumps(tvs_start(een_bsn())).encode(), headers=kop | soort)
    assert antwoord.status_code == 201
    assert aantal_trajecten(beveiligd, kop) == 1
