"""Tamper evidence: hand-made changes to the stored events are found and named, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from psycopg import sql
from typer.testing import CliRunner

from adapters import cli as cli_module
from adapters import keten
from adapters.bootstrap import bouw_applicatie, bouw_leesmodelopslag, bouw_logboek, controlepunten_van, migreer
from adapters.clock import VasteKlok
from adapters.integriteit import (
    Integriteitsstaat,
    Rapport,
    VerzegelenGeweigerdError,
    VolledigeControle,
    controleer,
    controleer_export,
    controleer_incrementeel,
    controleer_volledig,
    exporteer,
    handtekeningen_van,
    verzegel_na_onderzoek,
)
from adapters.keten import Controlepunt, IntegriteitsalarmError, OpslagVerbinding, ketenhash, met_hash, splits
from adapters.settings import Settings
from domain.application import Inburgering
from domain.persoonsgegevens import GrondVerwijdering
from projections.projector import Projector
from tests.builders import door, statushouder_met_pip
from tests.conftest import POSTGRES_URL, _instellingen, cli_omgeving


def _trajecten(app: Inburgering, aantal: int = 3) -> list[UUID]:
    ids = []
    for _ in range(aantal):
        traject = statushouder_met_pip()
        traject.registreer_voortgangsgesprek(datum=date(2025, 6, 2), gevoerd=True, geldige_reden=False, verslag="Goed", door=door())
        app.save(traject)
        ids.append(traject.id)
    return ids


@contextmanager
def _met_de_hand(instellingen: Settings, tabel: str) -> Iterator[Callable[..., Any]]:
    """SQL on the event table as a DBA would, past the application and its append-only trigger."""
    if instellingen.database_url is None:
        verbinding = sqlite3.connect(instellingen.sqlite_pad)
        for trigger in verbinding.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            verbinding.execute(f"DROP TRIGGER {trigger[0]}")

        def uitvoeren(opdracht: str, *parameters: Any) -> Any:
            # The SQLite store keeps a UUID as 32 hex digits.
            waarden = [UUID(p).hex if isinstance(p, str) and len(p) == 36 else p for p in parameters]
            return verbinding.execute(opdracht.replace("%s", "?").replace("{t}", tabel), waarden).fetchall()

        try:
            yield uitvoeren
            verbinding.commit()
        finally:
            verbinding.close()
        return
    with psycopg.connect(instellingen.database_url, autocommit=True) as pg:
        pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(instellingen.database_schema)))
        pg.execute("SET session_replication_role = replica")  # a superuser can; the application role cannot

        def uitvoeren_pg(opdracht: str, *parameters: Any) -> Any:
            cursor = pg.execute(opdracht.replace("{t}", tabel).replace("originator_id = %s", "originator_id = %s::uuid"), parameters)
            return cursor.fetchall() if cursor.description else None

        yield uitvoeren_pg


def _tabel(app: Inburgering) -> str:
    return app.recorder.events_table_name  # type: ignore[attr-defined,no-any-return]


def _bevindingen(app: Inburgering) -> set[tuple[str, int | None, str]]:
    return {(b.aggregaat_id, b.versie, b.soort) for b in controleer(app.recorder, controlepunten_van(app)).bevindingen}


def _state(instellingen: Settings, app: Inburgering, traject: UUID, versie: int) -> bytes:
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        [(state,)] = sql_("SELECT state FROM {t} WHERE originator_id = %s AND originator_version = %s", str(traject), versie)
    return bytes(state)


def test_an_untouched_store_verifies_and_every_event_carries_its_hash(app: Inburgering) -> None:
    ids = _trajecten(app)
    rapport = controleer(app.recorder, controlepunten_van(app))
    assert (rapport.in_orde, rapport.aggregaten, rapport.gebeurtenissen) == (True, 3, sum(len(app.recorder.select_events(i)) for i in ids))
    events = app.recorder.select_events(ids[0])
    assert all(splits(e.state)[1] is not None for e in events)
    assert all(not hasattr(e, "_keten") for e in app.events.get(ids[0]))  # the hash is the store's, not the fact's


def test_a_save_of_a_few_events_and_one_of_many_are_stored_as_given_and_verify(app: Inburgering) -> None:
    """A save of up to LOSSE_EVENTS events gives each value on its own, a larger one an array per column (the
    statement of adapters/keten.py on PostgreSQL): either way each fact is stored in its place, and covered."""
    weinig, veel = statushouder_met_pip(), statushouder_met_pip()
    for week in range(8):
        veel.registreer_voortgangsgesprek(datum=date(2025, 6, 2 + week), gevoerd=True, geldige_reden=False, verslag=f"Week {week}", door=door())
    assert len(weinig.pending_events) <= keten.LOSSE_EVENTS < len(veel.pending_events)
    verwacht = {t.id: [(e.originator_version, type(e).__qualname__) for e in t.pending_events] for t in (weinig, veel)}
    for traject in (weinig, veel):
        app.save(traject)
    for traject_id, feiten in verwacht.items():
        gelezen = list(app.events.get(traject_id))
        assert [(e.originator_version, type(e).__qualname__) for e in gelezen] == feiten
        assert [e.originator_id for e in gelezen] == [traject_id] * len(feiten)
    assert [e.verslag for e in list(app.events.get(veel.id))[-8:]] == [f"Week {week}" for week in range(8)]  # decrypted in place
    rapport = controleer(app.recorder, controlepunten_van(app))
    assert (rapport.in_orde, rapport.gebeurtenissen) == (True, sum(map(len, verwacht.values())))


def test_a_changed_byte_of_a_payload_is_named(instellingen: Settings, app: Inburgering) -> None:
    eerste, tweede, _ = _trajecten(app)
    state = _state(instellingen, app, tweede, 3)
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("UPDATE {t} SET state = %s WHERE originator_id = %s AND originator_version = %s",
             state.replace(b'"gemeente"', b'"gemeentE"', 1), str(tweede), 3)
    assert _bevindingen(app) == {(str(tweede), 3, "gewijzigd")}


def test_a_byte_added_after_the_chain_hash_is_named(instellingen: Settings, app: Inburgering) -> None:
    """The hash must end the stored row: a newline after it once read as the row without it (a regex's `$`
    matches before a final newline), so the row's bytes changed and the chain still verified."""
    _, tweede, _ = _trajecten(app)
    state = _state(instellingen, app, tweede, 2)
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("UPDATE {t} SET state = %s WHERE originator_id = %s AND originator_version = %s", state + b"\n", str(tweede), 2)
    assert (str(tweede), 2, "zonder-hash") in _bevindingen(app)
    assert {b[0] for b in _bevindingen(app)} == {str(tweede)}
    assert splits(state + b"\n") == (state + b"\n", None)


def test_a_deleted_last_event_is_named(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app)[1]
    laatste = app.repository.get(traject).version
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("DELETE FROM {t} WHERE originator_id = %s AND originator_version = %s", str(traject), laatste)
    assert _bevindingen(app) == {(str(traject), laatste, "staart-verwijderd")}


def test_two_swapped_events_are_named(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app)[0]
    twee, drie = _state(instellingen, app, traject, 2), _state(instellingen, app, traject, 3)
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        [(topic2,)] = sql_("SELECT topic FROM {t} WHERE originator_id = %s AND originator_version = 2", str(traject))
        [(topic3,)] = sql_("SELECT topic FROM {t} WHERE originator_id = %s AND originator_version = 3", str(traject))
        sql_("UPDATE {t} SET state = %s, topic = %s WHERE originator_id = %s AND originator_version = 2", drie, topic3, str(traject))
        sql_("UPDATE {t} SET state = %s, topic = %s WHERE originator_id = %s AND originator_version = 3", twee, topic2, str(traject))
    assert _bevindingen(app) == {(str(traject), 2, "gewijzigd"), (str(traject), 3, "gewijzigd")}


def _smokkel_feit_in(instellingen: Settings, app: Inburgering, traject: UUID) -> int:
    """As an insider with write access to the database: a well-formed next fact (a gesprek held), stored
    with a correctly computed chain hash (the algorithm needs no secret), past the application. Returns
    its version."""
    [laatste] = app.recorder.select_events(traject, desc=True, limit=1)
    _, vorige = splits(laatste.state)
    assert vorige is not None
    kopie = app.repository.get(traject)
    kopie.registreer_voortgangsgesprek(datum=date(2025, 8, 1), gevoerd=True, geldige_reden=False, verslag="Verzonnen", door=door())
    [feit] = kopie.collect_events()
    vervalst = app.mapper.to_stored_event(feit)
    topic, versie = vervalst.topic, laatste.originator_version
    opgeslagen = met_hash(vervalst.state, ketenhash(vorige, traject, versie + 1, topic, vervalst.state))
    cast = "%s::uuid" if instellingen.database_url else "%s"
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_(f"INSERT INTO {{t}} (originator_id, originator_version, topic, state) VALUES ({cast}, %s, %s, %s)",
             str(traject), versie + 1, topic, opgeslagen)
    return versie + 1


def _een_gesprek_later(app: Inburgering, traject: UUID) -> None:
    aggregaat = app.repository.get(traject)
    aggregaat.registreer_voortgangsgesprek(datum=date(2025, 9, 1), gevoerd=True, geldige_reden=False, verslag="Goed", door=door())
    app.save(aggregaat)


def test_a_forged_event_is_never_built_on_or_signed_over_and_stays_named(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app)[2]
    vervalst = _smokkel_feit_in(instellingen, app, traject)
    assert _bevindingen(app) == {(str(traject), vervalst, "niet-gedekt")}
    # The next ordinary command loads the forged fact; the store refuses to sign over it and keeps nothing.
    with pytest.raises(IntegriteitsalarmError, match=f"versie {vervalst}"):
        _een_gesprek_later(app, traject)
    assert len(app.recorder.select_events(traject)) == vervalst
    assert controlepunten_van(app).van(traject).versie == vervalst - 1  # type: ignore[union-attr]
    assert _bevindingen(app) == {(str(traject), vervalst, "niet-gedekt")}


def test_a_checkpoint_moved_onto_a_forged_event_without_the_key_is_refused(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app)[0]
    vervalst = _smokkel_feit_in(instellingen, app, traject)
    _, hash_ = splits(_state(instellingen, app, traject, vervalst))
    assert hash_ is not None
    with _met_de_hand(instellingen, "inburgering_controlepunten") as sql_:
        # LIKE: the checkpoints keep the id as text, which the helper's UUID handling is not for.
        sql_("UPDATE {t} SET versie = %s, hash = %s WHERE originator_id LIKE %s", vervalst, hash_.hex(), f"{traject}%")
    with pytest.raises(IntegriteitsalarmError):
        _een_gesprek_later(app, traject)
    assert len(app.recorder.select_events(traject)) == vervalst
    assert _bevindingen(app) == {(str(traject), vervalst, "controlepunt-vervalst")}


def test_an_older_checkpoint_put_back_is_refused_though_this_process_remembers_the_current_one(app: Inburgering) -> None:
    """A save builds on the checkpoint this process signed last without reading it again; its transaction
    moves the checkpoint only where it is still exactly that one. Put back an older (genuine) checkpoint, as a
    restore would, and the save is refused rather than signing over a head the checkpoint no longer covers."""
    traject = _trajecten(app, 1)[0]
    controlepunten = app.events.controlepunten  # type: ignore[attr-defined]
    oud = controlepunten.van(traject)
    _een_gesprek_later(app, traject)  # signed and remembered here
    controlepunten.herzegel(str(traject), oud.versie, oud.hash)  # the older one back, signature and all

    with pytest.raises(IntegriteitsalarmError, match=f"het controlepunt dekt versie {oud.versie}"):
        _een_gesprek_later(app, traject)

    assert len(app.recorder.select_events(traject)) == oud.versie + 1


def test_a_head_deleted_under_a_cached_trajectory_raises_the_alarm_in_the_log(
    instellingen: Settings, app: Inburgering, caplog: pytest.LogCaptureFixture
) -> None:
    traject = _trajecten(app, 1)[0]
    laatste = app.repository.get(traject).version  # the process keeps it in its cache
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("DELETE FROM {t} WHERE originator_id = %s AND originator_version = %s", str(traject), laatste)
    with caplog.at_level(logging.CRITICAL, logger="inburgering.keten"), pytest.raises(IntegriteitsalarmError, match="ontbreekt"):
        _een_gesprek_later(app, traject)
    assert [r.levelname for r in caplog.records if str(traject) in r.getMessage()] == ["CRITICAL"]
    assert len(app.recorder.select_events(traject)) == laatste - 1


def test_an_examined_uncovered_tail_can_be_sealed_once_and_a_broken_chain_never(
    instellingen: Settings, app: Inburgering
) -> None:
    # As a crash left it before checkpoints were written with their events: a well-chained fact, no checkpoint over it.
    onbedekt, gewijzigd = _trajecten(app, 2)
    kop = _smokkel_feit_in(instellingen, app, onbedekt)
    state = _state(instellingen, app, gewijzigd, 3)
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("UPDATE {t} SET state = %s WHERE originator_id = %s AND originator_version = %s",
             state.replace(b'"gemeente"', b'"gemeentE"', 1), str(gewijzigd), 3)
    runner, env = CliRunner(), cli_omgeving(instellingen)

    def verzegel(traject: UUID, versie: int) -> Any:
        return runner.invoke(cli_module.cli, ["verzegel", str(traject), "--versie", str(versie), "--door", "beheerder-jansen"], env=env)

    assert verzegel(onbedekt, kop - 1).exit_code == 1  # not the head that was examined
    laatste = len(app.recorder.select_events(gewijzigd))
    geweigerd = verzegel(gewijzigd, laatste)
    assert geweigerd.exit_code == 1 and "versie 3: gewijzigd" in geweigerd.output, geweigerd.output
    verzegeld = verzegel(onbedekt, kop)
    assert verzegeld.exit_code == 0, verzegeld.output
    assert _bevindingen(app) == {(str(gewijzigd), 3, "gewijzigd")}
    _een_gesprek_later(app, onbedekt)  # built on again
    assert len(app.recorder.select_events(onbedekt)) == kop + 1
    logboek = bouw_logboek(instellingen, app, {})
    try:
        trace = verzegeld.output.rsplit("trace ", 1)[1].split(")")[0]
        [regel] = logboek.auditregels(trace)
        assert (regel["actie"], regel["object"], regel["gebruiker"], int(regel["resultaat"])) == ("VERZEGEL", f"{onbedekt}@{kop}", "beheerder-jansen", 200)
    finally:
        logboek.close()


def test_every_save_is_covered_by_its_checkpoint_in_the_same_transaction(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app, 1)[0]
    # A checkpoint that cannot be written takes the events of its save with it: the table refuses any change.
    with _met_de_hand(instellingen, "inburgering_controlepunten") as sql_:
        if instellingen.database_url is None:
            sql_("CREATE TRIGGER geen_controlepunt BEFORE UPDATE ON {t} BEGIN SELECT RAISE(ABORT, 'geweigerd'); END")
        else:
            sql_("ALTER TABLE {t} ADD CONSTRAINT geen_controlepunt CHECK (versie < 5) NOT VALID")
    versie = len(app.recorder.select_events(traject))
    with pytest.raises(Exception, match="geweigerd|geen_controlepunt"):
        _een_gesprek_later(app, traject)
    assert len(app.recorder.select_events(traject)) == versie
    assert _bevindingen(app) == set()


def test_a_forged_trajectory_has_no_checkpoint_and_a_removed_one_leaves_its_checkpoint(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app, 2)[0]
    nep = UUID(int=secrets.randbits(122))
    state = b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-06-01T10:00:00+00:00"}}'
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("DELETE FROM {t} WHERE originator_id = %s", str(traject))
        cast = "%s::uuid" if instellingen.database_url else "%s"
        sql_(f"INSERT INTO {{t}} (originator_id, originator_version, topic, state) VALUES ({cast}, 1, %s, %s)",
             str(nep), "Inburgeringstraject.Gestart", met_hash(state, ketenhash(bytes(32), nep, 1, "Inburgeringstraject.Gestart", state)))
    assert _bevindingen(app) == {(str(nep), None, "zonder-controlepunt"), (str(traject), 1, "verdwenen")}


def test_the_store_refuses_update_and_delete_of_stored_events(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app, 1)[0]
    if instellingen.database_url is None:
        verbinding = sqlite3.connect(instellingen.sqlite_pad)
        for opdracht in ("UPDATE stored_events SET topic = 'x'", "DELETE FROM stored_events"):
            with pytest.raises(sqlite3.IntegrityError, match="onveranderlijk"):
                verbinding.execute(opdracht)
        verbinding.close()
    else:
        with psycopg.connect(instellingen.database_url, autocommit=True) as pg:
            pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(instellingen.database_schema)))
            for opdracht in ("UPDATE inburgering_events SET topic = 'x'", "DELETE FROM inburgering_events", "TRUNCATE inburgering_events"):
                with pytest.raises(psycopg.errors.RaiseException, match="onveranderlijk"):
                    pg.execute(opdracht)
    assert controleer(app.recorder, controlepunten_van(app)).in_orde
    assert app.repository.get(traject).version > 1


@pytest.mark.postgres
def test_the_application_role_may_add_events_but_never_change_or_delete_them(
    postgres_schemas: Callable[[], str], tmp_path: Path, klok: VasteKlok
) -> None:
    instellingen = _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=postgres_schemas())
    rol = f"inburgering_app_{secrets.token_hex(4)}"
    with psycopg.connect(instellingen.database_url, autocommit=True) as pg:
        pg.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(rol)))
    try:
        migreer(instellingen.model_copy(update={"database_app_rol": rol}))
        als_app = instellingen.model_copy(update={"database_url": POSTGRES_URL.replace("root@", f"{rol}@"), "maak_tabellen": False})
        app, opslag = bouw_applicatie(als_app, klok), bouw_leesmodelopslag(als_app)
        try:
            traject = statushouder_met_pip()
            app.save(traject)  # inserting, with the library's table lock, and moving the checkpoint work
            assert app.repository.get(traject.id).version == traject.version
            Projector(app, opslag).bij()  # and so do the read models
            assert opslag.afgesloten_trajecten() == [] and opslag.positie("trajectenlijst") > 0
        finally:
            opslag.close()
            app.close()
        with psycopg.connect(als_app.database_url, autocommit=True) as pg:  # type: ignore[arg-type]
            pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(instellingen.database_schema)))
            for opdracht in ("UPDATE inburgering_events SET topic = 'x'", "DELETE FROM inburgering_events"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    pg.execute(opdracht)
    finally:
        with psycopg.connect(instellingen.database_url, autocommit=True) as pg:
            pg.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(rol)))
            pg.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(rol)))


def test_an_exported_trajectory_verifies_offline_and_a_changed_export_does_not(app: Inburgering) -> None:
    traject = _trajecten(app, 1)[0]
    export = json.loads(json.dumps(exporteer(app.recorder, controlepunten_van(app), traject)))  # as a file would
    echte_sleutel = controlepunten_van(app).publieke_sleutel.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert controleer_export(export, echte_sleutel) == []
    gewijzigd = json.loads(json.dumps(export))
    opgeslagen = base64.b64decode(gewijzigd["gebeurtenissen"][1]["opgeslagen"]).replace(b"0505", b"0590", 1)
    gewijzigd["gebeurtenissen"][1]["opgeslagen"] = base64.b64encode(opgeslagen).decode()
    assert [(b.versie, b.soort) for b in controleer_export(gewijzigd, echte_sleutel)] == [(2, "gewijzigd")]
    ingekort = json.loads(json.dumps(export))
    ingekort["gebeurtenissen"].pop()
    assert [b.soort for b in controleer_export(ingekort, echte_sleutel)] == ["staart-verwijderd"]
    # A checkpoint re-signed with another key does not pass against SDD's published key.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from adapters.keten import ondertekend
    vreemd = Ed25519PrivateKey.generate()
    punt = ingekort["controlepunt"]
    punt["versie"] -= 1
    punt["hash"] = splits(base64.b64decode(ingekort["gebeurtenissen"][-1]["opgeslagen"]))[1].hex()  # type: ignore[union-attr]
    punt["handtekening"] = vreemd.sign(ondertekend(str(traject), punt["versie"], bytes.fromhex(punt["hash"]))).hex()
    ingekort["publiekeSleutel"] = base64.b64encode(vreemd.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    assert controleer_export(ingekort) == []  # the forger's own key in the export proves nothing...
    assert [b.soort for b in controleer_export(ingekort, echte_sleutel)] == ["controlepunt-vervalst"]  # ...SDD's key does


def test_a_forgotten_persons_trajectory_still_verifies(app: Inburgering, klok: VasteKlok) -> None:
    traject = statushouder_met_pip()
    traject.verwijder_persoonsgegevens(grond=GrondVerwijdering.OVERLIJDEN, overlijdensdatum=date(2025, 9, 1), door=door())
    app.save(traject)
    assert app.sleutels is not None
    app.sleutels.vernietig(traject.id, traject.verwijderd)
    assert controleer(app.recorder, controlepunten_van(app)).in_orde
    assert controleer_export(exporteer(app.recorder, controlepunten_van(app), traject.id)) == []


def test_make_verify_exits_1_and_names_the_trajectory_and_version_of_a_change(instellingen: Settings, app: Inburgering, tmp_path: Path) -> None:
    traject = _trajecten(app, 2)[1]
    runner, env = CliRunner(), cli_omgeving(instellingen)
    intact = runner.invoke(cli_module.cli, ["verifieer"], env=env)
    assert intact.exit_code == 0 and "In orde" in intact.output, intact.output
    export = tmp_path / "export.json"
    export.write_text(json.dumps(exporteer(app.recorder, controlepunten_van(app), traject)))
    sleutel = base64.b64encode(controlepunten_van(app).publieke_sleutel.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    assert runner.invoke(cli_module.cli, ["controleer-export", str(export)], env=env).exit_code == 2  # the key is required
    assert runner.invoke(cli_module.cli, ["controleer-export", str(export), "--publieke-sleutel", sleutel], env=env).exit_code == 0

    state = _state(instellingen, app, traject, 4)
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("UPDATE {t} SET state = %s WHERE originator_id = %s AND originator_version = %s", state.replace(b"\"timestamp\"", b"\"timestamQ\"", 1), str(traject), 4)
    gewijzigd = runner.invoke(cli_module.cli, ["verifieer"], env=env)
    assert gewijzigd.exit_code == 1
    assert f"{traject} versie 4: gewijzigd:" in gewijzigd.output


def test_verifying_while_the_application_writes_reports_nothing(app: Inburgering) -> None:
    klaar = threading.Event()

    def schrijf() -> None:
        for _ in range(15):
            _trajecten(app, 1)
        klaar.set()

    schrijver = threading.Thread(target=schrijf)
    schrijver.start()
    rapporten = []
    while not klaar.is_set():
        rapporten.append(controleer(app.recorder, controlepunten_van(app)))
    schrijver.join()
    rapporten.append(controleer(app.recorder, controlepunten_van(app)))
    assert len(rapporten) > 1 and all(r.in_orde for r in rapporten), [r.bevindingen for r in rapporten if not r.in_orde]
    assert rapporten[-1].aggregaten == 15


# -- the incremental check (GET /integriteit) ---------------------------------------------------


def _incrementeel(app: Inburgering) -> Rapport:
    return controleer_incrementeel(app.recorder, controlepunten_van(app), Integriteitsstaat(app.recorder))


def _gevonden(rapport: Rapport) -> set[tuple[str, int | None, str]]:
    return {(b.aggregaat_id, b.versie, b.soort) for b in rapport.bevindingen}


def test_an_incremental_check_reads_only_the_events_stored_since_the_last(app: Inburgering) -> None:
    eerste, tweede = _trajecten(app, 2)
    alles = sum(len(app.recorder.select_events(i)) for i in (eerste, tweede))
    begin = _incrementeel(app)
    assert (begin.in_orde, begin.volledig, begin.na, begin.tot, begin.aggregaten, begin.gebeurtenissen) == (
        True, False, 0, app.recorder.max_notification_id(), 2, alles)
    stil = _incrementeel(app)
    assert (stil.na, stil.tot, stil.aggregaten, stil.gebeurtenissen) == (begin.tot, begin.tot, 0, 0)
    _een_gesprek_later(app, tweede)
    verder = _incrementeel(app)
    assert (verder.in_orde, verder.na, verder.tot, verder.aggregaten, verder.gebeurtenissen) == (True, begin.tot, begin.tot + 1, 1, 1)
    assert Integriteitsstaat(app.recorder).ketens([str(tweede)]) == {str(tweede): (verder_versie := len(app.recorder.select_events(tweede)),
                                                                                   splits(_kop(app, tweede))[1])}
    assert verder_versie == app.repository.get(tweede).version


def _kop(app: Inburgering, traject: UUID) -> bytes:
    [laatste] = app.recorder.select_events(traject, desc=True, limit=1)
    return bytes(laatste.state)


def test_a_changed_new_event_is_named_and_stays_named_as_the_log_moves_on(instellingen: Settings, app: Inburgering) -> None:
    eerste, tweede = _trajecten(app, 2)
    _incrementeel(app)
    _een_gesprek_later(app, eerste)
    nieuw = app.repository.get(eerste).version
    state = _state(instellingen, app, eerste, nieuw)
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("UPDATE {t} SET state = %s WHERE originator_id = %s AND originator_version = %s",
             state.replace(b'"verslag"', b'"verslaG"', 1), str(eerste), nieuw)
    verwacht = {(str(eerste), nieuw, "gewijzigd")}
    assert _gevonden(_incrementeel(app)) == verwacht
    # Checked again, and again after the log moved past it: the deviation is not left behind.
    assert _gevonden(_incrementeel(app)) == verwacht
    _een_gesprek_later(app, tweede)
    later = _incrementeel(app)
    assert _gevonden(later) == verwacht and later.na < later.tot
    assert _bevindingen(app) == verwacht  # what the full check says too


def test_a_forged_new_fact_is_named_incrementally_until_it_is_sealed(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app, 1)[0]
    _incrementeel(app)
    vervalst = _smokkel_feit_in(instellingen, app, traject)
    assert _gevonden(_incrementeel(app)) == {(str(traject), vervalst, "niet-gedekt")}
    assert _gevonden(_incrementeel(app)) == {(str(traject), vervalst, "niet-gedekt")}
    verzegel_na_onderzoek(app.recorder, controlepunten_van(app), traject, vervalst)  # examined and accepted: gone
    assert _incrementeel(app).in_orde and _incrementeel(app).gebeurtenissen == 0


def test_new_events_removed_before_they_were_checked_are_named_by_their_checkpoint(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app, 1)[0]
    _incrementeel(app)
    _een_gesprek_later(app, traject)
    kop = app.repository.get(traject).version
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("DELETE FROM {t} WHERE originator_id = %s AND originator_version = %s", str(traject), kop)
    # No new event in the log to read; the signed checkpoint is ahead of the verified chain.
    assert _gevonden(_incrementeel(app)) == {(str(traject), kop, "staart-verwijderd")}
    assert _gevonden(_incrementeel(app)) == {(str(traject), kop, "staart-verwijderd")}


def test_a_changed_old_event_is_found_by_the_full_check_only_which_records_it(
    instellingen: Settings, app: Inburgering, klok: VasteKlok
) -> None:
    traject = _trajecten(app, 2)[1]
    staat = Integriteitsstaat(app.recorder)
    _incrementeel(app)
    state = _state(instellingen, app, traject, 3)
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("UPDATE {t} SET state = %s WHERE originator_id = %s AND originator_version = %s",
             state.replace(b'"0505"', b'"0590"', 1), str(traject), 3)  # still a fact the application can read
    _een_gesprek_later(app, traject)  # the chain goes on from its head, which was not touched
    incrementeel = _incrementeel(app)
    assert (incrementeel.in_orde, incrementeel.gebeurtenissen, incrementeel.laatste_volledige_controle) == (True, 1, None)

    volledig = controleer_volledig(app.recorder, controlepunten_van(app), staat, klok.nu())
    assert (volledig.volledig, volledig.na, volledig.tot) == (True, 0, app.recorder.max_notification_id())
    assert _gevonden(volledig) == {(str(traject), 3, "gewijzigd")}
    assert staat.stand().volledig == VolledigeControle(klok.nu(), False)
    # From now on the incremental check names it too, until it is gone.
    daarna = _incrementeel(app)
    assert _gevonden(daarna) == {(str(traject), 3, "gewijzigd")}
    assert daarna.laatste_volledige_controle == VolledigeControle(klok.nu(), False)


def test_of_two_checks_that_began_together_only_the_first_is_recorded(app: Inburgering) -> None:
    staat, hash_ = Integriteitsstaat(app.recorder), bytes(range(32))
    begin = staat.stand()
    assert staat.leg_vast(begin.ronde, 5, {"a": (1, hash_)}, set()) is True
    assert staat.leg_vast(begin.ronde, 7, {"b": (2, hash_)}, {"a"}) is False  # read before the first was recorded
    assert (staat.stand().positie, staat.ketens(["a", "b"])) == (5, {"a": (1, hash_)})


def test_incremental_checks_at_once_while_the_application_writes_report_nothing_and_keep_a_true_state(app: Inburgering) -> None:
    klaar = threading.Event()

    def schrijf() -> None:
        for _ in range(12):
            _een_gesprek_later(app, _trajecten(app, 1)[0])
        klaar.set()

    rapporten: list[Rapport] = []

    def controleer_steeds() -> None:
        while not klaar.is_set():
            rapporten.append(_incrementeel(app))

    draden = [threading.Thread(target=schrijf)] + [threading.Thread(target=controleer_steeds) for _ in range(3)]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join()
    laatste = _incrementeel(app)
    assert rapporten and all(r.in_orde for r in rapporten + [laatste]), [r.bevindingen for r in rapporten if not r.in_orde]
    # What is recorded is each chain's true head: the next events of every trajectory follow on from it.
    staat = Integriteitsstaat(app.recorder)
    koppen = {i: (p.versie, p.hash) for i, p in controlepunten_van(app).alle().items()}
    assert len(koppen) == 12 and staat.ketens(sorted(koppen)) == koppen
    assert staat.stand().positie == app.recorder.max_notification_id()
    for traject in list(koppen)[:3]:
        _een_gesprek_later(app, UUID(traject))
    assert _incrementeel(app).gebeurtenissen == 3


def test_the_check_holds_the_events_of_a_few_aggregates_at_a_time_and_reads_each_event_once(
    app: Inburgering, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole log used to be grouped in memory before anything was checked: at 100,000 trajectories the
    first check left the server holding over 500 MB. Now only the versions are noted in a first pass."""
    trajecten = _trajecten(app, 7)
    monkeypatch.setattr(keten, "AGGREGATEN_PER_DEEL", 3)
    monkeypatch.setattr(keten, "VERSIES_VENSTER", 4)  # the first pass in stretches of 4 positions

    delen = list(keten.per_aggregaat_in_delen(app.recorder))

    assert [len(deel) for deel in delen] == [3, 3, 1]
    gelezen = [(UUID(a), e.originator_version) for deel in delen for a, events in deel.items() for e in events]
    opgeslagen = [(n.originator_id, n.originator_version) for n in app.recorder.select_notifications(start=0, limit=10_000)]
    assert sorted(gelezen) == sorted(opgeslagen)  # every event once, none twice
    assert set(trajecten) <= {a for a, _ in gelezen}
    assert controleer(app.recorder, controlepunten_van(app)).in_orde  # and the check itself reads them so


def test_the_first_pass_reads_only_aggregate_and_version_of_the_stretch_asked_for(app: Inburgering, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first pass read every event whole through the notifications, state and all, to keep two columns (at
    20,000 trajectories 1.9 of a full check's 13 s). Now it reads those two, a stretch of positions at a time (0.9 s)."""
    _trajecten(app, 4)
    alle = [(n.id, n.originator_id, n.originator_version) for n in app.recorder.select_notifications(start=0, limit=10_000)]
    na, tot = alle[2][0], alle[-3][0]  # a stretch in the middle of the log
    monkeypatch.setattr(keten, "VERSIES_VENSTER", 3)

    def geheel(*args: object, **kwargs: object) -> None:
        raise AssertionError("de eerste doorgang las gebeurtenissen geheel")

    monkeypatch.setattr(app.recorder, "select_notifications", geheel)
    delen = list(keten.per_aggregaat_in_delen(app.recorder, na=na, tot=tot))

    gelezen = [(UUID(a), e.originator_version) for deel in delen for a, events in deel.items() for e in events]
    assert sorted(gelezen) == sorted((i, v) for positie, i, v in alle if na < positie <= tot)  # each once, none outside


def test_signatures_verified_ahead_on_threads_of_their_own_hold_as_each_verified_alone(
    app: Inburgering, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check verifies the checkpoints' signatures on threads of their own, ahead of the chains it hashes: at
    20,000 trajectories a full check took 9.2-9.5 s instead of 12.1-12.2. Whether a signature holds must not
    depend on where, or whether in advance, it was verified."""
    controlepunten = controlepunten_van(app)
    echt = [controlepunten.onderteken(str(uuid4()), versie, secrets.token_bytes(32)) for versie in range(1, 151)]
    vreemd = Ed25519PrivateKey.generate()  # not the application's key: what it signs is forged
    vervalst = [replace(p, handtekening=vreemd.sign(b"inburgering-controlepunt")) for p in echt[:40]]
    verschoven = [replace(p, versie=p.versie + 1) for p in echt[40:60]]  # a genuine signature over another version
    waar: list[str] = []
    is_echt = Controlepunt.is_echt

    def geteld(punt: Controlepunt, sleutel: Any) -> bool:
        waar.append(threading.current_thread().name)
        return is_echt(punt, sleutel)

    monkeypatch.setattr(Controlepunt, "is_echt", geteld)
    with handtekeningen_van(controlepunten) as handtekeningen:
        handtekeningen.vooruit(echt[:100] + vervalst + verschoven)
        assert [handtekeningen.is_echt(p) for p in echt] == [True] * 150  # the last 50 were not handed over
        assert [handtekeningen.is_echt(p) for p in vervalst + verschoven] == [False] * 60

    ahead = [naam for naam in waar if naam.startswith("handtekeningen")]
    assert len(ahead) == 160 and len(waar) == 210, (len(ahead), len(waar))  # each once: 160 ahead, 50 when asked


def test_a_write_on_the_embedded_events_file_holds_the_write_lock_from_its_start(sqlite_instellingen: Settings) -> None:
    """The access log's writer commits to the events' file at any moment. A deferred transaction that read
    before it wrote then failed at once with "database is locked" (seen at `make verify`'s start-up, under
    load); one that takes the write lock at BEGIN waits its turn instead."""
    app = bouw_applicatie(sqlite_instellingen, VasteKlok(datetime(2026, 6, 1, tzinfo=UTC)))
    try:
        verbinding = OpslagVerbinding(app.recorder)
        with verbinding.transactie() as cursor:
            cursor.execute("SELECT count(*) FROM inburgering_controlepunten")  # a read first
            ander = sqlite3.connect(sqlite_instellingen.sqlite_pad, timeout=0.1, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    ander.execute("BEGIN IMMEDIATE")  # another writer has to wait for this transaction
            finally:
                ander.close()
            cursor.execute("DELETE FROM inburgering_integriteit_ketens WHERE originator_id = 'geen'")  # and then a write
    finally:
        app.close()


@pytest.mark.parametrize("waarde", ["CAST(state AS TEXT)", "CAST(x'7b7d' AS TEXT)", "NULL", "42"])
def test_a_state_of_another_type_in_the_embedded_file_is_named_not_a_crash(sqlite_instellingen: Settings, waarde: str) -> None:
    """SQLite keeps whatever type a hand-made UPDATE gives a value (the column is a BLOB by affinity only): the
    check reads such a row as the text's bytes or as no state at all, and names it, instead of failing with a
    traceback on the row it exists to report."""
    app = bouw_applicatie(sqlite_instellingen, VasteKlok(datetime(2026, 6, 1, tzinfo=UTC)))
    try:
        _, tweede, _ = _trajecten(app)
        feiten = [vars(e) for e in app.events.get(tweede)]
        with _met_de_hand(sqlite_instellingen, _tabel(app)) as sql_:
            sql_(f"UPDATE {{t}} SET state = {waarde} WHERE originator_id = %s AND originator_version = 2", str(tweede))
        bevindingen = _bevindingen(app)
        incrementeel = _gevonden(_incrementeel(app))
        if waarde == "CAST(state AS TEXT)":
            assert [vars(e) for e in app.events.get(tweede)] == feiten  # and the application reads it as before
    finally:
        app.close()

    assert incrementeel == bevindingen
    if waarde == "CAST(state AS TEXT)":  # the same bytes, typed as text: nothing changed that the chain covers
        assert bevindingen == set()
    else:  # no hash at the end of what is there
        assert (str(tweede), 2, "zonder-hash") in bevindingen and {b[0] for b in bevindingen} == {str(tweede)}


@pytest.mark.parametrize(("kolom", "soort"), [("state", "zonder-hash"), ("topic", "gewijzigd")])
def test_a_value_set_to_null_by_hand_is_named_not_a_crash(instellingen: Settings, app: Inburgering, kolom: str, soort: str) -> None:
    """Neither store's columns refuse NULL: a row without a state has no hash, one without a topic no longer fits
    its chain, and the check names either."""
    _, tweede, _ = _trajecten(app)
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_(f"UPDATE {{t}} SET {kolom} = NULL WHERE originator_id = %s AND originator_version = 2", str(tweede))

    bevindingen = _bevindingen(app)

    assert (str(tweede), 2, soort) in bevindingen and {b[0] for b in bevindingen} == {str(tweede)}
    assert _gevonden(_incrementeel(app)) == bevindingen


def test_a_head_whose_state_was_set_to_null_is_never_sealed(instellingen: Settings, app: Inburgering) -> None:
    traject = _trajecten(app, 1)[0]
    laatste = len(app.recorder.select_events(traject))
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("UPDATE {t} SET state = NULL WHERE originator_id = %s AND originator_version = %s", str(traject), laatste)

    with pytest.raises(VerzegelenGeweigerdError, match=f"versie {laatste}: zonder-hash"):
        verzegel_na_onderzoek(app.recorder, controlepunten_van(app), traject, laatste)
