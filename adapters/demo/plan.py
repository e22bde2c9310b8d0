"""The demo region as a plan: every command, its day and who gives it, for a seed and a peildatum. No I/O.

The volumes are the policy document's (the realised taakstelling 2019 behind the SPUK raming, §4.1.2,
footnote 1): 168 trajectories in the four gemeenten. Each trajectory follows the process (adapters/demo/
verloop.py, uitvoering.py) and is cut off at the peildatum, so that young cases stand early in the process
and old ones are finished.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from adapters.demo.stappen import Stap, Trajectplan
from adapters.demo.verloop import Verloop
from domain.waarden import Gemeente

# (asielstatushouders, gezins- en overige migranten) per gemeente.
VOLUMES: Mapping[Gemeente, tuple[int, int]] = {
    Gemeente.DORDRECHT: (44, 48),
    Gemeente.HENDRIK_IDO_AMBACHT: (12, 6),
    Gemeente.PAPENDRECHT: (12, 7),
    Gemeente.ZWIJNDRECHT: (17, 22),
}


@dataclass(frozen=True)
class Demoplan:
    seed: int
    peildatum: date
    trajecten: tuple[Trajectplan, ...]
    stappen: tuple[Stap, ...] = field(repr=False)  # every trajectory's steps, in the order of their days


def maak_plan(seed: int, peildatum: date) -> Demoplan:
    """The same seed and peildatum give the same plan. Each trajectory draws from a generator of its own,
    so one trajectory's course does not shift all the others'."""
    trajecten: list[Trajectplan] = []
    for gemeente, (asiel, gezins) in VOLUMES.items():
        for volgnummer, asielstatushouder in enumerate([True] * asiel + [False] * gezins):
            rng = random.Random(f"{seed}/{len(trajecten)}")
            # Each gemeente's first statushouder is its newest: so every gemeente has someone at the very start.
            verloop = Verloop(rng, len(trajecten), gemeente, asielstatushouder, peildatum, nieuwste=volgnummer == 0)
            trajecten.append(verloop.plan())
    volgorde = sorted((s.dag, s.traject, i, s) for t in trajecten for i, s in enumerate(t.stappen))
    return Demoplan(seed, peildatum, tuple(trajecten), tuple(s for *_, s in volgorde))
