"""Commands for the PIP and the leerroute (domain/traject/pip.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.commandos.basis import Commando
from domain.traject import Aanbod, Inburgeringstraject
from domain.waarden import Leerroute, RedenRoutewijziging


@dataclass(frozen=True)
class StelPipVast(Commando):
    METHODE = Inburgeringstraject.stel_pip_vast
    dagtekening: date
    leerroute: Leerroute
    pvt_uren: int
    aantal_voortgangsgesprekken: int
    ondersteuning: str
    leerroute_uren_per_week: int | None = None
    map_uren: int | None = None
    aanbod: frozenset[Aanbod] = frozenset()


@dataclass(frozen=True)
class WijzigPip(Commando):
    METHODE = Inburgeringstraject.wijzig_pip
    datum: date
    pvt_uren: int
    aantal_voortgangsgesprekken: int
    ondersteuning: str
    reden: str
    leerroute_uren_per_week: int | None = None
    map_uren: int | None = None
    aanbod: frozenset[Aanbod] = frozenset()


@dataclass(frozen=True)
class WijzigLeerroute(Commando):
    METHODE = Inburgeringstraject.wijzig_leerroute
    datum: date
    naar: Leerroute
    reden: RedenRoutewijziging
    toelichting: str


@dataclass(frozen=True)
class SchaalAfNaarA2(Commando):
    METHODE = Inburgeringstraject.schaal_af_naar_a2
    datum: date
    motivering: str
