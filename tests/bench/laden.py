"""Loading a store with N trajectories in-process, through the application.

HTTP at ~100 req/s would take hours at 100,000 trajectories. Two ways, both through the application
object, so every event is encrypted (with keys from the key store) and chained by hash, and the
person register holds every BSN:
- `opdrachten`: each start and command is a use case of its own (`start_traject`, `voer_uit`), as over
  HTTP: several transactions per command. 80-140 trajectories/s here (2 cores): 15-20 min per 100,000.
- `batch` (the default): each trajectory is built by the same domain commands the use cases run
  (`StartCommando.starten`, `Commando.uitvoeren`, `Persoonsregistratie.koppel`) and BATCH trajectories
  with their person registrations are saved by one `app.save`, as a command that touches several
  aggregates is. The same events, fewer transactions; no idempotency records (no Idempotency-Key).
  200-550 trajectories/s here with 4 processes: 100,000 in about 3 minutes.
Trajectories are spread over the four gemeenten, three regisseurs per gemeente and four start years,
and go through a varying number of steps (start only up to a PIP), so the worklist and the reports
have rows of every kind.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from eventsourcing.domain import Aggregate

from adapters.bootstrap import bouw_applicatie
from adapters.clock import SysteemKlok
from adapters.settings import Settings
from domain.application import Actor, Inburgering
from domain.commandos import Commando, Start
from domain.metadata import Metadata
from domain.persoon import Persoonsregistratie
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Leerroute, Rol, Vastlegging, Verblijfsvergunning
from tests.builders import bsn_met_controlecijfer

GEMEENTEN = list(Gemeente)
REGISSEURS_PER_GEMEENTE = 3
JAREN = (2022, 2023, 2024, 2025)
LEERROUTES = list(Leerroute)
BATCH = 50  # trajectories per save in `batch`, and per progress report


def regisseur(nummer: int) -> str:
    """Regisseurs work for one gemeente: three per gemeente."""
    return f"regisseur-{GEMEENTEN[nummer % len(GEMEENTEN)].value}-{nummer // len(GEMEENTEN) % REGISSEURS_PER_GEMEENTE}"


def bsn(nummer: int) -> str:
    """A distinct valid BSN per trajectory number (a repeated BSN would link two trajectories to one person)."""
    basis = nummer * 10
    while True:  # about one in eleven 8-digit prefixes has no check digit; try the next within the block
        if kandidaat := bsn_met_controlecijfer([int(c) for c in f"{10_000_000 + basis:08d}"]):
            return kandidaat
        basis += 1


@dataclass(frozen=True)
class Plan:
    """What one trajectory goes through: the start and the commands after it, in order."""

    nummer: int
    gemeente: Gemeente
    actor: Actor
    start: Start
    commandos: tuple[Commando, ...]


def plan(nummer: int, run: str) -> Plan:
    gemeente = GEMEENTEN[nummer % len(GEMEENTEN)]
    begin = date(JAREN[nummer // 12 % len(JAREN)], 1, 2) + timedelta(days=nummer * 7 % 300)
    actor = Actor(gebruiker=regisseur(nummer), rol=Rol.REGISSEUR, gemeenten=frozenset(Gemeente),
                  correlatie_id=f"bench-{run}-{nummer}")
    leerroute = LEERROUTES[nummer % len(LEERROUTES)]
    asiel = nummer % 7 != 3  # most start from COA's TVS-profiel, some from DUO's kennisgeving (gezinsmigranten)
    start: Start
    reeks: list[Commando] = []
    if asiel:
        start = Start(Inburgeringstraject.start_na_tvs_profiel, datum=begin, gemeente=gemeente, bsn=bsn(nummer), huishoudgrootte=1 + nummer % 5)
        reeks.append(Commando(Inburgeringstraject.registreer_kennisgeving, datum=begin + timedelta(days=10), verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD))
    else:
        start = Start(Inburgeringstraject.start_na_kennisgeving, datum=begin, gemeente=gemeente, bsn=bsn(nummer),
                      verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD)
    reeks += [
        Commando(Inburgeringstraject.registreer_huisvesting, datum=begin + timedelta(days=20), gemeente=gemeente),
        Commando(Inburgeringstraject.houd_brede_intake, datum=begin + timedelta(days=40), onderwerpen={"werk": "bench"}, gezondheid={}),
        Commando(
            Inburgeringstraject.stel_pip_vast, dagtekening=begin + timedelta(days=70), leerroute=leerroute, pvt_uren=12, aantal_voortgangsgesprekken=4,
            ondersteuning="bench", leerroute_uren_per_week=12 if asiel and leerroute is not Leerroute.ONDERWIJSROUTE else None,
            map_uren=None if leerroute is Leerroute.ONDERWIJSROUTE else 40,
        ),
    ]
    return Plan(nummer, gemeente, actor, start, tuple(reeks[: nummer % 5]))  # from the start alone up to the PIP


def voer_plan_uit(app: Inburgering, stap: Plan) -> int:
    """Start the trajectory and carry out its commands, each a use case of its own as over HTTP; returns
    the number of commands (the start included)."""
    traject = app.start_traject(stap.start, stap.actor).traject
    for commando in stap.commandos:
        app.voer_uit(traject.id, commando, stap.actor)
    return 1 + len(stap.commandos)


def bouw(app: Inburgering, stap: Plan) -> tuple[Inburgeringstraject, Persoonsregistratie]:
    """The trajectory and its new person registration as `start_traject` and `voer_uit` would leave them, unsaved."""
    door = Vastlegging(gebruiker=stap.actor.gebruiker, rol=stap.actor.rol, gemeenten=stap.actor.gemeenten,
                       correlatie_id=stap.actor.correlatie_id, tijdstip=app.klok.nu(), vandaag=app.klok.vandaag())
    traject = stap.start.starten(door)
    persoon = Persoonsregistratie.nieuw(app.personen.registreer(stap.start.bsn).persoon_id, door)
    persoon.koppel(traject.id, door, Metadata.van(door, namens=stap.gemeente))
    for commando in stap.commandos:
        commando.uitvoeren(traject, door)
    return traject, persoon


def _laad_deel(instellingen: Settings, aantal: int, processen: int, index: int, run: str, wijze: str,
               voortgang: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    app = bouw_applicatie(instellingen, SysteemKlok())
    try:
        commandos, open_ = 0, list[Aggregate]()
        for gedaan, nummer in enumerate(range(index, aantal, processen), 1):
            stap = plan(nummer, run)
            if wijze == "opdrachten":
                voer_plan_uit(app, stap)
            else:
                open_ += bouw(app, stap)
                if len(open_) >= 2 * BATCH:
                    app.save(*open_)
                    open_.clear()
            commandos += 1 + len(stap.commandos)
            if gedaan % BATCH == 0:
                voortgang.put(("voortgang", BATCH))
        if open_:
            app.save(*open_)
        voortgang.put(("voortgang", len(range(index, aantal, processen)) % BATCH))
        voortgang.put(("klaar", commandos))
    finally:
        app.close()


@dataclass(frozen=True)
class Lading:
    trajecten: int
    commandos: int
    seconden: float
    processen: int
    wijze: str


def laad(instellingen: Settings, aantal: int, processen: int, wijze: str = "batch",
         meld: Callable[[int], None] = lambda _: None) -> Lading:
    """Load `aantal` trajectories with `processen` loader processes (the tables must exist: the caller
    migrated first, so no two loaders race to create them or the key files)."""
    instellingen = instellingen.model_copy(update={"maak_tabellen": False})
    run = uuid.uuid4().hex[:8]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no pools or threads inherited
    voortgang = context.Queue()
    begin = time.perf_counter()
    delen = [context.Process(target=_laad_deel, args=(instellingen, aantal, processen, i, run, wijze, voortgang), daemon=True)
             for i in range(processen)]
    for deel in delen:
        deel.start()
    klaar, commandos, afgerond = 0, 0, 0
    while afgerond < len(delen):
        try:
            soort, getal = voortgang.get(timeout=1)
        except queue.Empty:
            if any(d.exitcode not in (None, 0) for d in delen):
                raise RuntimeError("een laadproces stopte met een fout (zie hierboven)") from None
            continue
        if soort == "klaar":
            commandos, afgerond = commandos + getal, afgerond + 1
        else:
            klaar += getal
            meld(klaar)
    for deel in delen:
        deel.join()
        if deel.exitcode != 0:
            raise RuntimeError(f"een laadproces stopte met exitcode {deel.exitcode}")
    return Lading(aantal, commandos, time.perf_counter() - begin, processen, wijze)
