"""Writes: commands with 8 clients interleaved with the ceiling's INSERTs, and projection lag under load."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tests.bench import laden, teller
from tests.bench.verkeer import Meting, Server, Verzoek, client, expect, hammer, zonder_gc_pauzes
from tests.builders import tvs_start

TRAJECTEN = "/api/v1/trajecten"
GESPREKKEN = 100  # voortgangsgesprekken are the only repeatable command: they grow the history
KENNISGEVING = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}
OPBOUW = [  # the commands that lead up to the PIP, after which gesprekken may be recorded
    ("kennisgevingen", KENNISGEVING),
    ("huisvestingen", {"datum": "2025-02-03", "gemeente": "0505"}),
    ("brede-intakes", {"datum": "2025-02-20", "onderwerpen": {"werk": "x"}}),
    ("pip-vaststellingen", {"dagtekening": "2025-04-10", "leerroute": "b1", "leerrouteUrenPerWeek": 16, "pvtUren": 12,
                            "mapUren": 40, "aantalVoortgangsgesprekken": 4, "ondersteuning": "x"}),
]
GESPREK = {"datum": "2025-06-01", "status": "gevoerd", "verslag": "ok"}
VOLGER = "bench-volger"  # the regisseur whose starts the lag probe looks for in the list


class Opties(Protocol):
    """What these measures take from the bench's options (tests/bench/commands.py)."""

    @property
    def requests(self) -> int: ...
    @property
    def clients(self) -> int: ...
    @property
    def rondes(self) -> int: ...
    @property
    def peilingen(self) -> int: ...


class Bsns:
    """Distinct BSNs after the loaded ones: a repeated BSN is a second trajectory of a person, refused
    while the first runs."""

    def __init__(self, vanaf: int) -> None:
        self._nummers, self._slot = itertools.count(vanaf), threading.Lock()

    def volgende(self) -> str:
        with self._slot:
            return laden.bsn(next(self._nummers))


def wacht_op_stilte(pad: Path, rust: float = 0.5, hoogstens: float = 60) -> int:
    """The round-trip count once it stops moving: the access log is written after the answers."""
    eind, vorige = time.monotonic() + hoogstens, teller.lees(pad)
    while time.monotonic() < eind:
        time.sleep(rust)
        if (nu := teller.lees(pad)) == vorige:
            return nu
        vorige = nu
    return vorige


@dataclass(frozen=True)
class Commandos:
    start: Meting
    kennisgeving: Meting
    plafond: Meting
    rondreizen_start: float
    rondreizen_kennisgeving: float
    geschiedenis: Meting
    geschiedenis_feiten: int


def grow_history(base: str, headers: dict[str, str], bsns: Bsns) -> str:
    """One trajectory with a long history; it also warms up every command path before timing."""
    with client(base, headers) as http:
        traject_id = expect(http.post(TRAJECTEN, json=tvs_start(bsns.volgende(), "0505", "2025-01-06")), 201)["trajectId"]
        for path, body in OPBOUW + [("voortgangsgesprekken", GESPREK)] * GESPREKKEN:
            expect(http.post(f"{TRAJECTEN}/{traject_id}/{path}", json=body), 201)
    return str(traject_id)


def read_latencies(base: str, headers: dict[str, str], path: str, reads: int) -> tuple[Meting, int]:
    """Sequential GETs of the history on one connection: the latency one user sees, in ms."""
    with client(base, headers) as http:
        events = len(expect(http.get(path), 200)["gebeurtenissen"])  # also the warm-up
        meting = Meting()
        with zonder_gc_pauzes():
            for _ in range(reads):
                started = time.perf_counter()
                response = http.get(path)
                meting.ms.append((time.perf_counter() - started) * 1000)
                expect(response, 200)
    return meting, events


def commandos(api: Server, bare: Server, headers: dict[str, str], teller_pad: Path, bsns: Bsns, opties: Opties) -> Commandos:
    """Starts and kennisgevingen, each round followed by the ceiling's INSERTs, with round trips counted."""
    history_id = grow_history(api.base, headers, bsns)
    hammer(bare.base, {}, [Verzoek("/inserts", KENNISGEVING, 201)] * 20, opties.clients)  # warm-up, as the API had
    start, kennis, bare_meting = Meting(), Meting(), Meting()
    rondreizen = {"start": 0, "kennisgeving": 0}
    per_ronde = max(opties.clients, opties.requests // opties.rondes)
    for _ in range(opties.rondes):
        voor = wacht_op_stilte(teller_pad)
        meting, gestart = hammer(api.base, headers, [Verzoek(TRAJECTEN, tvs_start(bsns.volgende()), 201) for _ in range(per_ronde)],
                                 opties.clients)
        start.voeg_toe(meting)
        rondreizen["start"] += wacht_op_stilte(teller_pad) - voor
        bare_meting.voeg_toe(hammer(bare.base, {}, [Verzoek("/inserts", KENNISGEVING, 201)] * per_ronde, opties.clients)[0])
        voor = wacht_op_stilte(teller_pad)
        verzoeken = [Verzoek(f"{TRAJECTEN}/{t['trajectId']}/kennisgevingen", KENNISGEVING, 201) for t in gestart]
        kennis.voeg_toe(hammer(api.base, headers, verzoeken, opties.clients)[0])
        rondreizen["kennisgeving"] += wacht_op_stilte(teller_pad) - voor
        bare_meting.voeg_toe(hammer(bare.base, {}, [Verzoek("/inserts", KENNISGEVING, 201)] * per_ronde, opties.clients)[0])
    geschiedenis, feiten = read_latencies(api.base, headers, f"{TRAJECTEN}/{history_id}/gebeurtenissen", 100)
    aantal = per_ronde * opties.rondes
    return Commandos(start, kennis, bare_meting, rondreizen["start"] / aantal, rondreizen["kennisgeving"] / aantal,
                     geschiedenis, feiten)


def projectievertraging(
    api: Server, lader: dict[str, str], volger: dict[str, str], bsns: Bsns, opties: Opties, tempo: float | None = None
) -> Meting:
    """Commit -> visible in GET /trajecten, under a load of starts from `clients // 2` clients: as fast as they
    can (`tempo` None, a saturating load: the probe's reads queue behind the commands), or together at
    `tempo` starts per second (a steady load the server keeps up with). The probe starts a trajectory as
    its own regisseur and lists that regisseur's trajectories until it shows. Measured from the command's
    answer to the answer of the list that shows it; with the read models inside the API (the default) the
    first list read brings them up to date, so this is that read."""
    stop, fouten = threading.Event(), []
    aantal = max(1, opties.clients // 2)

    def last() -> None:
        try:
            with client(api.base, lader) as http:
                volgende = time.monotonic()
                while not stop.is_set():
                    expect(http.post(TRAJECTEN, json=tvs_start(bsns.volgende())), 201)
                    if tempo is not None:  # each client its share of the rate, without catching up on a slow answer
                        volgende = max(volgende + aantal / tempo, time.monotonic())
                        stop.wait(max(0.0, volgende - time.monotonic()))
        except Exception as fout:  # shown after the run; the probe goes on
            fouten.append(fout)

    belasting = [threading.Thread(target=last, daemon=True) for _ in range(aantal)]
    for draad in belasting:
        draad.start()
    meting = Meting()
    try:
        time.sleep(1)  # the load is steady before the first probe
        with client(api.base, volger) as http, zonder_gc_pauzes():
            for _ in range(opties.peilingen):
                traject_id = expect(http.post(TRAJECTEN, json=tvs_start(bsns.volgende())), 201)["trajectId"]
                vastgelegd = time.perf_counter()
                while True:
                    lijst = expect(http.get(f"{TRAJECTEN}?regisseur={VOLGER}&limiet=200"), 200)["trajecten"]
                    if any(t["trajectId"] == traject_id for t in lijst):
                        break
                meting.ms.append((time.perf_counter() - vastgelegd) * 1000)
                time.sleep(0.05)
    finally:
        stop.set()
        for draad in belasting:
            draad.join(timeout=60)
    if fouten:
        raise RuntimeError(f"the steady load failed: {fouten[0]}")
    return meting
