"""An identity provider on the loopback, as a test runs one: a real HTTP server that publishes a JWKS the test
changes (keys rotated at the IdP) and signs tokens with its private keys."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey

from adapters.settings import Settings


class Idp:
    """Publishes the public half of `sleutels` at `url`, with `cache_control`; `status` other than 200 answers an
    error instead; `stop()` is an IdP that is down. `opgehaald` counts the fetches."""

    def __init__(self) -> None:
        self.sleutels: list[ECKey] = []
        self.cache_control = "max-age=300"
        self.status = 200
        self.opgehaald = 0
        self.poort = 0  # chosen at the first start; kept, so a stopped IdP is unreachable at the same URL
        self._server: ThreadingHTTPServer | None = None
        self._draad: threading.Thread | None = None

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

        self._server = ThreadingHTTPServer(("127.0.0.1", self.poort), Afhandeling)
        self.poort = int(self._server.server_address[1])
        self._draad = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._draad.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._draad is not None:
            self._draad.join(timeout=60)


def token(sleutel: ECKey, instellingen: Settings, *, rol: str = "regisseur", gemeenten: tuple[str, ...] = ("0505",),
          gebruiker: str = "medewerker-1") -> str:
    """A token as the IdP signs it, with the claims the API checks."""
    nu = int(time.time())
    claims = {"iss": instellingen.jwt_issuer, "aud": instellingen.jwt_audience, "sub": gebruiker, "rol": rol,
              "gemeenten": list(gemeenten), "iat": nu, "exp": nu + 3600}
    return jwt.encode({"alg": "ES256", "kid": sleutel.kid}, claims, sleutel)
