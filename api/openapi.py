"""The OpenAPI document: generated from the app, shaped for the NL GOV API Design Rules.

`python -m api.openapi` writes openapi/openapi.json; `--check` fails when it is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.schemas import EEN_REGEL

API_VERSIE = "1.0.0"
BASISPAD = "/api/v1"
DOCUMENT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"

BESCHRIJVING = (
    "De API waarmee de Sociale Dienst Drechtsteden de Wet inburgering 2021 uitvoert voor Dordrecht, "
    "Papendrecht, Zwijndrecht en Hendrik-Ido-Ambacht. Elk feit in een inburgeringstraject is een "
    "onveranderlijke gebeurtenis; de toestand van een traject wordt daaruit afgeleid. "
    "Elk verzoek mag een W3C `traceparent` meesturen; het antwoord zet die trace voort, en elke verwerking "
    "van persoonsgegevens wordt onder die trace gelogd (Logboek Dataverwerkingen)."
)
FOUTEN = {
    400: "Ongeldige invoer; `invalidParams` noemt elk ongeldig veld.",
    401: "Niet geauthenticeerd: geen, een ongeldig of een verlopen token.",
    403: "De rol van de gebruiker mag dit niet.",
    404: "Niet gevonden, of buiten het mandaat van de gebruiker.",
    409: "De handeling is in strijd met een regel; `code` en `grondslag` noemen de regel.",
    412: "If-Match noemt een oudere versie dan de huidige.",
    413: "De inhoud van het verzoek is groter dan toegestaan.",
    415: "De inhoud is geen application/json.",
}
PROBLEEM = {
    "type": "object",
    "description": "Foutmelding volgens RFC 9457 (problem details).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "Stabiele URI van het soort fout."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string", "description": "Stabiele code van de fout of de overtreden regel."},
        "grondslag": {"type": "string", "description": "De wettelijke of beleidsmatige grondslag van de regel."},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "code", "reason"],
                "properties": {"name": {"type": "string"}, "code": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}
API_VERSION_HEADER = {
    "description": "De volledige versie van de API.",
    "schema": {"type": "string", "example": API_VERSIE},
}
TOELICHTING_PARAMETER = {
    "name": "X-Audit-Toelichting",
    "in": "header",
    "required": False,
    "description": "Waarom deze handeling: komt in de audittrail (`toelichting`), versleuteld als persoonsgegeven.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": EEN_REGEL},  # checked in api/auth.py
}
TRACEPARENT_HEADER = {
    "description": "W3C Trace Context: de trace van het verzoek (of een nieuwe) met de operatie van deze API.",
    "schema": {"type": "string", "pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-01$"},
}


def bouw_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=BESCHRIJVING,
        routes=app.routes,
        servers=[{"url": BASISPAD, "description": "Deze API, relatief aan de host waarop ze draait."}],
        contact={"name": "Sociale Dienst Drechtsteden", "email": "inburgering@sdd.nl", "url": "https://www.sdd.nl"},
    )
    document["paths"] = {pad.removeprefix(BASISPAD): item for pad, item in document["paths"].items()}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Probleem"] = PROBLEEM
    document["components"]["headers"] = {"API-Version": API_VERSION_HEADER, "traceparent": TRACEPARENT_HEADER}
    for item in document["paths"].values():
        for methode, operatie in item.items():
            _documenteer_antwoorden(methode, operatie)
    app.openapi_schema = _nullable_met_formaat(document)
    return app.openapi_schema


def _documenteer_antwoorden(methode: str, operatie: dict[str, Any]) -> None:
    for parameter in operatie.get("parameters", []):
        # An optional header is absent, never null: document only the value it takes when present.
        varianten = parameter["schema"].pop("anyOf", None)
        if varianten:
            parameter["schema"] |= next(v for v in varianten if v != {"type": "null"})
    if methode == "post":
        operatie.setdefault("parameters", []).append(TOELICHTING_PARAMETER)
    antwoorden = operatie["responses"]
    antwoorden.pop("422", None)
    parameters = operatie.get("parameters", [])
    statussen = set()
    if operatie.get("security"):
        statussen |= {401, 403}
    statussen.add(400)  # unknown query parameters are refused on every operation
    if any(p["in"] == "path" for p in parameters):
        statussen.add(404)
    if operatie["operationId"] == "start-traject" or operatie["operationId"].startswith("registreer-"):
        statussen.add(409)
    if any(p["name"] == "If-Match" for p in parameters):
        statussen.add(412)
    if "requestBody" in operatie:
        statussen |= {413, 415}
    for status in sorted(statussen):
        antwoorden[str(status)] = {
            "description": FOUTEN[status],
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Probleem"}}},
        }
    for antwoord in antwoorden.values():
        if antwoord.get("description") == "Successful Response":
            antwoord["description"] = "Gelukt."
        antwoord.setdefault("headers", {})["API-Version"] = {"$ref": "#/components/headers/API-Version"}
        antwoord["headers"]["traceparent"] = {"$ref": "#/components/headers/traceparent"}


def _nullable_met_formaat(knoop: Any) -> Any:
    """`anyOf: [{type: string, format: date}, {type: null}]` -> `type: [string, null], format: date`.

    Same meaning, but the ADR linter reads `format` only at the top of a property schema.
    """
    if isinstance(knoop, list):
        return [_nullable_met_formaat(k) for k in knoop]
    if not isinstance(knoop, dict):
        return knoop
    knoop = {k: _nullable_met_formaat(v) for k, v in knoop.items()}
    varianten = knoop.get("anyOf")
    if isinstance(varianten, list) and len(varianten) == 2 and {"type": "null"} in varianten:
        waarde = next(v for v in varianten if v != {"type": "null"})
        if "format" in waarde and isinstance(waarde.get("type"), str):
            del knoop["anyOf"]
            knoop |= waarde | {"type": [waarde["type"], "null"]}
    return knoop


def render(app: FastAPI) -> str:
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    from adapters.settings import Settings
    from api.main import create_app

    from api.gebeurtenistypen import CATALOGUS, PAGINA, render_catalogus, render_pagina

    bestanden = {DOCUMENT: render(create_app(Settings(omgeving="ontwikkeling"))), CATALOGUS: render_catalogus(), PAGINA: render_pagina()}
    if "--check" in argv:
        verouderd = [pad for pad, tekst in bestanden.items() if not pad.exists() or pad.read_text() != tekst]
        for pad in verouderd:
            print(f"{pad} is verouderd: draai `make openapi`.", file=sys.stderr)
        return 1 if verouderd else 0
    for pad, tekst in bestanden.items():
        pad.write_text(tekst)
        print(f"geschreven: {pad}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
