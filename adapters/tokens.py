"""JWT keys: the IdP's public keys in production, a generated signing key in development."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from adapters.crypto import _lokaal_geheim
from adapters.settings import ONTWIKKEL_KID_PREFIX, Settings
from adapters.startcontrole import ProductieInstellingError, alleen_in_ontwikkeling

ALGORITMEN = ["ES256", "RS256", "PS256", "EdDSA"]


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
