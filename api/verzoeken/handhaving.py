"""Request bodies for each step of a handhavingszaak in Awb order (domain/traject/handhaving.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from api.schemas import Bedrag, CommandoSchema, Datum, DatumCreate, IsoDatum, Keuze, Tekst
from domain import commandos
from domain.waarden import Boeteartikel, Boetegrond, UitkomstBezwaar, Verwijtbaarheid


class OvertredingCreate(CommandoSchema):
    """Een overtreding met rapport (Awb 5:48); opent een handhavingszaak."""

    COMMANDO = commandos.ConstateerOvertreding
    datum: IsoDatum = Field(description="De dag van de gedraging.")
    artikel: Keuze[Boeteartikel]
    grond: Keuze[Boetegrond]
    rapportdatum: IsoDatum
    rapport: Tekst


class VoornemenCreate(CommandoSchema):
    """Het voornemen tot een boete, met gelegenheid voor een zienswijze (Awb 5:53)."""

    COMMANDO = commandos.VerzendBoetevoornemen
    datum: Datum
    zienswijzetermijn: IsoDatum = Field(description="Laatste dag voor de zienswijze.")


class ZienswijzeCreate(CommandoSchema):
    """De zienswijze van de persoon, schriftelijk of mondeling."""

    COMMANDO = commandos.OntvangZienswijze
    datum: Datum
    mondeling: bool
    samenvatting: Tekst


class TermijnverstrijkingCreate(DatumCreate):
    """De zienswijzetermijn is verstreken zonder zienswijze."""

    COMMANDO = commandos.StelZienswijzetermijnVerstrekenVast


class BijstandsverlagingCreate(DatumCreate):
    """De bijstand is voor dezelfde gedraging verlaagd (Wi 27): geen boete."""

    COMMANDO = commandos.RegistreerBijstandsverlaging


class BoetebesluitCreate(CommandoSchema):
    """De boetebeschikking; het bedrag volgt uit het beleid (Bi 7.1)."""

    COMMANDO = commandos.LegBoeteOp
    datum: IsoDatum = Field(description="Dagtekening en bekendmaking van de beschikking.")
    verwijtbaarheid: Keuze[Verwijtbaarheid]
    motivering: Tekst
    uitzonderlijk_geval_motivering: Tekst | None = Field(
        default=None, description="Verplicht voor asielstatushouders (HvJ EU C-158/23)."
    )


class AfzienCreate(CommandoSchema):
    """Het college ziet af van een boete."""

    COMMANDO = commandos.ZieAfVanBoete
    datum: Datum
    reden: Tekst


class BezwaarCreate(DatumCreate):
    """Een bezwaarschrift tegen de boete is ontvangen (Awb 6:7-6:9)."""

    COMMANDO = commandos.OntvangBezwaar


class BezwaarbeslissingCreate(CommandoSchema):
    """De beslissing op bezwaar (Awb 7:10), door iemand die niet bij het besluit betrokken was."""

    COMMANDO = commandos.BeslisOpBezwaar
    datum: Datum
    uitkomst: Keuze[UitkomstBezwaar]
    motivering: Tekst
    nieuw_bedrag: Bedrag | None = Field(default=None, description="Alleen bij deels gegrond.")

    def commando(self, **uit_het_pad: Any) -> commandos.Commando:
        bedrag = Decimal(self.nieuw_bedrag) if self.nieuw_bedrag is not None else None
        return commandos.BeslisOpBezwaar(
            datum=self.datum, uitkomst=self.uitkomst, motivering=self.motivering, nieuw_bedrag=bedrag, **uit_het_pad
        )
