"""Saving: the application puts the facts of the aggregates it is given, as the library's own save does, without
the library's per-object Protocol checks (domain/application.py, `Inburgering.save`)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from eventsourcing.application import Application, ProcessingEvent

from adapters.clock import VasteKlok
from domain.application import Inburgering
from domain.opdracht import Opdracht
from domain.persoon import Persoonsregistratie
from tests.builders import Personen, door, statushouder_met_pip

IN_GEHEUGEN = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def _app(**env: str) -> Inburgering:
    return Inburgering(env=IN_GEHEUGEN | env, klok=VasteKlok(door().tijdstip), personen=Personen())


def test_saving_aggregates_stores_what_the_librarys_save_stores() -> None:
    # The same aggregates (a trajectory of several facts, a person, a processed request), saved by the application
    # and by the library's save, each on a store of its own: the same facts in the same order, and the same answer.
    opgeslagen = []
    for bewaar in (Inburgering.save, Application.save):
        app = _app()
        traject = statushouder_met_pip()
        persoon = Persoonsregistratie.nieuw(uuid4(), door())
        opdracht = Opdracht.verwerkt("gebruiker", "sleutel", "vingerafdruk", traject.id, 1)
        ids = {traject.id: "traject", persoon.id: "persoon", opdracht.id: "opdracht"}
        opnames = bewaar(app, traject, persoon, opdracht)
        log = [(ids[n.originator_id], n.originator_version, n.topic, n.id) for n in app.recorder.select_notifications(1, 100)]
        assert [(ids[r.notification.originator_id], r.notification.originator_version, r.notification.topic, r.notification.id)
                for r in opnames] == log
        assert app.repository.get(traject.id).version == traject.version > 1
        assert not traject.pending_events and not persoon.pending_events and not opdracht.pending_events
        opgeslagen.append(log)
    ons, bibliotheek = opgeslagen
    assert ons == bibliotheek


def test_saving_aggregates_skips_the_librarys_per_object_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Those checks (isinstance against runtime Protocols) cost 2-3 % of a start's CPU on Python 3.11.
    app = _app()

    def gevraagd(*_: object, **__: object) -> None:
        raise AssertionError("the library's per-object collection ran")

    monkeypatch.setattr(ProcessingEvent, "collect_events", gevraagd)
    traject = statushouder_met_pip()
    app.save(traject)
    assert app.repository.get(traject.id).version == traject.version


def test_an_event_saved_on_its_own_takes_the_librarys_path() -> None:
    app = _app()
    traject = statushouder_met_pip()
    app.save(traject)
    traject.wijs_regisseur_toe(datum=date(2025, 3, 3), regisseur="r-2", door=door())
    [los] = traject.collect_events()
    app.save(los)
    assert app.repository.get(traject.id).version == traject.version


def test_with_snapshots_enabled_the_library_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    # It takes the snapshots their intervals ask for (this application uses none; should it, they are not skipped).
    app = _app(IS_SNAPSHOTTING_ENABLED="y")
    verzameld: list[object] = []
    eigen = ProcessingEvent.collect_events

    def verzamel(self: ProcessingEvent, *objs: object, **kwargs: object) -> None:
        verzameld.extend(objs)
        eigen(self, *objs, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ProcessingEvent, "collect_events", verzamel)
    traject = statushouder_met_pip()
    app.save(traject)
    assert verzameld == [traject]
    assert app.repository.get(traject.id).version == traject.version
