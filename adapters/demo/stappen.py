"""What a demo plan is made of: steps, the phase a step reaches, and references the plan cannot resolve itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

from domain.application import Actor


class Procesfase(IntEnum):
    """The furthest step of the process a trajectory reached, from the TVS-profiel to the afronding."""

    TVS_PROFIEL = 1
    KENNISGEVING = 2
    HUISVESTING = 3
    BREDE_INTAKE = 4
    PIP = 5
    UITVOERING = 6
    EXAMENS = 7
    AFRONDING = 8


@dataclass(frozen=True)
class ZaakVanGedraging:
    """The zaaknummer of the handhavingszaak opened for the conduct on `datum`: the domain numbers a zaak
    when it opens it, so the plan cannot know the number; the runner looks it up in the trajectory."""

    datum: date


@dataclass(frozen=True)
class Stap:
    """One command, recorded on `dag` by `actor`: `methode` is a start or a method of the trajectory."""

    dag: date
    traject: int  # the trajectory's number in the plan
    actor: Actor
    methode: Callable[..., Any]
    argumenten: Mapping[str, Any]
    fase: Procesfase | None = None  # the phase the trajectory reaches with this step; None: alongside the process


@dataclass(frozen=True)
class Trajectplan:
    """One trajectory's steps, up to the peildatum."""

    nummer: int
    gemeente: str
    asielstatushouder: bool
    stappen: tuple[Stap, ...]

    @property
    def fase(self) -> Procesfase:
        return max(s.fase for s in self.stappen if s.fase is not None)
