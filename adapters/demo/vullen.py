"""Carry a demo plan out through the application's own use cases, each on the day the plan names.

The clock stands on each step's day while it is recorded, so every fact is recorded on the day it happened
(as the case workers would have) and the log is in the order of the days. Only an empty store is filled:
demo data never mix with real cases.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from adapters.bootstrap import bouw_applicatie, bouw_leesmodelopslag
from adapters.clock import NEDERLAND, VasteKlok
from adapters.demo.plan import Demoplan
from adapters.demo.stappen import Stap, ZaakVanGedraging
from adapters.settings import Settings
from domain.application import Inburgering
from domain.commandos import Commando, Start
from projections.projector import Projector

WERKDAG_BEGIN = 8, 30  # the first step of a day is recorded at half past eight, Dutch time; each next one later


class DemoGeweigerdError(Exception):
    """The demo does not fill this store: it is production, or it already holds facts."""


@dataclass(frozen=True)
class Gevuld:
    """What a run recorded: the trajectory ids in the plan's order, the facts in the log, and how long it took."""

    traject_ids: tuple[UUID, ...]
    commandos: int
    gebeurtenissen: int
    seconden: float


def vul(instellingen: Settings, plan: Demoplan, voortgang: Callable[[int], None] = lambda _: None) -> Gevuld:
    """Carry out every step of the plan, then bring the read models up to date, so the first request is quick."""
    if instellingen.is_productie:
        raise DemoGeweigerdError("Demogegevens horen niet in productie (INBURGERING_OMGEVING=productie).")
    begin = time.perf_counter()
    klok = VasteKlok(_moment(plan.stappen[0].dag, 0))
    app = bouw_applicatie(instellingen, klok)
    try:
        if app.recorder.max_notification_id():
            raise DemoGeweigerdError(
                "Deze opslag bevat al gebeurtenissen; demogegevens worden er niet tussen gemengd. Verwijder de "
                "ingebedde opslag (./var, of make demo OPNIEUW=1) of kies een andere map met INBURGERING_DATA_MAP."
            )
        ids: dict[int, UUID] = {}
        vorige, op_de_dag = date.min, 0
        for nummer, stap in enumerate(plan.stappen, 1):
            op_de_dag = op_de_dag + 1 if stap.dag == vorige else 0
            vorige, klok.tijdstip = stap.dag, _moment(stap.dag, op_de_dag)
            _voer_uit(app, stap, ids)
            voortgang(nummer)
        opslag = bouw_leesmodelopslag(instellingen)
        try:
            Projector(app, opslag).bij()
        finally:
            opslag.close()
        gebeurtenissen = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    return Gevuld(tuple(ids[n] for n in sorted(ids)), len(plan.stappen), gebeurtenissen, time.perf_counter() - begin)


def wis_ingebedde_opslag(instellingen: Settings) -> list[str]:
    """Remove the embedded store's files (events, read models, keys), for a fresh demo; the development keys
    stay. Never a database server's schema: that is for its administrator to drop. Returns what was removed."""
    if instellingen.is_productie or instellingen.database_url is not None:
        raise DemoGeweigerdError("Alleen de ingebedde SQLite-opslag wordt gewist; een PostgreSQL-schema verwijdert u zelf.")
    weg = []
    for pad in (instellingen.sqlite_pad, instellingen.sqlite_leesmodel_pad, instellingen.sqlite_sleutel_pad):
        for bestand in (pad, *(pad.with_name(pad.name + staart) for staart in ("-wal", "-shm", "-journal"))):
            if bestand.exists():
                bestand.unlink()
                weg.append(str(bestand))
    return weg


def _voer_uit(app: Inburgering, stap: Stap, ids: dict[int, UUID]) -> None:
    if stap.traject not in ids:
        ids[stap.traject] = app.start_traject(Start(stap.methode, **stap.argumenten), stap.actor).traject.id
        return
    argumenten: dict[str, Any] = dict(stap.argumenten)
    if isinstance(zaak := argumenten.get("zaaknummer"), ZaakVanGedraging):
        traject = app.traject(ids[stap.traject], stap.actor, kopie=False)
        argumenten["zaaknummer"] = next(z.nummer for z in traject.zaken.values() if z.overtredingsdatum == zaak.datum)
    app.voer_uit(ids[stap.traject], Commando(stap.methode, **argumenten), stap.actor)


def _moment(dag: date, volgnummer: int) -> datetime:
    uur, minuut = WERKDAG_BEGIN
    lokaal = datetime(dag.year, dag.month, dag.day, uur, minuut, tzinfo=NEDERLAND) + timedelta(minutes=3 * volgnummer)
    return lokaal.astimezone(UTC)  # recorded in UTC, as the system clock does
