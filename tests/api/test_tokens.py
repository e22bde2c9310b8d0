"""Bearer tokens: a good signature is checked once per token, but every request is held to the token's
claims, so a token accepted a moment ago is refused once it has expired."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt

from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken

PAD = "/api/v1/gebeurtenistypen"  # any operation that needs a token and nothing more
GELDIG = 10  # seconds a short-lived token is valid


def _kop(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_expired_token_is_refused(api: TestClient, instellingen: Settings) -> None:
    token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=["0505"], geldig_seconden=-1)
    antwoord = api.get(PAD, headers=_kop(token))
    assert (antwoord.status_code, antwoord.headers["content-type"]) == (401, "application/problem+json")


def test_a_token_accepted_before_is_refused_once_it_has_expired(api: TestClient, instellingen: Settings) -> None:
    # Valid long enough for the two requests below on a busy machine; the wait is the price of a real clock.
    token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=["0505"], geldig_seconden=GELDIG)
    verloopt = time.time() + GELDIG
    assert api.get(PAD, headers=_kop(token)).status_code == 200
    assert api.get(PAD, headers=_kop(token)).status_code == 200  # its signature is now known good
    while time.time() <= verloopt + 1:  # exp is in whole seconds: wait until it has surely passed
        time.sleep(0.2)
    assert api.get(PAD, headers=_kop(token)).status_code == 401


def test_a_token_with_a_changed_signature_is_refused_after_the_genuine_one_was_accepted(api: TestClient, instellingen: Settings) -> None:
    token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=["0505"])
    assert api.get(PAD, headers=_kop(token)).status_code == 200
    kop, inhoud, handtekening = token.split(".")
    vervalst = f"{kop}.{inhoud}.{handtekening[:-4]}{'AAAA' if handtekening[-4:] != 'AAAA' else 'BBBB'}"
    assert api.get(PAD, headers=_kop(vervalst)).status_code == 401


def test_a_token_is_verified_once_and_held_to_its_expiry_on_every_request(
    api: TestClient, instellingen: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Verifying a signature and reading the claims cost more than the rest of a request's authorization: done once
    # per token (and key set). What changes with time alone, the expiry, is checked on each request.
    geverifieerd: list[str] = []
    echt = jwt.decode

    def geteld(token: str, *args: Any, **kwargs: Any) -> Any:
        geverifieerd.append(token)
        return echt(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", geteld)
    token = maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=["0505"], geldig_seconden=GELDIG)
    verloopt = time.time() + GELDIG
    for _ in range(3):
        assert api.get(PAD, headers=_kop(token)).status_code == 200
    anders = maak_ontwikkeltoken(instellingen, rol="auditor", gemeenten=[])
    assert api.get(PAD, headers=_kop(anders)).status_code == 200
    assert geverifieerd == [token, anders]
    while time.time() <= verloopt + 1:  # exp is in whole seconds: wait until it has surely passed
        time.sleep(0.2)
    assert api.get(PAD, headers=_kop(token)).status_code == 401  # held to its expiry, though it was kept
    assert api.get(PAD, headers=_kop(anders)).status_code == 200
