"""The server as `make run` starts it, over real HTTP on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from adapters.settings import Settings
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels

ROOT = Path(__file__).resolve().parents[2]


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A running uvicorn process; `stop()` ends it and returns everything it logged."""

    def __init__(self, proces: subprocess.Popen[bytes], basis: str) -> None:
        self.proces, self.basis = proces, basis

    def stop(self) -> str:
        if self.proces.poll() is None:
            self.proces.terminate()
        return self.proces.communicate(timeout=10)[0].decode()


@pytest.fixture
def server(instellingen: Settings) -> Iterator[Server]:
    poort = _vrije_poort()
    env = os.environ | {
        "INBURGERING_DATA_MAP": str(instellingen.data_map),
        "INBURGERING_BSN_SLEUTEL": instellingen.bsn_sleutel.get_secret_value(),  # type: ignore[union-attr]
        "INBURGERING_DATABASE_SCHEMA": instellingen.database_schema,
    }
    if instellingen.database_url:
        env["INBURGERING_DATABASE_URL"] = instellingen.database_url
    proces = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(poort)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    server = Server(proces, f"http://127.0.0.1:{poort}")
    try:
        for _ in range(150):
            try:
                if httpx2.get(f"{server.basis}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("de server startte niet binnen 15 seconden")
        yield server
    finally:
        uitvoer = server.stop()
    assert "Traceback" not in uitvoer, uitvoer


def test_a_trajectory_over_real_http(server: Server, als: Kopregels) -> None:
    kop = als("regisseur", "0505") | {"X-Correlation-ID": "curl-1"}
    bsn = een_bsn()
    with httpx2.Client(base_url=server.basis, timeout=10) as http:
        start = http.post("/api/v1/trajecten", json=tvs_start(bsn), headers=kop)
        assert start.status_code == 201, start.text
        assert start.headers["X-Correlation-ID"] == "curl-1"
        historie = http.get(f"{start.headers['Location']}/gebeurtenissen", headers=kop).json()["gebeurtenissen"]
        assert [g["correlatieId"] for g in historie] == ["curl-1", "curl-1"]
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
