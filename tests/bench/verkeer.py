"""HTTP traffic for the bench: servers under uvicorn, clients on keep-alive connections, timed batches."""

from __future__ import annotations

import gc
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from tests.bench.plafond import HEALTH

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
REQUEST_TIMEOUT = 120.0  # a list or report at 100,000 trajectories may take seconds under 8 readers


@contextmanager
def zonder_gc_pauzes() -> Iterator[None]:
    """No automatic garbage collection in this process while it times requests. A full collection of the load
    generator's own heap (answers kept for the next batch, its clients, the bench's state) stops every client
    thread at once (105-118 ms on 2026-12-07), and every request in flight was timed with it: the slowest
    starts of a run, and so its p99, were the bench's own pause, the server idle meanwhile. The collection
    comes after the batch, untimed."""
    aan = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if aan:
            gc.enable()


@dataclass(frozen=True)
class Verzoek:
    """One request of a batch: method, path, JSON body (POST) and the status it must get."""

    pad: str
    body: dict[str, Any] | None = None
    status: int = 200

    @property
    def methode(self) -> str:
        return "GET" if self.body is None else "POST"


@dataclass
class Meting:
    """Latencies (ms) of requests and the wall time of the batches they ran in."""

    ms: list[float] = field(default_factory=list)
    seconden: float = 0.0

    def voeg_toe(self, andere: Meting) -> None:
        self.ms += andere.ms
        self.seconden += andere.seconden

    @property
    def per_seconde(self) -> float:
        return len(self.ms) / self.seconden if self.seconden else 0.0

    def kwantiel(self, p: int) -> float:
        if len(self.ms) < 2:
            return self.ms[0] if self.ms else float("nan")
        return statistics.quantiles(self.ms, n=100, method="inclusive")[p - 1]

    @property
    def p50(self) -> float:
        return self.kwantiel(50)

    @property
    def p99(self) -> float:
        return self.kwantiel(99)


@dataclass(frozen=True)
class Server:
    base: str
    process: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        """The resident memory of the uvicorn process (one worker: the process that serves)."""
        for regel in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if regel.startswith("VmRSS:"):
                return int(regel.split()[1]) / 1024
        return float("nan")


@contextmanager
def uvicorn_server(target: str, env: dict[str, str], log: Path, cwd: Path = ROOT, opties: Sequence[str] = ()) -> Iterator[Server]:
    """One uvicorn process (one worker) on a free loopback port, serving the code of checkout `cwd`; terminated on exit.
    `opties`: uvicorn's own beyond these (`--loop asyncio --http h11`: without uvloop and httptools)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    command = [sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1", "--port", str(port),
               "--no-access-log", "--log-level", "warning", *opties]  # no per-request logging in either server
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(base):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not come up on {base}:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield Server(base, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _healthy(base: str) -> bool:
    try:
        return httpx2.get(base + HEALTH, timeout=1, trust_env=False).status_code == 200
    except httpx2.TransportError:
        return False


def client(base: str, headers: dict[str, str], timeout: float = REQUEST_TIMEOUT) -> httpx2.Client:
    # trust_env=False: a proxy from the environment must never sit between us and loopback.
    return httpx2.Client(base_url=base, headers=headers, timeout=timeout, trust_env=False)


def expect(response: httpx2.Response, status: int, *, lees: bool = True) -> Any:
    """The answer's JSON, after checking its status; with lees=False only the status (None)."""
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:800]}")
    return response.json() if lees else None


def hammer(base: str, headers: dict[str, str], verzoeken: Sequence[Verzoek], clients: int, *,
           antwoorden: bool = True) -> tuple[Meting, list[Any]]:
    """Send all requests from `clients` threads, each with its own keep-alive connection, and time each.
    antwoorden=False: check each answer's status but do not parse it (the answers are None). The clients share
    the server's two cores: parsing a hundred-row page in every client thread took CPU from the server while
    other requests were timed, and weighed on a list's latency, not on a single trajectory's."""
    failed = threading.Event()

    def run(http: httpx2.Client, share: Sequence[Verzoek]) -> list[tuple[float, Any]]:
        answers = []
        for verzoek in share:
            if failed.is_set():  # another client failed: the run is void, stop early
                break
            try:
                started = time.perf_counter()
                response = http.request(verzoek.methode, verzoek.pad, json=verzoek.body)
                ms = (time.perf_counter() - started) * 1000
                answers.append((ms, expect(response, verzoek.status, lees=antwoorden)))
            except Exception:
                failed.set()
                raise
        return answers

    with ExitStack() as stack, ThreadPoolExecutor(clients) as executor:
        https = [stack.enter_context(client(base, headers)) for _ in range(clients)]
        for http in https:
            expect(http.get(HEALTH), 200)  # connect before the clock starts
        with zonder_gc_pauzes():
            started = time.perf_counter()
            futures = [executor.submit(run, http, verzoeken[i::clients]) for i, http in enumerate(https)]
            results = [result for future in futures for result in future.result()]
            elapsed = time.perf_counter() - started
    return Meting([ms for ms, _ in results], elapsed), [answer for _, answer in results]
