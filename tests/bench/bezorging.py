"""Push delivery (issue 14): the lag from a command's answer to its receipt by a subscriber's receiver under a
steady command load, the facts per second one dispatcher delivers from a backlog (the whole store), and how soon
a long-poll on the feed answers after a command commits."""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.bench.schrijven import TRAJECTEN, Bsns
from tests.bench.verkeer import Meting, Server, client, expect, zonder_gc_pauzes
from tests.builders import tvs_start
from tests.ontvanger import Ontvanger, wacht_tot

ABONNEMENTEN = "/api/v1/abonnementen"
GESTART = "nl.wet-inburgering.traject.gestart"
HOOGSTENS_ACHTERSTAND = 20_000  # facts delivered from the backlog, at most: enough for a rate, bounded at 100,000 trajectories


def _abonneer(api: Server, kop: dict[str, str], url: str, **body: Any) -> str:
    with client(api.base, kop) as http:
        return str(expect(http.post(ABONNEMENTEN, json={"callbackUrl": url} | body), 201)["abonnementId"])


def _zeg_op(api: Server, kop: dict[str, str], abonnement_id: str) -> None:
    with client(api.base, kop) as http:
        assert http.delete(f"{ABONNEMENTEN}/{abonnement_id}").status_code == 204


def vertraging(api: Server, kop: dict[str, str], bsns: Bsns, tempo: float, starts: int, clients: int = 4) -> Meting:
    """`starts` starts at `tempo` per second from `clients` clients; per start, its answer to the receipt of its fact."""
    beantwoord: dict[str, float] = {}
    slot, fouten = threading.Lock(), []
    with Ontvanger() as ontvanger:
        abonnement_id = _abonneer(api, kop, ontvanger.url, gebeurtenistypen=[GESTART])

        def last(aantal: int) -> None:
            try:
                with client(api.base, kop) as http:
                    volgende = time.monotonic()
                    for _ in range(aantal):
                        traject_id = expect(http.post(TRAJECTEN, json=tvs_start(bsns.volgende())), 201)["trajectId"]
                        with slot:
                            beantwoord[traject_id] = time.perf_counter()
                        volgende = max(volgende + clients / tempo, time.monotonic())
                        time.sleep(max(0.0, volgende - time.monotonic()))
            except Exception as fout:  # reported after the run
                fouten.append(fout)

        draden = [threading.Thread(target=last, args=(starts // clients,)) for _ in range(clients)]
        with zonder_gc_pauzes():  # the receiver runs in this process: its receipts are timed too
            for draad in draden:
                draad.start()
            for draad in draden:
                draad.join()
            if fouten:
                raise RuntimeError(f"the steady load failed: {fouten[0]}")
            wacht_tot(lambda: ontvanger.aantal_bevestigd() >= len(beantwoord), f"{len(beantwoord)} starts at the receiver", 120)
        _zeg_op(api, kop, abonnement_id)
        ontvangen = {b.gebeurtenissen[0]["subject"]: b.ontvangen_op for b in ontvanger.bezorgingen}
    return Meting([(ontvangen[t] - klaar) * 1000 for t, klaar in beantwoord.items()])


def doorvoer(api: Server, kop: dict[str, str], bezorgwijze: str) -> tuple[float, int]:
    """Facts per second one dispatcher delivers from the start of the log (at most HOOGSTENS_ACHTERSTAND), and how many."""
    with Ontvanger() as ontvanger, client(api.base, kop) as http:
        begin = time.perf_counter()
        abonnement_id = _abonneer(api, kop, ontvanger.url, vanaf=0, bezorgwijze=bezorgwijze)

        def klaar() -> bool:
            if ontvanger.aantal_bevestigd() >= HOOGSTENS_ACHTERSTAND:
                return True
            time.sleep(0.2)  # the status read competes with the deliveries: not too often
            return bool(expect(http.get(f"{ABONNEMENTEN}/{abonnement_id}"), 200)["achterstand"] == 0)

        wacht_tot(klaar, f"the backlog at the receiver ({bezorgwijze})", 900)
        seconden, aantal = time.perf_counter() - begin, ontvanger.aantal_bevestigd()
        _zeg_op(api, kop, abonnement_id)
    return aantal / seconden, aantal


def langpeiling(api: Server, kop: dict[str, str], bsns: Bsns, peilingen: int) -> Meting:
    """A follower long-polls the feed (`wacht=30`) at the head of the log, a start commits: from the start's answer
    to the long-poll's answer, per probe."""
    with Ontvanger() as ontvanger:  # a subscription made now says where the head of the log is
        abonnement_id = _abonneer(api, kop, ontvanger.url)
    with client(api.base, kop) as http:
        positie = int(expect(http.get(f"{ABONNEMENTEN}/{abonnement_id}"), 200)["positie"])
    _zeg_op(api, kop, abonnement_id)
    meting = Meting()
    with client(api.base, kop, timeout=60) as volger, client(api.base, kop) as schrijver, zonder_gc_pauzes():
        for _ in range(peilingen):
            antwoord: dict[str, Any] = {}

            def peil(na: int = positie) -> None:
                antwoord.update(expect(volger.get(f"/api/v1/gebeurtenissen?na={na}&wacht=30&limiet=10"), 200))
                antwoord["op"] = time.perf_counter()

            draad = threading.Thread(target=peil)
            draad.start()
            time.sleep(0.2)  # the long-poll is waiting
            expect(schrijver.post(TRAJECTEN, json=tvs_start(bsns.volgende())), 201)
            beantwoord = time.perf_counter()
            draad.join(timeout=60)
            if not antwoord.get("gebeurtenissen"):
                raise RuntimeError(f"the long-poll at {positie} did not return the start: {antwoord}")
            meting.ms.append(max(0.0, antwoord["op"] - beantwoord) * 1000)
            positie = int(antwoord["positie"])
    return meting
