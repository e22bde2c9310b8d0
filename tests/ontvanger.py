"""A subscriber's receiver on the loopback, as a test runs one: a real HTTP server that records what it gets."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.lusserver import Lusserver

WACHTTIJD = 60.0  # generous: a busy machine delivers late, never wrongly; a wait ends as soon as it holds


@dataclass(frozen=True)
class Bezorging:
    koppen: dict[str, str]  # lower-case names
    inhoud: bytes
    status: int  # what the receiver answered
    ontvangen_op: float = 0.0  # time.perf_counter() when it arrived

    @property
    def gebeurtenissen(self) -> list[dict[str, Any]]:
        """The CloudEvents in this delivery, whichever way they came (structured, binary or batch)."""
        soort = self.koppen.get("content-type", "")
        if soort.startswith("application/cloudevents-batch+json"):
            return list(json.loads(self.inhoud))
        if soort.startswith("application/cloudevents+json"):
            return [json.loads(self.inhoud)]
        attributen = {naam.removeprefix("ce-"): waarde for naam, waarde in self.koppen.items() if naam.startswith("ce-")}
        return [attributen | {"datacontenttype": soort, "data": json.loads(self.inhoud)}]


class Ontvanger(Lusserver):
    """Answers `status` (204 by default) after `vertraging` seconds; `stop()` and `start()` again on the same port is
    a receiver that was down and came back."""

    def __init__(self) -> None:
        super().__init__()
        self.status, self.vertraging = 204, 0.0
        self.bezorgingen: list[Bezorging] = []
        self.hoogste_gelijktijdig = 0  # deliveries in progress at once
        self._bezig, self._slot = 0, threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.poort}/inburgering"

    def start(self) -> Ontvanger:
        ontvanger = self

        class Afhandeling(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                inhoud = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                ontvangen_op = time.perf_counter()
                with ontvanger._slot:
                    ontvanger._bezig += 1
                    ontvanger.hoogste_gelijktijdig = max(ontvanger.hoogste_gelijktijdig, ontvanger._bezig)
                    status = ontvanger.status
                time.sleep(ontvanger.vertraging)
                with ontvanger._slot:
                    ontvanger._bezig -= 1
                    ontvanger.bezorgingen.append(Bezorging({k.lower(): v for k, v in self.headers.items()}, inhoud, status, ontvangen_op))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._serveer(Afhandeling)  # the same port after a restart
        return self

    def __enter__(self) -> Ontvanger:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()

    def aantal_bevestigd(self) -> int:
        with self._slot:
            return sum(len(b.gebeurtenissen) for b in self.bezorgingen if 200 <= b.status < 300)

    def bevestigd(self) -> list[dict[str, Any]]:
        """Every CloudEvent of every delivery the receiver acknowledged, in the order they came."""
        with self._slot:
            return [g for b in self.bezorgingen if 200 <= b.status < 300 for g in b.gebeurtenissen]


def wacht_tot(voorwaarde: Callable[[], Any], waarop: str, hoogstens: float = WACHTTIJD) -> Any:
    """Until `voorwaarde()` holds (its value), or fail naming what was waited for."""
    eind = time.monotonic() + hoogstens
    while time.monotonic() < eind:
        if uitkomst := voorwaarde():
            return uitkomst
        time.sleep(0.05)
    raise AssertionError(f"na {hoogstens:g} s nog steeds niet: {waarop}")
