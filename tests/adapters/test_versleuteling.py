"""Field-level encryption of stored events and the key store, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import pickle
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import register_topic
from pydantic import SecretStr

from adapters.bootstrap import bouw_sleutelkluis
from adapters.crypto import ProductieInstellingError, hoofdsleutel
from adapters.settings import Settings
from adapters.sleutelkluis import OnbekendeHoofdsleutelError, Sleutelkluis, SleutelVernietigdError
from adapters.versleuteling import ENVELOP
from domain.application import Inburgering
from domain.persoonsgegevens import GEZONDHEID, KORT, LANG, VERWIJDERD
from domain.traject import Gebeurtenis, Inburgeringstraject
from domain.velden import OngedeclareerdVeldError
from tests.builders import door, een_bsn, statushouder_met_pip


def _opgeslagen(app: Inburgering, traject: Inburgeringstraject) -> list[StoredEvent]:
    app.save(traject)
    return list(app.recorder.select_events(traject.id))


def _met_gesprek(verslag: str) -> Inburgeringstraject:
    traject = statushouder_met_pip()
    traject.registreer_voortgangsgesprek(datum=date(2025, 6, 2), gevoerd=True, geldige_reden=False, verslag=verslag, door=door())
    return traject


def test_personal_fields_are_stored_as_ciphertext_and_the_rest_stays_readable(app: Inburgering) -> None:
    traject = _met_gesprek("Spreekt al goed Nederlands")
    opgeslagen = _opgeslagen(app, traject)
    gestart, gesprek = json.loads(opgeslagen[0].state), json.loads(opgeslagen[-1].state)
    assert set(gestart["bsn"]) == {ENVELOP} and gestart["bsn"][ENVELOP]["klasse"] == "lang"
    assert gestart["gemeente"] == "0505" and gestart["doelgroep"] == "asielstatushouder"
    assert gesprek["verslag"][ENVELOP]["klasse"] == "kort" and gesprek["datum"]["_data_"] == "2025-06-02"
    assert all(traject.bsn.encode() not in e.state and b"Spreekt al goed" not in e.state for e in opgeslagen)
    # Read back through the mapper, the values are the recorded ones.
    teruggelezen = app.repository.get(traject.id)
    assert teruggelezen.bsn == traject.bsn
    assert teruggelezen.feiten[teruggelezen.version].verslag == "Spreekt al goed Nederlands"


def test_only_the_mapper_that_decrypts_nothing_goes_to_another_process_and_without_keys(app: Inburgering) -> None:
    """A rebuild's worker processes get the projections' mapper (projections/projector.py): there it reads the
    stored events as here, personal fields as their envelopes, and holds no key store to decrypt or encrypt with."""
    traject = _met_gesprek("Spreekt al goed Nederlands")
    opgeslagen = _opgeslagen(app, traject)

    elders = pickle.loads(pickle.dumps(app.projectiemapper))

    assert [vars(elders.to_domain_event(e)) for e in opgeslagen] == [vars(app.projectiemapper.to_domain_event(e)) for e in opgeslagen]
    assert set(elders.to_domain_event(opgeslagen[0]).bsn) == {ENVELOP}  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        elders.kluis  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(TypeError):
        pickle.dumps(app.mapper)  # the one that decrypts, with its keys, stays in this process


class TaalcafeBezocht(Gebeurtenis):
    """A fact as a maintainer might add it: free text, and no declaration of what it is."""

    TOPIC = "tests.TaalcafeBezocht"
    locatie: str


register_topic(TaalcafeBezocht.TOPIC, TaalcafeBezocht)

def test_a_fact_with_an_undeclared_field_is_not_stored_at_all(app: Inburgering) -> None:
    traject = statushouder_met_pip()
    app.save(traject)
    traject._vastleggen(TaalcafeBezocht, date(2025, 6, 3), door(), locatie="De Bibliotheek, Dordrecht")
    with pytest.raises(OngedeclareerdVeldError, match=r"TaalcafeBezocht\.locatie"):
        app.save(traject)
    opgeslagen = list(app.recorder.select_events(traject.id))
    assert len(opgeslagen) == traject.version - 1  # the fact before it is there, the undeclared one is not
    assert all(b"Bibliotheek" not in e.state for e in opgeslagen)


def test_health_data_have_a_key_of_their_own(app: Inburgering) -> None:
    nieuw = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2024, 11, 1), gemeente=statushouder_met_pip().gemeente, bsn=een_bsn(), huishoudgrootte=2,
        land_van_herkomst="Syrië", taal="Arabisch", door=door(),
    )
    nieuw.registreer_huisvesting(datum=date(2024, 12, 9), gemeente=nieuw.gemeente, huisvestingsdatum=None, door=door())
    nieuw.houd_brede_intake(datum=date(2025, 1, 15), onderwerpen={"werk": "kok"}, gezondheid={"fysiek": "rugklachten"},
                            leerbaarheidstoets_advies=None, door=door())
    intake = json.loads(_opgeslagen(app, nieuw)[-1].state)
    assert (intake["gezondheid"][ENVELOP]["klasse"], intake["onderwerpen"][ENVELOP]["klasse"]) == ("gezondheid", "kort")
    assert intake["gezondheid"][ENVELOP]["sleutel"] != intake["onderwerpen"][ENVELOP]["sleutel"]


def test_a_destroyed_key_makes_its_fields_unreadable_and_only_those(app: Inburgering) -> None:
    traject = _met_gesprek("Wil kok worden")
    _opgeslagen(app, traject)
    assert app.sleutels is not None
    app.sleutels.vernietig(traject.id, [KORT])
    app.sleutels.vernietig(traject.id, [KORT])  # twice is the same as once
    gesprek = list(app.events.get(traject.id))[-1]
    assert (gesprek.verslag, gesprek.datum) == (VERWIJDERD, date(2025, 6, 2))  # type: ignore[attr-defined]
    assert list(app.events.get(traject.id))[0].bsn == traject.bsn  # type: ignore[attr-defined]


def test_a_ciphertext_moved_to_another_fact_does_not_decrypt(app: Inburgering) -> None:
    traject = _met_gesprek("Eerste verslag")
    traject.registreer_voortgangsgesprek(datum=date(2025, 7, 2), gevoerd=True, geldige_reden=False, verslag="Tweede", door=door())
    *_, eerste, tweede = _opgeslagen(app, traject)
    verplaatst = json.loads(tweede.state) | {"verslag": json.loads(eerste.state)["verslag"]}
    vervalst = StoredEvent(tweede.originator_id, tweede.originator_version, tweede.topic, json.dumps(verplaatst).encode())
    with pytest.raises(InvalidTag):
        app.mapper.to_domain_event(vervalst)


def test_a_removed_value_is_never_written_back(app: Inburgering) -> None:
    traject = _met_gesprek("x")
    feit = traject.feiten[traject.version]
    object.__setattr__(feit, "verslag", VERWIJDERD)
    with pytest.raises(SleutelVernietigdError):
        app.mapper.to_stored_event(feit)


def test_once_destroyed_a_class_never_gets_a_new_key(instellingen: Settings) -> None:
    kluis, andere_kluis = bouw_sleutelkluis(instellingen), bouw_sleutelkluis(instellingen)  # two processes
    try:
        houder = statushouder_met_pip().id
        oud_id, oud = kluis.actieve_sleutel(houder, LANG)
        assert andere_kluis.actieve_sleutel(houder, LANG) == (oud_id, oud)  # one key per holder and class
        assert kluis.actieve_sleutel(houder, GEZONDHEID)[0] != oud_id
        andere_kluis.sleutel(oud_id)  # the other process has it in its read cache
        kluis.vernietig(houder, [LANG])
        assert kluis.sleutel(oud_id) is None
        for proces in (kluis, andere_kluis):  # writing checks the table, not a cache
            with pytest.raises(SleutelVernietigdError):
                proces.actieve_sleutel(houder, LANG)
        assert set(kluis.vernietigd(houder)) == {LANG}
        assert kluis.actieve_sleutel(houder, GEZONDHEID)[1] is not None  # other classes live on
    finally:
        kluis.close()
        andere_kluis.close()


def test_a_destroyed_key_is_gone_from_the_sqlite_file_itself(sqlite_instellingen: Settings, tmp_path: Path) -> None:
    kluis = bouw_sleutelkluis(sqlite_instellingen)
    try:
        houder = statushouder_met_pip().id
        sleutel_id, _ = kluis.actieve_sleutel(houder, KORT)
        with kluis._verbinding.transactie(schrijven=False) as cursor:  # the wrapped bytes, as stored
            gewikkeld = bytes(cursor.execute("SELECT gewikkeld FROM inburgering_sleutels WHERE sleutel_id = ?", (sleutel_id,)).fetchone()[0])
        assert gewikkeld in sqlite_instellingen.sqlite_sleutel_pad.read_bytes()
        kluis.vernietig(houder, [KORT])
        assert gewikkeld not in sqlite_instellingen.sqlite_sleutel_pad.read_bytes()  # secure_delete, no WAL
    finally:
        kluis.close()


def test_a_wrapped_key_opens_only_with_the_master_key_that_wrapped_it(sqlite_instellingen: Settings) -> None:
    kluis = bouw_sleutelkluis(sqlite_instellingen)
    houder = statushouder_met_pip().id
    sleutel_id, _ = kluis.actieve_sleutel(houder, KORT)
    kluis.close()
    andere = sqlite_instellingen.model_copy(update={"hoofdsleutel": SecretStr(base64.b64encode(secrets.token_bytes(32)).decode())})
    vreemd = Sleutelkluis(bouw_sleutelkluis(andere)._verbinding, hoofdsleutel(andere), cache_seconden=0)
    try:
        with pytest.raises(OnbekendeHoofdsleutelError, match="INBURGERING_VORIGE_HOOFDSLEUTELS"):
            vreemd.sleutel(sleutel_id)
    finally:
        vreemd.close()


def test_the_master_key_is_required_in_production_and_must_be_32_bytes(sqlite_instellingen: Settings) -> None:
    with pytest.raises(ProductieInstellingError):
        hoofdsleutel(sqlite_instellingen.model_copy(update={"omgeving": "productie"}))
    with pytest.raises(ProductieInstellingError):
        hoofdsleutel(sqlite_instellingen.model_copy(update={"hoofdsleutel": SecretStr(base64.b64encode(b"kort").decode())}))
    assert len(hoofdsleutel(sqlite_instellingen)) == 32


def test_production_keeps_the_keys_apart_from_the_events(sqlite_instellingen: Settings) -> None:
    productie = sqlite_instellingen.model_copy(update={
        "omgeving": "productie", "hoofdsleutel": SecretStr(base64.b64encode(secrets.token_bytes(32)).decode()),
        "database_url": "postgresql://app@db/inburgering",
    })
    for sleutel_url in (None, "postgresql://app@db/inburgering"):
        with pytest.raises(ProductieInstellingError, match="SLEUTEL_DATABASE_URL"):
            bouw_sleutelkluis(productie.model_copy(update={"sleutel_database_url": sleutel_url}))


def test_every_key_look_up_by_holder_is_served_by_an_index(instellingen: Settings) -> None:
    """A key is looked up by its holder on every write and access-log record: without an index that
    serves it, each look-up scanned the whole key table, a cost that grew with every person recorded."""
    kluis = bouw_sleutelkluis(instellingen)
    try:
        kluis.actieve_sleutel(uuid.uuid4(), KORT)
        vraag = "SELECT sleutel_id, gewikkeld, vernietigd FROM {s}inburgering_sleutels WHERE houder = %s AND klasse = %s"
        with kluis._verbinding.transactie(schrijven=False) as cursor:
            if instellingen.database_url is None:
                cursor.execute(kluis._sql("EXPLAIN QUERY PLAN " + vraag), ("x", "kort"))
            else:
                cursor.execute("SET LOCAL enable_seqscan = off")  # as on a large table, where a scan would cost
                cursor.execute(kluis._sql("EXPLAIN " + vraag), ("x", "kort"))
            plan = " ".join(str(rij[-1] if instellingen.database_url is None else rij[0]) for rij in cursor.fetchall())
    finally:
        kluis.close()
    assert "inburgering_sleutels_per_houder" in plan, plan


def test_a_save_reads_or_makes_every_key_it_needs_in_one_statement(app: Inburgering, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new person's trajectory needs keys of several classes (the BSN, the free-text fields, health data):
    each used to cost a transaction of its own on the key store, on the path of every command. A trajectory
    the save begins has no keys yet: they are made in one statement, with nothing read first."""
    traject = _met_gesprek("Spreekt al goed Nederlands")
    traject.registreer_voortgangsgesprek(datum=date(2025, 6, 9), gevoerd=True, geldige_reden=False, verslag="Nog eens", door=door())
    kluis = app.sleutels
    assert isinstance(kluis, Sleutelkluis)
    opdrachten: list[str] = []
    transactie, eenmalig = kluis._verbinding.transactie, kluis._verbinding.eenmalig
    monkeypatch.setattr(kluis._verbinding, "transactie", lambda schrijven=True: opdrachten.append("transactie") or transactie(schrijven))
    monkeypatch.setattr(kluis._verbinding, "eenmalig", lambda: opdrachten.append("eenmalig") or eenmalig())

    app.save(traject)

    assert opdrachten == ["eenmalig"]
    klassen = {json.loads(e.state)[veld][ENVELOP]["klasse"] for e in app.recorder.select_events(traject.id)
               for veld in ("bsn", "verslag") if isinstance(json.loads(e.state).get(veld), dict)}
    assert klassen == {LANG.value, KORT.value}  # two classes were made in that one transaction
    assert app.repository.get(traject.id).feiten[traject.version].verslag == "Nog eens"  # and they decrypt


def test_a_key_destroyed_while_a_reader_fetched_it_is_not_brought_back_by_that_reader(
    instellingen: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read fetches a holder's keys in one statement and keeps them briefly; a removal that lands between
    that statement and the keeping must still win: the reader does not put the destroyed key back."""
    kluis = bouw_sleutelkluis(instellingen)
    try:
        houder = uuid.uuid4()
        sleutel_id, _ = kluis.actieve_sleutel(houder, KORT)
        echt = kluis._verbinding.eenmalig

        @contextmanager
        def en_intussen_vernietigd() -> Iterator[Any]:
            with echt() as cursor:
                yield cursor
            kluis.vernietig(houder, [KORT])  # after the reader's statement, before it keeps what it read

        monkeypatch.setattr(kluis._verbinding, "eenmalig", en_intussen_vernietigd)
        kluis.laad_voor([houder])
        monkeypatch.undo()

        assert kluis.sleutel(sleutel_id) is None
    finally:
        kluis.close()
