"""The server as `make run` starts it, over real HTTP on loopback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from adapters.settings import Settings
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import Serverproces


@pytest.fixture
def server(instellingen: Settings) -> Iterator[Serverproces]:
    with Serverproces(instellingen) as server:
        yield server
    assert "Traceback" not in server.uitvoer, server.uitvoer


def test_a_trajectory_over_real_http(server: Serverproces, als: Kopregels) -> None:
    correlatie = str(uuid.uuid4())
    kop = als("regisseur", "0505") | {"X-Correlation-ID": correlatie}
    bsn = een_bsn()
    with httpx2.Client(base_url=server.basis, timeout=30) as http:
        start = http.post("/api/v1/trajecten", json=tvs_start(bsn), headers=kop)
        assert start.status_code == 201, start.text
        assert start.headers["X-Correlation-ID"] == correlatie
        historie = http.get(f"{start.headers['Location']}/gebeurtenissen", headers=kop).json()["gebeurtenissen"]
        assert [g["correlatieId"] for g in historie] == [correlatie, correlatie]
        assert http.get("/api/v1/openapi.json").json()["info"]["version"] == "1.0.0"
        assert http.get("/api/v1/trajecten").status_code == 401
        assert [t["trajectId"] for t in http.get("/api/v1/trajecten", headers=kop).json()["trajecten"]] == [start.json()["trajectId"]]
        assert http.post("/api/v1/trajecten/_zoek", json={"bsn": bsn}, headers=kop).json()["trajecten"]
        dubbel = http.post("/api/v1/trajecten", json=tvs_start(bsn), headers=kop)
        assert dubbel.status_code == 409 and bsn not in dubbel.text  # an error names no BSN either
        ongeldig = bsn[:8] + str((int(bsn[8]) + 1) % 10)  # another check digit always fails the elfproef
        antwoord = http.post("/api/v1/trajecten/_zoek", json={"bsn": ongeldig}, headers=kop)
        assert antwoord.status_code == 400 and ongeldig not in antwoord.text
    logboek = server.stop()
    assert "POST /api/v1/trajecten/_zoek" in logboek  # the access log was read...
    assert bsn not in logboek and bsn[:8] not in logboek  # ...and holds no BSN
    assert kop["Authorization"].removeprefix("Bearer ")[-40:] not in logboek  # nor a token


def test_the_server_runs_on_uvloop_and_reads_http_with_httptools(server: Serverproces) -> None:
    """uvicorn takes them where installed (its --loop and --http "auto"), and falls back to asyncio's loop and h11
    in Python in silence: about 0.5 ms more CPU per command (README: Benchmarks). Their compiled modules are
    loaded in the server as `make run` and the image start it."""
    assert server.proces is not None
    geladen = Path(f"/proc/{server.proces.pid}/maps").read_text()
    assert "/uvloop/loop." in geladen, "uvloop niet geladen: uvicorn draait op asyncio's eigen lus"
    assert "/httptools/parser/parser." in geladen, "httptools niet geladen: uvicorn leest HTTP met h11"


def test_a_restarted_server_serves_what_it_stored_before(server: Serverproces, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    start = httpx2.post(f"{server.basis}/api/v1/trajecten", json=tvs_start(een_bsn()), headers=kop, timeout=30)
    assert start.status_code == 201, start.text
    server.herstart()
    opnieuw = httpx2.get(f"{server.basis}{start.headers['Location']}", headers=kop, timeout=30)
    assert opnieuw.status_code == 200 and opnieuw.json()["trajectId"] == start.json()["trajectId"]
