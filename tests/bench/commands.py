"""`make bench`: the measures of issue 12's Targets, each against a bare ceiling measured in the same run.

Per store (PostgreSQL, SQLite or both): load N trajectories in-process (tests/bench/laden.py), time
`make rebuild` and `make replay` on them, start the real API and the bare ceiling (tests/bench/plafond.py)
under uvicorn (one worker each), then, interleaved with the ceiling: reads at N (tests/bench/lezen.py),
commands with 8 clients, projection lag and push-delivery lag under a steady command load, push delivery of the backlog, and the server's memory. Absolute
figures move from run to run on a small machine; the ratios are the figures to compare.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from psycopg import sql
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from adapters import bootstrap
from adapters.clock import SysteemKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from tests.bench import bezorging, laden, lezen, plafond, schrijven
from tests.bench.schrijven import VOLGER, Bsns, Commandos
from tests.bench.verkeer import ROOT, Meting, uvicorn_server

POSTGRES_URL = os.environ.get("INBURGERING_BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
ALLE_GEMEENTEN = list(plafond.GEMEENTEN)
# The steady load for the lag: half the starts per second this server managed flat out in the same run,
# a rate it keeps up with (an operator's steady load), beside the saturating one.
TEMPO_FRACTIE = 0.5


class Opslag(StrEnum):
    postgres = "postgres"
    sqlite = "sqlite"
    beide = "beide"


class Laadwijze(StrEnum):
    batch = "batch"
    opdrachten = "opdrachten"


@dataclass(frozen=True)
class Opties:
    trajecten: int
    laders: int
    laadwijze: str
    requests: int
    clients: int
    lezers: int
    lezingen: int
    rondes: int
    peilingen: int
    integriteit: int


# -- the store and its servers -------------------------------------------------------------------


@dataclass(frozen=True)
class Omgeving:
    naam: str
    instellingen: Settings
    api_env: dict[str, str]
    plafond_env: dict[str, str]


@contextmanager
def omgeving(soort: str, tmp: Path) -> Iterator[Omgeving]:
    """A store of our own: a fresh PostgreSQL schema (dropped at the end whatever happens) or SQLite files in tmp."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("INBURGERING_", "BENCH_"))}  # no stray config
    api_env = clean | {"INBURGERING_OMGEVING": "ontwikkeling", "INBURGERING_DATA_MAP": str(tmp),
                       "BENCH_TELLER": str(tmp / "rondreizen.bin")}
    if soort == Opslag.sqlite:
        instellingen = Settings(_env_file=None, omgeving="ontwikkeling", data_map=tmp)  # type: ignore[call-arg]
        yield Omgeving("SQLite", instellingen, api_env, clean | {"BENCH_SQLITE_PAD": str(tmp / "plafond.db")})
        return
    schema = f"bench_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        instellingen = Settings(_env_file=None, omgeving="ontwikkeling", database_url=POSTGRES_URL,  # type: ignore[call-arg]
                                database_schema=schema, data_map=tmp)
        api_env |= {"INBURGERING_DATABASE_URL": POSTGRES_URL, "INBURGERING_DATABASE_SCHEMA": schema}
        yield Omgeving("PostgreSQL", instellingen, api_env, clean | {"BENCH_DATABASE_URL": POSTGRES_URL, "BENCH_SCHEMA": schema})
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def maak_plafondtabellen(omg: Omgeving, rijen: int) -> None:
    if omg.instellingen.database_url is None:
        plafond.maak_tabellen_sqlite(Path(omg.plafond_env["BENCH_SQLITE_PAD"]), rijen)
    else:
        plafond.maak_tabellen_postgres(POSTGRES_URL, omg.instellingen.database_schema, rijen)


def report_server_errors(console: Console, logs: list[Path]) -> None:
    """Show what a server logged when it logged a Traceback: a 500 is only explained there."""
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        if "Traceback" in text:
            console.print(f"[red]{log.name} logged an error:[/red]")
            console.print(text[-3000:], markup=False, highlight=False)


# -- loading, rebuild and replay -------------------------------------------------------------------


def laad(console: Console, omg: Omgeving, opties: Opties) -> tuple[laden.Lading, int]:
    """Migrate, load N trajectories; returns the load and the number of events in the store."""
    bootstrap.migreer(omg.instellingen)  # tables and key files once, before the loaders race for them
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as voortgang:
        taak = voortgang.add_task(f"{omg.naam}: loading trajectories ({opties.laders} processes, {opties.laadwijze})",
                                  total=opties.trajecten)
        tienden = [0]

        def meld(klaar: int) -> None:
            voortgang.update(taak, completed=klaar)
            if not console.is_terminal and klaar * 10 // opties.trajecten > tienden[0]:  # no live bar in a log
                tienden[0] = klaar * 10 // opties.trajecten
                console.print(f"{omg.naam}: {klaar:,} of {opties.trajecten:,} trajectories loaded")

        lading = laden.laad(omg.instellingen, opties.trajecten, opties.laders, opties.laadwijze, meld)
    app = bootstrap.bouw_applicatie(omg.instellingen.model_copy(update={"maak_tabellen": False}), SysteemKlok())
    try:
        gebeurtenissen = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    console.print(f"{omg.naam}: loaded {lading.trajecten:,} trajectories ({lading.commandos:,} commands, "
                  f"{gebeurtenissen:,} events) in {lading.seconden:,.1f} s")
    return lading, gebeurtenissen


def cli(omg: Omgeving, *argumenten: str) -> float:
    """Run `adapters.cli ...` on the bench's store as `make` would; the seconds the command itself took."""
    uitkomst = subprocess.run([sys.executable, "-m", "tests.bench.cli_tijd", *argumenten], cwd=ROOT, env=omg.api_env,
                              capture_output=True, text=True)
    if uitkomst.returncode != 0:
        raise RuntimeError(f"adapters.cli {' '.join(argumenten)} -> {uitkomst.returncode}:\n{uitkomst.stdout[-2000:]}{uitkomst.stderr[-2000:]}")
    return float(uitkomst.stderr.rsplit("BENCH_SECONDEN=", 1)[1].split()[0])


# -- one store, start to end -----------------------------------------------------------------------


@dataclass(frozen=True)
class Uitslag:
    naam: str
    lading: laden.Lading
    gebeurtenissen: int
    herbouw_s: float
    replay_s: float
    lezingen: lezen.Lezingen
    rss_na_lezen_mb: float
    commandos: Commandos
    vertraging: Meting
    vertraging_bij_tempo: tuple[float, Meting]  # starts per second of the steady load, and the lag under it
    bezorgvertraging: tuple[float, Meting]  # the same steady load, and its commit-to-receipt lag of push delivery
    doorvoer: dict[str, tuple[float, int]]  # per delivery mode: facts per second from the backlog, and how many
    langpeiling: Meting  # from a command's answer to that of a long-poll waiting for it
    rss_eind_mb: float
    wall_s: float


def meet(console: Console, soort: str, opties: Opties) -> Uitslag:
    begin = time.perf_counter()
    with ExitStack() as stack:  # unwinds in reverse: servers stop, then the schema is dropped, then tmp goes
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="inburgering-bench-")))
        omg = stack.enter_context(omgeving(soort, tmp))
        lading, gebeurtenissen = laad(console, omg, opties)
        with console.status(f"{omg.naam}: make rebuild, make replay"):
            herbouw_s, replay_s = cli(omg, "herbouw"), cli(omg, "replay")
        with console.status(f"{omg.naam}: the ceiling's table of {opties.trajecten:,} rows"):
            maak_plafondtabellen(omg, opties.trajecten)

        def token(rol: str, gebruiker: str, gemeenten: list[str]) -> dict[str, str]:
            return {"Authorization": f"Bearer {maak_ontwikkeltoken(omg.instellingen, rol=rol, gemeenten=gemeenten, gebruiker=gebruiker)}"}

        # Made before the servers start, so they read this key file rather than racing to create one.
        regisseur = token("regisseur", "bench-regisseur", ALLE_GEMEENTEN)
        volger = token("regisseur", VOLGER, ALLE_GEMEENTEN)
        auditor = token("auditor", "bench-auditor", [])
        logs = [tmp / "api.log", tmp / "bare.log"]
        stack.callback(report_server_errors, console, logs)  # runs once the servers have stopped
        api = stack.enter_context(uvicorn_server("tests.bench.teller:api", omg.api_env, logs[0]))
        bare = stack.enter_context(uvicorn_server("tests.bench.plafond:bare_app", omg.plafond_env, logs[1]))
        bsns = Bsns(opties.trajecten)
        with console.status(f"{omg.naam}: reads at {opties.trajecten:,} trajectories, {opties.lezers} readers"):
            lezingen = lezen.lees(api.base, bare.base, regisseur, auditor, lezers=opties.lezers, lezingen=opties.lezingen,
                                  rondes=opties.rondes, integriteit=opties.integriteit)
            rss_na_lezen = api.rss_mb()
        with console.status(f"{omg.naam}: commands, {opties.clients} clients, interleaved with the ceiling"):
            gemeten = schrijven.commandos(api, bare, regisseur, Path(omg.api_env["BENCH_TELLER"]), bsns, opties)
        with console.status(f"{omg.naam}: projection lag under a saturating command load"):
            vertraging = schrijven.projectievertraging(api, regisseur, volger, bsns, opties)
        tempo = TEMPO_FRACTIE * gemeten.start.per_seconde
        with console.status(f"{omg.naam}: projection lag under a steady load of {tempo:.0f} starts/s"):
            vertraging_bij_tempo = (tempo, schrijven.projectievertraging(api, regisseur, volger, bsns, opties, tempo))
        with console.status(f"{omg.naam}: push delivery lag under a steady load of {tempo:.0f} starts/s"):
            bezorgvertraging = (tempo, bezorging.vertraging(api, regisseur, bsns, tempo, max(200, opties.peilingen * 4)))
        with console.status(f"{omg.naam}: long-poll on the feed"):
            langpeiling = bezorging.langpeiling(api, regisseur, bsns, max(10, opties.peilingen // 2))
        doorvoer = {}
        for wijze in ("gestructureerd", "batch"):
            with console.status(f"{omg.naam}: push delivery of the backlog ({wijze})"):
                doorvoer[wijze] = bezorging.doorvoer(api, regisseur, wijze)
        rss_eind = api.rss_mb()
        stack.close()  # clean up now, so the wall time includes it
    return Uitslag(omg.naam, lading, gebeurtenissen, herbouw_s, replay_s, lezingen, rss_na_lezen, gemeten,
                   vertraging, vertraging_bij_tempo, bezorgvertraging, doorvoer, langpeiling, rss_eind, time.perf_counter() - begin)


# -- the report ------------------------------------------------------------------------------------


def _ms(waarde: float) -> str:
    return f"{waarde:,.1f} ms" if waarde < 10_000 else f"{waarde / 1000:,.1f} s"


def tabel(u: Uitslag, opties: Opties) -> Table:
    t = Table("measure", Column("this project", justify="right"), Column("bare ceiling", justify="right"),
              Column("ratio", justify="right"), Column("target", justify="right"),
              title=f"Inburgering benchmark {date.today().isoformat()}: {u.naam}, {opties.trajecten:,} trajectories, "
                    f"{os.cpu_count()} cores, 1 uvicorn worker each, loopback")
    c = u.commandos
    for naam, meting, rondreizen in (("start traject", c.start, c.rondreizen_start), ("kennisgeving", c.kennisgeving, c.rondreizen_kennisgeving)):
        t.add_row(f"{naam}, {opties.clients} clients", f"{meting.per_seconde:,.0f} req/s", f"{c.plafond.per_seconde:,.0f} req/s",
                  f"{meting.per_seconde / c.plafond.per_seconde:.2f}", ">= 0.40")
        t.add_row("  p50 / p99", f"{_ms(meting.p50)} / {_ms(meting.p99)}", f"{_ms(c.plafond.p50)} / {_ms(c.plafond.p99)}",
                  f"p99 {meting.p99 / c.plafond.p99:.1f}x", "p99 <= 3x")
        eenheid = "round trips" if u.naam == "PostgreSQL" else "SQL statements"
        t.add_row(f"  {eenheid} per command", f"{rondreizen:.1f}", "3 (BEGIN, INSERT, COMMIT)", "", "<= 3 + stream")
    t.add_row("history read (1 reader)", f"{_ms(c.geschiedenis.p50)} p50", f"{c.geschiedenis_feiten} events", "", "")
    t.add_section()
    lijsten = u.lezingen.lijsten
    een, bare = lijsten[lezen.EEN], lijsten[lezen.PLAFOND]
    t.add_row(f"{lezen.EEN}, {opties.lezers} readers, p50 / p99", f"{_ms(een.p50)} / {_ms(een.p99)}",
              f"{_ms(bare.p50)} / {_ms(bare.p99)}", f"{een.p50 / bare.p50:.1f}x ceiling", "")
    for naam, _ in lezen.LIJSTEN:
        m = lijsten[naam]
        t.add_row(f"{naam} ({u.lezingen.rijen[naam]} rows)", f"{_ms(m.p50)} / {_ms(m.p99)}", "",
                  f"{m.p50 / een.p50:.1f}x one, {m.p50 / bare.p50:.0f}x ceiling", "p50 <= 2x one")
    for naam, m in u.lezingen.rapporten.items():
        t.add_row(f"{naam} p50", _ms(m.p50), "", "", "<= 50 ms")
    if integriteit := u.lezingen.integriteit:
        t.add_row("GET /integriteit, then again", " / ".join(f"{s:,.2f} s" for s, _ in integriteit), "",
                  " / ".join(f"{n:,} events" if n is not None else "?" for _, n in integriteit), "")
    t.add_row("projection lag p50 / p99, saturating load", f"{_ms(u.vertraging.p50)} / {_ms(u.vertraging.p99)}", "",
              f"{len(u.vertraging.ms)} probes", "")
    tempo, steady = u.vertraging_bij_tempo
    t.add_row(f"projection lag p50 / p99, {tempo:.0f} starts/s", f"{_ms(steady.p50)} / {_ms(steady.p99)}", "",
              f"{len(steady.ms)} probes", "p99 < 100 ms")
    tempo, lag = u.bezorgvertraging
    t.add_row(f"push delivery lag p50 / p99, {tempo:.0f} starts/s", f"{_ms(lag.p50)} / {_ms(lag.p99)}", "",
              f"{len(lag.ms)} starts, answer to receipt", "")
    t.add_row("long-poll wake-up p50 / p99", f"{_ms(u.langpeiling.p50)} / {_ms(u.langpeiling.p99)}", "",
              f"{len(u.langpeiling.ms)} probes, answer to answer", "")
    for wijze, (per_seconde, aantal) in u.doorvoer.items():
        t.add_row(f"push delivery of the backlog, {wijze}", f"{per_seconde:,.0f} facts/s", "", f"{aantal:,} facts, 1 dispatcher", "")
    t.add_section()
    t.add_row("make rebuild", f"{u.gebeurtenissen / u.herbouw_s:,.0f} events/s", "", f"{u.herbouw_s:,.1f} s", ">= 20,000/s")
    t.add_row("make replay", f"{u.gebeurtenissen / u.replay_s:,.0f} events/s", "", f"{u.replay_s:,.1f} s", ">= 20,000/s")
    t.add_row("server RSS after the reads / at the end", f"{u.rss_na_lezen_mb:,.0f} / {u.rss_eind_mb:,.0f} MB", "", "", "< 300 MB")
    t.add_row(f"loading in-process ({u.lading.wijze})", f"{u.lading.trajecten / u.lading.seconden:,.0f} traj/s", "",
              f"{u.lading.seconden:,.1f} s, {u.lading.processen} procs", "")
    t.add_row("store", f"{u.gebeurtenissen:,} events", "", f"{u.lading.commandos:,} commands", "")
    t.add_row("wall time", f"{u.wall_s:,.1f} s", "", "", "")
    return t


def main(
    trajecten: Annotated[int, typer.Option("--trajecten", "-n", min=10, max=1_000_000, help="N: trajectories loaded before reading.")] = 1_000,
    opslag: Annotated[Opslag, typer.Option(help="The store(s) to measure, one after the other.")] = Opslag.beide,
    laders: Annotated[int, typer.Option(min=1, max=16, help="Loader processes (they wait on round trips more than on CPU).")] = 4,
    laadwijze: Annotated[Laadwijze, typer.Option(help="batch: domain commands, 50 trajectories per save; "
                                                      "opdrachten: every command a use case (tests/bench/laden.py).")] = Laadwijze.batch,
    # 300 per round: a round of 200 lasted under a second, and one stall of the database's disk (70-100 ms, all
    # four command threads waiting at once, seen on 2026-12-07) moved that side's round by a tenth.
    requests: Annotated[int, typer.Option(min=8, max=20_000, help="Requests per timed command, over all rounds.")] = 2_400,
    clients: Annotated[int, typer.Option(min=1, max=64, help="Concurrent HTTP clients for commands.")] = 8,
    lezers: Annotated[int, typer.Option(min=1, max=64, help="Concurrent readers.")] = 8,
    lezingen: Annotated[int, typer.Option(min=8, max=10_000, help="Reads per list measure, over all rounds.")] = 640,
    rondes: Annotated[int, typer.Option(min=1, max=20, help="Rounds that interleave the project with the ceiling.")] = 8,
    peilingen: Annotated[int, typer.Option(min=1, max=200, help="Projection-lag probes.")] = 50,
    integriteit: Annotated[int, typer.Option(min=0, max=5, help="GET /integriteit calls, one after the other.")] = 2,
) -> None:
    """Benchmark the API against a bare FastAPI + one-statement ceiling, as issue 12's Targets measure it."""
    opties = Opties(trajecten, laders, laadwijze.value, requests, clients, lezers, lezingen, rondes, peilingen, integriteit)
    console = Console(width=None if sys.stdout.isatty() else 150)  # a piped table stays readable
    soorten = [Opslag.postgres, Opslag.sqlite] if opslag is Opslag.beide else [opslag]
    mislukt = []
    for soort in soorten:
        try:
            uitslag = meet(console, soort, opties)
        except Exception:  # the other store is still worth measuring; the exit code says it failed
            console.print_exception(max_frames=4)
            mislukt.append(soort.value)
            continue
        console.print(tabel(uitslag, opties))
    if mislukt:
        console.print(f"[red]Not measured:[/red] {', '.join(mislukt)}")
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
