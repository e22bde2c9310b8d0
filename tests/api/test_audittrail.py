"""What DUO and auditors get: the audit trail, the full history by BSN, the CloudEvents feed, time
travel and the integrity check, through HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import pickle
import threading
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.integriteit import controleer_export
from tests.api.test_scenarios import Traject
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels

GEZONDHEID = "Slaapproblemen-7Q"


def _traject(api: TestClient, als: Kopregels, klok: VasteKlok, bsn: str | None = None) -> Traject:
    """A statushouder in Dordrecht, each step recorded on a day of its own."""
    regisseur = als("regisseur", "0505")
    klok.tijdstip = datetime(2025, 1, 6, 10, tzinfo=UTC)
    start = api.post("/api/v1/trajecten", json=tvs_start(bsn or een_bsn()), headers=regisseur)
    assert start.status_code == 201, start.text
    t = Traject(api, start.headers["Location"])
    for dag, sub, body in (
        (20, "kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}),
        (21, "huisvestingen", {"datum": "2025-01-21", "gemeente": "0505"}),
        (28, "brede-intakes", {"datum": "2025-01-28", "onderwerpen": {"werk": "kok"}, "gezondheid": {"mentaleGezondheid": GEZONDHEID}}),
    ):
        klok.tijdstip = datetime(2025, 1, dag, 15, tzinfo=UTC)
        t.stap(sub, body, regisseur)
    klok.tijdstip = datetime(2025, 3, 3, 9, tzinfo=UTC)
    t.stap("pip-vaststellingen", {"dagtekening": "2025-03-03", "leerroute": "b1", "leerrouteUrenPerWeek": 16, "pvtUren": 12,
                                  "mapUren": 40, "aantalVoortgangsgesprekken": 4, "ondersteuning": "VWN", "aanbod": ["pvt"]},
           regisseur | {"X-Audit-Toelichting": "PIP besproken met tolk"})
    return t


def test_the_audit_trail_has_the_zgw_shape_and_what_only_events_can_tell(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    t = _traject(api, als, klok)
    regels = api.get(f"{t.pad}/audittrail", headers=als("auditor")).json()["audittrail"]
    assert [r["versie"] for r in regels] == list(range(1, len(regels) + 1))
    eerste, pip = regels[0], regels[-1]
    assert (eerste["actie"], eerste["gebeurtenistype"], eerste["resultaat"]) == ("create", "nl.wet-inburgering.traject.gestart", 201)
    assert eerste["hoofdObject"].startswith("http") and eerste["hoofdObject"].endswith(t.pad)
    assert (pip["actie"], pip["actieWeergave"], pip["toelichting"]) == ("partial_update", "Pip vastgesteld", "PIP besproken met tolk")
    assert (pip["datum"], pip["aanmaakdatum"], pip["rechtsgrond"], pip["namensCollege"]) == ("2025-03-03", "2025-03-03T09:00:00Z", "Wi 15, Bi 5.3", "0505")
    assert (pip["gebruikersId"], pip["bron"], pip["resource"]) == ("regisseur-0505", "sdd-inburgering", "traject")
    assert pip["wijzigingen"]["oud"]["leerroute"] is None and pip["wijzigingen"]["nieuw"]["leerroute"] == "b1"
    assert pip["wijzigingen"]["nieuw"]["termijnStart"] == "2025-03-04" and "versie" not in pip["wijzigingen"]["nieuw"]
    assert len(pip["traceId"]) == 32
    # One line by its uuid, and the same uuid every time.
    enkel = api.get(f"{t.pad}/audittrail/{pip['uuid']}", headers=als("auditor"))
    assert enkel.status_code == 200 and enkel.json() == pip
    ander = eerste["uuid"][:-1] + ("1" if eerste["uuid"][-1] != "1" else "2")
    assert api.get(f"{t.pad}/audittrail/{ander}", headers=als("auditor")).json()["code"] == "auditregel-niet-gevonden"


def test_a_toelichting_must_be_one_line(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    t = _traject(api, als, klok)
    antwoord = api.post(f"{t.pad}/regisseur-toewijzingen", json={"datum": "2025-03-03", "regisseur": "r2"},
                        headers=als("regisseur", "0505") | {"X-Audit-Toelichting": "x" * 1001})
    assert (antwoord.status_code, antwoord.json()["code"]) == (400, "ongeldige-invoer")
    assert [p["name"] for p in antwoord.json()["invalidParams"]] == ["X-Audit-Toelichting"]
    assert api.get(t.pad, headers=als("regisseur", "0505")).json()["regisseur"] == "regisseur-0505"  # nothing recorded


def test_duo_gets_every_event_of_a_person_by_bsn_without_health_or_intake_details(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    bsn = een_bsn()
    t = _traject(api, als, klok, bsn)
    antwoord = api.post("/api/v1/trajecten/_historie", json={"bsn": bsn}, headers=als("duo"))
    [traject] = antwoord.json()["trajecten"]
    assert traject["trajectId"] in t.pad and traject["gemeente"] == "0505"
    assert [g["versie"] for g in traject["gebeurtenissen"]] == list(range(1, 7))
    intake = next(g for g in traject["gebeurtenissen"] if g["type"].endswith(".brede-intake-gehouden"))
    assert (intake["gegevens"], sorted(intake["afgeschermd"])) == ({"leerbaarheidstoetsAdvies": None}, ["gezondheid", "onderwerpen"])
    assert GEZONDHEID not in antwoord.text
    # Nor anywhere else DUO may look.
    for pad in (f"{t.pad}/audittrail", f"{t.pad}/gebeurtenissen", t.pad, "/api/v1/gebeurtenissen"):
        assert GEZONDHEID not in api.get(pad, headers=als("duo")).text, pad
    # The auditor sees it, marked as special-category data.
    volledig = api.post("/api/v1/trajecten/_historie", json={"bsn": bsn}, headers=als("auditor")).json()["trajecten"][0]
    intake = next(g for g in volledig["gebeurtenissen"] if g["type"].endswith(".brede-intake-gehouden"))
    assert intake["gegevens"]["gezondheid"] == {"mentaleGezondheid": GEZONDHEID} and intake["bijzonderePersoonsgegevens"] == ["gezondheid"]
    assert api.get("/api/v1/trajecten/_historie", headers=als("duo")).status_code == 405


def test_time_travel_by_version_by_recording_day_and_by_business_date(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    t = _traject(api, als, klok)
    kop = als("regisseur", "0505")
    klok.tijdstip = datetime(2025, 3, 10, 9, tzinfo=UTC)
    # Recorded late: the huisvesting really started earlier, corrected now.
    t.stap("correcties", {"datum": "2025-03-10", "versie": 4, "correcties": {"huisvestingsdatum": "2025-01-15"}, "toelichting": "BRP"}, kop)

    nu = api.get(t.pad, headers=kop)
    assert (nu.headers["ETag"], nu.json()["huisvestingsdatum"]) == ('"7"', "2025-01-15")
    versie_3 = api.get(t.pad, params={"versie": 3}, headers=kop)
    assert (versie_3.json()["versie"], versie_3.json()["kennisgevingsdatum"], versie_3.json()["huisvestingsdatum"]) == (3, "2025-01-20", None)
    assert "ETag" not in versie_3.headers
    assert api.get(t.pad, params={"versie": 99}, headers=kop).status_code == 404

    # As recorded at the end of 2025-01-21 (Dutch time): start, TVS-profiel, kennisgeving, huisvesting as first recorded.
    toen = api.get(t.pad, params={"peildatum": "2025-01-21"}, headers=kop).json()
    assert (toen["versie"], toen["huisvestingsdatum"], toen["bredeIntakeDatum"]) == (4, "2025-01-21", None)
    assert api.get(t.pad, params={"peildatum": "2025-01-05"}, headers=kop).json()["code"] == "nog-niet-vastgelegd"

    # As it really stood on 2025-01-25, as known now: the corrected huisvesting, no intake yet.
    geldig = api.get(t.pad, params={"geldigOp": "2025-01-25"}, headers=kop).json()
    assert (geldig["huisvestingsdatum"], geldig["bredeIntakeDatum"], geldig["pipDagtekening"]) == ("2025-01-15", None, None)
    # Both axes at once: as recorded by 2025-01-21, valid on 2025-01-20 (the huisvesting was not yet known).
    beide = api.get(t.pad, params={"peildatum": "2025-01-21", "geldigOp": "2025-01-20"}, headers=kop).json()
    assert (beide["kennisgevingsdatum"], beide["huisvestingsdatum"]) == ("2025-01-20", None)
    assert api.get(t.pad, params={"geldigOp": "2024-12-31"}, headers=kop).json()["code"] == "nog-niet-gestart"
    assert api.get(t.pad, params={"versie": 2, "peildatum": "2025-01-21"}, headers=kop).json()["versie"] == 2  # the earlier
    assert api.get(t.pad, params={"versie": 6, "peildatum": "2025-01-21"}, headers=kop).json()["versie"] == 4


def test_the_feed_is_complete_ordered_and_exactly_once_while_writes_go_on(api: TestClient, als: Kopregels) -> None:
    kop, duo = als("regisseur", "0505"), als("duo")
    gezien: list[dict[str, Any]] = []
    na = 0

    def schrijf() -> None:
        for _ in range(12):
            start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=kop)
            Traject(api, start.headers["Location"]).stap("kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}, kop)

    schrijvers = [threading.Thread(target=schrijf) for _ in range(2)]
    for schrijver in schrijvers:
        schrijver.start()
    while True:
        klaar = not any(s.is_alive() for s in schrijvers)  # before the read: a write after it would be missed
        pagina = api.get("/api/v1/gebeurtenissen", params={"na": na, "limiet": 5}, headers=duo).json()
        gezien += pagina["gebeurtenissen"]
        na = pagina["positie"]
        if klaar and not pagina["gebeurtenissen"]:
            break
    for schrijver in schrijvers:
        schrijver.join()

    posities = [int(g["sequence"]) for g in gezien]
    assert posities == sorted(set(posities))  # in log order, each once
    assert len(gezien) == 2 * 12 * 3  # two writers; Gestart, TvsProfielOntvangen, InburgeringsplichtVastgesteld each
    eerste = gezien[0]
    assert (eerste["specversion"], eerste["type"], eerste["datacontenttype"]) == ("1.0", "nl.wet-inburgering.traject.gestart", "application/json")
    assert eerste["source"].startswith("urn:nld:") and eerste["subject"] == eerste["data"]["trajectId"]
    assert set(eerste["data"]) == {"trajectId", "versie", "datum", "gemeente"}  # informatiearm: no BSN, no payload
    assert api.get(eerste["dataref"].split("testserver", 1)[1], headers=duo).json()["type"] == "nl.wet-inburgering.traject.gestart"
    assert {g["type"] for g in gezien} == {"nl.wet-inburgering.traject.gestart", "nl.wet-inburgering.traject.tvs-profiel-ontvangen",
                                          "nl.wet-inburgering.traject.inburgeringsplicht-vastgesteld"}
    # A regisseur of another gemeente follows nothing of Dordrecht.
    assert api.get("/api/v1/gebeurtenissen", headers=als("regisseur", "0642")).json()["gebeurtenissen"] == []


def test_the_integrity_endpoint_and_export_for_auditors(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    t = _traject(api, als, klok)
    rapport = api.get("/api/v1/integriteit", headers=als("auditor")).json()
    assert (rapport["inOrde"], rapport["bevindingen"]) == (True, []) and rapport["gebeurtenissen"] >= 6
    export = api.get(f"{t.pad}/export", headers=als("auditor")).json()
    assert len(export["gebeurtenissen"]) == 6 and export["controlepunt"]["versie"] == 6
    assert controleer_export({**export, "aggregaatId": export["aggregaatId"]}) == []
    assert b'"_keten":"' in base64.b64decode(export["gebeurtenissen"][0]["opgeslagen"])
    for rol in ("regisseur", "duo", "beheerder"):
        assert api.get("/api/v1/integriteit", headers=als(rol, "0505")).status_code == 403
        assert api.get(f"{t.pad}/export", headers=als(rol, "0505")).status_code == 403
    json.dumps(export)  # a plain JSON file, as the offline procedure expects


def test_duo_cannot_tell_that_an_impairment_exemption_was_granted(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    bsn = een_bsn()
    t = _traject(api, als, klok, bsn)
    t.stap("leerbaarheidstoets-ontheffingen", {"datum": "2025-03-03", "grond": "visuele_beperking"},
           als("regisseur", "0505") | {"X-Audit-Toelichting": "Blind sinds 2019"})
    verraad = ("Ontheffing", "ontheffing", "visuele", "Wi 14(6)", "Blind")
    for pad in (f"{t.pad}/audittrail", f"{t.pad}/gebeurtenissen", t.pad, "/api/v1/gebeurtenissen"):
        tekst = api.get(pad, headers=als("duo")).text
        assert not [woord for woord in verraad if woord in tekst], pad
    historie = api.post("/api/v1/trajecten/_historie", json={"bsn": bsn}, headers=als("duo"))
    assert not [woord for woord in verraad if woord in historie.text]
    feit = historie.json()["trajecten"][0]["gebeurtenissen"][-1]
    assert (feit["type"], feit["gegevens"], feit["afgeschermd"]) == ("nl.wet-inburgering.traject.afgeschermd", {}, ["grond", "type"])
    # The regisseur and the auditor see what it is.
    regel = api.get(f"{t.pad}/audittrail", headers=als("auditor")).json()["audittrail"][-1]
    assert (regel["gebeurtenistype"], regel["rechtsgrond"], regel["toelichting"]) == (
        "nl.wet-inburgering.traject.leerbaarheidstoets-ontheffing-verleend", "Wi 14(6)", "Blind sinds 2019")


def test_looking_back_shows_neither_removed_data_nor_a_trajectory_outside_todays_mandate(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    bsn = een_bsn()
    t = _traject(api, als, klok, bsn)
    dordrecht, zwijndrecht = als("regisseur", "0505"), als("regisseur", "0642")
    assert api.get(t.pad, params={"versie": 1}, headers=dordrecht).json()["bsn"] == bsn
    klok.tijdstip = datetime(2025, 3, 10, 9, tzinfo=UTC)
    t.stap("verhuizingen", {"datum": "2025-03-04", "naar": "0642"}, dordrecht)
    assert api.get(t.pad, params={"versie": 1}, headers=dordrecht).status_code == 404  # no longer Dordrecht's
    assert api.get(t.pad, params={"versie": 1}, headers=zwijndrecht).json()["bsn"] == bsn
    assert api.get(t.pad, params={"peildatum": "2025-01-21"}, headers=zwijndrecht).status_code == 200
    t.stap("verwijderingen", {"grond": "overlijden", "overlijdensdatum": "2025-03-05"}, zwijndrecht)
    for params in ({"versie": 1}, {"peildatum": "2025-01-06"}, {"geldigOp": "2025-01-06"}):
        eerder = api.get(t.pad, params=params, headers=zwijndrecht).json()
        assert (eerder["bsn"], eerder["verwijderd"]) == (None, ["bsn"]), params


def test_reading_a_trajectory_in_every_view_leaves_the_shared_cached_one_as_it_was(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    # Reads use the cached aggregate itself, without a copy: none of them may change it for the next reader.
    t = _traject(api, als, klok)
    app = api.app.state.inburgering  # type: ignore[attr-defined]
    traject_id = t.pad.rsplit("/", 1)[1]
    gedeeld = app.repository.get(UUID(traject_id), deepcopy_from_cache=False)
    voor = pickle.dumps(gedeeld)
    for rol in (als("regisseur", "0505"), als("handhaver", "0505"), als("duo"), als("auditor")):
        for query in ({}, {"versie": 3}, {"peildatum": "2025-01-21"}, {"geldigOp": "2025-01-25"}, {"versie": 5, "geldigOp": "2025-01-21"}):
            assert api.get(t.pad, params=query, headers=rol).status_code == 200, (query, rol)
    assert app.repository.get(UUID(traject_id), deepcopy_from_cache=False) is gedeeld  # still the shared one
    assert pickle.dumps(gedeeld) == voor
