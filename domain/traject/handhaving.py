"""Handhaving by the college: the Awb procedure for a boete under Wi 22 or Wi 23.

Rapport, voornemen, zienswijze (or its term expired), besluit or afzien, bezwaar and the decision
on it. Each procedure is a Handhavingszaak, numbered by the version of the fact that opened it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from domain import fouten, termijnen
from domain.beleid import beleid_op
from domain.persoonsgegevens import KORT
from domain.traject.basis import Boete, Gebeurtenis, Handhavingszaak, ZaakStap, niet_voor
from domain.traject.toestand import Toestand
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, Veld
from domain.waarden import Boeteartikel, Boetegrond, Doelgroep, UitkomstBezwaar, Vastlegging, Verwijtbaarheid

if TYPE_CHECKING:
    from domain.traject.aggregaat import Inburgeringstraject

GRONDEN_PER_ARTIKEL = {
    Boeteartikel.WI_22: {Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT},
    Boeteartikel.WI_23: set(Boetegrond) - {Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT},
}
BESLISTERMIJN = timedelta(weeks=13)  # Awb 5:51(1)
BEZWAARTERMIJN = timedelta(weeks=6)  # Awb 6:7, counted from the day after bekendmaking (6:8)
BESLISSING_OP_BEZWAAR = timedelta(weeks=6)  # Awb 7:10(1), from the end of the bezwaartermijn


BESLUIT: dict[str, type] = {}  # a decision is not corrected but reconsidered: bezwaar, herziening (Awb 6:19, 7:11)


class Zaakfeit(Gebeurtenis):
    """A step in an open zaak: the procedure runs to its end also after the trajectory closed."""

    NA_AFSLUITING: ClassVar[bool] = True
    AWB_STAP: ClassVar[bool] = True  # a step of the Awb order (not a fact that happens beside it)
    zaaknummer: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]


class HandhavingDeel(Toestand):
    """Commands and facts of the Awb procedure."""

    class OvertredingGeconstateerd(Gebeurtenis):
        """`datum` is the day of the conduct; the rapport has its own date (Awb 5:48)."""

        TOPIC = "Inburgeringstraject.OvertredingGeconstateerd"
        OMSCHRIJVING = "Een overtreding van de inburgeringsplicht is in een rapport vastgesteld; dit opent een handhavingszaak."
        RECHTSGROND = "Wi 22-23, Awb 5:48"

        artikel: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        grond: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        rapportdatum: Annotated[date, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        rapport: Annotated[str, Veld(KORT, IEDEREEN)]
        gemist_gesprek_versie: Annotated[int | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def vereist_pip(self) -> bool:
            return self.artikel == Boeteartikel.WI_23

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.zaken[self.originator_version] = Handhavingszaak(
                self.originator_version, Boeteartikel(self.artikel), Boetegrond(self.grond), self.datum,
                self.rapportdatum, self.gemist_gesprek_versie, rapporteur=self.metadata.gebruiker,
            )

    class BoeteVoornemenVerzonden(Zaakfeit):
        TOPIC = "Inburgeringstraject.BoeteVoornemenVerzonden"
        OMSCHRIJVING = "Het voornemen tot een boete is verzonden, met de termijn voor een zienswijze."
        RECHTSGROND = "Awb 5:53"
        zienswijzetermijn: Annotated[date, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            zaak = traject.zaken[self.zaaknummer]
            zaak.stap, zaak.zienswijzetermijn = ZaakStap.VOORNEMEN, self.zienswijzetermijn

    class ZienswijzeOntvangen(Zaakfeit):
        TOPIC = "Inburgeringstraject.ZienswijzeOntvangen"
        OMSCHRIJVING = "De zienswijze op het boetevoornemen is ontvangen, schriftelijk of mondeling."
        RECHTSGROND = "Awb 5:53, Awb 4:8"

        mondeling: Annotated[bool, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        samenvatting: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.zaken[self.zaaknummer].stap = ZaakStap.ZIENSWIJZE

    class ZienswijzetermijnVerstreken(Zaakfeit):
        TOPIC = "Inburgeringstraject.ZienswijzetermijnVerstreken"
        OMSCHRIJVING = "De termijn voor een zienswijze is verstreken zonder zienswijze."
        RECHTSGROND = "Awb 5:53"

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.zaken[self.zaaknummer].stap = ZaakStap.ZIENSWIJZE

    class BijstandsverlagingGeregistreerd(Zaakfeit):
        """Bijstand was lowered (PW 18) for the same conduct: una via, no boete (Wi 27)."""

        TOPIC = "Inburgeringstraject.BijstandsverlagingGeregistreerd"
        OMSCHRIJVING = "De bijstand is verlaagd in plaats van een boete (Wi 27)."
        RECHTSGROND = "Wi 27, Participatiewet 18"
        AWB_STAP: ClassVar[bool] = False  # the verlaging follows the Participatiewet, not this zaak's order

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.zaken[self.zaaknummer].bijstand_verlaagd = True

    class BoeteOpgelegd(Zaakfeit):
        """The boetebeschikking; `datum` is its dagtekening and bekendmaking."""

        TOPIC = "Inburgeringstraject.BoeteOpgelegd"
        OMSCHRIJVING = "Het college heeft een boete opgelegd."
        RECHTSGROND = "Wi 22-23, Bi 7.1, Awb 5:40-5:46"

        CORRIGEERBAAR: ClassVar[dict[str, type]] = BESLUIT
        class_version = 2
        artikel: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        grond: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        bedrag: Annotated[Decimal, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        verwijtbaarheid: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        motivering: Annotated[str, Veld(KORT, IEDEREEN)]
        uitzonderlijk_geval_motivering: Annotated[str | None, Veld(KORT, IEDEREEN)]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Version 1 (foundation issue) imposed a boete without a procedure: it becomes a zaak of its
            # own, numbered like every zaak by the version of the fact that opened it. Which gesprek a
            # v1 boete was for is not kept in v2; such events exist only in development stores.
            state.pop("gemist_gesprek_versie", None)
            state["zaaknummer"] = state["originator_version"]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            artikel, grond = Boeteartikel(self.artikel), Boetegrond(self.grond)
            zaak = traject.zaken.setdefault(
                self.zaaknummer, Handhavingszaak(self.zaaknummer, artikel, grond, self.datum, self.datum, None)
            )
            zaak.stap, zaak.boete = ZaakStap.BESLOTEN, Boete(self.zaaknummer, self.datum, artikel, grond, self.bedrag)
            zaak.besluitnemer = self.metadata.gebruiker

    class BoeteAfgezien(Zaakfeit):
        TOPIC = "Inburgeringstraject.BoeteAfgezien"
        OMSCHRIJVING = "Het college heeft afgezien van een boete."
        RECHTSGROND = "Awb 5:41, Awb 5:43"

        CORRIGEERBAAR: ClassVar[dict[str, type]] = BESLUIT
        reden: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.zaken[self.zaaknummer].stap = ZaakStap.AFGEZIEN

    class BezwaarOntvangen(Zaakfeit):
        TOPIC = "Inburgeringstraject.BezwaarOntvangen"
        OMSCHRIJVING = "Een bezwaarschrift tegen een boetebesluit is ontvangen."
        RECHTSGROND = "Awb 6:4, 6:7-6:9"
        # Whether it was on time was judged on this date; a dispute about it is for the beslissing op bezwaar.
        CORRIGEERBAAR: ClassVar[dict[str, type]] = {}
        tijdig: Annotated[bool, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            zaak = traject.zaken[self.zaaknummer]
            zaak.bezwaar_ontvangen, zaak.bezwaar_tijdig = self.datum, self.tijdig

    class BeslissingOpBezwaarGenomen(Zaakfeit):
        TOPIC = "Inburgeringstraject.BeslissingOpBezwaarGenomen"
        OMSCHRIJVING = "Het college heeft op het bezwaar beslist."
        RECHTSGROND = "Awb 7:11"

        CORRIGEERBAAR: ClassVar[dict[str, type]] = BESLUIT
        uitkomst: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        bedrag: Annotated[Decimal, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        motivering: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            zaak = traject.zaken[self.zaaknummer]
            assert zaak.boete is not None, "a bezwaar is only decided on a boete (beslis_op_bezwaar)"
            zaak.beslissing_op_bezwaar = self.uitkomst
            zaak.boete = Boete(zaak.nummer, zaak.boete.datum, zaak.artikel, zaak.grond, self.bedrag)

    def constateer_overtreding(
        self, *, datum: date, artikel: Boeteartikel, grond: Boetegrond, rapportdatum: date, rapport: str, door: Vastlegging
    ) -> int:
        """A handhaver records a conduct in a dated rapport; returns the zaaknummer (Awb 5:48)."""
        if grond not in GRONDEN_PER_ARTIKEL[artikel]:
            raise fouten.BoetegrondPastNietBijArtikelError(f"{grond.value} valt niet onder {artikel.value}.")
        if grond is Boetegrond.LEERROUTE_INTENSITEIT_NIET_NAGEKOMEN and self.doelgroep is Doelgroep.GEZINS_OVERIGE_MIGRANT:
            raise fouten.GeenBoeteOpLeerrouteVoorGezinsmigrantError(
                "Het college stelt de intensiteit van hun leerroute niet vast en handhaaft er niet op."
            )
        if artikel is Boeteartikel.WI_22 and (len(self.oproepen) < 2 or datum <= self.oproepen[1].uiterlijk):
            raise fouten.Wi22TeVroegError("Er is nog geen verstreken herhaalde oproep met waarschuwing.")
        if artikel is Boeteartikel.WI_22:
            # The boetebeschikking sets a new term and a new boete may follow when that is missed too
            # (Wi 22(2)-(3)): only conduct after the earlier zaak was decided is new conduct.
            for eerder in (z for z in self.zaken.values() if z.artikel is Boeteartikel.WI_22):
                beslist = eerder.stap in (ZaakStap.BESLOTEN, ZaakStap.AFGEZIEN)
                if not beslist or datum <= self._datum_van_stap(eerder):
                    raise fouten.DezelfdeGedragingError(f"Deze gedraging valt onder zaak {eerder.nummer}.")
        if artikel is Boeteartikel.WI_23:
            self._vereis_pip(datum)
        niet_voor(rapportdatum, datum, "de overtreding")
        if rapportdatum > door.vandaag:
            raise fouten.DatumInDeToekomstError("De dagtekening van het rapport ligt na vandaag.")
        gesprek = self._onbeboet_gemist_gesprek(datum) if grond is Boetegrond.VOORTGANGSGESPREK_GEMIST else None
        self._vastleggen(
            self.OvertredingGeconstateerd, datum, door, artikel=artikel.value, grond=grond.value,
            rapportdatum=rapportdatum, rapport=rapport, gemist_gesprek_versie=gesprek.versie if gesprek else None,
        )
        return self.version

    def verzend_boetevoornemen(self, *, zaaknummer: int, datum: date, zienswijzetermijn: date, door: Vastlegging) -> None:
        """The voornemen with the rapport and the chance to give a zienswijze (Awb 5:53)."""
        zaak = self._zaak(zaaknummer, ZaakStap.GECONSTATEERD)
        niet_voor(datum, zaak.rapportdatum, "het rapport")
        if zienswijzetermijn <= datum:
            raise fouten.AwbVolgordeError("De zienswijzetermijn eindigt na de verzending van het voornemen.")
        self._vastleggen(self.BoeteVoornemenVerzonden, datum, door, zaaknummer=zaaknummer, zienswijzetermijn=zienswijzetermijn)

    def ontvang_zienswijze(self, *, zaaknummer: int, datum: date, mondeling: bool, samenvatting: str, door: Vastlegging) -> None:
        zaak = self._zaak(zaaknummer, ZaakStap.VOORNEMEN)
        niet_voor(datum, self._datum_van_stap(zaak), "het voornemen")
        self._vastleggen(self.ZienswijzeOntvangen, datum, door, zaaknummer=zaaknummer, mondeling=mondeling, samenvatting=samenvatting)

    def stel_zienswijzetermijn_verstreken_vast(self, *, zaaknummer: int, datum: date, door: Vastlegging) -> None:
        zaak = self._zaak(zaaknummer, ZaakStap.VOORNEMEN)
        if zaak.zienswijzetermijn is None or datum <= zaak.zienswijzetermijn:
            raise fouten.AwbVolgordeError(f"De zienswijzetermijn loopt tot en met {zaak.zienswijzetermijn}.")
        self._vastleggen(self.ZienswijzetermijnVerstreken, datum, door, zaaknummer=zaaknummer)

    def registreer_bijstandsverlaging(self, *, zaaknummer: int, datum: date, door: Vastlegging) -> None:
        zaak = self._zaak(zaaknummer, ZaakStap.GECONSTATEERD, ZaakStap.VOORNEMEN, ZaakStap.ZIENSWIJZE)
        if zaak.bijstand_verlaagd:
            raise fouten.AlVastgelegdError("De verlaging is al geregistreerd.")
        niet_voor(datum, zaak.overtredingsdatum, "de gedraging")
        self._vastleggen(self.BijstandsverlagingGeregistreerd, datum, door, zaaknummer=zaaknummer)

    def leg_boete_op(
        self, *, zaaknummer: int, datum: date, verwijtbaarheid: Verwijtbaarheid | None, motivering: str,
        uitzonderlijk_geval_motivering: str | None = None, door: Vastlegging,
    ) -> Decimal:
        """The boetebeschikking after the zienswijze; the policy table sets the amount (Bi 7.1)."""
        zaak = self._zaak(zaaknummer, ZaakStap.ZIENSWIJZE)
        if verwijtbaarheid is None:
            raise fouten.VerwijtbaarheidOntbreektError("Leg vast in welke mate de overtreding verwijtbaar is.")
        if verwijtbaarheid is Verwijtbaarheid.NIET_VERWIJTBAAR:
            raise fouten.NietVerwijtbaarError("De overtreding is niet verwijtbaar geoordeeld.")
        if zaak.bijstand_verlaagd:
            raise fouten.BijstandAlVerlaagdError("De bijstand is voor deze gedraging al verlaagd.")
        if self.doelgroep is Doelgroep.ASIELSTATUSHOUDER and not (uitzonderlijk_geval_motivering or "").strip():
            raise fouten.UitzonderlijkGevalNietGemotiveerdError(
                "Motiveer waarom een boete hier toch passend is (aanhoudend gebrek aan bereidheid)."
            )
        niet_voor(datum, self._datum_van_stap(zaak), "de zienswijze")
        if door.gebruiker == zaak.rapporteur:
            raise fouten.VierOgenError("Wie het rapport opmaakte, legt de boete niet op.")
        if datum > zaak.rapportdatum + BESLISTERMIJN:
            raise fouten.BeslistermijnVerstrekenError(f"De laatste dag was {(zaak.rapportdatum + BESLISTERMIJN).isoformat()}.")
        bedrag = self._boetebedrag(zaak, verwijtbaarheid)
        self._vastleggen(
            self.BoeteOpgelegd, datum, door, zaaknummer=zaaknummer, artikel=zaak.artikel.value, grond=zaak.grond.value,
            bedrag=bedrag, verwijtbaarheid=verwijtbaarheid.value, motivering=motivering,
            uitzonderlijk_geval_motivering=uitzonderlijk_geval_motivering,
        )
        return bedrag

    def zie_af_van_boete(self, *, zaaknummer: int, datum: date, reden: str, door: Vastlegging) -> None:
        zaak = self._zaak(zaaknummer, ZaakStap.GECONSTATEERD, ZaakStap.VOORNEMEN, ZaakStap.ZIENSWIJZE)
        niet_voor(datum, self._datum_van_stap(zaak), "de vorige stap van de zaak")
        self._vastleggen(self.BoeteAfgezien, datum, door, zaaknummer=zaaknummer, reden=reden)

    def ontvang_bezwaar(self, *, zaaknummer: int, datum: date, door: Vastlegging) -> None:
        """A bezwaar is a fact, on time or not; on time is within six weeks after bekendmaking (Awb 6:7-6:9)."""
        zaak = self._zaak(zaaknummer, ZaakStap.BESLOTEN)
        if zaak.bezwaar_ontvangen is not None:
            raise fouten.AlVastgelegdError(f"Bezwaar ontvangen op {zaak.bezwaar_ontvangen.isoformat()}.")
        if zaak.boete is None:
            raise fouten.AwbVolgordeError("Bezwaar volgt op een opgelegde boete.")
        niet_voor(datum, zaak.boete.datum, "de boetebeschikking")
        tijdig = datum <= zaak.boete.datum + BEZWAARTERMIJN
        self._vastleggen(self.BezwaarOntvangen, datum, door, zaaknummer=zaaknummer, tijdig=tijdig)

    def beslis_op_bezwaar(
        self, *, zaaknummer: int, datum: date, uitkomst: UitkomstBezwaar, nieuw_bedrag: Decimal | None = None, motivering: str,
        door: Vastlegging,
    ) -> None:
        uitkomst = UitkomstBezwaar(uitkomst)
        zaak = self._zaak(zaaknummer, ZaakStap.BESLOTEN)
        if zaak.bezwaar_ontvangen is None or zaak.beslissing_op_bezwaar is not None or zaak.boete is None:
            raise fouten.AwbVolgordeError("Een beslissing op bezwaar volgt op één ontvangen bezwaar.")
        niet_voor(datum, zaak.bezwaar_ontvangen, "het bezwaar")
        if door.gebruiker in (zaak.rapporteur, zaak.besluitnemer):
            raise fouten.VierOgenError("Wie bij het besluit betrokken was, beslist niet op het bezwaar.")
        if uitkomst is UitkomstBezwaar.DEELS_GEGROND:
            # Deels gegrond lowers the boete: not to nothing (that is gegrond) nor to the same amount (ongegrond).
            if nieuw_bedrag is None or not Decimal("0") < nieuw_bedrag < zaak.boete.bedrag:
                raise fouten.AwbVolgordeError(f"Bij deels gegrond hoort een nieuw bedrag boven 0 en onder EUR {zaak.boete.bedrag}.")
            bedrag = nieuw_bedrag
        else:
            bedrag = Decimal("0.00") if uitkomst is UitkomstBezwaar.GEGROND else zaak.boete.bedrag  # gegrond annuls it
        self._vastleggen(
            self.BeslissingOpBezwaarGenomen, datum, door, zaaknummer=zaaknummer, uitkomst=uitkomst.value,
            bedrag=bedrag.quantize(Decimal("0.01")), motivering=motivering,
        )

    # -- helpers -----------------------------------------------------------------------------

    @property
    def boetes(self) -> list[Boete]:
        return [zaak.boete for zaak in self.zaken.values() if zaak.boete is not None]

    def _zaak(self, nummer: int, *stappen: ZaakStap) -> Handhavingszaak:
        zaak = self.zaken.get(nummer)
        if zaak is None:
            raise fouten.HandhavingszaakNietGevondenError(f"Geen zaak {nummer}.")
        if zaak.stap not in stappen:
            raise fouten.AwbVolgordeError(f"Zaak {nummer} staat op '{zaak.stap}', deze stap hoort bij {' of '.join(stappen)}.")
        return zaak

    def _datum_van_stap(self, zaak: Handhavingszaak) -> date:
        """The date of the zaak's latest step in the Awb order; the rapport's date before any step."""
        stappen = [f.datum for v, f in sorted(self.feiten.items()) if getattr(f, "zaaknummer", None) == zaak.nummer and getattr(f, "AWB_STAP", False)]
        return stappen[-1] if stappen else zaak.rapportdatum

    def _onherroepelijk_op(self, zaak: Handhavingszaak) -> date | None:
        """The day a boete that stands became final: the last day of the bezwaartermijn without a
        bezwaar, or the decision on bezwaar. None while it may still change, or when it was annulled.
        (Beroep after the decision on bezwaar is not recorded here.)"""
        if zaak.boete is None or zaak.boete.bedrag == 0:
            return None
        if zaak.bezwaar_ontvangen is None:
            return zaak.boete.datum + BEZWAARTERMIJN
        return self._datum_van_stap(zaak) if zaak.beslissing_op_bezwaar is not None else None

    def _onbeboet_gemist_gesprek(self, datum: date):
        # A gesprek with a zaak was dealt with, also when the college decided not to fine (Awb 5:43-5:44).
        behandeld = {z.gemist_gesprek_versie for z in self.zaken.values()}
        gemist = [g for g in self.gesprekken if not g.gevoerd and not g.geldige_reden and g.datum <= datum]
        for gesprek in gemist:
            if gesprek.versie not in behandeld:
                return gesprek
        if gemist:
            raise fouten.DezelfdeGedragingError("Voor elk gemist gesprek is al een handhavingszaak.")
        raise fouten.GeenGemistGesprekError("Leg eerst het gemiste gesprek vast.")

    def _boetebedrag(self, zaak: Handhavingszaak, verwijtbaarheid: Verwijtbaarheid) -> Decimal:
        beleid = beleid_op(zaak.overtredingsdatum)
        if zaak.artikel is Boeteartikel.WI_22:
            bedrag = beleid.boete_wi22  # a fixed amount (Bi 7.1(1))
        else:
            # A repeat: conduct within twelve months after an earlier Wi 23 boete became final, that
            # last day included (Bi 7.1(3)).
            maanden = beleid.boete_wi23_recidive_maanden
            eerdere = sum(
                1 for z in self.zaken.values()
                if z.artikel is Boeteartikel.WI_23 and (onherroepelijk := self._onherroepelijk_op(z)) is not None
                and onherroepelijk < zaak.overtredingsdatum <= termijnen.plus_maanden(onherroepelijk, maanden)
            )
            basis = min(beleid.boete_wi23_basis * 2**eerdere, beleid.boete_wi23_maximum)  # Bi 7.1(2)-(3)
            bedrag = basis * beleid.verwijtbaarheid_percentage[verwijtbaarheid] / 100  # Bi 7.1(4)
        # Wi 22 and Wi 23 boetes together (Bi 7.1(5)); a Wi 22 boete falls before the termijn starts
        # but under the same inburgeringsplicht, and this trajectory is that plicht.
        al_opgelegd = sum((b.bedrag for b in self.boetes), Decimal("0"))
        ruimte = beleid.boetes_maximum_per_termijn - al_opgelegd
        if ruimte <= 0:
            raise fouten.BoetemaximumBereiktError(f"Al opgelegd in deze termijn: EUR {al_opgelegd}.")
        return min(bedrag, ruimte).quantize(Decimal("0.01"))
