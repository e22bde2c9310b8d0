"""A deploy of a read-model change over a populated store while commands go on, with real server processes:
the old version serves until the new one, built beside it, is swapped in; no answer is a 5xx; a replay
afterwards finds the swapped-in version equal to one built from the events."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable

import httpx2

from adapters.leesmodellen import LEESMODEL_TABELLEN
from adapters.settings import Settings
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import GEREED_BINNEN, ROOT, Serverproces, omgeving

LEESMODEL = "signaleringen"
GEMEENTEN = ("0505", "0590")


def _nieuwe_code(poort: int) -> list[str]:
    """The server as `make run` starts it, of the code with the read model's version raised (tests/leesmodelversie.py)."""
    return [sys.executable, "-m", "tests.leesmodelversie", LEESMODEL, "uvicorn", "api.main:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(poort), "--no-proxy-headers", "--log-config", "api/serverlog.json"]


class Verkeer:
    """Commands and list reads in a thread, one after another, against whichever servers `doelen` names."""

    def __init__(self, kop: dict[str, str], doelen: list[str]) -> None:
        self.kop, self.doelen = kop, doelen
        self.antwoorden: list[tuple[str, str, int]] = []  # (server, request, status)
        self.rondes = 0
        self._stop = threading.Event()
        self._draad = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        with httpx2.Client(timeout=60) as http:
            while not self._stop.is_set():
                for basis in list(self.doelen):
                    for naam, verzoek in (
                        ("POST /trajecten", lambda: http.post(f"{basis}/api/v1/trajecten", headers=self.kop,
                                                              json=tvs_start(een_bsn(), gemeente=GEMEENTEN[self.rondes % 2]))),
                        ("GET /trajecten", lambda: http.get(f"{basis}/api/v1/trajecten", headers=self.kop)),
                        ("GET /signaleringen", lambda: http.get(f"{basis}/api/v1/signaleringen", headers=self.kop)),
                    ):
                        self.antwoorden.append((basis, naam, verzoek().status_code))
                self.rondes += 1

    def __enter__(self) -> Verkeer:
        self._draad.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._draad.join(timeout=120)

    def wacht_op_rondes(self, aantal: int) -> None:
        tot, begin = self.rondes + aantal, time.monotonic()
        while self.rondes < tot:
            assert time.monotonic() - begin < GEREED_BINNEN, f"na {GEREED_BINNEN:g} s geen {aantal} rondes verkeer"
            time.sleep(0.05)


def _wacht_tot(voorwaarde: Callable[[], bool], waarop: str) -> None:
    begin = time.monotonic()
    while not voorwaarde():
        assert time.monotonic() - begin < GEREED_BINNEN, f"na {GEREED_BINNEN:g} s nog niet: {waarop}"
        time.sleep(0.2)


def _projectie(basis: str, kop: dict[str, str]) -> dict[str, object]:
    antwoord = httpx2.get(f"{basis}/api/v1/projecties", headers=kop, timeout=30)
    assert antwoord.status_code == 200, antwoord.text
    [projectie] = [p for p in antwoord.json()["projecties"] if p["naam"] == LEESMODEL]
    return projectie  # type: ignore[no-any-return]


def test_a_read_model_change_deploys_over_a_populated_store_while_commands_go_on(instellingen: Settings, als: Kopregels) -> None:
    kop, beheer = als("regisseur", *GEMEENTEN), als("beheerder")
    versie = LEESMODEL_TABELLEN[LEESMODEL][1]
    nieuw = Serverproces(instellingen, opdracht=_nieuwe_code, naam="nieuwe-code")
    with Serverproces(instellingen) as oud:
        # Given a populated store (150 trajectories, 300 events) served by the old code
        with httpx2.Client(base_url=oud.basis, timeout=60) as http:
            for nummer in range(150):
                start = http.post("/api/v1/trajecten", headers=kop, json=tvs_start(een_bsn(), gemeente=GEMEENTEN[nummer % 2]))
                assert start.status_code == 201, start.text
        assert _projectie(oud.basis, beheer)["versie"] == versie
        doelen = [oud.basis]
        try:
            with Verkeer(kop, doelen) as verkeer:
                verkeer.wacht_op_rondes(2)
                # When the new code starts beside it, and traffic goes to both
                nieuw.start()
                doelen.append(nieuw.basis)
                _wacht_tot(lambda: (p := _projectie(nieuw.basis, beheer))["versie"] == versie + 1 and p["opbouw"] is None,
                           f"{LEESMODEL} versie {versie + 1} in gebruik volgens GET /projecties van de nieuwe server")
                verkeer.wacht_op_rondes(3)  # after the swap the old code still answers, from the new version
                assert _projectie(oud.basis, beheer)["versie"] == versie + 1
                # and the old server goes, as a rolling deploy ends
                doelen.remove(oud.basis)
                verkeer.wacht_op_rondes(2)
                oud.stop()
                verkeer.wacht_op_rondes(3)
        finally:
            nieuw.stop()

    # Then no answer of either server was a 5xx (nor anything but what a healthy server answers)
    anders = [antwoord for antwoord in verkeer.antwoorden if antwoord[2] not in (200, 201)]
    assert verkeer.antwoorden and not anders, anders
    assert {basis for basis, *_ in verkeer.antwoorden} == {oud.basis, nieuw.basis}
    assert "Traceback" not in oud.uitvoer + nieuw.uitvoer, oud.uitvoer + nieuw.uitvoer
    assert f"leesmodel {LEESMODEL}: versie {versie + 1} in gebruik" in nieuw.uitvoer  # built beside, then swapped in
    # and `make replay`, of the new code, finds the swapped-in version equal to one built from the events
    replay = subprocess.run([sys.executable, "-m", "tests.leesmodelversie", LEESMODEL, "cli", "replay"], cwd=ROOT,
                            env=omgeving(instellingen), capture_output=True, text=True, timeout=300)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert "Gelijk" in replay.stdout + replay.stderr
