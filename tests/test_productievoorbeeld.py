"""The README's production example as written: its settings with real values, the migration, the projector, the
dispatcher and the image's own command start, and the API is ready. And production with nothing set stops every
entry point with one message that names every required setting."""

from __future__ import annotations

import base64
import json
import re
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from joserfc.jwk import ECKey

from adapters.settings import Settings, omgevingsnaam, productie_eis
from adapters.startcontrole import laad
from tests.conftest import POSTGRES_URL
from tests.serverproces import ROOT, Serverproces, cli, omgeving

README = ROOT / "README.md"
DOCKERFILE = ROOT / "Dockerfile"
GEREED_BINNEN = 120.0  # generous: a busy machine may take long to import; each wait ends as soon as it holds


def readme_voorbeeld() -> dict[str, str]:
    """The settings of the README's env file (`# inburgering.env` in "PostgreSQL and production")."""
    blok = re.search(r"```sh\n# inburgering\.env[^\n]*\n(.*?)```", README.read_text(), re.S)
    assert blok is not None, "README.md mist het voorbeeld van inburgering.env"
    return dict(regel.split("=", 1) for regel in blok.group(1).splitlines() if regel.strip() and not regel.startswith("#"))


def image_env() -> dict[str, str]:
    """What the image sets itself (its ENV of INBURGERING_ settings in the Dockerfile)."""
    blok = re.search(r"^ENV INBURGERING_.*?[^\\]\n", DOCKERFILE.read_text(), re.M | re.S)
    assert blok is not None, "het Dockerfile zet geen INBURGERING_-instellingen"
    return dict(re.findall(r"\b(INBURGERING_\w+)=(\S+)", blok.group(0)))


def image_opdracht(poort: int) -> list[str]:
    """The Dockerfile's CMD, on the loopback and a free port, with this interpreter."""
    opdracht: list[str] = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE.read_text(), re.M).group(1))  # type: ignore[union-attr]
    for optie, waarde in (("--host", "127.0.0.1"), ("--port", str(poort))):
        opdracht[opdracht.index(optie) + 1] = waarde
    uitvoerbaar = {"python": [sys.executable], "uvicorn": [sys.executable, "-m", "uvicorn"]}
    return [deel for woord in opdracht for deel in uitvoerbaar.get(woord, [woord])]


def vereisten() -> list[set[str]]:
    """What production requires, as the fields declare it: per requirement the settings of which one will do."""
    groepen: dict[str, set[str]] = {}
    for veld, info in Settings.model_fields.items():
        if eis := productie_eis(info):
            groepen.setdefault(eis.groep or veld, set()).add(omgevingsnaam(veld))
    return list(groepen.values())


@pytest.mark.postgres
def test_the_readme_production_example_starts_and_is_ready(
    postgres_schemas: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the README's settings, with a real value wherever it holds a placeholder or a host of SDD's
    voorbeeld = readme_voorbeeld()
    idp = ECKey.generate_key("P-256", parameters={"kid": "idp-test", "alg": "ES256", "use": "sig"})
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [idp.as_dict(private=False)]}))
    echt = {
        "INBURGERING_DATABASE_URL": POSTGRES_URL,
        "INBURGERING_DATABASE_SCHEMA": postgres_schemas(),  # type: ignore[operator]
        # Another database as far as the settings go; the test's server holds both, in the test's schema.
        "INBURGERING_SLEUTEL_DATABASE_URL": f"{POSTGRES_URL}?application_name=inburgering-sleutels",
        "INBURGERING_JWKS_PAD": str(jwks),
        "INBURGERING_BSN_SLEUTEL": secrets.token_hex(32),
        "INBURGERING_HOOFDSLEUTEL": base64.b64encode(secrets.token_bytes(32)).decode(),
        "INBURGERING_ONDERTEKENSLEUTEL": base64.b64encode(secrets.token_bytes(32)).decode(),
        "INBURGERING_CLOUDEVENTS_BRON": "urn:nld:oin:00000001234567890000:systeem:inburgering",
    }
    assert set(echt) <= set(voorbeeld), f"niet in het voorbeeld van de README: {sorted(set(echt) - set(voorbeeld))}"
    assert [n for n, w in voorbeeld.items() if "<" in w and n not in echt] == [], "een plaatshouder bleef ongevuld"
    gemist = [sorted(namen) for namen in vereisten() if not namen & set(voorbeeld)]
    assert gemist == [], f"het voorbeeld van de README mist wat productie vereist: {gemist}"
    for naam, waarde in (image_env() | voorbeeld | echt | {"INBURGERING_DATA_MAP": str(tmp_path)}).items():
        monkeypatch.setenv(naam, waarde)
    instellingen = laad(_env_file=None)  # the one check itself: nothing missing, nothing invalid
    assert instellingen.is_productie and not instellingen.maak_tabellen

    # When the migration runs once, then the projector, the dispatcher and the image's own command
    migratie = cli(instellingen, "migreer")
    assert migratie.returncode == 0, migratie.stderr
    logs = {naam: tmp_path / f"{naam}.log" for naam in ("projector", "bezorging")}
    opdrachten = {"projector": ["-m", "adapters.cli", "projecteer"], "bezorging": ["-m", "api.bezorging"]}
    processen = {}
    try:
        for naam, opdracht in opdrachten.items():
            with logs[naam].open("wb") as uitvoer:
                processen[naam] = subprocess.Popen([sys.executable, *opdracht], cwd=ROOT, env=omgeving(instellingen),
                                                   stdout=uitvoer, stderr=subprocess.STDOUT)
        workers = int(image_opdracht(0)[image_opdracht(0).index("--workers") + 1])
        with Serverproces(instellingen, workers=workers, opdracht=image_opdracht) as server:
            # Then the API is ready: the event store, the key store and the log answer
            antwoord = httpx2.get(f"{server.basis}/api/v1/health/ready", timeout=30)
            assert antwoord.status_code == 200, antwoord.text
            # and the dispatcher delivers, the projector runs: neither stopped at its start
            begin = time.monotonic()
            while "bezorging: " not in logs["bezorging"].read_text() and time.monotonic() - begin < GEREED_BINNEN:
                assert processen["bezorging"].poll() is None, logs["bezorging"].read_text()
                time.sleep(0.2)
            assert " bezorgt" in logs["bezorging"].read_text(), f"na {GEREED_BINNEN:g} s: {logs['bezorging'].read_text()}"
            assert processen["projector"].poll() is None, logs["projector"].read_text()
    finally:
        for proces in processen.values():
            proces.terminate()
            proces.wait(timeout=60)


ALLE_INGANGEN = {
    "migratie": ["-m", "adapters.cli", "migreer"],
    "projector": ["-m", "adapters.cli", "projecteer"],
    "bezorging": ["-m", "api.bezorging"],
    "een beheertaak": ["-m", "adapters.cli", "vergeet"],
}


@pytest.mark.parametrize("ingang", [*ALLE_INGANGEN, "de API (het CMD van het image)"])
def test_production_with_nothing_set_names_every_required_setting_in_one_message(ingang: str) -> None:
    # Given production as the image sets it, and nothing else
    env = {naam: waarde for naam, waarde in os.environ.items() if not naam.startswith("INBURGERING_")} | image_env()
    opdracht = [sys.executable, *ALLE_INGANGEN[ingang]] if ingang in ALLE_INGANGEN else image_opdracht(0)
    # When it starts
    uitkomst = subprocess.run(opdracht, cwd=ROOT, env=env, capture_output=True, text=True, timeout=GEREED_BINNEN)
    # Then it stops with exit code 3 and one message, no traceback, naming every setting production requires
    assert uitkomst.returncode == 3, uitkomst.stdout + uitkomst.stderr
    assert uitkomst.stderr.count("Inburgering start niet:") == 1 and "Traceback" not in uitkomst.stderr, uitkomst.stderr
    for naam in ("DATABASE_URL", "SLEUTEL_DATABASE_URL", "JWKS of INBURGERING_JWKS_PAD of INBURGERING_JWKS_URL", "BSN_SLEUTEL", "HOOFDSLEUTEL",
                 "ONDERTEKENSLEUTEL", "CLOUDEVENTS_BRON", "PUBLIEKE_URL"):
        assert f"\n- INBURGERING_{naam}: " in uitkomst.stderr, uitkomst.stderr
    assert uitkomst.stderr.count("\n- INBURGERING_") == len(vereisten())  # each once, nothing else
