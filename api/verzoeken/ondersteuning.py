"""Request bodies for ontzorgen, begeleiding and tolken (domain/traject/ondersteuning.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas import CommandoSchema, Datum, IsoDatum, KorteTekst
from domain.traject import Inburgeringstraject


class OntzorgingCreate(CommandoSchema):
    """Financieel ontzorgen van een bijstandsgerechtigde asielstatushouder (PW 56a)."""

    VOORBEELD = {"datum": "2025-02-03", "vasteLasten": ["huur", "gas", "water", "stroom", "zorgverzekering"]}

    METHODE = Inburgeringstraject.start_financieel_ontzorgen
    datum: IsoDatum = Field(description="De dag waarop het recht op bijstand ontstond; ontzorgen loopt zes maanden.")
    vaste_lasten: list[Literal["huur", "gas", "water", "stroom", "zorgverzekering"]] = Field(min_length=1, max_length=5)


class BegeleidingCreate(CommandoSchema):
    """Maatschappelijke begeleiding vanaf de BRP-inschrijving (Wi 13(3); alleen asielstatushouders)."""

    VOORBEELD = {"datum": "2025-02-03", "uitvoerder": "Vluchtelingenwerk Zuidwest-Nederland"}

    METHODE = Inburgeringstraject.start_maatschappelijke_begeleiding
    datum: Datum
    uitvoerder: KorteTekst


class TolkvoorzieningCreate(CommandoSchema):
    """Een tolk voor een gesprek of procedure."""

    VOORBEELD = {"datum": "2025-04-10", "taal": "Arabisch", "doel": "PIP-gesprek"}

    METHODE = Inburgeringstraject.ken_tolkvoorziening_toe
    datum: Datum
    taal: KorteTekst
    doel: KorteTekst
