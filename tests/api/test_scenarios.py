"""Both processes of this slice end to end through HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.builders import een_bsn, kennisgeving_start, tvs_start
from tests.conftest import Kopregels


def test_statushouder_in_dordrecht_from_tvs_profiel_to_boete(api: TestClient, als: Kopregels) -> None:
    regisseur, handhaver = als("regisseur", "0505"), als("handhaver", "0505")
    bsn = een_bsn()

    # COA's TVS-profiel arrives: the trajectory starts.
    start = api.post("/api/v1/trajecten", json=tvs_start(bsn, "0505", "2025-01-06"), headers=regisseur)
    assert start.status_code == 201, start.text
    traject = start.json()
    pad = f"/api/v1/trajecten/{traject['trajectId']}"
    assert start.headers["Location"] == pad
    assert start.headers["ETag"] == '"2"'
    assert (traject["doelgroep"], traject["gemeente"], traject["pipUitersteDatum"]) == ("asielstatushouder", "0505", None)

    # DUO's kennisgeving and the BRP registration start the PIP clock (Bi 5.3(1)).
    stap = api.post(f"{pad}/kennisgevingen", json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}, headers=regisseur | {"If-Match": '"2"'})
    assert stap.status_code == 201, stap.text
    stap = api.post(f"{pad}/huisvestingen", json={"datum": "2025-02-03", "gemeente": "0505", "huisvestingsdatum": "2025-01-31"}, headers=regisseur | {"If-Match": stap.headers["ETag"]})
    assert stap.json()["pipUitersteDatum"] == "2025-04-14"

    # Brede intake, then the PIP: the termijn starts the day after its dagtekening.
    intake = {
        "datum": "2025-02-20",
        "onderwerpen": {"opleiding": "Middelbare school in Aleppo", "taalniveau": "A1"},
        "gezondheid": {"mentaleGezondheid": "Slaapproblemen"},
        "leerbaarheidstoetsAdvies": "b1",
    }
    assert api.post(f"{pad}/brede-intakes", json=intake, headers=regisseur).status_code == 201
    pip = {"dagtekening": "2025-04-10", "leerroute": "b1", "leerrouteUrenPerWeek": 16, "pvtUren": 12, "mapUren": 40, "aantalVoortgangsgesprekken": 4, "ondersteuning": "Maatschappelijke begeleiding door Vluchtelingenwerk"}
    stap = api.post(f"{pad}/pip-vaststellingen", json=pip, headers=regisseur)
    assert stap.status_code == 201, stap.text
    assert (stap.json()["termijnStart"], stap.json()["termijnEinde"]) == ("2025-04-11", "2028-04-11")
    assert {"soort": "pip-vaststelling", "uiterlijk": "2025-04-14", "grondslag": "Bi 5.3(1)", "status": "voldaan"} in stap.json()["deadlines"]

    # A route change inside the window, a missed gesprek, and a boete for it.
    wijziging = {"datum": "2025-10-01", "naar": "z_route", "reden": "voortgang_lager_dan_verwacht", "toelichting": "Geen voortgang na 300 uur."}
    assert api.post(f"{pad}/leerroute-wijzigingen", json=wijziging, headers=regisseur).json()["leerroute"] == "z_route"
    gesprek = {"datum": "2025-11-03", "status": "gemist", "geldigeReden": False, "verslag": "Niet verschenen, niet afgemeld."}
    assert api.post(f"{pad}/voortgangsgesprekken", json=gesprek, headers=regisseur).json()["aantalVoortgangsgesprekkenGemist"] == 1
    boete = {
        "datum": "2025-12-01", "artikel": "wi23", "grond": "voortgangsgesprek_gemist", "verwijtbaarheid": "grove_schuld",
        "motivering": "Tweede keer niet verschenen.", "uitzonderlijkGevalMotivering": "Aanhoudend gebrek aan bereidheid.",
    }
    stap = api.post(f"{pad}/boetes", json=boete, headers=handhaver)
    assert stap.status_code == 201, stap.text
    assert stap.json()["boetes"] == [{"versie": 9, "datum": "2025-12-01", "artikel": "wi23", "grond": "voortgangsgesprek_gemist", "bedrag": "37.50"}]

    # Everything is in the history, in order, dated and attributed.
    historie = api.get(f"{pad}/gebeurtenissen", headers=als("duo")).json()["gebeurtenissen"]
    assert [(g["versie"], g["type"]) for g in historie] == [
        (1, "Inburgeringstraject.Gestart"),
        (2, "Inburgeringstraject.TvsProfielOntvangen"),
        (3, "Inburgeringstraject.InburgeringsplichtVastgesteld"),
        (4, "Inburgeringstraject.HuisvestingGeregistreerd"),
        (5, "Inburgeringstraject.BredeIntakeGehouden"),
        (6, "Inburgeringstraject.PipVastgesteld"),
        (7, "Inburgeringstraject.LeerrouteGewijzigd"),
        (8, "Inburgeringstraject.VoortgangsgesprekGemist"),
        (9, "Inburgeringstraject.BoeteOpgelegd"),
    ]
    assert historie[8]["actor"] == {"gebruiker": "handhaver-0505", "rol": "handhaver", "gemeente": "0505"}
    assert historie[6]["actor"]["gebruiker"] == "regisseur-0505"
    assert historie[5]["datum"] == "2025-04-10" and historie[5]["vastgelegdOp"].startswith("2026-06-01T10:00:00")
    assert historie[7]["gegevens"] == {"geldigeReden": False, "verslag": "Niet verschenen, niet afgemeld."}
    assert api.get(f"{pad}/gebeurtenissen/7", headers=regisseur).json()["gegevens"]["naar"] == "z_route"
    assert api.get(pad, headers=regisseur).headers["ETag"] == '"9"'


def test_gezinsmigrant_in_zwijndrecht_from_kennisgeving_to_boete(api: TestClient, als: Kopregels) -> None:
    regisseur, handhaver = als("regisseur", "0642"), als("handhaver", "0642")
    bsn = een_bsn()

    start = api.post("/api/v1/trajecten", json=kennisgeving_start(bsn, "0642", "2025-02-03"), headers=regisseur)
    assert start.status_code == 201, start.text
    pad = start.headers["Location"]
    assert (start.json()["doelgroep"], start.json()["pipUitersteDatum"]) == ("gezins_overige_migrant", "2025-04-14")

    assert api.post(f"{pad}/brede-intakes", json={"datum": "2025-03-03", "onderwerpen": {"werk": "Kok"}}, headers=regisseur).status_code == 201
    pip = {"dagtekening": "2025-04-15", "leerroute": "b1", "pvtUren": 12, "mapUren": 40, "aantalVoortgangsgesprekken": 3, "ondersteuning": "Voortgangsgesprekken"}
    stap = api.post(f"{pad}/pip-vaststellingen", json=pip, headers=regisseur)
    assert {"soort": "pip-vaststelling", "uiterlijk": "2025-04-14", "grondslag": "Bi 5.3(1)", "status": "te_laat_voldaan"} in stap.json()["deadlines"]

    wijziging = {"datum": "2025-09-01", "naar": "onderwijsroute", "reden": "voortgang_hoger_dan_verwacht", "toelichting": "Snelle leerder."}
    assert api.post(f"{pad}/leerroute-wijzigingen", json=wijziging, headers=regisseur).status_code == 201
    assert api.post(f"{pad}/voortgangsgesprekken", json={"datum": "2025-10-01", "status": "gevoerd", "verslag": "Gaat goed."}, headers=regisseur).status_code == 201
    assert api.post(f"{pad}/voortgangsgesprekken", json={"datum": "2025-11-01", "status": "gemist", "verslag": "Niet gekomen."}, headers=regisseur).status_code == 201

    # No boete for course effort (Wi 15(2)), but one for the missed gesprek.
    boete = {"datum": "2025-12-01", "artikel": "wi23", "grond": "leerroute_intensiteit_niet_nagekomen", "verwijtbaarheid": "opzet", "motivering": "Lessen verzuimd."}
    geweigerd = api.post(f"{pad}/boetes", json=boete, headers=handhaver)
    assert geweigerd.status_code == 409
    assert geweigerd.json()["code"] == "geen-boete-op-leerroute-gezinsmigrant"
    stap = api.post(f"{pad}/boetes", json=boete | {"grond": "voortgangsgesprek_gemist"}, headers=handhaver)
    assert stap.status_code == 201, stap.text
    assert stap.json()["boetes"][0]["bedrag"] == "50.00"

    historie = api.get(f"{pad}/gebeurtenissen", headers=als("auditor")).json()["gebeurtenissen"]
    assert [g["type"].split(".")[1] for g in historie] == [
        "Gestart", "InburgeringsplichtVastgesteld", "BredeIntakeGehouden", "PipVastgesteld",
        "LeerrouteGewijzigd", "VoortgangsgesprekGevoerd", "VoortgangsgesprekGemist", "BoeteOpgelegd",
    ]
    assert [g["versie"] for g in historie] == list(range(1, 9))
