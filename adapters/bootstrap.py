"""Composition root: builds the Inburgering application from settings."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from adapters.abonnementen import Abonnementen
from adapters.clock import SysteemKlok
from adapters.crypto import bsn_sleutel, hoofdsleutel, ondertekensleutel, pseudoniem_functie, vorige_hoofdsleutels
from adapters.integriteit import Integriteitsstaat, bescherm_gebeurtenissen, rechten_van_de_applicatie
from adapters.keten import Controlepunten, KetenEventStore, OpslagVerbinding, PostgresKetenRecorder, SqliteKetenRecorder
from adapters.logboek import Logboek
from adapters.personen import SqlPersonenregister
from adapters.leesmodellen import PostgresLeesmodelopslag, SqliteLeesmodelopslag, SqlLeesmodelopslag
from adapters.settings import Settings
from adapters.sleutelkluis import Sleutelkluis
from adapters.startcontrole import controleer
from adapters.sqlverbinding import PostgresVerbinding, SqliteVerbinding, Verbinding, maak_schema
from adapters.versleuteling import VeldversleutelendeMapper
from domain.application import Inburgering, Klok


def bouw_applicatie(instellingen: Settings, klok: Klok) -> Inburgering:
    """One Application per process; the store follows the settings (SQLite file or PostgreSQL).
    Personal fields are encrypted with keys from the key store (adapters/versleuteling.py)."""
    controleer(instellingen)  # production: PostgreSQL, the keys apart, no generated key (adapters/settings.py)
    if instellingen.maak_tabellen:
        for url in dict.fromkeys(u for u in (instellingen.database_url, instellingen.sleutel_database_url) if u):
            maak_schema(url, instellingen.database_schema)
    kluis = bouw_sleutelkluis(instellingen)
    register = bouw_personenregister(instellingen)
    kluis.schrijf_registraties_mee(register)  # a new person's registration commits with their first keys
    sleutel = ondertekensleutel(instellingen)
    # The recorder writes the checkpoints with the events, in one transaction (adapters/keten.py).
    opnemer = PostgresKetenRecorder if instellingen.database_url else SqliteKetenRecorder
    app = Inburgering(
        env=instellingen.eventsourcing_env() | {"APPLICATION_RECORDER_TOPIC": f"{opnemer.__module__}:{opnemer.__qualname__}"},
        klok=klok,
        personen=register,
        sleutels=kluis,
        mapper=lambda transcoder: VeldversleutelendeMapper(transcoder, kluis),
        projectiemapper=lambda transcoder: VeldversleutelendeMapper(transcoder, kluis, ontsleutelen=False),
        event_store=lambda mapper, recorder: KetenEventStore(mapper, recorder, Controlepunten(OpslagVerbinding(recorder), sleutel)),
    )
    app.sluit_ook(app.personen.close)  # type: ignore[attr-defined]
    if instellingen.maak_tabellen:
        controlepunten_van(app).maak_tabellen()
        Integriteitsstaat(app.recorder).maak_tabellen()  # how far GET /integriteit verified, beside the checkpoints
        _neem_eerdere_controlepunten_over(instellingen, controlepunten_van(app))
        bescherm_gebeurtenissen(instellingen, app.recorder.events_table_name)  # type: ignore[attr-defined]
    return app


def _neem_eerdere_controlepunten_over(instellingen: Settings, controlepunten: Controlepunten) -> None:
    """Before they were written with the events, an embedded store kept its checkpoints in a file of their
    own: take them over once (their signatures still prove them), so its history keeps verifying."""
    eerder = instellingen.data_map / "controlepunten.db"
    if instellingen.database_url is not None or not eerder.exists():
        return
    with closing(sqlite3.connect(eerder)) as verbinding:
        controlepunten.neem_over(verbinding.execute(
            "SELECT originator_id, versie, hash, handtekening, vastgelegd FROM inburgering_controlepunten").fetchall())
    eerder.rename(eerder.with_suffix(".db.overgenomen"))


def bouw_personenregister(instellingen: Settings) -> SqlPersonenregister:
    """BSN pseudonym to person registration: beside the keys, apart from the events."""
    url = instellingen.sleutel_database_url or instellingen.database_url
    verbinding = (
        SqliteVerbinding(instellingen.sqlite_sleutel_pad, wis_grondig=True, wachttijd=instellingen.database_lock_timeout)
        if url is None
        else PostgresVerbinding(url, instellingen.database_schema)
    )
    register = SqlPersonenregister(verbinding, pseudoniem_functie(bsn_sleutel(instellingen)))
    if instellingen.maak_tabellen:
        register.maak_tabellen()
    return register


def controlepunten_van(app: Inburgering) -> Controlepunten:
    """The checkpoints of the application's chained event store (for verify and export)."""
    if not isinstance(app.events, KetenEventStore):
        raise TypeError("deze applicatie ketent haar gebeurtenissen niet")
    return app.events.controlepunten


def migreer(instellingen: Settings) -> None:
    """Schema, every table, the append-only trigger and the application role's rights, once, before the
    API workers start."""
    instellingen = instellingen.model_copy(update={"maak_tabellen": True})  # bouw_applicatie creates the schema
    app = bouw_applicatie(instellingen, SysteemKlok())
    try:
        bouw_leesmodelopslag(instellingen).close()
        bouw_logboek(instellingen, app, {}).close()
        bouw_abonnementen(instellingen, app).close()
        rechten_van_de_applicatie(instellingen, app.recorder.events_table_name)  # type: ignore[attr-defined]
    finally:
        app.close()


def bouw_logboek(instellingen: Settings, app: Inburgering, dienst: dict[str, str]) -> Logboek:
    """The access and audit log, in the events' own database (the SQLite file, or tables beside them), so that
    a command's records commit with its events. It names a person by the BSN's ciphertext in the trajectory's
    first event, read raw from the recorder, and asks the key store only whether that ciphertext's key still exists."""
    if app.sleutels is None or not isinstance(app.sleutels, Sleutelkluis):
        raise TypeError("het logboek kent betrokkenen alleen versleuteld, met de sleutelkluis van de applicatie")
    verbinding = (
        SqliteVerbinding(instellingen.sqlite_pad, wachttijd=instellingen.database_lock_timeout)
        if instellingen.database_url is None
        else PostgresVerbinding(instellingen.database_url, instellingen.database_schema)
    )
    logboek = Logboek(verbinding, app.sleutels, app.recorder, dienst)
    if instellingen.maak_tabellen:
        logboek.maak_tabellen()
        _neem_eerder_logboek_over(instellingen, verbinding)
    return logboek


def _neem_eerder_logboek_over(instellingen: Settings, verbinding: Verbinding) -> None:
    """Before a command's records were written with its events, an embedded store kept the log in a file of its
    own: take its rows over once, so that every record stays readable where the log is now."""
    eerder = instellingen.data_map / "logboek.db"
    if instellingen.database_url is not None or not eerder.exists():
        return
    with closing(sqlite3.connect(eerder)) as oud, verbinding.transactie() as cursor:
        for tabel in ("inburgering_auditlog", "inburgering_dataverwerkingen"):
            rijen = oud.execute(f"SELECT * FROM {tabel}").fetchall()  # noqa: S608 - our own table names
            if rijen:
                cursor.executemany(f"INSERT OR IGNORE INTO {tabel} VALUES ({', '.join(['?'] * len(rijen[0]))})", rijen)
    eerder.rename(eerder.with_suffix(".db.overgenomen"))


def bouw_sleutelkluis(instellingen: Settings) -> Sleutelkluis:
    """The data keys: a SQLite file of their own, or a table in PostgreSQL (by default beside the events)."""
    controleer(instellingen)  # production: the keys apart from the events (SLEUTEL_DATABASE_URL)
    url = instellingen.sleutel_database_url or instellingen.database_url
    verbinding = (
        SqliteVerbinding(instellingen.sqlite_sleutel_pad, wis_grondig=True, wachttijd=instellingen.database_lock_timeout)
        if url is None
        else PostgresVerbinding(url, instellingen.database_schema)
    )
    kluis = Sleutelkluis(verbinding, hoofdsleutel(instellingen), vorige=vorige_hoofdsleutels(instellingen),
                         cache_seconden=instellingen.sleutel_cache_seconden)
    if instellingen.maak_tabellen:
        kluis.maak_tabellen()
    return kluis


def bouw_leesmodelopslag(instellingen: Settings, gebeurtenissen: str | None = None) -> SqlLeesmodelopslag:
    """The read models' store, next to the event store; its tables are created like the event store's.
    `gebeurtenissen`: the event table, so that on PostgreSQL a read can check the read models against the head
    of the log in the same query."""
    if instellingen.database_url is None:
        opslag: SqlLeesmodelopslag = SqliteLeesmodelopslag(instellingen.sqlite_leesmodel_pad, instellingen.database_lock_timeout)
    else:
        opslag = PostgresLeesmodelopslag(instellingen.database_url, instellingen.database_schema, gebeurtenissen)
    if instellingen.maak_tabellen:
        opslag.maak_tabellen()
    return opslag


def bouw_abonnementen(instellingen: Settings, app: Inburgering) -> Abonnementen:
    """The subscriptions and their positions, beside the events (a position belongs to the log it points into)."""
    abonnementen = Abonnementen(OpslagVerbinding(app.recorder), hoofdsleutel(instellingen), vorige_hoofdsleutels(instellingen))
    if instellingen.maak_tabellen:
        abonnementen.maak_tabellen()
    return abonnementen
