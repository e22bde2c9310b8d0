"""Both processes end to end through HTTP, on SQLite and on PostgreSQL (policy document chapter 3)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.gebeurtenistypen import SOORTEN, naam
from tests.builders import een_bsn, kennisgeving_start, tvs_start
from tests.conftest import Kopregels


class Traject:
    """A trajectory as a client sees it: POST a step, and every step must be accepted."""

    def __init__(self, api: TestClient, pad: str) -> None:
        self.api, self.pad = api, pad

    def stap(self, sub: str, body: dict[str, Any], kop: dict[str, str]) -> dict[str, Any]:
        antwoord = self.api.post(f"{self.pad}/{sub}", json=body, headers=kop)
        assert antwoord.status_code == 201, f"{sub}: {antwoord.text}"
        return antwoord.json()

    def geweigerd(self, sub: str, body: dict[str, Any], kop: dict[str, str]) -> str:
        antwoord = self.api.post(f"{self.pad}/{sub}", json=body, headers=kop)
        assert antwoord.status_code == 409, f"{sub}: {antwoord.text}"
        assert antwoord.headers["content-type"] == "application/problem+json"
        return str(antwoord.json()["code"])


def test_statushouder_in_dordrecht_from_tvs_profiel_to_afronding(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    rapporteur, besluitnemer, jurist = als("handhaver", "0505"), als("handhaver", "0505", "0531"), als("handhaver", "0505", "0590")

    # COA: TVS-profiel and warme overdracht; DUO's kennisgeving; housing in Dordrecht.
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn(), "0505", "2025-01-06"), headers=regisseur)
    assert start.status_code == 201, start.text
    assert start.headers["ETag"] == '"2"'
    t = Traject(api, start.headers["Location"])
    t.stap("coa-overdrachten", {"datum": "2025-01-08", "verslag": "3-gesprek met tolk", "tolkAanwezig": True}, regisseur)
    t.stap("kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}, regisseur)
    stand = t.stap("huisvestingen", {"datum": "2025-02-03", "gemeente": "0505", "huisvestingsdatum": "2025-01-31"}, regisseur)
    assert stand["pipUitersteDatum"] == "2025-04-14"

    # Brede intake with kennismaking and leerbaarheidstoets, then the welkomstprogramma.
    t.stap("intake-oproepen", {"datum": "2025-02-04", "uiterlijk": "2025-02-14"}, regisseur)
    t.stap("kennismakingsgesprekken", {"datum": "2025-02-10", "verslag": "Kennismaking"}, regisseur)
    t.stap("leerbaarheidstoetsen", {"datum": "2025-02-12", "haalbaarNiveau": "B1", "adviesLeerroute": "b1"}, regisseur)
    intake = {"datum": "2025-02-20", "onderwerpen": {"opleiding": "Middelbare school"}, "gezondheid": {"mentaleGezondheid": "Slaapproblemen"}}
    t.stap("brede-intakes", intake, regisseur)
    t.stap("welkomstprogrammas", {"datum": "2025-02-24"}, regisseur)
    t.stap("cursusuren", {"datum": "2025-03-31", "soort": "nt2", "uren": 40, "fase": "brede_intake"}, regisseur)

    # PIP with the full offer of table 1; support starts.
    pip = {"dagtekening": "2025-04-10", "leerroute": "b1", "leerrouteUrenPerWeek": 16, "pvtUren": 12, "mapUren": 40,
           "aantalVoortgangsgesprekken": 4, "ondersteuning": "Vluchtelingenwerk",
           "aanbod": ["financieel_ontzorgen", "maatschappelijke_begeleiding", "leerroute_aanbod", "pvt", "map"]}
    stand = t.stap("pip-vaststellingen", pip, regisseur)
    assert (stand["termijnStart"], stand["termijnEinde"]) == ("2025-04-11", "2028-04-11")
    t.stap("ontzorgingen", {"datum": "2025-02-03", "vasteLasten": ["huur", "gas", "water", "stroom", "zorgverzekering"]}, regisseur)
    t.stap("maatschappelijke-begeleidingen", {"datum": "2025-02-03", "uitvoerder": "Vluchtelingenwerk"}, regisseur)
    stand = t.stap("tolkvoorzieningen", {"datum": "2025-04-10", "taal": "Arabisch", "doel": "PIP-gesprek"}, regisseur)
    assert (stand["financieelOntzorgenEinde"], stand["maatschappelijkeBegeleidingEinde"]) == ("2025-08-03", "2026-05-03")

    # Uitvoering: hours, a gesprek, PVT and MAP.
    t.stap("cursusuren", {"datum": "2025-09-30", "soort": "pvt", "uren": 12, "fase": "uitvoering"}, regisseur)
    t.stap("voortgangsgesprekken", {"datum": "2025-06-02", "status": "gevoerd", "verslag": "Goede voortgang."}, regisseur)
    t.stap("participatieverklaringen", {"datum": "2025-10-01"}, regisseur)
    for thema in ("beroepenorientatie", "werknemerscompetenties", "realistisch_beroepsbeeld", "beroepskansen",
                  "beroepscompetenties_verwerven", "netwerk_opbouwen", "werk_vinden", "werkcultuur"):
        t.stap("map-themas", {"datum": "2025-11-03", "thema": thema}, regisseur)
    t.stap("map-eindgesprekken", {"datum": "2025-11-10", "verslag": "MAP afgerond."}, regisseur)

    # A missed gesprek, and the Awb procedure with a bezwaar that is partly upheld.
    t.stap("voortgangsgesprekken", {"datum": "2025-11-17", "status": "gemist", "verslag": "Niet verschenen."}, regisseur)
    overtreding = {"datum": "2025-11-17", "artikel": "wi23", "grond": "voortgangsgesprek_gemist", "rapportdatum": "2025-11-18", "rapport": "Niet verschenen, niet afgemeld."}
    zaak_antwoord = api.post(f"{t.pad}/handhavingszaken", json=overtreding, headers=rapporteur)
    assert zaak_antwoord.status_code == 201, zaak_antwoord.text
    zaak = zaak_antwoord.headers["Location"].removeprefix(t.pad + "/")
    t.stap(f"{zaak}/voornemens", {"datum": "2025-11-20", "zienswijzetermijn": "2025-12-04"}, rapporteur)
    t.stap(f"{zaak}/zienswijzen", {"datum": "2025-11-28", "mondeling": True, "samenvatting": "Vergeten."}, rapporteur)
    besluit = {"datum": "2025-12-08", "verwijtbaarheid": "grove_schuld", "motivering": "Verwijtbaar.", "uitzonderlijkGevalMotivering": "Derde keer."}
    assert t.geweigerd(f"{zaak}/boetebesluiten", besluit, rapporteur) == "vier-ogen"
    stand = t.stap(f"{zaak}/boetebesluiten", besluit, besluitnemer)
    assert stand["boetes"][0]["bedrag"] == "37.50"
    t.stap(f"{zaak}/bezwaren", {"datum": "2026-01-12"}, jurist)
    stand = t.stap(f"{zaak}/bezwaarbeslissingen", {"datum": "2026-02-02", "uitkomst": "deels_gegrond", "nieuwBedrag": "25.00", "motivering": "Verminderd verwijtbaar."}, jurist)
    [handhaving] = stand["handhavingszaken"]
    assert (handhaving["stap"], handhaving["bezwaarTijdig"], handhaving["boete"]["bedrag"]) == ("besloten", True, "25.00")
    assert api.get(f"{t.pad}/{zaak}", headers=regisseur).json()["beslissingOpBezwaar"] == "deels_gegrond"

    # DUO's exam results and diploma, afronding, warme overdracht.
    for onderdeel in ("lezen", "luisteren", "schrijven", "spreken", "knm"):
        t.stap("examenresultaten", {"datum": "2026-03-02", "onderdeel": onderdeel, "niveau": None if onderdeel == "knm" else "B1", "behaald": True}, regisseur)
    t.stap("diplomas", {"datum": "2026-04-01"}, regisseur)
    stand = t.stap("afrondingen", {"datum": "2026-04-15"}, regisseur)
    assert (stand["status"], stand["einddatum"]) == ("afgerond", "2026-04-15")
    assert t.geweigerd("voortgangsgesprekken", {"datum": "2026-04-20", "status": "gevoerd", "verslag": "x"}, regisseur) == "traject-afgesloten"
    t.stap("vervolgoverdrachten", {"datum": "2026-04-20", "ontvanger": "Werkgeversservicepunt", "toelichting": "Richting werk."}, regisseur)

    historie = api.get(f"{t.pad}/gebeurtenissen", headers=als("duo")).json()["gebeurtenissen"]
    assert [g["versie"] for g in historie] == list(range(1, len(historie) + 1))
    soorten = [naam(SOORTEN[g["type"]]) for g in historie]
    assert soorten[:4] == ["Gestart", "TvsProfielOntvangen", "CoaWarmeOverdrachtGehouden", "InburgeringsplichtVastgesteld"]
    assert soorten[-3:] == ["DiplomaOntvangen", "InburgeringsplichtVoldaan", "WarmeOverdrachtVervolgtrajectGehouden"]
    assert {"OvertredingGeconstateerd", "BoeteVoornemenVerzonden", "ZienswijzeOntvangen", "BoeteOpgelegd", "BezwaarOntvangen", "BeslissingOpBezwaarGenomen"} <= set(soorten)
    besluit_feit = next(g for g in historie if g["type"].endswith(".boete-opgelegd"))
    assert besluit_feit["actor"] == {"gebruiker": "handhaver-0505-0531", "rol": "handhaver", "gemeente": "0505"}


def test_gezinsmigrant_in_zwijndrecht_through_oproepen_verhuizing_and_duo(api: TestClient, als: Kopregels) -> None:
    zwijndrecht, hia = als("regisseur", "0642"), als("regisseur", "0531")
    rapporteur, besluitnemer = als("handhaver", "0642", "0531"), als("handhaver", "0642", "0531", "0505")

    start = api.post("/api/v1/trajecten", json=kennisgeving_start(een_bsn(), "0642", "2025-02-03"), headers=zwijndrecht)
    assert start.status_code == 201, start.text
    assert (start.json()["doelgroep"], start.json()["pipUitersteDatum"]) == ("gezins_overige_migrant", "2025-04-14")
    t = Traject(api, start.headers["Location"])

    # Statushouder-only steps are refused with their rule.
    assert t.geweigerd("coa-overdrachten", {"datum": "2025-02-04", "verslag": "x"}, zwijndrecht) == "alleen-asielstatushouders"

    # Three oproepen, no show: a Wi 22 boete and the intake in afwezigheid (Wi 14, Wi 22).
    t.stap("intake-oproepen", {"datum": "2025-02-05", "uiterlijk": "2025-02-14"}, zwijndrecht)
    assert t.geweigerd("intake-oproepen", {"datum": "2025-02-15", "uiterlijk": "2025-02-28"}, zwijndrecht) == "brede-intake-oproep"
    t.stap("intake-oproepen", {"datum": "2025-02-15", "uiterlijk": "2025-02-28", "schriftelijkeWaarschuwing": True}, zwijndrecht)
    t.stap("intake-oproepen", {"datum": "2025-03-01", "uiterlijk": "2025-03-14", "schriftelijkeWaarschuwing": True}, zwijndrecht)
    overtreding = {"datum": "2025-03-01", "artikel": "wi22", "grond": "brede_intake_niet_meegewerkt", "rapportdatum": "2025-03-03", "rapport": "Niet verschenen."}
    zaak = api.post(f"{t.pad}/handhavingszaken", json=overtreding, headers=rapporteur).headers["Location"].removeprefix(t.pad + "/")
    t.stap(f"{zaak}/voornemens", {"datum": "2025-03-04", "zienswijzetermijn": "2025-03-18"}, rapporteur)
    t.stap(f"{zaak}/termijnverstrijkingen", {"datum": "2025-03-19"}, rapporteur)
    stand = t.stap(f"{zaak}/boetebesluiten", {"datum": "2025-03-20", "verwijtbaarheid": "opzet", "motivering": "Drie keer niet verschenen."}, besluitnemer)
    assert stand["boetes"][0]["bedrag"] == "250.00"
    stand = t.stap("intakes-in-afwezigheid", {"datum": "2025-03-15", "verslag": "Voltooid zonder de persoon."}, zwijndrecht)
    assert stand["intakeInAfwezigheid"] is True

    # PIP: table 1 is enforced per doelgroep; a Z-route with a later route change refused after the window.
    pip = {"dagtekening": "2025-04-15", "leerroute": "z_route", "pvtUren": 12, "mapUren": 40, "aantalVoortgangsgesprekken": 3, "ondersteuning": "Gesprekken"}
    assert t.geweigerd("pip-vaststellingen", pip | {"aanbod": ["maatschappelijke_begeleiding"]}, zwijndrecht) == "aanbod-alleen-asielstatushouders"
    t.stap("pip-vaststellingen", pip | {"aanbod": ["pvt", "map"]}, zwijndrecht)
    t.stap("pip-wijzigingen", {"datum": "2025-05-01", "pvtUren": 12, "mapUren": 40, "aantalVoortgangsgesprekken": 5, "ondersteuning": "Meer gesprekken", "aanbod": ["pvt", "map"], "reden": "Meer zicht op voortgang"}, zwijndrecht)

    # She moves to Hendrik-Ido-Ambacht: the trajectory and its history move along.
    stand = t.stap("verhuizingen", {"datum": "2025-06-02", "naar": "0531"}, zwijndrecht)
    assert stand["gemeente"] == "0531"
    assert api.get(t.pad, headers=zwijndrecht).status_code == 404
    assert api.get(t.pad, headers=hia).json()["termijnStart"] == "2025-04-16"
    t.stap("pip-wijzigingen", {"datum": "2025-07-01", "pvtUren": 12, "mapUren": 40, "aantalVoortgangsgesprekken": 5, "ondersteuning": "Nieuwe regisseur", "aanbod": ["pvt", "map"], "reden": "PIP na verhuizing (Bi 5.3(3))"}, hia)

    # A wrongly dated gesprek is corrected; DUO's decisions arrive.
    gesprek = t.stap("voortgangsgesprekken", {"datum": "2025-07-07", "status": "gevoerd", "verslag": "Goed gesprek."}, hia)
    stand = t.stap("correcties", {"datum": "2025-07-08", "versie": gesprek["versie"], "correcties": {"datum": "2025-07-04"}, "toelichting": "Verkeerde datum"}, hia)
    assert stand["aantalCorrecties"] == 1
    stand = t.stap("termijnverlengingen", {"datum": "2026-01-05", "nieuweEinddatum": "2028-10-16", "grond": "Niet verwijtbaar"}, hia)
    assert (stand["termijnEinde"], stand["termijnEindeDoorDuo"]) == ("2028-10-16", True)
    t.stap("duo-boetes", {"datum": "2026-02-02", "artikel": "wi24", "bedrag": "340.00"}, hia)
    stand = t.stap("ontheffingen", {"datum": "2026-03-02", "grond": "medisch", "volledig": True}, hia)
    assert (stand["status"], stand["einddatum"]) == ("ontheven", "2026-03-02")

    historie = api.get(f"{t.pad}/gebeurtenissen", headers=als("auditor")).json()["gebeurtenissen"]
    soorten = [naam(SOORTEN[g["type"]]) for g in historie]
    assert soorten.count("BredeIntakeOproepVerzonden") == 3
    assert "VerhuisdBinnenRegio" in soorten and soorten[-1] == "OntheffingVerleend"
    correctie = next(g for g in historie if g["type"].endswith(".feit-gecorrigeerd"))
    assert correctie["gegevens"] == {"versie": gesprek["versie"], "correcties": {"datum": "2025-07-04"}, "toelichting": "Verkeerde datum"}
    gevoerd = next(g for g in historie if g["versie"] == gesprek["versie"])
    assert gevoerd["datum"] == "2025-07-07"  # history is never edited: the correction stands beside it
    assert {g["actor"]["gemeente"] for g in historie[-5:]} == {"0531"}


def test_a_person_whose_trajectory_closed_can_start_a_new_one(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    bsn = een_bsn()
    eerste = api.post("/api/v1/trajecten", json=tvs_start(bsn), headers=regisseur)
    t = Traject(api, eerste.headers["Location"])
    t.stap("overdrachten", {"datum": "2025-03-01", "nieuweGemeente": "0363", "toelichting": "Naar Amsterdam"}, regisseur)
    tweede = api.post("/api/v1/trajecten", json=tvs_start(bsn, datum="2025-06-01"), headers=regisseur)
    assert tweede.status_code == 201, tweede.text
    gevonden = api.post("/api/v1/trajecten/_zoek", json={"bsn": bsn}, headers=regisseur).json()["trajecten"]
    assert sorted(g["status"] for g in gevonden) == ["lopend", "overgedragen"]
