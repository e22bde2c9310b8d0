"""Commands for ontzorgen, begeleiding and tolken (domain/traject/ondersteuning.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.commandos.basis import Commando
from domain.traject import Inburgeringstraject


@dataclass(frozen=True)
class StartFinancieelOntzorgen(Commando):
    METHODE = Inburgeringstraject.start_financieel_ontzorgen
    datum: date
    vaste_lasten: list[str]


@dataclass(frozen=True)
class StartMaatschappelijkeBegeleiding(Commando):
    METHODE = Inburgeringstraject.start_maatschappelijke_begeleiding
    datum: date
    uitvoerder: str


@dataclass(frozen=True)
class KenTolkvoorzieningToe(Commando):
    METHODE = Inburgeringstraject.ken_tolkvoorziening_toe
    datum: date
    taal: str
    doel: str
