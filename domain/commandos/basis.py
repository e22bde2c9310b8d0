"""What every command shares, and the commands that start a trajectory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, ClassVar

from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Vastlegging, Verblijfsvergunning


@dataclass(frozen=True)
class Commando:
    """A command on an existing trajectory."""

    METHODE: ClassVar[Callable[..., Any]]  # the aggregate's method, read from the class: not bound to the command

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> Any:
        argumenten = {veld.name: getattr(self, veld.name) for veld in fields(self)}
        return type(self).METHODE(traject, **argumenten, door=door)


@dataclass(frozen=True)
class StartNaTvsProfiel:
    datum: date
    gemeente: Gemeente
    bsn: str
    huishoudgrootte: int | None = None
    land_van_herkomst: str | None = None
    taal: str | None = None

    def starten(self, door: Vastlegging) -> Inburgeringstraject:
        return Inburgeringstraject.start_na_tvs_profiel(**vars(self), door=door)


@dataclass(frozen=True)
class StartNaKennisgeving:
    datum: date
    gemeente: Gemeente
    bsn: str
    verblijfsvergunning: Verblijfsvergunning
    referent_verblijfsvergunning: Verblijfsvergunning | None = None

    def starten(self, door: Vastlegging) -> Inburgeringstraject:
        return Inburgeringstraject.start_na_kennisgeving(**vars(self), door=door)


StartCommando = StartNaTvsProfiel | StartNaKennisgeving
