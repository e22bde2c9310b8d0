"""Checking the event log against its hash chains and signed checkpoints (adapters/keten.py), exporting
one trajectory for offline verification, and making the stored events append-only in the database."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from eventsourcing.persistence import ApplicationRecorder
from psycopg import sql

from adapters.keten import NUL, Controlepunt, Controlepunten, ketenhash, per_aggregaat, splits
from adapters.settings import Settings

ALGORITME = (
    "h(0) = 32 nulbytes; h(n) = SHA-256(h(n-1) || voor originatorId, versie, topic en opgeslagen toestand zonder "
    'hash: lengte als 8 bytes big-endian gevolgd door de bytes (UTF-8)); de hash staat als laatste lid "_keten" '
    "in de opgeslagen JSON. Het controlepunt is een Ed25519-handtekening over "
    "'inburgering-controlepunt|<originatorId>|<versie>|<hash hex>'."
)


@dataclass(frozen=True)
class Bevinding:
    aggregaat_id: str
    versie: int | None
    soort: str
    uitleg: str


@dataclass
class Rapport:
    aggregaten: int = 0
    gebeurtenissen: int = 0
    bevindingen: list[Bevinding] = field(default_factory=list)

    @property
    def in_orde(self) -> bool:
        return not self.bevindingen


def controleer_keten(aggregaat_id: str, events: Iterable[tuple[int, str, bytes]], punt: Controlepunt | None,
                     publieke_sleutel: Ed25519PublicKey) -> list[Bevinding]:
    """The findings for one aggregate: (version, topic, stored state) in version order, and its checkpoint."""
    rijen = [(versie, topic, *splits(opgeslagen)) for versie, topic, opgeslagen in events]
    opgeslagen_hashes = {h for *_, h in rijen if h is not None} | {NUL}
    bevindingen: list[Bevinding] = []
    vorige, verwacht, hashes = NUL, 1, {}
    for versie, topic, state, opgeslagen_hash in rijen:
        ontbrak = versie > verwacht
        if ontbrak:
            bevindingen.append(Bevinding(aggregaat_id, verwacht, "ontbreekt", f"versie {verwacht} tot {versie - 1} ontbreekt"))
        if opgeslagen_hash is None:
            bevindingen.append(Bevinding(aggregaat_id, versie, "zonder-hash", "deze rij draagt geen ketenhash: met de hand ingevoegd of van voor de keten"))
            vorige = hashlib.sha256(state).digest()  # as the writer continues after a row without a hash
        else:
            # A row is in place when it follows from the row before it; or from some other stored row, in
            # which case the break lies with the rows before it (a swap), and they are the ones named.
            past = ketenhash(vorige, aggregaat_id, versie, topic, state) == opgeslagen_hash or any(
                ketenhash(kandidaat, aggregaat_id, versie, topic, state) == opgeslagen_hash for kandidaat in opgeslagen_hashes
            )
            if not past and not ontbrak:
                bevindingen.append(Bevinding(aggregaat_id, versie, "gewijzigd",
                                             "deze rij past niet in de keten: zij (of de rij ervoor) is gewijzigd, verplaatst of ingevoegd"))
            vorige = opgeslagen_hash  # go on from what is stored: each changed row is named on its own
        hashes[versie] = vorige
        verwacht = max(verwacht, versie + 1)
    laatste = verwacht - 1
    if punt is None:
        bevindingen.append(Bevinding(aggregaat_id, None, "zonder-controlepunt", "geen ondertekend controlepunt: niet door deze applicatie vastgelegd"))
        return bevindingen
    if not punt.is_echt(publieke_sleutel):
        bevindingen.append(Bevinding(aggregaat_id, punt.versie, "controlepunt-vervalst", "de handtekening van het controlepunt klopt niet"))
    if laatste < punt.versie:
        bevindingen.append(Bevinding(aggregaat_id, laatste + 1, "staart-verwijderd", f"het controlepunt staat op versie {punt.versie}, de opslag eindigt bij {laatste}"))
    elif hashes.get(punt.versie) != punt.hash:
        bevindingen.append(Bevinding(aggregaat_id, punt.versie, "afwijkend-controlepunt", "de keten komt op deze versie niet uit bij het controlepunt"))
    if laatste > punt.versie:
        bevindingen.append(Bevinding(aggregaat_id, punt.versie + 1, "niet-gedekt",
                                     f"versie {punt.versie + 1} tot en met {laatste} valt na het ondertekende controlepunt: "
                                     "niet door deze applicatie vastgelegd"))
    return bevindingen


def controleer(recorder: ApplicationRecorder, controlepunten: Controlepunten) -> Rapport:
    """Every aggregate in the store, and every checkpoint whose aggregate is gone. Safe while the
    application writes: a checkpoint commits with the events it covers, and the log is read up to its
    head before the checkpoints, so an aggregate whose checkpoint is ahead of what was read (saved
    meanwhile) is read again whole; an event no checkpoint covers was never the application's."""
    rapport, kop = Rapport(), recorder.max_notification_id() or 0
    groepen = dict(per_aggregaat(recorder, tot=kop))
    punten = controlepunten.alle()
    for aggregaat_id in sorted(groepen.keys() | punten.keys()):
        events = groepen.get(aggregaat_id, [])
        punt = punten.get(aggregaat_id)
        if punt is not None and (not events or events[-1].originator_version < punt.versie):
            events = list(recorder.select_events(UUID(aggregaat_id)))  # saved since the log was read
        if events:
            rapport.aggregaten += 1
            rapport.gebeurtenissen += len(events)
        rapport.bevindingen += _bevindingen(aggregaat_id, events, punt, controlepunten)
    return rapport


def _bevindingen(aggregaat_id: str, events: list[Any], punt: Controlepunt | None, controlepunten: Controlepunten) -> list[Bevinding]:
    if not events and punt is not None:
        return [Bevinding(aggregaat_id, 1, "verdwenen", f"het controlepunt noemt {punt.versie} versies, de opslag geen enkele")]
    rijen = ((e.originator_version, e.topic, e.state) for e in events)
    return controleer_keten(aggregaat_id, rijen, punt, controlepunten.publieke_sleutel)


class VerzegelenGeweigerdError(Exception):
    """The aggregate is not one that only lacks a checkpoint, or not at the version the operator examined."""


def verzegel_na_onderzoek(recorder: ApplicationRecorder, controlepunten: Controlepunten, aggregaat_id: UUID, versie: int) -> None:
    """Accept an aggregate's stored head as the application's own, after an operator examined the events that
    no checkpoint covers (events of a crash before checkpoints were written with their events, or facts
    recorded before chaining). Only when the chain itself is intact and `versie` is the head: a changed,
    removed or reordered event is never sealed over."""
    events = list(recorder.select_events(aggregaat_id))
    if not events:
        raise VerzegelenGeweigerdError(f"{aggregaat_id} heeft geen opgeslagen gebeurtenissen.")
    if events[-1].originator_version != versie:
        raise VerzegelenGeweigerdError(f"{aggregaat_id} staat op versie {events[-1].originator_version}, niet op {versie}.")
    ernstig = [b for b in _bevindingen(str(aggregaat_id), events, controlepunten.van(aggregaat_id), controlepunten)
               if b.soort not in ("niet-gedekt", "zonder-controlepunt")]
    _, hash_ = splits(events[-1].state)
    if ernstig or hash_ is None:
        redenen = "; ".join(f"versie {b.versie}: {b.soort}" for b in ernstig) or "de kop draagt geen ketenhash"
        raise VerzegelenGeweigerdError(f"{aggregaat_id} wordt niet verzegeld: {redenen}.")
    controlepunten.herzegel(str(aggregaat_id), versie, hash_)


# -- export and offline verification ---------------------------------------------------------


def exporteer(recorder: ApplicationRecorder, controlepunten: Controlepunten, aggregaat_id: UUID) -> dict[str, Any]:
    """One aggregate as stored, with its checkpoint and the public key: all an auditor needs offline.
    The checkpoint is read first and the events up to it, so a save in between does not show as a gap."""
    punt = controlepunten.van(aggregaat_id)
    return {
        "aggregaatId": str(aggregaat_id),
        "algoritme": ALGORITME,
        "gebeurtenissen": [
            {"versie": e.originator_version, "topic": e.topic, "opgeslagen": base64.b64encode(e.state).decode()}
            for e in recorder.select_events(aggregaat_id, lte=punt.versie if punt else None)
        ],
        "controlepunt": None if punt is None else {"versie": punt.versie, "hash": punt.hash.hex(), "handtekening": punt.handtekening.hex()},
        "publiekeSleutel": base64.b64encode(controlepunten.publieke_sleutel.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode(),
    }


def controleer_export(export: dict[str, Any], publieke_sleutel: bytes | None = None) -> list[Bevinding]:
    """Verify an export on its own. Pass the public key obtained separately from SDD; the one in the
    export only shows which key signed."""
    sleutel = Ed25519PublicKey.from_public_bytes(publieke_sleutel or base64.b64decode(export["publiekeSleutel"]))
    punt = export["controlepunt"]
    controlepunt = None if punt is None else Controlepunt(export["aggregaatId"], punt["versie"], bytes.fromhex(punt["hash"]), bytes.fromhex(punt["handtekening"]))
    rijen = ((e["versie"], e["topic"], base64.b64decode(e["opgeslagen"])) for e in export["gebeurtenissen"])
    return controleer_keten(export["aggregaatId"], rijen, controlepunt, sleutel)


def als_dict(rapport: Rapport) -> dict[str, Any]:
    return {"aggregaten": rapport.aggregaten, "gebeurtenissen": rapport.gebeurtenissen,
            "bevindingen": [asdict(b) for b in rapport.bevindingen]}


# -- append-only in the database ---------------------------------------------------------------


def bescherm_gebeurtenissen(instellingen: Settings, tabel: str) -> None:
    """No UPDATE, DELETE or TRUNCATE of stored events, whoever asks: a trigger refuses them (an owner or
    superuser must first drop it, which is itself a change an auditor can see). On PostgreSQL the
    application role, when named, is also granted no more than SELECT and INSERT."""
    if instellingen.database_url is None:
        with sqlite3.connect(instellingen.sqlite_pad) as verbinding:
            for actie in ("UPDATE", "DELETE"):
                verbinding.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {tabel}_geen_{actie.lower()} BEFORE {actie} ON {tabel} "
                    "BEGIN SELECT RAISE(ABORT, 'opgeslagen gebeurtenissen zijn onveranderlijk'); END"
                )
        return
    schema = sql.Identifier(instellingen.database_schema)
    with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
        verbinding.execute(sql.SQL(
            "CREATE OR REPLACE FUNCTION {}.inburgering_onveranderlijk() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'opgeslagen gebeurtenissen zijn onveranderlijk (%)', TG_OP; END $$"
        ).format(schema))
        verbinding.execute(sql.SQL(
            "CREATE OR REPLACE TRIGGER inburgering_onveranderlijk BEFORE UPDATE OR DELETE ON {}.{} "
            "FOR EACH ROW EXECUTE FUNCTION {}.inburgering_onveranderlijk()"
        ).format(schema, sql.Identifier(tabel), schema))
        verbinding.execute(sql.SQL(
            "CREATE OR REPLACE TRIGGER inburgering_onveranderlijk_truncate BEFORE TRUNCATE ON {}.{} "
            "FOR EACH STATEMENT EXECUTE FUNCTION {}.inburgering_onveranderlijk()"
        ).format(schema, sql.Identifier(tabel), schema))
        verbinding.execute(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {}.{} FROM PUBLIC").format(schema, sql.Identifier(tabel)))


def rechten_van_de_applicatie(instellingen: Settings, tabel: str) -> None:
    """The role the API runs as (INBURGERING_DATABASE_APP_ROL), after every table exists: reading and
    writing its own tables, only reading and adding stored events and checkpoints. TRUNCATE stays
    granted on the events because the library takes an EXCLUSIVE table lock to keep notification ids
    in commit order, and PostgreSQL lets only UPDATE, DELETE or TRUNCATE holders take it; the statement
    trigger refuses the TRUNCATE itself."""
    if instellingen.database_url is None or not instellingen.database_app_rol:
        return
    schema, rol = sql.Identifier(instellingen.database_schema), sql.Identifier(instellingen.database_app_rol)
    with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
        verbinding.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, rol))
        verbinding.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, rol))
        verbinding.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, rol))
        verbinding.execute(sql.SQL("REVOKE ALL ON {}.{} FROM {}").format(schema, sql.Identifier(tabel), rol))
        verbinding.execute(sql.SQL("GRANT SELECT, INSERT, TRUNCATE ON {}.{} TO {}").format(schema, sql.Identifier(tabel), rol))
        verbinding.execute(sql.SQL("REVOKE DELETE ON {}.inburgering_controlepunten FROM {}").format(schema, rol))
