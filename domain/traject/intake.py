"""From COA and DUO to the brede intake (Wi 14, Bi 5.2, policy document §3.1-3.2)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, ClassVar

from domain import fouten
from domain.persoonsgegevens import GEZONDHEID, KORT
from domain.traject.basis import Gebeurtenis, Oproep, niet_voor
from domain.traject.toestand import Toestand
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, REGISSEUR_EN_AUDITOR, ZONDER_DUO, Veld
from domain.waarden import Doelgroep, Gemeente, Leerroute, Rol, Vastlegging, Verblijfsvergunning

if TYPE_CHECKING:
    from domain.traject.aggregaat import Inburgeringstraject

ASIELVERGUNNINGEN = frozenset(
    {
        Verblijfsvergunning.ASIEL_BEPAALDE_TIJD,
        Verblijfsvergunning.ASIEL_ONBEPAALDE_TIJD,
        Verblijfsvergunning.EU_LANGDURIG_INTERNATIONALE_BESCHERMING,
    }
)


def doelgroep_volgens_vergunning(eigen: Verblijfsvergunning, referent: Verblijfsvergunning | None) -> Doelgroep:
    """Own asylum permit, or joining a holder of one, makes an asielstatushouder (Wi 13(1))."""
    if eigen in ASIELVERGUNNINGEN or referent in ASIELVERGUNNINGEN:
        return Doelgroep.ASIELSTATUSHOUDER
    return Doelgroep.GEZINS_OVERIGE_MIGRANT


class IntakeDeel(Toestand):
    """Commands and facts up to and including the brede intake."""

    class TvsProfielOntvangen(Gebeurtenis):
        TOPIC = "Inburgeringstraject.TvsProfielOntvangen"
        OMSCHRIJVING = "Het COA heeft het TVS-profiel van een asielstatushouder aangeleverd."
        RECHTSGROND = "Bi 9.1(4) (gegevens van het COA)"

        huishoudgrootte: Annotated[int | None, Veld(KORT, ZONDER_DUO)]
        land_van_herkomst: Annotated[str | None, Veld(KORT, ZONDER_DUO)]
        taal: Annotated[str | None, Veld(KORT, ZONDER_DUO)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.tvs_profiel_ontvangen = self.datum

    class CoaWarmeOverdrachtGehouden(Gebeurtenis):
        TOPIC = "Inburgeringstraject.CoaWarmeOverdrachtGehouden"
        OMSCHRIJVING = "De warme overdracht door het COA heeft plaatsgevonden."
        RECHTSGROND = "Wi 14; beleid SDD (warme overdracht COA)"

        verslag: Annotated[str, Veld(KORT, ZONDER_DUO)]
        tolk_aanwezig: Annotated[bool, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.coa_warme_overdracht = self.datum

    class InburgeringsplichtVastgesteld(Gebeurtenis):
        TOPIC = "Inburgeringstraject.InburgeringsplichtVastgesteld"
        OMSCHRIJVING = "DUO heeft gemeld dat de persoon inburgeringsplichtig is (kennisgeving)."
        RECHTSGROND = "Wi 2, Bi 9.1(3) (kennisgeving DUO)"
        verblijfsvergunning: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        referent_verblijfsvergunning: Annotated[str | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.kennisgevingsdatum = self.datum
            traject.verblijfsvergunning = Verblijfsvergunning(self.verblijfsvergunning)

    class HuisvestingGeregistreerd(Gebeurtenis):
        """Inschrijving in the BRP (`datum`) of the gemeente of huisvesting."""

        TOPIC = "Inburgeringstraject.HuisvestingGeregistreerd"
        OMSCHRIJVING = "De persoon is gehuisvest en ingeschreven in de BRP van de gemeente."
        RECHTSGROND = "Wi 1, Wi 13(1) (gemeente van huisvesting)"
        CORRIGEERBAAR: ClassVar[dict[str, type]] = {"datum": date, "huisvestingsdatum": date}
        gemeente: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        huisvestingsdatum: Annotated[date | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.brp_inschrijvingsdatum = self.datum
            traject.huisvestingsdatum = self.huisvestingsdatum or self.datum

    class BredeIntakeOproepVerzonden(Gebeurtenis):
        TOPIC = "Inburgeringstraject.BredeIntakeOproepVerzonden"
        OMSCHRIJVING = "De persoon is opgeroepen voor de brede intake, zo nodig met een schriftelijke waarschuwing."
        RECHTSGROND = "Wi 14, Wi 22 (medewerking aan de brede intake)"
        volgnummer: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        uiterlijk: Annotated[date, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        schriftelijke_waarschuwing: Annotated[bool, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.oproepen.append(Oproep(self.volgnummer, self.datum, self.uiterlijk, self.schriftelijke_waarschuwing))

    class KennismakingsgesprekGevoerd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.KennismakingsgesprekGevoerd"
        OMSCHRIJVING = "Het kennismakingsgesprek van de brede intake is gevoerd."
        RECHTSGROND = "Wi 14"

        verslag: Annotated[str, Veld(KORT, ZONDER_DUO)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.kennismakingsgesprek = self.datum

    class LeerbaarheidstoetsAfgenomen(Gebeurtenis):
        TOPIC = "Inburgeringstraject.LeerbaarheidstoetsAfgenomen"
        OMSCHRIJVING = "De leerbaarheidstoets is afgenomen, met het haalbare niveau en een advies voor de leerroute."
        RECHTSGROND = "Wi 14(2)"

        haalbaar_niveau: Annotated[str, Veld(KORT, ZONDER_DUO)]
        advies_leerroute: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.leerbaarheidstoets = "afgenomen"
            traject.leerroute_advies = Leerroute(self.advies_leerroute)

    class LeerbaarheidstoetsOntheffingVerleend(Gebeurtenis):
        TOPIC = "Inburgeringstraject.LeerbaarheidstoetsOntheffingVerleend"
        OMSCHRIJVING = "De persoon hoeft de leerbaarheidstoets niet te maken (Wi 14(6))."
        RECHTSGROND = "Wi 14(6)"
        SOORT_LEZERS: ClassVar[frozenset[Rol]] = REGISSEUR_EN_AUDITOR  # the fact itself reveals a visual or auditory impairment
        grond: Annotated[str, Veld(GEZONDHEID, REGISSEUR_EN_AUDITOR)]  # visuele_beperking | auditieve_beperking (Wi 14(6))

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.leerbaarheidstoets = "ontheffing"

    class BredeIntakeGehouden(Gebeurtenis):
        TOPIC = "Inburgeringstraject.BredeIntakeGehouden"
        OMSCHRIJVING = "De brede intake is gehouden: de onderwerpen van Wi 14 en zo nodig de gezondheid."
        RECHTSGROND = "Wi 14, Wi 37(2) (bijzondere persoonsgegevens)"

        onderwerpen: Annotated[dict[str, str], Veld(KORT, ZONDER_DUO)]
        gezondheid: Annotated[dict[str, str], Veld(GEZONDHEID, REGISSEUR_EN_AUDITOR)]  # special-category data (AVG art. 9), kept apart on purpose
        leerbaarheidstoets_advies: Annotated[str | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.brede_intake_datum = self.datum
            if self.leerbaarheidstoets_advies:
                traject.leerroute_advies = Leerroute(self.leerbaarheidstoets_advies)

    class BredeIntakeInAfwezigheidVoltooid(Gebeurtenis):
        TOPIC = "Inburgeringstraject.BredeIntakeInAfwezigheidVoltooid"
        OMSCHRIJVING = "Na drie oproepen heeft het college de brede intake zonder de persoon voltooid."
        RECHTSGROND = "Wi 14, Wi 22"

        verslag: Annotated[str, Veld(KORT, ZONDER_DUO)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.brede_intake_datum = self.datum
            traject.intake_in_afwezigheid = True

    class WelkomstprogrammaGestart(Gebeurtenis):
        TOPIC = "Inburgeringstraject.WelkomstprogrammaGestart"
        OMSCHRIJVING = "De persoon is begonnen aan het welkomstprogramma."
        RECHTSGROND = "Wi 13(3); beleid SDD (welkomstprogramma)"

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.welkomstprogramma = self.datum

    def registreer_coa_warme_overdracht(self, *, datum: date, verslag: str, tolk_aanwezig: bool = False, door: Vastlegging) -> None:
        """COA's warme overdracht of a statushouder to SDD (policy document §3.1)."""
        self._vereis_statushouder("De warme overdracht door het COA")
        self._eenmalig(self.coa_warme_overdracht)
        self._vastleggen(self.CoaWarmeOverdrachtGehouden, datum, door, verslag=verslag, tolk_aanwezig=tolk_aanwezig)

    def registreer_kennisgeving(
        self, *, datum: date, verblijfsvergunning: Verblijfsvergunning,
        referent_verblijfsvergunning: Verblijfsvergunning | None = None, door: Vastlegging,
    ) -> None:
        """DUO's kennisgeving that the person is inburgeringsplichtig."""
        if self.kennisgevingsdatum is not None:
            raise fouten.InburgeringsplichtAlVastgesteldError(f"De kennisgeving van {self.kennisgevingsdatum.isoformat()} is al vastgelegd.")
        volgens_vergunning = doelgroep_volgens_vergunning(verblijfsvergunning, referent_verblijfsvergunning)
        if volgens_vergunning is not self.doelgroep:
            raise fouten.DoelgroepTegenstrijdigError(
                f"De vergunning maakt de persoon {volgens_vergunning.value}, het traject is voor {self.doelgroep.value}."
            )
        referent = referent_verblijfsvergunning.value if referent_verblijfsvergunning else None
        self._vastleggen(
            self.InburgeringsplichtVastgesteld, datum, door,
            verblijfsvergunning=verblijfsvergunning.value, referent_verblijfsvergunning=referent,
        )

    def registreer_huisvesting(self, *, datum: date, gemeente: Gemeente, huisvestingsdatum: date | None = None, door: Vastlegging) -> None:
        """BRP-inschrijving (`datum`) in the gemeente where the person is housed."""
        if self.brp_inschrijvingsdatum is not None:
            raise fouten.HuisvestingAlGeregistreerdError(f"Ingeschreven op {self.brp_inschrijvingsdatum.isoformat()}.")
        if gemeente is not self.gemeente:
            raise fouten.HuisvestingAndereGemeenteError(
                f"Het traject hoort bij gemeente {self.gemeente.value}, de huisvesting ligt in {gemeente.value}."
            )
        if huisvestingsdatum is not None and huisvestingsdatum > datum:
            raise fouten.DatumVoorVorigeStapError("De BRP-inschrijving kan niet voor de huisvesting liggen.")
        self._vastleggen(self.HuisvestingGeregistreerd, datum, door, gemeente=gemeente.value, huisvestingsdatum=huisvestingsdatum)

    def verzend_intake_oproep(self, *, datum: date, uiterlijk: date, schriftelijke_waarschuwing: bool = False, door: Vastlegging) -> None:
        """A summons to the brede intake; a repeat comes with a written warning, three at most (Wi 14)."""
        self._vereis_geen_intake()
        vorige = self.oproepen[-1] if self.oproepen else None
        if vorige is not None and datum <= vorige.uiterlijk:
            raise fouten.BredeIntakeOproepError(f"De vorige oproep loopt tot en met {vorige.uiterlijk.isoformat()}.")
        if len(self.oproepen) >= 3:
            raise fouten.BredeIntakeOproepError("Er zijn al drie oproepen verzonden; voltooi de intake in afwezigheid.")
        if vorige is not None and not schriftelijke_waarschuwing:
            raise fouten.BredeIntakeOproepError("Een herhaalde oproep gaat samen met een schriftelijke waarschuwing.")
        if uiterlijk < datum:
            raise fouten.DatumVoorVorigeStapError("De termijn van de oproep eindigt voor de verzending.")
        self._vastleggen(
            self.BredeIntakeOproepVerzonden, datum, door,
            volgnummer=len(self.oproepen) + 1, uiterlijk=uiterlijk, schriftelijke_waarschuwing=schriftelijke_waarschuwing,
        )

    def registreer_kennismakingsgesprek(self, *, datum: date, verslag: str, door: Vastlegging) -> None:
        """The kennismakingsgesprek that opens a statushouder's brede intake (policy document §3.1)."""
        self._vereis_statushouder("Het kennismakingsgesprek")
        self._eenmalig(self.kennismakingsgesprek)
        self._vastleggen(self.KennismakingsgesprekGevoerd, datum, door, verslag=verslag)

    def registreer_leerbaarheidstoets(self, *, datum: date, haalbaar_niveau: str, advies_leerroute: Leerroute, door: Vastlegging) -> None:
        """The result of the leerbaarheidstoets, part of the brede intake (Wi 14(3)(a), 14(5))."""
        self._eenmalig(self.leerbaarheidstoets)
        self._vastleggen(
            self.LeerbaarheidstoetsAfgenomen, datum, door, haalbaar_niveau=haalbaar_niveau, advies_leerroute=advies_leerroute.value
        )

    def verleen_leerbaarheidstoets_ontheffing(self, *, datum: date, grond: str, door: Vastlegging) -> None:
        """The college exempts from the leerbaarheidstoets for a visual or auditory impairment (Wi 14(6))."""
        self._eenmalig(self.leerbaarheidstoets)
        self._vastleggen(self.LeerbaarheidstoetsOntheffingVerleend, datum, door, grond=grond)

    def houd_brede_intake(
        self, *, datum: date, onderwerpen: dict[str, str], gezondheid: dict[str, str],
        leerbaarheidstoets_advies: Leerroute | None = None, door: Vastlegging,
    ) -> None:
        """The brede intake was held (Wi 14)."""
        self._vereis_geen_intake()
        niet_voor(datum, self.startdatum, "de start van het traject")
        advies = leerbaarheidstoets_advies.value if leerbaarheidstoets_advies else None
        self._vastleggen(
            self.BredeIntakeGehouden, datum, door,
            onderwerpen=dict(onderwerpen), gezondheid=dict(gezondheid), leerbaarheidstoets_advies=advies,
        )

    def voltooi_intake_in_afwezigheid(self, *, datum: date, verslag: str, door: Vastlegging) -> None:
        """After three summonses the college completes the brede intake without the person (Wi 14(2))."""
        self._vereis_geen_intake()
        if len(self.oproepen) < 3 or datum <= self.oproepen[-1].uiterlijk:
            raise fouten.IntakeInAfwezigheidTeVroegError(f"{len(self.oproepen)} oproep(en) verzonden.")
        self._vastleggen(self.BredeIntakeInAfwezigheidVoltooid, datum, door, verslag=verslag)

    def start_welkomstprogramma(self, *, datum: date, door: Vastlegging) -> None:
        """A statushouder starts the welkomstprogramma, between the brede intake and the PIP."""
        self._vereis_statushouder("Het welkomstprogramma")
        self._eenmalig(self.welkomstprogramma)
        if self.brede_intake_datum is None or self.pip_dagtekening is not None:
            raise fouten.WelkomstprogrammaBuitenPeriodeError("Het kan alleen na de brede intake en voor het PIP.")
        niet_voor(datum, self.brede_intake_datum, "de brede intake")
        self._vastleggen(self.WelkomstprogrammaGestart, datum, door)

    def _vereis_geen_intake(self) -> None:
        if self.brede_intake_datum is not None:
            raise fouten.BredeIntakeAlGehoudenError(f"Gehouden op {self.brede_intake_datum.isoformat()}.")

    def _vereis_statushouder(self, wat: str) -> None:
        if self.doelgroep is not Doelgroep.ASIELSTATUSHOUDER:
            raise fouten.AlleenAsielstatushoudersError(f"{wat} is er alleen voor asielstatushouders.")

    @staticmethod
    def _eenmalig(al: object) -> None:
        if al is not None:
            raise fouten.AlVastgelegdError(f"Al vastgelegd ({al}).")


__all__ = ["IntakeDeel", "doelgroep_volgens_vergunning"]
