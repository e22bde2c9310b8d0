"""Subscribing to facts pushed to a receiver (issue 14): request bodies."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from api.gebeurtenistypen import AFGESCHERMD_TYPE, SOORTEN
from api.schemas import Headerwaarde, Keuze, Schema
from domain.abonnement import Abonnementstatus, Bezorgwijze
from domain.waarden import Gemeente


# An absolute http(s) URL (RFC 3986) with a host name or address and an optional port, path and query; no user,
# password or #fragment. The document shows it as the pattern; the same expression is checked.
CALLBACK_PATROON = "^https?://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]{1,5})?(/([A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$"
_CALLBACK = re.compile(CALLBACK_PATROON)


def _http_url(waarde: str) -> str:
    if not _CALLBACK.fullmatch(waarde) or urlsplit(waarde).hostname is None:
        raise PydanticCustomError("callback", "Een absolute http(s)-URL zonder gebruikersnaam, wachtwoord of #fragment, "
                                              "bijvoorbeeld https://ontvanger.example.nl/inburgering.")
    return waarde


GEBEURTENISTYPEN = sorted([*SOORTEN, AFGESCHERMD_TYPE])


def _bekend_type(waarde: str) -> str:
    if waarde not in SOORTEN and waarde != AFGESCHERMD_TYPE:
        raise PydanticCustomError("gebeurtenistype", "Geen gebeurtenistype uit de catalogus (GET /gebeurtenistypen), "
                                                     "bijvoorbeeld nl.wet-inburgering.traject.pip-vastgesteld.")
    return waarde


if TYPE_CHECKING:
    CallbackUrl = str
    Autorisatie = str
    Gebeurtenistype = str
else:
    CallbackUrl = Annotated[str, Field(max_length=2000, json_schema_extra={"pattern": CALLBACK_PATROON, "format": "uri"}),
                            AfterValidator(_http_url)]
    Autorisatie = Headerwaarde
    Gebeurtenistype = Annotated[str, AfterValidator(_bekend_type), WithJsonSchema({"type": "string", "enum": GEBEURTENISTYPEN})]

def _elk_een_keer(waarden: list[Any]) -> list[Any]:
    if dubbel := sorted({str(w) for w in waarden if waarden.count(w) > 1}):
        raise PydanticCustomError("dubbel", "Noem elke waarde één keer; dubbel: {dubbel}.", {"dubbel": ", ".join(dubbel)})
    return waarden


Gebeurtenistypen = Annotated[list[Gebeurtenistype], AfterValidator(_elk_een_keer), Field(
    min_length=1, max_length=len(SOORTEN) + 1, json_schema_extra={"uniqueItems": True},
    description="Alleen feiten van deze soorten (CloudEvents-type, zie /gebeurtenistypen), zoals de rol van de abonnee ze ziet; "
    "zonder: elke soort.")]
Gemeenten = Annotated[list[Keuze[Gemeente]], AfterValidator(_elk_een_keer), Field(
    min_length=1, max_length=len(Gemeente), json_schema_extra={"uniqueItems": True},
    description="Alleen feiten vastgelegd namens deze gemeenten (binnen uw mandaat); zonder: elke gemeente die u mag volgen.")]
def _zonder_null(schema: dict[str, Any]) -> None:
    # The document shows only the value a field takes; null is refused (`_niet_leeg`), absent is no change.
    [waarde] = [soort for soort in schema.pop("anyOf") if soort != {"type": "null"}]
    schema.update(waarde)


CALLBACK = "Waarheen de feiten worden gepost (http of https; in productie gebruik https)."
AUTORISATIE = "De waarde die elke bezorging als Authorization-header meestuurt, zoals de ontvanger die vraagt. Wordt nooit teruggegeven."


class AbonnementCreate(Schema):
    """Een abonnement: de feiten die u uit de feed mag lezen, gepusht naar uw ontvanger."""

    VOORBEELD = {
        "callbackUrl": "https://ontvanger.example.nl/inburgering",
        "gemeenten": ["0505"],
        "bezorgwijze": "gestructureerd",
    }

    callback_url: CallbackUrl = Field(description=CALLBACK)
    autorisatie: Autorisatie | None = Field(default=None, description=AUTORISATIE)
    gebeurtenistypen: Gebeurtenistypen | None = None
    gemeenten: Gemeenten | None = None
    bezorgwijze: Keuze[Bezorgwijze] = Field(
        default=Bezorgwijze.GESTRUCTUREERD,
        description="gestructureerd: elk feit als één CloudEvent in JSON (application/cloudevents+json); binair: elk feit met "
        "zijn attributen als ce-headers; batch: de feiten van één lezing als JSON-array (application/cloudevents-batch+json).")
    vanaf: int | None = Field(
        default=None, ge=0, le=10**15,
        description="De logpositie waarna de bezorging begint (0: vanaf het begin, om te herspelen); zonder: vanaf nu.")


class AbonnementWijziging(Schema):
    """Wijzig wat u opgeeft; wat u weglaat blijft. Met `status` actief hervat u een geschorst abonnement vanaf zijn positie."""

    VOORBEELD = {"status": "geschorst"}

    # Not nullable in the document (a null is refused with a reason, `_niet_leeg`); absent is no change.
    # Optional rather than a union with None, which would refuse a wrong value twice: once per member.
    callback_url: CallbackUrl | None = Field(default=None, description=CALLBACK, json_schema_extra=_zonder_null)
    autorisatie: Autorisatie | None = Field(default=None, description=AUTORISATIE + " Met null stopt het meesturen.")
    gebeurtenistypen: Gebeurtenistypen | None = Field(default=None, description="Met null: weer elke soort.")
    gemeenten: Gemeenten | None = Field(default=None, description="Met null: weer elke gemeente die u mag volgen.")
    bezorgwijze: Keuze[Bezorgwijze] | None = Field(default=None, json_schema_extra=_zonder_null)
    status: Keuze[Abonnementstatus] | None = Field(
        default=None, json_schema_extra=_zonder_null, description="geschorst: de bezorging pauzeert; actief: zij hervat vanaf de positie, met een nieuwe telling van mislukkingen.")

    @field_validator("callback_url", "bezorgwijze", "status", mode="before")
    @classmethod
    def _niet_leeg(cls, waarde: Any) -> Any:
        if waarde is None:
            raise PydanticCustomError("niet_leeg", "Deze instelling kan niet leeg; laat het veld weg om haar te houden.")
        return waarde

    def wijzigingen(self) -> dict[str, Any]:
        """What was sent, by setting: an absent field is no change, a null one clears the setting."""
        gezonden = {naam: getattr(self, naam) for naam in self.model_fields_set}
        if "callback_url" in gezonden:
            gezonden["callback"] = gezonden.pop("callback_url")
        for naam in ("gebeurtenistypen", "gemeenten"):
            if naam in gezonden and gezonden[naam] is not None:
                gezonden[naam] = frozenset(gezonden[naam])
        if "gemeenten" in gezonden:
            gezonden["gemeentefilter"] = gezonden.pop("gemeenten")
        return gezonden
