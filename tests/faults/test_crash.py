"""kill -9 of a real server in the middle of writes, several times: whatever it acknowledged is there
after a restart, and `make verify` finds every fact as the application's own."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx2

from adapters.settings import Settings
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import GEREED_BINNEN, Serverproces, cli

TRAJECTEN = "/api/v1/trajecten"
SCHRIJVERS = 6
COMMANDO_S_PER_TRAJECT = 3
# Acknowledged writes in a round before the kill: early in the burst, in the middle, later on.
KILL_NA = (3, 12, 30)


@dataclass
class Schrijfwerk:
    """What the server acknowledged (2xx) and what it left unanswered, over every round."""

    slot: threading.Lock = field(default_factory=threading.Lock)
    starts: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> trajectId
    versies: dict[str, set[int]] = field(default_factory=dict)  # trajectId -> acknowledged versions
    onbeantwoord: dict[str, dict[str, object]] = field(default_factory=dict)  # Idempotency-Key -> start body
    anders: list[str] = field(default_factory=list)  # any answer but 201
    bevestigd: int = 0

    def start(self, sleutel: str, antwoord: httpx2.Response) -> str:
        traject_id = antwoord.json()["trajectId"]
        with self.slot:
            self.starts[sleutel] = traject_id
            self.onbeantwoord.pop(sleutel, None)
            self.versies.setdefault(traject_id, set()).add(_versie(antwoord))
            self.bevestigd += 1
        return traject_id

    def commando(self, traject_id: str, antwoord: httpx2.Response) -> None:
        with self.slot:
            self.versies[traject_id].add(_versie(antwoord))
            self.bevestigd += 1


def _versie(antwoord: httpx2.Response) -> int:
    return int(antwoord.headers["ETag"].strip('"'))


def _schrijf(basis: str, kop: dict[str, str], werk: Schrijfwerk, stop: threading.Event) -> None:
    """Start trajectories (with an Idempotency-Key) and record steps on them, until the server dies."""
    with httpx2.Client(base_url=basis, headers=kop, timeout=60) as http:
        while not stop.is_set():
            sleutel, body = str(uuid.uuid4()), tvs_start(een_bsn())
            with werk.slot:
                werk.onbeantwoord[sleutel] = body
            try:
                antwoord = http.post(TRAJECTEN, json=body, headers={"Idempotency-Key": sleutel})
                if antwoord.status_code != 201:
                    werk.anders.append(f"start {antwoord.status_code}: {antwoord.text}")
                    continue
                traject_id = werk.start(sleutel, antwoord)
                for _ in range(COMMANDO_S_PER_TRAJECT):
                    antwoord = http.post(f"{TRAJECTEN}/{traject_id}/regisseur-toewijzingen",
                                         json={"datum": "2025-03-03", "regisseur": f"r-{uuid.uuid4().hex[:8]}"})
                    if antwoord.status_code != 201:
                        werk.anders.append(f"commando {antwoord.status_code}: {antwoord.text}")
                        break
                    werk.commando(traject_id, antwoord)
            except httpx2.TransportError:
                return  # killed: this request stays unanswered


def _ronde(server: Serverproces, kop: dict[str, str], werk: Schrijfwerk, kill_na: int) -> None:
    stop, doel = threading.Event(), werk.bevestigd + kill_na
    schrijvers = [threading.Thread(target=_schrijf, args=(server.basis, kop, werk, stop)) for _ in range(SCHRIJVERS)]
    for schrijver in schrijvers:
        schrijver.start()
    begin = time.monotonic()
    while werk.bevestigd < doel and time.monotonic() - begin < GEREED_BINNEN and not werk.anders:
        time.sleep(0.005)
    gehaald = werk.bevestigd
    server.kill()  # while the other writers are mid-request
    stop.set()
    for schrijver in schrijvers:
        schrijver.join(timeout=120)
    print(f"ronde: kill -9 na {gehaald} bevestigde schrijfacties (doel {doel})")
    assert not werk.anders, werk.anders
    assert gehaald >= doel, f"na {GEREED_BINNEN:g} s pas {gehaald} van {doel} schrijfacties bevestigd"


def test_after_kill_9_during_writes_every_acknowledged_fact_is_there_and_verifies(instellingen: Settings, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    werk = Schrijfwerk()
    with Serverproces(instellingen) as server:
        for kill_na in KILL_NA:
            _ronde(server, kop, werk, kill_na)
            server.start()
            with httpx2.Client(base_url=server.basis, headers=kop, timeout=60) as http:
                # A client that got no answer asks again with the same key: one trajectory, never two.
                for sleutel, body in list(werk.onbeantwoord.items()):
                    antwoord = http.post(TRAJECTEN, json=body, headers={"Idempotency-Key": sleutel})
                    assert antwoord.status_code == 201, antwoord.text
                    werk.start(sleutel, antwoord)
                    gevonden = http.post(f"{TRAJECTEN}/_zoek", json={"bsn": body["bsn"]}).json()["trajecten"]
                    assert [t["trajectId"] for t in gevonden] == [antwoord.json()["trajectId"]]
        with httpx2.Client(base_url=server.basis, headers=kop, timeout=60) as http:
            for traject_id, versies in werk.versies.items():
                antwoord = http.get(f"{TRAJECTEN}/{traject_id}/gebeurtenissen")
                assert antwoord.status_code == 200, f"{traject_id}: {antwoord.text}"
                opgeslagen = [g["versie"] for g in antwoord.json()["gebeurtenissen"]]
                assert versies <= set(opgeslagen), f"{traject_id}: bevestigd {sorted(versies)}, opgeslagen {opgeslagen}"
    verificatie = cli(instellingen, "verifieer")
    assert verificatie.returncode == 0, verificatie.stdout + verificatie.stderr
