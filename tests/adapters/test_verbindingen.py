"""Connections per process on PostgreSQL (issue 11): one number to size `max_connections` against, each
connection visible by its process in pg_stat_activity, and a schema that is not there yet is created."""

from __future__ import annotations

import os
import resource
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from fastapi.testclient import TestClient
from psycopg import sql

from adapters.bootstrap import bouw_applicatie
from adapters.clock import SysteemKlok
from adapters.settings import Settings
from adapters.sqlverbinding import HULPVERBINDINGEN, WACHTTIJD, PostgresVerbinding, maak_schema, nog_verbonden
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from tests.builders import een_bsn, tvs_start
from tests.conftest import POSTGRES_URL, _instellingen
from tests.serverproces import Serverproces

pytestmark = pytest.mark.postgres
VERBINDINGEN = HULPVERBINDINGEN + 3  # small, so that a burst of requests presses against it


class Teller:
    """Counts, as often as it can while it runs, this process's connections in pg_stat_activity."""

    def __init__(self, applicatienaam: str) -> None:
        self.applicatienaam, self.hoogste, self.metingen = applicatienaam, 0, 0
        self._verbinding = psycopg.connect(POSTGRES_URL, autocommit=True)
        self._klaar = threading.Event()
        self._draad = threading.Thread(target=self._tel)

    def nu(self) -> int:
        rij = self._verbinding.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (self.applicatienaam,)
        ).fetchone()
        return int(rij[0]) if rij else 0

    def _tel(self) -> None:
        while not self._klaar.wait(0.005):  # a short pause: no core of the two taken from the server under test
            self.hoogste = max(self.hoogste, self.nu())
            self.metingen += 1

    def __enter__(self) -> Teller:
        self._draad.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._klaar.set()
        self._draad.join()
        self._verbinding.close()


def test_a_burst_of_requests_never_takes_more_connections_than_the_setting(
    tmp_path: Path, postgres_schemas: object
) -> None:
    instellingen = _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=postgres_schemas(),  # type: ignore[operator]
                                 database_verbindingen=VERBINDINGEN)
    regisseur = {"Authorization": f"Bearer {maak_ontwikkeltoken(instellingen, rol='regisseur', gemeenten=['0505'])}"}
    duo = {"Authorization": f"Bearer {maak_ontwikkeltoken(instellingen, rol='duo', gemeenten=[])}"}
    verzoeken = [("POST", "/api/v1/trajecten", regisseur, tvs_start(een_bsn())) for _ in range(60)]
    verzoeken += [("GET", "/api/v1/trajecten", regisseur, None)] * 50
    verzoeken += [("GET", "/api/v1/gebeurtenissen", duo, None)] * 50
    verzoeken += [("GET", "/api/v1/signaleringen", regisseur, None)] * 40

    with Serverproces(instellingen) as server, httpx2.Client(base_url=server.basis, timeout=60) as http:
        assert server.proces is not None
        teller = Teller(f"inburgering/{server.proces.pid}")  # one worker: the server process itself serves
        stil = teller.nu()

        def stuur(verzoek: tuple[str, str, dict[str, str], object]) -> int:
            methode, pad, kop, inhoud = verzoek
            return http.request(methode, pad, headers=kop, json=inhoud).status_code

        with teller, ThreadPoolExecutor(max_workers=50) as verzenders:
            statussen = list(verzenders.map(stuur, verzoeken))

    print(f"{stil} verbindingen stil, hoogstens {teller.hoogste} tijdens {len(verzoeken)} verzoeken "
          f"({teller.metingen} metingen); statussen {sorted(set(statussen))}")
    # Served; a 503 would be the designed answer if a request waited 5 s for a connection on a loaded machine.
    assert 201 in statussen and set(statussen) <= {200, 201, 503}, sorted(set(statussen))
    # At most those opened at the start (the dispatcher's round each second keeps the event store's open; the
    # dispatcher and the read-model version check at start each read another store at once), and the Wekker's
    # LISTEN connection, which it holds for good; an idle minute closes the others.
    assert stil <= 4
    assert 2 < teller.hoogste <= VERBINDINGEN  # seen (by name), used beyond the idle ones, never more


@pytest.fixture
def nieuw_schema() -> Iterator[str]:
    schema = f"nieuw_{uuid.uuid4().hex[:8]}"
    yield schema
    with psycopg.connect(POSTGRES_URL, autocommit=True) as verbinding:
        verbinding.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _bestaat(schema: str) -> bool:
    with psycopg.connect(POSTGRES_URL) as verbinding:
        return verbinding.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is not None


def test_maak_schema_creates_a_missing_schema_and_leaves_an_existing_one(nieuw_schema: str) -> None:
    assert not _bestaat(nieuw_schema)
    maak_schema(POSTGRES_URL, nieuw_schema)
    assert _bestaat(nieuw_schema)
    maak_schema(POSTGRES_URL, nieuw_schema)  # again: nothing to do, no error


def test_the_app_starts_on_a_schema_that_does_not_exist_yet_when_it_creates_its_tables(
    tmp_path: Path, nieuw_schema: str
) -> None:
    instellingen: Settings = _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=nieuw_schema, maak_tabellen=True)
    with TestClient(create_app(instellingen), raise_server_exceptions=False) as api:
        assert api.get("/api/v1/health/ready").status_code == 200
    assert _bestaat(nieuw_schema)


def test_a_read_that_finds_every_connection_taken_gives_up_within_seconds(tmp_path: Path, nieuw_schema: str) -> None:
    instellingen = _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=nieuw_schema, database_verbindingen=VERBINDINGEN)
    app = bouw_applicatie(instellingen, SysteemKlok())
    pool = app.recorder.datastore.pool  # type: ignore[attr-defined]
    bezet = [pool.getconn() for _ in range(VERBINDINGEN - HULPVERBINDINGEN)]  # every connection the event store has
    try:
        begin = time.monotonic()
        # The library retries a read ten times, each waiting for a connection: 50 s before the client heard.
        with pytest.raises(OperationalError):
            app.recorder.select_notifications(start=0, limit=10)
        # Two waits of WACHTTIJD by design; the bound leaves room for a busy machine and still tells 50 s apart.
        assert time.monotonic() - begin < 6 * WACHTTIJD
    finally:
        for verbinding in bezet:
            pool.putconn(verbinding)
        app.close()


def test_connections_the_database_ended_while_idle_are_replaced_without_failing_a_request(
    tmp_path: Path, nieuw_schema: str
) -> None:
    """A pool hands out an idle connection after a look at its socket, not a round trip: a server that ends a
    session (a restart, an operator's pg_terminate_backend) says so on it, and then it is asked and replaced."""
    instellingen = _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=nieuw_schema)
    with TestClient(create_app(instellingen), raise_server_exceptions=False) as api:
        regisseur = {"Authorization": f"Bearer {maak_ontwikkeltoken(instellingen, rol='regisseur', gemeenten=['0505'])}"}
        start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur)
        assert start.status_code == 201, start.text
        assert api.get("/api/v1/trajecten", headers=regisseur).status_code == 200
        naam = f"inburgering/{os.getpid()}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as beheer:
            beeindigd = [rij[0] for rij in beheer.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (naam,))]
            for pid in beeindigd:
                beheer.execute("SELECT pg_terminate_backend(%s)", (pid,))
            assert len(beeindigd) >= 2, "the pools held no idle connections to end"
            # Those sessions, not every one of the process: the feed's Wekker opens its LISTEN connection again at once.
            deadline = time.monotonic() + 30
            while beheer.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (beeindigd,)).fetchone()[0]:  # type: ignore[index]
                assert time.monotonic() < deadline, "the ended sessions did not go within 30 s"
                time.sleep(0.05)

        # Every store again: events and checkpoint, keys, person register, read models, access log.
        kennisgeving = api.post(f"{start.headers['Location']}/kennisgevingen", json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"},
                                headers=regisseur)
        assert kennisgeving.status_code == 201, kennisgeving.text
        assert api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur).status_code == 201
        assert api.get("/api/v1/trajecten", headers=regisseur).status_code == 200
        assert api.get("/api/v1/signaleringen", headers=regisseur).status_code == 200


def test_the_idle_connection_check_works_on_a_descriptor_above_1023() -> None:
    """A busy server holds more than a thousand descriptors; select() refuses any above 1023 (FD_SETSIZE)."""
    zacht, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if zacht < 1200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    bezet = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as verbinding, psycopg.connect(POSTGRES_URL, autocommit=True) as beheer:
            assert verbinding.fileno() > 1023
            nog_verbonden(verbinding)  # idle and well: no error
            pid = verbinding.info.backend_pid
            beheer.execute("SELECT pg_terminate_backend(%s)", (pid,))
            deadline = time.monotonic() + 30
            while beheer.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]:  # type: ignore[index]
                assert time.monotonic() < deadline, "the ended session did not go within 30 s"
                time.sleep(0.05)
            with pytest.raises(psycopg.OperationalError):
                nog_verbonden(verbinding)  # ended: noticed on the socket, and the pool replaces it
    finally:
        for fd in bezet:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (zacht, hard))


@pytest.mark.parametrize("rijen", [
    [("a", "zelfde", None, 7), ("b", "zelfde", None, 7), ("c", "zelfde", None, 7)],  # three columns alike: sent once
    [("a", "x", "p", 1), ("b", "y", None, 2)],  # none alike
    [("a", "x", None, 1), ("a", "x", None, 1)],  # every column alike: the two rows still both go
], ids=["deels-gelijk", "verschillend", "geheel-gelijk"])
def test_rows_with_columns_alike_are_inserted_as_given(nieuw_schema: str, rijen: list[tuple[object, ...]]) -> None:
    """A column with one value in every row goes as that value, not as an array (PostgresVerbinding.voeg_in):
    every row must still land with each of its values in its own column."""
    maak_schema(POSTGRES_URL, nieuw_schema)
    verbinding = PostgresVerbinding(POSTGRES_URL, nieuw_schema)
    try:
        with verbinding.transactie() as cursor:
            cursor.execute(verbinding.sql("CREATE TABLE {s}rijen (sleutel TEXT, soort TEXT, leeg TEXT, getal BIGINT)"))
            assert verbinding.voeg_in(cursor, "rijen", ("sleutel", "soort", "leeg", "getal"), rijen, {"getal"}) == 1
            cursor.execute(verbinding.sql("SELECT sleutel, soort, leeg, getal FROM {s}rijen ORDER BY sleutel, soort"))
            assert [tuple(rij) for rij in cursor.fetchall()] == sorted(rijen, key=lambda rij: (rij[0], rij[1]))  # type: ignore[arg-type]
    finally:
        verbinding.close()
