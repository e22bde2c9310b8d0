"""Request bodies from COA and DUO to the brede intake (domain/traject/intake.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas import CommandoSchema, Datum, IsoDatum, Keuze, Schema, Tekst
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Leerroute, Verblijfsvergunning


class CoaOverdrachtCreate(CommandoSchema):
    """De warme overdracht door het COA (alleen asielstatushouders)."""

    VOORBEELD = {
        "datum": "2025-01-08",
        "verslag": "Driegesprek met COA, inburgeraar en tolk; huisvesting in Dordrecht besproken.",
        "tolkAanwezig": True,
    }

    METHODE = Inburgeringstraject.registreer_coa_warme_overdracht
    datum: Datum
    verslag: Tekst
    tolk_aanwezig: bool = False


class KennisgevingCreate(CommandoSchema):
    """De kennisgeving van DUO van de inburgeringsplicht."""

    VOORBEELD = {"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"}

    METHODE = Inburgeringstraject.registreer_kennisgeving
    datum: IsoDatum = Field(description="Dagtekening van de kennisgeving.")
    verblijfsvergunning: Keuze[Verblijfsvergunning]
    referent_verblijfsvergunning: Keuze[Verblijfsvergunning] | None = None


class HuisvestingCreate(CommandoSchema):
    """Huisvesting en inschrijving in de BRP van de gemeente."""

    VOORBEELD = {"datum": "2025-02-03", "gemeente": "0505", "huisvestingsdatum": "2025-01-31"}

    METHODE = Inburgeringstraject.registreer_huisvesting
    datum: IsoDatum = Field(description="Datum van inschrijving in de BRP van de gemeente van huisvesting.")
    gemeente: Keuze[Gemeente]
    huisvestingsdatum: IsoDatum | None = Field(default=None, description="Datum van huisvesting (sleuteloverdracht).")


class IntakeOproepCreate(CommandoSchema):
    """Een oproep voor de brede intake; een herhaalde oproep gaat met een schriftelijke waarschuwing (Wi 14)."""

    VOORBEELD = {"datum": "2025-02-04", "uiterlijk": "2025-02-14"}

    METHODE = Inburgeringstraject.verzend_intake_oproep
    datum: Datum
    uiterlijk: IsoDatum = Field(description="Laatste dag waarop de persoon moet verschijnen.")
    schriftelijke_waarschuwing: bool = False


class KennismakingsgesprekCreate(CommandoSchema):
    """Het kennismakingsgesprek waarmee de brede intake van een asielstatushouder begint."""

    VOORBEELD = {"datum": "2025-02-10", "verslag": "Kennismaking met tolk; brede intake gepland."}

    METHODE = Inburgeringstraject.registreer_kennismakingsgesprek
    datum: Datum
    verslag: Tekst


class LeerbaarheidstoetsCreate(CommandoSchema):
    """De uitslag van de leerbaarheidstoets (Wi 14(3)(a))."""

    VOORBEELD = {"datum": "2025-02-12", "haalbaarNiveau": "B1", "adviesLeerroute": "b1"}

    METHODE = Inburgeringstraject.registreer_leerbaarheidstoets
    datum: Datum
    haalbaar_niveau: Literal["A0", "A1", "A2", "B1", "B2"]
    advies_leerroute: Keuze[Leerroute]


class LeerbaarheidstoetsOntheffingCreate(CommandoSchema):
    """Ontheffing van de leerbaarheidstoets door het college (Wi 14(6))."""

    VOORBEELD = {"datum": "2025-02-12", "grond": "visuele_beperking"}

    METHODE = Inburgeringstraject.verleen_leerbaarheidstoets_ontheffing
    datum: Datum
    grond: Literal["visuele_beperking", "auditieve_beperking"]


class IntakeOnderwerpen(Schema):
    """De onderwerpen van de brede intake (beleidsplan §3.1), behalve gezondheid."""

    leerbaarheid: Tekst | None = None
    opleiding: Tekst | None = None
    werk: Tekst | None = None
    competenties: Tekst | None = None
    zelfredzaamheid: Tekst | None = None
    taalniveau: Tekst | None = None
    motivatie: Tekst | None = None
    gezinssituatie: Tekst | None = None
    sociaal_netwerk: Tekst | None = None


class IntakeGezondheid(Schema):
    """Bijzondere persoonsgegevens (AVG art. 9): alleen voor de regisseur van de eigen gemeente."""

    mentale_gezondheid: Tekst | None = None
    fysieke_gezondheid: Tekst | None = None


class BredeIntakeCreate(CommandoSchema):
    """De brede intake is gehouden (Wi 14)."""

    VOORBEELD = {
        "datum": "2025-02-20",
        "onderwerpen": {"opleiding": "Middelbare school in Aleppo", "werk": "Kok", "taalniveau": "A1"},
        "gezondheid": {"mentaleGezondheid": "Slaapproblemen"},
        "leerbaarheidstoetsAdvies": "b1",
    }

    METHODE = Inburgeringstraject.houd_brede_intake
    datum: Datum
    onderwerpen: IntakeOnderwerpen
    gezondheid: IntakeGezondheid = IntakeGezondheid()
    leerbaarheidstoets_advies: Keuze[Leerroute] | None = Field(default=None, description="Advies over de leerroute.")


class IntakeInAfwezigheidCreate(CommandoSchema):
    """Na drie oproepen voltooit het college de brede intake zonder de persoon (Wi 14(2))."""

    VOORBEELD = {"datum": "2025-03-15", "verslag": "Na drie oproepen voltooid zonder de persoon."}

    METHODE = Inburgeringstraject.voltooi_intake_in_afwezigheid
    datum: Datum
    verslag: Tekst


class WelkomstprogrammaCreate(CommandoSchema):
    """Start van het welkomstprogramma, tussen brede intake en PIP (alleen asielstatushouders)."""

    VOORBEELD = {"datum": "2025-02-24"}

    METHODE = Inburgeringstraject.start_welkomstprogramma
    datum: Datum
