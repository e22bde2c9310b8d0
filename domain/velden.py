"""What each field of a recorded fact is, declared once at the field: personal data or not, and who may read it.

A fact's field is written `verslag: Annotated[str, Veld(KORT, ZONDER_DUO)]`: its type, its retention
class (`NIET_PERSOONLIJK` says explicitly that it holds no personal data) and the audiences that may read
it. Encryption, forgetting, purpose binding, the history, the audit trail and the feed read these
declarations and nothing else. A field without one cannot be stored or shown: `velden()` refuses the
fact, naming it, and tests/domain/test_velden.py fails on it first.

Audiences are an allow-list: a reader not named does not get the field (default deny).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import typing
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

from domain.persoonsgegevens import VERWIJDERD, Bewaarklasse
from domain.waarden import Rol

NIET_PERSOONLIJK = None  # a declaration that the field holds no personal data

# Who reads recorded facts (digest decision 6, section 5.1). DUO gets progress, attendance, leerroute,
# PVT/MAP, boetes and gespreksverslagen (Bi 9.2-9.6), never health or what the brede intake found; a
# handhaver needs no health data; the regisseur of the gemeente and the auditor see everything.
IEDEREEN: frozenset[Rol] = frozenset({Rol.REGISSEUR, Rol.HANDHAVER, Rol.DUO, Rol.AUDITOR})
ZONDER_DUO: frozenset[Rol] = IEDEREEN - {Rol.DUO}  # what the brede intake found, beyond its outcome
REGISSEUR_EN_AUDITOR: frozenset[Rol] = frozenset({Rol.REGISSEUR, Rol.AUDITOR})  # special-category data (AVG art. 9)
NIEMAND: frozenset[Rol] = frozenset()  # bookkeeping of the application itself, shown to no reader


@dataclasses.dataclass(frozen=True)
class Veld:
    """The declaration of one field of a fact.

    `sleutels` declares the keys of a dict field whose keys are other facts' fields (a correction
    carries corrected values under the corrected field's name)."""

    persoonsgegeven: Bewaarklasse | None
    lezers: frozenset[Rol]
    sleutels: Mapping[str, Veld] = dataclasses.field(default_factory=lambda: MappingProxyType({}))

    @property
    def bijzonder(self) -> bool:
        """Special-category personal data (AVG art. 9): kept under the health class's own key."""
        return self.persoonsgegeven is Bewaarklasse.GEZONDHEID


# The envelope every event of the library has; declared here because its classes are not ours.
@dataclasses.dataclass(frozen=True)
class Lezers:
    """Who may read one field of a view the API gives of a trajectory as it is now (GET /trajecten/{id}),
    declared at that field with the same audiences as a fact's fields; a reader not named sees it empty."""

    rollen: frozenset[Rol]


ENVELOP: Mapping[str, Veld] = MappingProxyType({
    naam: Veld(NIET_PERSOONLIJK, IEDEREEN) for naam in ("originator_id", "originator_version", "originator_topic", "timestamp")
})


class OngedeclareerdVeldError(TypeError):
    """A fact's field has no declaration (or more than one): it may not be stored or shown."""

    def __init__(self, soort: type, veld: str, aantal: int, voorbeeld: str | None = None) -> None:
        self.soort, self.veld = soort, veld
        wat = "geen verklaring" if aantal == 0 else f"{aantal} verklaringen"
        voorbeeld = voorbeeld or f"{veld}: Annotated[<type>, Veld(<bewaarklasse of NIET_PERSOONLIJK>, <lezers>)]` (domain/velden.py)"
        super().__init__(f"{soort.__qualname__}.{veld} heeft {wat}: schrijf `{voorbeeld}")


@dataclasses.dataclass(frozen=True)
class _Verklaard:
    veld: Veld
    soort: Any  # the field's type without the declaration, to find the declared fields of a value object


@functools.cache
def _verklaringen(soort: type) -> Mapping[str, _Verklaard]:
    typen = typing.get_type_hints(soort, include_extras=True)
    uit: dict[str, _Verklaard] = {}
    for f in dataclasses.fields(soort):
        if f.name in ENVELOP:
            uit[f.name] = _Verklaard(ENVELOP[f.name], typen.get(f.name))
            continue
        verklaringen = [m for m in getattr(typen[f.name], "__metadata__", ()) if isinstance(m, Veld)]
        if len(verklaringen) != 1:
            raise OngedeclareerdVeldError(soort, f.name, len(verklaringen))
        uit[f.name] = _Verklaard(verklaringen[0], typing.get_args(typen[f.name])[0])
    return MappingProxyType(uit)


@functools.cache
def velden(soort: type) -> Mapping[str, Veld]:
    """Every field of facts of this kind with its declaration; raises OngedeclareerdVeldError for one without."""
    return MappingProxyType({naam: v.veld for naam, v in _verklaringen(soort).items()})


def veldtypen(soort: type) -> Mapping[str, Any]:
    """Every field's type without its declaration, as the type checker and pydantic see it."""
    return MappingProxyType({naam: v.soort for naam, v in _verklaringen(soort).items()})


_UnionType = type(int | None)


def _waardeobject(soort: Any) -> type | None:
    """The declared value object a field holds (Metadata), also when it may be None."""
    kandidaten = [soort, *typing.get_args(soort)] if typing.get_origin(soort) in (typing.Union, _UnionType) else [soort]
    for kandidaat in kandidaten:
        if isinstance(kandidaat, type) and dataclasses.is_dataclass(kandidaat):
            return kandidaat
    return None


@functools.cache
def persoonsvelden(soort: type) -> Mapping[str, Bewaarklasse]:
    """The personal fields of facts of this kind and their class. A dotted name is a key of a dict field
    ("correcties.verslag") or a field of a value object ("metadata.toelichting")."""
    uit: dict[str, Bewaarklasse] = {}
    for naam, verklaard in _verklaringen(soort).items():
        if verklaard.veld.persoonsgegeven is not None:
            uit[naam] = verklaard.veld.persoonsgegeven
        for sleutel, binnen in verklaard.veld.sleutels.items():
            if binnen.persoonsgegeven is not None:
                uit[f"{naam}.{sleutel}"] = binnen.persoonsgegeven
        if (waardeobject := _waardeobject(verklaard.soort)) is not None:
            uit |= {f"{naam}.{pad}": klasse for pad, klasse in persoonsvelden(waardeobject).items()}
    return MappingProxyType(uit)


def vervang_op_pad(toestand: dict[str, Any], pad: str, functie: Callable[[Any], Any]) -> None:
    """Apply `functie` to the field at `pad` of a fact's state: "veld", a key in a dict field
    ("correcties.verslag") or an attribute of a value object ("metadata.toelichting")."""
    veld, _, sleutel = pad.partition(".")
    waarde = toestand.get(veld)
    if not sleutel:
        if veld in toestand:
            toestand[veld] = functie(waarde)
    elif isinstance(waarde, dict) and sleutel in waarde:
        toestand[veld] = dict(waarde) | {sleutel: functie(waarde[sleutel])}
    elif dataclasses.is_dataclass(waarde) and not isinstance(waarde, type) and getattr(waarde, sleutel, None) is not None:
        toestand[veld] = dataclasses.replace(waarde, **{sleutel: functie(getattr(waarde, sleutel))})


def zonder(feit: Any, klassen: Collection[Bewaarklasse]) -> Any:
    """The fact with the fields of these classes replaced by VERWIJDERD (a copy; the fact itself stays)."""
    soort: type = type(feit)
    paden = [pad for pad, klasse in persoonsvelden(soort).items() if klasse in klassen]
    if not paden:
        return feit
    kopie = copy.copy(feit)  # its own __dict__: the fact as stored and cached is not touched
    for pad in paden:
        vervang_op_pad(vars(kopie), pad, lambda waarde: None if waarde is None else VERWIJDERD)
    return kopie
