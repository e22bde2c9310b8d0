"""kill -9 of the dispatcher process (`make bezorging`) in the middle of delivering: after a restart its receiver
still gets every fact, in order, without gaps; a fact twice only with the same id (at least once)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.settings import Settings
from api.main import create_app
from tests.api.test_bezorging import SNEL, abonneer, feed, geschiedenis
from tests.conftest import Kopregels
from tests.ontvanger import Ontvanger, wacht_tot
from tests.serverproces import ROOT, omgeving

EXTERN = SNEL | {"bezorging": "extern", "bezorging_lease_seconden": 2.0, "bezorging_timeout": 1.0}


@contextmanager
def bezorgingsproces(instellingen: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """`make bezorging` on the test's store; killed with its group if the test leaves it running."""
    log = (instellingen.data_map / "bezorging.log").open("ab")
    proces = subprocess.Popen([sys.executable, "-m", "api.bezorging"], cwd=ROOT, env=omgeving(instellingen),
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proces
    finally:
        if proces.poll() is None:
            os.killpg(proces.pid, signal.SIGKILL)
            proces.wait(timeout=60)
        log.close()


def test_kill_9_of_the_dispatcher_loses_nothing_its_receiver_did_not_acknowledge(
    instellingen: Settings, klok: VasteKlok, als: Kopregels
) -> None:
    instellingen = instellingen.model_copy(update=EXTERN)
    kop = als("regisseur", "0505")
    with Ontvanger() as ontvanger, TestClient(create_app(instellingen, klok)) as api:
        ontvanger.vertraging = 0.1  # slow enough to be killed halfway
        abonneer(api, kop, ontvanger.url, vanaf=0)
        geschiedenis(api, kop, trajecten=4)
        verwacht = [g["id"] for g in feed(api, kop)]
        # Given a dispatcher process that has delivered part of the history
        with bezorgingsproces(instellingen) as eerste:
            wacht_tot(lambda: len(ontvanger.bevestigd()) >= 5, "vijf bezorgde feiten voor de kill")
            # When it is killed without warning
            os.killpg(eerste.pid, signal.SIGKILL)
            eerste.wait(timeout=60)
        voor_de_kill = len(ontvanger.bevestigd())
        assert voor_de_kill < len(verwacht), "de kill kwam te laat: alles was al bezorgd"
        # And a new one starts (once the dead one's lease has lapsed)
        with bezorgingsproces(instellingen) as tweede:
            wacht_tot(lambda: {g["id"] for g in ontvanger.bevestigd()} >= set(verwacht), "elk feit na de herstart")
            tweede.terminate()  # as an operator stops it
            assert tweede.wait(timeout=60) == 0
    # Then the receiver has every fact, in order, and a repeat only of what was in flight at the kill
    ontvangen = [g["id"] for g in ontvanger.bevestigd()]
    assert list(dict.fromkeys(ontvangen)) == verwacht
    assert len(ontvangen) - len(verwacht) <= 1
