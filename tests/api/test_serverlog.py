"""The web server's request log (issue 11): a BSN put in a query string by mistake is refused with 400
and never written to the server's output, while the request itself is logged by its path. Run with the
command line of `make run`, and the Dockerfile serves with the same log configuration."""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from pathlib import Path

import httpx2
import pytest

from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from tests.serverproces import GEREED_BINNEN, ROOT, omgeving, vrije_poort

BSN = "111222333"


def _opdracht_van_make_run(poort: int) -> list[str]:
    """The uvicorn command line `make run` runs (make -n prints it without running anything)."""
    uitvoer = subprocess.run(["make", "-n", "run", f"PORT={poort}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    [regel] = [r for r in uitvoer.splitlines() if "uvicorn " in r]
    return shlex.split(regel)


def test_a_query_string_never_reaches_the_server_log_but_the_request_does(sqlite_instellingen: Settings) -> None:
    poort = vrije_poort()
    opdracht = _opdracht_van_make_run(poort)
    basis = f"http://127.0.0.1:{poort}"
    log = sqlite_instellingen.data_map / "make-run.log"
    with log.open("wb") as uitvoer:
        proces = subprocess.Popen(opdracht, cwd=ROOT, env=omgeving(sqlite_instellingen), stdout=uitvoer, stderr=subprocess.STDOUT)
    try:
        _wacht_tot_gereed(proces, basis, log)
        token = maak_ontwikkeltoken(sqlite_instellingen, rol="regisseur", gemeenten=["0505"])
        kop = {"Authorization": f"Bearer {token}"}
        assert httpx2.get(f"{basis}/api/v1/trajecten?bsn={BSN}", headers=kop, timeout=30).status_code == 400
        assert httpx2.get(f"{basis}/api/v1/health?bsn={BSN}", timeout=30).status_code == 400
    finally:
        proces.terminate()
        proces.wait(timeout=60)
    tekst = log.read_text(errors="replace")
    assert BSN not in tekst, tekst
    assert '"GET /api/v1/trajecten HTTP/1.1" 400' in tekst, tekst  # logged, by its path
    assert '"GET /api/v1/health HTTP/1.1" 400' in tekst, tekst


def _wacht_tot_gereed(proces: subprocess.Popen[bytes], basis: str, log: Path) -> None:
    begin = time.monotonic()
    while time.monotonic() - begin < GEREED_BINNEN:
        if proces.poll() is not None:
            pytest.fail(f"de server stopte (exitcode {proces.returncode}); uitvoer:\n{log.read_text(errors='replace')}")
        try:
            if httpx2.get(f"{basis}/api/v1/health", timeout=5).status_code == 200:
                print(f"server gereed na {time.monotonic() - begin:.1f} s: 200 op {basis}/api/v1/health")
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"na {GEREED_BINNEN:.0f} s geen 200 op {basis}/api/v1/health; uitvoer:\n{log.read_text(errors='replace')}")


def test_the_docker_image_serves_with_the_same_log_configuration() -> None:
    [cmd] = [r for r in (ROOT / "Dockerfile").read_text().splitlines() if r.startswith("CMD ")]
    argumenten = json.loads(cmd.removeprefix("CMD "))
    make_run = _opdracht_van_make_run(8000)
    configuratie = make_run[make_run.index("--log-config") + 1]
    assert argumenten[argumenten.index("--log-config") + 1] == configuratie
    assert (ROOT / configuratie).is_file()
