"""Access logging after the Logboek Dataverwerkingen, with W3C Trace Context, and the audit log beside it."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from uuid import UUID

import pytest

from fastapi.testclient import TestClient

from adapters.logboek import Logboek
from api.serverlog import GEEN_ROUTE
from domain import verwerkingsactiviteiten as register
from domain.application import Inburgering
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")


def _trace() -> tuple[str, str]:
    trace_id, ouder = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, f"00-{trace_id}-{ouder}-01"


def _start(api: TestClient, als: Kopregels, bsn: str, gemeente: str = "0505") -> str:
    antwoord = api.post("/api/v1/trajecten", json=tvs_start(bsn, gemeente), headers=als("regisseur", gemeente))
    assert antwoord.status_code == 201, antwoord.text
    return str(antwoord.json()["trajectId"])


def test_a_read_continues_the_callers_trace_and_logs_the_person_encrypted(api: TestClient, als: Kopregels) -> None:
    bsn = een_bsn()
    traject_id = _start(api, als, bsn)
    trace_id, traceparent = _trace()
    antwoord = api.get(f"/api/v1/trajecten/{traject_id}", headers=als("regisseur", "0505", traceparent=traceparent))
    assert antwoord.status_code == 200
    teruggegeven = TRACEPARENT.match(antwoord.headers["traceparent"])
    assert teruggegeven and teruggegeven.group(1) == trace_id and teruggegeven.group(2) != traceparent[36:52]

    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]
    [verwerking] = logboek.verwerkingen(trace_id)
    assert (verwerking["name"], verwerking["status_code"], verwerking["parent_operation_id"]) == ("lees-traject", 1, teruggegeven.group(2))
    assert re.fullmatch(r"[0-9a-f]{16}", verwerking["operation_id"])
    attributen = verwerking["attributes"]
    assert attributen["dpl.core.processing_activity_id"] == register.TRAJECTREGIE.uri
    assert attributen["inburgering.traject_id"] == traject_id
    assert bsn not in json.dumps(verwerking) and logboek.betrokkene(verwerking) == bsn  # encrypted, not hashed away
    assert verwerking["resource"]["service.name"] == "inburgering-api"
    assert "gebruiker" not in json.dumps(verwerking) and "regisseur-0505" not in json.dumps(verwerking)

    # Who did it is in the audit log, joined on the request's operation id.
    [regel] = logboek.auditregels(trace_id)
    assert regel["operation_id"] == verwerking["parent_operation_id"]
    assert (regel["gebruiker"], regel["rol"], regel["gemeenten"], regel["actie"], regel["resultaat"]) == (
        "regisseur-0505", "regisseur", "0505", "GET", 200)
    assert regel["object"] == f"/api/v1/trajecten/{traject_id}"


def test_every_listed_person_gets_a_record_of_their_own(api: TestClient, als: Kopregels) -> None:
    eigen = {_start(api, als, een_bsn()) for _ in range(3)}
    _start(api, als, een_bsn(), "0642")  # another gemeente: not served, not logged
    trace_id, traceparent = _trace()
    antwoord = api.get("/api/v1/trajecten", headers=als("regisseur", "0505", traceparent=traceparent))
    assert {t["trajectId"] for t in antwoord.json()["trajecten"]} == eigen
    verwerkingen = api.app.state.logboek.verwerkingen(trace_id)  # type: ignore[attr-defined]
    assert {v["attributes"]["inburgering.traject_id"] for v in verwerkingen} == eigen
    assert len({v["operation_id"] for v in verwerkingen}) == 3
    assert all(re.fullmatch(r"[0-9a-f]{16}", v["operation_id"]) for v in verwerkingen)


def test_the_activity_follows_the_purpose_of_the_reader(api: TestClient, als: Kopregels) -> None:
    traject_id = _start(api, als, een_bsn())
    verwacht = {"duo": register.VERSTREKKING_DUO, "auditor": register.VERANTWOORDING, "handhaver": register.HANDHAVING}
    for rol, activiteit in verwacht.items():
        trace_id, traceparent = _trace()
        assert api.get(f"/api/v1/trajecten/{traject_id}/gebeurtenissen", headers=als(rol, "0505", traceparent=traceparent)).status_code == 200
        [verwerking] = api.app.state.logboek.verwerkingen(trace_id)  # type: ignore[attr-defined]
        assert verwerking["attributes"]["dpl.core.processing_activity_id"] == activiteit.uri


def test_a_refused_command_still_processed_the_persons_data_and_says_so(api: TestClient, als: Kopregels) -> None:
    traject_id = _start(api, als, een_bsn())
    trace_id, traceparent = _trace()
    antwoord = api.post(f"/api/v1/trajecten/{traject_id}/brede-intakes", json={"datum": "2024-12-01", "onderwerpen": {}, "gezondheid": {}},
                        headers=als("regisseur", "0505", traceparent=traceparent))
    assert antwoord.status_code == 409
    [verwerking] = api.app.state.logboek.verwerkingen(trace_id)  # type: ignore[attr-defined]
    assert (verwerking["status_code"], verwerking["attributes"]["dpl.core.processing_activity_id"]) == (2, register.BREDE_INTAKE_EN_PIP.uri)
    assert api.app.state.logboek.auditregels(trace_id)[0]["resultaat"] == 409  # type: ignore[attr-defined]


def test_no_person_no_record_but_every_request_is_audited(api: TestClient, als: Kopregels) -> None:
    for headers, pad, status in (
        ({}, "/api/v1/trajecten/00000000-0000-4000-8000-000000000000", 401),
        (als("regisseur", "0505"), "/api/v1/trajecten/00000000-0000-4000-8000-000000000000", 404),
        (als("beheerder"), "/api/v1/projecties", 200),
    ):
        trace_id, traceparent = _trace()
        assert api.get(pad, headers=headers | {"traceparent": traceparent}).status_code == status
        assert api.app.state.logboek.verwerkingen(trace_id) == []  # type: ignore[attr-defined]
        [regel] = api.app.state.logboek.auditregels(trace_id)  # type: ignore[attr-defined]
        assert (regel["resultaat"], regel["object"]) == (status, pad)


def test_an_invalid_traceparent_starts_a_new_trace(api: TestClient, als: Kopregels) -> None:
    for ongeldig in ("00-" + "0" * 32 + "-" + "1" * 16 + "-01", "01-abc", "00-" + "A" * 32 + "-" + "1" * 16 + "-01"):
        antwoord = api.get("/api/v1/projecties", headers=als("beheerder", traceparent=ongeldig))
        nieuw = TRACEPARENT.match(antwoord.headers["traceparent"])
        assert nieuw and nieuw.group(1) not in ongeldig


def test_after_forgetting_the_log_can_no_longer_name_the_person(api: TestClient, als: Kopregels) -> None:
    regisseur = als("regisseur", "0505")
    bsn = een_bsn()
    traject_id = _start(api, als, bsn)
    eerder, traceparent = _trace()
    api.get(f"/api/v1/trajecten/{traject_id}", headers=regisseur | {"traceparent": traceparent})
    api.post(f"/api/v1/trajecten/{traject_id}/verwijderingen", json={"grond": "overlijden", "overlijdensdatum": "2025-03-01"}, headers=regisseur)
    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]
    [verwerking] = logboek.verwerkingen(eerder)
    assert "dpl.core.data_subject_id" in verwerking["attributes"] and logboek.betrokkene(verwerking) is None
    later, traceparent = _trace()
    api.get(f"/api/v1/trajecten/{traject_id}", headers=regisseur | {"traceparent": traceparent})
    [verwerking] = logboek.verwerkingen(later)
    assert "dpl.core.data_subject_id" not in verwerking["attributes"]
    assert verwerking["attributes"]["inburgering.traject_id"] == traject_id


def test_an_unexpected_error_is_still_logged_with_the_person_it_touched(api: TestClient, als: Kopregels, monkeypatch: pytest.MonkeyPatch) -> None:
    traject_id = _start(api, als, een_bsn())
    inburgering = api.app.state.inburgering  # type: ignore[attr-defined]

    def kapot(*_: object, **__: object) -> None:
        raise RuntimeError("de opslag viel weg")

    monkeypatch.setattr(inburgering, "gebeurtenissen", kapot)
    trace_id, traceparent = _trace()
    antwoord = api.get(f"/api/v1/trajecten/{traject_id}/gebeurtenissen", headers=als("regisseur", "0505", traceparent=traceparent))
    assert antwoord.status_code == 500
    [verwerking] = api.app.state.logboek.verwerkingen(trace_id)  # type: ignore[attr-defined]
    assert (verwerking["status_code"], verwerking["attributes"]["inburgering.traject_id"]) == (2, traject_id)
    assert api.app.state.logboek.auditregels(trace_id)[0]["resultaat"] == 500  # type: ignore[attr-defined]


def test_a_read_whose_log_cannot_be_written_keeps_its_answer_and_says_so_loudly(
    api: TestClient, als: Kopregels, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    traject_id = _start(api, als, een_bsn())
    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]

    def onbereikbaar(*_: object, **__: object) -> None:
        raise OSError("logboek onbereikbaar")

    # The log's own database fails under its writer, after the answer: the batch and each record alone.
    monkeypatch.setattr(logboek._verbinding, "in_een_keer", onbereikbaar)
    trace_id, traceparent = _trace()
    antwoord = api.get(f"/api/v1/trajecten/{traject_id}", headers=als("regisseur", "0505", traceparent=traceparent))
    assert antwoord.status_code == 200  # the answer was sent before the log's turn came
    assert logboek.wacht_tot_geschreven()
    monkeypatch.undo()
    assert any(r.levelname == "CRITICAL" and f"toegangslog niet geschreven voor trace {trace_id}" in r.getMessage() for r in caplog.records)
    assert logboek.auditregels(trace_id) == []  # lost, but said so loudly: never silently


def test_a_command_and_its_log_records_commit_together_or_not_at_all(
    api: TestClient, als: Kopregels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command's records are written in the transaction of its events (issue 12): a crash between the two
    can no longer keep a fact without the record of who recorded it, nor the other way round."""
    traject_id = _start(api, als, een_bsn())
    app: Inburgering = api.app.state.inburgering  # type: ignore[attr-defined]
    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]
    versie = len(app.recorder.select_events(UUID(traject_id)))
    kennisgeving = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}

    # When the record cannot be written, the command is not committed either
    echt = Logboek.schrijf_in

    def weigert(*_: object, **__: object) -> Any:
        raise OSError("logboek onbereikbaar")

    monkeypatch.setattr(Logboek, "schrijf_in", weigert)
    mislukt, traceparent_mislukt = _trace()
    antwoord = api.post(f"/api/v1/trajecten/{traject_id}/kennisgevingen", json=kennisgeving,
                        headers=als("regisseur", "0505", traceparent=traceparent_mislukt))
    assert antwoord.status_code == 500, antwoord.text
    assert len(app.recorder.select_events(UUID(traject_id))) == versie  # nothing half-written
    monkeypatch.setattr(Logboek, "schrijf_in", echt)

    # And when it can, both are there, though the writer thread writes nothing
    gelukt, traceparent = _trace()
    monkeypatch.setattr(logboek._verbinding, "in_een_keer", weigert)
    antwoord = api.post(f"/api/v1/trajecten/{traject_id}/kennisgevingen", json=kennisgeving, headers=als("regisseur", "0505", traceparent=traceparent))
    assert antwoord.status_code == 201, antwoord.text
    [regel] = logboek.auditregels(gelukt)
    assert (regel["resultaat"], regel["actie"], regel["object"]) == (201, "POST", f"/api/v1/trajecten/{traject_id}/kennisgevingen")
    [verwerking] = logboek.verwerkingen(gelukt)
    assert verwerking["attributes"]["inburgering.traject_id"] == traject_id
    assert logboek.betrokkene(verwerking) is not None  # the person, as the trajectory's first event names them
    assert len(app.recorder.select_events(UUID(traject_id))) == versie + 1


def test_a_new_trajectorys_record_names_its_person_from_the_event_stored_in_the_same_transaction(api: TestClient, als: Kopregels) -> None:
    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]
    trace_id, traceparent = _trace()
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=als("regisseur", "0505", traceparent=traceparent))
    assert start.status_code == 201, start.text
    [verwerking] = logboek.verwerkingen(trace_id)  # at once: not queued for the writer
    assert verwerking["attributes"]["inburgering.traject_id"] == start.json()["trajectId"]
    assert verwerking["attributes"]["dpl.core.data_subject_id_type"] == "BSN" and logboek.betrokkene(verwerking) is not None


def test_the_callers_span_is_kept_as_the_foreign_operation(api: TestClient, als: Kopregels) -> None:
    traject_id = _start(api, als, een_bsn())
    trace_id, traceparent = _trace()
    api.get(f"/api/v1/trajecten/{traject_id}", headers=als("duo", traceparent=traceparent))
    [verwerking] = api.app.state.logboek.verwerkingen(trace_id)  # type: ignore[attr-defined]
    assert verwerking["attributes"]["dpl.core.foreign_operation.operation_id"] == traceparent.split("-")[2]


def test_a_bsn_sent_as_a_path_segment_is_not_stored_but_a_valid_path_is(api: TestClient, als: Kopregels) -> None:
    # A path whose every parameter is valid holds no personal data (a trajectory id is a UUID) and stays
    # concrete for the auditor; otherwise the row names the route, or no route at all.
    bsn = een_bsn()
    traject_id = _start(api, als, een_bsn())
    regisseur = als("regisseur", "0505")
    for headers, pad, status, object_ in (
        (regisseur, f"/api/v1/trajecten/{bsn}", 400, "/api/v1/trajecten/{trajectId}"),
        ({}, f"/api/v1/trajecten/{bsn}", 401, "/api/v1/trajecten/{trajectId}"),  # refused before the path was read
        (regisseur, f"/api/v1/trajecten/{bsn}/gebeurtenissen/1", 400, "/api/v1/trajecten/{trajectId}/gebeurtenissen/{versie}"),
        (regisseur, f"/api/v1/trajecten/{traject_id}/handhavingszaken/{bsn}x", 400,
         "/api/v1/trajecten/{trajectId}/handhavingszaken/{zaaknummer}"),
        (regisseur, f"/api/v1/personen/{bsn}", 404, GEEN_ROUTE),
        (regisseur, f"/api/v1/trajecten/{traject_id}/gebeurtenissen/1", 200, f"/api/v1/trajecten/{traject_id}/gebeurtenissen/1"),
    ):
        trace_id, traceparent = _trace()
        assert api.get(pad, headers=headers | {"traceparent": traceparent}).status_code == status, pad
        [regel] = api.app.state.logboek.auditregels(trace_id)  # type: ignore[attr-defined]
        assert (regel["object"], regel["resultaat"]) == (object_, status)
        assert bsn not in json.dumps([regel, api.app.state.logboek.verwerkingen(trace_id)]), regel  # type: ignore[attr-defined]
