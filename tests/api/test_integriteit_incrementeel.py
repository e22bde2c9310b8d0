"""GET /integriteit checks from where it left off, on request everything, and says when it last did."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters import cli as cli_module
from adapters.clock import VasteKlok
from adapters.settings import Settings
from tests.adapters.test_integriteit import _met_de_hand, _state, _tabel
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels, cli_omgeving


def _start(api: TestClient, als: Kopregels) -> tuple[str, str]:
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=als("regisseur", "0505"))
    assert start.status_code == 201, start.text
    return start.json()["trajectId"], start.headers["Location"]


def _wijs_toe(api: TestClient, als: Kopregels, pad: str, regisseur: str) -> None:
    antwoord = api.post(f"{pad}/regisseur-toewijzingen", json={"datum": "2025-03-03", "regisseur": regisseur}, headers=als("regisseur", "0505"))
    assert antwoord.status_code == 201, antwoord.text


def test_each_check_reads_what_came_after_the_last_and_on_request_everything(api: TestClient, als: Kopregels, klok: VasteKlok) -> None:
    auditor = als("auditor")
    _, pad = _start(api, als)
    eerste = api.get("/api/v1/integriteit", headers=auditor).json()
    assert (eerste["inOrde"], eerste["volledig"], eerste["na"], eerste["laatsteVolledigeControle"]) == (True, False, 0, None), eerste
    assert eerste["tot"] > 0 and eerste["gebeurtenissen"] == eerste["tot"]

    _wijs_toe(api, als, pad, "r-1")
    tweede = api.get("/api/v1/integriteit", headers=auditor).json()
    assert (tweede["inOrde"], tweede["na"], tweede["aggregaten"]) == (True, eerste["tot"], 1), tweede
    assert tweede["tot"] > tweede["na"] and tweede["gebeurtenissen"] == tweede["tot"] - tweede["na"]

    volledig = api.get("/api/v1/integriteit", params={"volledig": "true"}, headers=auditor).json()
    assert (volledig["volledig"], volledig["na"], volledig["tot"], volledig["gebeurtenissen"]) == (True, 0, tweede["tot"], tweede["tot"])
    vastgelegd = {"tijdstip": klok.nu().isoformat().replace("+00:00", "Z"), "inOrde": True}
    assert volledig["laatsteVolledigeControle"] == vastgelegd, volledig
    derde = api.get("/api/v1/integriteit", headers=auditor).json()
    assert (derde["na"], derde["gebeurtenissen"], derde["laatsteVolledigeControle"]) == (tweede["tot"], 0, vastgelegd), derde


def test_an_old_change_is_found_by_a_full_check_or_make_verify_and_named_from_then_on(
    instellingen: Settings, api: TestClient, als: Kopregels, klok: VasteKlok
) -> None:
    auditor, app = als("auditor"), api.app.state.inburgering  # type: ignore[attr-defined]
    traject_id, pad = _start(api, als)
    _wijs_toe(api, als, pad, "r-1")
    assert api.get("/api/v1/integriteit", headers=auditor).json()["inOrde"]
    state = _state(instellingen, app, traject_id, 2)  # type: ignore[arg-type]
    with _met_de_hand(instellingen, _tabel(app)) as sql_:
        sql_("UPDATE {t} SET state = %s WHERE originator_id = %s AND originator_version = %s",
             state.replace(b'"0505"', b'"0590"', 1), traject_id, 2)
    _wijs_toe(api, als, pad, "r-2")

    # Already verified, so not read again: only the new event is.
    incrementeel = api.get("/api/v1/integriteit", headers=auditor).json()
    assert (incrementeel["inOrde"], incrementeel["gebeurtenissen"]) == (True, 1), incrementeel

    verificatie = CliRunner().invoke(cli_module.cli, ["verifieer"], env=cli_omgeving(instellingen))
    assert verificatie.exit_code == 1 and f"{traject_id} versie 2: gewijzigd:" in verificatie.output, verificatie.output
    daarna = api.get("/api/v1/integriteit", headers=auditor).json()
    assert [(b["aggregaatId"], b["versie"], b["soort"]) for b in daarna["bevindingen"]] == [(traject_id, 2, "gewijzigd")], daarna
    assert daarna["laatsteVolledigeControle"]["inOrde"] is False
    assert daarna["laatsteVolledigeControle"]["tijdstip"] != klok.nu().isoformat().replace("+00:00", "Z")  # make verify's own clock

    volledig = api.get("/api/v1/integriteit", params={"volledig": "true"}, headers=auditor).json()
    assert [(b["versie"], b["soort"]) for b in volledig["bevindingen"]] == [(2, "gewijzigd")]
    assert volledig["laatsteVolledigeControle"] == {"tijdstip": klok.nu().isoformat().replace("+00:00", "Z"), "inOrde": False}
    assert api.get("/api/v1/integriteit", headers=auditor).json()["bevindingen"] == volledig["bevindingen"]


def test_volledig_is_true_or_false_and_nothing_else_is_read_as_either(api: TestClient, als: Kopregels) -> None:
    """A yes-like word ("1", "ja", "on") must not silently start, or skip, a full check of the whole store."""
    for waarde in ("1", "ja", "on", "True"):
        antwoord = api.get("/api/v1/integriteit", params={"volledig": waarde}, headers=als("auditor"))
        assert antwoord.status_code == 400, (waarde, antwoord.text)
        assert [p["name"] for p in antwoord.json()["invalidParams"]] == ["volledig"], antwoord.text
    assert api.get("/api/v1/integriteit", params={"volledig": "false"}, headers=als("auditor")).json()["volledig"] is False
