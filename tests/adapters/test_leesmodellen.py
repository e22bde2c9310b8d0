"""The projection machinery on both stores: exactly once, safe with several runners, rebuild equals live."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import signal
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from typer.testing import CliRunner

from adapters import cli as cli_module
from adapters.bootstrap import bouw_leesmodelopslag
from adapters.keten import splits
from adapters.leesmodellen import SqlLeesmodelopslag
from adapters.settings import Settings
from adapters.versleuteling import ENVELOP
from domain.application import Inburgering
from domain.opdracht import Opdracht
from domain.traject import Inburgeringstraject
from projections import projector as projector_module
from projections.projector import AndereVersieError, PositieVerouderdError, Projector
from projections.rapportages import Bijdrage
from projections.signaleringen import SignaleringRij
from projections.trajectenlijst import TrajectRij
from tests.conftest import cli_omgeving
from tests.domain.test_eigenschappen import BEGIN_NAAR_PIP, GEWOGEN, doorloop


def willekeurige_geschiedenis(app: Inburgering, projector: Projector | None, aantal: int, zaad: int) -> None:
    """`aantal` trajectories with random steps, their events interleaved in the log; the projector
    (when given) follows along as the live one does."""
    kans = random.Random(zaad)
    wachtrijen = []
    for _ in range(aantal):
        reeks = [(naam, 1, kans.randrange(10_000)) for naam in BEGIN_NAAR_PIP]
        reeks += [(kans.choice(GEWOGEN), kans.randrange(5), kans.randrange(10_000)) for _ in range(kans.randrange(10, 40))]
        _, events = doorloop(kans.random() < 0.5, reeks)
        wachtrijen.append(events)
    while any(wachtrijen):
        rij = kans.choice([w for w in wachtrijen if w])
        stuk = rij[: kans.randrange(1, 6)]
        del rij[: len(stuk)]
        app.recorder.insert_events([app.mapper.to_stored_event(e) for e in stuk])
        if projector is not None and kans.random() < 0.3:
            projector.bij()


def test_rebuilding_gives_what_the_live_read_models_hold_after_a_long_random_history(app: Inburgering, opslag: SqlLeesmodelopslag) -> None:
    live = Projector(app, opslag, cache_grootte=5)  # a small cache also exercises reloading from the store
    willekeurige_geschiedenis(app, live, aantal=25, zaad=2026)
    live.bij()
    inhoud_live = opslag.inhoud()
    assert len(inhoud_live["leesmodel_trajecten"]) == 25 and inhoud_live["leesmodel_signaleringen"]
    assert live.herbouw() == len(live.projecties) * app.recorder.max_notification_id()  # each read model reads the whole log
    assert opslag.inhoud() == inhoud_live
    assert {naam: positie for naam, (positie, _) in live.achterstand().items()} == {
        naam: app.recorder.max_notification_id() for naam in live.projecties}


def _opgeteld(inhoud: dict[str, list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """The contributions of `inhoud` added up per gemeente, year and figure, as the totals must hold them."""
    som: Counter[tuple[Any, ...]] = Counter()
    centen: Counter[tuple[Any, ...]] = Counter()
    for _, gemeente, jaar, maat, sleutel, aantal, bedrag in inhoud["leesmodel_rapportcijfers"]:
        som[(gemeente, jaar, maat, sleutel)] += aantal
        centen[(gemeente, jaar, maat, sleutel)] += bedrag
    return sorted((*sleutel, aantal, centen[sleutel]) for sleutel, aantal in som.items())


def test_the_report_totals_are_the_contributions_added_up_after_a_long_random_history(app: Inburgering, opslag: SqlLeesmodelopslag) -> None:
    """A report summed every contribution of its gemeente and year at each read, a cost that grew with the
    gemeente; the totals are kept as trajectories change instead, and must never drift from the sum."""
    live = Projector(app, opslag)
    willekeurige_geschiedenis(app, live, aantal=25, zaad=7)
    live.bij()
    inhoud = opslag.inhoud()

    assert inhoud["leesmodel_rapporttotalen"] and sorted(inhoud["leesmodel_rapporttotalen"]) == _opgeteld(inhoud)
    assert any(totaal[4] > 1 for totaal in inhoud["leesmodel_rapporttotalen"])  # trajectories share totals


def _rij(traject_id: str, gemeente: str, bijdragen: list[tuple[int, str, str, int, int]]) -> TrajectRij:
    return TrajectRij(traject_id, gemeente, "asielstatushouder", None, "lopend", None, "2024-01-01", None, {"trajectId": traject_id},
                      None, tuple(Bijdrage(traject_id, gemeente, *b) for b in bijdragen))


def test_a_trajectory_that_changes_moves_its_share_of_the_totals_and_an_emptied_total_goes(opslag: SqlLeesmodelopslag) -> None:
    opslag.maak_tabellen()
    a, b = str(uuid4()), str(uuid4())
    opslag.schrijf_trajecten(0, 1, {a: _rij(a, "0505", [(2024, "instroom", "asielstatushouder", 1, 0),
                                                       (2024, "handhaving", "art7|besluit", 1, 25_000)]),
                                    b: _rij(b, "0505", [(2024, "instroom", "asielstatushouder", 1, 0)])})
    assert opslag.rapportcijfers("0505", 2024) == {("instroom", "asielstatushouder"): (2, 0), ("handhaving", "art7|besluit"): (1, 25_000)}

    # a moves to another gemeente and year, its boete gone
    opslag.schrijf_trajecten(1, 2, {a: _rij(a, "0590", [(2025, "instroom", "asielstatushouder", 1, 0)])})

    assert opslag.rapportcijfers("0505", 2024) == {("instroom", "asielstatushouder"): (1, 0)}
    assert opslag.rapportcijfers("0590", 2025) == {("instroom", "asielstatushouder"): (1, 0)}
    inhoud = opslag.inhoud()
    assert sorted(inhoud["leesmodel_rapporttotalen"]) == _opgeteld(inhoud) == [
        ("0505", 2024, "instroom", "asielstatushouder", 1, 0), ("0590", 2025, "instroom", "asielstatushouder", 1, 0)]


def test_a_report_reads_the_totals_not_the_contributions(opslag: SqlLeesmodelopslag) -> None:
    opslag.maak_tabellen()
    a = str(uuid4())
    opslag.schrijf_trajecten(0, 1, {a: _rij(a, "0505", [(2024, "instroom", "asielstatushouder", 1, 0)])})
    with opslag._transactie() as cursor:  # the contributions gone behind the read model's back
        cursor.execute(opslag._sql("DELETE FROM {s}leesmodel_rapportcijfers"))

    assert opslag.rapportcijfers("0505", 2024) == {("instroom", "asielstatushouder"): (1, 0)}


def test_during_an_upgrade_from_a_version_without_totals_reports_add_up_the_contributions(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag
) -> None:
    """The previous version of the trajectenlijst (4) had no totals; new code reads its tables until the swap."""
    willekeurige_geschiedenis(app, None, aantal=6, zaad=21)
    Projector(app, opslag).bij()
    jaren = {(rij[1], rij[2]) for rij in opslag.inhoud()["leesmodel_rapportcijfers"]}
    verwacht = {(gemeente, jaar): opslag.rapportcijfers(gemeente, jaar) for gemeente, jaar in jaren}
    assert any(verwacht.values())
    with opslag._transactie() as cursor:  # the store as version 4 left it
        cursor.execute(opslag._sql("DROP TABLE {s}leesmodel_rapporttotalen"))
    _zet_versie(opslag, "trajectenlijst", 4)
    nieuw = bouw_leesmodelopslag(instellingen)  # a process of this code

    assert {sleutel: nieuw.rapportcijfers(*sleutel) for sleutel in jaren} == verwacht

    assert Projector(app, nieuw).bouw_nieuwe_versies("proces-1") == ["trajectenlijst"]
    assert {sleutel: nieuw.rapportcijfers(*sleutel) for sleutel in jaren} == verwacht
    assert sorted(nieuw.inhoud()["leesmodel_rapporttotalen"]) == _opgeteld(nieuw.inhoud())
    nieuw.close()


def test_a_rebuild_in_many_parts_read_ahead_and_written_behind_gives_what_live_holds(
    app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild reads the next part while it computes one and writes the one before (projections/projector.py):
    with parts of a few trajectories, each search of the log for starts a few positions long (most of them
    finding none, some more than a part), every part still lands once."""
    live = Projector(app, opslag)
    willekeurige_geschiedenis(app, live, aantal=25, zaad=11)
    live.bij()
    inhoud_live = opslag.inhoud()
    monkeypatch.setattr(projector_module, "TRAJECTEN_PER_BATCH", 4)
    monkeypatch.setattr(projector_module, "STARTS_VENSTER", 7)
    gemeld: list[int] = []

    assert live.herbouw(voortgang=lambda naam, positie, kop: gemeld.append(positie)) == len(live.projecties) * app.recorder.max_notification_id()

    assert opslag.inhoud() == inhoud_live
    assert len(set(gemeld)) >= 7 and gemeld == sorted(gemeld)  # progress part by part, in log order


def test_new_rows_for_a_trajectory_that_has_rows_write_nothing_at_all(opslag: SqlLeesmodelopslag) -> None:
    """A rebuild writes its parts as new rows, without taking out what a trajectory had (it has nothing yet):
    a row that is there after all must fail the whole write, never count twice in the totals."""
    opslag.maak_tabellen()
    a, b = str(uuid4()), str(uuid4())
    opslag.schrijf_trajecten(0, 0, {a: _rij(a, "0505", [(2024, "instroom", "asielstatushouder", 1, 0)])})
    opslag.schrijf_signaleringen(0, 0, {a: [SignaleringRij(a, "pip", 0, "0505", None, "2024-03-01", "art. 16", None)]})
    voor = opslag.inhoud()

    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        opslag.schrijf_trajecten(0, 0, {b: _rij(b, "0505", [(2024, "instroom", "asielstatushouder", 1, 0)]),
                                        a: _rij(a, "0590", [(2025, "instroom", "asielstatushouder", 1, 0)])}, nieuw=True)
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        opslag.schrijf_signaleringen(0, 0, {b: [SignaleringRij(b, "pip", 0, "0505", None, "2024-04-01", "art. 16", None)],
                                            a: [SignaleringRij(a, "pip", 0, "0505", None, "2024-05-01", "art. 16", None)]}, nieuw=True)

    assert opslag.inhoud() == voor
    assert opslag.rapportcijfers("0505", 2024) == {("instroom", "asielstatushouder"): (1, 0)}


def test_a_rebuild_whose_part_meets_rows_written_meanwhile_starts_over_in_log_order_and_ends_as_live(
    app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's rebuild of the same tables writes rows at position 0 too: a part of ours that meets one
    fails as a whole, and the rebuild empties the read models and projects them again in log order."""
    live = Projector(app, opslag)
    willekeurige_geschiedenis(app, live, aantal=12, zaad=13)
    live.bij()
    inhoud_live = opslag.inhoud()
    monkeypatch.setattr(projector_module, "TRAJECTEN_PER_BATCH", 4)
    laatst_begonnen = str(app.recorder.select_eerste_events(Inburgeringstraject.FEITEN, 0, app.recorder.max_notification_id())[-1][1])  # type: ignore[attr-defined]
    gewist: list[str] = []
    wis = opslag.wis
    monkeypatch.setattr(opslag, "wis", lambda naam: gewist.append(naam) or wis(naam))

    ingevoegd: list[int] = []

    def ander_proces_schrijft(naam: str, positie: int, kop: int) -> None:
        if not ingevoegd:  # after our first part: a row of a trajectory of our last part
            opslag.schrijf_trajecten(0, 0, {laatst_begonnen: _rij(laatst_begonnen, "0505", [(2024, "instroom", "asielstatushouder", 1, 0)])})
            ingevoegd.append(positie)

    live.herbouw(voortgang=ander_proces_schrijft)

    assert opslag.inhoud() == inhoud_live
    assert ingevoegd[0] < app.recorder.max_notification_id()
    assert sorted(gewist) == sorted([*live.projecties] * 2)  # emptied again after the part that met the row


def _live_dan_herbouw_met_rekenprocessen(app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch,
                                         zaad: int) -> dict[str, list[tuple[Any, ...]]]:
    """What the live read models hold after a random history; a rebuild after it goes in parts of four trajectories,
    computed in worker processes however short the log."""
    live = Projector(app, opslag)
    willekeurige_geschiedenis(app, live, aantal=25, zaad=zaad)
    live.bij()
    monkeypatch.setattr(projector_module, "TRAJECTEN_PER_BATCH", 4)
    monkeypatch.setattr(projector_module, "REKENPROCESSEN_VANAF", 0)
    return opslag.inhoud()


def test_a_rebuild_computed_in_worker_processes_gives_what_the_live_read_models_hold(
    app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch
) -> None:
    inhoud_live = _live_dan_herbouw_met_rekenprocessen(app, opslag, monkeypatch, zaad=17)
    gemeld: list[tuple[int, int]] = []

    Projector(app, opslag, rekenprocessen=2).herbouw(voortgang=lambda naam, positie, kop: gemeld.append(
        (positie, len(multiprocessing.active_children()))))

    assert opslag.inhoud() == inhoud_live
    assert [p for p, _ in gemeld] == sorted(p for p, _ in gemeld) and len({p for p, _ in gemeld}) >= 7  # in log order
    assert max(kinderen for _, kinderen in gemeld) == 2  # computed in the two worker processes
    assert multiprocessing.active_children() == []  # and they are gone after it


def test_a_worker_process_killed_during_a_rebuild_leaves_it_to_go_on_in_log_order(
    app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    inhoud_live = _live_dan_herbouw_met_rekenprocessen(app, opslag, monkeypatch, zaad=19)
    gedood: list[int] = []

    def dood_een_rekenproces(naam: str, positie: int, kop: int) -> None:
        if not gedood and (kinderen := multiprocessing.active_children()):
            os.kill(kinderen[0].pid, signal.SIGKILL)  # type: ignore[arg-type]
            kinderen[0].join(timeout=60)
            gedood.append(positie)

    Projector(app, opslag, rekenprocessen=1).herbouw(voortgang=dood_een_rekenproces)

    assert gedood and gedood[0] < app.recorder.max_notification_id()
    assert "de herbouw gaat verder in logvolgorde" in caplog.text
    assert opslag.inhoud() == inhoud_live
    assert multiprocessing.active_children() == []


def test_the_first_events_of_trajectories_are_found_in_a_stretch_of_the_log_and_no_others(app: Inburgering) -> None:
    """What a rebuild reads whole: trajectories begun in the stretch, not a later event of one, nor another
    aggregate's beginning (an Opdracht's), found by the store instead of by reading every notification."""
    willekeurige_geschiedenis(app, None, aantal=6, zaad=31)
    app.save(Opdracht.verwerkt("gebruiker", "sleutel", "vingerafdruk", uuid4(), 1))
    willekeurige_geschiedenis(app, None, aantal=3, zaad=32)
    kop = app.recorder.max_notification_id()
    alle = app.recorder.select_notifications(start=1, limit=kop)
    begonnen = [(n.id, n.originator_id) for n in alle if n.originator_version == 1 and n.topic.startswith(Inburgeringstraject.FEITEN)]
    assert len(begonnen) == 9 and any(n.originator_version == 1 and n.topic.startswith(Opdracht.TOPIC) for n in alle)

    assert app.recorder.select_eerste_events(Inburgeringstraject.FEITEN, 0, kop) == begonnen  # type: ignore[attr-defined]
    na, tot = begonnen[2][0], begonnen[6][0]  # after the third, up to and with the seventh
    assert app.recorder.select_eerste_events(Inburgeringstraject.FEITEN, na, tot) == begonnen[3:7]  # type: ignore[attr-defined]
    assert app.recorder.select_eerste_events(Inburgeringstraject.FEITEN, kop, kop + 10) == []  # type: ignore[attr-defined]


def test_a_last_search_for_starts_shorter_than_the_others_finds_no_trajectory_twice(
    app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuild's last search for starts is cut off at the head of the log: it must begin where the one before
    ended, not a whole search's length before the head (which finds again what that one found)."""
    willekeurige_geschiedenis(app, None, aantal=4, zaad=51)
    live = Projector(app, opslag)
    live.bij()
    verwacht = opslag.inhoud()
    kop = app.recorder.max_notification_id()
    monkeypatch.setattr(projector_module, "STARTS_VENSTER", kop - 1)  # a search of all but the last position, then one of one
    gelezen: list[UUID] = []
    velen = app.recorder.select_events_van_elk  # type: ignore[attr-defined]
    monkeypatch.setattr(app.recorder, "select_events_van_elk", lambda ids: gelezen.extend(ids) or velen(ids))

    live.herbouw()

    assert sorted(Counter(gelezen).values()) == [1] * 4
    assert opslag.inhoud() == verwacht


def test_one_read_model_can_be_rebuilt_on_its_own(app: Inburgering, opslag: SqlLeesmodelopslag) -> None:
    projector = Projector(app, opslag)
    willekeurige_geschiedenis(app, projector, aantal=5, zaad=7)
    projector.bij()
    voor = opslag.inhoud()
    assert projector.herbouw("signaleringen") == app.recorder.max_notification_id()
    assert opslag.inhoud() == voor
    with pytest.raises(KeyError):
        projector.herbouw("onbekend")


def test_a_batch_is_applied_once_and_a_stale_runner_is_rolled_back(app: Inburgering, opslag: SqlLeesmodelopslag) -> None:
    projector = Projector(app, opslag)
    willekeurige_geschiedenis(app, None, aantal=2, zaad=3)
    projector.bij()
    voor, positie = opslag.inhoud(), opslag.positie("trajectenlijst")
    with pytest.raises(PositieVerouderdError):
        opslag.schrijf_trajecten(0, positie, {})  # a runner that still thinks nothing was done
    assert opslag.inhoud() == voor and opslag.positie("trajectenlijst") == positie


def test_a_batch_moves_a_position_on_from_where_it_stands_and_only_from_there(opslag: SqlLeesmodelopslag) -> None:
    """On PostgreSQL the position is moved and checked in one statement (`_volg`), read before the commit."""
    opslag.schrijf_trajecten(0, 5, {})  # a read model without a position yet stands at 0
    opslag.schrijf_trajecten(5, 9, {})
    with opslag.samen():
        opslag.schrijf_trajecten(9, 12, {})
        opslag.schrijf_signaleringen(0, 12, {})
    assert opslag.posities() == {"trajectenlijst": 12, "signaleringen": 12}

    for van, tot in ((9, 15), (0, 15), (13, 15)):
        with pytest.raises(PositieVerouderdError):
            opslag.schrijf_trajecten(van, tot, {})
    with pytest.raises(PositieVerouderdError), opslag.samen():  # the first one moved, the second refused: neither stands
        opslag.schrijf_trajecten(12, 20, {})
        opslag.schrijf_signaleringen(11, 20, {})
    assert opslag.posities() == {"trajectenlijst": 12, "signaleringen": 12}


def test_a_worklist_row_comes_with_its_item_as_the_api_shows_it_but_for_its_status(opslag: SqlLeesmodelopslag) -> None:
    """The database makes each worklist item (`WERKLIJSTITEM`); the route adds only its status."""
    t = str(uuid4())
    opslag.schrijf_signaleringen(0, 1, {t: [
        SignaleringRij(t, "voortgangsgesprek", 0, "0505", None, "2025-06-01", "Wi 16 \"x\" é", None),
        SignaleringRij(t, "zienswijze", 7, "0505", "regisseur-1", "2025-05-19", "Awb 4:8", '{"sleutel": "k"}'),
    ]})

    gelezen = opslag.signaleringen(["0505"], None, None, None, None, 10)

    assert [json.loads(r.document) for r in gelezen] == [
        {"trajectId": t, "gemeente": "0505", "regisseur": "regisseur-1", "soort": "zienswijze", "zaaknummer": 7,
         "uiterlijk": "2025-05-19", "grondslag": "Awb 4:8"},
        {"trajectId": t, "gemeente": "0505", "regisseur": None, "soort": "voortgangsgesprek", "zaaknummer": None,
         "uiterlijk": "2025-06-01", "grondslag": "Wi 16 \"x\" é"},
    ]
    assert [(r.traject_id, r.uiterlijk, r.soort, r.zaaknummer, r.betrokkene) for r in gelezen] == [
        (t, "2025-05-19", "zienswijze", 7, '{"sleutel": "k"}'), (t, "2025-06-01", "voortgangsgesprek", 0, None)]
    assert all(r.document.endswith("}") for r in gelezen)  # the route puts the status before that brace


def test_a_store_that_refuses_to_move_a_position_stops_the_catch_up_instead_of_spinning(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag
) -> None:
    """A batch refused as stale is normally another process's: the position moved, and the catch-up goes on from
    there. When the position stays where the batch began (here a trigger swallows every update of it), trying
    again can never succeed: the catch-up ended up in a loop without end, holding its thread and a core."""
    projector = Projector(app, opslag)
    willekeurige_geschiedenis(app, projector, aantal=1, zaad=41)
    projector.bij()
    posities = opslag.posities()
    with opslag._transactie() as cursor:
        if instellingen.database_url is not None:
            cursor.execute(opslag._sql("CREATE FUNCTION {s}weiger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"))
            cursor.execute(opslag._sql("CREATE TRIGGER weiger BEFORE UPDATE ON {s}leesmodel_tracking FOR EACH ROW EXECUTE FUNCTION {s}weiger()"))
        else:
            cursor.execute("CREATE TRIGGER weiger BEFORE UPDATE ON leesmodel_tracking BEGIN SELECT RAISE(IGNORE); END")
    willekeurige_geschiedenis(app, None, aantal=1, zaad=42)
    klaar: list[int] = []
    draad = threading.Thread(target=lambda: klaar.append(projector.bij()), daemon=True)

    draad.start()
    draad.join(timeout=60)
    vastgelopen = draad.is_alive()
    if vastgelopen:  # let it end before the store is closed under it (SQLite crashes the process on that)
        with opslag._transactie() as cursor:
            cursor.execute(opslag._sql("DROP TRIGGER weiger ON {s}leesmodel_tracking") if instellingen.database_url else "DROP TRIGGER weiger")
        draad.join(timeout=60)

    assert not vastgelopen, "bij() kwam na 60 s niet terug: het bleef een geweigerde batch opnieuw proberen"
    assert klaar == [0] and opslag.posities() == posities
    assert all(positie < kop for positie, kop in projector.achterstand().values())  # the lag shows it


def test_several_runners_at_once_give_the_same_read_models_as_one(instellingen: Settings, app: Inburgering) -> None:
    willekeurige_geschiedenis(app, None, aantal=12, zaad=11)
    winkels = [bouw_leesmodelopslag(instellingen) for _ in range(3)]  # like three API workers
    try:
        fouten: list[BaseException] = []

        def draai(opslag: SqlLeesmodelopslag) -> None:
            try:
                Projector(app, opslag).bij()
            except BaseException as fout:  # surfaced below: a thread's error must fail the test
                fouten.append(fout)

        draden = [threading.Thread(target=draai, args=(w,)) for w in winkels]
        for draad in draden:
            draad.start()
        for draad in draden:
            draad.join()
        assert fouten == []
        samen = winkels[0].inhoud()
        Projector(app, winkels[0]).herbouw()
        assert winkels[0].inhoud() == samen
    finally:
        for winkel in winkels:
            winkel.close()


def test_history_reading_ignores_other_aggregates_but_moves_past_them(app: Inburgering, opslag: SqlLeesmodelopslag) -> None:
    projector = Projector(app, opslag)
    app.save(Opdracht.verwerkt("gebruiker", "sleutel", "vingerafdruk", uuid4(), 1))
    assert projector.bij() == len(projector.projecties)  # one notification, read by each read model
    assert opslag.inhoud() == {"leesmodel_trajecten": [], "leesmodel_signaleringen": [], "leesmodel_rapportcijfers": [],
                               "leesmodel_rapporttotalen": []}
    assert all(positie == kop == 1 for positie, kop in projector.achterstand().values())




def test_the_read_models_decrypt_nothing_and_name_the_person_only_by_the_stored_ciphertext(
    app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No read model shows a personal field, so none is decrypted (a rebuild used to spend about half its
    time on key look-ups); the access log's reference to the person is the start event's BSN field as stored."""
    willekeurige_geschiedenis(app, None, aantal=6, zaad=5)
    ontsleuteld: list[object] = []
    echt = app.sleutels.ontsleutel  # type: ignore[union-attr]
    monkeypatch.setattr(app.sleutels, "ontsleutel", lambda *a, **k: ontsleuteld.append(a) or echt(*a, **k))

    Projector(app, opslag, cache_grootte=2).bij()  # a small cache: trajectories are also read back from the store

    assert ontsleuteld == []
    inhoud = opslag.inhoud()
    for rij in inhoud["leesmodel_trajecten"] + inhoud["leesmodel_signaleringen"]:
        traject_id, betrokkene = rij[0], rij[-1]
        [start] = app.recorder.select_events(UUID(traject_id), lte=1)
        opgeslagen = json.loads(splits(start.state)[0])["bsn"]
        assert json.loads(betrokkene) == opgeslagen and set(opgeslagen) == {ENVELOP}
        assert app.repository.get(UUID(traject_id)).bsn not in betrokkene


def _plan(opslag: SqlLeesmodelopslag, postgres: bool, vraag: tuple[str, list[object]]) -> str:
    sql, parameters = vraag
    with opslag._transactie(schrijven=False) as cursor:
        cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + sql, parameters)
        return " | ".join(str(rij[0] if postgres else rij[-1]) for rij in cursor.fetchall())


def test_every_list_and_worklist_filter_is_served_by_an_index(instellingen: Settings, opslag: SqlLeesmodelopslag) -> None:
    """A page must not read the whole read model: it did for any filter but one gemeente, a cost that grew
    with the region (seconds at a few thousand trajectories)."""
    opslag.maak_tabellen()
    kans, gemeenten = random.Random(1), ["0505", "0590", "0642", "0531"]
    trajecten, signaleringen = {}, {}
    for _ in range(3000):
        t, gemeente, regisseur = str(uuid4()), kans.choice(gemeenten), f"r{kans.randrange(40)}"
        dag = f"{kans.randrange(2022, 2029)}-{kans.randrange(1, 13):02d}-{kans.randrange(1, 29):02d}"
        trajecten[t] = TrajectRij(t, gemeente, "asielstatushouder", "b1", kans.choice(["lopend"] * 8 + ["afgerond"]), regisseur,
                                  dag, dag, {"trajectId": t}, None, ())
        signaleringen[t] = [SignaleringRij(t, soort, 0, gemeente, regisseur, dag, "x", None) for soort in ("pip", "gesprek")]
    opslag.schrijf_trajecten(0, 1, trajecten)
    opslag.schrijf_signaleringen(0, 1, signaleringen)
    postgres = instellingen.database_url is not None
    with opslag._transactie() as cursor:
        for tabel in ("leesmodel_trajecten", "leesmodel_signaleringen") if postgres else ("",):
            cursor.execute(opslag._sql(f"ANALYZE {{s}}{tabel}" if tabel else "ANALYZE"))

    vragen = {
        "lijst": opslag.lijstvraag(gemeenten, {}, None, None, 100),
        "lijst, een gemeente": opslag.lijstvraag(["0590"], {}, None, None, 100),
        "lijst, regisseur": opslag.lijstvraag(gemeenten, {"regisseur": "r3"}, None, None, 100),
        "lijst, status": opslag.lijstvraag(gemeenten, {"status": "afgerond"}, None, None, 100),
        "lijst, deadline": opslag.lijstvraag(gemeenten, {}, "2022-03-01", None, 100),
        "lijst, volgende pagina": opslag.lijstvraag(gemeenten, {"doelgroep": "asielstatushouder"}, None, ("2025-01-01", "x"), 100),
        "werklijst": opslag.werklijstvraag(gemeenten, None, None, None, None, 100),
        "werklijst, een gemeente": opslag.werklijstvraag(["0642"], None, None, None, None, 100),
        "werklijst, regisseur": opslag.werklijstvraag(gemeenten, "r3", None, None, None, 100),
        "werklijst, binnenkort": opslag.werklijstvraag(gemeenten, None, "2026-01-01", "2026-01-15", None, 100),
        "werklijst, volgende pagina": opslag.werklijstvraag(gemeenten, None, None, None, ("2026-01-01", "x", "pip", 0), 100),
    }
    for naam, vraag in vragen.items():
        plan = _plan(opslag, postgres, vraag)
        assert "Seq Scan" not in plan and not re.search(r"SCAN leesmodel_\w+$|SCAN leesmodel_\w+ \|", plan), (naam, plan)
        assert "leesmodel_" in plan and ("Index" in plan or "INDEX" in plan), (naam, plan)


def _zet_versie(opslag: SqlLeesmodelopslag, naam: str, versie: int) -> None:
    """The version in use as other code left it (an earlier or later deploy)."""
    with opslag._transactie() as cursor:
        cursor.execute(opslag._sql("UPDATE {s}leesmodel_versies SET versie = %s WHERE leesmodel = %s"), (versie, naam))


ALLE = ["0505", "0590", "0642", "0531"]


def test_a_new_version_is_built_beside_the_old_which_serves_until_the_swap(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag
) -> None:
    """After a deploy that changed a read model, the old one was dropped and the lists read an empty or half-built
    one (or failed) until it was rebuilt: now the old serves, untouched, until the new one is complete."""
    willekeurige_geschiedenis(app, None, aantal=3, zaad=13)
    Projector(app, opslag).bij()
    versie = opslag.codeversie("trajectenlijst")
    _zet_versie(opslag, "trajectenlijst", versie - 1)  # the store as the previous deploy left it
    oud_positie, oud_rijen = opslag.positie("trajectenlijst"), opslag.inhoud()["leesmodel_trajecten"]
    nieuw = bouw_leesmodelopslag(instellingen)  # a process of the new code: it made no tables
    projector = Projector(app, nieuw)
    willekeurige_geschiedenis(app, None, aantal=2, zaad=14)  # commands go on

    projector.bij()  # it does not write the version in use, which is not its code's

    assert nieuw.eigen_leesmodellen() == {"signaleringen"} and projector.nog_te_bouwen() == ["trajectenlijst"]
    assert (nieuw.positie("trajectenlijst"), nieuw.inhoud()["leesmodel_trajecten"]) == (oud_positie, oud_rijen)
    tijdens: list[tuple[int, Any, int]] = []

    def halverwege(naam: str, positie: int, kop: int) -> None:
        stand = projector.stand()["trajectenlijst"]
        tijdens.append((stand.versie, stand.opbouw and stand.opbouw.versie, len(nieuw.trajecten(ALLE, {}, None, None, 100))))

    assert projector.bouw_nieuwe_versies("proces-1", halverwege) == ["trajectenlijst"]

    assert tijdens and set(tijdens) == {(versie - 1, versie, 3)}  # the old version served all along
    stand = projector.stand()["trajectenlijst"]
    assert (stand.versie, stand.opbouw, nieuw.eigen_leesmodellen()) == (versie, None, {"trajectenlijst", "signaleringen"})
    projector.bij()
    assert len(nieuw.trajecten(ALLE, {}, None, None, 100)) == 5
    gebouwd = nieuw.inhoud()
    projector.herbouw()  # in place, from the first event: the same rows
    assert nieuw.inhoud() == gebouwd
    nieuw.close()


def test_a_process_whose_code_is_older_than_the_version_in_use_only_reads_it(app: Inburgering, opslag: SqlLeesmodelopslag) -> None:
    """A worker of the previous deploy still running after the swap must not write rows computed by its code into
    the new version's tables, nor start building its own version back."""
    willekeurige_geschiedenis(app, None, aantal=2, zaad=5)
    projector = Projector(app, opslag)
    projector.bij()
    positie = opslag.positie("signaleringen")
    assert opslag.eigen_leesmodellen() == {"trajectenlijst", "signaleringen"}  # as this process last read it
    _zet_versie(opslag, "signaleringen", opslag.codeversie("signaleringen") + 1)  # a newer deploy swapped its version in
    willekeurige_geschiedenis(app, None, aantal=1, zaad=6)

    with pytest.raises(AndereVersieError):  # a write checks the version itself, whatever the process last read
        opslag.schrijf_signaleringen(positie, positie + 1, {})
    projector.bij()

    assert opslag.positie("signaleringen") == positie and opslag.positie("trajectenlijst") > positie
    assert projector.nog_te_bouwen() == [] and not opslag.neem_opbouw("signaleringen", "oud", 60, 0, app.klok.nu())
    assert projector.bij_en_achterstand("signaleringen") == app.recorder.max_notification_id() - positie  # it says so


def test_one_process_at_a_time_builds_a_new_version(app: Inburgering, opslag: SqlLeesmodelopslag, instellingen: Settings) -> None:
    """Several workers of the new code start together: one builds, the others serve the old version; one that
    stalls loses its lease to the next."""
    opslag.maak_tabellen()
    _zet_versie(opslag, "signaleringen", opslag.codeversie("signaleringen") - 1)
    ander = bouw_leesmodelopslag(instellingen)

    assert opslag.neem_opbouw("signaleringen", "a", 60, 0, app.klok.nu())
    assert not ander.neem_opbouw("signaleringen", "b", 60, 0, app.klok.nu())
    assert Projector(app, ander).bouw_nieuwe_versies("b") == []
    assert opslag.verleng_opbouw("signaleringen", "a", 0, 0, 0)  # then a stalls: its lease runs out
    assert ander.neem_opbouw("signaleringen", "b", 60, 0, app.klok.nu())
    assert not opslag.verleng_opbouw("signaleringen", "a", 60, 0, 0) and not opslag.wissel("signaleringen", "a")
    assert Projector(app, ander).bouw_nieuwe_versies("b") == ["signaleringen"]
    ander.close()


def test_make_rebuild_leaves_a_read_model_of_another_version_alone_and_says_so(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag
) -> None:
    """Rebuilt in place by older code, a newer version's tables would hold rows of the wrong version."""
    willekeurige_geschiedenis(app, None, aantal=2, zaad=3)
    Projector(app, opslag).bij()
    versie = opslag.codeversie("signaleringen")
    _zet_versie(opslag, "signaleringen", versie + 1)
    rijen = opslag.inhoud()["leesmodel_signaleringen"]

    uitkomst = CliRunner().invoke(cli_module.cli, ["herbouw"], env=cli_omgeving(instellingen))

    assert uitkomst.exit_code == 1, uitkomst.output
    assert (f"signaleringen niet herbouwd: in gebruik is versie {versie + 1}, deze code heeft versie {versie}; "
            "een nieuwere versie wordt ernaast opgebouwd") in uitkomst.stderr
    assert opslag.inhoud()["leesmodel_signaleringen"] == rijen and opslag.versies()["signaleringen"] == versie + 1


def test_a_rebuild_reads_each_trajectory_once_however_far_apart_its_events_lie(
    app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In log order a trajectory whose events lay far apart fell out of the bounded cache and was read back
    from the store for each later event: a rebuild of a region's years slowed to about 1,000 events/s."""
    willekeurige_geschiedenis(app, None, aantal=12, zaad=21)  # interleaved, as years of commands are
    live = Projector(app, opslag)
    live.bij()
    verwacht = opslag.inhoud()
    gelezen: list[UUID] = []
    recorder, binnen = app.recorder, [False]
    enkel, velen = recorder.select_events, recorder.select_events_van_elk  # type: ignore[attr-defined]

    def van_elk(ids: list[UUID]) -> object:
        gelezen.extend(ids)
        binnen[0] = True
        try:
            return velen(ids)
        finally:
            binnen[0] = False

    def een(i: UUID, **k: object) -> object:
        if not binnen[0]:  # a read of its own, not part of reading many at once
            gelezen.append(UUID(str(i)))
        return enkel(i, **k)

    monkeypatch.setattr(recorder, "select_events", een)
    monkeypatch.setattr(recorder, "select_events_van_elk", van_elk)
    monkeypatch.setattr(projector_module, "TRAJECTEN_PER_BATCH", 2)  # and found in searches of a few positions:
    monkeypatch.setattr(projector_module, "STARTS_VENSTER", 3)  # none is found twice, none missed

    Projector(app, opslag, cache_grootte=1).herbouw()  # a cache that holds nothing: each event would miss it

    assert sorted(Counter(gelezen).values()) == [1] * 12
    assert opslag.inhoud() == verwacht


def test_a_read_model_that_is_up_to_date_does_not_wait_for_a_catch_up_elsewhere(app: Inburgering, opslag: SqlLeesmodelopslag) -> None:
    """Every list read in the embedded mode asks the projector to catch up: with the answer "nothing to do"
    behind its lock, concurrent readers queued one by one behind each other's two queries."""
    willekeurige_geschiedenis(app, None, aantal=2, zaad=5)
    projector = Projector(app, opslag)
    projector.bij()
    uitkomst: list[int] = []
    with projector._slot:  # another thread is catching up
        lezer = threading.Thread(target=lambda: uitkomst.append(projector.bij()))
        lezer.start()
        lezer.join(timeout=60)
        assert not lezer.is_alive(), "bij() waited on the lock although nothing was new"
    assert uitkomst == [0]


def test_a_read_catches_up_to_the_head_it_found_and_leaves_what_came_after_to_the_next(
    app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read-your-writes asks for what was committed before the read; under a steady stream of commands a read
    that also took what came in while it worked chased the head, and took seconds."""
    willekeurige_geschiedenis(app, None, aantal=2, zaad=11)
    projector = Projector(app, opslag)
    kop = app.recorder.max_notification_id()
    echt = projector._bijgewerkt
    tijdens: list[int] = []

    def terwijl_een_ander_schrijft(notificaties: Any) -> Any:
        if not tijdens:  # a command commits while the read catches up
            willekeurige_geschiedenis(app, None, aantal=1, zaad=12)
            tijdens.append(app.recorder.max_notification_id() - kop)
        return echt(notificaties)

    monkeypatch.setattr(projector, "_bijgewerkt", terwijl_een_ander_schrijft)

    assert projector.bij_en_achterstand("trajectenlijst") == tijdens[0] > 0
    assert opslag.posities() == {naam: kop for naam in projector.projecties}
    assert projector.bij_en_achterstand("trajectenlijst") == 0  # the next read takes the rest


def test_a_batch_that_every_read_model_takes_is_one_commit(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list read in the embedded mode catches up first: a commit per read model per batch, each waiting
    for the disk, put seconds on list reads under write load. Now one commit, and on PostgreSQL one that
    does not wait for the disk (the read models are rebuilt from the log, rows and position together)."""
    projector = Projector(app, opslag)
    projector.bij()
    willekeurige_geschiedenis(app, None, aantal=3, zaad=17)
    schrijvend: list[str] = []
    echt = opslag._batchtransactie

    @contextmanager
    def geteld() -> Iterator[Any]:
        with echt() as cursor:
            if instellingen.database_url is not None:
                cursor.execute("SHOW synchronous_commit")
                schrijvend.append(cursor.fetchone()[0])
            else:
                schrijvend.append("sqlite")
            yield cursor

    monkeypatch.setattr(opslag, "_batchtransactie", geteld)
    gelezen: list[int] = []
    lees = app.recorder.select_notifications
    monkeypatch.setattr(app.recorder, "select_notifications", lambda *a, **k: gelezen.append(1) or lees(*a, **k))

    assert projector.bij() == len(projector.projecties) * app.recorder.max_notification_id()

    assert schrijvend == (["off"] if instellingen.database_url is not None else ["sqlite"])
    assert len(gelezen) == 2  # the batch, and the empty page after it: not once more per read model
    assert len(opslag.inhoud()["leesmodel_trajecten"]) == 3


def test_a_rebuild_leaves_the_planner_statistics_of_what_it_filled(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag
) -> None:
    """Right after a rebuild PostgreSQL knew nothing of the new rows and planned a filtered list page at
    100,000 trajectories as a sort of every match (100 ms and more instead of 1) until autovacuum came by."""
    willekeurige_geschiedenis(app, None, aantal=5, zaad=23)

    Projector(app, opslag).herbouw()

    with opslag._transactie(schrijven=False) as cursor:
        if instellingen.database_url is not None:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                           (f"{instellingen.database_schema}.leesmodel_trajecten",))
            assert cursor.fetchone()[0] == 5  # -1 while never analysed
        else:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'leesmodel_trajecten' AND idx = 'leesmodel_trajecten_volgorde'")
            assert cursor.fetchone()[0].startswith("5 ")
