"""A key store that another process holds (a rotation's batch, `sleutels roteer`), on the embedded store.

The access log asks the key store whether a person's key still exists, and it must ask before it takes the
events' write lock, never while holding it: on SQLite the log lives in the events' file, and a writer that waited
for the key store inside its transaction kept every other save out, until they gave up and answered 503 (CI, in
`test_sleutelrotatie_onder_last`). On PostgreSQL a save is one statement composed before it is sent, and the log's
batch goes in one round trip, so there is no such lock to hold. And a key store held for longer than a request
waits is a store unavailable for now (503 with Retry-After), not an internal error, and nothing is half-written."""

from __future__ import annotations

import secrets
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.logboek import Dataverwerking, Logboek, Verzoek
from adapters.settings import Settings
from adapters.sleutelkluis import Sleutelkluis
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from domain.application import Inburgering
from domain.verwerkingsactiviteiten import TRAJECTREGIE
from tests.builders import een_bsn, tvs_start
from tests.serverproces import GEREED_BINNEN

KENNISGEVING = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}  # a command on a trajectory that exists


@pytest.fixture
def regisseur(sqlite_instellingen: Settings) -> dict[str, str]:
    token = maak_ontwikkeltoken(sqlite_instellingen, rol="regisseur", gemeenten=["0505"], gebruiker="regisseur-0505")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_zonder_sleutelcache(sqlite_instellingen: Settings, klok: VasteKlok) -> Iterator[TestClient]:
    """Every key check goes to the key store's file: no unwrapped key is kept, not even for a moment."""
    instellingen = sqlite_instellingen.model_copy(update={"sleutel_cache_seconden": 0.0})
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as client:
        yield client


@contextmanager
def op_slot(bestand: Path) -> Iterator[None]:
    """The file locked by another connection, as a rotation's batch holds the key store while it commits: nobody
    reads it until the block ends."""
    with closing(sqlite3.connect(bestand, isolation_level=None, timeout=0)) as ander:
        ander.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            ander.execute("ROLLBACK")


def wacht_tot_een_draad_in(functie: Callable[..., Any]) -> None:
    """Until some thread of this process runs `functie` (here: waits in it for the locked key store)."""
    code, tot = functie.__code__, time.monotonic() + GEREED_BINNEN
    while time.monotonic() < tot:
        for frame in sys._current_frames().values():
            while frame is not None:
                if frame.f_code is code:
                    return
                frame = frame.f_back  # type: ignore[assignment]
        time.sleep(0.01)
    raise AssertionError(f"na {GEREED_BINNEN:g} s vroeg geen draad de sleutelkluis iets ({functie.__qualname__})")


def schrijfbaar(bestand: Path) -> bool:
    """Whether another writer gets the file's write lock now, without waiting."""
    with closing(sqlite3.connect(bestand, isolation_level=None, timeout=0)) as ander:
        try:
            ander.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as fout:
            assert "locked" in str(fout), fout
            return False
        ander.execute("ROLLBACK")
        return True


def _start(api: TestClient, regisseur: dict[str, str]) -> str:
    antwoord = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur)
    assert antwoord.status_code == 201, antwoord.text
    return str(antwoord.json()["trajectId"])


def test_a_command_asks_the_key_store_before_its_transaction_so_other_saves_go_on(
    api_zonder_sleutelcache: TestClient, sqlite_instellingen: Settings, regisseur: dict[str, str]
) -> None:
    api = api_zonder_sleutelcache
    traject_id = _start(api, regisseur)
    antwoorden: list[Any] = []

    # Given a command whose record must ask the key store whether the person's key still exists, while a rotation holds it
    with op_slot(sqlite_instellingen.sqlite_sleutel_pad):
        commando = threading.Thread(target=lambda: antwoorden.append(api.post(
            f"/api/v1/trajecten/{traject_id}/kennisgevingen", json=KENNISGEVING, headers=regisseur)))
        commando.start()
        wacht_tot_een_draad_in(Sleutelkluis.sleutel)
        # Then the command holds no write lock on the events while it waits: every other save can go on
        assert schrijfbaar(sqlite_instellingen.sqlite_pad)
    commando.join(GEREED_BINNEN)

    # And once the key store is free, the command commits with its record, which names the person
    [antwoord] = antwoorden
    assert antwoord.status_code == 201, antwoord.text
    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]
    [verwerking] = logboek.verwerkingen(antwoord.headers["traceparent"][3:35])
    assert verwerking["attributes"]["inburgering.traject_id"] == traject_id
    assert logboek.betrokkene(verwerking) is not None


def test_the_log_writer_asks_the_key_store_before_its_transaction_so_saves_go_on(
    api_zonder_sleutelcache: TestClient, sqlite_instellingen: Settings, regisseur: dict[str, str]
) -> None:
    api = api_zonder_sleutelcache
    traject_id = _start(api, regisseur)
    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]
    trace_id = secrets.token_hex(16)
    verzoek = Verzoek(trace_id=trace_id, operation_id=secrets.token_hex(8), aanroeper_id=None, naam="lees-traject",
                      start="2026-06-01T10:00:00+00:00", eind="2026-06-01T10:00:01+00:00", http_status=200, actie="GET",
                      object=f"/api/v1/trajecten/{traject_id}", gebruiker="regisseur-0505", rol="regisseur", gemeenten=["0505"],
                      oorsprong=None)

    # Given the writer with a read's record, which must ask the key store about the person, while a rotation holds it
    with op_slot(sqlite_instellingen.sqlite_sleutel_pad):
        logboek.leg_vast(verzoek, [Dataverwerking(secrets.token_hex(8), traject_id, TRAJECTREGIE)])
        wacht_tot_een_draad_in(Sleutelkluis.sleutel)
        # Then the writer holds no write lock on the events while it waits
        assert schrijfbaar(sqlite_instellingen.sqlite_pad)

    # And once the key store is free, the record is written and names the person
    [verwerking] = logboek.verwerkingen(trace_id)
    assert verwerking["attributes"]["inburgering.traject_id"] == traject_id
    assert logboek.betrokkene(verwerking) is not None


def test_a_key_store_held_longer_than_a_request_waits_answers_503_and_records_nothing(
    sqlite_instellingen: Settings, klok: VasteKlok, regisseur: dict[str, str]
) -> None:
    instellingen = sqlite_instellingen.model_copy(update={"sleutel_cache_seconden": 0.0, "database_lock_timeout": 1})
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as api:
        traject_id = _start(api, regisseur)
        pad = f"/api/v1/trajecten/{traject_id}"
        app: Inburgering = api.app.state.inburgering  # type: ignore[attr-defined]
        versie = len(app.recorder.select_events(UUID(traject_id)))

        # Given a key store another process holds for longer than a request waits for it
        with op_slot(instellingen.sqlite_sleutel_pad):
            # When a person is registered, and a command is recorded whose record names the person
            antwoorden = [api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur),
                          api.post(f"{pad}/kennisgevingen", json=KENNISGEVING, headers=regisseur)]

        # Then each hears that the store is unavailable for now, and when to try again: no internal error
        for antwoord in antwoorden:
            assert antwoord.status_code == 503, antwoord.text
            assert antwoord.headers["content-type"] == "application/problem+json"
            assert antwoord.json()["code"] == "tijdelijk-niet-beschikbaar" and antwoord.headers["Retry-After"]
        # And nothing was recorded: no trajectory opened, no fact added
        assert len(app.recorder.select_events(UUID(traject_id))) == versie
        lijst = api.get("/api/v1/trajecten", headers=regisseur)
        assert [t["trajectId"] for t in lijst.json()["trajecten"]] == [traject_id]
        # Once the key store is free, the same command goes through
        assert api.post(f"{pad}/kennisgevingen", json=KENNISGEVING, headers=regisseur).status_code == 201
