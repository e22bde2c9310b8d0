"""No poisoned read model, on both stores: any string an event may hold is written and read back, and a
stored event that a projection cannot take stops that read model at its position, recorded, while
everything before it is kept; rebuild and replay finish and name it instead of ending in a traceback."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from typer.testing import CliRunner

from adapters import cli as cli_module
from adapters.keten import splits
from adapters.leesmodellen import SqlLeesmodelopslag
from adapters.replay import vergelijk_met_replay
from adapters.settings import Settings
from domain import commandos
from domain.application import Actor, Inburgering
from domain.waarden import Gemeente, Rol
from projections.projector import Projector
from projections.signaleringen import SignaleringRij
from projections.trajectenlijst import TrajectRij
from tests.builders import een_bsn
from tests.conftest import cli_omgeving

REGISSEUR = Actor("regisseur-a", Rol.REGISSEUR, frozenset(Gemeente), "test")
ONOPSLAGBAAR = "a\x00b\ud800c\udfffd"  # NUL: not in PostgreSQL text; lone surrogates: no UTF-8 at all
GELEZEN = "a\ufffdb\ufffdc\ufffdd"
BEWAARD = "\x01\t\n\x1b\x7f\u0085\u2028"  # other control characters are kept as they are


def test_any_string_is_written_and_read_back_the_same_on_both_stores(opslag: SqlLeesmodelopslag) -> None:
    opslag.maak_tabellen()
    tekst = ONOPSLAGBAAR + BEWAARD
    verwacht = GELEZEN + BEWAARD
    rij = TrajectRij(
        traject_id="t" + tekst, gemeente="0505", doelgroep=tekst, leerroute=tekst, status=tekst, regisseur=tekst,
        startdatum="2025-01-06", eerstvolgende_deadline=tekst,
        document={"trajectId": "t" + tekst, "startdatum": "2025-01-06", "regisseur": tekst, tekst: [tekst, {tekst: tekst}]},
    )
    signalering = SignaleringRij(
        traject_id="t" + tekst, soort=tekst, zaaknummer=0, gemeente="0505", regisseur=tekst, uiterlijk="2025-02-01", grondslag=tekst)
    opslag.schrijf_trajecten(0, 1, {"t": rij})
    opslag.schrijf_signaleringen(0, 1, {"t": [signalering]})

    [document] = opslag.trajecten(["0505"], {"regisseur": tekst}, None, None, 10)  # a filter matches what was stored
    assert document == {"trajectId": "t" + verwacht, "startdatum": "2025-01-06", "regisseur": verwacht,
                        verwacht: [verwacht, {verwacht: verwacht}]}
    assert opslag.documenten("0505") == [document]
    [gelezen] = opslag.signaleringen(["0505"], tekst, None, None, None, 10)
    assert (gelezen["traject_id"], gelezen["soort"], gelezen["regisseur"], gelezen["grondslag"]) == ("t" + verwacht, verwacht, verwacht, verwacht)
    trajecten = opslag.inhoud()["leesmodel_trajecten"]
    assert [kolom for kolom in trajecten[0] if kolom == verwacht] == [verwacht] * 5  # doelgroep .. eerstvolgende_deadline
    assert opslag.storingen() == {}


def _onleesbare_gebeurtenis(app: Inburgering) -> int:
    """Store a fact this version of the application does not know (as a newer version might write it):
    a real event's stored state under an unknown topic. Returns its position in the log."""
    [voorbeeld] = app.recorder.select_notifications(start=0, limit=1)
    state, _ = splits(voorbeeld.state)
    onbekend = StoredEvent(uuid4(), 1, "Inburgeringstraject.UitEenNieuwereVersie", state)
    app.recorder.insert_events([onbekend])
    return app.recorder.max_notification_id() or 0


def _voeg_trajecten_toe(app: Inburgering, aantal: int) -> None:
    for _ in range(aantal):
        start = commandos.StartNaTvsProfiel(datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn())
        app.start_traject(start, REGISSEUR)


def test_an_event_the_projection_cannot_read_stops_each_read_model_just_before_it_and_says_so(
    app: Inburgering, opslag: SqlLeesmodelopslag
) -> None:
    _voeg_trajecten_toe(app, 3)
    positie = _onleesbare_gebeurtenis(app)
    _voeg_trajecten_toe(app, 2)
    projector = Projector(app, opslag)

    gelezen = projector.bij()  # no exception: the batch fails, then each event alone up to the culprit

    assert gelezen == 2 * (positie - 1)
    stand = projector.stand()
    assert {naam: (s.positie, s.achterstand > 0) for naam, s in stand.items()} == {
        "trajectenlijst": (positie - 1, True), "signaleringen": (positie - 1, True)}
    for s in stand.values():
        assert s.storing is not None and s.storing.positie == positie
        assert s.storing.fout.startswith("TopicError: "), s.storing.fout
        assert s.storing.tijdstip == app.klok.nu()
    assert len(opslag.inhoud()["leesmodel_trajecten"]) == 3  # everything before it is there
    assert projector.bij() == 0 and projector.stand() == stand  # each round tries again, and stops again

    assert projector.herbouw() == 2 * (positie - 1)  # a rebuild stops at the same event
    assert projector.stand() == stand


# -- the command line ---------------------------------------------------------------------------


def test_rebuild_finishes_and_names_the_event_it_stopped_at(instellingen: Settings, app: Inburgering) -> None:
    _voeg_trajecten_toe(app, 2)
    positie = _onleesbare_gebeurtenis(app)
    _voeg_trajecten_toe(app, 1)

    uitkomst = CliRunner().invoke(cli_module.cli, ["herbouw"], env=cli_omgeving(instellingen))

    assert uitkomst.exit_code == 1, uitkomst.output
    assert isinstance(uitkomst.exception, SystemExit) and "Traceback" not in uitkomst.output
    for naam in ("trajectenlijst", "signaleringen"):
        assert f"{naam}: gestopt bij de gebeurtenis op positie {positie}: TopicError: " in uitkomst.stderr


def test_replay_finishes_and_names_the_event_it_stopped_at(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    klad = tmp_path / "klad"
    klad.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(klad))
    _voeg_trajecten_toe(app, 2)
    positie = _onleesbare_gebeurtenis(app)
    _voeg_trajecten_toe(app, 1)

    verschil = vergelijk_met_replay(app, opslag, instellingen, kladmap=klad)
    assert not verschil.gelijk and not verschil.verschilt and verschil.niet_vergeleken == {}
    assert verschil.posities == {"trajectenlijst": positie - 1, "signaleringen": positie - 1}  # compared up to it
    assert {n: s.positie for n, s in verschil.storingen.items()} == {"trajectenlijst": positie, "signaleringen": positie}
    assert {n: s.positie for n, s in verschil.live_storingen.items()} == {"trajectenlijst": positie, "signaleringen": positie}

    uitkomst = CliRunner().invoke(cli_module.cli, ["replay"], env=cli_omgeving(instellingen))

    assert uitkomst.exit_code == 3, uitkomst.output
    assert "Traceback" not in uitkomst.output
    assert f"trajectenlijst (replay): gestopt bij de gebeurtenis op positie {positie}: TopicError: " in uitkomst.stdout
    assert f"signaleringen (live): gestopt bij de gebeurtenis op positie {positie}: TopicError: " in uitkomst.stdout
    assert list(klad.iterdir()) == []


def test_rebuild_and_replay_of_a_store_holding_a_nul_in_an_event_finish_cleanly(
    instellingen: Settings, app: Inburgering, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _voeg_trajecten_toe(app, 1)
    traject_id = app.start_traject(
        commandos.StartNaTvsProfiel(datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn()), REGISSEUR).traject.id
    app.voer_uit(traject_id, commandos.WijsRegisseurToe(datum=date(2025, 1, 7), regisseur="x\x00y"), REGISSEUR)
    runner, env = CliRunner(), cli_omgeving(instellingen)

    herbouwd = runner.invoke(cli_module.cli, ["herbouw"], env=env)
    assert herbouwd.exit_code == 0, herbouwd.output
    replay = runner.invoke(cli_module.cli, ["replay"], env=env)
    assert replay.exit_code == 0, replay.output
    assert replay.stdout.startswith("Gelijk:")
