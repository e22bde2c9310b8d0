"""The committed OpenAPI document is the app's, and it passes the NL GOV API Design Rules linter."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from adapters.settings import Settings
from api.main import create_app
from api.openapi import DOCUMENT, render

ROOT = Path(__file__).resolve().parents[2]
ADR_RULESET = ROOT.parent / "shared" / "adr" / "linter.yaml"
SPECTRAL = "@stoplight/spectral-cli@6.16.3"


def test_committed_document_matches_the_app(tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None, data_map=tmp_path))  # type: ignore[call-arg]
    assert DOCUMENT.read_text() == render(app), "openapi/openapi.json is verouderd: draai `make openapi` en commit"


def test_document_passes_the_adr_linter_without_errors(tmp_path: Path) -> None:
    assert ADR_RULESET.exists(), f"ADR-linterregels niet gevonden op {ADR_RULESET}"
    npx = shutil.which("npx")
    assert npx, "npx (Node.js) is nodig om de ADR-linter te draaien"
    rapport = tmp_path / "spectral.json"
    opdracht = [npx, "--yes", SPECTRAL, "lint", "--format", "json", "--output", str(rapport), "--fail-severity", "error"]
    uitvoer = subprocess.run(
        [*opdracht, "-r", str(ADR_RULESET), str(DOCUMENT)], capture_output=True, text=True, timeout=300, check=False, cwd=ROOT
    )
    assert rapport.exists(), uitvoer.stderr
    bevindingen = json.loads(rapport.read_text())
    fouten = [f"{b['code']}: {b['message']} @ {'.'.join(map(str, b['path']))}" for b in bevindingen if b["severity"] == 0]
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
