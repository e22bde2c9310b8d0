"""Request bodies for each step of a handhavingszaak in Awb order (domain/traject/handhaving.py)."""

from __future__ import annotations

from pydantic import Field

from api.schemas import Bedrag, CommandoSchema, Datum, DatumCreate, IsoDatum, Keuze, Tekst
from domain.traject import Inburgeringstraject
from domain.waarden import Boeteartikel, Boetegrond, UitkomstBezwaar, Verwijtbaarheid


class OvertredingCreate(CommandoSchema):
    """Een overtreding met rapport (Awb 5:48); opent een handhavingszaak."""

    METHODE = Inburgeringstraject.constateer_overtreding
    datum: IsoDatum = Field(description="De dag van de gedraging.")
    artikel: Keuze[Boeteartikel]
    grond: Keuze[Boetegrond]
    rapportdatum: IsoDatum
    rapport: Tekst


class VoornemenCreate(CommandoSchema):
    """Het voornemen tot een boete, met gelegenheid voor een zienswijze (Awb 5:53)."""

    METHODE = Inburgeringstraject.verzend_boetevoornemen
    datum: Datum
    zienswijzetermijn: IsoDatum = Field(description="Laatste dag voor de zienswijze.")


class ZienswijzeCreate(CommandoSchema):
    """De zienswijze van de persoon, schriftelijk of mondeling."""

    METHODE = Inburgeringstraject.ontvang_zienswijze
    datum: Datum
    mondeling: bool
    samenvatting: Tekst


class TermijnverstrijkingCreate(DatumCreate):
    """De zienswijzetermijn is verstreken zonder zienswijze."""

    METHODE = Inburgeringstraject.stel_zienswijzetermijn_verstreken_vast


class BijstandsverlagingCreate(DatumCreate):
    """De bijstand is voor dezelfde gedraging verlaagd (Wi 27): geen boete."""

    METHODE = Inburgeringstraject.registreer_bijstandsverlaging


class BoetebesluitCreate(CommandoSchema):
    """De boetebeschikking; het bedrag volgt uit het beleid (Bi 7.1)."""

    METHODE = Inburgeringstraject.leg_boete_op
    datum: IsoDatum = Field(description="Dagtekening en bekendmaking van de beschikking.")
    verwijtbaarheid: Keuze[Verwijtbaarheid]
    motivering: Tekst
    uitzonderlijk_geval_motivering: Tekst | None = Field(
        default=None, description="Verplicht voor asielstatushouders (HvJ EU C-158/23)."
    )


class AfzienCreate(CommandoSchema):
    """Het college ziet af van een boete."""

    METHODE = Inburgeringstraject.zie_af_van_boete
    datum: Datum
    reden: Tekst


class BezwaarCreate(DatumCreate):
    """Een bezwaarschrift tegen de boete is ontvangen (Awb 6:7-6:9)."""

    METHODE = Inburgeringstraject.ontvang_bezwaar


class BezwaarbeslissingCreate(CommandoSchema):
    """De beslissing op bezwaar (Awb 7:10), door iemand die niet bij het besluit betrokken was."""

    METHODE = Inburgeringstraject.beslis_op_bezwaar
    datum: Datum
    uitkomst: Keuze[UitkomstBezwaar]
    motivering: Tekst
    nieuw_bedrag: Bedrag | None = Field(default=None, description="Alleen bij deels gegrond.")
