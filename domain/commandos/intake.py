"""Commands from COA and DUO to the brede intake (domain/traject/intake.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.commandos.basis import Commando
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Leerroute, Verblijfsvergunning


@dataclass(frozen=True)
class RegistreerCoaWarmeOverdracht(Commando):
    METHODE = Inburgeringstraject.registreer_coa_warme_overdracht
    datum: date
    verslag: str
    tolk_aanwezig: bool = False


@dataclass(frozen=True)
class RegistreerKennisgeving(Commando):
    METHODE = Inburgeringstraject.registreer_kennisgeving
    datum: date
    verblijfsvergunning: Verblijfsvergunning
    referent_verblijfsvergunning: Verblijfsvergunning | None = None


@dataclass(frozen=True)
class RegistreerHuisvesting(Commando):
    METHODE = Inburgeringstraject.registreer_huisvesting
    datum: date
    gemeente: Gemeente
    huisvestingsdatum: date | None = None


@dataclass(frozen=True)
class VerzendIntakeOproep(Commando):
    METHODE = Inburgeringstraject.verzend_intake_oproep
    datum: date
    uiterlijk: date
    schriftelijke_waarschuwing: bool = False


@dataclass(frozen=True)
class RegistreerKennismakingsgesprek(Commando):
    METHODE = Inburgeringstraject.registreer_kennismakingsgesprek
    datum: date
    verslag: str


@dataclass(frozen=True)
class RegistreerLeerbaarheidstoets(Commando):
    METHODE = Inburgeringstraject.registreer_leerbaarheidstoets
    datum: date
    haalbaar_niveau: str
    advies_leerroute: Leerroute


@dataclass(frozen=True)
class VerleenLeerbaarheidstoetsOntheffing(Commando):
    METHODE = Inburgeringstraject.verleen_leerbaarheidstoets_ontheffing
    datum: date
    grond: str


@dataclass(frozen=True)
class HoudBredeIntake(Commando):
    METHODE = Inburgeringstraject.houd_brede_intake
    datum: date
    onderwerpen: dict[str, str]
    gezondheid: dict[str, str] = field(default_factory=dict)
    leerbaarheidstoets_advies: Leerroute | None = None


@dataclass(frozen=True)
class VoltooiIntakeInAfwezigheid(Commando):
    METHODE = Inburgeringstraject.voltooi_intake_in_afwezigheid
    datum: date
    verslag: str


@dataclass(frozen=True)
class StartWelkomstprogramma(Commando):
    METHODE = Inburgeringstraject.start_welkomstprogramma
    datum: date
