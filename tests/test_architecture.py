"""The layers stay apart: domain/ and projections/ import no web or database code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import adapters
import api
import domain
import projections

ROOT = Path(__file__).resolve().parent.parent
VERBODEN_IN_DE_KERN = ("fastapi", "starlette", "uvicorn", "psycopg", "psycopg_pool", "sqlite3", "eventsourcing.postgres", "eventsourcing.sqlite")


def _imports(bestand: Path) -> set[str]:
    namen: set[str] = set()
    for knoop in ast.walk(ast.parse(bestand.read_text())):
        if isinstance(knoop, ast.Import):
            namen |= {alias.name for alias in knoop.names}
        elif isinstance(knoop, ast.ImportFrom) and knoop.module:
            namen.add(knoop.module)
    return namen


def test_domain_and_projections_import_no_web_or_database_code() -> None:
    overtredingen = [
        f"{bestand.relative_to(ROOT)} importeert {naam}"
        for map_ in ("domain", "projections")
        for bestand in (ROOT / map_).rglob("*.py")
        for naam in _imports(bestand)
        if any(naam == verboden or naam.startswith(verboden + ".") for verboden in VERBODEN_IN_DE_KERN)
    ]
    assert overtredingen == []


def test_import_linter_contracts_hold() -> None:
    uitvoer = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert uitvoer.returncode == 0, uitvoer.stdout + uitvoer.stderr
    assert "Contracts: 2 kept, 0 broken." in uitvoer.stdout


def test_code_is_imported_from_the_checkout_never_from_site_packages() -> None:
    for pakket in (domain, projections, api, adapters):
        assert Path(pakket.__file__).resolve().is_relative_to(ROOT), pakket.__file__  # type: ignore[arg-type]
