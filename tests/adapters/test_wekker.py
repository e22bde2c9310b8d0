"""The Wekker (adapters/wekker.py): a lost LISTEN connection is noticed, polled around and reconnected, so a
waiter is still woken by the next commit; on SQLite it sees what another process writes to the file."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx2
import psycopg
import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import bouw_applicatie
from adapters.clock import SysteemKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from adapters.wekker import Wekker
from api.main import create_app
from tests.builders import een_bsn, tvs_start
from tests.conftest import POSTGRES_URL, _instellingen
from tests.serverproces import Serverproces

RUIM = 30.0  # generous bounds: each wait ends as soon as what it waits for is there
ONDER = 10.0  # a wake-up must come well inside RUIM


@pytest.fixture
def api_op_postgres(tmp_path: Path, postgres_schemas: Callable[[], str]) -> Iterator[TestClient]:
    instellingen = _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=postgres_schemas())
    with TestClient(create_app(instellingen, SysteemKlok()), raise_server_exceptions=False) as api:
        yield api


def _start(api: TestClient | httpx2.Client, instellingen: Settings) -> None:
    token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=["0505"])
    antwoord = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers={"Authorization": f"Bearer {token}"})
    assert antwoord.status_code == 201, antwoord.text


def _tot(voorwaarde: Callable[[], object], wat: str) -> None:
    einde = time.monotonic() + RUIM
    while not voorwaarde():
        assert time.monotonic() < einde, f"na {RUIM:g} s nog niet: {wat}"
        time.sleep(0.05)


def _beeindig(pid: int) -> None:
    """As an operator or a failover would: the server ends the session."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as beheer:
        beheer.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _wacht_in_draad(wekker: Wekker, na: int) -> tuple[Future[int], Callable[[], float]]:
    uitvoerder = ThreadPoolExecutor(1)
    begin = time.monotonic()
    klaar: list[float] = []

    def wacht() -> int:
        try:
            return wekker.wacht(na, RUIM)
        finally:
            klaar.append(time.monotonic() - begin)

    toekomst = uitvoerder.submit(wacht)
    uitvoerder.shutdown(wait=False)
    return toekomst, lambda: klaar[0]


@pytest.mark.postgres
def test_after_its_listen_connection_is_killed_the_wekker_reconnects_and_wakes_the_next_waiter(
    api_op_postgres: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    api = api_op_postgres
    wekker: Wekker = api.app.state.wekker  # type: ignore[attr-defined]
    _tot(lambda: wekker.luisterverbinding_pid, "de wekker luistert")
    eerste = wekker.luisterverbinding_pid
    assert eerste is not None

    with caplog.at_level(logging.WARNING, logger="inburgering.wekker"):
        _beeindig(eerste)
        _tot(lambda: wekker.luisterverbinding_pid not in (None, eerste), "de wekker luistert op een nieuwe verbinding")
    assert "LISTEN-verbinding verloren" in caplog.text and "LISTEN-verbinding hersteld" in caplog.text

    positie = wekker.positie()
    wakker, duur = _wacht_in_draad(wekker, positie)
    _start(api, api.app.state.instellingen)  # type: ignore[attr-defined]
    assert wakker.result(timeout=RUIM + 10) > positie
    assert duur() < ONDER, f"{duur():.1f} s: the commit after the reconnect did not wake the waiter"


@pytest.mark.postgres
def test_while_the_listen_connection_is_lost_the_wekker_polls_so_no_commit_goes_unnoticed(
    api_op_postgres: TestClient
) -> None:
    api = api_op_postgres
    # A Wekker of its own that waits a minute before it reconnects: what wakes the waiter is the polling.
    wekker = Wekker(api.app.state.inburgering.recorder, herverbinden_na=60)  # type: ignore[attr-defined]
    wekker.start()
    try:
        _tot(lambda: wekker.luisterverbinding_pid, "de wekker luistert")
        pid = wekker.luisterverbinding_pid
        assert pid is not None
        _beeindig(pid)
        _tot(lambda: wekker.luisterverbinding_pid is None, "de wekker merkt dat de verbinding weg is")

        positie = wekker.positie()
        wakker, duur = _wacht_in_draad(wekker, positie)
        _start(api, api.app.state.instellingen)  # type: ignore[attr-defined]
        assert wakker.result(timeout=RUIM + 10) > positie
        assert duur() < ONDER and wekker.luisterverbinding_pid is None  # woken while still disconnected
    finally:
        begin = time.monotonic()
        wekker.close()
    assert time.monotonic() - begin < ONDER  # close() does not sit out the backoff


def test_on_sqlite_the_wekker_sees_what_another_process_writes(sqlite_instellingen: Settings) -> None:
    with Serverproces(sqlite_instellingen) as server, httpx2.Client(base_url=server.basis, timeout=60) as http:
        app = bouw_applicatie(sqlite_instellingen, SysteemKlok())  # in this process: the same file, another writer
        wekker = Wekker(app.recorder)
        wekker.start()
        try:
            positie = wekker.positie()
            wakker, duur = _wacht_in_draad(wekker, positie)
            _start(http, sqlite_instellingen)
            assert wakker.result(timeout=RUIM + 10) > positie
            assert duur() < ONDER
        finally:
            wekker.close()
            app.close()


@pytest.mark.postgres
def test_a_closed_wekker_lets_its_waiters_go(api_op_postgres: TestClient) -> None:
    wekker = Wekker(api_op_postgres.app.state.inburgering.recorder)  # type: ignore[attr-defined]
    wekker.start()
    wakker, duur = _wacht_in_draad(wekker, wekker.positie())
    time.sleep(0.2)
    wekker.close()
    wekker.close()  # idempotent
    assert wakker.result(timeout=RUIM) == wekker.positie()
    assert duur() < ONDER


@pytest.mark.postgres
def test_commits_nobody_waits_for_cost_the_wekker_no_read_and_the_next_waiter_sees_them_at_once(
    api_op_postgres: TestClient
) -> None:
    # A read of the head per commit cost half a millisecond of every command (issue 12): only a waiter is worth one.
    api = api_op_postgres
    instellingen = api.app.state.instellingen  # type: ignore[attr-defined]
    wekker: Wekker = api.app.state.wekker  # type: ignore[attr-defined]
    _tot(lambda: wekker.luisterverbinding_pid, "de wekker luistert")
    _start(api, instellingen)  # the subscriptions' dispatcher has nothing to deliver: it does not wait on the Wekker
    voor_de_commits, gelezen = wekker.positie(), wekker.koppen_gelezen
    # Given commits while nobody waits
    for _ in range(5):
        _start(api, instellingen)
    time.sleep(1)  # the notifications have come in
    assert wekker.koppen_gelezen == gelezen
    # Then a waiter for a position before them returns at once, with the head read once for it
    begin = time.monotonic()
    assert wekker.wacht(voor_de_commits, RUIM) > voor_de_commits
    assert time.monotonic() - begin < ONDER and wekker.koppen_gelezen == gelezen + 1


@pytest.mark.postgres
def test_commits_nobody_waits_for_do_not_wake_the_listening_thread_and_a_waiter_still_sees_them(
    api_op_postgres: TestClient
) -> None:
    # Woken by every commit, the thread cost about 0.2 ms of each command (issue 12), for nobody.
    api = api_op_postgres
    instellingen = api.app.state.instellingen  # type: ignore[attr-defined]
    # A Wekker of its own that, while nobody waits, looks at its connection only once a minute
    wekker = Wekker(api.app.state.inburgering.recorder, luisterinterval=60)  # type: ignore[attr-defined]
    wekker.start()
    try:
        _tot(lambda: wekker.luisterverbinding_pid, "de wekker luistert")
        voor_de_commits, gelezen = wekker.positie(), wekker.notificaties_gelezen
        # Given commits while nobody waits
        for _ in range(5):
            _start(api, instellingen)
        time.sleep(1)  # their notifications have come in
        assert wekker.notificaties_gelezen == gelezen, "a commit woke the thread while nobody waited"
        # Then a waiter wakes it, and is woken at once by what came meanwhile, all taken off the connection in one go
        begin = time.monotonic()
        assert wekker.wacht(voor_de_commits, RUIM) > voor_de_commits
        assert time.monotonic() - begin < ONDER
        assert wekker.notificaties_gelezen == gelezen + 1
        _start(api, instellingen)  # wakes the thread if it still listens for the waiter: close() need not sit out the minute
    finally:
        wekker.close()
