"""No poisoned read model, on both stores: any string an event may hold is written and read back, and a
stored event that a projection cannot take stops that read model at its position, recorded, while
everything before it is kept; rebuild and replay finish and name it instead of ending in a traceback."""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from typer.testing import CliRunner

from adapters import cli as cli_module
from adapters.bootstrap import bouw_applicatie, bouw_leesmodelopslag
from adapters.clock import VasteKlok
from adapters.keten import splits
from adapters.leesmodellen import SqlLeesmodelopslag, foutmelding
from adapters.replay import vergelijk_met_replay
from adapters.settings import Settings
from domain import commandos
from domain.application import Actor, Inburgering
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Rol
from projections.projector import Projector
from projections.rapportages import Bijdrage
from projections.signaleringen import SignaleringRij
from projections.trajectenlijst import TrajectRij
from tests.builders import een_bsn
from tests.conftest import POSTGRES_URL, _instellingen, cli_omgeving

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
        betrokkene=None, bijdragen=(Bijdrage("t" + tekst, "0505", 2025, "spuk", tekst, 1, 0),),
    )
    signalering = SignaleringRij(
        traject_id="t" + tekst, soort=tekst, zaaknummer=0, gemeente="0505", regisseur=tekst, uiterlijk="2025-02-01", grondslag=tekst,
        betrokkene=None)
    opslag.schrijf_trajecten(0, 1, {"t": rij})
    opslag.schrijf_signaleringen(0, 1, {"t": [signalering]})

    [gelezen_rij] = opslag.trajecten(["0505"], {"regisseur": tekst}, None, None, 10)  # a filter matches what was stored
    assert json.loads(gelezen_rij.document) == {"trajectId": "t" + verwacht, "startdatum": "2025-01-06", "regisseur": verwacht,
                        verwacht: [verwacht, {verwacht: verwacht}]}
    assert opslag.rapportcijfers("0505", 2025) == {("spuk", verwacht): (1, 0)}
    [gelezen] = opslag.signaleringen(["0505"], tekst, None, None, None, 10)
    assert (gelezen.traject_id, gelezen.soort) == ("t" + verwacht, verwacht)
    assert json.loads(gelezen.document) == {"trajectId": "t" + verwacht, "gemeente": "0505", "regisseur": verwacht, "soort": verwacht,
                                             "zaaknummer": None, "uiterlijk": "2025-02-01", "grondslag": verwacht}
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
        start = commandos.Start(Inburgeringstraject.start_na_tvs_profiel, datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn())
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
        assert s.storing.fout == "TopicError", s.storing.fout
        assert s.storing.tijdstip == app.klok.nu()
    assert len(opslag.inhoud()["leesmodel_trajecten"]) == 3  # everything before it is there
    assert projector.bij() == 0 and projector.stand() == stand  # each round tries again, and stops again

    assert projector.herbouw() == 2 * (positie - 1)  # a rebuild stops at the same event
    assert projector.stand() == stand


# -- what a stop keeps of its error ---------------------------------------------------------------


GEHEIM = "geheim-4711"  # stands for a personal value in an event


def _fout(doe: Callable[[], object]) -> Exception:
    try:
        doe()
    except Exception as fout:
        return fout
    raise AssertionError("geen fout")


def test_a_stop_keeps_the_error_type_and_from_python_errors_nothing_else() -> None:
    fouten = {
        "ValueError": _fout(lambda: int(GEHEIM)),  # invalid literal for int() with base 10: 'geheim-4711'
        "KeyError": _fout(lambda: {}[GEHEIM]),
        "UnicodeEncodeError": _fout(lambda: f"{GEHEIM}\ud800".encode()),  # ... character '\ud800' ...
    }
    assert {soort: foutmelding(fout) for soort, fout in fouten.items()} == {soort: soort for soort in fouten}


@pytest.mark.postgres
def test_a_stop_keeps_of_a_database_error_its_sqlstate_and_the_schema_names_but_no_value(postgres_schemas: Callable[[], str]) -> None:
    """PostgreSQL's primary message names tables, columns and constraints for a constraint violation, but
    quotes the value for a data exception (invalid input, a byte not in UTF-8): those keep only the code."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as verbinding:
        schema = postgres_schemas()
        verbinding.execute(f'CREATE TABLE "{schema}".t (x TEXT CHECK (x <> \'{GEHEIM}\'), n INTEGER NOT NULL)')

        def voer_uit(sql: str, *parameters: object) -> Callable[[], object]:
            return lambda: verbinding.execute(sql.replace("{s}", f'"{schema}".'), parameters)

        fouten = {
            "check": voer_uit("INSERT INTO {s}t VALUES (%s, 1)", GEHEIM),
            "not null": voer_uit("INSERT INTO {s}t VALUES (%s, NULL)", "x"),
            "nul": voer_uit("INSERT INTO {s}t VALUES (%s, 1)", f"{GEHEIM}\x00"),  # refused by psycopg itself
            "utf-8": voer_uit("SELECT convert_from(%s, 'UTF8')", GEHEIM.encode() + b"\xe2"),
            "integer": voer_uit("INSERT INTO {s}t VALUES ('x', %s::text::integer)", GEHEIM),
            "datum": voer_uit("SELECT %s::text::date", GEHEIM),
        }
        meldingen = {soort: foutmelding(_fout(doe)) for soort, doe in fouten.items()}

    assert meldingen == {
        "check": 'CheckViolation (SQLSTATE 23514): new row for relation "t" violates check constraint "t_x_check"',
        "not null": 'NotNullViolation (SQLSTATE 23502): null value in column "n" of relation "t" violates not-null constraint',
        "nul": "DataError",
        "utf-8": "CharacterNotInRepertoire (SQLSTATE 22021)",
        "integer": "InvalidTextRepresentation (SQLSTATE 22P02)",
        "datum": "InvalidDatetimeFormat (SQLSTATE 22007)",
    }
    assert not [melding for melding in meldingen.values() if "geheim" in melding or "4711" in melding]


@pytest.mark.postgres
def test_an_event_the_database_refuses_with_an_operational_error_is_a_stop_not_an_outage(
    postgres_schemas: Callable[[], str], tmp_path: Path, klok: VasteKlok
) -> None:
    """Not every OperationalError is passing: a value too large for an index (program limit, 54000) is
    refused every time, so it stops the read model at its event instead of failing every read."""
    instellingen = _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=postgres_schemas())
    app, opslag = bouw_applicatie(instellingen, klok), bouw_leesmodelopslag(instellingen)
    try:
        projector = Projector(app, opslag)
        _voeg_trajecten_toe(app, 1)
        projector.bij()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as verbinding:  # as a database might be tuned
            verbinding.execute(f'CREATE INDEX op_regisseur ON "{instellingen.database_schema}".leesmodel_trajecten (regisseur)')
        traject_id = app.start_traject(
            commandos.Start(Inburgeringstraject.start_na_tvs_profiel, datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn()), REGISSEUR).traject.id
        app.voer_uit(traject_id, commandos.Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 1, 7), regisseur=secrets.token_hex(8000)), REGISSEUR)

        projector.bij()  # no exception

        storing = projector.stand()["trajectenlijst"].storing
        assert storing is not None and storing.positie == app.recorder.max_notification_id()
        assert storing.fout.startswith("ProgramLimitExceeded (SQLSTATE 54000)"), storing
    finally:
        opslag.close()
        app.close()


# -- the command line ---------------------------------------------------------------------------


def test_rebuild_finishes_and_names_the_event_it_stopped_at(instellingen: Settings, app: Inburgering) -> None:
    _voeg_trajecten_toe(app, 2)
    positie = _onleesbare_gebeurtenis(app)
    _voeg_trajecten_toe(app, 1)

    uitkomst = CliRunner().invoke(cli_module.cli, ["herbouw"], env=cli_omgeving(instellingen))

    assert uitkomst.exit_code == 1, uitkomst.output
    assert isinstance(uitkomst.exception, SystemExit) and "Traceback" not in uitkomst.output
    for naam in ("trajectenlijst", "signaleringen"):
        assert f"{naam}: gestopt bij de gebeurtenis op positie {positie}: TopicError\n" in uitkomst.stderr


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
    assert f"trajectenlijst (replay): gestopt bij de gebeurtenis op positie {positie}: TopicError\n" in uitkomst.stdout
    assert f"signaleringen (live): gestopt bij de gebeurtenis op positie {positie}: TopicError\n" in uitkomst.stdout
    assert list(klad.iterdir()) == []


def test_rebuild_and_replay_of_a_store_holding_a_nul_in_an_event_finish_cleanly(
    instellingen: Settings, app: Inburgering, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _voeg_trajecten_toe(app, 1)
    traject_id = app.start_traject(
        commandos.Start(Inburgeringstraject.start_na_tvs_profiel, datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn()), REGISSEUR).traject.id
    app.voer_uit(traject_id, commandos.Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 1, 7), regisseur="x\x00y"), REGISSEUR)
    runner, env = CliRunner(), cli_omgeving(instellingen)

    herbouwd = runner.invoke(cli_module.cli, ["herbouw"], env=env)
    assert herbouwd.exit_code == 0, herbouwd.output
    replay = runner.invoke(cli_module.cli, ["replay"], env=env)
    assert replay.exit_code == 0, replay.output
    assert replay.stdout.startswith("Gelijk:")
