"""One trajectory's course in the demo: the steps as the process would bring them, on days drawn from the
seed, cut off at the peildatum or where the case stalls."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from stdnum.nl import bsn as stdnum_bsn

from adapters.demo import uitvoering
from adapters.demo.stappen import Procesfase, Stap, Trajectplan
from domain.application import Actor
from domain.traject import Inburgeringstraject as T
from domain.traject.basis import WET_IN_WERKING
from domain.traject.pip import Aanbod
from domain.waarden import Gemeente, Leerroute, Rol, Verblijfsvergunning

REGISSEURS_PER_GEMEENTE = 3
# The policy's expected mix (domain/beleid.py, VERWACHTE_LEERROUTEMIX) as weights for b1, onderwijsroute,
# z_route; per doelgroep, True for the asielstatushouders.
LEERROUTEMIX = {True: (45, 15, 40), False: (83, 14, 3)}
RECENT_AANDEEL = 0.25  # this share starts within RECENT, so that every early step of the process has cases today
RECENT = timedelta(weeks=22)
STIL_KANS = 0.12  # a case that stops at some step: its deadlines run out, as on a real worklist


def regisseur(gemeente: Gemeente, nummer: int) -> str:
    return f"regisseur-{gemeente.value}-{nummer % REGISSEURS_PER_GEMEENTE + 1}"


def bsn(rng: random.Random) -> str:
    """A BSN that passes the elfproef, drawn from the seed (never starting with 0, as the BRP issues them)."""
    while not stdnum_bsn.is_valid(nummer := str(rng.randint(100_000_000, 999_999_999))):  # the elfproef, as the API checks it
        pass
    return nummer


class Verloop:
    """Collects one trajectory's steps; `doe` drops what lies after the peildatum or after the stall."""

    def __init__(self, rng: random.Random, nummer: int, gemeente: Gemeente, asielstatushouder: bool, peildatum: date,
                 nieuwste: bool = False) -> None:
        self.rng, self.nummer, self.gemeente, self.asiel, self.peildatum = rng, nummer, gemeente, asielstatushouder, peildatum
        self.nieuwste = nieuwste
        self.stappen: list[Stap] = []
        eerste = Procesfase.TVS_PROFIEL if asielstatushouder else Procesfase.KENNISGEVING  # a gezinsmigrant starts with DUO
        self.stil_na = rng.choice([f for f in Procesfase if eerste <= f < Procesfase.AFRONDING]) if rng.random() < STIL_KANS else None
        self.bsn = bsn(rng)

    def dag(self, na: date, laag: int, hoog: int) -> date:
        return na + timedelta(days=self.rng.randint(laag, hoog))

    def actor(self, gebruiker: str | None = None, rol: Rol = Rol.REGISSEUR) -> Actor:
        correlatie = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))  # seeded: the same plan, the same ids
        return Actor(gebruiker=gebruiker or regisseur(self.gemeente, self.nummer), rol=rol,
                     gemeenten=frozenset({self.gemeente}), correlatie_id=correlatie)

    def doe(self, dag: date, methode: Callable[..., Any], bereikt: Procesfase | None = None, /, *,
            door: Actor | None = None, **argumenten: Any) -> bool:
        """Plan a step dated `dag` (its `datum` too, unless given) with which the trajectory reaches phase
        `bereikt`; False when the course does not get there."""
        if dag > self.peildatum or (self.stil_na is not None and bereikt is not None and bereikt > self.stil_na):
            return False
        if "datum" not in argumenten and "dagtekening" not in argumenten:
            argumenten["datum"] = dag
        self.stappen.append(Stap(dag, self.nummer, door or self.actor(), methode, argumenten, bereikt))
        return True

    def plan(self) -> Trajectplan:
        start = self._startdag()
        dagtekening = self._intake(start)
        route = self.rng.choices(list(Leerroute), weights=LEERROUTEMIX[self.asiel])[0]
        if dagtekening is not None and self._stel_pip_vast(dagtekening, route):
            uitvoering.plan(self, dagtekening, route)
        return Trajectplan(self.nummer, self.gemeente.value, self.asiel, tuple(self.stappen))

    def _startdag(self) -> date:
        if self.nieuwste:  # COA's latest koppeling: the TVS-profiel came in this week, DUO has not yet written
            return self.dag(self.peildatum, -6, 0)
        eind = self.peildatum - timedelta(days=7)
        begin = eind - RECENT if self.rng.random() < RECENT_AANDEEL else WET_IN_WERKING + timedelta(days=2)
        return self.dag(begin, 0, max(0, (eind - begin).days))

    def _intake(self, start: date) -> date | None:
        """From the start to the brede intake; the PIP's dagtekening, or None when the course ends before it."""
        if self.asiel:
            brp = self.dag(start, 6 * 7, 14 * 7)  # COA: housing within 10 weeks of the koppeling, the move within 2 more
            if not (self.doe(start, T.start_na_tvs_profiel, Procesfase.TVS_PROFIEL, gemeente=self.gemeente, bsn=self.bsn,
                             huishoudgrootte=self.rng.randint(1, 6))
                    and self.doe(self.dag(start, 7, 28), T.registreer_kennisgeving, Procesfase.KENNISGEVING,
                                 verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD)
                    and self.doe(brp, T.registreer_huisvesting, Procesfase.HUISVESTING, gemeente=self.gemeente,
                                 huisvestingsdatum=self.dag(brp, -5, 0))):
                return None
            self.doe(self.dag(brp, 3, 10), T.start_maatschappelijke_begeleiding, uitvoerder="VluchtelingenWerk Zuidwest-Nederland")
            self.doe(self.dag(brp, 7, 14), T.start_financieel_ontzorgen, vaste_lasten=["huur", "stroom", "zorgverzekering"])
            intake = self.dag(brp, 4 * 7, 10 * 7)  # SDD aims at 10 weeks (brede-intake-signaal); not always met
        else:
            if not self.doe(start, T.start_na_kennisgeving, Procesfase.KENNISGEVING, gemeente=self.gemeente, bsn=self.bsn,
                            verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD):
                return None
            intake = self.dag(start, 3 * 7, 7 * 7)
        if self.rng.random() < 0.25:
            self.doe(intake, T.ken_tolkvoorziening_toe, taal=self.rng.choice(["Arabisch", "Tigrinya", "Turks", "Pools"]),
                     doel="brede intake")
        opleiding = self.rng.choice(["geen", "basisonderwijs", "mbo", "hbo"])
        if not self.doe(intake, T.houd_brede_intake, Procesfase.BREDE_INTAKE, onderwerpen={"opleiding": opleiding}, gezondheid={}):
            return None
        return self.dag(intake, 2 * 7, 6 * 7)

    def _stel_pip_vast(self, dagtekening: date, route: Leerroute) -> bool:
        aanbod = {Aanbod.PVT} | ({Aanbod.MAP} if route is not Leerroute.ONDERWIJSROUTE else set())
        if self.asiel:
            aanbod |= {Aanbod.LEERROUTE_AANBOD, Aanbod.MAATSCHAPPELIJKE_BEGELEIDING}
        return self.doe(
            dagtekening, T.stel_pip_vast, Procesfase.PIP, dagtekening=dagtekening, leerroute=route,
            leerroute_uren_per_week=self.rng.choice([12, 16, 20]) if self.asiel else None, pvt_uren=12,
            map_uren=None if route is Leerroute.ONDERWIJSROUTE else 40, aantal_voortgangsgesprekken=4,
            ondersteuning="Maatschappelijke begeleiding" if self.asiel else "Taalmaatje", aanbod=frozenset(aanbod),
        )
