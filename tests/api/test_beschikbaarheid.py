"""When PostgreSQL cannot be reached (issue 11): every request hears so within seconds (503 problem+json
with Retry-After), the readiness check fails while liveness stays up, and the service recovers by itself
once the database is back. A TCP forwarder between the server and PostgreSQL is cut, as a network or a
database failure would."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx2
import pytest
from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from api.routers.health import Stilstand
from projections.projector import Stand, Storing
from tests.builders import een_bsn, tvs_start
from tests.conftest import POSTGRES_URL, Kopregels, _instellingen
from tests.serverproces import ROOT, Serverproces, vrije_poort

BINNEN = 15.0  # seconds: the bound a client waits at most for its 503 (the design gives about 4)
HERSTEL_BINNEN = 60.0  # generous: how long the service may take to notice the database is back


class Doorgeefluik:
    """A TCP forwarder on loopback to PostgreSQL. `sluit()` cuts every connection and refuses new ones;
    `open()` listens again on the same port."""

    def __init__(self, doel: tuple[str, int]) -> None:
        self.doel, self.poort = doel, vrije_poort()
        self._luisteraar: socket.socket | None = None
        self._verbindingen: set[socket.socket] = set()
        self._slot = threading.Lock()

    def open(self) -> None:
        luisteraar = socket.socket()
        luisteraar.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        luisteraar.bind(("127.0.0.1", self.poort))
        luisteraar.listen(128)
        self._luisteraar = luisteraar
        threading.Thread(target=self._neem_aan, args=(luisteraar,), daemon=True).start()

    def sluit(self) -> None:
        if self._luisteraar is not None:
            _sluit(self._luisteraar)
            self._luisteraar = None
        with self._slot:
            verbindingen, self._verbindingen = self._verbindingen, set()
        for verbinding in verbindingen:
            _sluit(verbinding)

    def _neem_aan(self, luisteraar: socket.socket) -> None:
        while True:
            try:
                klant, _ = luisteraar.accept()
            except OSError:
                return  # closed
            try:
                database = socket.create_connection(self.doel, timeout=10)
            except OSError:
                _sluit(klant)
                continue
            database.settimeout(None)
            with self._slot:
                self._verbindingen |= {klant, database}
            for van, naar in ((klant, database), (database, klant)):
                threading.Thread(target=self._pomp, args=(van, naar), daemon=True).start()

    def _pomp(self, van: socket.socket, naar: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the forwarder was cut: that is the point
            while gegevens := van.recv(65536):
                naar.sendall(gegevens)
        for kant in (van, naar):
            _sluit(kant)


def _sluit(verbinding: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        verbinding.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept() or recv()
    verbinding.close()


@pytest.fixture
def doorgeefluik() -> Iterator[Doorgeefluik]:
    url = urlsplit(POSTGRES_URL)
    luik = Doorgeefluik((url.hostname or "127.0.0.1", url.port or 5432))
    luik.open()
    yield luik
    luik.sluit()


@pytest.fixture
def server(tmp_path: Path, postgres_schemas: object, doorgeefluik: Doorgeefluik) -> Iterator[Serverproces]:
    url = urlsplit(POSTGRES_URL)
    gebruiker = url.netloc.rpartition("@")[0]
    via_luik = urlunsplit(url._replace(netloc=f"{gebruiker}@127.0.0.1:{doorgeefluik.poort}" if gebruiker else f"127.0.0.1:{doorgeefluik.poort}"))
    instellingen = _instellingen(tmp_path, database_url=via_luik, database_schema=postgres_schemas())  # type: ignore[operator]
    with Serverproces(instellingen) as server:
        yield server


def _kop(server: Serverproces, rol: str, *gemeenten: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {maak_ontwikkeltoken(server.instellingen, rol=rol, gemeenten=list(gemeenten))}"}


def test_ready_answers_200_while_the_stores_answer_and_leaves_no_access_log_record(api: TestClient, als: Kopregels) -> None:
    gereed = api.get("/api/v1/health/ready")
    assert (gereed.status_code, gereed.json()) == (200, {"status": "ok"})
    lijst = api.get("/api/v1/trajecten", headers=als("regisseur", "0505"))
    logboek = api.app.state.logboek  # type: ignore[attr-defined]
    assert logboek.auditregels(_trace_id(lijst)) != []  # an ordinary request is logged ...
    assert logboek.auditregels(_trace_id(gereed)) == []  # ... a probe every few seconds is not


def _trace_id(antwoord: httpx2.Response) -> str:
    return antwoord.headers["traceparent"].split("-")[1]


@pytest.mark.postgres
def test_without_a_database_every_request_gets_503_within_seconds_and_the_service_recovers(
    server: Serverproces, doorgeefluik: Doorgeefluik
) -> None:
    regisseur, duo = _kop(server, "regisseur", "0505"), _kop(server, "duo")
    verzoeken = {
        "feed": ("GET", "/api/v1/gebeurtenissen", duo, None),
        "lijst": ("GET", "/api/v1/trajecten", regisseur, None),
        "commando": ("POST", "/api/v1/trajecten", regisseur, tvs_start(een_bsn())),
        "gereedheid": ("GET", "/api/v1/health/ready", {}, None),
    }
    with httpx2.Client(base_url=server.basis, timeout=BINNEN + 5) as http:
        assert http.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur).status_code == 201

        doorgeefluik.sluit()
        for naam, (methode, pad, kop, inhoud) in verzoeken.items():
            begin = time.monotonic()
            antwoord = http.request(methode, pad, headers=kop, json=inhoud)
            duur = time.monotonic() - begin
            print(f"{naam}: {antwoord.status_code} na {duur:.1f} s")
            assert antwoord.status_code == 503, (naam, antwoord.text)
            assert antwoord.headers["content-type"] == "application/problem+json"
            assert antwoord.json()["code"] == "tijdelijk-niet-beschikbaar"
            assert 1 <= int(antwoord.headers["Retry-After"]) <= 10
            assert duur < BINNEN, naam
        assert http.get("/api/v1/health").status_code == 200  # alive: restarting it would not help

        doorgeefluik.open()
        begin = time.monotonic()
        while (gereed := http.get("/api/v1/health/ready")).status_code != 200:
            assert time.monotonic() - begin < HERSTEL_BINNEN, f"na {HERSTEL_BINNEN:.0f} s nog niet gereed: {gereed.text}"
            time.sleep(0.5)
        print(f"weer gereed na {time.monotonic() - begin:.1f} s")
        for naam, (methode, pad, kop, inhoud) in verzoeken.items():
            antwoord = http.request(methode, pad, headers=kop, json=inhoud)
            assert antwoord.status_code in (200, 201), (naam, antwoord.text)


def test_live_answers_as_health_does_and_leaves_no_access_log_record(api: TestClient) -> None:
    for pad in ("/api/v1/health", "/api/v1/health/live"):
        antwoord = api.get(pad)
        assert (antwoord.status_code, antwoord.json()) == (200, {"status": "ok"})
        assert api.app.state.logboek.auditregels(_trace_id(antwoord)) == []  # type: ignore[attr-defined]


STIL_NA = 0.5  # seconds a read model may stand still behind the log before the instance is not ready
STIL_BINNEN = 30.0  # generous: how long a probe may take to notice


def _stilstaande_api(instellingen: Settings, klok: VasteKlok, projecties: str) -> TestClient:
    return TestClient(create_app(instellingen.model_copy(update={"projecties": projecties, "projecties_stilstand_seconden": STIL_NA}),
                                 klok), raise_server_exceptions=False)


def test_with_an_external_projector_readiness_fails_while_the_read_models_stand_still_behind_the_log(
    instellingen: Settings, klok: VasteKlok, als: Kopregels
) -> None:
    with _stilstaande_api(instellingen, klok, "extern") as api:
        assert api.get("/api/v1/health/ready").status_code == 200  # at the head: nothing to do, however long
        assert api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=als("regisseur", "0505")).status_code == 201
        # No projector runs: the read models stay behind. The time counts from the first probe that sees it.
        begin = time.monotonic()
        while (gereed := api.get("/api/v1/health/ready")).status_code == 200:
            assert time.monotonic() - begin < STIL_BINNEN, f"na {STIL_BINNEN:g} s nog steeds gereed met stilstaande leesmodellen"
            time.sleep(0.1)
        assert time.monotonic() - begin >= STIL_NA  # not before the bound
        assert gereed.status_code == 503 and gereed.headers["content-type"] == "application/problem+json"
        assert gereed.json()["code"] == "tijdelijk-niet-beschikbaar"
        assert "signaleringen, trajectenlijst" in gereed.json()["detail"]
        assert api.get("/api/v1/health/live").status_code == 200  # a restart of the API would not help
        api.app.state.projector.bij()  # type: ignore[attr-defined]  # what `make projecties` does
        assert api.get("/api/v1/health/ready").status_code == 200


def test_embedded_a_quiet_lag_is_no_stall(instellingen: Settings, klok: VasteKlok, als: Kopregels) -> None:
    with _stilstaande_api(instellingen, klok, "ingebed") as api:
        assert api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=als("regisseur", "0505")).status_code == 201
        assert api.get("/api/v1/health/ready").status_code == 200
        time.sleep(3 * STIL_NA)  # behind all that time: nobody read a list, so there was nothing to bring up
        assert api.get("/api/v1/health/ready").status_code == 200


def _stand(positie: int, kop: int, storing: bool = False) -> Stand:
    return Stand(positie, kop, Storing(positie + 1, datetime(2026, 6, 1, tzinfo=UTC), "ValueError") if storing else None)


def test_stall_is_behind_and_not_moving_for_longer_than_the_bound() -> None:
    extern, ingebed = Stilstand(60, extern=True), Stilstand(60, extern=False)
    assert extern.stilstaand({"lijst": _stand(5, 9)}, nu=0) == []
    assert extern.stilstaand({"lijst": _stand(5, 9)}, nu=60) == []  # not longer than the bound
    assert extern.stilstaand({"lijst": _stand(5, 9)}, nu=61) == ["lijst"]
    assert extern.stilstaand({"lijst": _stand(6, 9)}, nu=62) == []  # it moved: the time starts again
    assert extern.stilstaand({"lijst": _stand(6, 9)}, nu=122) == []
    assert extern.stilstaand({"lijst": _stand(9, 9)}, nu=200) == []  # at the head
    assert extern.stilstaand({"lijst": _stand(9, 12)}, nu=201) == []  # behind again: counted from now, not from 122
    # Embedded, a lag moves when a list is read: only a stop at an event that stays is a stall.
    assert ingebed.stilstaand({"lijst": _stand(5, 9)}, nu=0) == []
    assert ingebed.stilstaand({"lijst": _stand(5, 9)}, nu=1000) == []
    assert ingebed.stilstaand({"lijst": _stand(5, 9, storing=True)}, nu=1001) == []
    assert ingebed.stilstaand({"lijst": _stand(5, 9, storing=True)}, nu=1062) == ["lijst"]
    assert Stilstand(0, extern=True).stilstaand({"lijst": _stand(5, 9)}, nu=10**6) == []  # 0: never


def test_the_images_healthcheck_passes_while_the_server_answers_and_fails_once_it_is_gone(sqlite_instellingen: Settings) -> None:
    regels = (ROOT / "Dockerfile").read_text().splitlines()
    [regel] = [volgende for r, volgende in zip(regels, regels[1:]) if r.startswith("HEALTHCHECK ")]  # its CMD, continued
    opdracht = json.loads(regel.strip().removeprefix("CMD "))
    assert opdracht[:2] == ["python", "-c"] and "/api/v1/health/live" in opdracht[2]
    with Serverproces(sqlite_instellingen) as server:
        controle = [sys.executable, "-c", opdracht[2].replace("127.0.0.1:8000", server.basis.removeprefix("http://"))]
        assert subprocess.run(controle, capture_output=True, timeout=60).returncode == 0
        server.stop()
        assert subprocess.run(controle, capture_output=True, timeout=60).returncode != 0
