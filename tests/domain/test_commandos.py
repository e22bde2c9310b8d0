"""A command is the aggregate method's call written down: it refers to the method, and its fields are the method's arguments."""

from __future__ import annotations

import dataclasses
import inspect
import typing

import pytest

from domain import commandos
from domain.traject import Inburgeringstraject


def _alle(klasse: type) -> list[type]:
    return [s for sub in klasse.__subclasses__() for s in [sub, *_alle(sub)]]


BASISSEN = {commandos.ZaakCommando}  # shared fields only; they carry out nothing themselves
COMMANDOS = [c for c in _alle(commandos.Commando) if c.__module__.startswith(f"{commandos.__name__}.") and c not in BASISSEN]
STARTS = {commandos.StartNaTvsProfiel: Inburgeringstraject.start_na_tvs_profiel,
          commandos.StartNaKennisgeving: Inburgeringstraject.start_na_kennisgeving}


def _argumenten(methode: typing.Callable[..., object]) -> dict[str, object]:
    """The method's keyword arguments and their types, without who records (`door`), which the use case adds."""
    typen = typing.get_type_hints(methode)
    return {naam: typen[naam] for naam in inspect.signature(methode).parameters if naam not in ("self", "cls", "door")}


def _velden(commando: type) -> dict[str, object]:
    typen = typing.get_type_hints(commando)
    return {veld.name: typen[veld.name] for veld in dataclasses.fields(commando)}


def test_every_command_refers_to_a_method_of_the_trajectory() -> None:
    assert len(COMMANDOS) > 40
    for commando in COMMANDOS:
        methode = commando.METHODE
        assert getattr(Inburgeringstraject, methode.__name__) is methode, commando.__name__


@pytest.mark.parametrize("commando", [*COMMANDOS, *STARTS], ids=lambda c: c.__name__)
def test_a_commands_fields_are_its_methods_arguments_with_the_same_types(commando: type) -> None:
    methode = STARTS.get(commando) or commando.METHODE
    assert _velden(commando) == _argumenten(methode)
