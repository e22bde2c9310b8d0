"""Structured logs (issue 16): every line a real server writes is one JSON object; a line written while a
request is served carries that request's trace id (the caller's, when it sent a traceparent), also from the
route's worker thread; and no line holds a BSN or a token, wherever they were sent."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import textwrap
import uuid
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from adapters.settings import Settings
from adapters.logopmaak import WEGGELATEN, Afscherming, JsonOpmaak, afgeschermd
from api.main import create_app
from api.routers.werkdraad import in_een_werkdraad
from tests.builders import een_bsn, kennisgeving_start, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import ROOT, Serverproces, omgeving

STORING = "/api/v1/_storing/{waarde}"


def app_met_storing() -> FastAPI:
    """The app as served, plus one route that fails the way an unforeseen bug would: it logs what it was sent
    and raises with it in the messages of a chain of exceptions."""
    app = create_app()

    @app.get(STORING)
    @in_een_werkdraad
    def storing(waarde: str, request: Request) -> None:
        logging.getLogger("inburgering.storing").warning("ontvangen: %s met %s", waarde, request.headers["authorization"])
        try:
            raise ValueError(f"ongeldige waarde {waarde}")
        except ValueError as fout:
            raise RuntimeError(f"{waarde} niet verwerkt ({request.headers['authorization']})") from fout

    return app


def _opdracht(poort: int) -> list[str]:
    """As Serverproces starts the app, with the route above."""
    return [sys.executable, "-m", "uvicorn", f"{__name__}:app_met_storing", "--factory", "--host", "127.0.0.1",
            "--port", str(poort), "--no-proxy-headers", "--log-config", "api/serverlog.json"]


def _trace_id(antwoord: httpx2.Response) -> str:
    return antwoord.headers["traceparent"].split("-")[1]


def _traceparent() -> tuple[str, str]:
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def _json_regels(uitvoer: str) -> list[dict[str, Any]]:
    """Every line as JSON, or a failure naming the first that is not."""
    regels = []
    for regel in uitvoer.splitlines():
        try:
            regels.append(json.loads(regel))
        except json.JSONDecodeError:
            pytest.fail(f"geen JSON: {regel!r} in de uitvoer:\n{uitvoer}")
    return regels


def test_every_line_the_server_writes_is_json_and_carries_its_requests_trace_but_no_bsn_or_token(
    instellingen: Settings, als: Kopregels
) -> None:
    bsn, ander = een_bsn(), een_bsn()
    kop = als("regisseur", "0505", "0642")
    token = kop["Authorization"].removeprefix("Bearer ")
    gegeven, traceparent = _traceparent()
    bij_fout, traceparent_bij_fout = _traceparent()
    verzoeken: list[tuple[str, int, str]] = []  # (method and route template, status, trace id)
    with Serverproces(instellingen.model_copy(update={"log_formaat": "json"}), opdracht=_opdracht) as server, \
            httpx2.Client(base_url=server.basis, headers=kop, timeout=30) as http:
        def verzoek(methode: str, sjabloon: str, pad: str, status: int, **opties: Any) -> httpx2.Response:
            antwoord = http.request(methode, pad, **opties)
            assert antwoord.status_code == status, (pad, antwoord.text)
            trace_id = _trace_id(antwoord)  # a 500 too, though answered outside the middleware that sets it
            verzoeken.append((f"{methode} {sjabloon}", status, trace_id))
            return antwoord

        verzoek("POST", "/api/v1/trajecten", "/api/v1/trajecten", 201, json=tvs_start(bsn))
        verzoek("POST", "/api/v1/trajecten", "/api/v1/trajecten", 201, json=kennisgeving_start(ander))
        verzoek("POST", "/api/v1/trajecten", "/api/v1/trajecten", 409, json=tvs_start(bsn))
        verzoek("GET", "/api/v1/trajecten", f"/api/v1/trajecten?bsn={bsn}", 400)
        verzoek("POST", "/api/v1/trajecten", "/api/v1/trajecten", 400, json=tvs_start(bsn) | {"gemeente": bsn, bsn: bsn})
        verzoek("GET", "/api/v1/trajecten/{trajectId}", f"/api/v1/trajecten/{uuid.uuid4()}", 404)
        met_trace = verzoek("GET", "/api/v1/trajecten", "/api/v1/trajecten", 200,
                            headers={"traceparent": traceparent})
        fout = verzoek("GET", STORING, f"/api/v1/_storing/{bsn}", 500,
                       headers={"traceparent": traceparent_bij_fout, "X-Correlation-ID": (correlatie := str(uuid.uuid4()))})
        # The one a caller reads back on the phone: the answer names the ids its log lines carry.
        assert (_trace_id(fout), fout.headers["X-Correlation-ID"]) == (bij_fout, correlatie)
        assert correlatie in fout.json()["detail"] and fout.headers["API-Version"]
        uitvoer = server.stop()

    regels = _json_regels(uitvoer)
    assert all({"timestamp", "level", "logger", "message"} <= r.keys() for r in regels), uitvoer
    assert any(r["logger"] == "uvicorn.error" and r["message"] == "Application startup complete." for r in regels)
    assert bsn not in uitvoer and ander not in uitvoer, uitvoer
    assert token not in uitvoer and token.split(".")[-1] not in uitvoer, uitvoer

    # Each request's line carries its own trace id; the given one where it was sent.
    assert _trace_id(met_trace) == gegeven
    eigen = [r for r in regels if "/api/v1/health" not in r["message"]]  # not the readiness probes of Serverproces
    verzoekregels = [r for r in eigen if r["logger"] == "inburgering.toegang"]
    assert [(r["message"].split('"')[1], int(r["message"].split()[2]), r["trace_id"]) for r in verzoekregels] == verzoeken
    traces = {trace_id for *_, trace_id in verzoeken}
    assert all(r["trace_id"] in traces and len(r["span_id"]) == 16 for r in eigen if "trace_id" in r)

    # The failing request: the route's own line (from its worker thread) and the error, each one line with the
    # error's type and stack as fields, under the request's trace and correlation id; no message that held input.
    storing = [r for r in regels if r.get("trace_id") == bij_fout]
    [route_regel] = [r for r in storing if r["logger"] == "inburgering.storing"]
    assert route_regel["message"] == "ontvangen: [bsn] met Bearer [token]"
    fout_regels = [r for r in storing if "exc_type" in r]
    assert sorted(r["logger"] for r in fout_regels) == ["inburgering.api", "uvicorn.error"]  # the app's, and the server's
    for fout_regel in fout_regels:
        assert fout_regel["exc_type"] == "RuntimeError" and fout_regel["level"] == "ERROR"
        assert fout_regel["correlation_id"] == route_regel["correlation_id"]
        spoor = fout_regel["traceback"]
        assert f"ValueError: {WEGGELATEN}" in spoor and f"RuntimeError: {WEGGELATEN}" in spoor and "direct cause" in spoor
        assert 'raise ValueError(f"ongeldige waarde {waarde}")' in spoor  # the stack and its source lines are kept

    # What happens outside any request (start, the log writer at shutdown) carries no trace.
    assert any("toegangslog:" in r["message"] and "trace_id" not in r for r in regels), uitvoer


@pytest.mark.parametrize("formaat", ["json", "tekst"])
def test_a_warning_and_a_threads_uncaught_error_go_through_the_same_handlers(formaat: str) -> None:
    """Python prints both past logging by default: as text, with their messages."""
    bsn = een_bsn()
    script = textwrap.dedent(f"""
        import json, logging.config, threading, warnings
        with open("api/serverlog.json") as bestand:
            logging.config.dictConfig(json.load(bestand))
        warnings.warn("verouderd bij {bsn}")
        def kapot():
            raise KeyError("{bsn}")
        draad = threading.Thread(target=kapot, name="projector")
        draad.start()
        draad.join()
    """)
    uitvoer = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=os.environ | {"INBURGERING_LOG_FORMAAT": formaat},
                             capture_output=True, text=True, timeout=120)
    assert uitvoer.returncode == 0 and not uitvoer.stdout, uitvoer
    assert bsn not in uitvoer.stderr and f"KeyError: {WEGGELATEN}" in uitvoer.stderr, uitvoer.stderr
    if formaat == "tekst":
        assert "onafgevangen fout in draad projector" in uitvoer.stderr and "verouderd bij [bsn]" in uitvoer.stderr
        return
    waarschuwing, fout = _json_regels(uitvoer.stderr)
    assert waarschuwing["logger"] == "py.warnings" and "UserWarning: verouderd bij [bsn]" in waarschuwing["message"]
    assert fout["message"] == "onafgevangen fout in draad projector" and fout["exc_type"] == "KeyError"
    assert "trace_id" not in fout  # no request


@pytest.mark.parametrize(("tekst", "verwacht"), [
    ("bsn 111222333 gezocht", "bsn [bsn] gezocht"),
    ("bsn=1112.22.333&x", "bsn=[bsn]&x"),
    ("123456789 verzoeken", "123456789 verzoeken"),  # nine digits that fail the elfproef are a number
    ("trace 4bf92f3577b111222333a6a3ce929d0e", "trace 4bf92f3577b111222333a6a3ce929d0e"),  # inside an id
    ("positie 1111222333", "positie 1111222333"),  # ten digits
    ("Authorization: bearer abc.DEF-ghi_jk", "Authorization: bearer [token]"),
    ("Basic dXNlcjpwYXNz", "Basic [token]"),
    ("Bearer; basic inburgering", "Bearer; basic inburgering"),
    ("eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl in de kop", "[jwt] in de kop"),
    ("geheim whsec_QUJDREVGRw==", "geheim whsec_[geheim]"),
])
def test_what_looks_like_a_bsn_or_a_token_is_redacted(tekst: str, verwacht: str) -> None:
    assert afgeschermd(tekst) == verwacht


def test_a_line_is_ascii_json_whatever_it_holds_and_an_exception_logged_as_the_message_is_cut() -> None:
    """A stored odd string (a lone surrogate) would be an encoding error on the stream, and the line lost."""
    regels = []
    for bericht, argumenten in [("naam %s", ("\udc80 é",)), (ValueError("111222333 onbekend"), ())]:
        record = logging.LogRecord("inburgering.api", logging.WARNING, __file__, 1, bericht, argumenten, None)
        assert Afscherming().filter(record)
        regel = JsonOpmaak().format(record)
        regel.encode("ascii")
        regels.append(json.loads(regel)["message"])
    assert regels == ["naam \udc80 é", WEGGELATEN]


def test_the_projector_process_logs_the_same_json_lines(api: TestClient, als: Kopregels, instellingen: Settings) -> None:
    # A process without uvicorn (make projecties, make bezorging) takes the server's log set-up: its lines too
    # are JSON an operator's collector reads, redacted alike.
    bsn = een_bsn()
    assert api.post("/api/v1/trajecten", json=tvs_start(bsn), headers=als("regisseur", "0505")).status_code == 201
    env = omgeving(instellingen.model_copy(update={"projecties": "extern"}), INBURGERING_LOG_FORMAAT="json")
    klaar = subprocess.run([sys.executable, "-m", "adapters.cli", "projecteer", "--eenmalig"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert klaar.returncode == 0, klaar.stderr
    regels = _json_regels(klaar.stdout + klaar.stderr)
    assert any(r["logger"] == "inburgering.projecties" and r["message"].endswith("gebeurtenissen verwerkt") for r in regels), regels
    assert bsn not in klaar.stdout + klaar.stderr
