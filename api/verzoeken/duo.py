"""Request bodies for what DUO decided, as received (domain/traject/duo.py)."""

from __future__ import annotations

from typing import Literal

from api.schemas import Bedrag, CommandoSchema, Datum, IsoDatum, KorteTekst
from domain.traject import Inburgeringstraject


class TermijnverlengingCreate(CommandoSchema):
    """DUO verlengde de inburgeringstermijn (Wi 12)."""

    VOORBEELD = {"datum": "2026-01-05", "nieuweEinddatum": "2028-10-16", "grond": "Niet verwijtbaar: langdurige ziekte"}

    METHODE = Inburgeringstraject.registreer_termijnverlenging
    datum: Datum
    nieuwe_einddatum: IsoDatum
    grond: KorteTekst


class VrijstellingCreate(CommandoSchema):
    """DUO verleende vrijstelling van de inburgeringsplicht (Wi 4)."""

    VOORBEELD = {"datum": "2026-03-02", "grond": "Diploma Nederlands als tweede taal (NT2) programma II"}

    METHODE = Inburgeringstraject.registreer_vrijstelling
    datum: Datum
    grond: KorteTekst


class OntheffingCreate(CommandoSchema):
    """DUO verleende ontheffing (Wi 5); een volledige ontheffing sluit het traject."""

    VOORBEELD = {"datum": "2026-03-02", "grond": "medisch", "volledig": True}

    METHODE = Inburgeringstraject.registreer_ontheffing
    datum: Datum
    grond: Literal["medisch", "bijzondere_individuele_omstandigheden"]
    volledig: bool


class DuoBoeteCreate(CommandoSchema):
    """Een boete van DUO: Wi 24 (PVT/MAP, EUR 340) of Wi 25 (leerroute, ten hoogste EUR 1.000)."""

    VOORBEELD = {"datum": "2026-02-02", "artikel": "wi24", "bedrag": "340.00"}

    METHODE = Inburgeringstraject.registreer_duo_boete
    datum: Datum
    artikel: Literal["wi24", "wi25"]
    bedrag: Bedrag
