"""Request bodies from COA and DUO to the brede intake (domain/traject/intake.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from api.schemas import CommandoSchema, Datum, IsoDatum, Keuze, Schema, Tekst
from domain import commandos
from domain.waarden import Gemeente, Leerroute, Verblijfsvergunning


class CoaOverdrachtCreate(CommandoSchema):
    """De warme overdracht door het COA (alleen asielstatushouders)."""

    COMMANDO = commandos.RegistreerCoaWarmeOverdracht
    datum: Datum
    verslag: Tekst
    tolk_aanwezig: bool = False


class KennisgevingCreate(CommandoSchema):
    """De kennisgeving van DUO van de inburgeringsplicht."""

    COMMANDO = commandos.RegistreerKennisgeving
    datum: IsoDatum = Field(description="Dagtekening van de kennisgeving.")
    verblijfsvergunning: Keuze[Verblijfsvergunning]
    referent_verblijfsvergunning: Keuze[Verblijfsvergunning] | None = None


class HuisvestingCreate(CommandoSchema):
    """Huisvesting en inschrijving in de BRP van de gemeente."""

    COMMANDO = commandos.RegistreerHuisvesting
    datum: IsoDatum = Field(description="Datum van inschrijving in de BRP van de gemeente van huisvesting.")
    gemeente: Keuze[Gemeente]
    huisvestingsdatum: IsoDatum | None = Field(default=None, description="Datum van huisvesting (sleuteloverdracht).")


class IntakeOproepCreate(CommandoSchema):
    """Een oproep voor de brede intake; een herhaalde oproep gaat met een schriftelijke waarschuwing (Wi 14)."""

    COMMANDO = commandos.VerzendIntakeOproep
    datum: Datum
    uiterlijk: IsoDatum = Field(description="Laatste dag waarop de persoon moet verschijnen.")
    schriftelijke_waarschuwing: bool = False


class KennismakingsgesprekCreate(CommandoSchema):
    """Het kennismakingsgesprek waarmee de brede intake van een asielstatushouder begint."""

    COMMANDO = commandos.RegistreerKennismakingsgesprek
    datum: Datum
    verslag: Tekst


class LeerbaarheidstoetsCreate(CommandoSchema):
    """De uitslag van de leerbaarheidstoets (Wi 14(3)(a))."""

    COMMANDO = commandos.RegistreerLeerbaarheidstoets
    datum: Datum
    haalbaar_niveau: Literal["A0", "A1", "A2", "B1", "B2"]
    advies_leerroute: Keuze[Leerroute]


class LeerbaarheidstoetsOntheffingCreate(CommandoSchema):
    """Ontheffing van de leerbaarheidstoets door het college (Wi 14(6))."""

    COMMANDO = commandos.VerleenLeerbaarheidstoetsOntheffing
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

    COMMANDO = commandos.HoudBredeIntake
    datum: Datum
    onderwerpen: IntakeOnderwerpen
    gezondheid: IntakeGezondheid = IntakeGezondheid()
    leerbaarheidstoets_advies: Keuze[Leerroute] | None = Field(default=None, description="Advies over de leerroute.")

    def commando(self, **uit_het_pad: Any) -> commandos.Commando:
        return commandos.HoudBredeIntake(
            datum=self.datum,
            onderwerpen=self.onderwerpen.model_dump(exclude_none=True),
            gezondheid=self.gezondheid.model_dump(exclude_none=True),
            leerbaarheidstoets_advies=self.leerbaarheidstoets_advies,
        )


class IntakeInAfwezigheidCreate(CommandoSchema):
    """Na drie oproepen voltooit het college de brede intake zonder de persoon (Wi 14(2))."""

    COMMANDO = commandos.VoltooiIntakeInAfwezigheid
    datum: Datum
    verslag: Tekst


class WelkomstprogrammaCreate(CommandoSchema):
    """Start van het welkomstprogramma, tussen brede intake en PIP (alleen asielstatushouders)."""

    COMMANDO = commandos.StartWelkomstprogramma
    datum: Datum
