"""The projection machinery on both stores: exactly once, safe with several runners, rebuild equals live."""

from __future__ import annotations

import random
import threading
from uuid import uuid4

import pytest

from adapters.bootstrap import bouw_leesmodelopslag
from adapters.leesmodellen import SqlLeesmodelopslag
from adapters.settings import Settings
from domain.application import Inburgering
from domain.opdracht import Opdracht
from projections.projector import PositieVerouderdError, Projector
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
    assert live.herbouw() == 2 * app.recorder.max_notification_id()  # both read models read the whole log
    assert opslag.inhoud() == inhoud_live
    assert {naam: positie for naam, (positie, _) in live.achterstand().items()} == {
        "trajectenlijst": app.recorder.max_notification_id(), "signaleringen": app.recorder.max_notification_id()}


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
    assert projector.bij() == 2  # one notification, read by each of the two read models
    assert opslag.inhoud() == {"leesmodel_trajecten": [], "leesmodel_signaleringen": []}
    assert all(positie == kop == 1 for positie, kop in projector.achterstand().values())


