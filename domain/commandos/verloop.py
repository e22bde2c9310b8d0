"""Commands for DUO's decisions as received, moves, assignment, corrections and forgetting (domain/traject/duo.py, verloop.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.commandos.basis import Commando
from domain.persoonsgegevens import GrondVerwijdering
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente


@dataclass(frozen=True)
class RegistreerTermijnverlenging(Commando):
    METHODE = Inburgeringstraject.registreer_termijnverlenging
    datum: date
    nieuwe_einddatum: date
    grond: str


@dataclass(frozen=True)
class RegistreerVrijstelling(Commando):
    METHODE = Inburgeringstraject.registreer_vrijstelling
    datum: date
    grond: str


@dataclass(frozen=True)
class RegistreerOntheffing(Commando):
    METHODE = Inburgeringstraject.registreer_ontheffing
    datum: date
    grond: str
    volledig: bool


@dataclass(frozen=True)
class RegistreerDuoBoete(Commando):
    METHODE = Inburgeringstraject.registreer_duo_boete
    datum: date
    artikel: str
    bedrag: Decimal


@dataclass(frozen=True)
class VerhuisBinnenRegio(Commando):
    METHODE = Inburgeringstraject.verhuis_binnen_regio
    datum: date
    naar: Gemeente


@dataclass(frozen=True)
class VerhuisBuitenRegio(Commando):
    METHODE = Inburgeringstraject.verhuis_buiten_regio
    datum: date
    nieuwe_gemeente: str
    toelichting: str


@dataclass(frozen=True)
class WijsRegisseurToe(Commando):
    METHODE = Inburgeringstraject.wijs_regisseur_toe
    datum: date
    regisseur: str


@dataclass(frozen=True)
class Corrigeer(Commando):
    METHODE = Inburgeringstraject.corrigeer
    datum: date
    versie: int
    correcties: dict[str, Any]
    toelichting: str


@dataclass(frozen=True)
class VerwijderPersoonsgegevens(Commando):
    METHODE = Inburgeringstraject.verwijder_persoonsgegevens
    grond: GrondVerwijdering
    overlijdensdatum: date | None = None
