"""Forgetting a person (Bi 9.9, crypto-shredding): after the retention period or a death the keys go,
the facts stay, and no plaintext of the person is left in any table or file the system wrote."""

from __future__ import annotations

import re
import uuid
from uuid import UUID
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from psycopg import sql

from adapters.bootstrap import bouw_applicatie, bouw_leesmodelopslag
from adapters import cli as cli_module
from adapters.cli import verwijder_na_bewaartermijn
from adapters.clock import VasteKlok
from adapters.settings import Settings
from domain.persoonsgegevens import GEZONDHEID, KORT, LANG
from projections.projector import Projector
from tests.api.test_scenarios import Traject
from tests.builders import een_bsn
from tests.conftest import Kopregels, cli_omgeving


class Geheimen:
    """Personal data of one person, each value unique so that finding it anywhere is a real leak."""

    def __init__(self) -> None:
        merk = uuid.uuid4().hex[:8]
        self.bsn = een_bsn()
        self.teksten = {
            veld: f"GEHEIM-{veld}-{merk}"
            for veld in ("land", "taal", "coaverslag", "kennismaking", "onderwerp", "gezondheid",
                         "ondersteuning", "gesprek", "toelichting", "tolkdoel")
        }

    def __getattr__(self, veld: str) -> str:
        return self.teksten[veld]

    def gevonden_in(self, tekst: str) -> list[str]:
        gevonden = [veld for veld, waarde in self.teksten.items() if waarde in tekst]
        # Digits inside base64 ciphertext are no BSN: only a run of exactly these nine digits counts.
        if re.search(rf"(?<![A-Za-z0-9+/]){self.bsn}(?![A-Za-z0-9+/=])", tekst):
            gevonden.append("bsn")
        return gevonden


def _traject_met_persoonsgegevens(api: TestClient, regisseur: dict[str, str], g: Geheimen) -> Traject:
    start = {"aanleiding": "tvs_profiel", "datum": "2025-01-06", "gemeente": "0505", "bsn": g.bsn,
             "huishoudgrootte": 4, "landVanHerkomst": g.land, "taal": g.taal}
    antwoord = api.post("/api/v1/trajecten", json=start, headers=regisseur)
    assert antwoord.status_code == 201, antwoord.text
    t = Traject(api, antwoord.headers["Location"])
    t.stap("coa-overdrachten", {"datum": "2025-01-08", "verslag": g.coaverslag, "tolkAanwezig": True}, regisseur)
    t.stap("kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}, regisseur)
    t.stap("huisvestingen", {"datum": "2025-02-03", "gemeente": "0505"}, regisseur)
    t.stap("kennismakingsgesprekken", {"datum": "2025-02-10", "verslag": g.kennismaking}, regisseur)
    t.stap("leerbaarheidstoetsen", {"datum": "2025-02-12", "haalbaarNiveau": "A2", "adviesLeerroute": "b1"}, regisseur)
    t.stap("brede-intakes", {"datum": "2025-02-20", "onderwerpen": {"opleiding": g.onderwerp},
                             "gezondheid": {"mentaleGezondheid": g.gezondheid}}, regisseur)
    t.stap("pip-vaststellingen", {"dagtekening": "2025-04-10", "leerroute": "b1", "leerrouteUrenPerWeek": 16, "pvtUren": 12,
                                  "mapUren": 40, "aantalVoortgangsgesprekken": 4, "ondersteuning": g.ondersteuning,
                                  "aanbod": ["financieel_ontzorgen", "leerroute_aanbod", "pvt", "map"]}, regisseur)
    t.stap("ontzorgingen", {"datum": "2025-02-03", "vasteLasten": ["huur"]}, regisseur)
    t.stap("tolkvoorzieningen", {"datum": "2025-04-10", "taal": "Arabisch", "doel": g.tolkdoel}, regisseur)
    t.stap("voortgangsgesprekken", {"datum": "2025-06-02", "status": "gevoerd", "verslag": g.gesprek}, regisseur)
    return t


def _alles_wat_is_opgeslagen(instellingen: Settings, map_: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every file under the test's directory and every row of the PostgreSQL schema."""
    for bestand in sorted(p for p in map_.rglob("*") if p.is_file()):
        yield str(bestand), bestand.read_bytes().decode("latin-1")
    if instellingen.database_url is None:
        return
    with psycopg.connect(instellingen.database_url) as verbinding:
        tabellen = verbinding.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (instellingen.database_schema,)
        ).fetchall()
        for (tabel,) in tabellen:
            rijen = verbinding.execute(
                sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(instellingen.database_schema), sql.Identifier(tabel))
            ).fetchall()
            yield tabel, "\n".join(
                " ".join(bytes(w).decode("latin-1") if isinstance(w, bytes | memoryview) else str(w) for w in rij) for rij in rijen
            )


def _lekken(instellingen: Settings, map_: Path, g: Geheimen, logboek: str) -> dict[str, list[str]]:
    gezien = dict(_alles_wat_is_opgeslagen(instellingen, map_)) | {"serverlog": logboek}
    # The search must be able to find what is stored in plain text: who recorded the facts is.
    assert any("regisseur-0505" in tekst for tekst in gezien.values()), "de zoektocht leest de opslag niet"
    return {waar: lek for waar, tekst in gezien.items() if (lek := g.gevonden_in(tekst))}


def test_personal_data_are_never_stored_in_plain_text_and_are_gone_after_the_retention_periods(
    api: TestClient, als: Kopregels, klok: VasteKlok, instellingen: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    regisseur, duo, auditor = als("regisseur", "0505"), als("duo"), als("auditor")
    g = Geheimen()
    t = _traject_met_persoonsgegevens(api, regisseur, g)

    # While kept, the regisseur reads everything, decrypted; the stores hold none of it in plain text.
    historie = api.get(f"{t.pad}/gebeurtenissen", headers=regisseur).json()["gebeurtenissen"]
    assert {"GEHEIM" in str(f["gegevens"]) for f in historie} == {True, False}
    assert set(g.gevonden_in(str(historie))) == set(g.teksten) - {"toelichting"} | {"bsn"}
    assert _lekken(instellingen, tmp_path, g, caplog.text) == {}

    # The plicht ends (overdracht, 2025-07-01): the short-term data go five years later, not a day earlier.
    t.stap("overdrachten", {"datum": "2025-07-01", "nieuweGemeente": "0363", "toelichting": g.toelichting}, regisseur)
    klok.tijdstip = datetime(2030, 6, 30, 10, tzinfo=UTC)
    assert t.geweigerd("verwijderingen", {"grond": "bewaartermijn_verstreken"}, regisseur) == "bewaartermijn-loopt-nog"
    klok.tijdstip = datetime(2030, 7, 1, 10, tzinfo=UTC)
    stand = t.stap("verwijderingen", {"grond": "bewaartermijn_verstreken"}, regisseur)
    assert stand["verwijderdeBewaarklassen"] == ["gezondheid", "kort"]
    assert (stand["bsn"], stand["verwijderd"]) == (g.bsn, [])  # the 50-year set stays
    assert t.geweigerd("verwijderingen", {"grond": "bewaartermijn_verstreken"}, regisseur) == "bewaartermijn-loopt-nog"

    historie = api.get(f"{t.pad}/gebeurtenissen", headers=regisseur).json()["gebeurtenissen"]
    gesprek = next(f for f in historie if f["type"].endswith(".voortgangsgesprek-gevoerd"))
    assert (gesprek["gegevens"]["verslag"], gesprek["verwijderd"], gesprek["datum"]) == (None, ["verslag"], "2025-06-02")
    intake = next(f for f in historie if f["type"].endswith(".brede-intake-gehouden"))
    assert (intake["gegevens"]["gezondheid"], sorted(intake["verwijderd"])) == (None, ["gezondheid", "onderwerpen"])
    verwijdering = historie[-1]
    assert verwijdering["type"] == "nl.wet-inburgering.traject.persoonsgegevens-verwijderd"
    assert verwijdering["gegevens"] == {"klassen": ["kort", "gezondheid"], "grond": "bewaartermijn_verstreken"}
    assert (verwijdering["datum"], verwijdering["actor"]["gebruiker"]) == ("2030-07-01", "regisseur-0505")
    assert g.gevonden_in(str(historie)) == ["bsn"] and g.gevonden_in(str(api.get(t.pad, headers=auditor).json())) == ["bsn"]
    assert api.post("/api/v1/trajecten/_zoek", json={"bsn": g.bsn}, headers=duo).json()["trajecten"][0]["trajectId"] in t.pad
    personen = api.app.state.inburgering.personen  # type: ignore[attr-defined]
    assert personen.zoek(g.bsn) is not None

    # Fifty years after the plicht ended the BSN and the rest of the long-term set go too.
    klok.tijdstip = datetime(2075, 7, 1, 10, tzinfo=UTC)
    stand = t.stap("verwijderingen", {"grond": "bewaartermijn_verstreken"}, regisseur)
    assert (stand["bsn"], stand["verwijderd"], stand["verwijderdeBewaarklassen"]) == (None, ["bsn"], ["gezondheid", "kort", "lang"])
    assert t.geweigerd("verwijderingen", {"grond": "bewaartermijn_verstreken"}, regisseur) == "al-vastgelegd"
    assert api.post("/api/v1/trajecten/_zoek", json={"bsn": g.bsn}, headers=duo).json() == {"trajecten": []}
    assert personen.zoek(g.bsn) is None  # the pseudonym row is gone: nothing leads from the BSN to the events

    # Nothing of the person is left anywhere; the facts, their dates and the reports are.
    for rol in (regisseur, duo, auditor):
        assert g.gevonden_in(api.get(f"{t.pad}/gebeurtenissen", headers=rol).text) == []
        assert g.gevonden_in(api.get(t.pad, headers=rol).text) == []
    assert _lekken(instellingen, tmp_path, g, caplog.text) == {}
    historie = api.get(f"{t.pad}/gebeurtenissen", headers=auditor).json()["gebeurtenissen"]
    assert historie[0]["verwijderd"] == ["bsn"] and historie[0]["gegevens"]["gemeente"] == "0505"
    assert api.get(t.pad, headers=auditor).json()["status"] == "overgedragen"
    rapport = api.get("/api/v1/rapportages/instroom", params={"jaar": 2025, "gemeente": "0505"}, headers=auditor)
    assert rapport.status_code == 200 and rapport.json()["perDoelgroep"]["asielstatushouder"] == 1

    # A replay from the first event gives the same read models as the live ones.
    app, opslag = bouw_applicatie(instellingen, klok), bouw_leesmodelopslag(instellingen)
    try:
        live = opslag.inhoud()
        Projector(app, opslag).herbouw(None)
        assert opslag.inhoud() == live
    finally:
        opslag.close()
        app.close()


def test_on_death_every_class_goes_at_once_and_the_trajectory_ends(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    g = Geheimen()
    t = _traject_met_persoonsgegevens(api, regisseur, g)
    antwoord = api.post(f"{t.pad}/verwijderingen", json={"grond": "overlijden"}, headers=regisseur)
    assert (antwoord.status_code, antwoord.headers["content-type"]) == (400, "application/problem+json")
    assert t.geweigerd("verwijderingen", {"grond": "overlijden", "overlijdensdatum": "2024-12-31"}, regisseur) == "datum-voor-vorige-stap"

    stand = t.stap("verwijderingen", {"grond": "overlijden", "overlijdensdatum": "2025-08-14"}, regisseur)
    assert (stand["status"], stand["einddatum"], stand["bsn"]) == ("overleden", "2025-08-14", None)
    assert stand["verwijderdeBewaarklassen"] == ["gezondheid", "kort", "lang"]
    assert g.gevonden_in(api.get(f"{t.pad}/gebeurtenissen", headers=regisseur).text) == []
    assert t.geweigerd("voortgangsgesprekken", {"datum": "2025-08-20", "status": "gevoerd", "verslag": "x"}, regisseur) == "persoonsgegevens-verwijderd"
    assert api.post("/api/v1/trajecten/_zoek", json={"bsn": g.bsn}, headers=als("duo")).json() == {"trajecten": []}
    assert api.get("/api/v1/trajecten", params={"status": "overleden"}, headers=regisseur).json()["trajecten"][0]["trajectId"] in t.pad


def test_after_a_death_no_decrypted_registration_of_the_person_stays_in_the_process(api: TestClient, als: Kopregels) -> None:
    """The aggregates a process keeps (to spare the next command a replay) were decrypted: once the person's keys
    are destroyed, the registration read in this process is what the store holds, its links unreadable (before,
    the copy kept from the removal's own read still named the trajectory)."""
    regisseur = als("regisseur", "0505")
    g = Geheimen()
    t = _traject_met_persoonsgegevens(api, regisseur, g)
    app = api.app.state.inburgering  # type: ignore[attr-defined]
    persoon_id = app.personen.zoek(g.bsn)
    assert persoon_id is not None and app.repository.get(persoon_id).trajecten == [UUID(t.pad.rsplit("/", 1)[1])]

    t.stap("verwijderingen", {"grond": "overlijden", "overlijdensdatum": "2025-08-14"}, regisseur)

    assert app.repository.get(persoon_id).trajecten == []  # as stored: no link can be read any more
    assert app.personen.zoek(g.bsn) is None


def test_after_forgetting_the_access_log_names_the_person_nowhere_and_its_old_records_no_longer_resolve(
    api: TestClient, als: Kopregels
) -> None:
    regisseur = als("regisseur", "0505")
    logboek = api.app.state.logboek  # type: ignore[attr-defined]
    bsn = een_bsn()
    start = api.post("/api/v1/trajecten", json={"aanleiding": "tvs_profiel", "datum": "2025-01-06", "gemeente": "0505", "bsn": bsn,
                                                "huishoudgrootte": 1}, headers=regisseur)
    assert start.status_code == 201, start.text
    traject_id = start.json()["trajectId"]
    pad = f"/api/v1/trajecten/{traject_id}"

    def gelogd() -> list[dict[str, Any]]:
        """The log's record of this trajectory for a list row, a single read and a (possibly refused) command."""
        records = []
        for methode, url, inhoud in (("GET", "/api/v1/trajecten", None), ("GET", pad, None),
                                     ("POST", f"{pad}/kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"})):
            trace_id = uuid.uuid4().hex
            api.request(methode, url, json=inhoud, headers=regisseur | {"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"})
            records += [r for r in logboek.verwerkingen(trace_id) if r["attributes"]["inburgering.traject_id"] == traject_id]
        assert len(records) == 3
        return records

    eerder = gelogd()
    assert [logboek.betrokkene(r) for r in eerder] == [bsn] * 3
    verwijdering = api.post(f"{pad}/verwijderingen", json={"grond": "overlijden", "overlijdensdatum": "2025-03-01"}, headers=regisseur)
    assert verwijdering.status_code == 201, verwijdering.text
    assert [logboek.betrokkene(r) for r in eerder] == [None] * 3  # the reference stays, unreadable
    assert ["dpl.core.data_subject_id" in r["attributes"] for r in gelogd()] == [False] * 3  # not identified again


def test_only_the_regisseur_of_the_gemeente_removes_personal_data(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    t = _traject_met_persoonsgegevens(api, regisseur, Geheimen())
    verzoek: dict[str, Any] = {"grond": "overlijden", "overlijdensdatum": "2025-08-14"}
    assert api.post(f"{t.pad}/verwijderingen", json=verzoek, headers=als("regisseur", "0642")).status_code == 404
    for rol in ("handhaver", "duo", "auditor", "beheerder"):
        assert api.post(f"{t.pad}/verwijderingen", json=verzoek, headers=als(rol, "0505")).status_code == 403
    assert api.get(t.pad, headers=regisseur).json()["verwijderdeBewaarklassen"] == []


def test_a_removal_interrupted_before_its_keys_were_destroyed_is_finished_by_trying_again(
    api: TestClient, als: Kopregels, instellingen: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    regisseur = als("regisseur", "0505")
    g = Geheimen()
    t = _traject_met_persoonsgegevens(api, regisseur, g)
    inburgering = api.app.state.inburgering  # type: ignore[attr-defined]
    kluis, inburgering.sleutels = inburgering.sleutels, None  # the process stops after the fact was saved
    try:
        t.stap("verwijderingen", {"grond": "overlijden", "overlijdensdatum": "2025-08-14"}, regisseur)
    finally:
        inburgering.sleutels = kluis
    traject_id = UUID(t.pad.rsplit("/", 1)[1])
    assert kluis.vernietigd(traject_id) == {}  # recorded, but no key destroyed yet
    assert g.gevonden_in(api.get(f"{t.pad}/gebeurtenissen", headers=regisseur).text) == []  # yet already read as removed

    assert t.geweigerd("verwijderingen", {"grond": "overlijden", "overlijdensdatum": "2025-08-14"}, regisseur) == "al-vastgelegd"
    assert set(kluis.vernietigd(traject_id)) == {KORT, LANG, GEZONDHEID}
    assert g.gevonden_in(api.get(f"{t.pad}/gebeurtenissen", headers=regisseur).text) == []
    assert _lekken(instellingen, tmp_path, g, caplog.text) == {}


def test_a_death_removes_the_persons_data_from_every_trajectory_also_in_another_gemeente(api: TestClient, als: Kopregels) -> None:
    dordrecht, zwijndrecht = als("regisseur", "0505"), als("regisseur", "0642")
    g = Geheimen()
    eerste = _traject_met_persoonsgegevens(api, dordrecht, g)
    eerste.stap("overdrachten", {"datum": "2025-07-01", "nieuweGemeente": "0363", "toelichting": g.toelichting}, dordrecht)
    tweede = api.post("/api/v1/trajecten", json={"aanleiding": "duo_kennisgeving", "datum": "2025-09-01", "gemeente": "0642",
                                                 "bsn": g.bsn, "verblijfsvergunning": "regulier_bepaalde_tijd"}, headers=zwijndrecht)
    assert tweede.status_code == 201, tweede.text
    assert len(api.post("/api/v1/trajecten/_zoek", json={"bsn": g.bsn}, headers=als("duo")).json()["trajecten"]) == 2

    t = Traject(api, tweede.headers["Location"])
    assert t.geweigerd("verwijderingen", {"grond": "overlijden", "overlijdensdatum": "2025-06-01"}, zwijndrecht) == "datum-voor-vorige-stap"
    stand = t.stap("verwijderingen", {"grond": "overlijden", "overlijdensdatum": "2025-10-01"}, zwijndrecht)
    assert stand["status"] == "overleden"
    # Dordrecht's trajectory, outside the Zwijndrecht regisseur's mandate, went with it.
    elders = api.get(eerste.pad, headers=dordrecht).json()
    assert (elders["status"], elders["verwijderdeBewaarklassen"], elders["bsn"]) == ("overgedragen", ["gezondheid", "kort", "lang"], None)
    laatste = api.get(f"{eerste.pad}/gebeurtenissen", headers=dordrecht).json()["gebeurtenissen"][-1]
    assert (laatste["type"], laatste["datum"], laatste["actor"]["gebruiker"], laatste["actor"]["gemeente"]) == (
        "nl.wet-inburgering.traject.persoonsgegevens-verwijderd", "2025-10-01", "regisseur-0642", "0505")
    for pad in (eerste.pad, t.pad):
        assert g.gevonden_in(api.get(f"{pad}/gebeurtenissen", headers=als("auditor")).text) == []
    assert api.post("/api/v1/trajecten/_zoek", json={"bsn": g.bsn}, headers=als("duo")).json() == {"trajecten": []}


def test_the_daily_job_removes_what_is_due_and_leaves_the_rest(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    regisseur = als("regisseur", "0505")
    g_afgesloten, g_lopend = Geheimen(), Geheimen()
    afgesloten = _traject_met_persoonsgegevens(api, regisseur, g_afgesloten)
    afgesloten.stap("overdrachten", {"datum": "2025-07-01", "nieuweGemeente": "0363", "toelichting": "x"}, regisseur)
    lopend = _traject_met_persoonsgegevens(api, regisseur, g_lopend)
    klok.tijdstip = datetime(2030, 7, 1, 10, tzinfo=UTC)
    inburgering, opslag = api.app.state.inburgering, api.app.state.leesmodellen  # type: ignore[attr-defined]
    logboek = api.app.state.logboek  # type: ignore[attr-defined]
    assert verwijder_na_bewaartermijn(inburgering, opslag, logboek) == (1, 1, [])
    assert api.get(afgesloten.pad, headers=regisseur).json()["verwijderdeBewaarklassen"] == ["gezondheid", "kort"]
    assert g_afgesloten.gevonden_in(api.get(f"{afgesloten.pad}/gebeurtenissen", headers=regisseur).text) == ["bsn"]
    assert api.get(lopend.pad, headers=regisseur).json()["verwijderdeBewaarklassen"] == []
    laatste = api.get(f"{afgesloten.pad}/audittrail", headers=als("auditor")).json()["audittrail"][-1]
    assert (laatste["gebruikersId"], laatste["gebeurtenistype"]) == ("systeem:bewaartermijnen", "nl.wet-inburgering.traject.persoonsgegevens-verwijderd")
    # The job's processing is in the access log, under the trace its fact names, with who did it beside it.
    [verwerking] = logboek.verwerkingen(laatste["traceId"])
    assert verwerking["attributes"]["inburgering.traject_id"] == afgesloten.pad.rsplit("/", 1)[1]
    assert verwerking["attributes"]["dpl.core.processing_activity_id"].endswith("/bewaren-en-vernietigen/v1")
    assert logboek.auditregels(laatste["traceId"])[0]["gebruiker"] == "systeem:bewaartermijnen"
    assert verwijder_na_bewaartermijn(inburgering, opslag, logboek) == (0, 1, [])  # nothing more is due until 2075


def test_make_vergeet_runs_the_job_against_the_configured_store(api: TestClient, als: Kopregels, instellingen: Settings) -> None:
    regisseur = als("regisseur", "0505")
    t = _traject_met_persoonsgegevens(api, regisseur, Geheimen())
    t.stap("overdrachten", {"datum": "2025-07-01", "nieuweGemeente": "0363", "toelichting": "x"}, regisseur)
    uitkomst = CliRunner().invoke(cli_module.cli, ["vergeet"], env=cli_omgeving(instellingen))
    assert uitkomst.exit_code == 0, uitkomst.output
    assert "bij 0 van 1 afgesloten trajecten" in uitkomst.output  # today is 2026: its five years run to 2030
