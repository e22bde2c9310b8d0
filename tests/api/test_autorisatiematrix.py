"""The authorization matrix: every operation in the OpenAPI document, called by every role, for a
trajectory of the caller's own gemeente and one of another gemeente, answers as this one table says.

A command is sent with an empty body: a role that may not act gets 403 before the body is read,
a role that may gets 400 for the missing fields. That the mandate also holds for commands with a
valid body is shown in tests/api/test_problemen.py and test_scenarios.py.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis.errors import NonInteractiveExampleWarning
from schemathesis import GenerationMode

from adapters.clock import VasteKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.audittrail import regel_id
from api.main import create_app
from api.openapi import DOCUMENT
from tests.builders import een_bsn, tvs_start
from tests.contract.gedocumenteerd import controleer_antwoord
from tests.contract.test_api_contract import schema as CONTRACT

EIGEN, ANDERE = "0505", "0642"
ROLLEN = ("regisseur", "handhaver", "duo", "auditor", "beheerder")
OK, GEWEIGERD, ONBEKEND, ONGELDIG = 200, 403, 404, 400

# Per kind of operation, per role: the answer for the own gemeente and for another gemeente.
# A regisseur and a handhaver work for their own gemeente (another's trajectory does not exist for
# them: 404; another gemeente's list or report is refused: 403); DUO and the auditor read
# everything and change nothing; the beheerder sees no case data, only the projections and reports.
TABEL: dict[str, dict[str, tuple[int, int]]] = {
    "open":          dict.fromkeys(ROLLEN, (OK, OK)),
    "beheer":        {"regisseur": (GEWEIGERD,) * 2, "handhaver": (GEWEIGERD,) * 2, "duo": (GEWEIGERD,) * 2, "auditor": (OK, OK), "beheerder": (OK, OK)},
    "rapportage":    {"regisseur": (OK, GEWEIGERD), "handhaver": (GEWEIGERD,) * 2, "duo": (GEWEIGERD,) * 2, "auditor": (OK, OK), "beheerder": (OK, OK)},
    "werklijst":     {"regisseur": (OK, GEWEIGERD), "handhaver": (OK, GEWEIGERD), "duo": (GEWEIGERD,) * 2, "auditor": (OK, OK), "beheerder": (GEWEIGERD,) * 2},
    "lijst":         {"regisseur": (OK, GEWEIGERD), "handhaver": (OK, GEWEIGERD), "duo": (OK, OK), "auditor": (OK, OK), "beheerder": (GEWEIGERD,) * 2},
    "lezen":         {"regisseur": (OK, ONBEKEND), "handhaver": (OK, ONBEKEND), "duo": (OK, OK), "auditor": (OK, OK), "beheerder": (GEWEIGERD,) * 2},
    "zoeken":        {"regisseur": (ONGELDIG,) * 2, "handhaver": (ONGELDIG,) * 2, "duo": (ONGELDIG,) * 2, "auditor": (ONGELDIG,) * 2, "beheerder": (GEWEIGERD,) * 2},
    "regisseursdaad": {"regisseur": (ONGELDIG,) * 2, "handhaver": (GEWEIGERD,) * 2, "duo": (GEWEIGERD,) * 2, "auditor": (GEWEIGERD,) * 2, "beheerder": (GEWEIGERD,) * 2},
    "handhaversdaad": {"regisseur": (GEWEIGERD,) * 2, "handhaver": (ONGELDIG,) * 2, "duo": (GEWEIGERD,) * 2, "auditor": (GEWEIGERD,) * 2, "beheerder": (GEWEIGERD,) * 2},
    # The feed answers every reader, with only the facts of their own gemeenten (tests/api/test_audittrail.py).
    "volgen":        {"regisseur": (OK, OK), "handhaver": (OK, OK), "duo": (OK, OK), "auditor": (OK, OK), "beheerder": (GEWEIGERD,) * 2},
    "controle":      {"regisseur": (GEWEIGERD,) * 2, "handhaver": (GEWEIGERD,) * 2, "duo": (GEWEIGERD,) * 2, "auditor": (OK, OK), "beheerder": (GEWEIGERD,) * 2},
    # Every reader of the feed may subscribe to it (an empty body: 400) and list its own subscriptions ("volgen");
    # another's subscription does not exist for the caller.
    "abonneren":     {"regisseur": (ONGELDIG,) * 2, "handhaver": (ONGELDIG,) * 2, "duo": (ONGELDIG,) * 2, "auditor": (ONGELDIG,) * 2, "beheerder": (GEWEIGERD,) * 2},
    "andermans abonnement": {"regisseur": (ONBEKEND,) * 2, "handhaver": (ONBEKEND,) * 2, "duo": (ONBEKEND,) * 2, "auditor": (ONBEKEND,) * 2, "beheerder": (GEWEIGERD,) * 2},
    # The event catalogue documents shapes, not cases: every signed-in role reads it.
    "documentatie":  dict.fromkeys(ROLLEN, (OK, OK)),
}


def soort(methode: str, pad: str) -> str:
    """Which row of the table an operation of the OpenAPI document falls under."""
    if pad in ("/health", "/health/live", "/health/ready"):
        return "open"
    if pad == "/projecties":
        return "beheer"
    if pad.startswith("/rapportages/"):
        return "rapportage"
    if pad == "/signaleringen":
        return "werklijst"
    if pad in ("/trajecten/_zoek", "/trajecten/_historie"):
        return "zoeken"
    if pad in ("/gebeurtenissen", "/abonnementen") and methode == "get":
        return "volgen"
    if pad.startswith("/abonnementen"):
        return "abonneren" if methode == "post" else "andermans abonnement"
    if pad == "/integriteit" or pad.endswith("/export"):
        return "controle"
    if pad.startswith("/gebeurtenistypen"):
        return "documentatie"
    if methode == "get":
        return "lijst" if pad == "/trajecten" else "lezen"
    return "handhaversdaad" if "/handhavingszaken" in pad else "regisseursdaad"


def operaties() -> list[tuple[str, str]]:
    paden = json.loads(DOCUMENT.read_text())["paths"]
    return [(methode, pad) for pad, item in sorted(paden.items()) for methode in sorted(item)]


@pytest.fixture(scope="module")
def omgeving(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Settings, dict[str, dict[str, str]]]]:
    """One app with a trajectory, a handhavingszaak and so a gebeurtenis in each of two gemeenten."""
    map_ = tmp_path_factory.mktemp("matrix")
    instellingen = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_map=map_,
    )
    klok = VasteKlok(datetime(2026, 6, 1, 10, tzinfo=UTC))
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as api:
        paden = {gemeente: _traject_met_zaak(api, instellingen, gemeente) for gemeente in (EIGEN, ANDERE)}
        yield api, instellingen, paden


def _kop(instellingen: Settings, rol: str, gemeente: str, gebruiker: str | None = None) -> dict[str, str]:
    gemeenten = [gemeente] if rol in ("regisseur", "handhaver") else []
    token = maak_ontwikkeltoken(instellingen, rol=rol, gemeenten=gemeenten, gebruiker=gebruiker or f"{rol}-{gemeente}")
    return {"Authorization": f"Bearer {token}"}


def _traject_met_zaak(api: TestClient, instellingen: Settings, gemeente: str) -> dict[str, str]:
    regisseur, handhaver = _kop(instellingen, "regisseur", gemeente), _kop(instellingen, "handhaver", gemeente)
    pad = api.post("/api/v1/trajecten", json=tvs_start(een_bsn(), gemeente), headers=regisseur).headers["Location"]
    stappen = [
        ("kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}),
        ("huisvestingen", {"datum": "2025-02-03", "gemeente": gemeente}),
        ("brede-intakes", {"datum": "2025-02-20", "onderwerpen": {"taalniveau": "A1"}}),
        ("pip-vaststellingen", {"dagtekening": "2025-04-10", "leerroute": "b1", "leerrouteUrenPerWeek": 16, "pvtUren": 12,
                                "mapUren": 40, "aantalVoortgangsgesprekken": 4, "ondersteuning": "x"}),
        ("voortgangsgesprekken", {"datum": "2025-05-06", "status": "gemist", "geldigeReden": False, "verslag": "x"}),
    ]
    for stap, body in stappen:
        assert api.post(f"{pad}/{stap}", json=body, headers=regisseur).status_code == 201, stap
    zaak = {"datum": "2025-05-06", "artikel": "wi23", "grond": "voortgangsgesprek_gemist", "rapportdatum": "2025-05-07", "rapport": "x"}
    antwoord = api.post(f"{pad}/handhavingszaken", json=zaak, headers=handhaver)
    assert antwoord.status_code == 201, antwoord.text
    traject_id = pad.rsplit("/", 1)[1]
    abonnement = api.post("/api/v1/abonnementen", json={"callbackUrl": "https://ontvanger.example.nl/"},
                          headers=_kop(instellingen, "duo", gemeente, gebruiker=f"abonnee-{gemeente}"))
    return {"abonnementId": abonnement.json()["abonnementId"],"trajectId": traject_id, "zaaknummer": str(antwoord.json()["handhavingszaken"][-1]["nummer"]), "versie": "1",
            "auditId": str(regel_id(UUID(traject_id), 1)), "type": "nl.wet-inburgering.traject.gestart"}


@pytest.mark.parametrize(("methode", "pad"), operaties(), ids=[f"{m.upper()} {p}" for m, p in operaties()])
def test_every_role_gets_the_answer_the_table_declares(omgeving: tuple[TestClient, Settings, dict[str, dict[str, str]]], methode: str, pad: str) -> None:
    api, instellingen, paden = omgeving
    verwacht = TABEL[soort(methode, pad)]
    gekregen: dict[str, tuple[int, int]] = {}
    for rol in ROLLEN:
        antwoorden = []
        for gemeente in (EIGEN, ANDERE):
            url = "/api/v1" + pad.format(**paden[gemeente])
            query = {"gemeente": gemeente, "jaar": "2025"} if pad.startswith("/rapportages/") else (
                {"gemeente": gemeente} if pad in ("/trajecten", "/signaleringen") and methode == "get" else {}
            )
            # A regisseur or handhaver works for EIGEN; both trajectories are asked for by one caller.
            kop = _kop(instellingen, rol, EIGEN) if not pad.startswith("/health") else {}
            antwoord = api.request(methode.upper(), url, params=query, headers=kop, json={} if methode in ("post", "patch") else None)
            antwoorden.append(antwoord.status_code)
            controleer_antwoord(methode, pad, antwoord)
            if antwoord.status_code >= 400:
                assert antwoord.headers["content-type"] == "application/problem+json"
        gekregen[rol] = (antwoorden[0], antwoorden[1])
    assert gekregen == verwacht


def test_the_matrix_covers_every_operation_the_app_serves(omgeving: tuple[TestClient, Settings, dict[str, dict[str, str]]]) -> None:
    api, _, _ = omgeving
    geserveerd = {(m, p) for p, item in api.app.openapi()["paths"].items() for m in item}  # type: ignore[attr-defined]
    assert geserveerd == set(operaties())
    assert {soort(m, p) for m, p in operaties()} == set(TABEL)  # and every row of the table is used


@pytest.mark.parametrize(("methode", "pad"), operaties(), ids=[f"{m.upper()} {p}" for m, p in operaties()])
def test_the_roles_the_document_names_are_those_the_table_admits(methode: str, pad: str) -> None:
    # The document's x-rollen is generated from the routes' dependencies (api/auth.py); this table is tested against
    # the running app above, so a route whose dependency and document disagree fails one of the two.
    operatie = json.loads(DOCUMENT.read_text())["paths"][pad][methode]
    toegelaten = [rol for rol in ROLLEN if TABEL[soort(methode, pad)][rol][0] != GEWEIGERD]
    if "security" not in operatie:
        assert "x-rollen" not in operatie and toegelaten == list(ROLLEN), f"{methode.upper()} {pad}"
        assert operatie["description"].endswith("Zonder authenticatie.")
        return
    assert operatie["x-rollen"] == toegelaten, f"{methode.upper()} {pad}"
    assert operatie["description"].endswith("Elke rol." if toegelaten == list(ROLLEN) else f"Rollen: {', '.join(toegelaten)}.")


def _geldige_inhoud(api: TestClient, operatie: schemathesis.APIOperation, url: str, kop: dict[str, str]) -> tuple[int, str]:
    """The answer to the first schema-valid body the app does not refuse as invalid (400)."""
    strategie = operatie.as_strategy(generation_mode=GenerationMode.POSITIVE)
    for _ in range(25):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NonInteractiveExampleWarning)
            inhoud = strategie.example().body
        antwoord = api.post(url, json=inhoud, headers=kop)
        if antwoord.status_code != ONGELDIG:
            return antwoord.status_code, antwoord.text
    pytest.fail(f"geen geldige inhoud gevonden voor {url}")


COMMANDO_OPERATIES = [(m, p) for m, p in operaties() if m == "post" and "{trajectId}" in p]


@pytest.mark.parametrize(("methode", "pad"), COMMANDO_OPERATIES, ids=[f"{m.upper()} {p}" for m, p in COMMANDO_OPERATIES])
def test_a_valid_command_on_another_gemeentes_trajectory_does_not_exist_for_the_caller(
    omgeving: tuple[TestClient, Settings, dict[str, dict[str, str]]], methode: str, pad: str
) -> None:
    # Only the other gemeente's trajectory is sent a command: it must be refused before anything is recorded.
    api, instellingen, paden = omgeving
    rol = "handhaver" if soort(methode, pad) == "handhaversdaad" else "regisseur"
    voor = len(api.get(f"/api/v1/trajecten/{paden[ANDERE]['trajectId']}/gebeurtenissen", headers=_kop(instellingen, "auditor", EIGEN)).json()["gebeurtenissen"])
    status, tekst = _geldige_inhoud(api, CONTRACT[pad]["POST"], "/api/v1" + pad.format(**paden[ANDERE]), _kop(instellingen, rol, EIGEN))
    assert status == ONBEKEND, tekst
    na = len(api.get(f"/api/v1/trajecten/{paden[ANDERE]['trajectId']}/gebeurtenissen", headers=_kop(instellingen, "auditor", EIGEN)).json()["gebeurtenissen"])
    assert na == voor
