"""The web server's request log (issue 11): a BSN put in a query string or a path segment by mistake is
refused and never written to the server's output, while the request itself is logged by its route
template. Run with the command line of `make run`, and the Dockerfile serves with the same log configuration."""

from __future__ import annotations

import json
import logging
import re
import shlex
import subprocess
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace

from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from api.serverlog import GEEN_ROUTE
from tests.conftest import Kopregels, VasteKlok
from tests.serverproces import ROOT, Serverproces

BSN = "111222333"


def _opdracht_van_make_run(poort: int) -> list[str]:
    """The uvicorn command line `make run` runs (make -n prints it without running anything)."""
    uitvoer = subprocess.run(["make", "-n", "run", f"PORT={poort}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    [regel] = [r for r in uitvoer.splitlines() if "uvicorn " in r]
    return shlex.split(regel)


def _zonder_logconfiguratie(opdracht: list[str]) -> list[str]:
    plek = opdracht.index("--log-config")
    return opdracht[:plek] + opdracht[plek + 2:]


@pytest.mark.parametrize("gestart", ["make-run", "kaal"])
def test_neither_a_query_nor_a_path_segment_reaches_the_server_log_but_the_request_does(
    sqlite_instellingen: Settings, gestart: str
) -> None:
    """As `make run` starts it, and as someone might start uvicorn without our log configuration."""
    def opdracht(poort: int) -> list[str]:
        gewoon = _opdracht_van_make_run(poort)
        return _zonder_logconfiguratie(gewoon) if gestart == "kaal" else gewoon

    token = maak_ontwikkeltoken(sqlite_instellingen, rol="regisseur", gemeenten=["0505"])
    kop = {"Authorization": f"Bearer {token}"}
    verzoeken = [
        (f"/api/v1/trajecten?bsn={BSN}", 400, '"GET /api/v1/trajecten" 400'),
        (f"/api/v1/health?bsn={BSN}", 400, '"GET /api/v1/health" 400'),
        (f"/api/v1/trajecten/{BSN}", 400, '"GET /api/v1/trajecten/{trajectId}" 400'),
        (f"/api/v1/trajecten/{BSN}/gebeurtenissen/1?bsn={BSN}", 400, '"GET /api/v1/trajecten/{trajectId}/gebeurtenissen/{versie}" 400'),
        (f"/api/v1/personen/{BSN}", 404, f'"GET {GEEN_ROUTE}" 404'),
    ]
    with Serverproces(sqlite_instellingen, opdracht=opdracht) as server:
        for url, status, _ in verzoeken:
            assert httpx2.get(f"{server.basis}{url}", headers=kop, timeout=30).status_code == status, url
    tekst = server.uitvoer
    assert BSN not in tekst, tekst
    assert "HTTP/1.1" not in tekst, tekst  # uvicorn's own access log, which names the raw path, is off
    if gestart == "kaal":
        return  # without our configuration our request lines have no handler either
    for url, _, regel in verzoeken:
        assert re.search(re.escape(regel) + r" [0-9.]+ ms$", tekst, re.MULTILINE), (url, regel, tekst)


def test_the_docker_image_serves_with_the_same_log_configuration() -> None:
    [cmd] = [r for r in (ROOT / "Dockerfile").read_text().splitlines() if r.startswith("CMD ")]
    argumenten = json.loads(cmd.removeprefix("CMD "))
    make_run = _opdracht_van_make_run(8000)
    configuratie = make_run[make_run.index("--log-config") + 1]
    assert argumenten[argumenten.index("--log-config") + 1] == configuratie
    assert (ROOT / configuratie).is_file()


def test_the_image_logs_json_lines_and_make_run_plain_text() -> None:
    """The image sets no format, so it has the setting's default (adapters/logopmaak.py reads it before the app)."""
    assert Settings.model_fields["log_formaat"].default == "json"
    assert "INBURGERING_LOG_FORMAAT=" not in (ROOT / "Dockerfile").read_text()
    assert "INBURGERING_LOG_FORMAAT=tekst" in _opdracht_van_make_run(8000)


def test_a_failing_request_is_logged_as_the_500_it_becomes(api: TestClient, als: Kopregels, monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    def kapot(*_: object, **__: object) -> None:
        raise RuntimeError(f"de opslag viel weg bij {BSN}")

    monkeypatch.setattr(api.app.state.inburgering, "gebeurtenissen", kapot)  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO, logger="inburgering.toegang"):
        pad = "/api/v1/trajecten/00000000-0000-4000-8000-000000000000/gebeurtenissen"
        assert api.get(pad, headers=als("regisseur", "0505")).status_code == 500
    [regel] = [r.getMessage() for r in caplog.records if r.name == "inburgering.toegang"]
    assert re.fullmatch(r'"GET /api/v1/trajecten/\{trajectId\}/gebeurtenissen" 500 [0-9.]+ ms', regel), regel


def test_a_global_tracer_provider_gets_no_span_that_names_the_url(
    sqlite_instellingen: Settings, klok: VasteKlok, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Auto-instrumentation sets a global OpenTelemetry provider; FastAPI's own spans would then carry the URL as
    sent, as uvicorn's access line would. The trace context is the app's own (traceparent, api/logboek.py)."""
    spans: list[tuple[str, dict[str, object]]] = []

    class Opnemer(trace.NoOpTracer):
        def start_span(self, name: str, *args: Any, attributes: Any = None, **kwargs: Any) -> trace.Span:
            spans.append((name, dict(attributes or {})))
            return super().start_span(name, *args, attributes=attributes, **kwargs)

        def start_as_current_span(self, name: str, *args: Any, attributes: Any = None, **kwargs: Any) -> Any:
            spans.append((name, dict(attributes or {})))
            return super().start_as_current_span(name, *args, attributes=attributes, **kwargs)

    class Aanbieder(trace.TracerProvider):
        def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
            return Opnemer()

    monkeypatch.setattr(trace, "get_tracer_provider", Aanbieder)
    token = maak_ontwikkeltoken(sqlite_instellingen, rol="regisseur", gemeenten=["0505"])
    with TestClient(create_app(sqlite_instellingen, klok), raise_server_exceptions=False) as client:
        assert client.get(f"/api/v1/trajecten?bsn={BSN}", headers={"Authorization": f"Bearer {token}"}).status_code == 400
        assert client.get(f"/api/v1/trajecten/{BSN}", headers={"Authorization": f"Bearer {token}"}).status_code == 400
    assert spans == []
