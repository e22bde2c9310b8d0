"""Request bodies for each step of a handhavingszaak in Awb order (domain/traject/handhaving.py)."""

from __future__ import annotations

from pydantic import Field

from api.schemas import Bedrag, CommandoSchema, Datum, DatumCreate, IsoDatum, Keuze, Tekst
from domain.traject import Inburgeringstraject
from domain.waarden import Boeteartikel, Boetegrond, UitkomstBezwaar, Verwijtbaarheid


class OvertredingCreate(CommandoSchema):
    """Een overtreding met rapport (Awb 5:48); opent een handhavingszaak."""

    VOORBEELD = {
        "datum": "2025-11-17",
        "artikel": "wi23",
        "grond": "voortgangsgesprek_gemist",
        "rapportdatum": "2025-11-18",
        "rapport": "Niet verschenen op het voortgangsgesprek en niet afgemeld.",
    }

    METHODE = Inburgeringstraject.constateer_overtreding
    datum: IsoDatum = Field(description="De dag van de gedraging.")
    artikel: Keuze[Boeteartikel]
    grond: Keuze[Boetegrond]
    rapportdatum: IsoDatum
    rapport: Tekst


class VoornemenCreate(CommandoSchema):
    """Het voornemen tot een boete, met gelegenheid voor een zienswijze (Awb 5:53)."""

    VOORBEELD = {"datum": "2025-11-20", "zienswijzetermijn": "2025-12-04"}

    METHODE = Inburgeringstraject.verzend_boetevoornemen
    datum: Datum
    zienswijzetermijn: IsoDatum = Field(description="Laatste dag voor de zienswijze.")


class ZienswijzeCreate(CommandoSchema):
    """De zienswijze van de persoon, schriftelijk of mondeling."""

    VOORBEELD = {"datum": "2025-11-28", "mondeling": True, "samenvatting": "Het gesprek vergeten door een ziek kind."}

    METHODE = Inburgeringstraject.ontvang_zienswijze
    datum: Datum
    mondeling: bool
    samenvatting: Tekst


class TermijnverstrijkingCreate(DatumCreate):
    """De zienswijzetermijn is verstreken zonder zienswijze."""

    VOORBEELD = {"datum": "2025-12-05"}

    METHODE = Inburgeringstraject.stel_zienswijzetermijn_verstreken_vast


class BijstandsverlagingCreate(DatumCreate):
    """De bijstand is voor dezelfde gedraging verlaagd (Wi 27): geen boete."""

    VOORBEELD = {"datum": "2025-12-08"}

    METHODE = Inburgeringstraject.registreer_bijstandsverlaging


class BoetebesluitCreate(CommandoSchema):
    """De boetebeschikking; het bedrag volgt uit het beleid (Bi 7.1)."""

    VOORBEELD = {
        "datum": "2025-12-08",
        "verwijtbaarheid": "grove_schuld",
        "motivering": "Vaker niet verschenen zonder afmelding.",
        "uitzonderlijkGevalMotivering": "Derde keer dit jaar.",
    }

    METHODE = Inburgeringstraject.leg_boete_op
    datum: IsoDatum = Field(description="Dagtekening en bekendmaking van de beschikking.")
    verwijtbaarheid: Keuze[Verwijtbaarheid]
    motivering: Tekst
    uitzonderlijk_geval_motivering: Tekst | None = Field(
        default=None, description="Verplicht voor asielstatushouders (HvJ EU C-158/23)."
    )


class AfzienCreate(CommandoSchema):
    """Het college ziet af van een boete."""

    VOORBEELD = {"datum": "2025-12-08", "reden": "De zienswijze maakt aannemelijk dat de persoon niets te verwijten valt."}

    METHODE = Inburgeringstraject.zie_af_van_boete
    datum: Datum
    reden: Tekst


class BezwaarCreate(DatumCreate):
    """Een bezwaarschrift tegen de boete is ontvangen (Awb 6:7-6:9)."""

    VOORBEELD = {"datum": "2026-01-12"}

    METHODE = Inburgeringstraject.ontvang_bezwaar


class BezwaarbeslissingCreate(CommandoSchema):
    """De beslissing op bezwaar (Awb 7:10), door iemand die niet bij het besluit betrokken was."""

    VOORBEELD = {
        "datum": "2026-02-02",
        "uitkomst": "deels_gegrond",
        "nieuwBedrag": "25.00",
        "motivering": "Verminderd verwijtbaar.",
    }

    METHODE = Inburgeringstraject.beslis_op_bezwaar
    datum: Datum
    uitkomst: Keuze[UitkomstBezwaar]
    motivering: Tekst
    nieuw_bedrag: Bedrag | None = Field(default=None, description="Alleen bij deels gegrond.")
