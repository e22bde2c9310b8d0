"""The access log records every request, also rejected and odd ones: a NUL, a control character or
invalid UTF-8 in the path or the query still leaves its audit record, on both stores."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient

from adapters.logboek import Logboek
from api.serverlog import GEEN_ROUTE
from tests.conftest import Kopregels


@pytest.mark.parametrize(
    ("url", "object_"),
    [
        # A path parameter that is not valid is not stored as sent, but as the route's template.
        ("/api/v1/trajecten/%00", "/api/v1/trajecten/{trajectId}"),
        ("/api/v1/trajecten/a%01b%7F%C2%85", "/api/v1/trajecten/{trajectId}"),
        ("/api/v1/trajecten/%FF%FE", "/api/v1/trajecten/{trajectId}"),  # invalid UTF-8
        ("/api/v1/onbekend/%00", GEEN_ROUTE),  # no route at all
        ("/api/v1/trajecten?regisseur=x%00", "/api/v1/trajecten"),
        ("/api/v1/trajecten?regisseur=%FF&x%00=1", "/api/v1/trajecten"),
    ],
)
def test_an_odd_request_still_gets_its_audit_record(api: TestClient, als: Kopregels, url: str, object_: str) -> None:
    trace_id = secrets.token_hex(16)
    antwoord = api.get(url, headers=als("regisseur", "0505", traceparent=f"00-{trace_id}-{secrets.token_hex(8)}-01"))
    assert antwoord.status_code < 500, antwoord.text

    logboek: Logboek = api.app.state.logboek  # type: ignore[attr-defined]
    [regel] = logboek.auditregels(trace_id)  # written after the answer was sent: TestClient waits for it
    assert (regel["actie"], regel["object"], regel["resultaat"]) == ("GET", object_, antwoord.status_code)
    assert "\x00" not in regel["object"] + regel["actie"]


def test_an_odd_request_without_a_token_is_recorded_too(api: TestClient) -> None:
    trace_id = secrets.token_hex(16)
    antwoord = api.get("/api/v1/trajecten/%00", headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"})
    assert antwoord.status_code == 401
    [regel] = api.app.state.logboek.auditregels(trace_id)  # type: ignore[attr-defined]
    assert (regel["object"], regel["resultaat"], regel["gebruiker"]) == ("/api/v1/trajecten/{trajectId}", 401, None)
