"""Push delivery (issue 14): a real receiver on the loopback gets every fact its subscriber may read, in order,
signed, at least once, through a receiver that is down for a while, a suspension and a resumption."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from adapters.settings import Settings
from api.bezorging import Bezorger
from api.gebeurtenistypen import AFGESCHERMD_TYPE
from api.main import create_app
from adapters.clock import VasteKlok
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.ontvanger import Ontvanger, wacht_tot

TRAJECTEN, ABONNEMENTEN, FEED = "/api/v1/trajecten", "/api/v1/abonnementen", "/api/v1/gebeurtenissen"
KENNISGEVING = "nl.wet-inburgering.traject.inburgeringsplicht-vastgesteld"
OPBOUW = [
    ("kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}),
    ("huisvestingen", {"datum": "2025-02-03", "gemeente": "0505"}),
    ("brede-intakes", {"datum": "2025-02-20", "onderwerpen": {"opleiding": "Middelbare school in Asmara"}}),
]
SNEL = {"bezorging_eerste_wachttijd": 0.05, "bezorging_hoogste_wachttijd": 0.2, "publieke_url": "https://inburgering.example.nl"}


@pytest.fixture
def bezorgend(instellingen: Settings, klok: VasteKlok) -> Iterator[TestClient]:
    """The API with its embedded dispatcher, retrying within a fraction of a second."""
    with TestClient(create_app(instellingen.model_copy(update=SNEL), klok), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def ontvanger() -> Iterator[Ontvanger]:
    with Ontvanger() as ontvanger:
        yield ontvanger


def abonneer(api: TestClient, kop: dict[str, str], url: str, **instellingen: Any) -> dict[str, Any]:
    antwoord = api.post(ABONNEMENTEN, json={"callbackUrl": url} | instellingen, headers=kop)
    assert antwoord.status_code == 201, antwoord.text
    return dict(antwoord.json())


def geschiedenis(api: TestClient, kop: dict[str, str], gemeente: str = "0505", trajecten: int = 2) -> None:
    """Trajectories of one gemeente, each started and taken through a few commands, interleaved."""
    paden = []
    for _ in range(trajecten):
        antwoord = api.post(TRAJECTEN, json=tvs_start(een_bsn(), gemeente), headers=kop)
        assert antwoord.status_code == 201, antwoord.text
        paden.append(antwoord.headers["Location"])
    for commando, body in OPBOUW:
        for pad in paden:
            body = body | ({"gemeente": gemeente} if "gemeente" in body else {})
            assert api.post(f"{pad}/{commando}", json=body, headers=kop).status_code == 201


def feed(api: TestClient, kop: dict[str, str]) -> list[dict[str, Any]]:
    """What the subscriber reads from the feed: what its receiver must get."""
    antwoord = api.get(f"{FEED}?limiet=1000", headers=kop)
    assert antwoord.status_code == 200
    return list(antwoord.json()["gebeurtenissen"])


def zonder_links(gebeurtenis: dict[str, Any]) -> dict[str, Any]:
    """The feed's links name the host the request came to; a delivery's name the API's public address."""
    return {k: v for k, v in gebeurtenis.items() if k not in ("dataref", "dataschema")}


def status(api: TestClient, kop: dict[str, str], abonnement: dict[str, Any]) -> dict[str, Any]:
    antwoord = api.get(f"{ABONNEMENTEN}/{abonnement['abonnementId']}", headers=kop)
    assert antwoord.status_code == 200
    return dict(antwoord.json())


@pytest.mark.parametrize("bezorgwijze", ["gestructureerd", "binair", "batch"])
def test_a_receiver_gets_every_fact_of_a_history_in_order_signed_and_authorized(
    bezorgend: TestClient, als: Kopregels, ontvanger: Ontvanger, bezorgwijze: str
) -> None:
    # Given a subscription from the start of the log
    kop = als("regisseur", "0505")
    abonnement = abonneer(bezorgend, kop, ontvanger.url, bezorgwijze=bezorgwijze, autorisatie="Bearer ontvanger-123", vanaf=0)
    # When a history is recorded
    geschiedenis(bezorgend, kop)
    verwacht = feed(bezorgend, kop)
    # Then the receiver gets exactly the feed's facts, in the log's order
    wacht_tot(lambda: len(ontvanger.bevestigd()) >= len(verwacht), f"{len(verwacht)} feiten bij de ontvanger")
    ontvangen = ontvanger.bevestigd()
    assert [zonder_links(g) for g in ontvangen] == [zonder_links(g) for g in verwacht]
    assert all(g["dataref"].startswith("https://inburgering.example.nl/api/v1/trajecten/") for g in ontvangen)
    # And each delivery is signed with the subscription's secret and carries the receiver's authorization
    for bezorging in ontvanger.bezorgingen:
        Webhook(abonnement["geheim"]).verify(bezorging.inhoud, bezorging.koppen)
        assert bezorging.koppen["authorization"] == "Bearer ontvanger-123"
    # And the subscription says it is up to date
    stand = wacht_tot(lambda: (s := status(bezorgend, kop, abonnement))["achterstand"] == 0 and s, "achterstand 0")
    assert stand["positie"] == int(verwacht[-1]["sequence"]) and stand["misluktePogingen"] == 0
    assert stand["laatsteSucces"] is not None and stand["laatsteFout"] is None


def test_a_receiver_that_was_down_gets_everything_without_gaps_once_it_is_back(
    bezorgend: TestClient, als: Kopregels, ontvanger: Ontvanger
) -> None:
    # Given a subscription whose receiver goes down
    kop = als("regisseur", "0505")
    abonnement = abonneer(bezorgend, kop, ontvanger.url)
    ontvanger.stop()
    # When facts are recorded while it is down
    geschiedenis(bezorgend, kop, trajecten=3)
    verwacht = [g["id"] for g in feed(bezorgend, kop)]
    stand = wacht_tot(lambda: (s := status(bezorgend, kop, abonnement))["misluktePogingen"] >= 2 and s, "twee mislukte pogingen")
    assert stand["laatsteFout"] and stand["positie"] == abonnement["positie"] and stand["status"] == "actief"
    # And it comes back on the same address
    ontvanger.start()
    # Then it gets every fact, in order; a fact twice only with the same id (at least once)
    wacht_tot(lambda: {g["id"] for g in ontvanger.bevestigd()} >= set(verwacht), "elk feit na de terugkeer")
    ontvangen = [g["id"] for g in ontvanger.bevestigd()]
    assert list(dict.fromkeys(ontvangen)) == verwacht
    assert wacht_tot(lambda: status(bezorgend, kop, abonnement)["misluktePogingen"] == 0, "de telling weer op 0")


def test_a_receiver_that_keeps_failing_is_suspended_and_resumes_from_its_position(
    instellingen: Settings, klok: VasteKlok, als: Kopregels, ontvanger: Ontvanger
) -> None:
    # Given a receiver that answers 500, and suspension after three failures
    ontvanger.status = 500
    with TestClient(create_app(instellingen.model_copy(update=SNEL | {"bezorging_schorsen_na": 3}), klok)) as api:
        kop = als("regisseur", "0505")
        abonnement = abonneer(api, kop, ontvanger.url)
        geschiedenis(api, kop, trajecten=1)
        verwacht = [g["id"] for g in feed(api, kop)]
        # When it keeps failing
        stand = wacht_tot(lambda: (s := status(api, kop, abonnement))["status"] == "geschorst" and s, "geschorst")
        # Then the subscription is suspended with its position kept, and nothing more is tried
        assert stand["misluktePogingen"] == 3 and "500" in stand["laatsteFout"] and stand["positie"] == abonnement["positie"]
        assert Bezorger(api.app.state.inburgering, api.app.state.abonnementen, None,  # type: ignore[attr-defined]
                        instellingen).ronde() == 0
        pogingen = len(ontvanger.bezorgingen)
        assert pogingen == 3
        # When the receiver is fixed and the subscriber resumes it (on the version it read)
        ontvanger.status = 204
        hervat = api.patch(f"{ABONNEMENTEN}/{abonnement['abonnementId']}", json={"status": "actief"},
                           headers=kop | {"If-Match": f'"{stand_versie(api, kop, abonnement)}"'})
        assert hervat.status_code == 200 and hervat.json()["status"] == "actief" and hervat.json()["misluktePogingen"] == 0
        # Then every fact arrives, from the kept position
        wacht_tot(lambda: [g["id"] for g in ontvanger.bevestigd()] == verwacht, "elk feit na het hervatten")


def stand_versie(api: TestClient, kop: dict[str, str], abonnement: dict[str, Any]) -> int:
    return int(api.get(f"{ABONNEMENTEN}/{abonnement['abonnementId']}", headers=kop).headers["ETag"].strip('"'))


def test_a_receiver_of_0590_never_receives_a_fact_of_0505(bezorgend: TestClient, als: Kopregels) -> None:
    # Given a subscriber in Papendrecht and one in Dordrecht
    papendrecht, dordrecht = als("regisseur", "0590"), als("regisseur", "0505")
    with Ontvanger() as van_0590, Ontvanger() as van_0505:
        abonneer(bezorgend, papendrecht, van_0590.url)
        abonneer(bezorgend, dordrecht, van_0505.url)
        # When both record facts
        geschiedenis(bezorgend, dordrecht, "0505")
        geschiedenis(bezorgend, papendrecht, "0590", trajecten=1)
        # Then each receiver gets its own gemeente's facts, and only those
        verwacht_0590, verwacht_0505 = feed(bezorgend, papendrecht), feed(bezorgend, dordrecht)
        wacht_tot(lambda: len(van_0505.bevestigd()) == len(verwacht_0505), "de feiten van 0505")
        wacht_tot(lambda: len(van_0590.bevestigd()) == len(verwacht_0590), "de feiten van 0590")
        assert {g["data"]["gemeente"] for g in van_0590.bevestigd()} == {"0590"}
        assert {g["data"]["gemeente"] for g in van_0505.bevestigd()} == {"0505"}


def test_duo_receives_a_hidden_kind_masked_and_never_a_field_it_may_not_read(bezorgend: TestClient, als: Kopregels,
                                                                              ontvanger: Ontvanger) -> None:
    # Given DUO subscribed, in batches
    regisseur, duo = als("regisseur", "0505"), als("duo")
    abonneer(bezorgend, duo, ontvanger.url, bezorgwijze="batch")
    # When a trajectory records a brede intake with health details and an exemption that reveals an impairment
    bsn = een_bsn()
    pad = bezorgend.post(TRAJECTEN, json=tvs_start(bsn, "0505") | {"landVanHerkomst": "ERI"}, headers=regisseur).headers["Location"]
    intake = {"datum": "2025-02-20", "onderwerpen": {"opleiding": "Asmara"}, "gezondheid": {"mentaleGezondheid": "Slaapproblemen"}}
    assert bezorgend.post(f"{pad}/brede-intakes", json=intake, headers=regisseur).status_code == 201
    ontheffing = {"datum": "2025-02-21", "grond": "visuele_beperking"}
    assert bezorgend.post(f"{pad}/leerbaarheidstoets-ontheffingen", json=ontheffing, headers=regisseur).status_code == 201
    # Then DUO's receiver gets every fact (start, TVS-profiel, intake, exemption), the exemption only as a hidden kind,
    # and no personal value at all
    ontvangen = wacht_tot(lambda: len(b := ontvanger.bevestigd()) == 4 and b, "de vier feiten bij DUO")
    assert ontvangen[-1]["type"] == AFGESCHERMD_TYPE
    assert all(set(g["data"]) == {"trajectId", "versie", "datum", "gemeente"} for g in ontvangen)
    for bezorging in ontvanger.bezorgingen:
        for geheim in (bsn, "ERI", "Asmara", "Slaapproblemen", "visuele_beperking", "leerbaarheidstoets-ontheffing"):
            assert geheim.encode() not in bezorging.inhoud


def test_a_type_filter_delivers_only_that_kind_and_moves_past_the_rest(bezorgend: TestClient, als: Kopregels,
                                                                        ontvanger: Ontvanger) -> None:
    kop = als("regisseur", "0505")
    abonnement = abonneer(bezorgend, kop, ontvanger.url, gebeurtenistypen=[KENNISGEVING])
    geschiedenis(bezorgend, kop)
    verwacht = [g["id"] for g in feed(bezorgend, kop) if g["type"] == KENNISGEVING]
    wacht_tot(lambda: status(bezorgend, kop, abonnement)["achterstand"] == 0, "het abonnement bij")
    assert [g["id"] for g in ontvanger.bevestigd()] == verwacht and len(verwacht) == 2


def test_two_dispatchers_never_deliver_one_subscription_at_once(
    instellingen: Settings, klok: VasteKlok, als: Kopregels, ontvanger: Ontvanger
) -> None:
    # Given a slow receiver, and no dispatcher in the API
    ontvanger.vertraging = 0.05
    with TestClient(create_app(instellingen.model_copy(update=SNEL | {"bezorging": "extern"}), klok)) as api:
        kop = als("regisseur", "0505")
        abonneer(api, kop, ontvanger.url, vanaf=0)
        geschiedenis(api, kop, trajecten=3)
        verwacht = [g["id"] for g in feed(api, kop)]
        # When two dispatchers (as two workers would run) deliver at the same time
        staat = api.app.state  # type: ignore[attr-defined]
        bezorgers = [Bezorger(staat.inburgering, staat.abonnementen, None, instellingen) for _ in range(2)]
        draden = [threading.Thread(target=b.ronde) for b in bezorgers for _ in range(3)]
        for draad in draden:
            draad.start()
        for draad in draden:
            draad.join(timeout=120)
        for bezorger in bezorgers:
            bezorger.ronde()  # whatever a lease left for the other
            bezorger.close()
    # Then the receiver never had two deliveries of the subscription in progress, and has every fact once
    assert ontvanger.hoogste_gelijktijdig == 1
    assert [g["id"] for g in ontvanger.bevestigd()] == verwacht


def test_a_receiver_whose_host_the_operator_no_longer_allows_gets_nothing(
    instellingen: Settings, klok: VasteKlok, als: Kopregels, ontvanger: Ontvanger
) -> None:
    # Given a subscription made while every host was allowed
    with TestClient(create_app(instellingen.model_copy(update=SNEL | {"bezorging": "extern"}), klok)) as api:
        kop = als("regisseur", "0505")
        abonnement = abonneer(api, kop, ontvanger.url)
        geschiedenis(api, kop, trajecten=1)
        # When the operator narrows the hosts (127.0.0.1 not among them) and a dispatcher runs
        beperkt = instellingen.model_copy(update=SNEL | {"bezorging_hosts": ["duo.example.nl"]})
        staat = api.app.state  # type: ignore[attr-defined]
        bezorger = Bezorger(staat.inburgering, staat.abonnementen, None, beperkt)
        assert bezorger.ronde() == 0
        bezorger.close()
        # Then nothing is posted, and the subscription says why
        assert ontvanger.bezorgingen == []
        stand = status(api, kop, abonnement)
        assert "BEZORGING_HOSTS" in stand["laatsteFout"] and stand["misluktePogingen"] == 1


def test_a_subscription_made_in_the_process_is_delivered_without_waiting_for_the_next_round(
    instellingen: Settings, klok: VasteKlok, als: Kopregels, ontvanger: Ontvanger
) -> None:
    # Given a dispatcher in the API process that, left alone, would look again only in an hour
    with TestClient(create_app(instellingen.model_copy(update=SNEL | {"bezorging": "extern"}), klok)) as api:
        staat = api.app.state  # type: ignore[attr-defined]
        staat.bezorger = Bezorger(staat.inburgering, staat.abonnementen, None, instellingen, staat.wekker.wacht, rust=3600)
        staat.bezorger.start()
        time.sleep(0.5)  # it has looked once, found nothing to deliver, and rests
        try:
            # When a subscription is made and a fact committed
            kop = als("regisseur", "0505")
            abonneer(api, kop, ontvanger.url)
            geschiedenis(api, kop, trajecten=1)
            # Then it is delivered: the subscription woke the dispatcher, the commits did the rest
            verwacht = [g["id"] for g in feed(api, kop)]
            wacht_tot(lambda: [g["id"] for g in ontvanger.bevestigd()] == verwacht, "elk feit, zonder een uur rust")
        finally:
            staat.bezorger.close()
