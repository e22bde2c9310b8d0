"""Command throughput and history-read latency of the real API over loopback HTTP, on PostgreSQL.

Commands are set against a bare FastAPI endpoint doing one INSERT per request, served the same way
(uvicorn, one worker, loopback, same clients): the ratio is what the event-sourced path costs on top.
"""

from __future__ import annotations

import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx2
import psycopg
import typer
from fastapi import FastAPI
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from rich.console import Console
from rich.table import Column, Table

from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from tests.builders import een_bsn, tvs_start

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("INBURGERING_BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
HEALTH = "/api/v1/health"  # the bare app answers on the same path, so one readiness check serves both
TRAJECTEN = "/api/v1/trajecten"
BARE_TABLE = "bare_inserts"
STARTUP_SECONDS = 30
REQUEST_TIMEOUT = 30.0
GESPREKKEN = 100  # voortgangsgesprekken are the only repeatable command: they grow the history
KENNISGEVING = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}
OPBOUW = [  # the commands that lead up to the PIP, after which gesprekken may be recorded
    ("kennisgevingen", KENNISGEVING),
    ("huisvestingen", {"datum": "2025-02-03", "gemeente": "0505"}),
    ("brede-intakes", {"datum": "2025-02-20", "onderwerpen": {"werk": "x"}}),
    ("pip-vaststellingen", {"dagtekening": "2025-04-10", "leerroute": "b1", "leerrouteUrenPerWeek": 16, "pvtUren": 12,
                            "mapUren": 40, "aantalVoortgangsgesprekken": 4, "ondersteuning": "x"}),
]
GESPREK = {"datum": "2025-06-01", "status": "gevoerd", "verslag": "ok"}

Call = tuple[str, dict[str, Any]]


def bare_app() -> FastAPI:
    """The baseline, started by uvicorn --factory: one pooled INSERT per POST and nothing else."""
    schema = os.environ["BENCH_SCHEMA"]
    insert = sql.SQL("INSERT INTO {}.{} (body) VALUES (%s) RETURNING id").format(
        sql.Identifier(schema), sql.Identifier(BARE_TABLE)
    )
    pool = ConnectionPool(os.environ["BENCH_DATABASE_URL"], min_size=5, max_size=5, open=False)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with pool:  # the API also opens its store in its lifespan
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get(HEALTH)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/inserts", status_code=201)
    def insert_row(body: dict[str, Any]) -> dict[str, int]:
        with pool.connection() as conn:  # commits on exit: one transaction, one INSERT
            row = conn.execute(insert, (Jsonb(body),)).fetchone()
        assert row is not None
        return {"id": row[0]}

    return app


@contextmanager
def bench_schema(url: str) -> Iterator[str]:
    """A schema of our own (plus the baseline's table), dropped at the end whatever happens."""
    schema = f"bench_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE TABLE {}.{} (id bigserial PRIMARY KEY, body jsonb NOT NULL)").format(
                sql.Identifier(schema), sql.Identifier(BARE_TABLE)))
        yield schema
    finally:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def uvicorn_server(target: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """One uvicorn process (one worker) on a free loopback port; terminated on exit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    command = [sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1", "--port", str(port),
               "--no-access-log", "--log-level", "warning"]  # no per-request logging in either server
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(base):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not come up on {base}:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _healthy(base: str) -> bool:
    try:
        return httpx2.get(base + HEALTH, timeout=1, trust_env=False).status_code == 200
    except httpx2.TransportError:
        return False


def client(base: str, headers: dict[str, str]) -> httpx2.Client:
    # trust_env=False: a proxy from the environment must never sit between us and loopback.
    return httpx2.Client(base_url=base, headers=headers, timeout=REQUEST_TIMEOUT, trust_env=False)


def expect(response: httpx2.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:800]}")
    return response.json()


def hammer(base: str, headers: dict[str, str], calls: Sequence[Call], clients: int) -> tuple[float, list[dict[str, Any]]]:
    """POST all calls from `clients` threads, each with its own keep-alive connection; every answer must be 201."""
    failed = threading.Event()

    def run(http: httpx2.Client, share: Sequence[Call]) -> list[dict[str, Any]]:
        answers = []
        for path, body in share:
            if failed.is_set():  # another client failed: the run is void, stop early
                break
            try:
                answers.append(expect(http.post(path, json=body), 201))
            except Exception:
                failed.set()
                raise
        return answers

    with ExitStack() as stack, ThreadPoolExecutor(clients) as executor:
        https = [stack.enter_context(client(base, headers)) for _ in range(clients)]
        for http in https:
            expect(http.get(HEALTH), 200)  # connect before the clock starts
        started = time.perf_counter()
        futures = [executor.submit(run, http, calls[i::clients]) for i, http in enumerate(https)]
        answers = [answer for future in futures for answer in future.result()]
        elapsed = time.perf_counter() - started
    return elapsed, answers


def grow_history(base: str, headers: dict[str, str]) -> str:
    """One trajectory with a long history; it also warms up every command path before timing."""
    with client(base, headers) as http:
        traject_id = expect(http.post(TRAJECTEN, json=tvs_start(een_bsn(), "0505", "2025-01-06")), 201)["trajectId"]
        for path, body in OPBOUW + [("voortgangsgesprekken", GESPREK)] * GESPREKKEN:
            expect(http.post(f"{TRAJECTEN}/{traject_id}/{path}", json=body), 201)
    return str(traject_id)


def read_latencies(base: str, headers: dict[str, str], path: str, reads: int) -> tuple[list[float], int]:
    """Sequential GETs of the history on one connection: the latency one user sees, in ms."""
    with client(base, headers) as http:
        events = len(expect(http.get(path), 200)["gebeurtenissen"])  # also the warm-up
        samples = []
        for _ in range(reads):
            started = time.perf_counter()
            response = http.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            expect(response, 200)
    return samples, events


def report_server_errors(console: Console, logs: list[Path]) -> None:
    """Show what a server logged when it logged a Traceback: a 500 is only explained there."""
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        if "Traceback" in text:
            console.print(f"[red]{log.name} logged an error:[/red]")
            console.print(text[-3000:], markup=False, highlight=False)


def unique_bsns(count: int) -> list[str]:
    bsns: set[str] = set()
    while len(bsns) < count:  # a repeated BSN links two trajectories to one person: not what we time
        bsns.add(een_bsn())
    return list(bsns)


def server_envs(schema: str, tmp: Path) -> tuple[dict[str, str], dict[str, str], Settings]:
    """The env of both servers and the bench's own Settings, all pointing at the same key files."""
    settings = Settings(_env_file=None, omgeving="ontwikkeling", database_url=POSTGRES_URL,  # type: ignore[call-arg]
                        database_schema=schema, data_map=tmp)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("INBURGERING_", "BENCH_"))}  # no stray config
    api_env = clean | {"INBURGERING_OMGEVING": "ontwikkeling", "INBURGERING_DATABASE_URL": POSTGRES_URL,
                       "INBURGERING_DATABASE_SCHEMA": schema, "INBURGERING_DATA_MAP": str(tmp)}
    return api_env, clean | {"BENCH_DATABASE_URL": POSTGRES_URL, "BENCH_SCHEMA": schema}, settings


def main(
    requests: Annotated[int, typer.Option(min=1, max=20_000, help="Requests per timed command.")] = 400,
    clients: Annotated[int, typer.Option(min=1, max=64, help="Concurrent HTTP clients (threads).")] = 4,
    reads: Annotated[int, typer.Option(min=2, max=10_000, help="History reads for the latency figures.")] = 200,
) -> None:
    """Benchmark the API's commands and history reads against a bare INSERT endpoint."""
    run_started = time.perf_counter()
    console = Console()
    with ExitStack() as stack:  # unwinds in reverse: servers stop, then the schema is dropped, then tmp goes
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="inburgering-bench-")))
        schema = stack.enter_context(bench_schema(POSTGRES_URL))
        api_env, bare_env, settings = server_envs(schema, tmp)
        # Made before the server starts, so the server reads this key file rather than racing to create one.
        headers = {"Authorization": f"Bearer {maak_ontwikkeltoken(settings, rol='regisseur', gemeenten=['0505'])}"}
        logs = [tmp / "api.log", tmp / "bare.log"]
        stack.callback(report_server_errors, console, logs)  # runs once the servers have stopped
        api = stack.enter_context(uvicorn_server("api.main:create_app", api_env, logs[0]))
        bare = stack.enter_context(uvicorn_server("tests.bench.commands:bare_app", bare_env, logs[1]))

        with console.status("growing one trajectory's history (also the warm-up)"):
            history_id = grow_history(api, headers)
        with console.status(f"timing {requests} starts"):
            start_s, started = hammer(api, headers, [(TRAJECTEN, tvs_start(b)) for b in unique_bsns(requests)], clients)
        with console.status(f"timing {requests} kennisgevingen"):
            calls = [(f"{TRAJECTEN}/{t['trajectId']}/kennisgevingen", KENNISGEVING) for t in started]
            kennis_s, _ = hammer(api, headers, calls, clients)
        with console.status(f"timing {requests} bare inserts"):
            hammer(bare, {}, [("/inserts", KENNISGEVING)] * min(requests, 20), clients)  # warm-up, as the API had
            bare_s, _ = hammer(bare, {}, [("/inserts", KENNISGEVING)] * requests, clients)
        with console.status(f"timing {reads} history reads"):
            samples, events = read_latencies(api, headers, f"{TRAJECTEN}/{history_id}/gebeurtenissen", reads)
        stack.close()  # clean up now, so the wall time includes it

    start_rate, kennis_rate, bare_rate = requests / start_s, requests / kennis_s, requests / bare_s
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    table = Table("measure", Column("value", justify="right"), title="Inburgering API benchmark")
    for name, value in [
        ("set-up", "PostgreSQL, loopback, 1 worker each"), ("CPU cores", str(os.cpu_count())),
        ("requests per command", str(requests)), ("concurrent clients", str(clients)), ("history reads", str(reads)),
        ("", ""),
        ("start traject (POST /trajecten)", f"{start_rate:,.0f} req/s"),
        ("kennisgeving (POST …/kennisgevingen)", f"{kennis_rate:,.0f} req/s"),
        ("bare FastAPI + 1 INSERT", f"{bare_rate:,.0f} req/s"),
        ("ratio start / bare", f"{start_rate / bare_rate:.2f}"),
        ("ratio kennisgeving / bare", f"{kennis_rate / bare_rate:.2f}"), ("", ""),
        ("history events per read", str(events)),
        ("history read p50", f"{cuts[49]:.1f} ms"), ("history read p90", f"{cuts[89]:.1f} ms"),
        ("history read p99", f"{cuts[98]:.1f} ms"), ("history read max", f"{max(samples):.1f} ms"), ("", ""),
        ("wall time", f"{time.perf_counter() - run_started:.1f} s"),
    ]:
        table.add_row(name, value)
    console.print(table)


if __name__ == "__main__":
    typer.run(main)
