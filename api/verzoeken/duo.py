"""Request bodies for what DUO decided, as received (domain/traject/duo.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from api.schemas import Bedrag, CommandoSchema, Datum, IsoDatum, KorteTekst
from domain import commandos


class TermijnverlengingCreate(CommandoSchema):
    """DUO verlengde de inburgeringstermijn (Wi 12)."""

    COMMANDO = commandos.RegistreerTermijnverlenging
    datum: Datum
    nieuwe_einddatum: IsoDatum
    grond: KorteTekst


class VrijstellingCreate(CommandoSchema):
    """DUO verleende vrijstelling van de inburgeringsplicht (Wi 4)."""

    COMMANDO = commandos.RegistreerVrijstelling
    datum: Datum
    grond: KorteTekst


class OntheffingCreate(CommandoSchema):
    """DUO verleende ontheffing (Wi 5); een volledige ontheffing sluit het traject."""

    COMMANDO = commandos.RegistreerOntheffing
    datum: Datum
    grond: Literal["medisch", "bijzondere_individuele_omstandigheden"]
    volledig: bool


class DuoBoeteCreate(CommandoSchema):
    """Een boete van DUO: Wi 24 (PVT/MAP, EUR 340) of Wi 25 (leerroute, ten hoogste EUR 1.000)."""

    COMMANDO = commandos.RegistreerDuoBoete
    datum: Datum
    artikel: Literal["wi24", "wi25"]
    bedrag: Bedrag

    def commando(self, **uit_het_pad: Any) -> commandos.Commando:
        return commandos.RegistreerDuoBoete(datum=self.datum, artikel=self.artikel, bedrag=Decimal(self.bedrag))
