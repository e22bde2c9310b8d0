"""The event catalogue: every kind of fact, with a schema per reader that its history items and CloudEvents keep to."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic.alias_generators import to_camel

from api.gebeurtenistypen import AFGESCHERMD_TYPE, LEZERS, SOORTEN, catalogus, cloudevent_type, gegevensschema
from api.weergave import gebeurtenis_public
from domain.feitsoorten import TRAJECTFEITEN
from domain.persoonsgegevens import GEZONDHEID, KORT, LANG
from domain.traject import Inburgeringstraject
from domain.velden import velden, zonder
from domain.waarden import Rol
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.domain.test_eigenschappen import doorloop, stappen

ONTHEFFING = cloudevent_type(Inburgeringstraject.LeerbaarheidstoetsOntheffingVerleend)
INTAKE = cloudevent_type(Inburgeringstraject.BredeIntakeGehouden)


def _gegevens_van(event: Any, rol: Rol) -> tuple[str, dict[str, Any]]:
    item = gebeurtenis_public(event, rol).model_dump(mode="json", by_alias=True)
    return item["type"], item["gegevens"]


def _schema(type_: str, rol: Rol) -> dict[str, Any]:
    entry = next(t for t in catalogus().gebeurtenistypen if t.type == type_)
    return entry.schemas[rol.value]


def test_the_catalogue_lists_every_kind_of_fact_once_with_its_meaning_basis_version_and_a_schema_per_reader(
    api: TestClient, als: Kopregels
) -> None:
    antwoord = api.get("/api/v1/gebeurtenistypen", headers=als("duo"))
    assert antwoord.status_code == 200
    typen = {t["type"]: t for t in antwoord.json()["gebeurtenistypen"]}
    assert set(typen) == {cloudevent_type(s) for s in TRAJECTFEITEN} | {AFGESCHERMD_TYPE}
    pip = typen["nl.wet-inburgering.traject.pip-vastgesteld"]
    assert (pip["topic"], pip["rechtsgrond"], pip["versie"]) == ("Inburgeringstraject.PipVastgesteld", "Wi 15, Bi 5.3", 2)  # its aanbod came later, with an upcaster
    assert pip["omschrijving"].startswith("Het persoonlijk plan") and set(pip["schemas"]) == {r.value for r in LEZERS}
    # DUO learns neither what the brede intake found nor that an impairment exemption exists.
    assert set(typen[INTAKE]["schemas"]["duo"]["properties"]) == {"leerbaarheidstoetsAdvies"}
    assert set(typen[INTAKE]["schemas"]["regisseur"]["properties"]) == {"onderwerpen", "gezondheid", "leerbaarheidstoetsAdvies"}
    assert (typen[ONTHEFFING]["zichtbaarVoor"], sorted(typen[ONTHEFFING]["schemas"])) == (["auditor", "regisseur"], ["auditor", "regisseur"])
    assert all(t["omschrijving"] and t["rechtsgrond"] for t in typen.values())
    assert api.get("/api/v1/gebeurtenistypen").status_code == 401


def test_one_kind_is_found_by_its_type_and_an_unknown_type_is_a_problem(api: TestClient, als: Kopregels) -> None:
    kop = als("handhaver", "0505")
    een = api.get(f"/api/v1/gebeurtenistypen/{INTAKE}", headers=kop)
    assert (een.status_code, een.json()["topic"]) == (200, "Inburgeringstraject.BredeIntakeGehouden")
    onbekend = api.get("/api/v1/gebeurtenistypen/nl.wet-inburgering.traject.bestaat-niet", headers=kop)
    assert (onbekend.status_code, onbekend.headers["content-type"]) == (404, "application/problem+json")


def test_the_schema_a_reader_gets_never_names_a_field_outside_its_purpose() -> None:
    for soort in TRAJECTFEITEN:
        for rol in LEZERS:
            toegestaan = {n for n, v in velden(soort).items() if rol in v.lezers}
            eigenschappen = gegevensschema(soort, rol)["properties"]
            assert set(eigenschappen) <= {to_camel(n) for n in toegestaan}
            bijzonder = [n for n, v in velden(soort).items() if v.bijzonder]
            if rol in (Rol.DUO, Rol.HANDHAVER):
                assert not set(bijzonder) & set(eigenschappen), (soort.__qualname__, rol)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statushouder=st.booleans(), reeks=stappen)
def test_every_fact_of_a_random_history_keeps_to_its_published_schema_for_every_reader_also_once_forgotten(
    statushouder: bool, reeks: list[tuple[str, int, int]]
) -> None:
    _, events = doorloop(statushouder, reeks)
    vergeten = [zonder(e, {KORT, LANG, GEZONDHEID}) for e in events]
    for event in events + vergeten:
        for rol in LEZERS:
            type_, gegevens = _gegevens_van(event, rol)
            jsonschema_rs.validate(_schema(type_, rol), gegevens)  # raises, naming the field, when it does not


def test_a_cloudevent_names_the_schema_its_dataref_keeps_to(api: TestClient, als: Kopregels) -> None:
    regisseur, duo = als("regisseur", "0505"), als("duo")
    pad = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur).headers["Location"]
    for sub, body in (("kennisgevingen", {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}),
                      ("huisvestingen", {"datum": "2025-01-21", "gemeente": "0505"}),
                      ("brede-intakes", {"datum": "2025-01-28", "onderwerpen": {"werk": "kok"}, "gezondheid": {"mentaleGezondheid": "somber"}})):
        assert api.post(f"{pad}/{sub}", json=body, headers=regisseur).status_code == 201, sub
    feed = api.get("/api/v1/gebeurtenissen", headers=duo).json()["gebeurtenissen"]
    intake = next(e for e in feed if e["type"] == INTAKE)
    adres, _, wijzer = intake["dataschema"].partition("#")
    assert wijzer == "/schemas/duo"
    schema = api.get(adres.split("testserver", 1)[1], headers=duo).json()["schemas"]["duo"]
    feit = api.get(intake["dataref"].split("testserver", 1)[1], headers=duo).json()
    assert feit["type"] == INTAKE and feit["afgeschermd"] == ["gezondheid", "onderwerpen"]
    jsonschema_rs.validate(schema, feit["gegevens"])
    assert set(SOORTEN) >= {e["type"] for e in feed}
