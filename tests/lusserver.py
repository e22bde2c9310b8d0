"""A real HTTP server on the loopback, as a test runs one (a subscriber's receiver, an identity provider)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Lusserver:
    """Serves a handler on 127.0.0.1. The port is chosen at the first start and kept: a stopped server is
    unreachable at the same URL, and one started again is back there."""

    def __init__(self) -> None:
        self.poort = 0
        self._server: ThreadingHTTPServer | None = None
        self._draad: threading.Thread | None = None

    def _serveer(self, afhandeling: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.poort), afhandeling)
        self._server.daemon_threads = True
        self.poort = int(self._server.server_address[1])
        self._draad = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._draad.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._draad is not None:
            self._draad.join(timeout=60)
            self._draad = None
