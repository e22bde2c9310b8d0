"""Input at the API edge: one string type without control characters, corrections held to the limits of
the fact they correct, JSON types taken as sent, UTF-8 only, and headers stored only in a safe shape."""

from __future__ import annotations

import codecs
import functools
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from hypothesis import find, settings
from hypothesis import strategies as st

from adapters.clock import VasteKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from api.openapi import DOCUMENT
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import Serverproces

TRAJECTEN = "/api/v1/trajecten"
RAPPORTAGES = ("instroom", "leerroutemix", "spuk", "handhaving")
STUURTEKENS = ["\x00", "\x01", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]
REGELEINDEN = ["\t", "\n", "\r"]


def gestart(api: TestClient, kop: dict[str, str]) -> str:
    antwoord = api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop)
    assert antwoord.status_code == 201, antwoord.text
    return antwoord.headers["Location"]


def aantal_feiten(api: TestClient, pad: str, kop: dict[str, str]) -> int:
    return len(api.get(f"{pad}/gebeurtenissen", headers=kop).json()["gebeurtenissen"])


def geweigerd(antwoord: Any) -> list[str]:
    """The names a 400 gives for what it refused."""
    assert (antwoord.status_code, antwoord.headers["content-type"]) == (400, "application/problem+json"), antwoord.text
    return [p["name"] for p in antwoord.json()["invalidParams"]]


@pytest.fixture
def sqlite_api(sqlite_instellingen: Settings, klok: VasteKlok) -> Iterator[TestClient]:
    """For what happens before a store is touched: transport and the document are the same on both stores."""
    with TestClient(create_app(sqlite_instellingen, klok), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def sqlite_als(sqlite_instellingen: Settings) -> Kopregels:
    def kopregels(rol: str, *gemeenten: str) -> dict[str, str]:
        token = maak_ontwikkeltoken(sqlite_instellingen, rol=rol, gemeenten=list(gemeenten), gebruiker=f"{rol}-{'-'.join(gemeenten)}")
        return {"Authorization": f"Bearer {token}"}

    return kopregels


# -- control characters -----------------------------------------------------------------------------


def test_a_control_character_in_a_one_line_field_is_a_400_naming_it_and_every_list_stays_readable(
    api: TestClient, als: Kopregels
) -> None:
    kop = als("regisseur", "0505")
    pad = gestart(api, kop)
    voor = aantal_feiten(api, pad, kop)

    # A regisseur's id is one line: no NUL (which PostgreSQL cannot store), no other C0/C1, no tab or newline.
    for teken in STUURTEKENS + REGELEINDEN:
        antwoord = api.post(f"{pad}/regisseur-toewijzingen", json={"datum": "2025-02-10", "regisseur": f"r{teken}2"}, headers=kop)
        assert geweigerd(antwoord) == ["regisseur"], repr(teken)
        assert "stuurteken" in antwoord.json()["invalidParams"][0]["reason"], antwoord.text

    assert aantal_feiten(api, pad, kop) == voor
    assert api.post(f"{pad}/regisseur-toewijzingen", json={"datum": "2025-02-10", "regisseur": "r\u00e92"}, headers=kop).status_code == 201
    # Nothing poisoned the read models: every list answers, for every user.
    for lijst in ("/api/v1/trajecten", "/api/v1/signaleringen"):
        assert api.get(lijst, headers=kop).status_code == 200, lijst
    for soort in RAPPORTAGES:
        rapport = api.get(f"/api/v1/rapportages/{soort}", params={"gemeente": "0505", "jaar": 2025}, headers=als("auditor"))
        assert rapport.status_code == 200, (soort, rapport.text)


def test_free_text_keeps_its_tabs_and_line_breaks_but_no_other_control_character(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    pad = gestart(api, kop)
    voor = aantal_feiten(api, pad, kop)

    for teken in STUURTEKENS + ["\x0b", "\x0c"]:
        antwoord = api.post(f"{pad}/coa-overdrachten", json={"datum": "2025-01-08", "verslag": f"a{teken}b"}, headers=kop)
        assert geweigerd(antwoord) == ["verslag"], repr(teken)
        # Also deep in a body: a topic of the brede intake.
        intake = {"datum": "2025-02-20", "onderwerpen": {"opleiding": f"mbo{teken}"}}
        assert geweigerd(api.post(f"{pad}/brede-intakes", json=intake, headers=kop)) == ["onderwerpen.opleiding"], repr(teken)
    assert aantal_feiten(api, pad, kop) == voor

    verslag = "Gesprek met tolk.\r\n\tAfspraken:\n- taalles"
    assert api.post(f"{pad}/coa-overdrachten", json={"datum": "2025-01-08", "verslag": verslag}, headers=kop).status_code == 201
    assert api.get(f"{pad}/gebeurtenissen", headers=kop).json()["gebeurtenissen"][-1]["gegevens"]["verslag"] == verslag


def test_a_nul_in_a_query_or_a_path_is_a_400_never_a_500(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    pad = gestart(api, kop)
    for url, naam in [
        ("/api/v1/trajecten?regisseur=x%00", "regisseur"),
        ("/api/v1/trajecten?regisseur=x%0A", "regisseur"),
        ("/api/v1/signaleringen?regisseur=%C2%85", "regisseur"),
        ("/api/v1/trajecten/%00", "trajectId"),
        ("/api/v1/trajecten/%00/gebeurtenissen", "trajectId"),
        (f"{pad}/gebeurtenissen/1%00", "versie"),
        (f"{pad}/handhavingszaken/%00", "zaaknummer"),
    ]:
        assert geweigerd(api.get(url, headers=kop)) == [naam], url
    assert api.get("/api/v1/%00", headers=kop).status_code == 404
    assert api.post(f"{TRAJECTEN}/%00/regisseur-toewijzingen", json={"datum": "2025-02-10", "regisseur": "r2"}, headers=kop).status_code == 400
    assert api.get("/api/v1/trajecten?regisseur=x", headers=kop).status_code == 200


def test_a_stored_header_with_a_control_character_is_a_400_naming_it(sqlite_api: TestClient, sqlite_als: Kopregels) -> None:
    kop = sqlite_als("regisseur", "0505")
    for naam in ("Idempotency-Key", "X-Audit-Toelichting"):
        for teken in (b"\x01", b"\x7f", b"\x85", b"\x9f"):
            antwoord = sqlite_api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop | {naam: b"a" + teken + b"b"})  # type: ignore[dict-item]
            assert geweigerd(antwoord) == [naam], (naam, teken)
    assert sqlite_api.get(f"{TRAJECTEN}?limiet=200", headers=kop).json()["trajecten"] == []


def test_a_toelichting_is_read_as_utf8_and_kept_as_written(api: TestClient, als: Kopregels) -> None:
    # HTTP carries the header's UTF-8 bytes; read as latin-1, "’" and "€" held C1 characters (a 400) and "ë" became "Ã«".
    kop = als("regisseur", "0505")
    pad = gestart(api, kop)
    toelichtingen = ["Cliënt’s dossier", "Boete 340 €", "Cliënt"]
    for i, toelichting in enumerate(toelichtingen):
        antwoord = api.post(f"{pad}/regisseur-toewijzingen", json={"datum": "2025-02-10", "regisseur": f"r{i}"},
                            headers=kop | {"X-Audit-Toelichting": toelichting.encode()})  # type: ignore[dict-item]
        assert antwoord.status_code == 201, (toelichting, antwoord.text)
    regels = api.get(f"{pad}/audittrail", headers=als("auditor")).json()["audittrail"]
    assert [r["toelichting"] for r in regels[-3:]] == toelichtingen


def test_a_header_with_a_c1_character_or_a_key_that_is_not_visible_ascii_is_a_400_naming_it(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    for waarde in ("a\u0085b".encode(), "a\u009fb".encode()):  # valid UTF-8, but a control character
        antwoord = api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop | {"X-Audit-Toelichting": waarde})  # type: ignore[dict-item]
        assert geweigerd(antwoord) == ["X-Audit-Toelichting"], waarde

    # An Idempotency-Key is an opaque token of visible ASCII (a UUID, say): no byte of it has two readings.
    for sleutel in ("sleutel-ë".encode(), "sleutel-€".encode(), b"met spatie", "a\u0085b".encode(), b"x" * 256):
        antwoord = api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop | {"Idempotency-Key": sleutel})  # type: ignore[dict-item]
        assert geweigerd(antwoord) == ["Idempotency-Key"], sleutel
    assert api.get(f"{TRAJECTEN}?limiet=200", headers=kop).json()["trajecten"] == []

    sleutel = f"start-{uuid.uuid4()}~!" + "x" * 210
    body = tvs_start(een_bsn())
    eerste = api.post(TRAJECTEN, json=body, headers=kop | {"Idempotency-Key": sleutel})
    herhaald = api.post(TRAJECTEN, json=body, headers=kop | {"Idempotency-Key": sleutel})
    assert (eerste.status_code, herhaald.status_code, herhaald.headers.get("Idempotent-Replayed")) == (201, 201, "true")
    assert herhaald.json()["trajectId"] == eerste.json()["trajectId"]


def test_header_bytes_that_are_not_utf8_are_a_400_naming_the_header_over_real_http(instellingen: Settings, als: Kopregels) -> None:
    # A real server: the test client re-encodes header values, so it cannot send bytes that are not UTF-8.
    kop = als("regisseur", "0505")
    with Serverproces(instellingen) as server, httpx2.Client(base_url=server.basis, timeout=30) as http:
        for waarde in (b"Cli\xebnt", b"\xff\xfe", b"Boete 340 \xe2\x82"):  # latin-1 ë, no UTF-8 at all, a cut-off €
            antwoord = http.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop | {"X-Audit-Toelichting": waarde})  # type: ignore[dict-item]
            assert geweigerd(antwoord) == ["X-Audit-Toelichting"], waarde
            assert "UTF-8" in antwoord.json()["invalidParams"][0]["reason"], antwoord.text
        antwoord = http.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop | {"Idempotency-Key": b"sleutel-\xeb"})  # type: ignore[dict-item]
        assert geweigerd(antwoord) == ["Idempotency-Key"]
        assert http.get(f"{TRAJECTEN}?limiet=200", headers=kop).json()["trajecten"] == []

        toelichting = "Cliënt’s dossier, boete 340 €"
        start = http.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop | {"X-Audit-Toelichting": toelichting.encode()})  # type: ignore[dict-item]
        assert start.status_code == 201, start.text
        regels = http.get(f"{start.headers['Location']}/audittrail", headers=als("auditor")).json()["audittrail"]
        assert regels[0]["toelichting"] == toelichting


def test_only_a_uuid_is_taken_as_correlation_id(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    # Stored with every fact and never forgotten: so only an identifier, never free text such as a BSN.
    for fout in ("curl-1", f"bsn {een_bsn()}", str(uuid.uuid4()) + "0", "{" + str(uuid.uuid4()) + "}", uuid.uuid4().hex):
        antwoord = api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop | {"X-Correlation-ID": fout})
        assert geweigerd(antwoord) == ["X-Correlation-ID"], fout
        assert antwoord.headers["X-Correlation-ID"] != fout
    assert api.get(f"{TRAJECTEN}?limiet=200", headers=kop).json()["trajecten"] == []

    eigen = str(uuid.uuid4()).upper()
    start = api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop | {"X-Correlation-ID": eigen})
    assert start.status_code == 201 and start.headers["X-Correlation-ID"] == eigen
    feiten = api.get(f"{start.headers['Location']}/gebeurtenissen", headers=kop).json()["gebeurtenissen"]
    assert {f["correlatieId"] for f in feiten} == {eigen}
    zonder = api.post(TRAJECTEN, json=tvs_start(een_bsn()), headers=kop)
    assert zonder.status_code == 201 and uuid.UUID(zonder.headers["X-Correlation-ID"])


def _strings(knoop: Any, naam: str, onderdelen: dict[str, Any], gezien: frozenset[str] = frozenset()) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every string schema under `knoop`, named by its dotted path; dictionary keys count as strings too."""
    if not isinstance(knoop, dict):
        return
    if "$ref" in knoop:
        ref = knoop["$ref"].rsplit("/", 1)[-1]
        if ref not in gezien:
            yield from _strings(onderdelen[ref], naam, onderdelen, gezien | {ref})
        return
    soort = knoop.get("type")
    if soort == "string" or (isinstance(soort, list) and "string" in soort):
        yield naam, knoop
    for sleutel in ("anyOf", "oneOf", "allOf"):
        for deel in knoop.get(sleutel, []):
            yield from _strings(deel, naam, onderdelen, gezien)
    for veld, deel in knoop.get("properties", {}).items():
        yield from _strings(deel, f"{naam}.{veld}", onderdelen, gezien)
    yield from _strings(knoop.get("items"), f"{naam}[]", onderdelen, gezien)
    extra = knoop.get("additionalProperties")
    if soort == "object" and extra is not False:
        yield f"{naam}.<sleutel>", knoop.get("propertyNames", {"type": "string"})
        yield from _strings(extra, f"{naam}.<waarde>", onderdelen, gezien)


@functools.cache
def _geldig_voorbeeld(patroon: str, kortste: int, langste: int) -> str:
    """The simplest string of at least 3 characters that the pattern and the lengths allow."""
    return find(st.from_regex(patroon, fullmatch=True), lambda s: max(kortste, 3) <= len(s) <= langste,
                settings=settings(database=None, max_examples=2000))


def test_no_string_the_api_accepts_can_hold_a_control_character(sqlite_api: TestClient) -> None:
    # Every request body (nested models and dictionaries too), query, path and header parameter of the
    # document the app serves: each string is a choice from a list, a UUID, or has a pattern that refuses
    # NUL and the other C0/C1 control characters. A new field without the shared type fails here, by name.
    document = sqlite_api.app.openapi()  # type: ignore[attr-defined]
    onderdelen = document["components"]["schemas"]
    gevonden: list[tuple[str, dict[str, Any]]] = []
    for pad, item in document["paths"].items():
        for methode, operatie in item.items():
            for parameter in operatie.get("parameters", []):
                gevonden += _strings(parameter["schema"], f"{methode.upper()} {pad} {parameter['in']}:{parameter['name']}", onderdelen)
            for inhoud in operatie.get("requestBody", {}).get("content", {}).values():
                gevonden += _strings(inhoud["schema"], f"{methode.upper()} {pad} body", onderdelen)
    assert len(gevonden) > 100

    lek = []
    for naam, schema in gevonden:
        if "enum" in schema or "const" in schema:
            keuzes = schema.get("enum", [schema.get("const")])
            lek += [naam for k in keuzes if isinstance(k, str) and re.search("[\x00-\x1f\x7f-\x9f]", k)]
            continue
        if schema.get("format") == "uuid":
            continue
        if "pattern" not in schema:
            lek.append(f"{naam}: geen patroon")
            continue
        validator = jsonschema_rs.validator_for(schema)
        voorbeeld = str((schema.get("examples") or [None])[0] or
                        _geldig_voorbeeld(schema["pattern"], schema.get("minLength", 0), schema.get("maxLength", 1000)))
        assert validator.is_valid(voorbeeld), (naam, voorbeeld)
        for teken in STUURTEKENS:
            for plek in (0, len(voorbeeld) // 2, len(voorbeeld) - 1):
                if validator.is_valid(voorbeeld[:plek] + teken + voorbeeld[plek + 1:]):
                    lek.append(f"{naam}: {teken!r}")
    assert lek == []


# -- corrections ------------------------------------------------------------------------------------


def test_a_correction_is_held_to_the_type_and_limits_of_the_field_it_corrects(api: TestClient, als: Kopregels) -> None:
    kop = als("regisseur", "0505")
    pad = gestart(api, kop)
    uren = api.post(f"{pad}/cursusuren", json={"datum": "2025-01-31", "soort": "nt2", "uren": 40, "fase": "brede_intake"}, headers=kop)
    assert uren.status_code == 201, uren.text
    versie = uren.json()["versie"]
    voor = aantal_feiten(api, pad, kop)

    def correctie(correcties: dict[str, Any]) -> Any:
        body = {"datum": "2025-02-03", "versie": versie, "correcties": correcties, "toelichting": "Tikfout"}
        return api.post(f"{pad}/correcties", json=body, headers=kop)

    for correcties, naam in [
        ({"uren": 10**30}, "correcties.uren"),  # the command allows 1 to 2000
        ({"uren": 0}, "correcties.uren"),
        ({"uren": True}, "correcties.uren"),
        ({"uren": "12"}, "correcties.uren"),
        ({"verslag": "x" * 20_001}, "correcties.verslag"),
        ({"verslag": "a\x00b"}, "correcties.verslag"),
        ({"datum": "20251103"}, "correcties.datum"),
        ({"datum": 20251103}, "correcties.datum"),
        ({"geldigeReden": "ja"}, "correcties.geldigeReden"),
        ({"leerroute": "z_route"}, "correcties.leerroute"),  # no fact has it open to correction
        ({"d\x00tum": "2025-01-30"}, "correcties.d\x00tum"),
        ({}, "correcties"),
    ]:
        assert geweigerd(correctie(correcties)) == [naam], correcties
    assert aantal_feiten(api, pad, kop) == voor

    # A field some facts have open, but not this one, can only be judged with the fact loaded: 409.
    niet_hier = correctie({"verslag": "Nieuw verslag"})
    assert (niet_hier.status_code, niet_hier.json()["code"]) == (409, "correctie-ongeldig"), niet_hier.text
    goed = correctie({"uren": 2000, "datum": "2025-01-30"})
    assert goed.status_code == 201, goed.text
    assert goed.json()["uren"] == {"nt2": 2000}


def test_json_types_are_taken_as_sent_never_coerced(sqlite_api: TestClient, sqlite_als: Kopregels) -> None:
    kop = sqlite_als("regisseur", "0505")
    pad = gestart(sqlite_api, kop)
    voor = aantal_feiten(sqlite_api, pad, kop)
    uren = {"datum": "2025-01-31", "soort": "nt2", "uren": 12, "fase": "brede_intake"}
    coa = {"datum": "2025-01-08", "verslag": "Overdracht", "tolkAanwezig": False}
    for sub, body, veld, waarde in [
        ("cursusuren", uren, "uren", True),
        ("cursusuren", uren, "uren", "12"),
        ("cursusuren", uren, "uren", 12.5),
        ("cursusuren", uren, "datum", 0),
        ("coa-overdrachten", coa, "tolkAanwezig", 1),
        ("coa-overdrachten", coa, "tolkAanwezig", "true"),
        ("coa-overdrachten", coa, "verslag", 12),
    ]:
        assert geweigerd(sqlite_api.post(f"{pad}/{sub}", json=body | {veld: waarde}, headers=kop)) == [veld], (veld, waarde)
    start = sqlite_api.post(TRAJECTEN, json=tvs_start(een_bsn()) | {"huishoudgrootte": True}, headers=kop)
    assert geweigerd(start) == ["huishoudgrootte"]
    assert aantal_feiten(sqlite_api, pad, kop) == voor

    # JSON has one number type: 12.0 is the integer 12, as JSON Schema's "integer" says too.
    assert sqlite_api.post(f"{pad}/cursusuren", json=uren | {"uren": 12.0}, headers=kop).json()["uren"] == {"nt2": 12}
    assert sqlite_api.post(f"{pad}/coa-overdrachten", json=coa, headers=kop).status_code == 201


# -- UTF-8 only -------------------------------------------------------------------------------------


def test_a_body_in_another_encoding_is_refused_never_decoded(sqlite_api: TestClient, sqlite_als: Kopregels) -> None:
    kop = sqlite_als("regisseur", "0505")
    tekst = json.dumps(tvs_start(een_bsn()) | {"landVanHerkomst": "Eritrée"}, ensure_ascii=False)
    for inhoud, soort, status, code in [
        (tekst.encode("utf-16"), "application/json", 400, "ongeldige-codering"),  # with BOM
        (tekst.encode("utf-16-le"), "application/json", 400, "ongeldige-codering"),  # without
        (tekst.encode("utf-16-be"), "application/json", 400, "ongeldige-codering"),
        (tekst.encode("utf-32"), "application/json", 400, "ongeldige-codering"),
        (codecs.BOM_UTF8 + tekst.encode(), "application/json", 400, "ongeldige-codering"),
        (tekst.encode("latin-1"), "application/json", 400, "ongeldige-codering"),  # é as one byte
        (tekst.encode("utf-16"), "application/json; charset=utf-16", 415, "tekenset-niet-ondersteund"),
        (tekst.encode("latin-1"), "application/json; charset=ISO-8859-1", 415, "tekenset-niet-ondersteund"),
    ]:
        antwoord = sqlite_api.post(TRAJECTEN, content=inhoud, headers=kop | {"Content-Type": soort})
        assert (antwoord.status_code, antwoord.headers["content-type"]) == (status, "application/problem+json"), (soort, inhoud[:8])
        assert antwoord.json()["code"] == code, antwoord.text
    assert sqlite_api.get(f"{TRAJECTEN}?limiet=200", headers=kop).json()["trajecten"] == []

    # UTF-8, declared in any spelling or not at all, is taken; é arrives as é.
    for soort in ("application/json; charset=utf-8", 'application/json; charset="UTF-8"', "application/json"):
        body = json.dumps(tvs_start(een_bsn()) | {"landVanHerkomst": "Eritrée"}, ensure_ascii=False).encode()
        goed = sqlite_api.post(TRAJECTEN, content=body, headers=kop | {"Content-Type": soort})
        assert goed.status_code == 201, (soort, goed.text)
    assert len(sqlite_api.get(f"{TRAJECTEN}?limiet=200", headers=kop).json()["trajecten"]) == 3


# -- the document and the API agree -----------------------------------------------------------------


def test_the_document_and_the_api_agree_that_000000000_is_no_bsn(sqlite_api: TestClient, sqlite_als: Kopregels) -> None:
    document = json.loads(DOCUMENT.read_text())
    bsn = jsonschema_rs.validator_for(document["components"]["schemas"]["TrajectZoek"]["properties"]["bsn"])
    assert (bsn.is_valid("000000000"), bsn.is_valid("111222333")) == (False, True)
    antwoord = sqlite_api.post(f"{TRAJECTEN}/_zoek", json={"bsn": "000000000"}, headers=sqlite_als("duo"))
    assert geweigerd(antwoord) == ["bsn"]


def test_the_document_says_which_correlation_id_is_taken() -> None:
    document = json.loads(DOCUMENT.read_text())
    for pad, item in document["paths"].items():
        for methode, operatie in item.items():
            [kop] = [p for p in operatie["parameters"] if p["name"] == "X-Correlation-ID"]
            validator = jsonschema_rs.validator_for(kop["schema"])
            assert validator.is_valid(str(uuid.uuid4())) and not validator.is_valid("curl-1"), (methode, pad)
