"""A new person's registration and their first keys: one write of the key store's database, all or nothing."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from psycopg import sql

from adapters.settings import Settings
from domain import commandos
from domain.application import Actor, Inburgering
from domain.metadata import Metadata
from domain.persoon import Persoonsregistratie, TrajectBestaatAlError
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Rol
from tests.builders import door, een_bsn

REGISSEUR = Actor("regisseur-0505", Rol.REGISSEUR, frozenset({Gemeente.DORDRECHT}), "registratie")
DUO = Actor("duo", Rol.DUO, frozenset(Gemeente), "registratie")


def start(bsn: str) -> commandos.Start:
    return commandos.Start(Inburgeringstraject.start_na_tvs_profiel, datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=bsn)


@dataclass
class Sleuteldatabase:
    """The key store's database, as another process sees it."""

    sqlite: bool
    verbinding: sqlite3.Connection | psycopg.Connection[Any]

    def voer_uit(self, opdracht: str, *waarden: object) -> list[Any]:
        """One statement, committed at once; `%s` placeholders on either store."""
        cursor = self.verbinding.execute(opdracht.replace("%s", "?") if self.sqlite else opdracht, waarden)  # type: ignore[arg-type]
        return list(cursor.fetchall()) if cursor.description else []


@contextmanager
def sleuteldatabase(instellingen: Settings) -> Iterator[Sleuteldatabase]:
    if instellingen.database_url is None:
        with closing(sqlite3.connect(instellingen.sqlite_sleutel_pad, isolation_level=None)) as verbinding:
            yield Sleuteldatabase(True, verbinding)
        return
    with psycopg.connect(instellingen.sleutel_database_url or instellingen.database_url, autocommit=True) as pg:
        pg.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(instellingen.database_schema)))
        yield Sleuteldatabase(False, pg)


def sleutels_van(instellingen: Settings, houder: uuid.UUID) -> int:
    with sleuteldatabase(instellingen) as db:
        return int(db.voer_uit("SELECT count(*) FROM inburgering_sleutels WHERE houder = %s", str(houder))[0][0])


@contextmanager
def sleutels_geweigerd(instellingen: Settings) -> Iterator[None]:
    """Every new key is refused by the database (a trigger), until the block ends."""
    with sleuteldatabase(instellingen) as db:
        if db.sqlite:
            db.voer_uit("CREATE TRIGGER geen_sleutels BEFORE INSERT ON inburgering_sleutels BEGIN SELECT RAISE(ABORT, 'geen nieuwe sleutels'); END")
        else:
            db.voer_uit("CREATE FUNCTION geen_sleutels() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'geen nieuwe sleutels'; END $$")
            db.voer_uit("CREATE TRIGGER geen_sleutels BEFORE INSERT ON inburgering_sleutels FOR EACH ROW EXECUTE FUNCTION geen_sleutels()")
        try:
            yield
        finally:
            db.voer_uit("DROP TRIGGER geen_sleutels" if db.sqlite else "DROP TRIGGER geen_sleutels ON inburgering_sleutels")


def test_a_start_whose_keys_cannot_be_made_leaves_no_registration_behind(app: Inburgering, instellingen: Settings) -> None:
    bsn = een_bsn()
    with sleutels_geweigerd(instellingen), pytest.raises((sqlite3.IntegrityError, psycopg.Error), match="geen nieuwe sleutels"):
        app.start_traject(start(bsn), REGISSEUR)

    # Registration and keys are one write: the refused keys took the registration with them.
    assert app.personen.zoek(bsn) is None
    traject = app.start_traject(start(bsn), REGISSEUR).traject  # the same person, once keys can be made again
    persoon_id = app.personen.zoek(bsn)
    assert persoon_id is not None and traject.id in app.repository.get(persoon_id).trajecten
    assert sleutels_van(instellingen, persoon_id) == 1  # the person's long-term key, made with the registration
    assert app.zoek_trajecten(bsn, REGISSEUR)[0].id == traject.id


def test_of_two_requests_registering_one_bsn_only_the_first_save_opens_a_trajectory(app: Inburgering, instellingen: Settings) -> None:
    bsn = een_bsn()
    te_laat = app.personen.registreer(bsn)  # proposed, not yet written: its save comes after the other's
    assert te_laat.nieuw
    eerste = app.start_traject(start(bsn), REGISSEUR).traject

    persoon = Persoonsregistratie.nieuw(te_laat.persoon_id, door())
    persoon.koppel(uuid.uuid4(), door(), Metadata.van(door(), namens=Gemeente.DORDRECHT))  # its link needs a key
    with pytest.raises(IntegrityError):  # as any concurrent save: the API answers 409
        app.save(persoon)

    assert app.personen.zoek(bsn) not in (None, te_laat.persoon_id)
    assert [t.id for t in app.zoek_trajecten(bsn, REGISSEUR)] == [eerste.id]
    assert sleutels_van(instellingen, te_laat.persoon_id) == 0  # nothing of the late one was written


def test_a_new_person_saved_without_any_personal_field_is_still_registered(app: Inburgering, instellingen: Settings) -> None:
    bsn = een_bsn()
    voorstel = app.personen.registreer(bsn)
    app.save(Persoonsregistratie.nieuw(voorstel.persoon_id, door()))  # only its creation: no key to make

    assert app.personen.zoek(bsn) == voorstel.persoon_id
    assert sleutels_van(instellingen, voorstel.persoon_id) == 0


def test_a_start_for_a_bsn_registered_before_is_opened_on_that_registration_and_its_refused_proposal_leaves_nothing(
    app: Inburgering, instellingen: Settings
) -> None:
    bsn = een_bsn()
    eerste = app.start_traject(start(bsn), REGISSEUR).traject
    persoon_id = app.personen.zoek(bsn)
    app.voer_uit(eerste.id, commandos.Commando(Inburgeringstraject.registreer_vrijstelling, datum=date(2025, 2, 1), grond="diploma"), DUO)
    with sleuteldatabase(instellingen) as db:
        sleutels_voor = db.voer_uit("SELECT count(*) FROM inburgering_sleutels")[0][0]

    # A start does not read the register first: it proposes a new registration, which the key store refuses
    # for a known BSN, and then starts once more from the registration it reads.
    tweede = app.start_traject(start(bsn), REGISSEUR).traject

    assert persoon_id is not None and app.personen.zoek(bsn) == persoon_id
    assert app.repository.get(persoon_id).trajecten == [eerste.id, tweede.id]
    with sleuteldatabase(instellingen) as db:
        assert db.voer_uit("SELECT persoon_id FROM inburgering_personen") == [(str(persoon_id),)]
        sleutels_na = db.voer_uit("SELECT count(*) FROM inburgering_sleutels")[0][0]
    assert sleutels_na - sleutels_voor == sleutels_van(instellingen, tweede.id) > 0  # the new trajectory's keys, no others


def test_a_second_start_while_the_first_runs_is_refused_by_the_rule_not_by_the_refused_proposal(app: Inburgering) -> None:
    bsn = een_bsn()
    eerste = app.start_traject(start(bsn), REGISSEUR).traject

    with pytest.raises(TrajectBestaatAlError):
        app.start_traject(start(bsn), REGISSEUR)
    assert [t.id for t in app.zoek_trajecten(bsn, REGISSEUR)] == [eerste.id]
