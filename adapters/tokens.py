"""JWT keys: the IdP's public keys in production (a static set, or fetched from its JWKS URL and kept up to date),
a generated signing key in development."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from adapters.crypto import _lokaal_geheim
from adapters.settings import ONTWIKKEL_KID_PREFIX, Settings
from adapters.startcontrole import ProductieInstellingError, alleen_in_ontwikkeling

ALGORITMEN = ["ES256", "RS256", "PS256", "EdDSA"]
STANDAARD_SECONDEN = 300.0  # kept this long when the IdP's answer has no max-age (within the settings' bounds)
OPHAAL_TIMEOUT = 5.0

log = logging.getLogger(__name__)


class Sleutelbron(Protocol):
    """Where the keys that tokens are checked against come from."""

    versie: int  # another number once the set changed: what was verified with the old set is checked anew

    def sleutels(self, *, ophalen: bool = True) -> KeySet: ...
    def ververs_voor(self, kid: str | None, *, ophalen: bool = True) -> bool: ...
    def moet_ophalen(self, kid: str | None) -> bool: ...


class VasteSleutels:
    """A set from settings; it never changes while the process runs."""

    versie = 0

    def __init__(self, sleutels: KeySet) -> None:
        self._sleutels = sleutels

    def sleutels(self, *, ophalen: bool = True) -> KeySet:
        return self._sleutels

    def ververs_voor(self, kid: str | None, *, ophalen: bool = True) -> bool:
        return False

    def moet_ophalen(self, kid: str | None) -> bool:
        return False


class JwksBron:
    """The IdP's key set from its JWKS URL. Kept for the answer's Cache-Control max-age (within `min_seconden` and
    `max_seconden`); fetched again early when a token names a kid the set lacks, but at most once per `min_seconden`,
    so tokens with made-up kids cannot make us hammer the IdP. When a fetch fails the last good set stays in use."""

    def __init__(self, url: str, *, min_seconden: float, max_seconden: float, productie: bool = False,
                 klok: Callable[[], float] = time.monotonic) -> None:
        self.url, self._min, self._max, self._productie, self._klok = url, min_seconden, max(max_seconden, min_seconden), productie, klok
        self._sleutels = KeySet([])
        self._geldig_tot = self._volgende_poging = float("-inf")
        self._slot = threading.Lock()
        self.versie = 0

    def sleutels(self, *, ophalen: bool = True) -> KeySet:
        """The current set; fetched anew (blocking) once it expired, unless `ophalen` is False."""
        if ophalen and self._klok() >= self._geldig_tot:
            self._haal_op()
        return self._sleutels

    def ververs_voor(self, kid: str | None, *, ophalen: bool = True) -> bool:
        """For a token whose kid the set lacks: fetch anew if allowed now; whether the set has it then."""
        if not ophalen or not self.moet_ophalen(kid):
            return False
        self._haal_op()
        return _heeft(self._sleutels, kid)

    def moet_ophalen(self, kid: str | None) -> bool:
        """Whether checking a token with this kid would fetch the set now (so it is checked off the event loop)."""
        nu = self._klok()
        return nu >= self._volgende_poging and (nu >= self._geldig_tot or not _heeft(self._sleutels, kid))

    def _haal_op(self) -> None:
        with self._slot:
            nu = self._klok()
            if nu < self._volgende_poging:
                return  # another thread fetched a moment ago
            self._volgende_poging = nu + self._min
            try:
                antwoord = httpx.get(self.url, timeout=OPHAAL_TIMEOUT, headers={"Accept": "application/json"})
                antwoord.raise_for_status()
                sleutels = KeySet.import_key_set(antwoord.json())
                if self._productie and any(str(k.kid or "").startswith(ONTWIKKEL_KID_PREFIX) for k in sleutels):
                    raise ValueError("de set bevat een ontwikkelsleutel, die in productie niet is toegestaan")
            except (httpx.HTTPError, ValueError, JoseError) as fout:
                self._geldig_tot = nu + self._min  # tried again after the shortest wait
                log.warning("JWKS van %s niet opgehaald (%s); %d eerder opgehaalde sleutel(s) blijven in gebruik",
                            self.url, fout, len(self._sleutels.keys))
                return
            if sleutels.as_dict() != self._sleutels.as_dict():
                self.versie += 1
                log.info("JWKS van %s opgehaald: kid %s", self.url, ", ".join(str(k.kid) for k in sleutels))
            self._sleutels = sleutels
            self._geldig_tot = nu + min(max(_max_age(antwoord.headers.get("Cache-Control", "")), self._min), self._max)


def _max_age(cache_control: str) -> float:
    if re.search(r"\b(no-store|no-cache)\b", cache_control):
        return 0.0  # raised to the shortest time kept: an IdP that says "do not keep" is still not asked per token
    gevonden = re.search(r"\bmax-age\s*=\s*(\d+)", cache_control)
    return float(gevonden.group(1)) if gevonden else STANDAARD_SECONDEN


def _heeft(sleutels: KeySet, kid: str | None) -> bool:
    return kid is None or any(k.kid == kid for k in sleutels)


def _ontwikkelsleutel(settings: Settings) -> ECKey:
    def maak() -> str:
        kid = ONTWIKKEL_KID_PREFIX + uuid.uuid4().hex[:8]
        sleutel = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": "ES256", "use": "sig"})
        return json.dumps(sleutel.as_dict(private=True))

    return ECKey.import_key(json.loads(_lokaal_geheim(settings.ontwikkelsleutel_pad, maak)))


def verificatiesleutels(settings: Settings) -> KeySet:
    """The keys tokens are checked against. Production needs the IdP's keys (Settings refuses ours there)."""
    tekst = settings.jwks or (settings.jwks_pad.read_text() if settings.jwks_pad else None)
    if tekst is None:
        alleen_in_ontwikkeling(settings, "Een ontwikkelsleutel voor tokens")
        return KeySet([_ontwikkelsleutel(settings)])
    return KeySet.import_key_set(json.loads(tekst))


def sleutelbron(settings: Settings) -> Sleutelbron:
    """The IdP's keys from INBURGERING_JWKS_URL (https in production), fetched at once, or the static set."""
    if settings.jwks_url is None:
        return VasteSleutels(verificatiesleutels(settings))
    bron = JwksBron(settings.jwks_url, min_seconden=settings.jwks_cache_min_seconden,
                    max_seconden=settings.jwks_cache_max_seconden, productie=settings.is_productie)
    bron.sleutels()  # at start: a failure is logged, and the set is asked for again with the first tokens
    return bron


def maak_ontwikkeltoken(
    settings: Settings, *, rol: str, gemeenten: list[str], gebruiker: str | None = None, geldig_seconden: int = 8 * 3600
) -> str:
    """A token signed with the local development key (never accepted in production)."""
    if settings.is_productie:  # not a missing setting: these tokens do not exist there at all
        raise ProductieInstellingError("Ontwikkeltokens bestaan niet in productie.")
    sleutel = _ontwikkelsleutel(settings)
    nu = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": gebruiker or f"{rol}-{'-'.join(gemeenten) or 'sdd'}",
        "rol": rol,
        "gemeenten": gemeenten,
        "iat": nu,
        "exp": nu + geldig_seconden,
    }
    return jwt.encode({"alg": "ES256", "kid": sleutel.kid}, claims, sleutel)
