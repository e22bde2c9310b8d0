"""No poisoned read model: a stored event with text the database cannot hold, or one a read model
refuses, never makes the lists answer 500 for every user; a failing projection shows where it stopped,
once, without data from the event, and a database that is briefly unavailable is no such stop."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.keten import splits
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from domain import commandos
from domain.traject import Inburgeringstraject
from tests.api.test_leesmodellen import app_van, traject
from tests.conftest import POSTGRES_URL, Kopregels, _instellingen

RAPPORTAGES = ("instroom", "leerroutemix", "spuk", "handhaving")
VREEMD = "x\x00y\x01z\x7f\u0085\u200b"  # NUL, C0, DEL, C1 and a zero-width space: the domain takes any string


def _lees_alles(api: TestClient, als: Kopregels) -> dict[str, Any]:
    """Every list read, as users of two roles do; each must answer 200."""
    antwoorden = {
        "trajecten": api.get("/api/v1/trajecten", headers=als("regisseur", "0505")),
        "signaleringen": api.get("/api/v1/signaleringen", headers=als("regisseur", "0505")),
    } | {
        soort: api.get(f"/api/v1/rapportages/{soort}", params={"gemeente": "0505", "jaar": 2025}, headers=als("auditor"))
        for soort in RAPPORTAGES
    }
    assert {naam: a.status_code for naam, a in antwoorden.items()} == dict.fromkeys(antwoorden, 200), {
        naam: a.text for naam, a in antwoorden.items() if a.status_code != 200}
    return {naam: a for naam, a in antwoorden.items()}


def _projecties(api: TestClient, als: Kopregels) -> dict[str, dict[str, Any]]:
    antwoord = api.get("/api/v1/projecties", headers=als("beheerder"))
    assert antwoord.status_code == 200, antwoord.text
    return {p["naam"]: p for p in antwoord.json()["projecties"]}


def test_a_store_that_holds_a_nul_in_an_event_stays_readable_for_everyone(api: TestClient, als: Kopregels) -> None:
    gewoon = traject(api)
    vreemd = traject(api, stappen=[commandos.Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 2, 10), regisseur=VREEMD)])

    antwoorden = _lees_alles(api, als)

    regisseurs = {t["trajectId"]: t["regisseur"] for t in antwoorden["trajecten"].json()["trajecten"]}
    # What the database cannot hold (NUL) reads as U+FFFD; every other character is kept as recorded.
    assert regisseurs == {str(gewoon): "regisseur-a", str(vreemd): "x\ufffdy\x01z\x7f\u0085\u200b"}
    assert {s["regisseur"] for s in antwoorden["signaleringen"].json()["signaleringen"] if s["trajectId"] == str(vreemd)} == {
        "x\ufffdy\x01z\x7f\u0085\u200b"}
    assert antwoorden["instroom"].json()["perDoelgroep"]["asielstatushouder"] == 2
    assert all(p["achterstand"] == 0 and p["storing"] is None for p in _projecties(api, als).values())
    # The event itself is unchanged: the trajectory's own view still shows what was recorded.
    assert api.get(f"/api/v1/trajecten/{vreemd}", headers=als("regisseur", "0505")).json()["regisseur"] == VREEMD


def _weiger_in_trajectenlijst(instellingen: Settings, regisseur: str) -> None:
    """Alter the live trajectenlijst so that it refuses a row with this regisseur, as a database might."""
    if instellingen.database_url is None:
        with sqlite3.connect(instellingen.sqlite_leesmodel_pad) as verbinding:  # SQLite adds no CHECK to a table
            for moment in ("INSERT", "UPDATE"):
                verbinding.execute(
                    f"CREATE TRIGGER weiger_{moment.lower()} BEFORE {moment} ON leesmodel_trajecten "
                    f"WHEN NEW.regisseur = '{regisseur}' BEGIN SELECT RAISE(ABORT, 'geweigerd'); END")
        verbinding.close()
    else:
        with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
            verbinding.execute(
                f'ALTER TABLE "{instellingen.database_schema}".leesmodel_trajecten '
                f"ADD CONSTRAINT weiger CHECK (regisseur IS DISTINCT FROM '{regisseur}')")


def _sta_weer_toe(instellingen: Settings) -> None:
    if instellingen.database_url is None:
        with sqlite3.connect(instellingen.sqlite_leesmodel_pad) as verbinding:
            verbinding.execute("DROP TRIGGER weiger_insert")
            verbinding.execute("DROP TRIGGER weiger_update")
        verbinding.close()
    else:
        with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
            verbinding.execute(f'ALTER TABLE "{instellingen.database_schema}".leesmodel_trajecten DROP CONSTRAINT weiger')


def _positie_van(api: TestClient, traject_id: UUID, topic: str, na: int) -> int:
    notificaties = app_van(api).recorder.select_notifications(start=na, limit=100, inclusive_of_start=False)
    [positie] = [n.id for n in notificaties if n.originator_id == traject_id and n.topic == topic]
    return positie


def test_a_read_model_that_refuses_an_event_stops_there_visibly_while_reads_go_on_and_heals_when_fixed(
    api: TestClient, als: Kopregels, instellingen: Settings
) -> None:
    lijst = als("regisseur", "0505")
    api.get("/api/v1/trajecten", headers=lijst)  # creates the read models' tables and tracking
    _weiger_in_trajectenlijst(instellingen, "regisseur-geweigerd-4711")
    eerst = traject(api)
    voor = app_van(api).recorder.max_notification_id() or 0
    geweigerd = traject(api, stappen=[commandos.Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 2, 10), regisseur="regisseur-geweigerd-4711")])
    positie = _positie_van(api, geweigerd, "Inburgeringstraject.RegisseurToegewezen", voor)
    daarna = traject(api)

    antwoorden = _lees_alles(api, als)  # nobody gets a 500: the reads answer from the last committed state

    trajecten = antwoorden["trajecten"]
    assert {t["trajectId"] for t in trajecten.json()["trajecten"]} == {str(eerst), str(geweigerd)}
    assert int(trajecten.headers["Leesmodel-Achterstand"]) > 0  # and say so
    assert antwoorden["spuk"].headers["Leesmodel-Achterstand"] == trajecten.headers["Leesmodel-Achterstand"]
    assert antwoorden["signaleringen"].headers["Leesmodel-Achterstand"] == "0"  # the other read model is not held up
    assert {s["trajectId"] for s in antwoorden["signaleringen"].json()["signaleringen"]} == {str(eerst), str(geweigerd), str(daarna)}
    projecties = _projecties(api, als)
    stand = projecties["trajectenlijst"]
    assert stand["positie"] == positie - 1 and stand["achterstand"] == stand["kop"] - stand["positie"] > 0
    storing = stand["storing"]
    assert storing["positie"] == positie and storing["tijdstip"]
    assert storing["fout"] in {  # the error's type, and what PostgreSQL names; not the row it refused
        'CheckViolation (SQLSTATE 23514): new row for relation "leesmodel_trajecten" violates check constraint "weiger"',
        "IntegrityError"}, storing
    assert projecties["signaleringen"]["storing"] is None and projecties["signaleringen"]["achterstand"] == 0

    # Each read tries again; once the cause is gone the read model catches up on its own.
    assert _projecties(api, als)["trajectenlijst"]["storing"]["positie"] == positie
    _sta_weer_toe(instellingen)
    hersteld = api.get("/api/v1/trajecten", headers=lijst)
    assert hersteld.status_code == 200 and hersteld.headers["Leesmodel-Achterstand"] == "0"
    assert {t["trajectId"] for t in hersteld.json()["trajecten"]} == {str(eerst), str(geweigerd), str(daarna)}
    assert all(p["storing"] is None and p["achterstand"] == 0 for p in _projecties(api, als).values())


def _gestopt_gelogd(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "inburgering.projecties" and r.levelno >= logging.ERROR]


def test_a_stuck_read_model_records_and_logs_its_stop_once_not_on_every_read(
    api: TestClient, als: Kopregels, instellingen: Settings, klok: VasteKlok, caplog: pytest.LogCaptureFixture
) -> None:
    api.get("/api/v1/trajecten", headers=als("regisseur", "0505"))
    _weiger_in_trajectenlijst(instellingen, "regisseur-geweigerd-4711")
    traject(api, stappen=[commandos.Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 2, 10), regisseur="regisseur-geweigerd-4711")])
    caplog.set_level(logging.INFO, logger="inburgering.projecties")
    _lees_alles(api, als)
    eerste = _projecties(api, als)["trajectenlijst"]["storing"]
    assert eerste is not None and len(_gestopt_gelogd(caplog)) == 1, _gestopt_gelogd(caplog)

    for _ in range(3):  # each read tries the event again; the stop is the same, so nothing is written or logged
        klok.tijdstip += timedelta(minutes=5)
        _lees_alles(api, als)
    assert _projecties(api, als)["trajectenlijst"]["storing"] == eerste
    assert len(_gestopt_gelogd(caplog)) == 1, _gestopt_gelogd(caplog)

    # Another worker on the same store hits the same stop: it says so once in its own log, and leaves
    # the recorded stop (and the moment it began) as it is.
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as tweede:
        klok.tijdstip += timedelta(minutes=5)
        _lees_alles(tweede, als)
        _lees_alles(tweede, als)
        assert _projecties(tweede, als)["trajectenlijst"]["storing"] == eerste
    assert len(_gestopt_gelogd(caplog)) == 2, _gestopt_gelogd(caplog)


def _onleesbaar_met_persoonsgegeven(api: TestClient, waarde: str) -> int:
    """Store a start event whose date holds a personal value instead of a date, as a faulty import
    might have written it; reading it raises a ValueError that quotes the value (wrapped by eventsourcing
    in a MapperDeserialisationError that quotes it too). Returns its position."""
    app = app_van(api)
    [gestart] = [n for n in app.recorder.select_notifications(start=0, limit=100) if n.topic == "Inburgeringstraject.Gestart"][:1]
    state, _ = splits(gestart.state)
    vervalst = state.replace(b'"datum":{"_type_":"date_iso","_data_":"2025-01-06"}', b'"datum":{"_type_":"date_iso","_data_":"%s"}' % waarde.encode())
    assert vervalst != state
    app.recorder.insert_events([StoredEvent(uuid4(), 1, gestart.topic, vervalst)])
    return app.recorder.max_notification_id() or 0


def test_a_stop_shows_the_kind_of_error_never_a_value_from_the_event(api: TestClient, als: Kopregels) -> None:
    traject(api)
    positie = _onleesbaar_met_persoonsgegeven(api, "geboren 12-04-1987 te Kaboel")

    _lees_alles(api, als)

    projecties = _projecties(api, als)
    assert {naam: p["storing"]["positie"] for naam, p in projecties.items()} == {"trajectenlijst": positie, "signaleringen": positie}
    for p in projecties.values():
        # The message quotes the value (... Invalid isoformat string: 'geboren ...'); the type does not.
        assert p["storing"]["fout"] == "MapperDeserialisationError", p
    assert "1987" not in api.get("/api/v1/projecties", headers=als("beheerder")).text


@pytest.mark.postgres
def test_a_read_model_write_that_waits_in_vain_is_no_stop_and_the_list_answers_from_the_last_state(
    postgres_schemas: Callable[[], str], tmp_path: Path, klok: VasteKlok
) -> None:
    """A lock another connection holds on the read model's table, with a short lock_timeout, raises
    LockNotAvailable (an OperationalError, as an exhausted pool) inside the write. That says nothing about
    the event: the read model records no stop, and the list answers from its last committed state with its lag."""
    url = f"{POSTGRES_URL}?options={quote('-c lock_timeout=300')}"
    instellingen = _instellingen(tmp_path, database_url=url, database_schema=postgres_schemas())
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as api:
        def als(rol: str, *gemeenten: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {maak_ontwikkeltoken(instellingen, rol=rol, gemeenten=list(gemeenten))}"}

        lijst = als("regisseur", "0505")
        assert api.get("/api/v1/trajecten", headers=lijst).status_code == 200
        eerst = traject(api)
        with psycopg.connect(POSTGRES_URL) as vergrendeld:  # reads may go on; writes to the table wait
            vergrendeld.execute(f'LOCK TABLE "{instellingen.database_schema}".leesmodel_trajecten IN SHARE MODE')

            bezet = api.get("/api/v1/trajecten", headers=lijst)

            assert bezet.status_code == 200, bezet.text
            assert bezet.json()["trajecten"] == [] and int(bezet.headers["Leesmodel-Achterstand"]) > 0
            assert _projecties(api, als)["trajectenlijst"]["storing"] is None
        vrij = api.get("/api/v1/trajecten", headers=lijst)
        assert vrij.status_code == 200 and vrij.headers["Leesmodel-Achterstand"] == "0"
        assert [t["trajectId"] for t in vrij.json()["trajecten"]] == [str(eerst)]
        assert all(p["storing"] is None for p in _projecties(api, als).values())


def test_the_lag_header_is_declared_on_every_list_read_and_readable_by_a_browser_frontend(
    sqlite_instellingen: Settings, klok: VasteKlok
) -> None:
    instellingen = sqlite_instellingen.model_copy(update={"cors_origins": ["https://werkplek.example"]})
    app = create_app(instellingen, klok)
    paden = app.openapi()["paths"]
    met_kop = {pad for pad, item in paden.items() if "Leesmodel-Achterstand" in item.get("get", {}).get("responses", {}).get("200", {}).get("headers", {})}
    assert met_kop == {"/trajecten", "/signaleringen"} | {f"/rapportages/{soort}" for soort in RAPPORTAGES}
    with TestClient(app) as client:
        token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=["0505"])
        antwoord = client.get("/api/v1/trajecten", headers={"Authorization": f"Bearer {token}", "Origin": "https://werkplek.example"})
    assert antwoord.status_code == 200 and antwoord.headers["Leesmodel-Achterstand"] == "0"
    assert "leesmodel-achterstand" in antwoord.headers["Access-Control-Expose-Headers"].lower()
