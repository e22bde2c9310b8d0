"""Purpose binding of the history: each role reads the fields its task needs (digest decision 6)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.auth import LEZERS
from api.schemas import TrajectPublic
from api.weergave import afgeschermd_in
from domain.feitsoorten import TRAJECTFEITEN
from domain.velden import IEDEREEN, OngedeclareerdVeldError, velden
from domain.waarden import Rol
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels

TRAJECTEN = "/api/v1/trajecten"
GEZONDHEID = "Slaapproblemen na de vlucht"
OPLEIDING = "Middelbare school in Asmara"


@pytest.fixture
def intake(api: TestClient, als: Kopregels) -> str:
    """A statushouder in Dordrecht with a TVS-profiel and a brede intake that recorded health."""
    kop = als("regisseur", "0505")
    pad = api.post(TRAJECTEN, json=tvs_start(een_bsn(), "0505") | {"landVanHerkomst": "ERI"}, headers=kop).headers["Location"]
    body = {"datum": "2025-02-20", "onderwerpen": {"opleiding": OPLEIDING}, "gezondheid": {"mentaleGezondheid": GEZONDHEID}}
    assert api.post(f"{pad}/brede-intakes", json=body, headers=kop).status_code == 201
    return pad


def brede_intake(api: TestClient, pad: str, kop: dict[str, str]) -> dict:
    antwoord = api.get(f"{pad}/gebeurtenissen", headers=kop)
    assert antwoord.status_code == 200
    [feit] = [g for g in antwoord.json()["gebeurtenissen"] if g["type"] == "nl.wet-inburgering.traject.brede-intake-gehouden"]
    return feit


def test_duo_reads_the_whole_history_without_health_or_intake_details(api: TestClient, als: Kopregels, intake: str) -> None:
    kop = als("duo")
    geschiedenis = api.get(f"{intake}/gebeurtenissen", headers=kop)
    assert [g["versie"] for g in geschiedenis.json()["gebeurtenissen"]] == [1, 2, 3]  # every fact, in order
    assert GEZONDHEID not in geschiedenis.text and OPLEIDING not in geschiedenis.text and "ERI" not in geschiedenis.text
    feit = brede_intake(api, intake, kop)
    assert feit["afgeschermd"] == ["gezondheid", "onderwerpen"]
    assert "gezondheid" not in feit["gegevens"] and feit["bijzonderePersoonsgegevens"] == []
    enkel = api.get(f"{intake}/gebeurtenissen/{feit['versie']}", headers=kop)
    assert enkel.status_code == 200 and GEZONDHEID not in enkel.text


def test_the_handhaver_reads_the_intake_but_not_the_health_topics(api: TestClient, als: Kopregels, intake: str) -> None:
    feit = brede_intake(api, intake, als("handhaver", "0505"))
    assert feit["afgeschermd"] == ["gezondheid"]
    assert feit["gegevens"]["onderwerpen"] == {"opleiding": OPLEIDING}


@pytest.mark.parametrize("rol", [("regisseur", "0505"), ("auditor",)], ids=["own regisseur", "auditor"])
def test_the_own_regisseur_and_the_auditor_read_everything_with_health_marked(
    api: TestClient, als: Kopregels, intake: str, rol: tuple[str, ...]
) -> None:
    feit = brede_intake(api, intake, als(*rol))
    assert feit["gegevens"]["gezondheid"] == {"mentaleGezondheid": GEZONDHEID}
    assert (feit["afgeschermd"], feit["bijzonderePersoonsgegevens"]) == ([], ["gezondheid"])


def test_duo_reads_the_state_without_intake_findings(api: TestClient, als: Kopregels, intake: str) -> None:
    kop = als("regisseur", "0505")
    api.post(f"{intake}/leerbaarheidstoets-ontheffingen", json={"datum": "2025-02-21", "grond": "visuele_beperking"}, headers=kop)
    assert api.get(intake, headers=kop).json()["leerbaarheidstoets"] == "ontheffing"
    duo = api.get(intake, headers=als("duo")).json()
    assert (duo["leerbaarheidstoets"], duo["afgeschermd"]) == (None, ["leerbaarheidstoets", "leerbaarheidstoetsAdvies"])
    assert api.get(intake, headers=als("handhaver", "0505")).json()["afgeschermd"] == ["leerbaarheidstoets"]


def test_every_field_of_a_trajectorys_state_names_who_may_read_it_and_one_that_does_not_is_named() -> None:
    for rol in LEZERS:
        afgeschermd_in(TrajectPublic, rol)  # raises for a field without its readers

    class MetNieuwVeld(TrajectPublic):
        taalcafe_locatie: str | None = None

    with pytest.raises(OngedeclareerdVeldError, match=r"MetNieuwVeld\.taalcafe_locatie heeft geen verklaring"):
        afgeschermd_in(MetNieuwVeld, Rol.REGISSEUR)


def test_no_correctable_field_is_one_a_reader_may_not_see() -> None:
    # A FeitGecorrigeerd carries the corrected values as they are: they must never be bound fields.
    for soort in TRAJECTFEITEN:
        gebonden = {naam for naam, veld in velden(soort).items() if veld.lezers != IEDEREEN}
        assert not set(getattr(soort, "CORRIGEERBAAR", {})) & gebonden, soort.__qualname__
