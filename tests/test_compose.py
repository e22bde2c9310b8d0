"""compose.yaml: the README's production set-up (PostgreSQL, a one-off migration, the API with two workers, the
projector and the dispatcher) from the Dockerfile's image. Read as YAML and checked against the Compose
Specification's JSON Schema everywhere; also by `docker compose config` where the compose plugin is installed."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from tests.serverproces import ROOT
from tests.test_productievoorbeeld import DOCKERFILE, README, readme_voorbeeld, vereisten

COMPOSE = ROOT / "compose.yaml"
# schema/compose-spec.json of github.com/compose-spec/compose-spec at 170098b (2026-06-23, Apache-2.0): what
# `docker compose` itself validates a file against, so a file this passes is one compose reads.
SPECIFICATIE = Path(__file__).with_name("compose-spec.json")
APP = {"migratie", "api", "projector", "bezorging"}


def readme_opdrachten() -> set[str]:
    """The commands the README's production example runs in the image (`docker run ... inburgering <command>`)."""
    return set(re.findall(r"^docker run [^\n]*? inburgering (python -m [\w.]+(?: \w+)?)\s*$", README.read_text(), re.M))


def test_compose_runs_the_readme_processes_after_one_migration() -> None:
    diensten: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(diensten) == APP | {"db"}
    # Each process runs what the README runs; the API the image's own command (its two workers).
    opdrachten = {" ".join(diensten[d]["command"]) for d in APP - {"api"}}
    assert opdrachten == readme_opdrachten() and len(opdrachten) == 3
    assert "command" not in diensten["api"] and '"--workers", "2"' in DOCKERFILE.read_text()
    assert all(diensten[d]["build"] == "." for d in APP)
    # The migration once, after the database answers; the rest only after it succeeded.
    assert diensten["migratie"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert diensten["migratie"]["restart"] == "no"
    for dienst in APP - {"migratie"}:
        assert diensten[dienst]["depends_on"] == {"migratie": {"condition": "service_completed_successfully"}}
    # The keys in another database than the events.
    omgeving = diensten["api"]["environment"]
    gebeurtenissen, sleutels = omgeving["INBURGERING_DATABASE_URL"], omgeving["INBURGERING_SLEUTEL_DATABASE_URL"]
    assert gebeurtenissen.rsplit("/", 1)[0] == sleutels.rsplit("/", 1)[0] and gebeurtenissen != sleutels


def test_compose_yaml_follows_the_compose_specification() -> None:
    specificatie = jsonschema_rs.validator_for(json.loads(SPECIFICATIE.read_text()))
    bestand = yaml.safe_load(COMPOSE.read_text())
    assert [f"{'/'.join(map(str, f.instance_path))}: {f.message}" for f in specificatie.iter_errors(bestand)] == []
    # The schema is strict enough to catch a mistake: a misspelt key of a service is refused.
    bestand["services"]["api"]["depends_onn"] = bestand["services"]["api"].pop("depends_on")
    assert not specificatie.is_valid(bestand)


def _compose() -> list[str]:
    try:
        versie = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        pytest.skip("geen docker CLI op deze machine: compose.yaml is niet met `docker compose config` gecontroleerd")
    if versie.returncode != 0:
        pytest.skip(f"de docker CLI heeft geen compose-plugin ({versie.stderr.strip().splitlines()[0]}): compose.yaml is niet met "
                    "`docker compose config` gecontroleerd")
    return ["docker", "compose", "-f", str(COMPOSE)]


def test_docker_compose_accepts_the_file_with_the_readme_settings(tmp_path: Path) -> None:
    compose = _compose()
    env_bestand, jwks = tmp_path / "inburgering.env", tmp_path / "jwks.json"
    env_bestand.write_text("".join(f"{naam}={waarde}\n" for naam, waarde in readme_voorbeeld().items()))
    jwks.write_text('{"keys": []}')
    omgeving = {n: w for n, w in os.environ.items() if not n.startswith("INBURGERING_")} | {
        "INBURGERING_DB_WACHTWOORD": "geheim", "INBURGERING_ENV_BESTAND": str(env_bestand), "INBURGERING_JWKS_BESTAND": str(jwks)}
    uitkomst = subprocess.run([*compose, "config", "--format", "json"], cwd=ROOT, env=omgeving, capture_output=True,
                              text=True, timeout=120)
    assert uitkomst.returncode == 0, uitkomst.stderr
    diensten = json.loads(uitkomst.stdout)["services"]
    for dienst in APP:
        gezet = set(diensten[dienst]["environment"])
        assert [sorted(namen) for namen in vereisten() if not namen & gezet] == [], dienst
        assert diensten[dienst]["environment"]["INBURGERING_DATABASE_URL"].endswith("@db:5432/inburgering")
    # Without the database password it refuses, rather than starting PostgreSQL without one.
    zonder = {n: w for n, w in omgeving.items() if n != "INBURGERING_DB_WACHTWOORD"}
    assert subprocess.run([*compose, "config"], cwd=ROOT, env=zonder, capture_output=True, timeout=120).returncode != 0
