"""Every request body that becomes a command is its method's arguments on the wire: the method's signature is
the one declaration, and a body may add only the limits of the wire. No body carries a field its method does
not take, leaves out one it requires, or holds, once validated, a value of another type than the method's."""

from __future__ import annotations

import inspect
import typing
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
import typing_extensions
from pydantic import AfterValidator

from api import schemas
from api.verzoeken import start, verloop  # noqa: F401  # verloop loads every request body (to build Correcties)
from domain.commandos import DOOR
from domain.traject import Inburgeringstraject


def _alle(klasse: type) -> list[type]:
    return [s for sub in klasse.__subclasses__() for s in [sub, *_alle(sub)]]


# A body that is a command; bases that only share fields (PipInhoud, DatumCreate) name no method themselves.
SCHEMAS = [s for s in _alle(schemas.CommandoSchema) + _alle(start.StartSchema) if "METHODE" in vars(s)]
UIT_HET_PAD = {"zaaknummer"}  # the handhavingszaak a step belongs to is named in its URL
KEUZE_VAN_DE_ROUTE = {"aanleiding"}  # which start: the discriminator of the start body
VERTAALD = {"status": ("gevoerd", bool)}  # a gesprek's status on the wire, a yes/no to the method


def _argumenten(methode: typing.Callable[..., object]) -> dict[str, inspect.Parameter]:
    return {naam: p for naam, p in inspect.signature(methode).parameters.items() if naam not in ("self", "cls", DOOR)}


def _na_validatie(soort: Any) -> Any:
    """The Python type a body's field holds once validated, without the wire's limits."""
    if get_origin(soort) is Annotated:
        basis, *extra = get_args(soort)
        omgezet = [v.func for v in extra if isinstance(v, AfterValidator) and isinstance(v.func, type)]
        return omgezet[-1] if omgezet else _na_validatie(basis)
    if get_origin(soort) is Literal:
        [waardetype] = {type(w) for w in get_args(soort)}
        return waardetype
    if get_origin(soort) in (Union, UnionType):
        return Union[tuple(_na_validatie(a) for a in get_args(soort))]  # noqa: UP007  # built from a tuple
    if get_origin(soort) in (list, frozenset, set, dict):
        return get_origin(soort)[tuple(_na_validatie(a) for a in get_args(soort))]
    if typing_extensions.is_typeddict(soort):
        return dict[str, Any]
    if isinstance(soort, type) and issubclass(soort, schemas.Schema):
        return dict[str, str]  # a group of optional texts, given as the ones filled in (CommandoSchema.argumenten)
    return soort


def _leden(soort: Any) -> set[Any]:
    return set(get_args(soort)) if get_origin(soort) in (Union, UnionType) else {soort}


def _velden(schema: type[schemas.Schema]) -> dict[str, Any]:
    """The body's fields by the method's names, each with its type once validated."""
    typen = typing.get_type_hints(schema, include_extras=True)
    velden = {}
    for naam in schema.model_fields:
        if naam in KEUZE_VAN_DE_ROUTE:
            continue
        naam, soort = VERTAALD.get(naam, (naam, _na_validatie(typen[naam])))
        velden[naam] = soort
    return velden


def test_every_method_that_records_a_fact_has_a_body_and_each_body_names_a_method_of_the_trajectory() -> None:
    methoden = {naam for naam, functie in inspect.getmembers(Inburgeringstraject, inspect.isroutine)
                if not naam.startswith("_") and DOOR in inspect.signature(functie).parameters}
    genoemd = [schema.METHODE for schema in SCHEMAS]
    assert all(getattr(Inburgeringstraject, methode.__name__) == methode for methode in genoemd)
    assert methoden - {methode.__name__ for methode in genoemd} == set()
    assert len(methoden) > 40


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.__name__)
def test_a_body_is_its_methods_arguments_and_holds_only_values_the_method_takes(schema: Any) -> None:
    """A body may be narrower than its method (a choice of texts for a `str`, a value it always sends for
    one the method may leave out), never wider: a body default, sent like any value, is held to the same."""
    argumenten = _argumenten(schema.METHODE)
    velden = _velden(schema)
    assert set(velden) <= set(argumenten), f"{schema.__name__} has fields {schema.METHODE.__name__} does not take"
    verplicht = {naam for naam, p in argumenten.items() if p.default is inspect.Parameter.empty}
    assert verplicht <= set(velden) | UIT_HET_PAD, f"{schema.__name__} misses what {schema.METHODE.__name__} requires"
    typen = typing.get_type_hints(schema.METHODE)
    for naam, soort in velden.items():
        assert _leden(soort) <= _leden(typen[naam]), f"{schema.__name__}.{naam} holds {soort}, {schema.METHODE.__name__} takes {typen[naam]}"


def test_the_type_check_sees_through_the_wire_to_what_the_method_receives() -> None:
    assert _na_validatie(schemas.Bedrag) is __import__("decimal").Decimal
    assert _na_validatie(schemas.Datum | None) == (__import__("datetime").date | NoneType)
    assert _na_validatie(Literal["a", "b"]) is str
    assert not _leden(_na_validatie(schemas.Datum | None)) <= _leden(__import__("datetime").date)  # None where the method takes none
