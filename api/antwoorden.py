"""Every status and header the API can answer with, declared once as OpenAPI components and referenced
from each operation that can send it (api/openapi.py). Where each is sent is noted at its declaration."""

from __future__ import annotations

from typing import Any

from api.schemas import EEN_REGEL

PROBLEEM_REF = {"$ref": "#/components/schemas/Probleem"}
FOUTEN = {
    400: "Ongeldige invoer; `invalidParams` noemt elk ongeldig veld.",
    401: "Niet geauthenticeerd: geen, een ongeldig of een verlopen token.",
    403: "De rol van de gebruiker mag dit niet.",
    404: "Niet gevonden, of buiten het mandaat van de gebruiker.",
    409: "De handeling is in strijd met een regel; `code` en `grondslag` noemen de regel.",
    412: "If-Match noemt een oudere versie dan de huidige.",
    413: "De inhoud van het verzoek is groter dan toegestaan.",
    415: "De inhoud is geen application/json.",
    500: "Onverwachte fout of integriteitsalarm; er is niets vastgelegd en de fout is gelogd.",  # api/problems.py
    503: "Een opslag is tijdelijk niet bereikbaar; `Retry-After` zegt na hoeveel seconden opnieuw.",  # api/problems.py
}
# Per status, an answer as the API gives it (api/problems.py, api/beveiliging.py): the document's example.
PROBLEEMVOORBEELDEN: dict[int, dict[str, Any]] = {
    400: {"code": "ongeldige-invoer", "title": "Een of meer velden zijn ongeldig.", "detail": "1 ongeldig(e) veld(en).",
          "invalidParams": [{"name": "leerroute", "code": "enum", "reason": "Kies uit: 'b1', 'onderwijsroute' of 'z_route'."}]},
    401: {"code": "niet-geauthenticeerd", "title": "Niet geauthenticeerd.", "detail": "Het token is ongeldig of verlopen."},
    403: {"code": "geen-toegang", "title": "Geen toegang.", "detail": "De rol duo mag dit niet."},
    404: {"code": "traject-niet-gevonden", "title": "Traject niet gevonden.", "detail": "Er is geen traject met dit id dat u mag zien."},
    409: {"code": "traject-afgesloten", "title": "Het traject is afgesloten.", "detail": "Na de afronding wordt niets meer vastgelegd.",
          "grondslag": "Wi 6"},
    412: {"code": "versie-verouderd", "title": "Het traject is intussen gewijzigd.", "detail": "If-Match noemt versie 3; de huidige is 4."},
    413: {"code": "verzoek-te-groot", "title": "Verzoek te groot.", "detail": "De inhoud is groter dan 1048576 bytes."},
    415: {"code": "content-type-niet-ondersteund", "title": "Alleen JSON.", "detail": "Stuur de inhoud als application/json."},
    500: {"code": "interne-fout", "title": "Interne fout.",
          "detail": "Er ging iets mis; de fout is gelogd onder correlatie-id 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b."},
    503: {"code": "tijdelijk-niet-beschikbaar", "title": "Tijdelijk niet beschikbaar.",
          "detail": "De database is niet bereikbaar; probeer het over enkele seconden opnieuw."},
}
# Per status, the headers its answer carries besides those of every answer.
KOPREGELS_PER_STATUS = {401: ["WWW-Authenticate"], 412: ["ETag"], 503: ["Retry-After"]}  # 412: the current version
TEKST = {"type": "string"}
KOPREGELS: dict[str, dict[str, Any]] = {
    # Set on every answer by the Kopregels middleware (api/main.py).
    "API-Version": {"description": "De volledige versie van de API.", "schema": TEKST | {"example": "1.0.0"}},
    "X-Correlation-ID": {
        "description": "De correlatie-id van het verzoek (of een nieuwe als het verzoek er geen geldige had); staat bij elk "
        "feit dat het verzoek vastlegde.",
        "schema": TEKST | {"format": "uuid", "example": "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"},
    },
    "traceparent": {
        "description": "W3C Trace Context: de trace van het verzoek (of een nieuwe) met de operatie van deze API.",
        "schema": TEKST | {"pattern": "^00-[0-9a-f]{32}-[0-9a-f]{16}-01$"},
    },
    # Set by the routes that build on a version (api/routers/commandoroutes.py, trajecten.py, abonnementen.py), and on a 412.
    "ETag": {"description": 'De versie van de bron, als "3"; stuur die terug in If-Match.', "schema": TEKST | {"example": '"3"'}},
    "Location": {"description": "De URL van wat dit verzoek vastlegde of aanmaakte.", "schema": TEKST},
    "Idempotent-Replayed": {
        "description": "`true` wanneer dit het eerdere antwoord is op een verzoek met dezelfde Idempotency-Key; er is niets "
        "opnieuw vastgelegd. Ontbreekt bij een eerste antwoord.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    # Set by the paged lists (api/routers/leesmodellen.py) and the feed (api/routers/controle.py).
    "Link": {"description": 'De volgende pagina (`<...>; rel="next"`); ontbreekt op de laatste.', "schema": TEKST},
    # Set by the routes that answer from a read model (api/routers/leesmodellen.py).
    "Leesmodel-Achterstand": {
        "description": "Hoeveel posities van het gebeurtenissenlog het leesmodel achter dit antwoord nog niet heeft verwerkt; "
        "0 is bij. Meer dan 0 kan even zo zijn, of het leesmodel staat stil bij een gebeurtenis die het niet kon verwerken "
        "(zie GET /projecties). Het antwoord toont de laatst verwerkte stand.",
        "schema": {"type": "integer", "minimum": 0},
    },
    # Set by api/problems.py on a 503, with the 401's WWW-Authenticate by api/auth.py.
    "Retry-After": {"description": "Na hoeveel seconden een nieuwe poging zin heeft.", "schema": {"type": "integer", "example": 5}},
    "WWW-Authenticate": {"description": "Het schema waarmee de API authenticatie vraagt: `Bearer`.", "schema": TEKST},
}
OP_ELK_ANTWOORD = ("API-Version", "X-Correlation-ID", "traceparent")
TOELICHTING_PARAMETER = {
    "name": "X-Audit-Toelichting",
    "in": "header",
    "required": False,
    "description": "Waarom deze handeling: komt in de audittrail (`toelichting`), versleuteld als persoonsgegeven.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": EEN_REGEL},  # checked in api/auth.py
}


def documenteer_antwoorden(methode: str, operatie: dict[str, Any]) -> None:
    """The statuses an operation can answer with besides its own, and the headers of each answer."""
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
    statussen = {400, 500}  # unknown query parameters are refused on every operation; anything can fail unexpectedly
    if operatie.get("security"):
        statussen |= {401, 403, 503}  # a signed-in request reads or writes a store
    if any(p["in"] == "path" for p in parameters):
        statussen.add(404)
    if operatie["operationId"] == "start-traject" or operatie["operationId"].startswith("registreer-"):
        statussen.add(409)
    if any(p["name"] == "If-Match" for p in parameters):
        statussen.add(412)
    if "requestBody" in operatie:
        statussen |= {413, 415}
    for status in sorted(statussen):
        bestaand = antwoorden.setdefault(str(status), {})
        bestaand.setdefault("description", FOUTEN[status])
        bestaand["content"] = {"application/problem+json": {"schema": PROBLEEM_REF}}
        for naam in KOPREGELS_PER_STATUS.get(status, []):
            bestaand.setdefault("headers", {})[naam] = {}
    idempotent = any(p["name"] == "Idempotency-Key" for p in parameters)
    for status, antwoord in antwoorden.items():
        if antwoord.get("description") == "Successful Response":
            antwoord["description"] = "Gelukt."
        koppen = antwoord.setdefault("headers", {})
        for naam in OP_ELK_ANTWOORD:
            koppen[naam] = {}
        if idempotent and status.startswith("2"):
            koppen["Idempotent-Replayed"] = {}
        # Each header is declared once: the routes name it, the component says what it means.
        for naam in list(koppen):
            if naam in KOPREGELS:
                koppen[naam] = {"$ref": f"#/components/headers/{naam}"}
