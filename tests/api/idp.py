"""An identity provider on the loopback, as a test runs one: a real HTTP server that publishes a JWKS the test
changes (keys rotated at the IdP) and signs tokens with its private keys."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey

from adapters.settings import Settings
from tests.lusserver import Lusserver


class Idp(Lusserver):
    """Publishes the public half of `sleutels` at `url`, with `cache_control`; `status` other than 200 answers an
    error instead; `stop()` is an IdP that is down. `opgehaald` counts the fetches."""

    def __init__(self) -> None:
        super().__init__()
        self.sleutels: list[ECKey] = []
        self.cache_control = "max-age=300"
        self.status = 200
        self.opgehaald = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.poort}/.well-known/jwks.json"

    def nieuwe_sleutel(self, kid: str) -> ECKey:
        sleutel = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": "ES256", "use": "sig"})
        self.sleutels.append(sleutel)
        return sleutel

    def start(self) -> Idp:
        idp = self

        class Afhandeling(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                idp.opgehaald += 1
                inhoud = json.dumps({"keys": [k.as_dict(private=False) for k in idp.sleutels]}).encode()
                self.send_response(idp.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", idp.cache_control)
                self.send_header("Content-Length", str(len(inhoud)))
                self.end_headers()
                self.wfile.write(inhoud)

            def log_message(self, *_: Any) -> None:
                pass

        self._serveer(Afhandeling)
        return self


@contextmanager
def lopende_idp(kid: str) -> Iterator[Idp]:
    """An IdP on the loopback that publishes one key, `kid`; stopped when the test is done."""
    server = Idp().start()
    server.nieuwe_sleutel(kid)
    try:
        yield server
    finally:
        server.stop()


def token(sleutel: ECKey, instellingen: Settings, *, rol: str = "regisseur", gemeenten: tuple[str, ...] = ("0505",),
          gebruiker: str = "medewerker-1") -> str:
    """A token as the IdP signs it, with the claims the API checks."""
    nu = int(time.time())
    claims = {"iss": instellingen.jwt_issuer, "aud": instellingen.jwt_audience, "sub": gebruiker, "rol": rol,
              "gemeenten": list(gemeenten), "iat": nu, "exp": nu + 3600}
    return jwt.encode({"alg": "ES256", "kid": sleutel.kid}, claims, sleutel)
