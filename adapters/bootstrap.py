"""Composition root: builds the Inburgering application from settings."""

from __future__ import annotations

from adapters.crypto import ProductieInstellingError, bsn_sleutel, persoon_id_functie
from adapters.settings import Settings
from adapters.leesmodellen import PostgresLeesmodelopslag, SqliteLeesmodelopslag, SqlLeesmodelopslag
from domain.application import Inburgering, Klok


def bouw_applicatie(instellingen: Settings, klok: Klok) -> Inburgering:
    """One Application per process; the store follows the settings (SQLite file or PostgreSQL)."""
    if instellingen.is_productie and instellingen.database_url is None:
        raise ProductieInstellingError("INBURGERING_DATABASE_URL is verplicht in productie; SQLite is alleen voor ontwikkeling.")
    return Inburgering(
        env=instellingen.eventsourcing_env(),
        klok=klok,
        persoon_id=persoon_id_functie(bsn_sleutel(instellingen)),
    )


def bouw_leesmodelopslag(instellingen: Settings) -> SqlLeesmodelopslag:
    """The read models' store, next to the event store; its tables are created like the event store's."""
    if instellingen.database_url is None:
        opslag: SqlLeesmodelopslag = SqliteLeesmodelopslag(instellingen.sqlite_leesmodel_pad)
    else:
        opslag = PostgresLeesmodelopslag(instellingen.database_url, instellingen.database_schema)
    if instellingen.maak_tabellen:
        opslag.maak_tabellen()
    return opslag
