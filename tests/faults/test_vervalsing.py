"""A fact forged with database write access, its chain hash computed correctly (the algorithm needs no
secret), is never built on: the next ordinary command is refused with an alarm, nothing is signed over
it, and `make verify` and GET /integriteit name the forged version."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import httpx2
import psycopg
import pytest
from psycopg import sql

from adapters.bootstrap import bouw_applicatie
from adapters.clock import SysteemKlok
from adapters.keten import ketenhash, met_hash, splits
from adapters.settings import Settings
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import Serverproces, cli

Sql = Callable[..., list[tuple[Any, ...]]]


@contextmanager
def _als_aanvaller(instellingen: Settings) -> Iterator[Sql]:
    """Plain SQL with write access, past the application: a SQLite file, or the PostgreSQL schema as a
    superuser who has switched the triggers off."""
    if instellingen.database_url is None:
        verbinding = sqlite3.connect(instellingen.sqlite_pad)
        try:
            yield lambda opdracht, *p: verbinding.execute(opdracht.replace("%s", "?"), p).fetchall()
            verbinding.commit()
        finally:
            verbinding.close()
        return
    with psycopg.connect(instellingen.database_url, autocommit=True) as pg:
        pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(instellingen.database_schema)))
        pg.execute("SET session_replication_role = replica")  # a superuser can; the application role cannot

        def uitvoeren(opdracht: str, *parameters: Any) -> list[tuple[Any, ...]]:
            cursor = pg.execute(opdracht, parameters)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

        yield uitvoeren


def _events_tabel(instellingen: Settings) -> str:
    app = bouw_applicatie(instellingen.model_copy(update={"maak_tabellen": False}), SysteemKlok())
    try:
        return str(app.recorder.events_table_name)  # type: ignore[attr-defined]
    finally:
        app.close()


PUNTEN = "inburgering_controlepunten"  # beside the events, in their database (adapters/keten.py)


def _rijen(instellingen: Settings, tabel: str, traject_id: str) -> list[tuple[int, str, bytes]]:
    sleutel = UUID(traject_id).hex if instellingen.database_url is None else traject_id  # SQLite keeps 32 hex digits
    with _als_aanvaller(instellingen) as sql_:
        rijen = sql_(f"SELECT originator_version, topic, state FROM {tabel} WHERE originator_id = %s ORDER BY originator_version", sleutel)
    return [(int(v), str(t), bytes(s)) for v, t, s in rijen]


def _controlepunt(instellingen: Settings, traject_id: str) -> tuple[Any, ...]:
    with _als_aanvaller(instellingen) as sql_:
        return tuple(sql_(f"SELECT versie, hash, handtekening FROM {PUNTEN} WHERE originator_id = %s", traject_id)[0])


def _vervals_volgend_feit(instellingen: Settings, tabel: str, traject_id: str) -> int:
    """Append a copy of the last fact (a harmless RegisseurToegewezen) as the next version, chained right."""
    *_, (versie, topic, laatste) = _rijen(instellingen, tabel, traject_id)
    assert topic == "Inburgeringstraject.RegisseurToegewezen"
    toestand, vorige = splits(laatste)
    assert vorige is not None
    vervalst = met_hash(toestand, ketenhash(vorige, traject_id, versie + 1, topic, toestand))
    sleutel = UUID(traject_id).hex if instellingen.database_url is None else traject_id
    with _als_aanvaller(instellingen) as sql_:
        sql_(f"INSERT INTO {tabel} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
             sleutel, versie + 1, topic, vervalst)
    return versie + 1


@pytest.mark.parametrize("ook_controlepunt", [False, True], ids=["feit", "feit-en-controlepunt"])
def test_a_forged_next_fact_is_refused_at_the_next_command_and_named(
    instellingen: Settings, als: Kopregels, ook_controlepunt: bool
) -> None:
    kop = als("regisseur", "0505")
    with Serverproces(instellingen) as server, httpx2.Client(base_url=server.basis, headers=kop, timeout=60) as http:
        start = http.post("/api/v1/trajecten", json=tvs_start(een_bsn()))
        assert start.status_code == 201, start.text
        traject_id, pad = start.json()["trajectId"], start.headers["Location"]
        toegewezen = http.post(f"{pad}/regisseur-toewijzingen", json={"datum": "2025-03-03", "regisseur": "r-1"})
        assert toegewezen.status_code == 201, toegewezen.text

        tabel = _events_tabel(instellingen)
        vervalst = _vervals_volgend_feit(instellingen, tabel, traject_id)
        if ook_controlepunt:
            # The attacker moves the checkpoint to the forged head too, but cannot sign it.
            *_, (_, _, kop_state) = _rijen(instellingen, tabel, traject_id)
            with _als_aanvaller(instellingen) as sql_:
                sql_(f"UPDATE {PUNTEN} SET versie = %s, hash = %s WHERE originator_id = %s",
                     vervalst, splits(kop_state)[1].hex(), traject_id)  # type: ignore[union-attr]
        opgeslagen, punt = _rijen(instellingen, tabel, traject_id), _controlepunt(instellingen, traject_id)

        antwoord = http.post(f"{pad}/regisseur-toewijzingen", json={"datum": "2025-03-04", "regisseur": "r-2"})
        assert antwoord.status_code >= 500, f"{antwoord.status_code}: gebouwd op het vervalste feit (ETag {antwoord.headers.get('ETag')})"
        assert antwoord.headers["Content-Type"] == "application/problem+json", antwoord.text
        assert antwoord.json()["code"] == "integriteitsalarm", antwoord.text
        assert _rijen(instellingen, tabel, traject_id) == opgeslagen  # nothing built on it...
        assert _controlepunt(instellingen, traject_id) == punt  # ...and nothing signed over it

        rapport = http.get("/api/v1/integriteit", headers=als("auditor")).json()
        assert {(b["aggregaatId"], b["versie"]) for b in rapport["bevindingen"]} >= {(traject_id, vervalst)}, rapport
    alarm = [regel for regel in server.uitvoer.splitlines() if "CRITICAL" in regel and traject_id in regel]
    assert alarm, f"geen CRITICAL-regel die {traject_id} noemt in de uitvoer van de server:\n{server.uitvoer}"

    verificatie = cli(instellingen, "verifieer")
    assert verificatie.returncode == 1, verificatie.stdout + verificatie.stderr
    assert f"{traject_id} versie {vervalst}:" in verificatie.stdout, verificatie.stdout
