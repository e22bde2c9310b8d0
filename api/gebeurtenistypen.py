"""One vocabulary for the facts a trajectory records: their CloudEvents type, typed history items and the catalogue.

The history, the audit trail and the feed name a fact by its CloudEvents type (named after the law:
`nl.wet-inburgering.traject.pip-vastgesteld`); the stored topic stays in the log and in the catalogue.
Everything here is read from the facts' own declarations (domain/velden.py): a field's type, whether it
is personal data and who may read it, so a generated client gets typed payloads and the schema an
audience receives never holds a field it may not read.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union
from uuid import UUID

from eventsourcing.utils import get_topic
from pydantic import Field, TypeAdapter, create_model
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict

from api.schemas import ActorPublic, Uitvoer
from domain.doelbinding import soort_afgeschermd_voor
from domain.feitsoorten import TRAJECTFEITEN
from domain.traject import Inburgeringstraject
from domain.velden import IEDEREEN, Veld, velden, veldtypen
from domain.waarden import Gemeente, Rol

TYPE_PREFIX = "nl.wet-inburgering.traject."
AFGESCHERMD_TYPE = TYPE_PREFIX + "afgeschermd"  # a fact whose kind alone is outside the reader's purpose
# Shown beside `gegevens`, not in it: the envelope, when it took effect and who recorded it.
BASISVELDEN = frozenset({"originator_id", "originator_version", "originator_topic", "timestamp", "datum", "metadata"})
LEZERS = sorted(IEDEREEN)  # the audiences a catalogue entry has a schema for


@cache  # per kind of fact; asked for every fact of every history and feed page
def naam(soort: type) -> str:
    """'Inburgeringstraject.PipVastgesteld' -> 'PipVastgesteld' (the trajectory's start is stored as 'Gestart')."""
    return get_topic(soort).removeprefix(Inburgeringstraject.FEITEN)


@cache
def cloudevent_type(soort: type) -> str:
    """The fact's type in every answer: 'PipVastgesteld' -> 'nl.wet-inburgering.traject.pip-vastgesteld'."""
    return TYPE_PREFIX + "".join(f"-{c.lower()}" if c.isupper() else c for c in naam(soort)).lstrip("-")


def type_voor(soort: type, rol: Rol) -> str:
    return AFGESCHERMD_TYPE if soort_afgeschermd_voor(rol, soort) else cloudevent_type(soort)


SOORTEN: dict[str, type] = {cloudevent_type(soort): soort for soort in TRAJECTFEITEN}


# -- the fields of `gegevens`, as the history writes them ----------------------------------------


def gegevensvelden(soort: type) -> dict[str, tuple[Veld, Any]]:
    """Per field of `gegevens` (camelCase, as on the wire): its declaration and its type on the wire."""
    return {
        to_camel(veldnaam): (veld, _op_de_draad(veldtypen(soort)[veldnaam], veld))
        for veldnaam, veld in velden(soort).items() if veldnaam not in BASISVELDEN
    }


def _op_de_draad(soort: Any, veld: Veld) -> Any:
    """Amounts travel as strings, like every amount in this API; a personal field is null once forgotten."""
    draad = str if soort is Decimal else str | None if soort == Decimal | None else soort
    return draad | None if veld.persoonsgegeven is not None and draad is not Any else draad


def _uitleg(veld: Veld) -> str:
    lezers = ", ".join(sorted(veld.lezers)) or "niemand"
    if veld.persoonsgegeven is None:
        return f"Geen persoonsgegeven. Lezers: {lezers}."
    soort = "Bijzonder persoonsgegeven" if veld.bijzonder else "Persoonsgegeven"
    return f"{soort}, bewaarklasse {veld.persoonsgegeven.value}; leeg (null) nadat de sleutel is vernietigd. Lezers: {lezers}."


# -- typed history items ------------------------------------------------------------------------


class GebeurtenisBasis(Uitvoer):
    """Een vastgelegd feit: wat, wanneer het gold, wanneer en door wie het is vastgelegd."""

    type: str = Field(description="Het soort feit (CloudEvents-type, zie /gebeurtenistypen).")  # a Literal per kind below
    versie: int
    datum: date = Field(description="De datum waarop het feit gold.")
    vastgelegd_op: datetime = Field(description="Het moment van vastleggen (UTC).")
    actor: ActorPublic
    correlatie_id: str
    afgeschermd: list[str] = Field(
        description="Velden die dit feit heeft maar die voor de rol van de lezer niet zijn bedoeld (doelbinding, AVG art. 5(1)(b))."
    )
    bijzondere_persoonsgegevens: list[str] = Field(
        description="Velden in `gegevens` met bijzondere persoonsgegevens (gezondheid, AVG art. 9)."
    )
    verwijderd: list[str] = Field(
        default=[],
        description="Velden in `gegevens` die leeg zijn omdat hun sleutel is vernietigd (Bi 9.9); "
        "een punt wijst een veld binnen een veld aan, zoals correcties.verslag.",
    )


def _gegevens(soort: type) -> type:
    """A TypedDict without required keys: a reader gets the fields its role may read, no others."""
    velden_ = {sleutel: Annotated[draad, Field(description=_uitleg(veld))] for sleutel, (veld, draad) in gegevensvelden(soort).items()}
    gegevens: Any = TypedDict(f"{naam(soort)}Gegevens", velden_, total=False)  # type: ignore[misc]  # one per kind of fact
    gegevens.__doc__ = f"De inhoud van het feit {naam(soort)}, voor zover de rol van de lezer die nodig heeft."
    return gegevens


def _item(soort: type) -> type[GebeurtenisBasis]:
    return create_model(
        f"{naam(soort)}Gebeurtenis",
        __base__=GebeurtenisBasis,
        __doc__=soort.OMSCHRIJVING,  # type: ignore[attr-defined]
        # A Literal made per kind of fact, which the type checker cannot follow.
        type=(Literal[cloudevent_type(soort)], Field(description="Het soort feit (CloudEvents-type, zie /gebeurtenistypen).")),  # type: ignore[arg-type]
        gegevens=(_gegevens(soort), Field(description="De inhoud van het feit, voor zover de rol van de lezer die nodig heeft.")),
    )


class AfgeschermdGebeurtenis(GebeurtenisBasis):
    """Een feit waarvan al het soort buiten het doel van de lezer valt (bijvoorbeeld een ontheffing wegens een beperking)."""

    type: Literal["nl.wet-inburgering.traject.afgeschermd"] = Field(description="Het soort feit: afgeschermd voor de rol van de lezer.")
    gegevens: dict[str, Any] = Field(description="Altijd leeg.", max_length=0)


ITEMS: dict[str, Any] = {t: _item(soort) for t, soort in SOORTEN.items()} | {AFGESCHERMD_TYPE: AfgeschermdGebeurtenis}
if TYPE_CHECKING:  # to the type checker one item; at run time the union of every kind, discriminated on `type`
    GebeurtenisPublic = GebeurtenisBasis
else:
    GebeurtenisPublic = Annotated[Union[tuple(ITEMS.values())], Field(discriminator="type")]  # noqa: UP007


class GebeurtenissenPublic(Uitvoer):
    """De feiten van een traject, oudste eerst, zoals de rol van de gebruiker ze mag zien."""

    gebeurtenissen: list[GebeurtenisPublic]


class TrajectHistoriePublic(Uitvoer):
    """De volledige geschiedenis van één traject."""

    traject_id: UUID
    gemeente: Gemeente
    gebeurtenissen: list[GebeurtenisPublic]


class HistoriePublic(Uitvoer):
    """De volledige geschiedenis van de trajecten van een persoon."""

    trajecten: list[TrajectHistoriePublic]


# -- the catalogue ------------------------------------------------------------------------------


def gegevensschema(soort: type, rol: Rol) -> dict[str, Any]:
    """The JSON Schema of `gegevens` as `rol` receives it: exactly the fields it may read, every one present."""
    eigenschappen = {
        sleutel: TypeAdapter(draad).json_schema(mode="serialization") | {"description": _uitleg(veld)}
        for sleutel, (veld, draad) in gegevensvelden(soort).items() if rol in veld.lezers
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{naam(soort)}: gegevens voor {rol.value}",
        "type": "object",
        "properties": eigenschappen,
        "required": sorted(eigenschappen),
        "additionalProperties": False,
    }


class GebeurtenistypePublic(Uitvoer):
    """Eén soort feit: hoe het heet, wat het betekent, waarop het steunt en wat elke lezer ervan krijgt."""

    type: str = Field(description="Het CloudEvents-type, zoals in de historie, de audittrail en de feed.")
    topic: str = Field(description="Het topic waaronder het feit in het log staat; leeg voor het afgeschermde type, dat een lezer "
                       "krijgt in plaats van het echte.")
    omschrijving: str
    rechtsgrond: str = Field(description="De wettelijke grondslag, of het beleid van SDD waar het geen wet is.")
    versie: int = Field(description="De versie van de vorm van het feit; een nieuwe vorm krijgt een nieuwe versie en een upcaster.")
    zichtbaar_voor: list[Rol] = Field(description="De rollen die mogen zien dat zo'n feit bestaat; voor de andere heet het afgeschermd.")
    schemas: dict[str, dict[str, Any]] = Field(
        description="Per rol het JSON Schema (2020-12) van `gegevens` zoals die rol het feit krijgt. De `dataschema` van een "
        "CloudEvent wijst hiernaar."
    )


class GebeurtenistypenPublic(Uitvoer):
    """De catalogus van feitsoorten met hun schema's per doelgroep."""

    gebeurtenistypen: list[GebeurtenistypePublic]


def gebeurtenistype(soort: type) -> GebeurtenistypePublic:
    zichtbaar = [rol for rol in LEZERS if not soort_afgeschermd_voor(rol, soort)]
    return GebeurtenistypePublic(
        type=cloudevent_type(soort), topic=get_topic(soort), omschrijving=soort.OMSCHRIJVING,  # type: ignore[attr-defined]
        rechtsgrond=soort.RECHTSGROND, versie=getattr(soort, "class_version", 1),  # type: ignore[attr-defined]
        zichtbaar_voor=zichtbaar, schemas={rol.value: gegevensschema(soort, rol) for rol in zichtbaar},
    )


AFGESCHERMD = GebeurtenistypePublic(
    type=AFGESCHERMD_TYPE, topic="", omschrijving=AfgeschermdGebeurtenis.__doc__ or "", rechtsgrond="AVG art. 5(1)(b), art. 9",
    versie=1, zichtbaar_voor=LEZERS,
    schemas={rol.value: {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": f"afgeschermd: gegevens voor {rol.value}",
                         "type": "object", "properties": {}, "required": [], "additionalProperties": False} for rol in LEZERS},
)


@cache
def catalogus() -> GebeurtenistypenPublic:
    return GebeurtenistypenPublic(gebeurtenistypen=[gebeurtenistype(soort) for soort in TRAJECTFEITEN] + [AFGESCHERMD])


def dataschema(basis: str, type_: str, rol: Rol) -> str:
    """Where the schema of a fact's `gegevens` for `rol` is: a JSON Pointer into its catalogue entry."""
    return f"{basis}/gebeurtenistypen/{type_}#/schemas/{rol.value}"



# -- the committed copy: pinned like the topics, so changing a fact's shape is a deliberate act ----------

CATALOGUS = Path(__file__).resolve().parent.parent / "openapi" / "gebeurtenistypen.json"
PAGINA = CATALOGUS.with_suffix(".md")


def render_catalogus() -> str:
    return json.dumps(catalogus().model_dump(mode="json", by_alias=True), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_pagina() -> str:
    regels = [
        "# Gebeurtenistypen", "",
        "Gegenereerd uit de verklaringen van de feiten (`python -m api.openapi`); niet met de hand bewerken. Elk veld zegt of het",
        "een persoonsgegeven is (en in welke bewaarklasse) en welke rollen het mogen lezen; wie niet genoemd is krijgt het niet.",
        "Dezelfde inhoud, met een JSON Schema per rol, staat in `gebeurtenistypen.json` en op `GET /api/v1/gebeurtenistypen`.", "",
    ]
    for soort in TRAJECTFEITEN:
        t = gebeurtenistype(soort)
        regels += [f"## {naam(soort)}", "", t.omschrijving, "",
                   f"- type: `{t.type}`", f"- topic: `{t.topic}` (versie {t.versie})", f"- rechtsgrond: {t.rechtsgrond}",
                   f"- zichtbaar voor: {', '.join(r.value for r in t.zichtbaar_voor)}", ""]
        velden_ = gegevensvelden(soort)
        if velden_:
            regels += ["| veld | persoonsgegeven | lezers |", "|---|---|---|"]
            regels += [f"| `{sleutel}` | {veld.persoonsgegeven.value if veld.persoonsgegeven else 'nee'}"
                       f"{' (bijzonder)' if veld.bijzonder else ''} | {', '.join(sorted(veld.lezers))} |"
                       for sleutel, (veld, _) in velden_.items()]
            regels.append("")
    return "\n".join(regels)
