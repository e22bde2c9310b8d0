"""The API with INBURGERING_JWKS_URL, through its HTTP interface: the IdP rotates its keys, and the API follows."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.settings import Settings
from api.main import create_app
from tests.api.idp import Idp, lopende_idp, token
from tests.serverproces import GEREED_BINNEN


@pytest.fixture
def idp() -> Iterator[Idp]:
    with lopende_idp("idp-2026-1") as server:
        yield server


def test_after_the_idp_rotates_its_keys_a_new_key_is_accepted_and_a_removed_one_refused(
    idp: Idp, instellingen: Settings, klok: VasteKlok
) -> None:
    instellingen = instellingen.model_copy(update={"jwks_url": idp.url, "jwks_cache_min_seconden": 1})
    eerste = idp.sleutels[0]
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as api:
        def lijst(met: str) -> int:
            return api.get("/api/v1/trajecten", headers={"Authorization": f"Bearer {met}"}).status_code

        oud = token(eerste, instellingen)
        assert lijst(oud) == 200
        # The IdP adds a key and removes the old one.
        nieuw = token(idp.nieuwe_sleutel("idp-2026-2"), instellingen)
        idp.sleutels.remove(eerste)
        # Within a second of the last fetch an unknown kid is not fetched for; after it, it is.
        begin = time.monotonic()
        while (status := lijst(nieuw)) != 200 and time.monotonic() - begin < GEREED_BINNEN:
            assert status == 401
            time.sleep(0.2)
        assert status == 200, f"na {GEREED_BINNEN:g} s kende de API de nieuwe sleutel van de IdP nog niet"
        antwoord = api.get("/api/v1/trajecten", headers={"Authorization": f"Bearer {oud}"})
        assert antwoord.status_code == 401 and antwoord.headers["content-type"] == "application/problem+json"
        assert idp.opgehaald >= 2
