"""A client generated from the committed OpenAPI document (openapi-python-client) reads typed history from a real server."""

from __future__ import annotations

import importlib
import subprocess
import sys

import httpx2
import pytest

from adapters.settings import Settings
from api.openapi import BASISPAD, DOCUMENT
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import Serverproces

GENEREREN_SECONDEN = 300  # generous: it renders a few hundred modules


@pytest.fixture(scope="module")
def client_pakket(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Generate the client once per run, into a directory of its own on sys.path."""
    map_ = tmp_path_factory.mktemp("client")
    uitkomst = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(DOCUMENT), "--meta", "none",
         "--output-path", str(map_ / "inburgering_client")],
        capture_output=True, text=True, timeout=GENEREREN_SECONDEN, cwd=map_,
    )
    assert uitkomst.returncode == 0, uitkomst.stdout + uitkomst.stderr
    assert "Unable to" not in uitkomst.stdout, uitkomst.stdout  # a schema the generator had to leave out
    sys.path.insert(0, str(map_))
    return "inburgering_client"


def test_a_generated_client_reads_a_history_with_a_typed_payload_per_kind_of_fact(
    client_pakket: str, instellingen: Settings, als: Kopregels
) -> None:
    regisseur, duo = als("regisseur", "0505"), als("duo")
    with Serverproces(instellingen) as server, httpx2.Client(base_url=server.basis, headers=regisseur, timeout=60) as http:
        start = http.post("/api/v1/trajecten", json=tvs_start(een_bsn()))
        assert start.status_code == 201, start.text
        pad, traject_id = start.headers["Location"], start.json()["trajectId"]
        for sub, body in (("kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}),
                          ("huisvestingen", {"datum": "2025-01-21", "gemeente": "0505"}),
                          ("brede-intakes", {"datum": "2025-01-28", "onderwerpen": {"werk": "kok"}, "gezondheid": {"mentaleGezondheid": "somber"}}),
                          ("pip-vaststellingen", {"dagtekening": "2025-03-03", "leerroute": "b1", "leerrouteUrenPerWeek": 16,
                                                  "pvtUren": 12, "mapUren": 40, "aantalVoortgangsgesprekken": 4, "ondersteuning": "taalmaatje"})):
            assert http.post(f"{pad}/{sub}", json=body).status_code == 201, sub

        client = importlib.import_module(client_pakket)
        lees = importlib.import_module(f"{client_pakket}.api.trajecten.lees_gebeurtenissen")
        modellen = importlib.import_module(f"{client_pakket}.models")
        types = importlib.import_module(f"{client_pakket}.types")

        def historie(kop: dict[str, str]) -> list[object]:
            api = client.AuthenticatedClient(base_url=server.basis + BASISPAD, token=kop["Authorization"].removeprefix("Bearer "))
            with api:
                antwoord = lees.sync(traject_id, client=api)
            assert isinstance(antwoord, modellen.GebeurtenissenPublic), antwoord
            return list(antwoord.gebeurtenissen)

        feiten = historie(regisseur)
        assert [type(f).__name__ for f in feiten] == [
            "GestartGebeurtenis", "TvsProfielOntvangenGebeurtenis", "InburgeringsplichtVastgesteldGebeurtenis",
            "HuisvestingGeregistreerdGebeurtenis", "BredeIntakeGehoudenGebeurtenis", "PipVastgesteldGebeurtenis"]
        pip = feiten[-1]
        assert isinstance(pip.gegevens, modellen.PipVastgesteldGegevens)
        assert (pip.gegevens.leerroute, pip.gegevens.pvt_uren, pip.gegevens.ondersteuning) == ("b1", 12, "taalmaatje")
        intake = feiten[4]
        assert intake.gegevens.gezondheid.to_dict() == {"mentaleGezondheid": "somber"}
        # DUO's client gets the same typed item, without what the brede intake found.
        intake_duo = historie(duo)[4]
        assert isinstance(intake_duo, modellen.BredeIntakeGehoudenGebeurtenis)
        assert isinstance(intake_duo.gegevens.onderwerpen, types.Unset) and isinstance(intake_duo.gegevens.gezondheid, types.Unset)
        assert sorted(intake_duo.afgeschermd) == ["gezondheid", "onderwerpen"]
        # An enum's members are named as in the domain (x-enum-varnames), not VALUE_0..VALUE_3.
        assert modellen.Gemeente.DORDRECHT.value == "0505" and modellen.Leerroute.Z_ROUTE.value == "z_route"
