"""Request bodies for ontzorgen, begeleiding and tolken (domain/traject/ondersteuning.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas import CommandoSchema, Datum, IsoDatum, KorteTekst
from domain import commandos


class OntzorgingCreate(CommandoSchema):
    """Financieel ontzorgen van een bijstandsgerechtigde asielstatushouder (PW 56a)."""

    COMMANDO = commandos.StartFinancieelOntzorgen
    datum: IsoDatum = Field(description="De dag waarop het recht op bijstand ontstond; ontzorgen loopt zes maanden.")
    vaste_lasten: list[Literal["huur", "gas", "water", "stroom", "zorgverzekering"]] = Field(min_length=1, max_length=5)


class BegeleidingCreate(CommandoSchema):
    """Maatschappelijke begeleiding vanaf de BRP-inschrijving (Wi 13(3); alleen asielstatushouders)."""

    COMMANDO = commandos.StartMaatschappelijkeBegeleiding
    datum: Datum
    uitvoerder: KorteTekst


class TolkvoorzieningCreate(CommandoSchema):
    """Een tolk voor een gesprek of procedure."""

    COMMANDO = commandos.KenTolkvoorzieningToe
    datum: Datum
    taal: KorteTekst
    doel: KorteTekst
