"""Managing subscriptions (issue 14): each subscriber its own, within its mandate, with versions and clear refusals."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.settings import Settings
from api.main import create_app
from tests.conftest import Kopregels

ABONNEMENTEN = "/api/v1/abonnementen"
ONTVANGER = "https://ontvanger.example.nl/inburgering"


def neem(api: TestClient, kop: dict[str, str], **body: Any) -> Any:
    return api.post(ABONNEMENTEN, json={"callbackUrl": ONTVANGER} | body, headers=kop)


def test_a_new_subscription_shows_its_secret_once_and_starts_at_the_end_of_the_log(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    assert api.post("/api/v1/trajecten", json={"aanleiding": "tvs_profiel", "datum": "2025-01-06", "gemeente": "0505",
                                               "bsn": "111222333"}, headers=kop).status_code == 201
    gemaakt = neem(api, kop, autorisatie="Bearer x", gemeenten=["0505"])
    assert gemaakt.status_code == 201 and gemaakt.headers["ETag"] == '"1"'
    body = gemaakt.json()
    assert body["geheim"].startswith("whsec_") and body["autorisatieIngesteld"] is True and body["positie"] > 0
    assert body["status"] == "actief" and body["bezorgwijze"] == "gestructureerd" and body["gemeenten"] == ["0505"]
    gelezen = api.get(gemaakt.headers["Location"], headers=kop)
    assert gelezen.status_code == 200 and "geheim" not in gelezen.json() and "Bearer x" not in gelezen.text
    assert gelezen.json()["abonnementId"] == body["abonnementId"]


def test_a_subscriber_sees_only_its_own_subscriptions(api: TestClient, als: Kopregels) -> None:
    eigen, ander = als("regisseur", "0505"), als("duo")
    mijn = neem(api, eigen).json()["abonnementId"]
    neem(api, ander)
    lijst = api.get(ABONNEMENTEN, headers=eigen)
    assert [a["abonnementId"] for a in lijst.json()["abonnementen"]] == [mijn]
    assert "ETag" not in lijst.headers  # a version is one subscription's, not the list's
    for verzoek in (api.get(f"{ABONNEMENTEN}/{mijn}", headers=ander),
                    api.patch(f"{ABONNEMENTEN}/{mijn}", json={"status": "geschorst"}, headers=ander),
                    api.delete(f"{ABONNEMENTEN}/{mijn}", headers=ander)):
        assert verzoek.status_code == 404 and verzoek.json()["code"] == "abonnement-niet-gevonden"
    assert api.get(f"{ABONNEMENTEN}/{mijn}", headers=eigen).json()["status"] == "actief"  # the others' attempts changed nothing


def test_a_change_on_a_stale_version_is_refused_with_412_and_changes_nothing(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    pad = neem(api, kop).headers["Location"]
    eerste = api.patch(pad, json={"bezorgwijze": "batch"}, headers=kop | {"If-Match": '"1"'})
    assert eerste.status_code == 200 and eerste.headers["ETag"] == '"2"' and eerste.json()["bezorgwijze"] == "batch"
    verouderd = api.patch(pad, json={"bezorgwijze": "binair"}, headers=kop | {"If-Match": '"1"'})
    assert verouderd.status_code == 412 and verouderd.headers["ETag"] == '"2"'
    assert verouderd.headers["content-type"] == "application/problem+json"
    assert api.delete(pad, headers=kop | {"If-Match": '"1"'}).status_code == 412
    assert api.get(pad, headers=kop).json()["bezorgwijze"] == "batch"


def test_a_patch_changes_what_it_names_and_clears_what_it_sets_to_null(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505", "0590")
    pad = neem(api, kop, gemeenten=["0590"], autorisatie="Bearer x").headers["Location"]
    gewijzigd = api.patch(pad, json={"gemeenten": None, "autorisatie": None}, headers=kop).json()
    assert gewijzigd["gemeenten"] is None and gewijzigd["autorisatieIngesteld"] is False
    assert gewijzigd["callbackUrl"] == ONTVANGER and gewijzigd["bezorgwijze"] == "gestructureerd"


def test_a_subscription_cancelled_is_gone(api: TestClient, als: Kopregels) -> None:
    kop = als("handhaver", "0505")
    pad = neem(api, kop).headers["Location"]
    assert api.delete(pad, headers=kop).status_code == 204
    assert api.get(pad, headers=kop).status_code == 404
    assert api.get(ABONNEMENTEN, headers=kop).json()["abonnementen"] == []


def test_a_gemeente_outside_the_mandate_is_refused_with_403(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    geweigerd = neem(api, kop, gemeenten=["0505", "0590"])
    assert geweigerd.status_code == 403 and "0590" in geweigerd.json()["detail"]
    pad = neem(api, kop).headers["Location"]
    assert api.patch(pad, json={"gemeenten": ["0642"]}, headers=kop).status_code == 403
    assert api.get(ABONNEMENTEN, headers=kop).json()["abonnementen"][0]["gemeenten"] is None


def test_every_invalid_field_is_named_in_one_400(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    antwoord = api.post(ABONNEMENTEN, headers=kop, json={
        "callbackUrl": "ftp://ontvanger.example.nl", "gebeurtenistypen": ["nl.wet-inburgering.traject.bestaat-niet"],
        "gemeenten": ["9999"], "bezorgwijze": "per-post", "vanaf": -1})
    assert antwoord.status_code == 400 and antwoord.headers["content-type"] == "application/problem+json"
    velden = {p["name"] for p in antwoord.json()["invalidParams"]}
    assert velden == {"callbackUrl", "gebeurtenistypen.0", "gemeenten.0", "bezorgwijze", "vanaf"}
    assert api.get(ABONNEMENTEN, headers=kop).json()["abonnementen"] == []
    pad = neem(api, kop).headers["Location"]
    leeg = api.patch(pad, json={"callbackUrl": None, "status": None}, headers=kop)
    assert leeg.status_code == 400 and {p["name"] for p in leeg.json()["invalidParams"]} == {"callbackUrl", "status"}


def test_an_authorization_value_that_no_header_can_carry_is_a_400_not_a_dispatcher_failing_forever(
    api: TestClient, als: Kopregels
) -> None:
    # httpx sends a header value as ASCII: a subscription stored with "é" failed every delivery in the thread.
    kop = als("regisseur", "0505")
    for waarde in ("Bearer é", "Bearer \u00a0x", "Bearer x\r\nX-Ander: y", " Bearer x", "Bearer x "):
        antwoord = neem(api, kop, autorisatie=waarde)
        assert antwoord.status_code == 400, waarde
        [fout] = antwoord.json()["invalidParams"]
        assert fout["name"] == "autorisatie" and "ASCII" in fout["reason"], fout
    assert api.get(ABONNEMENTEN, headers=kop).json()["abonnementen"] == []
    pad = neem(api, kop, autorisatie="Basic dXNlcjpwYXNz").headers["Location"]
    assert api.patch(pad, json={"autorisatie": "Bearer ü"}, headers=kop).status_code == 400


def test_only_readers_of_the_feed_subscribe(api: TestClient, als: Kopregels) -> None:
    assert neem(api, als("beheerder")).status_code == 403
    assert api.post(ABONNEMENTEN, json={"callbackUrl": ONTVANGER}).status_code == 401


def test_the_secret_and_the_authorization_value_are_stored_encrypted(api: TestClient, als: Kopregels,
                                                                     instellingen: Settings) -> None:
    body = neem(api, als("duo"), autorisatie="Bearer zeer-geheim-123").json()
    if instellingen.database_url is None:
        with sqlite3.connect(instellingen.sqlite_pad) as verbinding:
            rijen = verbinding.execute("SELECT * FROM inburgering_abonnementen").fetchall()
    else:
        with psycopg.connect(instellingen.database_url) as verbinding:
            rijen = verbinding.execute(f'SELECT * FROM "{instellingen.database_schema}".inburgering_abonnementen').fetchall()
    opgeslagen = repr(rijen)
    assert body["abonnementId"] in opgeslagen  # the row is there
    assert "zeer-geheim-123" not in opgeslagen and body["geheim"].removeprefix("whsec_") not in opgeslagen


def test_a_callback_to_a_host_the_operator_does_not_allow_is_refused(instellingen: Settings, klok: VasteKlok,
                                                                      als: Kopregels) -> None:
    # The API must not become a way into SDD's own network: the operator names the receivers' hosts.
    beperkt = instellingen.model_copy(update={"bezorging_hosts": ["duo.example.nl", ".sdd.nl"]})
    with TestClient(create_app(beperkt, klok)) as api:
        kop = als("duo")
        for toegestaan in ("https://duo.example.nl/in", "https://ontvanger.sdd.nl/in"):
            assert neem(api, kop, callbackUrl=toegestaan).status_code == 201, toegestaan
        for geweigerd in ("http://127.0.0.1:5432/", "https://example.nl/", "https://nietsdd.nl/"):
            antwoord = neem(api, kop, callbackUrl=geweigerd)
            assert antwoord.status_code == 400, geweigerd
            assert [p["name"] for p in antwoord.json()["invalidParams"]] == ["callbackUrl"]
        pad = api.get(ABONNEMENTEN, headers=kop).json()["abonnementen"][0]["abonnementId"]
        assert api.patch(f"{ABONNEMENTEN}/{pad}", json={"callbackUrl": "http://localhost/"}, headers=kop).status_code == 400
        assert len(api.get(ABONNEMENTEN, headers=kop).json()["abonnementen"]) == 2
