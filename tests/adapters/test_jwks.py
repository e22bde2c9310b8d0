"""The IdP's keys from its JWKS URL: cached per max-age, fetched again for an unknown kid (rate-limited), kept when
the IdP is down, and a key the IdP removed stops verifying. Against a real HTTP server; time is the test's."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from adapters.settings import Settings
from adapters.tokens import JwksBron
from api.auth import Tokencontrole
from api.problems import ProbleemError
from tests.api.idp import Idp, lopende_idp, token

MIN, MAX = 10.0, 600.0


class Klok:
    def __init__(self) -> None:
        self.nu = 1000.0

    def __call__(self) -> float:
        return self.nu


@pytest.fixture
def idp() -> Iterator[Idp]:
    with lopende_idp("idp-1") as server:
        yield server


@pytest.fixture
def tijd() -> Klok:
    """Monotonic seconds the test moves on."""
    return Klok()


def _bron(idp: Idp, tijd: Klok) -> JwksBron:
    return JwksBron(idp.url, min_seconden=MIN, max_seconden=MAX, klok=tijd)


@pytest.mark.parametrize(("cache_control", "bewaard"), [
    ("public, max-age=120", 120.0), ("max-age=9999999", MAX), ("max-age=1", MIN), ("no-store", MIN), ("", 300.0),
])
def test_the_key_set_is_kept_for_its_max_age_within_the_bounds(idp: Idp, tijd: Klok, cache_control: str, bewaard: float) -> None:
    idp.cache_control = cache_control
    bron = _bron(idp, tijd)
    assert [k.kid for k in bron.sleutels()] == ["idp-1"] and idp.opgehaald == 1
    tijd.nu += bewaard - 0.5
    bron.sleutels()
    assert idp.opgehaald == 1
    tijd.nu += 1
    bron.sleutels()
    assert idp.opgehaald == 2


def test_a_token_signed_with_a_new_key_is_accepted_and_one_with_a_removed_key_refused(
    idp: Idp, tijd: Klok, sqlite_instellingen: Settings
) -> None:
    eerste = idp.sleutels[0]
    controle = Tokencontrole(_bron(idp, tijd), sqlite_instellingen.jwt_issuer, sqlite_instellingen.jwt_audience)
    oud = token(eerste, sqlite_instellingen)
    assert controle.claims(oud)["sub"] == "medewerker-1"
    # The IdP rotates: a new key beside the old, then the old one removed.
    tweede = idp.nieuwe_sleutel("idp-2")
    idp.sleutels.remove(eerste)
    tijd.nu += MIN  # the least time between two fetches has passed
    assert controle.claims(token(tweede, sqlite_instellingen))["sub"] == "medewerker-1"  # unknown kid: fetched anew
    assert idp.opgehaald == 2
    with pytest.raises(ProbleemError) as geweigerd:
        controle.claims(oud)  # verified before, but not by the set as it is now
    assert geweigerd.value.status == 401


def test_tokens_with_made_up_kids_fetch_the_set_at_most_once_per_minimum(
    idp: Idp, tijd: Klok, sqlite_instellingen: Settings
) -> None:
    controle = Tokencontrole(_bron(idp, tijd), sqlite_instellingen.jwt_issuer, sqlite_instellingen.jwt_audience)
    assert idp.opgehaald == 0
    vreemd = Idp()  # keys the IdP never published
    for nummer in range(50):
        with pytest.raises(ProbleemError):
            controle.claims(token(vreemd.nieuwe_sleutel(f"verzonnen-{nummer}"), sqlite_instellingen))
    assert idp.opgehaald == 1  # the first, for the set itself; then none for the made-up kids
    tijd.nu += MIN
    with pytest.raises(ProbleemError):
        controle.claims(token(vreemd.nieuwe_sleutel("nog-een"), sqlite_instellingen))
    assert idp.opgehaald == 2


@pytest.mark.parametrize("storing", ["onbereikbaar", "fout"])
def test_the_last_good_keys_stay_in_use_while_the_idp_fails_and_the_log_says_so(
    idp: Idp, tijd: Klok, sqlite_instellingen: Settings, caplog: pytest.LogCaptureFixture, storing: str
) -> None:
    controle = Tokencontrole(_bron(idp, tijd), sqlite_instellingen.jwt_issuer, sqlite_instellingen.jwt_audience)
    goed = token(idp.sleutels[0], sqlite_instellingen)
    assert controle.claims(goed)
    if storing == "onbereikbaar":
        idp.stop()
    else:
        idp.status = 503
    tijd.nu += 301  # expired: fetched again, and that fails
    with caplog.at_level(logging.WARNING, logger="adapters.tokens"):
        assert controle.claims(goed)["sub"] == "medewerker-1"
    assert any("niet opgehaald" in r.getMessage() and "1 eerder opgehaalde sleutel(s)" in r.getMessage() for r in caplog.records)
