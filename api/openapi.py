"""The OpenAPI document: generated from the app, shaped for the NL GOV API Design Rules.

`python -m api.openapi` writes openapi/openapi.json; `--check` fails when it is out of date.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from api.antwoorden import KOPREGELS, documenteer_antwoorden
from api.voorbeelden import voeg_voorbeelden_toe
from api.woordenlijst import betekenis
from domain.waarden import Rol

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
TAGS = [
    {"name": "trajecten", "description": "Inburgeringstrajecten: starten, lezen, zoeken, de geschiedenis en één subresource per "
     "vastgelegd feit (intake, PIP, leerroute, uitvoering, ondersteuning, besluiten van DUO, verloop)."},
    {"name": "handhaving", "description": "Handhavingszaken: de Awb-procedure voor een boete van het college, van rapport tot "
     "beslissing op bezwaar (Wi 22 en 23)."},
    {"name": "leesmodellen", "description": "Lijsten, de werklijst met termijnen en de rapportages per gemeente en jaar, uit de "
     "leesmodellen; en hoe ver die bij zijn."},
    {"name": "controle", "description": "De feed van gebeurtenissen (NL GOV CloudEvents) en de controle van de integriteit van het "
     "gebeurtenissenlog."},
    {"name": "gebeurtenistypen", "description": "De catalogus van soorten feiten, met per rol het schema van hun gegevens."},
    {"name": "abonnementen", "description": "Abonnementen op de feed: de API bezorgt elk feit dat de abonnee mag volgen, "
     "ondertekend, bij zijn ontvanger."},
    {"name": "beheer", "description": "Of de API draait en verzoeken kan afhandelen, zonder authenticatie."},
]


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
    document["components"]["headers"] = KOPREGELS
    document["tags"] = TAGS
    rollen = _rollen_per_operatie(app)
    for pad, item in document["paths"].items():
        for methode, operatie in item.items():
            documenteer_antwoorden(methode, operatie)
            _noem_rollen(operatie, rollen.get((methode.upper(), BASISPAD + pad)))
            for parameter in operatie.get("parameters", []):
                if "description" not in parameter and (uitleg := betekenis("", parameter["name"])):
                    parameter["description"] = uitleg
    _noem_enumleden(schemas)
    for naam, schema in schemas.items():
        _beschrijf_velden(naam, schema)
    voeg_voorbeelden_toe(document)
    app.openapi_schema = _nullable_met_formaat(document)
    return app.openapi_schema


def _rollen_per_operatie(app: FastAPI) -> dict[tuple[str, str], tuple[Rol, ...] | None]:
    from api.auth import rollen_van  # here: api.auth needs api.problems, which needs BASISPAD from this module

    rollen: dict[tuple[str, str], tuple[Rol, ...] | None] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for methode in route.methods or ():
                rollen[(methode, str(context.path))] = rollen_van(route.dependant)
    return rollen


def _noem_rollen(operatie: dict[str, Any], rollen: tuple[Rol, ...] | None) -> None:
    """`x-rollen` and a sentence, from the same dependencies that refuse the other roles (api/auth.py)."""
    if rollen is None:
        zin = "Zonder authenticatie."
    else:
        operatie["x-rollen"] = [r.value for r in rollen]
        zin = "Elke rol." if set(rollen) == set(Rol) else "Rollen: " + ", ".join(r.value for r in rollen) + "."
    operatie["description"] = (operatie.get("description", "").rstrip() + "\n\n" + zin).lstrip()


def _beschrijf_velden(naam: str, schema: dict[str, Any]) -> None:
    """A field without a description of its own gets the meaning of its name (api/woordenlijst.py)."""
    for veld, eigenschap in schema.get("properties", {}).items():
        if "description" not in eigenschap and (uitleg := betekenis(naam, veld)):
            eigenschap["description"] = uitleg
        _beschrijf_velden(naam, eigenschap)
    if isinstance(schema.get("items"), dict):
        _beschrijf_velden(naam, schema["items"])


def _enums() -> dict[str, list[type[Enum]]]:
    """Our own enums by name (not those of a library or a generated client that happens to be imported)."""
    gevonden: dict[str, list[type[Enum]]] = {}
    te_doen: list[type[Enum]] = [Enum]
    while te_doen:
        klasse = te_doen.pop()
        te_doen.extend(klasse.__subclasses__())
        if klasse.__module__.split(".")[0] in ("domain", "api"):
            gevonden.setdefault(klasse.__name__, []).append(klasse)
    return gevonden


def _noem_enumleden(schemas: dict[str, Any]) -> None:
    """Generated clients name an enum's members after the Python enum's (`x-enum-varnames`, read by
    openapi-generator and openapi-python-client): `Gemeente.DORDRECHT`, not `VALUE_0`."""
    enums = _enums()
    for naam, schema in schemas.items():
        for klasse in enums.get(naam, []):
            if "enum" in schema and [lid.value for lid in klasse] == schema["enum"]:
                schema["x-enum-varnames"] = [lid.name for lid in klasse]


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
