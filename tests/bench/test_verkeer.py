"""The bench's load generator: what it times is the server's answer, not a pause of its own."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tests.bench.verkeer import Verzoek, hammer, zonder_gc_pauzes
from tests.lusserver import Lusserver


class _Server(Lusserver):
    """Answers every request 200 and notes whether the process could collect garbage meanwhile: the server
    runs in the bench's own process here, so it sees what the clients' threads would."""

    def __init__(self) -> None:
        super().__init__()
        self.gc_aan: dict[str, list[bool]] = {"GET": [], "POST": []}
        server = self

        class Afhandeling(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _antwoord(self) -> None:
                server.gc_aan[self.command].append(gc.isenabled())
                self.rfile.read(int(self.headers.get("content-length") or 0))
                inhoud = json.dumps({"ok": True}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(inhoud)))
                self.end_headers()
                self.wfile.write(inhoud)

            do_GET = do_POST = _antwoord

            def log_message(self, *_: object) -> None:
                pass

        self._serveer(Afhandeling)


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    try:
        yield s
    finally:
        s.stop()


def test_no_garbage_collection_pauses_the_clients_while_their_requests_are_timed(server: _Server) -> None:
    assert gc.isenabled()

    meting, antwoorden = hammer(f"http://127.0.0.1:{server.poort}", {}, [Verzoek("/x", {"n": i}, 200) for i in range(24)], 4)

    assert len(meting.ms) == len(antwoorden) == 24 and antwoorden[0] == {"ok": True}
    assert server.gc_aan["POST"] == [False] * 24  # every timed request
    assert server.gc_aan["GET"] == [True] * 4  # the clients' connections were made before the clock started
    assert gc.isenabled()  # and collection is back once the batch is timed


def test_collection_is_back_after_a_timed_block_that_failed_and_stays_off_where_it_was_off() -> None:
    with pytest.raises(RuntimeError), zonder_gc_pauzes():
        raise RuntimeError("a request failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with zonder_gc_pauzes():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
