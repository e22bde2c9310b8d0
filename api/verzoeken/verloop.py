"""Request bodies for moves, assignment, forgetting and corrections (domain/traject/verloop.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from api.schemas import CommandoSchema, Datum, IsoDatum, Keuze, KorteTekst, Schema, T, Tekst, json_getallen
from api.verzoeken import (  # noqa: F401  # every request is known before Correcties is built
    duo,
    handhaving,
    intake,
    ondersteuning,
    pip,
    start,
    uitvoering,
)
from domain.persoonsgegevens import GrondVerwijdering
from domain.traject import Gebeurtenis, Inburgeringstraject
from domain.waarden import Gemeente


class VerhuizingCreate(CommandoSchema):
    """Verhuizing naar een andere Drechtsteden-gemeente; het traject verhuist mee."""

    VOORBEELD = {"datum": "2025-06-02", "naar": "0642"}

    METHODE = Inburgeringstraject.verhuis_binnen_regio
    datum: Datum
    naar: Keuze[Gemeente]


class OverdrachtCreate(CommandoSchema):
    """Verhuizing buiten de regio: overdracht aan de nieuwe gemeente, het traject sluit."""

    VOORBEELD = {
        "datum": "2025-03-01",
        "nieuweGemeente": "0363",
        "toelichting": "Verhuisd naar Amsterdam; dossier warm overgedragen.",
    }

    METHODE = Inburgeringstraject.verhuis_buiten_regio
    datum: Datum
    nieuwe_gemeente: str = Field(pattern=r"^[0-9]{4}$", description="CBS-code van de nieuwe gemeente.")
    toelichting: Tekst


class RegisseurToewijzingCreate(CommandoSchema):
    """Een andere regisseur neemt het traject over."""

    VOORBEELD = {"datum": "2025-01-07", "regisseur": "j.jansen"}

    METHODE = Inburgeringstraject.wijs_regisseur_toe
    datum: Datum
    regisseur: KorteTekst = Field(description="De gebruikers-id van de regisseur.")


class VerwijderingNaBewaartermijn(CommandoSchema):
    """De bewaartermijn is verstreken: vijf jaar na het einde van de inburgeringsplicht, voor BSN en de
    gegevens van Bi 9.9 lid 2 vijftig jaar. Alleen de klassen waarvan de termijn om is gaan weg."""

    VOORBEELD = {"grond": "bewaartermijn_verstreken"}

    METHODE = Inburgeringstraject.verwijder_persoonsgegevens
    grond: Literal[GrondVerwijdering.BEWAARTERMIJN_VERSTREKEN]


class VerwijderingNaOverlijden(CommandoSchema):
    """De persoon is overleden: alle persoonsgegevens gaan weg en de inburgeringsplicht eindigt."""

    VOORBEELD = {"grond": "overlijden", "overlijdensdatum": "2025-05-12"}

    METHODE = Inburgeringstraject.verwijder_persoonsgegevens
    grond: Literal[GrondVerwijdering.OVERLIJDEN]
    overlijdensdatum: IsoDatum


VerwijderingCreate = Annotated[VerwijderingNaBewaartermijn | VerwijderingNaOverlijden, Field(discriminator="grond")]


VERWIJDERING = (
    "Verwijdering van de persoonsgegevens van het traject (Bi 9.9), na afloop van de bewaartermijn of na overlijden. "
    "De sleutels worden vernietigd; de feiten blijven, met hun data en bedragen, zonder persoonsgegevens."
)


def _onderklassen(soort: type[T]) -> list[type[T]]:
    onder: list[type[T]] = []
    for direct in soort.__subclasses__():
        onder += [direct, *_onderklassen(direct)]
    return onder


def _verzoektype(veld: FieldInfo) -> tuple[Any, list[Any], Any]:
    """A request field's type with its limits; not its default, description or whether null may be sent."""
    soort = veld.annotation
    if get_origin(soort) is Union and type(None) in get_args(soort):
        [soort] = [a for a in get_args(soort) if a is not type(None)]
    return soort, veld.metadata, veld.json_schema_extra


def _iets_gecorrigeerd(correcties: dict[str, Any]) -> dict[str, Any]:
    if not correcties:
        raise PydanticCustomError("leeg", "Noem ten minste één veld met de juiste waarde.")
    return correcties


def _correcties() -> Any:
    """What a correction may name, each field typed as the request that first recorded it.

    The domain says which fields of which fact are open to correction (CORRIGEERBAAR); the request
    schemas say what a valid value is. A field name means the same across this API, so its request
    field is the one declaration; were two requests ever to differ, this fails at start-up. Whether
    the corrected fact has the field open can only be judged with the fact loaded (409, in the domain).
    """
    velden = {}
    for naam in sorted({veld for feit in _onderklassen(Gebeurtenis) for veld in feit.CORRIGEERBAAR}):
        soorten = [_verzoektype(schema.model_fields[naam]) for schema in _onderklassen(Schema) if naam in schema.model_fields]
        if not soorten or any(soort != soorten[0] for soort in soorten):
            raise TypeError(f"Het corrigeerbare veld {naam!r} heeft {len({repr(s) for s in soorten})} typen in de verzoeken, niet één.")
        soort, grenzen, extra = soorten[0]
        velden[naam] = Annotated[soort, *grenzen, Field(json_schema_extra=extra)]
    correcties: Any = TypedDict("Correcties", velden, total=False)  # type: ignore[misc]  # built from the domain's CORRIGEERBAAR
    correcties.__doc__ = "De velden van het feit die worden gecorrigeerd, elk met de eisen van het oorspronkelijke verzoek."
    correcties.__pydantic_config__ = ConfigDict(**Schema.model_config, json_schema_extra={"minProperties": 1})  # type: ignore[attr-defined]
    return Annotated[correcties, BeforeValidator(json_getallen), AfterValidator(_iets_gecorrigeerd)]


if TYPE_CHECKING:
    Correcties = dict[str, Any]
else:
    Correcties = _correcties()


class CorrectieCreate(CommandoSchema):
    """Correctie van een vastgelegd feit; de geschiedenis blijft zoals ze was."""

    VOORBEELD = {
        "datum": "2025-02-05",
        "versie": 4,
        "correcties": {"huisvestingsdatum": "2025-01-30"},
        "toelichting": "De sleutels zijn een dag eerder overgedragen.",
    }

    METHODE = Inburgeringstraject.corrigeer
    datum: Datum
    versie: int = Field(ge=1, le=1_000_000_000, description="Het volgnummer van het te corrigeren feit.")
    correcties: Correcties = Field(description="Veld en juiste waarde; welke velden openstaan, hangt af van het feit.")
    toelichting: Tekst
