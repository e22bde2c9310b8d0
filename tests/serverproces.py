"""A real API server for tests: uvicorn as `make run` starts it, as its own process on a free loopback
port, with a test's Settings as its environment. It can be stopped, killed with SIGKILL
(workers included) and started again on the same store, as an operator or a crash would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import httpx2
import pytest

from adapters.bootstrap import migreer
from adapters.settings import Settings
from tests.conftest import cli_omgeving

ROOT = Path(__file__).resolve().parents[1]
# Generous: a busy CI machine may take long to import and open the store; a wait ends as soon as it is ready.
GEREED_BINNEN = 120.0
GESTART = "Application startup complete."  # uvicorn logs it once per worker


def omgeving(instellingen: Settings, **extra: str) -> dict[str, str]:
    """The environment of a server or CLI process on the test's store and keys; no INBURGERING_ variable
    of the shell leaks in."""
    env = {naam: waarde for naam, waarde in os.environ.items() if not naam.startswith("INBURGERING_")}
    env |= {naam: waarde for naam, waarde in cli_omgeving(instellingen).items() if waarde is not None}
    return env | extra


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Serverproces:
    """One server on the test's store. `start()` returns once every worker is serving; each start gets a
    fresh port and its own log file in the data map. Use as a context manager: it never outlives the test."""

    def __init__(self, instellingen: Settings, workers: int = 1, opdracht: Callable[[int], list[str]] | None = None,
                 naam: str = "server") -> None:
        """`opdracht` gives the command line for a port, when it is to be another than the one `make run` uses;
        `naam` the start of its log files' names (two servers on one store each keep their own)."""
        self.instellingen, self.workers, self._opdracht, self._naam = instellingen, workers, opdracht, naam
        self.proces: subprocess.Popen[bytes] | None = None
        self.basis = ""
        self.logs: list[Path] = []
        self._gemigreerd = False

    def __enter__(self) -> Serverproces:
        self.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    @property
    def draait(self) -> bool:
        return self.proces is not None and self.proces.poll() is None

    def start(self) -> None:
        assert not self.draait, "de server draait al"
        extra = {}
        if self.workers > 1:
            # As in production: tables once before the workers start, which then create none (no DDL race).
            if not self._gemigreerd:
                migreer(self.instellingen)
                self._gemigreerd = True
            extra["INBURGERING_MAAK_TABELLEN"] = "false"
        poort = vrije_poort()
        self.basis = f"http://127.0.0.1:{poort}"
        log = self.instellingen.data_map / f"{self._naam}-{len(self.logs) + 1}.log"
        self.logs.append(log)
        opdracht = self._opdracht(poort) if self._opdracht else [
            sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host", "127.0.0.1",
            "--port", str(poort), "--workers", str(self.workers), "--no-proxy-headers", "--log-config", "api/serverlog.json"]
        with log.open("wb") as uitvoer:
            # Its own process group, so that a kill reaches every worker.
            self.proces = subprocess.Popen(opdracht, cwd=ROOT, env=omgeving(self.instellingen, **extra),
                                           stdout=uitvoer, stderr=subprocess.STDOUT, start_new_session=True)
        self._wacht_tot_gereed()

    def _wacht_tot_gereed(self) -> None:
        assert self.proces is not None
        waarop = f"200 op {self.basis}/api/v1/health en {self.workers}x {GESTART!r} in {self.logs[-1]}"
        begin = time.monotonic()
        while time.monotonic() - begin < GEREED_BINNEN:
            if self.proces.poll() is not None:
                pytest.fail(f"de server stopte (exitcode {self.proces.returncode}) voordat hij gereed was; "
                            f"gewacht op {waarop}. Uitvoer:\n{self.uitvoer_van_deze_start()}")
            if self.uitvoer_van_deze_start().count(GESTART) >= self.workers and self._gezond():
                print(f"server gereed na {time.monotonic() - begin:.1f} s: {waarop}")
                return
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"de server was na {GEREED_BINNEN:g} s niet gereed; gewacht op {waarop}. "
                    f"Uitvoer:\n{self.uitvoer_van_deze_start()}")

    def _gezond(self) -> bool:
        try:
            return httpx2.get(f"{self.basis}/api/v1/health", timeout=5).status_code == 200
        except httpx2.TransportError:
            return False

    def stop(self) -> str:
        """End the server as an operator does (SIGTERM, then wait); what it logged in this run."""
        if self.draait:
            assert self.proces is not None
            self.proces.terminate()
            try:
                self.proces.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
        self._ruim_groep_op()
        return self.uitvoer_van_deze_start()

    def kill(self) -> None:
        """kill -9 of the whole process group, workers included: no shutdown code runs."""
        self._ruim_groep_op()
        if self.proces is not None:
            self.proces.wait(timeout=60)

    def herstart(self) -> None:
        self.stop()
        self.start()

    def _ruim_groep_op(self) -> None:
        if self.proces is None:
            return
        try:
            os.killpg(self.proces.pid, signal.SIGKILL)  # the group id is the leader's pid
        except ProcessLookupError:
            pass  # the group is gone already

    def uitvoer_van_deze_start(self) -> str:
        return self.logs[-1].read_text(errors="replace") if self.logs else ""

    @property
    def uitvoer(self) -> str:
        """Everything every start of this server logged."""
        return "".join(log.read_text(errors="replace") for log in self.logs)


def cli(instellingen: Settings, *argumenten: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m adapters.cli ...` as a make target runs it, on the test's store and keys."""
    return subprocess.run([sys.executable, "-m", "adapters.cli", *argumenten], cwd=ROOT, env=omgeving(instellingen),
                          capture_output=True, text=True, timeout=timeout)
