"""Every 400 speaks Dutch: each kind of pydantic error the request schemas can raise has a Dutch reason that
names what was expected, and invalid values of every kind, sent through real requests, get one."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, params
from fastapi.openapi.utils import get_fields_from_routes
from fastapi.testclient import TestClient

from api.auth import TOELICHTING
from api.invoerfouten import ALGEMENE_REDEN, PYDANTIC_FOUTSOORTEN, REDENEN, VOORBEELDEN, reden
from adapters.clock import VasteKlok
from adapters.settings import Settings
from api.main import create_app
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels

TRAJECTEN = "/api/v1/trajecten"
ENGELS = re.compile(r"Input should|Field required|should have|should match|Value error|valid|Extra inputs|Unable to|"
                    r"does not match|not permitted|expected|found|Not Found|Method Not", re.IGNORECASE)

# The kinds of error each kind of core schema can raise, lax and strict together (queries, paths and headers
# are read laxly). A core schema of a kind not named here fails the walk below, by name, until it is added.
MOGELIJKE_FOUTEN: dict[str, set[str]] = {
    "str": {"string_type"},
    "int": {"int_type", "int_parsing", "int_from_float", "int_parsing_size"},
    "bool": {"bool_type", "bool_parsing"},
    "date": {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"},
    "uuid": {"uuid_type", "uuid_parsing"},
    "enum": {"enum"},
    "literal": {"literal_error"},
    "list": {"list_type"},
    "frozenset": {"frozen_set_type", "set_item_not_hashable"},
    "dict": {"dict_type"},
    "model": {"model_type", "model_attributes_type"},
    "model-fields": {"model_attributes_type", "missing"},
    "typed-dict": {"dict_type", "missing"},
    "tagged-union": {"union_tag_invalid", "union_tag_not_found", "model_attributes_type"},
    "function-before": {"value_error", "assertion_error"},
    "function-after": {"value_error", "assertion_error"},
    "function-plain": {"value_error", "assertion_error"},
    "function-wrap": {"value_error", "assertion_error"},
    "union": {"none_required"},  # besides each member's own
    **{soort: set() for soort in ("nullable", "default", "model-field", "typed-dict-field", "definitions", "definition-ref", "any", "none")},
}
BEPERKINGEN = {
    "max_length": {"str": "string_too_long"}, "min_length": {"str": "string_too_short"},
    "pattern": {"str": "string_pattern_mismatch"}, "ge": "greater_than_equal", "gt": "greater_than",
    "le": "less_than_equal", "lt": "less_than", "multiple_of": "multiple_of",
}
# What FastAPI adds around the schemas: a body that is no JSON, and no body at all.
RONDOM_DE_SCHEMAS = {"json_invalid", "missing"}


def _foutsoorten(schema: Any) -> Iterator[str]:
    if isinstance(schema, list):
        for deel in schema:
            yield from _foutsoorten(deel)
        return
    if not isinstance(schema, dict):
        return
    soort = schema.get("type")
    if isinstance(soort, str):
        assert soort in MOGELIJKE_FOUTEN, f"Onbekend soort core schema {soort!r}: noem in MOGELIJKE_FOUTEN welke fouten het kan geven."
        yield from MOGELIJKE_FOUTEN[soort]
        for beperking, fout in BEPERKINGEN.items():
            if schema.get(beperking) is not None:
                yield fout if isinstance(fout, str) else fout.get(soort, "too_short" if beperking == "min_length" else "too_long")
        if "forbid" in (schema.get("extra_behavior"), (schema.get("config") or {}).get("extra_fields_behavior")):
            yield "extra_forbidden"
    for sleutel, waarde in schema.items():
        if sleutel not in ("metadata", "serialization", "ref", "cls", "function", "config"):
            yield from _foutsoorten(waarde)


def _verzoekvelden(app: FastAPI) -> list[Any]:
    velden = [v for v in get_fields_from_routes(app.routes) if isinstance(v.field_info, (params.Param, params.Body))]
    assert len(velden) > 100  # every query, path, header and body of the API; not their answers
    return [v._type_adapter.core_schema for v in velden] + [TOELICHTING.core_schema]


def foutsoorten_van_de_schemas(app: FastAPI) -> set[str]:
    return {soort for schema in _verzoekvelden(app) for soort in _foutsoorten(schema)} | RONDOM_DE_SCHEMAS


# -- every kind has a Dutch reason --------------------------------------------------------------------


def test_every_kind_of_error_the_request_schemas_can_raise_has_a_dutch_reason(sqlite_instellingen: Settings, klok: VasteKlok) -> None:
    # From the request schemas of the app as served: a new field, constraint or pydantic version that can
    # raise another kind of error fails here, naming it, instead of sending English to a client.
    soorten = foutsoorten_van_de_schemas(create_app(sqlite_instellingen, klok))
    assert {"missing", "extra_forbidden", "enum", "literal_error", "union_tag_invalid", "string_too_long"} <= soorten
    assert soorten <= PYDANTIC_FOUTSOORTEN
    assert sorted(soorten - set(REDENEN)) == []


VOORBEELD_CTX: dict[str, Any] = {
    "expected": "'b1', 'onderwijsroute' or 'z_route'", "expected_tags": "'tvs_profiel', 'duo_kennisgeving'",
    "discriminator": "'aanleiding'", "tag": "x", "min_length": 2, "max_length": 200, "ge": 1, "le": 40,
    "pattern": "^[0-9]{4}$", "error": "month value is outside expected range of 1-12",
}


@pytest.mark.parametrize("soort", sorted(REDENEN))
def test_each_reason_is_a_dutch_sentence(soort: str) -> None:
    # A ValueError of the API's own validators says in Dutch what it expected; pydantic's prefix goes.
    ctx = VOORBEELD_CTX | {"error": ValueError("verwacht een datum")} if soort in ("value_error", "assertion_error") else VOORBEELD_CTX
    tekst = reden({"type": soort, "loc": ("body", "veld"), "msg": "Value error, Input should be English", "ctx": ctx})
    assert tekst.endswith(".") and tekst[0].isupper(), tekst
    assert not ENGELS.search(tekst), tekst


def test_a_kind_without_a_dutch_reason_gets_a_general_one_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    soort = next(iter(sorted(PYDANTIC_FOUTSOORTEN - set(REDENEN))))
    with caplog.at_level(logging.WARNING, logger="inburgering.api"):
        assert reden({"type": soort, "loc": ("query", "x"), "msg": "Input should be English"}) == ALGEMENE_REDEN
    assert soort in caplog.text


def test_an_error_of_the_api_itself_keeps_its_dutch_text() -> None:
    assert reden({"type": "bsn", "loc": ("body", "bsn"), "msg": "Geen geldig BSN."}) == "Geen geldig BSN."


def test_each_pattern_with_an_example_is_one_the_document_declares(sqlite_instellingen: Settings, klok: VasteKlok) -> None:
    document = str(create_app(sqlite_instellingen, klok).openapi())
    assert [patroon for patroon in VOORBEELDEN if repr(patroon) not in document] == []


# -- through real requests ------------------------------------------------------------------------------


def _verzoeken(pad: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Invalid values of every kind: bodies of several commands, queries of the lists, paths and headers."""
    start = tvs_start(een_bsn())
    json_kop = {"Content-Type": "application/json"}
    return [
        ("post", TRAJECTEN, {"json": start | {"datum": "2025-13-01", "gemeente": "0000", "huishoudgrootte": 0, "taal": "x" * 201,
                                               "landVanHerkomst": 5, "onbekend": 1}}),
        ("post", TRAJECTEN, {"json": start | {"datum": 20250101, "huishoudgrootte": "3", "taal": ""}}),
        ("post", TRAJECTEN, {"json": start | {"aanleiding": "brp"}}),
        ("post", TRAJECTEN, {"json": {"datum": "2025-01-01"}}),
        ("post", TRAJECTEN, {"json": [start]}),
        ("post", TRAJECTEN, {"content": b'{"datum": ', "headers": json_kop}),
        ("post", TRAJECTEN, {"content": b"", "headers": json_kop}),
        ("post", f"{pad}/ontheffingen", {"json": {"datum": "2025-02-30", "grond": "ziek", "volledig": "ja"}}),
        ("post", f"{pad}/ontzorgingen", {"json": {"datum": "2025-01-01", "vasteLasten": "huur"}}),
        ("post", f"{pad}/ontzorgingen", {"json": {"datum": "2025-01-01", "vasteLasten": ["huur"] * 6}}),
        ("post", f"{pad}/ontzorgingen", {"json": {"datum": "2025-01-01", "vasteLasten": []}}),
        ("post", f"{pad}/pip-vaststellingen", {"json": {"dagtekening": "2025-01-01", "leerroute": "c1", "pvtUren": 12.5, "mapUren": 2000,
                                                        "aantalVoortgangsgesprekken": 0, "ondersteuning": "x", "aanbod": "pvt"}}),
        ("post", f"{pad}/brede-intakes", {"json": {"datum": "2025-01-01", "onderwerpen": ["werk"]}}),
        ("post", f"{pad}/duo-boetes", {"json": {"datum": "2025-01-01", "artikel": "wi24", "bedrag": "340"}}),
        ("post", f"{pad}/correcties", {"json": {"datum": "2025-01-01", "versie": 1, "correcties": ["uren"], "toelichting": "x"}}),
        ("post", f"{pad}/verwijderingen", {"json": {"grond": "overlijden"}}),
        ("post", f"{pad}/verwijderingen", {"json": {}}),
        ("post", f"{pad}/regisseur-toewijzingen", {"json": {"datum": "2025-01-01", "regisseur": "r2"},
                                                   "headers": {"If-Match": "versie 3", "Idempotency-Key": "met spatie"}}),
        ("post", f"{TRAJECTEN}/geen-uuid/regisseur-toewijzingen", {"json": {"datum": "2025-01-01", "regisseur": "r2"}}),
        ("get", f"{pad}/gebeurtenissen/drie", {}),
        ("get", f"{pad}?versie=0&peildatum=2025&geldigOp=2025-02-30", {}),
        ("get", f"{TRAJECTEN}?limiet=0&deadlineBinnenDagen=x&gemeente=1&cursor=%25", {}),
        ("get", "/api/v1/signaleringen?limiet=201&binnenkortDagen=-1", {}),
        ("get", "/api/v1/rapportages/instroom", {}),
        ("get", "/api/v1/gebeurtenistypen/Pip", {}),
        ("post", "/api/v1/abonnementen", {"json": {"callbackUrl": "https://ontvanger.example.nl", "bezorgwijze": "post", "vanaf": -1}}),
        ("patch", "/api/v1/abonnementen/a4f3b0c2-0c1d-4c8e-9a57-3f1e2d4c5b6a", {"json": {"status": "weg"}}),
    ]


# A representative of each kind, as a client reads it: (name, code) -> reason.
VERWACHT = {
    ("datum", "date_from_datetime_parsing"): "Geen bestaande datum: de maand ligt niet tussen 01 en 12. Verwacht een datum als JJJJ-MM-DD, bijvoorbeeld 2025-03-01.",
    ("gemeente", "enum"): "Kies uit: '0505', '0531', '0590' of '0642'.",
    ("huishoudgrootte", "greater_than_equal"): "Ten minste 1.",
    ("taal", "string_too_long"): "Ten hoogste 200 tekens.",
    ("landVanHerkomst", "string_type"): 'Verwacht tekst tussen aanhalingstekens, bijvoorbeeld "tekst".',
    ("onbekend", "extra_forbidden"): "Onbekend veld; laat het weg of controleer de naam (lowerCamelCase, zoals in de API-documentatie).",
    ("datum", "value_error"): "Verwacht een datum als JJJJ-MM-DD tussen 1900-01-01 en 2999-12-31, bijvoorbeeld 2025-03-01.",
    ("huishoudgrootte", "int_type"): "Verwacht een geheel getal zonder aanhalingstekens of decimalen, bijvoorbeeld 12.",
    ("taal", "string_too_short"): "Ten minste 1 teken; laat het veld weg als u niets te melden hebt.",
    ("body", "union_tag_invalid"): "Onbekende waarde 'brp' van 'aanleiding'; kies uit: 'tvs_profiel' of 'duo_kennisgeving'.",
    ("body", "union_tag_not_found"): "Het veld 'aanleiding' ontbreekt; het zegt welk soort verzoek dit is.",
    ("body", "model_attributes_type"): 'Verwacht een JSON-object met velden, bijvoorbeeld {"datum": "2025-03-01"}.',
    ("body", "missing"): "Verplicht veld.",
    ("grond", "literal_error"): "Kies uit: 'medisch' of 'bijzondere_individuele_omstandigheden'.",
    ("volledig", "bool_type"): "Verwacht true of false, zonder aanhalingstekens.",
    ("vasteLasten", "list_type"): 'Verwacht een lijst (JSON-array), bijvoorbeeld ["a", "b"].',
    ("vasteLasten", "too_long"): "Ten hoogste 5 waarden.",
    ("vasteLasten", "too_short"): "Ten minste 1 waarde.",
    ("aanbod", "frozen_set_type"): 'Verwacht een lijst (JSON-array), bijvoorbeeld ["a", "b"].',
    ("mapUren", "less_than_equal"): "Ten hoogste 1000.",
    ("bedrag", "string_pattern_mismatch"): "Verwacht een bedrag in euro's met twee decimalen, bijvoorbeeld 340.00 (patroon ^(0|[1-9][0-9]{0,3})\\.[0-9]{2}$).",
    ("correcties", "dict_type"): 'Verwacht een JSON-object met velden, bijvoorbeeld {"datum": "2025-03-01"}.',
    ("overlijdensdatum", "missing"): "Verplicht veld.",
    ("If-Match", "string_pattern_mismatch"): 'Verwacht de ETag uit een eerder antwoord, bijvoorbeeld "3", of * (patroon ^(?:\\*|(?:W/)?"?([0-9]{1,9})"?)$).',
    ("trajectId", "uuid_parsing"): "Verwacht een UUID, bijvoorbeeld 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
    ("versie", "int_parsing"): "Verwacht een geheel getal, bijvoorbeeld 12.",
    ("jaar", "missing"): "Verplicht veld.",
}
# The kinds a request can meet; the schemas' other kinds (date_type, int_from_float, ...) are kept from a
# client by a stricter check that runs first, but have a reason all the same (above).
BEREIKBAAR = {code for _, code in VERWACHT} | {"json_invalid"}


def test_invalid_values_of_every_kind_get_dutch_reasons_and_no_english_reaches_the_client(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    start = api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop)
    assert start.status_code == 201, start.text
    gezien: dict[tuple[str, str], str] = {}
    for methode, url, verzoek in _verzoeken(start.headers["Location"]):
        verzoek = dict(verzoek)
        rol = als("auditor") if "rapportages" in url else kop
        antwoord = api.request(methode.upper(), url, headers=rol | verzoek.pop("headers", {}), **verzoek)
        assert (antwoord.status_code, antwoord.headers["content-type"]) == (400, "application/problem+json"), (url, antwoord.text)
        probleem = antwoord.json()
        teksten = [probleem["title"], probleem["detail"], *(p["reason"] for p in probleem["invalidParams"])]
        assert [t for t in teksten if ENGELS.search(t)] == [], (url, probleem)
        for fout in probleem["invalidParams"]:
            gezien.setdefault((fout["name"], fout["code"]), fout["reason"])  # the first of a kind is the one in VERWACHT

    assert {sleutel: gezien.get(sleutel) for sleutel in VERWACHT} == VERWACHT
    assert {code for _, code in gezien} >= BEREIKBAAR


def test_a_path_or_method_the_api_does_not_serve_is_refused_in_dutch(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    for antwoord, status in [(api.get("/api/v1/bestaat-niet", headers=kop), 404), (api.delete(TRAJECTEN, headers=kop), 405)]:
        probleem = antwoord.json()
        assert antwoord.status_code == status and probleem["title"] in ("Niet gevonden.", "Methode niet toegestaan."), probleem
        assert not ENGELS.search(probleem["title"] + probleem["detail"]), probleem
