"""Many writers on one trajectory at once, each building on the version it read (If-Match): one wins per
version, the others hear 412 or 409, never 5xx; and the stored versions run 1..n without a gap."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from pathlib import Path
from uuid import UUID

import httpx2
import pytest

from adapters.bootstrap import bouw_applicatie
from adapters.clock import SysteemKlok
from adapters.settings import Settings
from tests.builders import door, een_bsn, tvs_start
from tests.conftest import POSTGRES_URL, Kopregels, _instellingen
from tests.serverproces import GEREED_BINNEN, Serverproces

SCHRIJVERS = 50
POGINGEN = 6  # per writer: read the ETag, post on it
GESCHIEDENIS = 300  # facts before the race: a longer history takes longer to copy, as real ones do


def _geschiedenis(instellingen: Settings, traject_id: UUID, aantal: int) -> int:
    """Give the trajectory a long history at once (a longer one takes longer to copy, as real ones do),
    written by the application in a process of its own; its version after."""
    app = bouw_applicatie(instellingen.model_copy(update={"maak_tabellen": False}), SysteemKlok())
    try:
        traject = app.repository.get(traject_id)
        for nummer in range(aantal):
            traject.wijs_regisseur_toe(datum=date(2025, 3, 3), regisseur=f"r-{nummer}", door=door())
        app.save(traject)
        return int(traject.version)
    finally:
        app.close()


@pytest.fixture(params=[
    pytest.param(("postgres", 4), marks=pytest.mark.postgres, id="postgres-4-workers"),
    pytest.param(("postgres", 1), marks=pytest.mark.postgres, id="postgres-1-worker"),
    pytest.param(("sqlite", 1), id="sqlite-1-worker"),
])
def opstelling(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Settings, int]:
    opslag, workers = request.param
    if opslag == "sqlite":
        return _instellingen(tmp_path, database_url=None), workers
    schema = request.getfixturevalue("postgres_schemas")()
    return _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=schema), workers


@pytest.fixture
def instellingen(opstelling: tuple[Settings, int]) -> Settings:
    return opstelling[0]  # what `als` makes its tokens with


def test_concurrent_writers_with_if_match_get_412_or_409_and_versions_stay_contiguous(
    opstelling: tuple[Settings, int], als: Kopregels
) -> None:
    instellingen, workers = opstelling
    kop = als("regisseur", "0505")
    with Serverproces(instellingen, workers=workers) as server:
        start = httpx2.post(f"{server.basis}/api/v1/trajecten", json=tvs_start(een_bsn()), headers=kop, timeout=60)
        assert start.status_code == 201, start.text
        pad = start.headers["Location"]
        begonnen = _geschiedenis(instellingen, UUID(start.json()["trajectId"]), GESCHIEDENIS)
        klaar = threading.Barrier(SCHRIJVERS, timeout=GEREED_BINNEN)
        slot = threading.Lock()
        statussen: Counter[int | str] = Counter()
        gewonnen: list[int] = []
        fouten: list[str] = []

        def schrijf(nummer: int) -> None:
            # A connection per request: a kept-alive one may be closed by the server just as it is reused,
            # and that reset would be the client's doing, not an answer.
            with httpx2.Client(base_url=server.basis, headers=kop, timeout=GEREED_BINNEN,
                               limits=httpx2.Limits(max_keepalive_connections=0)) as http:
                klaar.wait()  # all at once: as many as possible read the same version
                for poging in range(POGINGEN):
                    try:
                        gelezen = http.get(pad)
                        if gelezen.status_code != 200:
                            with slot:
                                statussen[f"GET {gelezen.status_code}"] += 1
                                fouten.append(f"GET {gelezen.status_code}: {gelezen.text[:300]}")
                            continue
                        antwoord = http.post(f"{pad}/regisseur-toewijzingen", headers={"If-Match": gelezen.headers["ETag"]},
                                             json={"datum": "2025-03-03", "regisseur": f"r-{nummer}-{poging}-gelijktijdig"})
                    except httpx2.TransportError as fout:
                        with slot:
                            fouten.append(f"{type(fout).__name__}: {fout}")
                        return
                    with slot:
                        statussen[antwoord.status_code] += 1
                        if antwoord.status_code == 201:
                            gewonnen.append(int(antwoord.headers["ETag"].strip('"')))
                        elif antwoord.status_code not in (409, 412):
                            fouten.append(f"POST {antwoord.status_code}: {antwoord.text[:300]}")

        schrijvers = [threading.Thread(target=schrijf, args=(n,)) for n in range(SCHRIJVERS)]
        for schrijver in schrijvers:
            schrijver.start()
        for schrijver in schrijvers:
            schrijver.join(timeout=2 * GEREED_BINNEN)
        assert not any(s.is_alive() for s in schrijvers), "een schrijver kreeg binnen de tijd geen antwoord"
        print(f"{workers} worker(s), {SCHRIJVERS} schrijvers x {POGINGEN}: {dict(statussen)}")

        versies = [g["versie"] for g in httpx2.get(f"{server.basis}{pad}/gebeurtenissen", headers=kop, timeout=60).json()["gebeurtenissen"]]
    uitvoer = server.uitvoer
    spoor = uitvoer[uitvoer.find("Traceback"):][:4000] if "Traceback" in uitvoer else uitvoer[-2000:]  # the first error it logged
    assert not fouten, f"{len(fouten)} antwoorden anders dan 201/409/412 ({dict(statussen)}); de eerste: {fouten[:3]}\n{spoor}"
    assert statussen[201] >= 1
    assert versies == list(range(1, len(versies) + 1)), f"gaten in de versies: {versies}"
    assert len(versies) - begonnen == statussen[201], f"{statussen[201]} keer 201, maar versies {begonnen + 1}..{len(versies)}"
    assert sorted(gewonnen) == list(range(begonnen + 1, len(versies) + 1))  # each acknowledged version is its own


def test_many_starts_for_one_new_person_at_once_open_one_trajectory_and_the_others_hear_409(
    opstelling: tuple[Settings, int], als: Kopregels
) -> None:
    """The person's registration is proposed by each request and written with the keys by its save: whichever
    save comes first registers the BSN; every other one is refused (409), never answered 5xx, and nothing of
    it stays behind: the BSN finds one trajectory."""
    instellingen, workers = opstelling
    kop = als("regisseur", "0505")
    bsn, aantal = een_bsn(), 16
    with Serverproces(instellingen, workers=workers) as server:
        klaar = threading.Barrier(aantal, timeout=GEREED_BINNEN)
        antwoorden: list[httpx2.Response] = []
        slot = threading.Lock()

        def start() -> None:
            with httpx2.Client(base_url=server.basis, headers=kop, timeout=GEREED_BINNEN) as http:
                klaar.wait()
                antwoord = http.post("/api/v1/trajecten", json=tvs_start(bsn))
            with slot:
                antwoorden.append(antwoord)

        starters = [threading.Thread(target=start) for _ in range(aantal)]
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join(timeout=2 * GEREED_BINNEN)
        assert not any(s.is_alive() for s in starters), "een start kreeg binnen de tijd geen antwoord"
        gevonden = httpx2.post(f"{server.basis}/api/v1/trajecten/_zoek", json={"bsn": bsn}, headers=kop, timeout=60).json()["trajecten"]
    statussen = Counter(a.status_code for a in antwoorden)
    assert statussen[201] == 1 and statussen[409] == aantal - 1, (dict(statussen), [a.text[:300] for a in antwoorden if a.status_code not in (201, 409)])
    [gestart] = [a.json()["trajectId"] for a in antwoorden if a.status_code == 201]
    assert [t["trajectId"] for t in gevonden] == [gestart]
