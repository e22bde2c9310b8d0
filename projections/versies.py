"""Read models that upgrade themselves: a process whose code has a newer version of a read model than the
one in use builds it beside that one, in a thread of its own, and swaps it in (Projector.bouw_nieuwe_versies).

One process at a time builds a version (a lease in the store); the others go on serving the version in use.
A process whose code is older than the version in use never builds nor writes it: it reads it, as every
process reads the version in use (README, "Read models").
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from projections.projector import Projector

log = logging.getLogger("inburgering.projecties")
INTERVAL = 1.0  # seconds between two rounds: another process holds the lease, or the new version stopped at an event


class _Gestopt(Exception):
    """The process stops: a build in progress is left (its lease runs out, the next process begins again)."""


class Versiebouwer:
    """Builds this code's newer read-model versions in a thread, until every read model is of this code's
    version or newer (in the usual start it finds so at once, and ends)."""

    def __init__(self, projector: Projector, interval: float = INTERVAL) -> None:
        self.projector, self.interval = projector, interval
        self.eigenaar = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # who holds a lease, for an operator
        self._gestopt = threading.Event()
        self._draad: threading.Thread | None = None

    def start(self) -> None:
        """In a thread: a start does not wait for the store, nor fail on it (the thread tries again)."""
        self._draad = threading.Thread(target=self._bouw, name="versiebouwer", daemon=True)
        self._draad.start()

    def _bouw(self) -> None:
        while not self._gestopt.is_set():
            try:
                if not self.projector.nog_te_bouwen():
                    return
                self.projector.bouw_nieuwe_versies(self.eigenaar, self._tenzij_gestopt)
            except _Gestopt:
                return
            except Exception as fout:  # noqa: BLE001 - the database away, the lease lost: tried again next round
                log.warning("nieuwe versie van een leesmodel niet opgebouwd: %s", self.projector.opslag.foutmelding(fout))
            self._gestopt.wait(self.interval)

    def _tenzij_gestopt(self, naam: str, positie: int, kop: int) -> None:
        if self._gestopt.is_set():
            raise _Gestopt

    def close(self) -> None:
        self._gestopt.set()
        if self._draad is not None:
            self._draad.join()
