"""The access log's writer (issue 12): many requests' rows per transaction in multi-row INSERTs, a bounded
queue that makes a request wait instead of growing, nothing lost on a clean shutdown."""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx2
import psycopg
import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import bouw_applicatie, bouw_logboek
from adapters.clock import SysteemKlok
from adapters.logboek import Dataverwerking, Geschreven, Logboek, Verzoek
from adapters.settings import Settings
from adapters.sqlverbinding import PostgresVerbinding, SqliteVerbinding, Verbinding
from adapters.tokens import maak_ontwikkeltoken
from domain.application import Inburgering
from domain.verwerkingsactiviteiten import TRAJECTREGIE, VERSTREKKING_DUO
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import Serverproces

SAMENVATTING = re.compile(r"toegangslog: (\d+) verzoeken, (\d+) rijen in (\d+) opdrachten en (\d+) transacties geschreven")


def _trace() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def _verzoek(trace_id: str) -> Verzoek:
    return Verzoek(trace_id=trace_id, operation_id=secrets.token_hex(8), aanroeper_id=None, naam="lees-trajecten",
                   start="2026-06-01T10:00:00+00:00", eind="2026-06-01T10:00:01+00:00", http_status=200, actie="GET",
                   object="/api/v1/trajecten", gebruiker="regisseur-0505", rol="regisseur", gemeenten=["0505"], oorsprong=None)


class Slagboom:
    """The log's database, with a barrier the writer thread stops at until the test lifts it."""

    def __init__(self, echt: Verbinding) -> None:
        self.echt = echt
        self.open = threading.Event()
        self.wacht = threading.Event()  # the writer is at the barrier

    def sql(self, sql: str) -> str:
        return self.echt.sql(sql)

    @contextmanager
    def transactie(self, schrijven: bool = True) -> Iterator[Any]:
        if schrijven and threading.current_thread().name == "toegangslog":
            self.wacht.set()
            assert self.open.wait(120), "de test hief de slagboom niet op"
        with self.echt.transactie(schrijven) as cursor:
            yield cursor

    @contextmanager
    def in_een_keer(self) -> Iterator[Any]:
        with self.transactie():
            pass  # the barrier
        with self.echt.in_een_keer() as cursor:
            yield cursor

    def eenmalig(self) -> Any:
        return self.echt.eenmalig()

    def voeg_in(self, *args: Any) -> int:
        return self.echt.voeg_in(*args)

    def close(self) -> None:
        self.echt.close()


class Haperend(Slagboom):
    """The log's database, away for its writer's first `keer` transactions (a failover, a lost connection); with
    `na_de_commit`, the connection is lost after the commit, before its answer came."""

    def __init__(self, echt: Verbinding, keer: int, *, na_de_commit: bool = False) -> None:
        super().__init__(echt)
        self.open.set()
        self.keer, self.pogingen, self.na_de_commit = keer, 0, na_de_commit

    @contextmanager
    def in_een_keer(self) -> Iterator[Any]:
        self.pogingen += 1
        weg = self.pogingen <= self.keer
        if weg and not self.na_de_commit:
            raise psycopg.OperationalError("de verbinding is verbroken")
        with self.echt.in_een_keer() as cursor:
            yield cursor
        if weg:
            raise psycopg.OperationalError("de verbinding is verbroken")


@pytest.fixture
def inburgering(instellingen: Settings) -> Iterator[Inburgering]:
    app = bouw_applicatie(instellingen, SysteemKlok())
    bouw_logboek(instellingen, app, {}).close()  # its tables
    yield app
    app.close()


@pytest.fixture
def inburgering_sqlite(sqlite_instellingen: Settings) -> Iterator[Inburgering]:
    app = bouw_applicatie(sqlite_instellingen, SysteemKlok())
    yield app
    app.close()


def _echt(instellingen: Settings) -> Verbinding:
    return (SqliteVerbinding(instellingen.sqlite_pad) if instellingen.database_url is None
            else PostgresVerbinding(instellingen.database_url, instellingen.database_schema))


def _logboek(instellingen: Settings, app: Inburgering, slagboom: Slagboom | None = None, **grenzen: Any) -> tuple[Logboek, Slagboom]:
    slagboom = slagboom or Slagboom(_echt(instellingen))
    assert app.sleutels is not None
    return Logboek(slagboom, app.sleutels, app.recorder, {}, **grenzen), slagboom  # type: ignore[arg-type]


def _verschil(na: Geschreven, voor: Geschreven) -> Geschreven:
    return Geschreven(*(getattr(na, v) - getattr(voor, v) for v in ("verzoeken", "rijen", "opdrachten", "transacties")))


def test_a_list_page_of_many_persons_is_written_in_one_transaction_of_two_statements(api: TestClient, als: Kopregels) -> None:
    # Given a list page that shows twelve persons
    regisseur = als("regisseur", "0505")
    for _ in range(12):
        assert api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur).status_code == 201
    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]
    assert logboek.wacht_tot_geschreven()
    voor = replace(logboek.geschreven)
    # When it is read
    trace_id, traceparent = _trace()
    assert len(api.get("/api/v1/trajecten", headers=regisseur | {"traceparent": traceparent}).json()["trajecten"]) == 12
    assert logboek.wacht_tot_geschreven()
    # Then its audit row and twelve LDV records went in one transaction: one INSERT per table, not one per row
    assert _verschil(logboek.geschreven, voor) == Geschreven(verzoeken=1, rijen=13, opdrachten=2, transacties=1)
    assert len(logboek.verwerkingen(trace_id)) == 12 and len(logboek.auditregels(trace_id)) == 1


def test_a_batch_of_any_size_is_one_statement_per_table_and_on_postgresql_of_the_same_text(
    instellingen: Settings, inburgering: Inburgering, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement of a placeholder per value is parsed by psycopg on each execute once it is too long for its
    cache: a third of the server's time under list reads went there. Columns as arrays keep the text fixed;
    SQLite, in the process, takes up to 500 rows per multi-row statement."""
    verzonden: list[str] = []
    echt = psycopg.Cursor.execute

    def opgenomen(self: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "toegangslog" and "inburgering_dataverwerkingen" in str(query):
            verzonden.append(str(query))
        return echt(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", opgenomen)
    logboek, slagboom = _logboek(instellingen, inburgering)
    slagboom.open.set()
    try:
        for aantal in (3, 150):
            voor = replace(logboek.geschreven)
            trace_id = secrets.token_hex(16)
            logboek.leg_vast(_verzoek(trace_id), [Dataverwerking(secrets.token_hex(8), str(uuid.uuid4()), VERSTREKKING_DUO) for _ in range(aantal)])
            assert logboek.wacht_tot_geschreven()
            assert len(logboek.verwerkingen(trace_id)) == aantal
            assert _verschil(logboek.geschreven, voor) == Geschreven(verzoeken=1, rijen=aantal + 1, opdrachten=2, transacties=1)
    finally:
        logboek.close()
    if instellingen.database_url is not None:
        assert len(verzonden) == 2 and verzonden[0] == verzonden[1], verzonden


def test_requests_queued_while_the_writer_writes_go_in_together(instellingen: Settings, inburgering: Inburgering) -> None:
    logboek, slagboom = _logboek(instellingen, inburgering)
    try:
        # Given a writer busy with a first request
        traces = [secrets.token_hex(16) for _ in range(21)]
        logboek.leg_vast(_verzoek(traces[0]), [])
        assert slagboom.wacht.wait(60)
        # When twenty more requests are recorded meanwhile
        for trace_id in traces[1:]:
            logboek.leg_vast(_verzoek(trace_id), [])
        slagboom.open.set()
        assert logboek.wacht_tot_geschreven()
        # Then they are written in one more transaction, one INSERT
        assert logboek.geschreven == Geschreven(verzoeken=21, rijen=21, opdrachten=2, transacties=2)
        assert all(len(logboek.auditregels(t)) == 1 for t in traces)
    finally:
        slagboom.open.set()
        logboek.close()


def test_a_batch_with_odd_text_in_one_request_is_written_whole_with_only_that_text_replaced(
    instellingen: Settings, inburgering: Inburgering
) -> None:
    """The writer checks the text of a whole batch at once (adapters/opslagtekst.py); a request whose route name
    and user hold a NUL and a lone surrogate must not cost the others their records, nor keep its own from the log."""
    logboek, slagboom = _logboek(instellingen, inburgering)
    try:
        # Given a writer busy with a first request
        eerste = secrets.token_hex(16)
        logboek.leg_vast(_verzoek(eerste), [])
        assert slagboom.wacht.wait(60)
        # When three more requests of a few persons each are queued meanwhile, the second with odd text
        traces = [secrets.token_hex(16) for _ in range(3)]
        vreemd = replace(_verzoek(traces[1]), naam="lees-\x00trajecten", gebruiker="Zoë\ud800")
        for verzoek in (_verzoek(traces[0]), vreemd, replace(_verzoek(traces[2]), gebruiker="Zoë")):
            logboek.leg_vast(verzoek, [Dataverwerking(secrets.token_hex(8), str(uuid.uuid4()), VERSTREKKING_DUO) for _ in range(4)])
        slagboom.open.set()
        assert logboek.wacht_tot_geschreven()
        # Then they went in one transaction, every record of every request
        assert logboek.geschreven == Geschreven(verzoeken=4, rijen=4 + 3 * 4, opdrachten=1 + 2, transacties=2)
        # with the odd text replaced in the records of its own request only
        assert [r["gebruiker"] for t in traces for r in logboek.auditregels(t)] == ["regisseur-0505", "Zoë\ufffd", "Zoë"]
        assert [{r["name"] for r in logboek.verwerkingen(t)} for t in traces] == [{"lees-trajecten"}, {"lees-\ufffdtrajecten"}, {"lees-trajecten"}]
        assert all(len(logboek.verwerkingen(t)) == 4 for t in traces)
    finally:
        slagboom.open.set()
        logboek.close()


def test_a_full_queue_makes_the_request_wait_instead_of_growing(instellingen: Settings, inburgering: Inburgering) -> None:
    logboek, slagboom = _logboek(instellingen, inburgering, wachtrij_rijen=10)
    try:
        # Given a writer that cannot write, and a queue filled to its bound of ten rows
        traces = [secrets.token_hex(16) for _ in range(11)]
        logboek.leg_vast(_verzoek(traces[0]), [])
        assert slagboom.wacht.wait(60)
        for trace_id in traces[1:10]:
            assert logboek.probeer_leg_vast(_verzoek(trace_id), [])
        assert not logboek.probeer_leg_vast(_verzoek(secrets.token_hex(16)), [])  # the event loop's try: no room
        # When one more request is recorded
        wachtend = threading.Thread(target=logboek.leg_vast, args=(_verzoek(traces[10]), []))
        wachtend.start()
        wachtend.join(0.5)
        # Then it waits, and the queue holds no more than its bound
        assert wachtend.is_alive() and logboek.in_de_wachtrij == 10
        # ... until the writer makes room; then every record is written
        slagboom.open.set()
        wachtend.join(60)
        assert not wachtend.is_alive()
        assert logboek.wacht_tot_geschreven()
        assert all(len(logboek.auditregels(t)) == 1 for t in traces)
    finally:
        slagboom.open.set()
        logboek.close()


def test_after_waiting_its_bound_a_request_writes_its_own_records(
    instellingen: Settings, inburgering: Inburgering, caplog: pytest.LogCaptureFixture
) -> None:
    logboek, slagboom = _logboek(instellingen, inburgering, wachtrij_rijen=1, wachttijd=0.2)
    try:
        # Given a writer that cannot write and a full queue
        logboek.leg_vast(_verzoek(secrets.token_hex(16)), [])
        assert slagboom.wacht.wait(60)
        # When a request still finds no room after its wait
        trace_id = secrets.token_hex(16)
        logboek.leg_vast(_verzoek(trace_id), [])
        # Then its record is written by the request itself, not dropped, and the operators hear of it
        assert len(logboek.auditregels(trace_id)) == 1
        assert any(r.levelname == "WARNING" and "wachtrij vol" in r.getMessage() for r in caplog.records)
    finally:
        slagboom.open.set()
        logboek.close()


def test_a_database_away_for_a_moment_delays_the_record_and_loses_nothing(
    instellingen: Settings, inburgering: Inburgering, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a writer whose database is away for its first three tries
    logboek, haperend = _logboek(instellingen, inburgering, Haperend(_echt(instellingen), keer=3))
    try:
        # When a request is recorded
        trace_id = secrets.token_hex(16)
        logboek.leg_vast(_verzoek(trace_id), [])
        assert logboek.wacht_tot_geschreven()
        # Then the writer waited the database out and wrote the record on its fourth try, and nothing was given up
        assert len(logboek.auditregels(trace_id)) == 1
        assert isinstance(haperend, Haperend) and haperend.pogingen == 4
        assert logboek.geschreven == Geschreven(verzoeken=1, rijen=1, opdrachten=1, transacties=1)
        assert not [r for r in caplog.records if r.levelname == "CRITICAL"]
        assert sum("de database is even weg" in r.getMessage() for r in caplog.records) == 3
    finally:
        logboek.close()


def test_a_batch_whose_commit_was_not_answered_is_written_once_on_the_retry(
    instellingen: Settings, inburgering: Inburgering, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a writer whose connection is lost after its first commit, before the answer came
    logboek, haperend = _logboek(instellingen, inburgering, Haperend(_echt(instellingen), keer=1, na_de_commit=True))
    try:
        # When a request's records are written
        trace_id = secrets.token_hex(16)
        logboek.leg_vast(_verzoek(trace_id), [Dataverwerking(secrets.token_hex(8), str(uuid.uuid4()), VERSTREKKING_DUO)])
        assert logboek.wacht_tot_geschreven()
        # Then the retry finds them there: each record once, and none reported as lost
        assert isinstance(haperend, Haperend) and haperend.pogingen == 2
        assert len(logboek.auditregels(trace_id)) == 1 and len(logboek.verwerkingen(trace_id)) == 1
        assert not [r for r in caplog.records if r.levelname == "CRITICAL"]
    finally:
        logboek.close()


def test_a_database_away_for_longer_than_the_writer_waits_is_said_loudly_and_the_writer_goes_on(
    instellingen: Settings, inburgering: Inburgering, caplog: pytest.LogCaptureFixture
) -> None:
    logboek, haperend = _logboek(instellingen, inburgering, Haperend(_echt(instellingen), keer=10**9), geduld=0.3)
    try:
        # Given a database away for longer than the writer waits
        verloren = secrets.token_hex(16)
        logboek.leg_vast(_verzoek(verloren), [])
        assert logboek.wacht_tot_geschreven()
        # Then the record is given up, loudly
        assert any(r.levelname == "CRITICAL" and f"toegangslog niet geschreven voor trace {verloren}" in r.getMessage() for r in caplog.records)
        # And once the database is back, the writer writes the next record
        assert isinstance(haperend, Haperend)
        haperend.keer = 0
        trace_id = secrets.token_hex(16)
        logboek.leg_vast(_verzoek(trace_id), [])
        assert len(logboek.auditregels(trace_id)) == 1 and logboek.auditregels(verloren) == []
    finally:
        logboek.close()


def test_close_writes_everything_that_was_queued(instellingen: Settings, inburgering: Inburgering) -> None:
    logboek, slagboom = _logboek(instellingen, inburgering)
    traces = [secrets.token_hex(16) for _ in range(30)]
    for trace_id in traces:
        logboek.leg_vast(_verzoek(trace_id), [])
    assert slagboom.wacht.wait(60)
    sluiten = threading.Thread(target=logboek.close)
    sluiten.start()
    slagboom.open.set()
    sluiten.join(60)
    assert not sluiten.is_alive()
    lezer = bouw_logboek(instellingen, inburgering, {})
    try:
        assert all(len(lezer.auditregels(t)) == 1 for t in traces)
    finally:
        lezer.close()


def test_a_server_stopped_with_sigterm_has_written_every_request(instellingen: Settings) -> None:
    kop = {"Authorization": f"Bearer {maak_ontwikkeltoken(instellingen, rol='regisseur', gemeenten=['0505'])}"}
    traces = []
    with Serverproces(instellingen) as server, httpx2.Client(base_url=server.basis, headers=kop, timeout=60) as client:
        for _ in range(5):
            assert client.post("/api/v1/trajecten", json=tvs_start(een_bsn())).status_code == 201
        for _ in range(20):
            trace_id, traceparent = _trace()
            assert client.get("/api/v1/trajecten", headers={"traceparent": traceparent}).status_code == 200
            traces.append(trace_id)
        uitvoer = server.stop()  # SIGTERM right after the last answer, as an operator would
    app = bouw_applicatie(instellingen, SysteemKlok())
    lezer = bouw_logboek(instellingen, app, {})
    try:
        for trace_id in traces:
            assert len(lezer.auditregels(trace_id)) == 1, trace_id
            assert len(lezer.verwerkingen(trace_id)) == 5, trace_id
    finally:
        lezer.close()
        app.close()
    # The writer said at shutdown what it wrote: six rows per list page, in multi-row statements (the starts'
    # records were committed with their events, not by the writer).
    [samenvatting] = SAMENVATTING.findall(uitvoer)
    verzoeken, rijen, opdrachten, _ = map(int, samenvatting)
    assert verzoeken >= 20 and rijen >= 20 * 6
    assert opdrachten <= 2 * verzoeken < rijen



def test_an_embedded_store_takes_over_the_log_it_kept_in_a_file_of_its_own(sqlite_instellingen: Settings, inburgering_sqlite: Inburgering) -> None:
    """Before a command's records were committed with its events the embedded log lay in logboek.db; its
    records stay readable, once, where the log is now."""
    eerder = sqlite_instellingen.data_map / "logboek.db"
    oud = Logboek(SqliteVerbinding(eerder), inburgering_sqlite.sleutels, inburgering_sqlite.recorder, {})  # type: ignore[arg-type]
    oud.maak_tabellen()
    trace_id = secrets.token_hex(16)
    oud.leg_vast(_verzoek(trace_id), [Dataverwerking(secrets.token_hex(8), str(uuid.uuid4()), VERSTREKKING_DUO)])
    oud.close()

    for _ in range(2):  # the second start finds nothing left to take over
        lezer = bouw_logboek(sqlite_instellingen, inburgering_sqlite, {})
        try:
            assert len(lezer.auditregels(trace_id)) == 1 and len(lezer.verwerkingen(trace_id)) == 1
        finally:
            lezer.close()
    assert not eerder.exists() and eerder.with_suffix(".db.overgenomen").exists()


def test_odd_text_in_a_requests_values_or_a_records_id_is_stored_replaced_and_the_rest_as_given(
    instellingen: Settings, inburgering: Inburgering
) -> None:
    """The records of one request share its values, made storable once per request, and have their own ids and
    attributes, made storable a column at a time (adapters/logboek.py `_ldv_rijen`): a NUL or a lone surrogate in
    either is stored as U+FFFD on both stores, and every record still lands with the others' values intact."""
    logboek = bouw_logboek(instellingen, inburgering, {"dienst": "inburgering"})
    verbinding: Verbinding = (SqliteVerbinding(instellingen.sqlite_pad) if instellingen.database_url is None
                              else PostgresVerbinding(instellingen.database_url, instellingen.database_schema))
    try:
        trace_id = secrets.token_hex(16)
        verzoek = replace(_verzoek(trace_id), naam="lees\x00trajecten", start="2026-06-01T10:00:00\ud800")
        ids = [f"1{secrets.token_hex(7)}", f"2\x00{secrets.token_hex(6)}", f"3{secrets.token_hex(7)}"]
        logboek.leg_vast(verzoek, [Dataverwerking(i, str(uuid.uuid4()), TRAJECTREGIE, "referentie") for i in ids])
        assert logboek.wacht_tot_geschreven()
        with verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(verbinding.sql("SELECT operation_id, parent_operation_id, name, start_time, end_time FROM "
                                          "{s}inburgering_dataverwerkingen WHERE trace_id = %s ORDER BY operation_id"), (trace_id,))
            opgeslagen = [tuple(rij) for rij in cursor.fetchall()]
        gedeeld = (verzoek.operation_id, "lees\ufffdtrajecten", "2026-06-01T10:00:00\ufffd", verzoek.eind)
        assert opgeslagen == [(ids[0], *gedeeld), (ids[1].replace("\x00", "\ufffd"), *gedeeld), (ids[2], *gedeeld)]
    finally:
        verbinding.close()
        logboek.close()


def test_each_record_names_person_caller_activity_and_trajectory_as_json_with_sorted_keys(
    instellingen: Settings, inburgering: Inburgering
) -> None:
    """The writer composes a record's `attributes` from the parts its request's records share (adapters/logboek.py
    `_ldv_rijen`): the text must be what json.dumps(sort_keys=True) writes of them, odd characters included."""
    logboek = bouw_logboek(instellingen, inburgering, {"dienst": "inburgering"})
    verbinding: Verbinding = (SqliteVerbinding(instellingen.sqlite_pad) if instellingen.database_url is None
                              else PostgresVerbinding(instellingen.database_url, instellingen.database_schema))
    try:
        for aanroeper in (None, secrets.token_hex(8)):
            trace_id = secrets.token_hex(16)
            verwerkingen = [
                Dataverwerking(f"1{secrets.token_hex(7)}", str(uuid.uuid4()), VERSTREKKING_DUO, '{"data": "a\\"b\\\\c \u00e9 \u2028 \U0001f600 \x00"}'),
                Dataverwerking(f"2{secrets.token_hex(7)}", str(uuid.uuid4()), TRAJECTREGIE, "referentie"),
                Dataverwerking(f"3{secrets.token_hex(7)}", str(uuid.uuid4()), VERSTREKKING_DUO),  # no such trajectory: nobody to name
            ]
            logboek.leg_vast(replace(_verzoek(trace_id), aanroeper_id=aanroeper), verwerkingen)
            assert logboek.wacht_tot_geschreven()
            with verbinding.transactie(schrijven=False) as cursor:
                cursor.execute(verbinding.sql("SELECT attributes FROM {s}inburgering_dataverwerkingen WHERE trace_id = %s ORDER BY operation_id"),
                               (trace_id,))
                opgeslagen = [rij[0] for rij in cursor.fetchall()]

            verwacht = []
            for v in verwerkingen:
                attributen = {"dpl.core.processing_activity_id": v.activiteit.uri, "inburgering.traject_id": str(v.traject_id)}
                if aanroeper is not None:
                    attributen |= {"dpl.core.foreign_operation.trace_id": trace_id, "dpl.core.foreign_operation.operation_id": aanroeper}
                if v.betrokkene is not None:
                    attributen |= {"dpl.core.data_subject_id": v.betrokkene, "dpl.core.data_subject_id_type": "BSN"}
                verwacht.append(json.dumps(attributen, sort_keys=True))
            assert opgeslagen == verwacht
    finally:
        verbinding.close()
        logboek.close()
