"""Commands: what a user asks of a trajectory, written down before the aggregate decides.

A command is a call of one of the trajectory's methods: the method itself (a reference that go-to-definition
and a rename follow) and its keyword arguments. The method's signature is the one declaration of what a
command carries; a request body names the method it calls (api/verzoeken/), and
tests/api/test_commandoschemas.py holds each body to its method's arguments.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Vastlegging

DOOR = "door"  # who records: the use case adds it, so no command carries it


@cache
def _handtekening(methode: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(methode)


class _Aanroep(ABC):
    __slots__ = ("methode", "argumenten")
    methode: Callable[..., Any]
    argumenten: Mapping[str, Any]

    def __init__(self, methode: Callable[..., Any], /, **argumenten: Any) -> None:
        # Bound now, so that a command with an argument too many or too few is refused where it is made,
        # not half-way through the use case; the TypeError names the argument.
        self._controleer(methode, argumenten)
        object.__setattr__(self, "methode", methode)
        object.__setattr__(self, "argumenten", MappingProxyType(dict(argumenten)))

    @abstractmethod
    def _controleer(self, methode: Callable[..., Any], argumenten: dict[str, Any]) -> None:
        """Raise TypeError when this call could not be made as written."""

    def __setattr__(self, naam: str, waarde: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is onveranderlijk")

    def __eq__(self, ander: object) -> bool:
        return (isinstance(ander, _Aanroep) and type(ander) is type(self)
                and (ander.methode, dict(ander.argumenten)) == (self.methode, dict(self.argumenten)))

    def __hash__(self) -> int:
        return hash((self.methode, tuple(sorted(self.argumenten))))

    def __repr__(self) -> str:
        argumenten = ", ".join(f"{naam}={waarde!r}" for naam, waarde in self.argumenten.items())
        return f"{type(self).__name__}({self.methode.__qualname__}, {argumenten})"


class Commando(_Aanroep):
    """A command on an existing trajectory: `Commando(Inburgeringstraject.registreer_diploma, datum=...)`."""

    def _controleer(self, methode: Callable[..., Any], argumenten: dict[str, Any]) -> None:
        if getattr(Inburgeringstraject, methode.__name__, None) is not methode:
            raise TypeError(f"{methode.__qualname__} is geen methode van het traject")
        _handtekening(methode).bind(None, **argumenten, **{DOOR: None})

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> Any:
        return self.methode(traject, **self.argumenten, **{DOOR: door})


class Start(_Aanroep):
    """A command that starts a trajectory: `Start(Inburgeringstraject.start_na_tvs_profiel, datum=..., ...)`.
    Every start names the gemeente and the person, which the use case checks before anything is made."""

    def _controleer(self, methode: Callable[..., Any], argumenten: dict[str, Any]) -> None:
        if getattr(methode, "__self__", None) is not Inburgeringstraject:
            raise TypeError(f"{methode.__qualname__} start geen traject")
        _handtekening(methode).bind(**argumenten, **{DOOR: None})

    @property
    def gemeente(self) -> Gemeente:
        return Gemeente(self.argumenten["gemeente"])

    @property
    def bsn(self) -> str:
        return str(self.argumenten["bsn"])

    def starten(self, door: Vastlegging) -> Inburgeringstraject:
        return self.methode(**self.argumenten, **{DOOR: door})
