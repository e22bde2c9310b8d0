"""Replay on both stores: a rebuild in a scratch store equals the live read models, tampering shows up
row by row, the log moving is its own outcome, the scratch store is always gone, and the CLI exits accordingly."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from adapters import cli as cli_module
from adapters.leesmodellen import SqlLeesmodelopslag
from adapters.replay import KOLOMMEN, Rijverschil, Tabelverschil, Verschil, _kladopslag, vergelijk_met_replay, vergelijk_tabel
from adapters.settings import Settings
from domain.application import Inburgering
from projections.projector import Projector
from tests.adapters.test_leesmodellen import willekeurige_geschiedenis
from tests.conftest import cli_omgeving


@pytest.fixture
def kladmap(tmp_path: Path) -> Path:
    map_ = tmp_path / "klad"
    map_.mkdir()
    return map_


def _voer_uit(instellingen: Settings, opdracht: str, parameters: tuple[Any, ...] = ()) -> None:
    """Raw SQL on the live read models, past the store's own code: how a tampered row would get there."""
    if instellingen.database_url is None:
        with sqlite3.connect(instellingen.sqlite_leesmodel_pad) as verbinding:
            verbinding.execute(opdracht.replace("{s}", "").replace("%s", "?"), parameters)
        verbinding.close()
    else:
        with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
            verbinding.execute(opdracht.replace("{s}", f'"{instellingen.database_schema}".'), parameters)  # type: ignore[arg-type]


def _kladresten(instellingen: Settings, kladmap: Path) -> list[str]:
    """What is left of scratch stores: files in the scratch directory, or replay schemas beside the live one."""
    if instellingen.database_url is None:
        return [str(pad) for pad in kladmap.rglob("*")]
    voorvoegsel = f"{instellingen.database_schema}_replay_"
    with psycopg.connect(instellingen.database_url) as verbinding:
        rijen = verbinding.execute(
            "SELECT schema_name FROM information_schema.schemata WHERE left(schema_name, %s) = %s", (len(voorvoegsel), voorvoegsel)
        ).fetchall()
    return [rij[0] for rij in rijen]


def test_a_replay_after_a_long_random_history_equals_the_live_read_models_and_leaves_no_scratch(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, kladmap: Path
) -> None:
    willekeurige_geschiedenis(app, Projector(app, opslag, cache_grootte=5), aantal=25, zaad=2027)
    kop = app.recorder.max_notification_id()
    tijdens: list[tuple[str, int, int, list[str]]] = []

    def meld(naam: str, positie: int, kop: int) -> None:
        tijdens.append((naam, positie, kop, _kladresten(instellingen, kladmap)))

    verschil = vergelijk_met_replay(app, opslag, instellingen, meld, kladmap=kladmap)

    assert verschil.gelijk and not verschil.verschilt and verschil.tekst() == ""
    assert verschil.posities == {"trajectenlijst": kop, "signaleringen": kop}
    assert set(verschil.tabellen) == {"leesmodel_trajecten", "leesmodel_signaleringen", "leesmodel_rapportcijfers",
                                       "leesmodel_rapporttotalen"}
    inhoud = opslag.inhoud()
    assert len(inhoud["leesmodel_trajecten"]) == 25 and inhoud["leesmodel_signaleringen"]  # something was compared
    assert opslag.positie("trajectenlijst") == opslag.positie("signaleringen") == kop  # live was brought up to date
    assert {naam for naam, *_ in tijdens} == {"trajectenlijst", "signaleringen"}
    assert all(rest for *_, rest in tijdens)  # the scratch store existed while the replay ran...
    assert _kladresten(instellingen, kladmap) == []  # ...and is gone now
    assert verschil.klad not in {str(instellingen.sqlite_leesmodel_pad), instellingen.database_schema}


def test_tampered_rows_are_reported_by_key_and_column(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, kladmap: Path
) -> None:
    willekeurige_geschiedenis(app, None, aantal=6, zaad=5)
    Projector(app, opslag).bij()
    inhoud = opslag.inhoud()
    lopend = next(rij for rij in inhoud["leesmodel_trajecten"] if rij[4] != "afgerond")
    ander = next(rij for rij in inhoud["leesmodel_trajecten"] if rij[0] != lopend[0])
    document = json.loads(ander[8])
    vervalst = json.dumps(document | {"versie": document["versie"] + 100}, sort_keys=True)
    weg = inhoud["leesmodel_signaleringen"][0]
    _voer_uit(instellingen, "UPDATE {s}leesmodel_trajecten SET status = 'afgerond' WHERE traject_id = %s", (lopend[0],))
    _voer_uit(instellingen, "UPDATE {s}leesmodel_trajecten SET document = %s WHERE traject_id = %s", (vervalst, ander[0]))
    _voer_uit(instellingen, "DELETE FROM {s}leesmodel_signaleringen WHERE traject_id = %s AND soort = %s AND zaaknummer = %s", weg[:3])

    verschil = vergelijk_met_replay(app, opslag, instellingen, kladmap=kladmap)

    assert not verschil.gelijk and verschil.verschilt and verschil.niet_vergeleken == {}
    trajecten, signaleringen = verschil.tabellen["leesmodel_trajecten"], verschil.tabellen["leesmodel_signaleringen"]
    assert sorted(trajecten.anders, key=lambda r: r.sleutel) == sorted(
        [Rijverschil((lopend[0],), {"status": ("afgerond", lopend[4])}), Rijverschil((ander[0],), {"document": (vervalst, ander[8])})],
        key=lambda r: r.sleutel,
    )
    assert trajecten.alleen_live == trajecten.alleen_replay == []
    assert signaleringen == Tabelverschil("leesmodel_signaleringen", alleen_live=[], alleen_replay=[weg], anders=[])
    tekst = verschil.tekst()
    assert f"~ traject_id={lopend[0]}" in tekst
    assert f'status: "afgerond" -> "{lopend[4]}"' in tekst
    assert f"document.versie: {document['versie'] + 100} -> {document['versie']}" in tekst
    assert "document.status" not in tekst  # only the JSON keys that differ
    assert f"+ traject_id={weg[0]}, soort={weg[1]}, zaaknummer={weg[2]}" in tekst
    assert opslag.inhoud() != inhoud  # the replay reports; it does not repair the live store
    assert _kladresten(instellingen, kladmap) == []


def test_in_one_postgresql_database_only_the_rows_that_differ_are_read_and_the_comparison_is_the_same(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, kladmap: Path
) -> None:
    """`rijen_naast` gives a replay each side's rows in key order: on PostgreSQL, where the scratch schema lies in the
    live one's database, only the rows that differ (the server joins the two tables); on SQLite every row of both.
    Either way the comparison must come out as one over every row of both."""
    willekeurige_geschiedenis(app, None, aantal=6, zaad=7)
    Projector(app, opslag).bij()
    inhoud = opslag.inhoud()
    eerste, tweede = inhoud["leesmodel_trajecten"][:2]
    weg = inhoud["leesmodel_signaleringen"][0]
    _voer_uit(instellingen, "UPDATE {s}leesmodel_trajecten SET status = 'vervalst' WHERE traject_id = %s", (eerste[0],))
    _voer_uit(instellingen, "UPDATE {s}leesmodel_trajecten SET regisseur = NULL WHERE traject_id = %s", (tweede[0],))
    _voer_uit(instellingen, "DELETE FROM {s}leesmodel_signaleringen WHERE traject_id = %s AND soort = %s AND zaaknummer = %s", weg[:3])
    with _kladopslag(instellingen, kladmap) as (klad, _):
        Projector(app, klad).herbouw()
        for tabel in KOLOMMEN:
            with opslag.rijen_naast(tabel, klad) as (live, replay):
                gelezen = list(live), list(replay)
            with SqlLeesmodelopslag.rijen_naast(opslag, tabel, klad) as (live, replay):
                alle = list(live), list(replay)
            assert vergelijk_tabel(tabel, *gelezen) == vergelijk_tabel(tabel, *alle), tabel
            if tabel == "leesmodel_trajecten":
                assert len(alle[0]) == len(inhoud[tabel]) == 6  # every row of both was there to compare with
            if instellingen.database_url is None:
                assert gelezen == alle, tabel
                continue
            # The keys of the rows read, live's then the replay's: both sides of a changed row, the one side of a removed one.
            verwacht = {"leesmodel_trajecten": sorted([eerste[0], tweede[0]]) * 2, "leesmodel_signaleringen": [weg[0]]}.get(tabel, [])
            assert [r[0] for r in gelezen[0] + gelezen[1]] == verwacht, tabel


class _AnderProces:
    """The live store while another process keeps writing and projecting: before each read of a table's
    rows a new trajectory lands in the log and in the live read models, `keer` times."""

    def __init__(self, opslag: SqlLeesmodelopslag, app: Inburgering, keer: int) -> None:
        self._opslag, self._app, self.keer = opslag, app, keer

    def __getattr__(self, naam: str) -> Any:
        return getattr(self._opslag, naam)

    def rijen_naast(self, tabel: str, ander: SqlLeesmodelopslag) -> AbstractContextManager[tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]]]]:
        if self.keer:
            self.keer -= 1
            willekeurige_geschiedenis(self._app, None, aantal=1, zaad=100 + self.keer)
            Projector(self._app, self._opslag).bij()
        return self._opslag.rijen_naast(tabel, ander)


def test_each_report_figure_is_compared_by_its_whole_key(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, kladmap: Path
) -> None:
    """A report figure's key is (traject_id, jaar, maat, sleutel). The replay compared them by the first four
    columns (traject_id, gemeente, jaar, maat), so of the figures of one maat only one was compared: a changed
    other one went unreported."""
    willekeurige_geschiedenis(app, None, aantal=6, zaad=5)
    Projector(app, opslag).bij()
    cijfers = opslag.inhoud()["leesmodel_rapportcijfers"]  # (traject_id, gemeente, jaar, maat, sleutel, aantal, centen)
    groepen: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for rij in cijfers:
        groepen.setdefault((rij[0], rij[2], rij[3]), []).append(rij)
    rijen = next(rijen for rijen in groepen.values() if len(rijen) > 1)
    for rij in rijen:  # every figure of the maat: whichever one a comparison by four columns kept, one was changed
        _voer_uit(instellingen, "UPDATE {s}leesmodel_rapportcijfers SET aantal = aantal + 7 WHERE traject_id = %s AND jaar = %s "
                  "AND maat = %s AND sleutel = %s", (rij[0], rij[2], rij[3], rij[4]))

    verschil = vergelijk_met_replay(app, opslag, instellingen, kladmap=kladmap)

    anders = verschil.tabellen["leesmodel_rapportcijfers"].anders
    assert sorted(anders, key=lambda r: r.sleutel) == sorted(
        [Rijverschil((rij[0], rij[2], rij[3], rij[4]), {"aantal": (rij[5] + 7, rij[5])}) for rij in rijen], key=lambda r: r.sleutel)
    assert f"~ traject_id={rijen[0][0]}, jaar={rijen[0][2]}, maat={rijen[0][3]}, sleutel={rijen[0][4]}" in verschil.tekst()


def test_rows_out_of_key_order_are_refused_rather_than_reported_missing() -> None:
    """The comparison merges both sides in key order; rows in another order (a database that sorts text by its
    language) would make present rows look missing, so they stop the comparison instead."""
    rij = ("0505", "d", None, "lopend", None, "2026-01-01", None, "{}", None)
    with pytest.raises(ValueError, match="niet in sleutelvolgorde"):
        vergelijk_tabel("leesmodel_trajecten", [("b", *rij), ("a", *rij)], [("a", *rij), ("b", *rij)])


def test_a_log_that_keeps_moving_is_reported_as_such_not_as_a_difference(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, kladmap: Path
) -> None:
    willekeurige_geschiedenis(app, None, aantal=3, zaad=9)
    druk = _AnderProces(opslag, app, keer=13)

    verschil = vergelijk_met_replay(app, druk, instellingen, kladmap=kladmap, pogingen=3)  # type: ignore[arg-type]

    assert druk.keer == 13 - 4 * 3  # a write before each table is read: four tables a round, three rounds
    assert not verschil.gelijk and not verschil.verschilt
    kop = app.recorder.max_notification_id()
    assert verschil.niet_vergeleken == {"trajectenlijst": (kop, verschil.niet_vergeleken["trajectenlijst"][1]),
                                        "signaleringen": (kop, verschil.niet_vergeleken["signaleringen"][1])}
    assert all(replay < kop for _, replay in verschil.niet_vergeleken.values())
    assert "trajectenlijst: niet vergeleken, het log bewoog" in verschil.tekst()
    assert _kladresten(instellingen, kladmap) == []


def test_a_log_that_moved_once_is_followed_and_then_compared(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, kladmap: Path
) -> None:
    willekeurige_geschiedenis(app, None, aantal=3, zaad=9)
    kop_voor = app.recorder.max_notification_id()

    verschil = vergelijk_met_replay(app, _AnderProces(opslag, app, keer=1), instellingen, kladmap=kladmap)  # type: ignore[arg-type]

    kop = app.recorder.max_notification_id()
    assert kop > kop_voor
    assert verschil.gelijk and verschil.posities == {"trajectenlijst": kop, "signaleringen": kop}
    assert len(opslag.inhoud()["leesmodel_trajecten"]) == 4


def test_the_scratch_store_is_removed_when_the_replay_fails(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, kladmap: Path
) -> None:
    willekeurige_geschiedenis(app, None, aantal=2, zaad=1)
    gezien: list[list[str]] = []

    def faal(naam: str, positie: int, kop: int) -> None:
        gezien.append(_kladresten(instellingen, kladmap))
        raise RuntimeError("onderbroken")

    with pytest.raises(RuntimeError, match="onderbroken"):
        vergelijk_met_replay(app, opslag, instellingen, faal, kladmap=kladmap)
    assert len(gezien) == 1 and gezien[0]
    assert _kladresten(instellingen, kladmap) == []


def test_the_diff_shows_json_documents_per_key_and_cuts_long_lists() -> None:
    live = json.dumps({"a": 1, "lijst": [{"stap": 1}], "weg": True, "getal": 1})
    replay = json.dumps({"a": 1, "lijst": [{"stap": 2}, {"stap": 3}], "nieuw": None, "getal": 1.0})
    rij = ("id-1", "0505", "d", None, "lopend", None, "2026-01-01", None)
    tabel = vergelijk_tabel(
        "leesmodel_trajecten",
        [(*rij, live, None)] + [(f"x{i}", *rij[1:], "{}", None) for i in range(5)],
        [(*rij, replay, None)],
    )
    verschil = Verschil(klad="-", posities={}, tabellen={"leesmodel_trajecten": tabel}, niet_vergeleken={})

    assert [r.sleutel for r in tabel.anders] == [("id-1",)] and len(tabel.alleen_live) == 5
    assert verschil.tekst(max_regels=2).splitlines() == [
        "leesmodel_trajecten: 1 rij(en) anders, 5 alleen live, 0 alleen in replay",
        "  ~ traject_id=id-1",
        "      document.getal: 1 -> 1.0",
        "      document.lijst[0].stap: 1 -> 2",
        '      document.lijst[1]: (ontbreekt) -> {"stap": 3}',
        "      document.nieuw: (ontbreekt) -> null",
        "      document.weg: true -> (ontbreekt)",
        '  - traject_id=x0 (gemeente="0505", doelgroep="d", leerroute=null, status="lopend", regisseur=null, '
        'startdatum="2026-01-01", eerstvolgende_deadline=null)',
        '  - traject_id=x1 (gemeente="0505", doelgroep="d", leerroute=null, status="lopend", regisseur=null, '
        'startdatum="2026-01-01", eerstvolgende_deadline=null)',
        "  ... en nog 3 rij(en)",
    ]


# -- the command line ---------------------------------------------------------------------------


def test_the_cli_exits_0_on_intact_read_models_and_1_with_the_diff_on_tampered_ones(
    instellingen: Settings, app: Inburgering, opslag: SqlLeesmodelopslag, kladmap: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(kladmap))  # the CLI's scratch file, where the test can see it
    willekeurige_geschiedenis(app, None, aantal=4, zaad=12)
    runner, env = CliRunner(), cli_omgeving(instellingen)

    intact = runner.invoke(cli_module.cli, ["replay"], env=env)
    assert intact.exit_code == 0, intact.output
    assert intact.stdout.startswith("Gelijk:")

    traject_id = opslag.inhoud()["leesmodel_trajecten"][0][0]
    _voer_uit(instellingen, "UPDATE {s}leesmodel_trajecten SET status = 'vervalst' WHERE traject_id = %s", (traject_id,))
    vervalst = runner.invoke(cli_module.cli, ["replay"], env=env)
    assert vervalst.exit_code == 1, vervalst.output
    assert f"~ traject_id={traject_id}" in vervalst.stdout and 'status: "vervalst" -> ' in vervalst.stdout
    assert "Gelijk" not in vervalst.stdout
    assert _kladresten(instellingen, kladmap) == []


def test_the_cli_exits_2_when_the_log_kept_moving(
    sqlite_instellingen: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    bewogen = Verschil(klad="-", posities={}, tabellen={}, niet_vergeleken={"signaleringen": (12, 10)})
    monkeypatch.setattr(cli_module, "vergelijk_met_replay", lambda *_, **__: bewogen)

    uitkomst = CliRunner().invoke(cli_module.cli, ["replay"], env=cli_omgeving(sqlite_instellingen))

    assert uitkomst.exit_code == 2, uitkomst.output
    assert "signaleringen: niet vergeleken, het log bewoog (live op 12, replay op 10)" in uitkomst.stdout
    assert "Het log bleef bewegen" in uitkomst.stderr
