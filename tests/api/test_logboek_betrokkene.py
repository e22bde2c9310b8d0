"""The access log names the person without key work per record (issue 12): the BSN's ciphertext as the
event store holds it, taken from the read model for a list, looked up once per trajectory otherwise."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from adapters.crypto import hoofdsleutel
from adapters.logboek import Logboek, betrokkene_context
from adapters.settings import Settings
from adapters.sleutelkluis import Sleutelkluis
from adapters.sqlverbinding import PostgresVerbinding, SqliteVerbinding
from domain.persoonsgegevens import LANG
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels


class TellendeKluis(Sleutelkluis):
    """The key store, counting what the log asks of it."""

    aanroepen: list[str]

    def actieve_sleutel(self, *args: Any, **kwargs: Any) -> tuple[str, bytes]:
        self.aanroepen.append("actieve_sleutel")
        return super().actieve_sleutel(*args, **kwargs)

    def sleutel(self, sleutel_id: str) -> bytes | None:
        self.aanroepen.append("sleutel")
        return super().sleutel(sleutel_id)

    def versleutel(self, *args: Any, **kwargs: Any) -> dict[str, str]:
        self.aanroepen.append("versleutel")
        return super().versleutel(*args, **kwargs)

    def ontsleutel(self, envelop: dict[str, str], context: bytes) -> bytes | None:
        self.aanroepen.append("ontsleutel")
        return super().ontsleutel(envelop, context)


class TellendeGebeurtenissen:
    """The event store's recorder, counting the log's reads."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.gelezen: list[UUID] = []

    def select_events(self, originator_id: UUID, *, lte: int | None = None) -> Sequence[StoredEvent]:
        self.gelezen.append(originator_id)
        return self.recorder.select_events(originator_id, lte=lte)


@dataclass
class Geteld:
    logboek: Logboek
    kluis: TellendeKluis
    gebeurtenissen: TellendeGebeurtenissen

    def records(self, trace_id: str) -> list[dict[str, Any]]:
        """The LDV records of a trace, once written; what the log asked so far is kept, reading it is not counted."""
        assert self.logboek.wacht_tot_geschreven()
        gevraagd = list(self.kluis.aanroepen)
        records = self.logboek.verwerkingen(trace_id)
        self.kluis.aanroepen[:] = gevraagd
        return records

    def bsn(self, record: dict[str, Any]) -> str | None:
        gevraagd = list(self.kluis.aanroepen)
        try:
            return self.logboek.betrokkene(record)
        finally:
            self.kluis.aanroepen[:] = gevraagd


@pytest.fixture
def geteld(api: TestClient, instellingen: Settings) -> Iterator[Geteld]:
    """The app's log, rebuilt on a counting key store and recorder (same tables, same keys)."""
    staat = api.app.state  # type: ignore[attr-defined]
    staat.logboek.close()
    url = instellingen.sleutel_database_url or instellingen.database_url
    kluis = TellendeKluis(
        SqliteVerbinding(instellingen.sqlite_sleutel_pad, wis_grondig=True) if url is None
        else PostgresVerbinding(url, instellingen.database_schema),
        hoofdsleutel(instellingen), cache_seconden=0,  # another instance: it sees a destroyed key at once
    )
    kluis.aanroepen = []
    verbinding = (SqliteVerbinding(instellingen.sqlite_pad) if instellingen.database_url is None
                  else PostgresVerbinding(instellingen.database_url, instellingen.database_schema))
    gebeurtenissen = TellendeGebeurtenissen(staat.inburgering.recorder)
    staat.logboek = Logboek(verbinding, kluis, gebeurtenissen, {"service.name": "inburgering-api"})
    yield Geteld(staat.logboek, kluis, gebeurtenissen)
    staat.logboek.wacht_tot_geschreven()
    kluis.close()


def _trace() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def _start(api: TestClient, als: Kopregels, bsn: str, traceparent: str | None = None) -> str:
    antwoord = api.post("/api/v1/trajecten", json=tvs_start(bsn), headers=als("regisseur", "0505") | ({"traceparent": traceparent} if traceparent else {}))
    assert antwoord.status_code == 201, antwoord.text
    return str(antwoord.json()["trajectId"])


def test_a_list_page_costs_the_key_store_and_the_event_store_nothing_per_person(
    api: TestClient, als: Kopregels, geteld: Geteld
) -> None:
    # Given a gemeente with eight persons
    personen = {_start(api, als, bsn): bsn for bsn in (een_bsn() for _ in range(8))}
    assert geteld.logboek.wacht_tot_geschreven()
    geteld.kluis.aanroepen.clear()
    geteld.gebeurtenissen.gelezen.clear()
    # When a regisseur reads the list
    trace_id, traceparent = _trace()
    assert api.get("/api/v1/trajecten", headers=als("regisseur", "0505", traceparent=traceparent)).status_code == 200
    records = geteld.records(trace_id)
    # Then the log asked neither store anything: the references came with the read model's rows
    assert (geteld.kluis.aanroepen, geteld.gebeurtenissen.gelezen) == ([], [])
    # ... and each record still names its person, as the event store holds the BSN
    assert {r["attributes"]["inburgering.traject_id"]: geteld.bsn(r) for r in records} == personen
    assert all(set(json.loads(r["attributes"]["dpl.core.data_subject_id"])) == {"_versleuteld"} for r in records)


def test_a_start_a_read_and_a_command_name_the_person_without_reading_the_log_again_or_decrypting(
    api: TestClient, als: Kopregels, geteld: Geteld
) -> None:
    regisseur = als("regisseur", "0505")
    bsn = een_bsn()
    starten, traceparent = _trace()
    traject_id = _start(api, als, bsn, traceparent)
    lezen, traceparent = _trace()
    assert api.get(f"/api/v1/trajecten/{traject_id}", headers=regisseur | {"traceparent": traceparent}).status_code == 200
    commando, traceparent = _trace()
    assert api.post(f"/api/v1/trajecten/{traject_id}/kennisgevingen", json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"},
                    headers=regisseur | {"traceparent": traceparent}).status_code == 201
    [gestart], [gelezen], [uitgevoerd] = geteld.records(starten), geteld.records(lezen), geteld.records(commando)
    # The start's record took the reference from the first event it stored in the same transaction, the others
    # from what the log kept of it: the store was not read for it. The BSN stays encrypted; the key store was
    # only asked whether the key still exists (the forgetting rule), never to encrypt or decrypt.
    assert geteld.gebeurtenissen.gelezen == []
    assert set(geteld.kluis.aanroepen) == {"sleutel"}
    assert geteld.bsn(gestart) == geteld.bsn(gelezen) == geteld.bsn(uitgevoerd) == bsn


def test_a_reference_written_before_issue_12_still_resolves_until_the_person_is_forgotten(
    api: TestClient, als: Kopregels, geteld: Geteld
) -> None:
    # A record of the old format: the BSN encrypted for the log itself, under the trajectory's long-term key.
    bsn = een_bsn()
    traject_id = _start(api, als, bsn)
    envelop = geteld.kluis.versleutel(UUID(traject_id), LANG, bsn.encode(), betrokkene_context(UUID(traject_id)))
    oud = {"attributes": {"inburgering.traject_id": traject_id, "dpl.core.data_subject_id": json.dumps(envelop, sort_keys=True)}}
    assert geteld.bsn(oud) == bsn
    assert api.post(f"/api/v1/trajecten/{traject_id}/verwijderingen", json={"grond": "overlijden", "overlijdensdatum": "2025-03-01"},
                    headers=als("regisseur", "0505")).status_code == 201
    assert geteld.bsn(oud) is None
