"""Rotating the master key under load (issue 16): a real server takes commands while `sleutels roteer` runs as
its own process, is killed halfway and run again; then the server starts with the new master key alone, and
every acknowledged command reads back intact while forgotten persons stay forgotten."""

from __future__ import annotations

import base64
import queue
import secrets
import signal
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from uuid import UUID

import httpx2
from pydantic import SecretStr

from adapters.bootstrap import bouw_sleutelkluis
from adapters.settings import Settings
from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels
from tests.serverproces import GEREED_BINNEN, ROOT, Serverproces, cli, omgeving

VOORAF = 30  # trajectories before the rotation: keys enough for several batches
PER_KEER = 4
PAUZE = "0.3"  # seconds between batches: room to forget someone and to kill it halfway, whatever the machine's speed


@dataclass(frozen=True)
class Vastgelegd:
    """A trajectory whose commands the server acknowledged, with the personal data it was given."""

    pad: str  # relative: each start of the server has another port
    bsn: str
    merk: str  # in the country, language and report: unique, so finding it proves that field decrypted


def _sleutel() -> SecretStr:
    return SecretStr(base64.b64encode(secrets.token_bytes(32)).decode())


def _leg_vast(http: httpx2.Client) -> Vastgelegd | None:
    """A trajectory with long-kept (BSN, country, language) and short-kept (a report) personal data; None when the
    server did not acknowledge both commands."""
    bsn, merk = een_bsn(), uuid.uuid4().hex[:10]
    start = tvs_start(bsn) | {"landVanHerkomst": f"land-{merk}", "taal": f"taal-{merk}"}
    antwoord = http.post("/api/v1/trajecten", json=start)
    assert antwoord.status_code < 500, antwoord.text
    if antwoord.status_code != 201:
        return None
    pad = f"/api/v1/trajecten/{antwoord.json()['trajectId']}"
    stap = http.post(f"{pad}/coa-overdrachten", json={"datum": "2025-01-08", "verslag": f"verslag-{merk}", "tolkAanwezig": True})
    assert stap.status_code < 500, stap.text
    return Vastgelegd(pad, bsn, merk) if stap.status_code == 201 else None


def _vergeet(http: httpx2.Client, v: Vastgelegd) -> None:
    antwoord = http.post(f"{v.pad}/verwijderingen", json={"grond": "overlijden", "overlijdensdatum": "2025-08-14"})
    assert antwoord.status_code == 201, antwoord.text


def _sleutelrijen(instellingen: Settings, v: Vastgelegd) -> list[tuple[str, bool]]:
    """The trajectory's rows in the key table: (class, whether wrapped bytes are there)."""
    kluis = bouw_sleutelkluis(instellingen.model_copy(update={"maak_tabellen": False}))
    try:
        with kluis._verbinding.eenmalig() as cursor:
            cursor.execute(kluis._verbinding.sql("SELECT klasse, gewikkeld IS NOT NULL FROM {s}inburgering_sleutels WHERE houder = %s "
                                                 "ORDER BY klasse"), (str(_houder(v)),))
            return [(str(k), bool(g)) for k, g in cursor.fetchall()]
    finally:
        kluis.close()


def _rotatie(instellingen: Settings) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    """`make sleutels-roteer` as its own process; its report lines, as they come, on the queue."""
    proces = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "sleutels", "roteer", "--per-keer", str(PER_KEER), "--pauze", PAUZE],
        cwd=ROOT, env=omgeving(instellingen, COLUMNS="200"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    regels: queue.Queue[str] = queue.Queue()

    def lees() -> None:
        assert proces.stderr is not None
        for regel in proces.stderr:
            regels.put(regel)

    threading.Thread(target=lees, daemon=True).start()
    return proces, regels


def _wacht_op_voortgang(regels: queue.Queue[str], keer: int) -> list[str]:
    gelezen: list[str] = []
    while sum("herverpakt:" in r for r in gelezen) < keer:
        try:
            gelezen.append(regels.get(timeout=GEREED_BINNEN))
        except queue.Empty:
            raise AssertionError(f"na {GEREED_BINNEN:g} s geen {keer} voortgangsregels van de rotatie; wel: {gelezen}") from None
    return gelezen


def test_rotating_the_master_key_under_load_loses_nothing_and_the_forgotten_stay_forgotten(
    instellingen: Settings, als: Kopregels
) -> None:
    oud = instellingen.model_copy(update={"hoofdsleutel": _sleutel(), "sleutel_cache_seconden": 0.5})
    nieuw = oud.model_copy(update={"hoofdsleutel": _sleutel(), "vorige_hoofdsleutels": oud.hoofdsleutel})
    alleen_nieuw = nieuw.model_copy(update={"vorige_hoofdsleutels": None})
    kop = als("regisseur", "0505")

    # Given: trajectories under the old master key, one person forgotten before the rotation.
    with Serverproces(oud) as server, httpx2.Client(base_url=server.basis, headers=kop, timeout=GEREED_BINNEN) as http:
        vooraf = [v for v in (_leg_vast(http) for _ in range(VOORAF)) if v is not None]
        assert len(vooraf) == VOORAF
        eerder_vergeten, tijdens_vergeten = vooraf[0], vooraf[-1]
        _vergeet(http, eerder_vergeten)

    # When: the server runs with the new key (the old beside it) and takes commands while the rotation runs.
    onder_last: list[Vastgelegd] = []
    stop = threading.Event()
    fouten: list[BaseException] = []
    with Serverproces(nieuw) as server:
        def schrijf() -> None:
            try:
                with httpx2.Client(base_url=server.basis, headers=kop, timeout=GEREED_BINNEN) as last:
                    while not stop.is_set():
                        if (v := _leg_vast(last)) is not None:
                            onder_last.append(v)
            except BaseException as fout:  # noqa: BLE001 - reported by the test's thread below
                fouten.append(fout)

        schrijver = threading.Thread(target=schrijf)
        schrijver.start()
        try:
            eerste, regels = _rotatie(nieuw)
            _wacht_op_voortgang(regels, 1)
            with httpx2.Client(base_url=server.basis, headers=kop, timeout=GEREED_BINNEN) as http:
                _vergeet(http, tijdens_vergeten)  # while the rotation goes on
            _wacht_op_voortgang(regels, 1)
            eerste.send_signal(signal.SIGKILL)  # halfway: no clean-up runs
            assert eerste.wait(timeout=GEREED_BINNEN) == -signal.SIGKILL
            halverwege = _te_roteren(nieuw)
            assert halverwege > 0, "de rotatie was al klaar voordat hij werd afgebroken"
            tweede = cli(nieuw, "sleutels", "roteer", "--per-keer", str(PER_KEER))
            assert tweede.returncode == 0, tweede.stderr
            assert "nog onder een andere hoofdsleutel: 0" in " ".join(tweede.stderr.split())
        finally:
            stop.set()
            schrijver.join(timeout=GEREED_BINNEN)
        assert not fouten, fouten
        assert onder_last, "de server legde tijdens de rotatie niets vast"
    status = cli(alleen_nieuw, "sleutels", "status")
    assert status.returncode == 0 and "(huidige)" in status.stdout, status.stdout + status.stderr

    # Then: with the new master key alone, everything acknowledged reads back, and the forgotten stay forgotten.
    with Serverproces(alleen_nieuw) as server, httpx2.Client(base_url=server.basis, headers=kop, timeout=GEREED_BINNEN) as http:
        for v in [*vooraf, *onder_last]:
            traject = http.get(v.pad)
            assert traject.status_code == 200, traject.text
            historie = http.get(f"{v.pad}/gebeurtenissen").text
            if v in (eerder_vergeten, tijdens_vergeten):
                assert traject.json()["bsn"] is None and v.merk not in historie
            else:
                assert traject.json()["bsn"] == v.bsn
                assert all(f"{veld}-{v.merk}" in historie for veld in ("land", "taal", "verslag")), (v, historie)
    for v in (eerder_vergeten, tijdens_vergeten):
        assert _sleutelrijen(alleen_nieuw, v) and all(not gewikkeld for _, gewikkeld in _sleutelrijen(alleen_nieuw, v))
    verificatie = cli(alleen_nieuw, "verifieer")
    assert verificatie.returncode == 0, verificatie.stdout + verificatie.stderr


def _te_roteren(instellingen: Settings) -> int:
    kluis = bouw_sleutelkluis(instellingen.model_copy(update={"maak_tabellen": False}))
    try:
        return kluis.te_roteren()
    finally:
        kluis.close()


def _houder(v: Vastgelegd) -> UUID:
    return UUID(v.pad.rsplit("/", 1)[1])
