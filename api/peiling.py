"""Reads of the stores that a probe or a scrape makes, each bounded in time: a read that hangs on a dead
connection must not hold the answer (readiness, metrics) longer than a load balancer or Prometheus waits."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("inburgering.peiling")
# Few threads of their own: reads that hang can hold no more than these, and never a thread that serves requests.
_peilers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="peiling")


@dataclass
class Uitslag:
    antwoorden: dict[str, Any] = field(default_factory=dict)  # per read that answered in time: its result
    mislukt: list[str] = field(default_factory=list)  # the reads that failed or did not answer in time, sorted


def peil(peilingen: Mapping[str, Callable[[], Any]], binnen: float) -> Uitslag:
    """Run the reads side by side; what has not answered after `binnen` seconds counts as failed."""
    lopend = {_peilers.submit(peiling): naam for naam, peiling in peilingen.items()}
    klaar, _ = wait(lopend, timeout=binnen)
    uitslag = Uitslag()
    for peiling, naam in lopend.items():
        if peiling not in klaar:
            peiling.cancel()  # not started yet: it never will
            uitslag.mislukt.append(naam)
        elif (fout := peiling.exception()) is not None:
            log.warning("peiling: %s antwoordt niet: %s: %s", naam, type(fout).__name__, fout)
            uitslag.mislukt.append(naam)
        else:
            uitslag.antwoorden[naam] = peiling.result()
    uitslag.mislukt.sort()
    return uitslag
