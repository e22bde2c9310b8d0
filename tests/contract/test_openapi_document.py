"""The committed OpenAPI document is the app's, passes the ADR and Spectral's OpenAPI linters, and describes every field, header and tag."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.settings import Settings
from api.main import create_app
from api.gebeurtenistypen import CATALOGUS, PAGINA, render_catalogus, render_pagina
from api.openapi import DOCUMENT, render
from tests.contract.gedocumenteerd import blootgestelde_kopregels

ROOT = Path(__file__).resolve().parents[2]
ADR_RULESET = ROOT.parent / "shared" / "adr" / "linter.yaml"
OAS_RULESET = ROOT / "openapi" / "spectral-oas.yaml"
SPECTRAL = "@stoplight/spectral-cli@6.16.3"


def test_committed_document_matches_the_app(tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None, data_map=tmp_path))  # type: ignore[call-arg]
    assert DOCUMENT.read_text() == render(app), "openapi/openapi.json is verouderd: draai `make openapi` en commit"


def test_committed_event_catalogue_and_its_page_match_the_facts_declarations() -> None:
    # A fact whose shape changes gets a new class_version and an upcaster; then `make openapi` pins the new shape.
    assert CATALOGUS.read_text() == render_catalogus(), "openapi/gebeurtenistypen.json is verouderd: draai `make openapi` en commit"
    assert PAGINA.read_text() == render_pagina(), "openapi/gebeurtenistypen.md is verouderd: draai `make openapi` en commit"


def _vorm(schema: object) -> object:
    """A schema without its prose: what a consumer's parser depends on."""
    if isinstance(schema, dict):
        return {k: _vorm(v) for k, v in schema.items() if k not in ("description", "title")}
    return [_vorm(v) for v in schema] if isinstance(schema, list) else schema


def test_a_fact_whose_shape_changed_since_the_committed_catalogue_has_a_new_version() -> None:
    vastgelegd = {t["type"]: t for t in json.loads(CATALOGUS.read_text())["gebeurtenistypen"]}
    for nu in json.loads(render_catalogus())["gebeurtenistypen"]:
        eerder = vastgelegd.get(nu["type"])
        if eerder is not None and _vorm(eerder["schemas"]) != _vorm(nu["schemas"]):
            assert nu["versie"] > eerder["versie"], (
                f"{nu['type']} changed shape: give it class_version {eerder['versie'] + 1} and an upcaster (eventsourcing), "
                "then `make openapi`")


@pytest.mark.parametrize("ruleset", [ADR_RULESET, OAS_RULESET], ids=["adr", "spectral-oas"])
def test_document_passes_the_linters_without_errors_or_warnings(tmp_path: Path, ruleset: Path) -> None:
    assert ruleset.exists(), f"linterregels niet gevonden op {ruleset}"
    npx = shutil.which("npx")
    assert npx, "npx (Node.js) is nodig om de ADR-linter te draaien"
    rapport = tmp_path / "spectral.json"
    opdracht = [npx, "--yes", SPECTRAL, "lint", "--format", "json", "--output", str(rapport), "--fail-severity", "warn"]
    uitvoer = subprocess.run(
        [*opdracht, "-r", str(ruleset), str(DOCUMENT)], capture_output=True, text=True, timeout=300, check=False, cwd=ROOT
    )
    assert rapport.exists(), uitvoer.stderr
    bevindingen = json.loads(rapport.read_text())
    # severity 0 is an error, 1 a warning (Spectral's DiagnosticSeverity)
    fouten = [f"{b['code']}: {b['message']} @ {'.'.join(map(str, b['path']))}" for b in bevindingen if b["severity"] <= 1]
    assert fouten == [], "\n".join(fouten)
    assert uitvoer.returncode == 0, uitvoer.stderr


def test_document_names_the_rules_of_the_design_rules() -> None:
    document = json.loads(DOCUMENT.read_text())
    assert document["servers"][0]["url"] == "/api/v1"
    assert not any(pad.endswith("/") for pad in document["paths"])
    for pad, item in document["paths"].items():
        for methode, operatie in item.items():
            assert "422" not in operatie["responses"], f"{methode} {pad}: 422 hoort 400 te zijn"
            for status, antwoord in operatie["responses"].items():
                assert "API-Version" in antwoord["headers"], f"{methode} {pad} {status}"


def _operaties(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{methode.upper()} {pad}", operatie) for pad, item in document["paths"].items() for methode, operatie in item.items()]


def test_every_operation_is_tagged_with_a_tag_the_document_describes() -> None:
    document = json.loads(DOCUMENT.read_text())
    beschreven = {tag["name"] for tag in document["tags"] if tag.get("description")}
    zonder = [f"{naam}: {operatie.get('tags')}" for naam, operatie in _operaties(document)
              if not operatie.get("tags") or not set(operatie["tags"]) <= beschreven]
    assert zonder == [], "tag ontbreekt in de globale `tags` van api/openapi.py:\n" + "\n".join(zonder)


def test_every_header_a_client_can_read_is_declared_once_and_referenced() -> None:
    document = json.loads(DOCUMENT.read_text())
    gedeclareerd = document["components"]["headers"]
    assert sorted(blootgestelde_kopregels() - set(gedeclareerd)) == [], "declareer ze in api/antwoorden.py"
    inline = [f"{naam} {status} {kop}" for naam, operatie in _operaties(document) for status, antwoord in operatie["responses"].items()
              for kop, waarde in antwoord.get("headers", {}).items() if "$ref" not in waarde]
    assert inline == [], "kopregel niet als component (api/antwoorden.py):\n" + "\n".join(inline)


def test_every_operation_declares_the_failures_every_request_can_meet() -> None:
    document = json.loads(DOCUMENT.read_text())
    for naam, operatie in _operaties(document):
        verwacht = {"400", "500"} | ({"401", "403", "503"} if operatie.get("security") else set())
        assert verwacht <= set(operatie["responses"]), f"{naam}: {sorted(verwacht - set(operatie['responses']))}"
        assert "WWW-Authenticate" in operatie["responses"].get("401", {}).get("headers", {"WWW-Authenticate": 0}), naam
        assert "Retry-After" in operatie["responses"].get("503", {}).get("headers", {"Retry-After": 0}), naam


ENGELS = re.compile(r"\b(the|and|when|which|should|must|with|from)\b")


def _zonder_beschrijving(knoop: Any, pad: str, gedekt: bool = False) -> Iterator[str]:
    """Every property, parameter and enum under `knoop` that has no description, or one in English. An enum
    inside a described property or parameter (its items, or one of its variants) is `gedekt` by that description."""
    if isinstance(knoop, list):
        for i, k in enumerate(knoop):
            yield from _zonder_beschrijving(k, f"{pad}/{i}", gedekt)
        return
    if not isinstance(knoop, dict):
        return
    beschrijving = knoop.get("description")
    if isinstance(beschrijving, str) and ENGELS.search(beschrijving):
        yield f"{pad}: Engels? {beschrijving[:80]!r}"
    if "enum" in knoop and not beschrijving and not gedekt:
        yield f"{pad}: enum zonder beschrijving"
    for veld, eigenschap in knoop.get("properties", {}).items():
        if isinstance(eigenschap, dict) and not eigenschap.get("description"):
            yield f"{pad}/properties/{veld}"
    if knoop.get("in") in ("query", "path", "header") and not beschrijving:
        yield f"{pad}: parameter {knoop.get('name')}"
    gedekt = (gedekt or bool(beschrijving)) and not pad.endswith("/schemas")
    for sleutel, waarde in knoop.items():
        if sleutel not in ("description", "example", "examples", "enum"):
            yield from _zonder_beschrijving(waarde, f"{pad}/{sleutel}", gedekt and sleutel != "properties")


def test_every_property_parameter_and_enum_is_described_in_dutch() -> None:
    # A field without a description of its own gets its name's meaning from api/woordenlijst.py; add it there.
    ontbreekt = list(_zonder_beschrijving(json.loads(DOCUMENT.read_text()), "#"))
    assert ontbreekt == [], f"{len(ontbreekt)} zonder Nederlandse beschrijving (api/woordenlijst.py):\n" + "\n".join(ontbreekt)


def test_every_schema_says_what_it_holds() -> None:
    # A generated client's type carries this as its doc comment: a model's docstring, in Dutch.
    schemas = json.loads(DOCUMENT.read_text())["components"]["schemas"]
    zonder = sorted(naam for naam, schema in schemas.items() if not schema.get("description", "").strip())
    assert zonder == [], f"zonder beschrijving (een docstring bij de klasse): {', '.join(zonder)}"
