"""Schemathesis fuzzes the committed OpenAPI document against the app: no 5xx, every answer as documented."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from adapters.clock import VasteKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from api.openapi import DOCUMENT
from tests.builders import bsn_met_controlecijfer

# JSON Schema cannot express the elfproef; the document names it as the custom format "bsn".
schemathesis.openapi.format("bsn", st.lists(st.integers(0, 9), min_size=8, max_size=8).map(bsn_met_controlecijfer).filter(bool))

_map = Path(tempfile.mkdtemp(prefix="inburgering-contract-"))
INSTELLINGEN = Settings(
    _env_file=None,  # type: ignore[call-arg]
    data_map=_map,
)
APP = create_app(INSTELLINGEN, VasteKlok(datetime(2026, 6, 1, 10, tzinfo=UTC)))  # the store opens in the fixture

schema = schemathesis.openapi.from_path(DOCUMENT)
DOCUMENT_JSON = json.loads(DOCUMENT.read_text())
schema.app = APP  # every request, probes included, goes through the app in-process


def zonder_wachten(case: schemathesis.Case) -> None:
    """A long-poll (`wacht`, up to 60 s) waits as long as asked when nothing new comes: a drawn request waits for
    nothing, or a run would take hours (tests/api/test_feed_wachten.py tests the waiting). A value out of range
    stays as drawn: it must be refused."""
    wacht = case.query.get("wacht") if case.query else None
    if case.query and isinstance(wacht, (int, str)) and not isinstance(wacht, bool) and str(wacht).isdigit() and 0 < int(wacht) <= 60:
        case.query["wacht"] = 0  # drawn as a number, or as the text of one


@pytest.fixture(scope="module", autouse=True)
def open_store() -> Iterator[None]:
    with TestClient(APP):  # runs the lifespan: the store is open for this module
        yield


def _ander_kop_ongeldig(case: schemathesis.Case) -> bool:
    parameters = DOCUMENT_JSON["paths"][case.operation.path][case.operation.method.lower()].get("parameters", [])
    schemas = {p["name"].lower(): p["schema"] for p in parameters if p["in"] == "header"}
    return any(
        naam.lower() in schemas and not jsonschema_rs.validator_for(schemas[naam.lower()]).is_valid(waarde)
        for naam, waarde in (case.headers or {}).items() if naam.lower() != "authorization"
    )


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_app_answers_as_documented(case: schemathesis.Case) -> None:
    rol = "handhaver" if case.operation.path.endswith("/boetes") else "regisseur"
    token = maak_ontwikkeltoken(INSTELLINGEN, rol=rol, gemeenten=["0505", "0531", "0590", "0642"])
    # A cursor is opaque: only one the API handed out is valid, which no schema can say; a made-up
    # one is rightly refused with 400, so that one check does not apply to it.
    zonder = [positive_data_acceptance] if case.query and "cursor" in case.query else []
    # A case made invalid through its Authorization header is valid again once the header below
    # replaces it, so it need not be refused; one with another invalid header (X-Correlation-ID)
    # still is, so it need not be accepted. (Unknown query parameters: tests/api.)
    kop = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    if kop is not None and kop.mode is GenerationMode.NEGATIVE:
        zonder.append(positive_data_acceptance if _ander_kop_ongeldig(case) else negative_data_rejection)
    zonder_wachten(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=zonder)
