"""An example for every request and response body in the OpenAPI document.

A request's example is the body its schema class declares (`VOORBEELD`, api/verzoeken/): one that the API accepts,
which tests/contract/test_voorbeelden.py sends. A response's example is built from its schema, once per schema
as a component (`#/components/examples/...`), so that a new response has one without anyone writing it; the same
test validates each against its schema."""

from __future__ import annotations

from typing import Any

from api.antwoorden import PROBLEEMVOORBEELDEN
from api.schemas import Schema

VASTE_WAARDEN = {  # per string format: one value that looks like what the API sends
    "date": "2025-04-10",
    "date-time": "2025-04-10T09:30:00Z",
    "uuid": "0b5e7c1a-3f2d-4e8b-9a6c-1d2e3f4a5b6c",
    "uri": "https://inburgering.sdd.nl/api/v1/trajecten/0b5e7c1a-3f2d-4e8b-9a6c-1d2e3f4a5b6c",
    "bsn": "111222333",
}
# Per field name, a value as the API sends it, where the schema says no more than "a string".
PER_VELD = {
    "aanleiding": "tvs_profiel", "actieWeergave": "Feit vastgelegd: pip-vastgesteld", "afgeschermd": "gezondheid",
    "aggregaatId": "0b5e7c1a-3f2d-4e8b-9a6c-1d2e3f4a5b6c", "algoritme": "sha256", "applicatieId": "zaaksysteem-sdd",
    "applicatieWeergave": "Zaaksysteem SDD", "bedrag": "37.50", "behaaldeExamenonderdelen": "lezen",
    "beslissingOpBezwaar": "deels_gegrond", "bijzonderePersoonsgegevens": "gezondheid", "bron": "inburgering-api",
    "bsn": "111222333", "callbackUrl": "https://ontvanger.example.nl/inburgering",
    "correlatieId": "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b", "dataref": VASTE_WAARDEN["uri"] + "/gebeurtenissen/12",
    "dataschema": "https://inburgering.sdd.nl/api/v1/gebeurtenistypen/nl.wet-inburgering.traject.pip-vastgesteld",
    "doelgroep": "asielstatushouder", "fout": "UniqueViolation (SQLSTATE 23505)",
    "gebeurtenistype": "nl.wet-inburgering.traject.pip-vastgesteld", "gebeurtenistypen": "nl.wet-inburgering.traject.pip-vastgesteld",
    "gebruiker": "j.jansen", "gebruikersId": "j.jansen", "gebruikersWeergave": "J. Jansen (regisseur)",
    "geheim": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "gemeente": "0505", "grondslag": "Wi 15(1), Bi 5.2",
    "handtekening": "c2lnbmF0dXVyIHZhbiBoZXQgY29udHJvbGVwdW50", "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "hoofdObject": VASTE_WAARDEN["uri"], "laatsteFout": "De ontvanger antwoordde 503.", "naam": "trajectenlijst",
    "namensCollege": "0505", "omschrijving": "Het PIP is vastgesteld.", "opgeslagen": "eyJ2ZXJzaWUiOiAxfQ==", "percentage": "42.5",
    "publiekeSleutel": "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=",
    "rechtsgrond": "Wi 15(1)", "regisseur": "j.jansen", "resourceUrl": VASTE_WAARDEN["uri"], "resourceWeergave": "Traject 0b5e7c1a",
    "rol": "regisseur", "sequence": "00000000000000000012", "soort": "pip", "source": "urn:nld:oin:00000001234567890000:systeem:inburgering",
    "status": "lopend", "toelichting": "Op verzoek van de inburgeraar.", "topic": "domain.traject:Inburgeringstraject.PipVastgesteld",
    "traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "type": "nl.wet-inburgering.traject.pip-vastgesteld",
    "uitleg": "De ketenhash van versie 3 klopt niet met de opgeslagen gebeurtenis.", "volgende": None,
}
MEDIA_JSON = ("application/json", "application/problem+json", "application/cloudevents-batch+json")


def _schemaklassen() -> dict[str, type[Schema]]:
    gevonden: dict[str, type[Schema]] = {}
    te_doen: list[type[Schema]] = [Schema]
    while te_doen:
        klasse = te_doen.pop()
        te_doen.extend(klasse.__subclasses__())
        gevonden.setdefault(klasse.__name__, klasse)
    return gevonden


def _naam(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def voorbeeld(schema: dict[str, Any], schemas: dict[str, Any], diepte: int = 0, veld: str = "") -> Any:
    """A value that the schema accepts: its own example where it has one, otherwise one made from its type (and
    the field's name)."""
    if diepte > 20:
        return None
    if "$ref" in schema:
        return voorbeeld(schemas[_naam(schema["$ref"])], schemas, diepte + 1, veld)
    for sleutel in ("const", "example"):
        if sleutel in schema:
            return schema[sleutel]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("default") is not None:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    varianten = schema.get("anyOf") or schema.get("oneOf")
    if varianten:
        return voorbeeld(next((v for v in varianten if v.get("type") != "null"), varianten[0]), schemas, diepte + 1, veld)
    soort = schema.get("type")
    if isinstance(soort, list):
        soort = next((s for s in soort if s != "null"), "null")
    if soort == "object" or "properties" in schema:
        waarde = {naam: voorbeeld(deel, schemas, diepte + 1, naam) for naam, deel in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            sleutel = voorbeeld(schema["propertyNames"], schemas, diepte + 1) if "propertyNames" in schema else "voorbeeld"
            waarde[str(sleutel)] = voorbeeld(extra, schemas, diepte + 1)
        return waarde
    if soort == "array":
        return [] if schema.get("maxItems") == 0 else [voorbeeld(schema.get("items", {}), schemas, diepte + 1, veld)]
    if soort == "integer":
        return max(schema.get("minimum", 1), 1) if schema.get("maximum", 1) >= 1 else schema.get("maximum")
    if soort == "number":
        return 1.5
    if soort == "boolean":
        return True
    if soort == "string":
        return VASTE_WAARDEN.get(schema.get("format", "")) or PER_VELD.get(veld, "tekst")
    return None


def voeg_voorbeelden_toe(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    klassen = _schemaklassen()
    voorbeelden = document["components"].setdefault("examples", {})
    for item in document["paths"].values():
        for operatie in item.values():
            for media in operatie.get("requestBody", {}).get("content", {}).values():
                if "examples" not in media:
                    media["examples"] = _verzoekvoorbeelden(media["schema"], klassen)
            for status, antwoord in operatie["responses"].items():
                for soort, media in antwoord.get("content", {}).items():
                    if soort in MEDIA_JSON and "examples" not in media:
                        media["examples"] = {"voorbeeld": _antwoordvoorbeeld(media["schema"], int(status), schemas, voorbeelden)}


def _verzoekvoorbeelden(schema: dict[str, Any], klassen: dict[str, type[Schema]]) -> dict[str, Any]:
    refs = [schema["$ref"]] if "$ref" in schema else [v["$ref"] for v in schema.get("oneOf", []) if "$ref" in v]
    uit: dict[str, Any] = {}
    for ref in refs:
        klasse = klassen.get(_naam(ref))
        if klasse is not None and klasse.VOORBEELD is not None:
            uit[_naam(ref)] = {"summary": (klasse.__doc__ or _naam(ref)).split("\n")[0].strip(), "value": klasse.VOORBEELD}
    return uit


def _antwoordvoorbeeld(schema: dict[str, Any], status: int, schemas: dict[str, Any], voorbeelden: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in schema:
        return {"value": voorbeeld(schema, schemas)}
    naam = _naam(schema["$ref"])
    if naam == "Probleem":  # one per status, with the status and what it means
        naam = f"Probleem{status}"
    if naam not in voorbeelden:
        waarde = voorbeeld(schema, schemas)
        if naam.startswith("Probleem") and status in PROBLEEMVOORBEELDEN:
            from api.problems import TYPE_PREFIX  # here: api.problems needs BASISPAD from api.openapi, which imports this module

            code = PROBLEEMVOORBEELDEN[status]["code"]
            waarde = {"type": TYPE_PREFIX + code, "status": status, "instance": "/api/v1/trajecten"} | PROBLEEMVOORBEELDEN[status]
        voorbeelden[naam] = {"summary": f"Voorbeeld van {naam}", "value": waarde}
    return {"$ref": f"#/components/examples/{naam}"}
