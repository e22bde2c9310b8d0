"""Many threads of one process on one trajectory: losers hear 412 or 409, nobody an unexpected error."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from datetime import date

import pytest
from eventsourcing.persistence import IntegrityError

from domain import commandos
from domain.application import Actor, Inburgering, VersieVerouderdError
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Rol
from tests.builders import een_bsn

REGISSEUR = Actor("regisseur-0505", Rol.REGISSEUR, frozenset({Gemeente.DORDRECHT}), "gelijktijdig")


@pytest.fixture
def vaak_wisselen() -> Iterator[None]:
    """Threads take turns far more often than the default 5 ms, so that a race shows in a short test."""
    eerder = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(eerder)


@pytest.mark.usefixtures("vaak_wisselen")
def test_concurrent_commands_and_reads_on_one_cached_trajectory_never_fail_unexpectedly(app: Inburgering) -> None:
    gestart = app.start_traject(
        commandos.Start(Inburgeringstraject.start_na_tvs_profiel, datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn()), REGISSEUR
    ).traject
    traject_id, begin = gestart.id, gestart.version
    # Every history read deep-copies the cached aggregate, while the commands fast-forward it: before,
    # the copy could meet a dict the fast-forward was changing ("dictionary changed size during iteration").
    onverwacht: list[BaseException] = []
    geslaagd = verouderd = 0
    slot = threading.Lock()

    def regisseur(nummer: int) -> None:
        nonlocal geslaagd, verouderd
        for ronde in range(12):
            try:
                versie = app.traject(traject_id, REGISSEUR).version
                app.voer_uit(traject_id, commandos.Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 1, 7), regisseur=f"r{nummer}-{ronde}"),
                             REGISSEUR, verwachte_versie=versie)
                with slot:
                    geslaagd += 1
            except (VersieVerouderdError, IntegrityError):
                with slot:
                    verouderd += 1
            except BaseException as fout:  # noqa: BLE001 - the point is to see any other
                onverwacht.append(fout)

    draden = [threading.Thread(target=regisseur, args=(n,)) for n in range(8)]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join(timeout=300)
    assert not any(d.is_alive() for d in draden), "een draad kwam niet binnen 300 s terug"
    assert onverwacht == [], [repr(f) for f in onverwacht]
    versies = [e.originator_version for e in app.recorder.select_events(traject_id)]
    assert versies == list(range(1, begin + geslaagd + 1))  # contiguous: the start and each acknowledged command
    assert geslaagd + verouderd == 8 * 12
