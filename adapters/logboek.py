"""The access log, shaped after the Logius Logboek Dataverwerkingen (LDV), and the audit log beside it.

One LDV record per person per request that processed their data: trace and operation ids (W3C Trace
Context), the operation's name, status, start and end, the processing activity and the person as an
encrypted id. No user identity, as LDV decided: who did it goes to the audit log, one row per request,
joined on the request's operation id (`parent_operation_id` of its LDV records).

The person is the BSN encrypted under the trajectory's long-term data key, so forgetting the person
(destroying that key) makes the log's reference to them unreadable too, while the record of the
processing itself remains.

Every request is recorded, also a rejected or odd one: each text value goes through `opslagbaar`
(adapters/opslagtekst.py) on its way in, so a NUL or a lone surrogate in a path, a route name or a
token's claims reads as U+FFFD instead of failing the insert on PostgreSQL and losing the record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from adapters.opslagtekst import opslagbaar
from adapters.sleutelkluis import Sleutelkluis, SleutelVernietigdError
from adapters.sqlverbinding import Verbinding
from domain.persoonsgegevens import LANG
from domain.verwerkingsactiviteiten import Verwerkingsactiviteit

SCHEMA = """
CREATE TABLE IF NOT EXISTS {s}inburgering_dataverwerkingen (
    operation_id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, parent_operation_id TEXT NOT NULL, name TEXT NOT NULL,
    status_code INTEGER NOT NULL, start_time TEXT NOT NULL, end_time TEXT NOT NULL, resource TEXT NOT NULL,
    attributes TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS inburgering_dataverwerkingen_trace ON {s}inburgering_dataverwerkingen (trace_id);
CREATE TABLE IF NOT EXISTS {s}inburgering_auditlog (
    operation_id TEXT PRIMARY KEY, trace_id TEXT NOT NULL, tijdstip TEXT NOT NULL, gebruiker TEXT, rol TEXT,
    gemeenten TEXT, actie TEXT NOT NULL, object TEXT NOT NULL, resultaat INTEGER NOT NULL, oorsprong TEXT)
"""
LDV_KOLOMMEN = ("operation_id", "trace_id", "parent_operation_id", "name", "status_code", "start_time", "end_time", "resource", "attributes")
AUDIT_KOLOMMEN = ("operation_id", "trace_id", "tijdstip", "gebruiker", "rol", "gemeenten", "actie", "object", "resultaat", "oorsprong")
STATUS_OK, STATUS_FOUT = 1, 2  # LDV status_code (0 is unknown)


@dataclass(frozen=True)
class Dataverwerking:
    """That the data of the person of one trajectory were processed, under one activity."""

    operation_id: str
    traject_id: UUID
    activiteit: Verwerkingsactiviteit


@dataclass(frozen=True)
class Verzoek:
    """One request: the operation that groups the processings, and who asked for it."""

    trace_id: str
    operation_id: str
    aanroeper_id: str | None  # the caller's span from its traceparent: LDV's foreign operation
    naam: str
    start: str
    eind: str
    http_status: int
    actie: str
    object: str
    gebruiker: str | None
    rol: str | None
    gemeenten: Sequence[str]
    oorsprong: str | None


class Logboek:
    def __init__(self, verbinding: Verbinding, kluis: Sleutelkluis, bsn_van: Callable[[UUID], str | None], dienst: dict[str, str]) -> None:
        self._verbinding = verbinding
        self._kluis = kluis
        self._bsn_van = bsn_van
        self._resource = json.dumps(dienst, sort_keys=True)

    def maak_tabellen(self) -> None:
        with self._verbinding.transactie() as cursor:
            for opdracht in filter(str.strip, self._verbinding.sql(SCHEMA).split(";")):
                cursor.execute(opdracht)

    def close(self) -> None:
        self._verbinding.close()

    def leg_vast(self, verzoek: Verzoek, verwerkingen: Sequence[Dataverwerking]) -> None:
        """The request's audit row and its LDV records, in one transaction: all of them or none."""
        status = STATUS_OK if verzoek.http_status < 400 else STATUS_FOUT
        ldv = [
            (v.operation_id, verzoek.trace_id, verzoek.operation_id, verzoek.naam, status, verzoek.start, verzoek.eind,
             self._resource, json.dumps(self._attributen(v, verzoek), sort_keys=True))
            for v in verwerkingen
        ]
        audit = (verzoek.operation_id, verzoek.trace_id, verzoek.start, verzoek.gebruiker, verzoek.rol,
                 ",".join(verzoek.gemeenten), verzoek.actie, verzoek.object, verzoek.http_status, verzoek.oorsprong)
        with self._verbinding.transactie() as cursor:
            cursor.execute(self._invoegen("inburgering_auditlog", AUDIT_KOLOMMEN), opslagbaar(audit))
            for rij in ldv:
                cursor.execute(self._invoegen("inburgering_dataverwerkingen", LDV_KOLOMMEN), opslagbaar(rij))

    def _attributen(self, verwerking: Dataverwerking, verzoek: Verzoek) -> dict[str, Any]:
        attributen: dict[str, Any] = {
            "dpl.core.processing_activity_id": verwerking.activiteit.uri,
            "inburgering.traject_id": str(verwerking.traject_id),
        }
        if verzoek.aanroeper_id is not None:
            attributen["dpl.core.foreign_operation.trace_id"] = verzoek.trace_id
            attributen["dpl.core.foreign_operation.operation_id"] = verzoek.aanroeper_id
        bsn = self._bsn_van(verwerking.traject_id)
        if bsn is not None:  # a forgotten person is not identified again, not even encrypted
            try:
                envelop = self._kluis.versleutel(
                    verwerking.traject_id, LANG, bsn.encode(), betrokkene_context(verwerking.traject_id), uit_cache=True
                )
            except SleutelVernietigdError:
                return attributen  # forgotten while this request ran
            attributen["dpl.core.data_subject_id"] = json.dumps(envelop, sort_keys=True)
            attributen["dpl.core.data_subject_id_type"] = "BSN"
        return attributen

    # -- reading, for audits and tests -------------------------------------------------------

    def verwerkingen(self, trace_id: str) -> list[dict[str, Any]]:
        return self._lees("inburgering_dataverwerkingen", LDV_KOLOMMEN, trace_id)

    def auditregels(self, trace_id: str) -> list[dict[str, Any]]:
        return self._lees("inburgering_auditlog", AUDIT_KOLOMMEN, trace_id)

    def betrokkene(self, verwerking: dict[str, Any]) -> str | None:
        """The BSN of an LDV record, for the controller answering a request for access; None once forgotten."""
        envelop = verwerking["attributes"].get("dpl.core.data_subject_id")
        if envelop is None:
            return None
        bsn = self._kluis.ontsleutel(json.loads(envelop), betrokkene_context(UUID(verwerking["attributes"]["inburgering.traject_id"])))
        return None if bsn is None else bsn.decode()

    def _lees(self, tabel: str, kolommen: Sequence[str], trace_id: str) -> list[dict[str, Any]]:
        with self._verbinding.transactie(schrijven=False) as cursor:
            cursor.execute(
                self._verbinding.sql(f"SELECT {', '.join(kolommen)} FROM {{s}}{tabel} WHERE trace_id = %s ORDER BY operation_id"),
                (trace_id,),
            )
            rijen = [dict(zip(kolommen, rij, strict=True)) for rij in cursor.fetchall()]
        for rij in rijen:
            for veld in ("resource", "attributes"):
                if veld in rij:
                    rij[veld] = json.loads(rij[veld])
        return rijen

    def _invoegen(self, tabel: str, kolommen: Sequence[str]) -> str:
        return self._verbinding.sql(f"INSERT INTO {{s}}{tabel} ({', '.join(kolommen)}) VALUES ({', '.join(['%s'] * len(kolommen))})")


def betrokkene_context(traject_id: UUID) -> bytes:
    return f"ldv|{traject_id}".encode()
