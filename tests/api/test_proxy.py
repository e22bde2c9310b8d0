"""Behind a reverse proxy every absolute URL names the public host, when the proxy is one the operator trusts;
the same headers from anyone else change nothing. Through the app on both stores, and through a real server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from adapters.clock import VasteKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from tests.api.test_serverlog import _opdracht_van_make_run
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels, _instellingen
from tests.serverproces import Serverproces

PROXY = "10.20.0.7"  # the reverse proxy's address inside the network
PUBLIEK = "https://inburgering.sdd.nl/api/v1/"
INTERN = "http://testserver/api/v1/"
X_FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "inburgering.sdd.nl", "X-Forwarded-For": "198.51.100.17"}
FORWARDED = {"Forwarded": 'for=198.51.100.17;proto=https;host="inburgering.sdd.nl"'}


@contextmanager
def klant(instellingen: Settings, klok: VasteKlok, adres: str) -> Iterator[TestClient]:
    """The API as a request from `adres` reaches it; only the proxy's network is trusted."""
    vertrouwd = instellingen.model_copy(update={"vertrouwde_proxies": ["10.20.0.0/24"]})
    with TestClient(create_app(vertrouwd, klok), raise_server_exceptions=False, client=(adres, 41000)) as client:
        yield client


def absolute_urls(api: TestClient, als: Kopregels, koppen: dict[str, str]) -> dict[str, str]:
    """Every kind of absolute URL the API gives, after one trajectory with two facts, and its `Location`."""
    regisseur, auditor = als("regisseur", "0505") | koppen, als("auditor") | koppen
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur)
    assert start.status_code == 201, start.text
    traject = start.json()["trajectId"]
    stap = api.post(f"/api/v1/trajecten/{traject}/kennisgevingen", headers=regisseur,
                    json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"})
    assert stap.status_code == 201, stap.text
    feed = api.get("/api/v1/gebeurtenissen", params={"limiet": 1}, headers=auditor)
    lijst = api.get("/api/v1/trajecten", params={"limiet": 1}, headers=regisseur)
    [regel, *_] = api.get(f"/api/v1/trajecten/{traject}/audittrail", headers=auditor).json()["audittrail"]
    [feit] = feed.json()["gebeurtenissen"]
    return {
        "Location": start.headers["Location"],
        "feed dataref": feit["dataref"], "feed dataschema": feit["dataschema"], "feed volgende": feed.json()["volgende"],
        "feed Link": feed.headers["Link"].removeprefix("<"), "lijst Link": lijst.headers["Link"].removeprefix("<"),
        "hoofdObject": regel["hoofdObject"], "resourceUrl": regel["resourceUrl"],
    }


def namen_een_ander_begin(urls: dict[str, str], begin: str) -> dict[str, str]:
    # Location stays relative, as the API has always sent it: the client resolves it against the URL it asked.
    assert urls.pop("Location").startswith("/api/v1/trajecten/")
    return {naam: url for naam, url in urls.items() if not url.startswith(begin)}


@pytest.mark.parametrize("koppen", [X_FORWARDED, FORWARDED], ids=["X-Forwarded", "Forwarded"])
def test_through_a_trusted_proxy_every_absolute_url_names_the_public_host(
    instellingen: Settings, klok: VasteKlok, als: Kopregels, koppen: dict[str, str]
) -> None:
    with klant(instellingen, klok, PROXY) as api:
        assert namen_een_ander_begin(absolute_urls(api, als, koppen), PUBLIEK) == {}


@pytest.mark.parametrize("koppen", [X_FORWARDED, FORWARDED], ids=["X-Forwarded", "Forwarded"])
def test_the_same_headers_from_any_other_address_change_no_url(
    instellingen: Settings, klok: VasteKlok, als: Kopregels, koppen: dict[str, str]
) -> None:
    with klant(instellingen, klok, "198.51.100.17") as api:
        assert namen_een_ander_begin(absolute_urls(api, als, koppen), INTERN) == {}


@pytest.mark.parametrize("koppen", [
    {"X-Forwarded-Host": "inburgering.sdd.nl/elders"},
    {"X-Forwarded-Host": "inburgering.sdd.nl, evil.example"},  # a list: which of them? none
    {"X-Forwarded-Host": "gebruiker@evil.example"},
    {"X-Forwarded-Proto": "javascript"},
    {"Forwarded": 'proto=https;host="inburgering.sdd.nl'},  # the quote not closed
    {"Forwarded": "proto=https;host=inburgering.sdd.nl,"},  # an empty element
    {"Forwarded": "proto=ftp;host=inburgering.sdd.nl:443:1"},
    {"Forwarded": "for"},
], ids=lambda koppen: repr(koppen))
def test_a_malformed_header_from_the_proxy_is_ignored(instellingen: Settings, klok: VasteKlok, als: Kopregels, koppen: dict[str, str]) -> None:
    # The request's own Host stays. (Starlette would take a host it cannot parse for the server's socket address.)
    with klant(instellingen, klok, PROXY) as api:
        assert namen_een_ander_begin(absolute_urls(api, als, koppen | {"Host": "api.intern"}), "http://api.intern/api/v1/") == {}


def test_a_mistyped_proxy_address_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="INBURGERING_VERTROUWDE_PROXIES"):
        Settings(_env_file=None, vertrouwde_proxies=["10.20.0.300"])  # type: ignore[call-arg]


@pytest.mark.parametrize("vertrouwd", [["127.0.0.1"], []], ids=["vertrouwd", "standaard"])
def test_the_server_as_make_run_starts_it_follows_the_setting_alone(tmp_path: Path, vertrouwd: list[str]) -> None:
    """uvicorn trusts 127.0.0.1 by itself unless told not to: the setting must be the only say."""
    instellingen = _instellingen(tmp_path, database_url=None, vertrouwde_proxies=vertrouwd)
    token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=["0505"], gebruiker="regisseur-0505")
    kop = {"Authorization": f"Bearer {token}"} | X_FORWARDED
    with Serverproces(instellingen, opdracht=_opdracht_van_make_run) as server:
        assert httpx2.post(f"{server.basis}/api/v1/trajecten", json=tvs_start(een_bsn()), headers=kop, timeout=30).status_code == 201
        lijst = httpx2.get(f"{server.basis}/api/v1/trajecten", params={"limiet": 1}, headers=kop, timeout=30)
    verwacht = PUBLIEK if vertrouwd else f"{server.basis}/api/v1/"
    assert lijst.headers["Link"].removeprefix("<").startswith(verwacht), lijst.headers["Link"]
