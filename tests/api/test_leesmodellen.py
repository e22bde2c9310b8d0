"""Read models through HTTP: lists with filters and cursors, the worklist, reports and lag, on both stores."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api import schemas
from domain import commandos
from domain.application import Actor, Inburgering
from domain.traject import Aanbod, Inburgeringstraject
from domain.waarden import (
    Boeteartikel,
    Boetegrond,
    Gemeente,
    Leerroute,
    Rol,
    Verblijfsvergunning,
    Verwijtbaarheid,
)
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels

REGISSEUR = Actor("regisseur-a", Rol.REGISSEUR, frozenset(Gemeente), "test")
RAPPORTEUR = Actor("handhaver-a", Rol.HANDHAVER, frozenset(Gemeente), "test")
BESLUITNEMER = Actor("handhaver-b", Rol.HANDHAVER, frozenset(Gemeente), "test")


def app_van(api: TestClient) -> Inburgering:
    return api.app.state.inburgering  # type: ignore[attr-defined,no-any-return]


def traject(
    api: TestClient, *, gemeente: Gemeente = Gemeente.DORDRECHT, statushouder: bool = True, start: date = date(2025, 1, 6),
    pip: tuple[date, Leerroute, frozenset[Aanbod]] | None = None, stappen: list[commandos.Commando] | None = None,
) -> UUID:
    """A trajectory recorded through the application, up to a PIP when `pip` is given."""
    app = app_van(api)
    if statushouder:
        begin: commandos.Start = commandos.Start(Inburgeringstraject.start_na_tvs_profiel, datum=start, gemeente=gemeente, bsn=een_bsn())
    else:
        begin = commandos.Start(Inburgeringstraject.start_na_kennisgeving, datum=start, gemeente=gemeente, bsn=een_bsn(), verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD)
    traject_id = app.start_traject(begin, REGISSEUR).traject.id
    reeks: list[commandos.Commando] = []
    if statushouder:
        reeks += [commandos.Commando(Inburgeringstraject.registreer_kennisgeving, datum=date(2025, 1, 20), verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD),
                  commandos.Commando(Inburgeringstraject.registreer_huisvesting, datum=date(2025, 2, 3), gemeente=gemeente)]
    if pip is not None:
        dagtekening, leerroute, aanbod = pip
        reeks += [commandos.Commando(Inburgeringstraject.houd_brede_intake, datum=date(2025, 2, 20), onderwerpen={}, gezondheid={}),
                  commandos.Commando(Inburgeringstraject.stel_pip_vast, dagtekening=dagtekening, leerroute=leerroute, pvt_uren=12, aantal_voortgangsgesprekken=4,
                                        ondersteuning="x", aanbod=aanbod)]
    for commando in reeks + (stappen or []):
        actor = {Inburgeringstraject.constateer_overtreding: RAPPORTEUR, Inburgeringstraject.leg_boete_op: BESLUITNEMER}.get(
            commando.methode, REGISSEUR)
        app.voer_uit(traject_id, commando, actor)
    return traject_id


def lijst(api: TestClient, kop: dict[str, str], **query: Any) -> dict[str, Any]:
    antwoord = api.get("/api/v1/trajecten", params=query, headers=kop)
    assert antwoord.status_code == 200, antwoord.text
    return antwoord.json()  # type: ignore[no-any-return]


def test_a_list_read_right_after_a_command_reflects_it(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    start = api.post("/api/v1/trajecten", json={"aanleiding": "tvs_profiel", "datum": "2025-01-06", "gemeente": "0505", "bsn": een_bsn()}, headers=kop)
    pad, traject_id = start.headers["Location"], start.json()["trajectId"]
    assert [t["trajectId"] for t in lijst(api, kop)["trajecten"]] == [traject_id]
    api.post(f"{pad}/kennisgevingen", json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}, headers=kop)
    api.post(f"{pad}/huisvestingen", json={"datum": "2025-02-03", "gemeente": "0505"}, headers=kop)
    [item] = lijst(api, kop)["trajecten"]
    assert (item["versie"], item["eerstvolgendeDeadline"]) == (4, {"soort": "brede-intake-signaal", "uiterlijk": "2025-04-14"})


def test_the_list_filters_and_stays_within_the_mandate(api: TestClient, als: Kopregels) -> None:
    b1 = traject(api, pip=(date(2025, 4, 1), Leerroute.B1, frozenset()))
    z = traject(api, pip=(date(2025, 4, 1), Leerroute.Z_ROUTE, frozenset()))
    gezin = traject(api, gemeente=Gemeente.ZWIJNDRECHT, statushouder=False)
    dordrecht, beide = als("regisseur", "0505"), als("regisseur", "0505", "0642")
    assert {t["trajectId"] for t in lijst(api, dordrecht)["trajecten"]} == {str(b1), str(z)}
    assert {t["trajectId"] for t in lijst(api, beide)["trajecten"]} == {str(b1), str(z), str(gezin)}
    assert [t["trajectId"] for t in lijst(api, beide, leerroute="z_route")["trajecten"]] == [str(z)]
    assert [t["trajectId"] for t in lijst(api, beide, doelgroep="gezins_overige_migrant")["trajecten"]] == [str(gezin)]
    assert [t["trajectId"] for t in lijst(api, beide, gemeente="0642", regisseur="regisseur-a", status="lopend")["trajecten"]] == [str(gezin)]
    assert api.get("/api/v1/trajecten", params={"gemeente": "0642"}, headers=dordrecht).status_code == 403
    # The gezinsmigrant's PIP was due 2025-03-17 (kennisgeving + 10 weeks): overdue, so always within.
    # The statushouders' next deadline is their first voortgangsgesprek, nine months into the termijn
    # that started 2025-04-02: 2026-01-02, 276 days after the peildatum.
    binnen = {n: {t["trajectId"] for t in lijst(api, beide, peildatum="2025-04-01", deadlineBinnenDagen=n)["trajecten"]} for n in (0, 275, 276)}
    assert binnen == {0: {str(gezin)}, 275: {str(gezin)}, 276: {str(b1), str(z), str(gezin)}}


def test_the_list_pages_with_a_cursor(api: TestClient, als: Kopregels) -> None:
    kop = als("duo")
    ids = [str(traject(api, start=date(2025, 1, dag))) for dag in (6, 7, 8, 9, 10)]
    gezien, cursor, paginas = [], None, 0
    while True:
        antwoord = api.get("/api/v1/trajecten", params={"limiet": 2} | ({"cursor": cursor} if cursor else {}), headers=kop)
        body = antwoord.json()
        gezien += [t["trajectId"] for t in body["trajecten"]]
        paginas += 1
        cursor = body["volgende"]
        if cursor is None:
            break
        assert 'rel="next"' in antwoord.headers["Link"]
    assert gezien == ids and paginas == 3
    assert api.get("/api/v1/trajecten", params={"cursor": "kapot"}, headers=kop).status_code == 400


def test_a_page_of_the_list_and_the_worklist_is_exactly_what_its_declared_schema_writes(api: TestClient, als: Kopregels) -> None:
    """Pages are written from the stored rows without validating them again: each must still be what its
    schema in the OpenAPI document writes, no field more (the stored document also holds what the reports
    count), none less, each of its type, and with the headers the route sets."""
    traject(api, pip=(date(2025, 4, 1), Leerroute.B1, frozenset({Aanbod.MAATSCHAPPELIJKE_BEGELEIDING})),
            stappen=[commandos.Commando(Inburgeringstraject.registreer_voortgangsgesprek, datum=date(2025, 5, 1), gevoerd=False,
                                        verslag="x")])
    traject(api, gemeente=Gemeente.ZWIJNDRECHT, statushouder=False)
    for pad, schema in (("/api/v1/trajecten", schemas.TrajectenlijstPublic), ("/api/v1/signaleringen", schemas.SignaleringenPublic)):
        antwoord = api.get(pad, params={"limiet": 1}, headers=als("auditor"))
        assert antwoord.status_code == 200 and antwoord.headers["content-type"] == "application/json", pad
        pagina = schema.model_validate_json(antwoord.content)
        assert antwoord.json() == pagina.model_dump(mode="json", by_alias=True), pad
        assert antwoord.json()["volgende"] and 'rel="next"' in antwoord.headers["Link"], pad
        assert antwoord.headers["Leesmodel-Achterstand"] == "0", pad
    [item] = api.get("/api/v1/trajecten", params={"limiet": 1}, headers=als("auditor")).json()["trajecten"]
    assert set(item) == {veld.alias for veld in schemas.TrajectLijstItem.model_fields.values()}


def test_the_worklist_shows_an_overdue_pip_the_day_after_its_due_date_and_not_the_day_before(api: TestClient, als: Kopregels) -> None:
    traject(api)  # kennisgeving 2025-01-20, BRP 2025-02-03: PIP due 2025-04-14 (Bi 5.3(1))
    kop = als("regisseur", "0505")

    def pip_signalering(peildatum: str, **query: Any) -> list[dict[str, Any]]:
        body = api.get("/api/v1/signaleringen", params={"peildatum": peildatum} | query, headers=kop).json()
        return [s for s in body["signaleringen"] if s["soort"] == "pip-vaststelling"]

    assert [s["status"] for s in pip_signalering("2025-03-30")] == ["op_tijd"]
    assert [s["status"] for s in pip_signalering("2025-03-31")] == ["binnenkort"]
    assert [s["status"] for s in pip_signalering("2025-04-14")] == ["binnenkort"]
    assert [(s["status"], s["uiterlijk"], s["grondslag"]) for s in pip_signalering("2025-04-15")] == [("verlopen", "2025-04-14", "Bi 5.3(1)")]
    assert pip_signalering("2025-04-14", status="verlopen") == []
    assert len(pip_signalering("2025-04-15", status="verlopen")) == 1
    assert api.get("/api/v1/signaleringen", headers=als("regisseur", "0642")).json()["signaleringen"] == []
    assert api.get("/api/v1/signaleringen", headers=als("duo")).status_code == 403


def test_a_statushouder_waiting_for_brp_inschrijving_stays_on_the_worklist_until_registered_or_gone(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")

    def brp_signaleringen(peildatum: str) -> dict[str, tuple[str, str, str, str]]:
        body = api.get("/api/v1/signaleringen", params={"peildatum": peildatum}, headers=kop).json()
        return {s["trajectId"]: (s["soort"], s["uiterlijk"], s["grondslag"], s["status"]) for s in body["signaleringen"]
                if s["soort"].startswith("brp-inschrijving")}

    # Given two statushouders gekoppeld to Dordrecht by COA on 2025-01-06, neither yet in the BRP (so no PIP date)
    paden = [api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=kop).headers["Location"] for _ in range(2)]
    ingeschreven, verhuisd = (pad.rsplit("/", 1)[1] for pad in paden)
    # Then both are on the worklist, due 12 weeks after the TVS-profiel: op tijd, binnenkort from 14 days before, then verlopen
    signaal = ("brp-inschrijving-na-tvs-profiel", "2025-03-31", "SDD beleid (huisvesting na koppeling), Bi 5.3(1)")
    for peildatum, status in (("2025-03-16", "op_tijd"), ("2025-03-17", "binnenkort"), ("2025-03-31", "binnenkort"), ("2025-04-01", "verlopen")):
        assert brp_signaleringen(peildatum) == {ingeschreven: (*signaal, status), verhuisd: (*signaal, status)}, peildatum
    # When one is registered in the BRP after DUO's kennisgeving, and the other moves out of the region
    api.post(f"{paden[0]}/kennisgevingen", json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}, headers=kop)
    assert api.post(f"{paden[0]}/huisvestingen", json={"datum": "2025-04-07", "gemeente": "0505"}, headers=kop).status_code == 201
    overdracht = {"datum": "2025-04-02", "nieuweGemeente": "0363", "toelichting": "Gehuisvest in Amsterdam"}
    assert api.post(f"{paden[1]}/overdrachten", json=overdracht, headers=kop).status_code == 201
    # Then neither signal remains, and the registered one's PIP is due 10 weeks after the inschrijving
    assert brp_signaleringen("2025-04-08") == {}
    body = api.get("/api/v1/signaleringen", params={"peildatum": "2025-04-08"}, headers=kop).json()
    assert {(s["trajectId"], s["soort"], s["uiterlijk"]) for s in body["signaleringen"] if s["soort"] == "pip-vaststelling"} == {
        (ingeschreven, "pip-vaststelling", "2025-06-16")}
    assert verhuisd not in {s["trajectId"] for s in body["signaleringen"]}


def test_a_met_deadline_leaves_the_worklist(api: TestClient, als: Kopregels) -> None:
    traject(api, pip=(date(2025, 4, 1), Leerroute.B1, frozenset()))
    soorten = {s["soort"] for s in api.get("/api/v1/signaleringen", headers=als("auditor")).json()["signaleringen"]}
    assert soorten == {"voortgangsgesprek", "routewijziging-venster", "inburgeringstermijn-einde"}


def test_reports_reproduce_hand_computed_figures(api: TestClient, als: Kopregels) -> None:
    pvt_map = frozenset({Aanbod.PVT, Aanbod.MAP})
    tolk = commandos.Commando(Inburgeringstraject.ken_tolkvoorziening_toe, datum=date(2025, 5, 1), taal="Arabisch", doel="PIP")
    begeleiding = commandos.Commando(Inburgeringstraject.start_maatschappelijke_begeleiding, datum=date(2025, 2, 3), uitvoerder="Vluchtelingenwerk")
    gemist = commandos.Commando(Inburgeringstraject.registreer_voortgangsgesprek, datum=date(2025, 5, 1), gevoerd=False, verslag="x")
    # Dordrecht 2025: three statushouders and two gezinsmigranten with a PIP, one start in 2024.
    traject(api, pip=(date(2025, 4, 1), Leerroute.B1, pvt_map | {Aanbod.MAATSCHAPPELIJKE_BEGELEIDING}), stappen=[begeleiding, tolk])
    traject(api, pip=(date(2025, 4, 1), Leerroute.B1, pvt_map))
    traject(api, pip=(date(2025, 4, 1), Leerroute.Z_ROUTE, frozenset({Aanbod.PVT})))
    traject(api, statushouder=False, start=date(2025, 1, 6), pip=(date(2025, 4, 1), Leerroute.B1, pvt_map), stappen=[
        tolk, gemist,
        commandos.Commando(Inburgeringstraject.constateer_overtreding, datum=date(2025, 5, 1), artikel=Boeteartikel.WI_23, grond=Boetegrond.VOORTGANGSGESPREK_GEMIST, rapportdatum=date(2025, 5, 2), rapport="x"),
        commandos.Commando(Inburgeringstraject.verzend_boetevoornemen, zaaknummer=7, datum=date(2025, 5, 5), zienswijzetermijn=date(2025, 5, 19)),
        commandos.Commando(Inburgeringstraject.stel_zienswijzetermijn_verstreken_vast, zaaknummer=7, datum=date(2025, 5, 20)),
        commandos.Commando(Inburgeringstraject.leg_boete_op, zaaknummer=7, datum=date(2025, 5, 21), verwijtbaarheid=Verwijtbaarheid.OPZET, motivering="x"),
    ])
    traject(api, statushouder=False, start=date(2024, 12, 2), pip=(date(2025, 4, 1), Leerroute.ONDERWIJSROUTE, frozenset({Aanbod.PVT})))
    traject(api, gemeente=Gemeente.ZWIJNDRECHT, pip=(date(2025, 4, 1), Leerroute.B1, pvt_map))  # another gemeente: never counted
    kop = als("auditor")

    def rapport(soort: str) -> dict[str, Any]:
        antwoord = api.get(f"/api/v1/rapportages/{soort}", params={"gemeente": "0505", "jaar": 2025}, headers=kop)
        assert antwoord.status_code == 200, antwoord.text
        return antwoord.json()  # type: ignore[no-any-return]

    assert rapport("instroom")["perDoelgroep"] == {"asielstatushouder": 3, "gezins_overige_migrant": 1}
    mix = rapport("leerroutemix")["perDoelgroep"]
    assert [(r["leerroute"], r["aantal"], r["percentage"], r["binnenVerwachting"]) for r in mix["asielstatushouder"]["routes"]] == [
        ("b1", 2, "66.7", False), ("onderwijsroute", 0, "0.0", False), ("z_route", 1, "33.3", False)]
    assert [(r["leerroute"], r["aantal"]) for r in mix["gezins_overige_migrant"]["routes"]] == [("b1", 1), ("onderwijsroute", 1), ("z_route", 0)]
    spuk = {c["component"]: c for c in rapport("spuk")["componenten"]}
    assert (spuk["leerroutes"]["volumeAsielstatushouders"], spuk["leerroutes"]["realisatie"]) == (3, "30000")
    assert (spuk["map"]["volumeAsielstatushouders"], spuk["map"]["volumeGezinsOverigeMigranten"], spuk["map"]["realisatie"]) == (2, 1, "467")
    assert spuk["maatschappelijke_begeleiding"]["realisatie"] == "1944"
    assert (spuk["pvt"]["volumeAsielstatushouders"], spuk["pvt"]["volumeGezinsOverigeMigranten"], spuk["pvt"]["realisatie"]) == (3, 2, "1080")
    assert spuk["tolkvoorziening"]["realisatie"] == "596"
    assert (rapport("spuk")["realisatieTotaal"], rapport("spuk")["raming2022"]) == ("34087", "265808")
    assert rapport("handhaving")["perArtikel"] == {"wi23": {"perStap": {"besloten": 1}, "opgelegdBedrag": "50.00", "bezwaren": 0}}
    assert api.get("/api/v1/rapportages/spuk", params={"gemeente": "0505", "jaar": 2025}, headers=als("regisseur", "0642")).status_code == 403


def test_lag_is_exposed_per_read_model(api: TestClient, als: Kopregels) -> None:
    traject(api)
    projecties = {p["naam"]: p for p in api.get("/api/v1/projecties", headers=als("beheerder")).json()["projecties"]}
    assert set(projecties) == {"trajectenlijst", "signaleringen"}
    assert all(p["achterstand"] > 0 and p["kop"] == p["positie"] + p["achterstand"] for p in projecties.values())
    lijst(api, als("auditor"))  # a read brings the embedded read models up to date
    projecties = {p["naam"]: p for p in api.get("/api/v1/projecties", headers=als("beheerder")).json()["projecties"]}
    assert all(p["achterstand"] == 0 for p in projecties.values())
    assert api.get("/api/v1/projecties", headers=als("regisseur", "0505")).status_code == 403


def test_a_new_version_being_built_shows_its_progress_while_the_version_in_use_serves(api: TestClient, als: Kopregels) -> None:
    """An operator sees which version each read model serves and how far a new one has got; the lists keep
    answering from the version in use meanwhile."""
    traject(api)
    kop = app_van(api).recorder.max_notification_id()
    opslag = api.app.state.leesmodellen  # type: ignore[attr-defined]
    versie = opslag.codeversie("signaleringen")
    with opslag._transactie() as cursor:  # another process's code has the next version and builds it
        cursor.execute(opslag._sql("UPDATE {s}leesmodel_versies SET versie = %s WHERE leesmodel = 'signaleringen'"), (versie + 1,))
        cursor.execute(opslag._sql("INSERT INTO {s}leesmodel_opbouw (leesmodel, versie, eigenaar, verloopt, positie, kop, sinds) "
                                   "VALUES ('signaleringen', %s, 'elders', %s, 1, 2, '2026-03-02T09:00:00+00:00')"), (versie + 2, 4e9))

    projecties = {p["naam"]: p for p in api.get("/api/v1/projecties", headers=als("beheerder")).json()["projecties"]}

    assert projecties["signaleringen"]["versie"] == versie + 1
    assert projecties["signaleringen"]["opbouw"] == {"versie": versie + 2, "positie": 1, "kop": 2,
                                                      "sinds": "2026-03-02T09:00:00Z", "verlopen": False}
    assert (projecties["trajectenlijst"]["versie"], projecties["trajectenlijst"]["opbouw"]) == (opslag.codeversie("trajectenlijst"), None)
    werklijst = api.get("/api/v1/signaleringen", headers=als("regisseur", "0505"))
    assert werklijst.status_code == 200 and werklijst.headers["Leesmodel-Achterstand"] == str(kop)  # read, not written, by this code


def test_lists_the_worklist_reports_and_the_feed_decrypt_no_personal_field(
    api: TestClient, als: Kopregels, monkeypatch: Any
) -> None:
    """None of them shows a personal field, so none is decrypted: a list page used to cost a key look-up per
    person, and a rebuild spent about half its time on them."""
    for _ in range(3):
        traject(api, pip=(date(2025, 4, 1), Leerroute.B1, frozenset({Aanbod.MAP})))
    kluis = app_van(api).sleutels
    ontsleuteld: list[object] = []
    echt = kluis.ontsleutel  # type: ignore[union-attr]
    monkeypatch.setattr(kluis, "ontsleutel", lambda *a, **k: ontsleuteld.append(a) or echt(*a, **k))
    regisseur = als("regisseur", "0505")

    for pad, params in (("/api/v1/trajecten", {}), ("/api/v1/signaleringen", {}), ("/api/v1/gebeurtenissen", {}),
                        ("/api/v1/rapportages/spuk", {"gemeente": "0505", "jaar": 2025})):
        antwoord = api.get(pad, params=params, headers=regisseur)
        assert antwoord.status_code == 200, (pad, antwoord.text)

    assert ontsleuteld == []
    assert len(api.get("/api/v1/trajecten", headers=regisseur).json()["trajecten"]) == 3  # and they did answer
