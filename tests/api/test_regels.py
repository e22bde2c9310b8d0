"""Every rule of the domain is refused as 409 problem+json with its stable code and legal basis."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from starlette.requests import Request

from adapters.settings import Settings
from api.main import create_app
from domain import fouten
from domain.persoon import TrajectBestaatAlError


def alle_regels() -> list[type[fouten.RegelOvertredenError]]:
    gevonden, open_ = [], [fouten.RegelOvertredenError]
    while open_:
        for sub in open_.pop().__subclasses__():
            gevonden.append(sub)
            open_.append(sub)
    return gevonden


REGELS = alle_regels()


def test_every_rule_has_its_own_code_a_title_and_a_legal_basis() -> None:
    assert TrajectBestaatAlError in REGELS and len(REGELS) >= 40
    codes = [regel.code for regel in REGELS]
    assert len(codes) == len(set(codes)), "twee regels delen een code"
    for regel in REGELS:
        assert regel.code.islower() and " " not in regel.code, regel
        assert regel.titel.strip() and regel.grondslag.strip(), regel


@pytest.mark.parametrize("regel", REGELS, ids=lambda regel: regel.code)
def test_the_api_answers_a_broken_rule_with_409_its_code_and_its_basis(regel: type[fouten.RegelOvertredenError], tmp_path: Path) -> None:
    app = create_app(Settings(_env_file=None, data_map=tmp_path))  # type: ignore[call-arg]
    behandelaar = app.exception_handlers[fouten.RegelOvertredenError]
    verzoek = Request({"type": "http", "method": "POST", "path": "/api/v1/trajecten/x/y", "headers": [], "query_string": b""})
    antwoord = behandelaar(verzoek, regel("De reden in dit geval."))
    antwoord = asyncio.run(antwoord) if asyncio.iscoroutine(antwoord) else antwoord
    inhoud = json.loads(antwoord.body)
    assert (antwoord.status_code, antwoord.media_type) == (409, "application/problem+json")
    assert (inhoud["code"], inhoud["grondslag"], inhoud["title"]) == (regel.code, regel.grondslag, regel.titel)
    assert inhoud["detail"] == "De reden in dit geval." and inhoud["type"].endswith("/" + regel.code)
