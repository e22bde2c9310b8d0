"""Bad input and broken rules get a clear problem+json answer, and nothing is half-written."""

from __future__ import annotations

import time
import uuid

from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey

from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels

TRAJECTEN = "/api/v1/trajecten"


def gestart(api: TestClient, kop: dict[str, str], gemeente: str = "0505") -> str:
    antwoord = api.post(TRAJECTEN, json=tvs_start(een_bsn(), gemeente), headers=kop)
    assert antwoord.status_code == 201, antwoord.text
    return antwoord.headers["Location"]


def aantal_feiten(api: TestClient, pad: str, kop: dict[str, str]) -> int:
    return len(api.get(f"{pad}/gebeurtenissen", headers=kop).json()["gebeurtenissen"])


def test_every_invalid_field_is_named_in_one_400(api: TestClient, als: Kopregels) -> None:
    body = {"aanleiding": "tvs_profiel", "datum": "2025-13-01", "gemeente": "0000", "bsn": "123456789", "onbekend": 1}
    antwoord = api.post(TRAJECTEN, json=body, headers=als("regisseur", "0505"))
    assert antwoord.status_code == 400
    assert antwoord.headers["content-type"] == "application/problem+json"
    probleem = antwoord.json()
    assert {p["name"] for p in probleem["invalidParams"]} == {"datum", "gemeente", "bsn", "onbekend"}
    assert (probleem["status"], probleem["code"]) == (400, "ongeldige-invoer")


def test_a_bsn_must_pass_the_elfproef_and_000000000_is_refused(api: TestClient, als: Kopregels) -> None:
    for bsn in ("111222334", "000000000", "12345678"):
        antwoord = api.post(f"{TRAJECTEN}/_zoek", json={"bsn": bsn}, headers=als("duo"))
        assert antwoord.status_code == 400, bsn
        assert [p["name"] for p in antwoord.json()["invalidParams"]] == ["bsn"]


def test_no_token_a_forged_token_and_an_expired_token_are_401(api: TestClient, als: Kopregels) -> None:
    vreemde_sleutel = ECKey.generate_key("P-256", parameters={"kid": "vreemd"})
    claims = {"iss": "https://sso.drechtsteden.nl/inburgering", "aud": "inburgering-api", "sub": "x", "rol": "duo", "exp": int(time.time()) + 60}
    vervalst = jwt.encode({"alg": "ES256", "kid": "vreemd"}, claims, vreemde_sleutel)
    for kop in ({}, {"Authorization": f"Bearer {vervalst}"}, {"Authorization": "Bearer abc"}):
        antwoord = api.post(f"{TRAJECTEN}/_zoek", json={"bsn": een_bsn()}, headers=kop)
        assert antwoord.status_code == 401
        assert antwoord.headers["WWW-Authenticate"] == "Bearer"
        assert antwoord.headers["content-type"] == "application/problem+json"


def test_read_only_roles_and_wrong_roles_get_403(api: TestClient, als: Kopregels) -> None:
    pad = gestart(api, als("regisseur", "0505"))
    gesprek = {"datum": "2025-06-01", "status": "gevoerd", "verslag": "x"}
    for rol in ("duo", "auditor", "handhaver"):
        kop = als(rol, "0505") if rol == "handhaver" else als(rol)
        assert api.post(f"{pad}/voortgangsgesprekken", json=gesprek, headers=kop).status_code == 403, rol
    assert api.get(pad, headers=als("beheerder")).status_code == 403
    overtreding = {"datum": "2025-06-01", "artikel": "wi22", "grond": "brede_intake_niet_meegewerkt", "rapportdatum": "2025-06-02", "rapport": "x"}
    assert api.post(f"{pad}/handhavingszaken", json=overtreding, headers=als("regisseur", "0505")).status_code == 403


def test_a_regisseur_does_not_see_another_gemeentes_trajectory(api: TestClient, als: Kopregels) -> None:
    pad = gestart(api, als("regisseur", "0505"))
    zwijndrecht = als("regisseur", "0642")
    assert api.get(pad, headers=zwijndrecht).status_code == 404
    assert api.get(f"{pad}/gebeurtenissen", headers=zwijndrecht).status_code == 404
    huisvesting = {"datum": "2025-02-03", "gemeente": "0505"}
    assert api.post(f"{pad}/huisvestingen", json=huisvesting, headers=zwijndrecht).status_code == 404
    assert aantal_feiten(api, pad, als("auditor")) == 2


def test_a_regisseur_cannot_start_outside_their_gemeenten(api: TestClient, als: Kopregels) -> None:
    antwoord = api.post(TRAJECTEN, json=tvs_start(een_bsn(), "0590"), headers=als("regisseur", "0505"))
    assert (antwoord.status_code, antwoord.json()["code"]) == (403, "buiten-mandaat")


def test_unknown_ids_unknown_versions_and_trailing_slashes_are_404(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    pad = gestart(api, kop)
    assert api.get(f"{TRAJECTEN}/{uuid.uuid4()}", headers=kop).status_code == 404
    assert api.get(f"{pad}/gebeurtenissen/99", headers=kop).status_code == 404
    slash = api.get(f"{pad}/", headers=kop, follow_redirects=False)
    assert slash.status_code == 404
    assert slash.headers["content-type"] == "application/problem+json"


def test_a_broken_rule_is_409_with_its_code_and_legal_basis_and_appends_nothing(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    pad = gestart(api, kop)
    pip = {"dagtekening": "2025-04-10", "leerroute": "b1", "pvtUren": 12, "aantalVoortgangsgesprekken": 4, "ondersteuning": "x"}
    antwoord = api.post(f"{pad}/pip-vaststellingen", json=pip, headers=kop)
    assert antwoord.status_code == 409
    probleem = antwoord.json()
    assert (probleem["code"], probleem["grondslag"]) == ("brede-intake-ontbreekt", "Wi 15(1)")
    assert probleem["type"].endswith("/brede-intake-ontbreekt")
    assert aantal_feiten(api, pad, kop) == 2


def test_a_second_trajectory_for_the_same_person_is_409(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    bsn = een_bsn()
    eerste = api.post(TRAJECTEN, json=tvs_start(bsn), headers=kop)
    assert eerste.status_code == 201
    antwoord = api.post(TRAJECTEN, json=tvs_start(bsn), headers=kop)
    assert (antwoord.status_code, antwoord.json()["code"]) == (409, "traject-bestaat-al")
    assert len(api.post(f"{TRAJECTEN}/_zoek", json={"bsn": bsn}, headers=kop).json()["trajecten"]) == 1
    # Another gemeente's regisseur learns that a trajectory runs, not which one.
    elders = api.post(TRAJECTEN, json=tvs_start(bsn, gemeente="0590"), headers=als("regisseur", "0590"))
    assert elders.status_code == 409
    assert eerste.json()["trajectId"] not in elders.text


def test_a_stale_if_match_is_412_and_appends_nothing(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    pad = gestart(api, kop)
    kennisgeving = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}
    assert api.post(f"{pad}/kennisgevingen", json=kennisgeving, headers=kop | {"If-Match": '"2"'}).status_code == 201
    antwoord = api.post(f"{pad}/huisvestingen", json={"datum": "2025-02-03", "gemeente": "0505"}, headers=kop | {"If-Match": '"2"'})
    assert (antwoord.status_code, antwoord.headers["ETag"]) == (412, '"3"')
    assert aantal_feiten(api, pad, kop) == 3
    ongeldig = api.post(f"{pad}/huisvestingen", json={}, headers=kop | {"If-Match": "drie"})
    assert ongeldig.status_code == 400
    assert {p["name"] for p in ongeldig.json()["invalidParams"]} == {"If-Match", "datum", "gemeente"}
    elke = api.post(f"{pad}/huisvestingen", json={"datum": "2025-02-03", "gemeente": "0505"}, headers=kop | {"If-Match": "*"})
    assert (elke.status_code, elke.headers["ETag"]) == (201, '"4"')


def test_a_repeated_idempotency_key_returns_the_first_answer_and_appends_nothing(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505") | {"Idempotency-Key": "start-7f3a"}
    body = tvs_start(een_bsn())
    eerste = api.post(TRAJECTEN, json=body, headers=kop)
    tweede = api.post(TRAJECTEN, json=body, headers=kop)
    assert (eerste.status_code, tweede.status_code) == (201, 201)
    assert tweede.json() == eerste.json()
    assert tweede.headers["Location"] == eerste.headers["Location"]
    assert tweede.headers["Idempotent-Replayed"] == "true"
    pad = eerste.headers["Location"]
    gesprek_kop = als("regisseur", "0505") | {"Idempotency-Key": "kennisgeving-1"}
    kennisgeving = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}
    assert api.post(f"{pad}/kennisgevingen", json=kennisgeving, headers=gesprek_kop).status_code == 201
    assert api.post(f"{pad}/kennisgevingen", json=kennisgeving, headers=gesprek_kop).status_code == 201
    assert aantal_feiten(api, pad, kop) == 3


def test_a_replayed_key_answers_only_while_the_user_may_still_see_the_trajectory(
    api: TestClient, instellingen: Settings
) -> None:
    def kop(gemeente: str) -> dict[str, str]:
        token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=[gemeente], gebruiker="regisseur-wisselt")
        return {"Authorization": f"Bearer {token}", "Idempotency-Key": "start-wissel"}

    body = tvs_start(een_bsn())
    assert api.post(TRAJECTEN, json=body, headers=kop("0505")).status_code == 201
    # The same user, now working for another gemeente, repeats the request.
    antwoord = api.post(TRAJECTEN, json=body, headers=kop("0590"))
    assert antwoord.status_code == 404
    assert body["bsn"] not in antwoord.text


def test_an_idempotency_key_reused_for_another_request_is_409(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505") | {"Idempotency-Key": "hergebruikt"}
    assert api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop).status_code == 201
    antwoord = api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop)
    assert (antwoord.status_code, antwoord.json()["code"]) == (409, "idempotency-key-hergebruikt")


def test_every_answer_carries_the_api_version(api: TestClient, als: Kopregels) -> None:
    assert api.get("/api/v1/health").headers["API-Version"] == "1.0.0"
    assert api.get(f"{TRAJECTEN}/{uuid.uuid4()}").headers["API-Version"] == "1.0.0"
    assert api.get("/elders").headers["API-Version"] == "1.0.0"


def test_zoeken_finds_only_trajectories_within_the_mandate(api: TestClient, als: Kopregels) -> None:
    bsn = een_bsn()
    api.post(TRAJECTEN, json=tvs_start(bsn, "0505"), headers=als("regisseur", "0505"))
    assert len(api.post(f"{TRAJECTEN}/_zoek", json={"bsn": bsn}, headers=als("duo")).json()["trajecten"]) == 1
    assert api.post(f"{TRAJECTEN}/_zoek", json={"bsn": bsn}, headers=als("regisseur", "0642")).json()["trajecten"] == []
    assert api.post(f"{TRAJECTEN}/_zoek", json={"bsn": een_bsn()}, headers=als("duo")).json()["trajecten"] == []


def test_an_unknown_query_parameter_is_400_not_ignored(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    antwoord = api.get("/api/v1/trajecten?gemeente=0505&gemeenteCode=0505", headers=kop)
    assert (antwoord.status_code, antwoord.json()["code"]) == (400, "onbekende-parameter")
    assert "gemeenteCode" in antwoord.json()["detail"]
    assert api.get("/api/v1/trajecten?gemeente=0505", headers=kop).status_code == 200


def test_a_date_outside_any_trajectory_is_400(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    antwoord = api.get("/api/v1/signaleringen?peildatum=0001-01-01", headers=kop)
    assert (antwoord.status_code, antwoord.json()["invalidParams"][0]["name"]) == (400, "peildatum")
    body = tvs_start(een_bsn(), datum="2021-12-31")  # a valid date, but before the law
    assert api.post(TRAJECTEN, json=body, headers=kop).json()["code"] == "voor-inwerkingtreding"


def test_a_method_the_path_does_not_have_is_405_with_the_methods_it_has(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    antwoord = api.put(TRAJECTEN, json={}, headers=kop)
    assert (antwoord.status_code, antwoord.headers["Allow"]) == (405, "GET, POST")
    assert antwoord.headers["content-type"] == "application/problem+json"
    assert api.delete(f"{TRAJECTEN}/{uuid.uuid4()}/gebeurtenissen", headers=kop).headers["Allow"] == "GET"
    assert api.put(f"{TRAJECTEN}/_zoek", json={}, headers=kop).headers["Allow"] == "POST"
