"""Decisions of DUO, recorded as received (Wi 4, 5, 12, 24-25; Bi 9.1(3), 9.3(3))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from domain import fouten
from domain.persoonsgegevens import GEZONDHEID, LANG
from domain.traject.basis import Gebeurtenis, Status
from domain.traject.toestand import Toestand
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, REGISSEUR_EN_AUDITOR, Veld
from domain.waarden import Vastlegging

if TYPE_CHECKING:
    from domain.traject.aggregaat import Inburgeringstraject

DUO_BOETE_WI24 = Decimal("340.00")  # Bi 7.2(1)
DUO_BOETE_WI25_MAXIMUM = Decimal("1000.00")  # Bi 7.2(2)


class DuoDeel(Toestand):
    """What DUO decided about this trajectory; SDD records it with the date of DUO's decision."""

    class TermijnVerlengd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.TermijnVerlengd"
        OMSCHRIJVING = "De inburgeringstermijn is verlengd."
        RECHTSGROND = "Wi 12, Bi 9.3(3)"
        nieuwe_einddatum: Annotated[date, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        grond: Annotated[str, Veld(GEZONDHEID, REGISSEUR_EN_AUDITOR)]  # may be medical

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.duo_termijn_einde = self.nieuwe_einddatum

    class VrijstellingVerleend(Gebeurtenis):
        TOPIC = "Inburgeringstraject.VrijstellingVerleend"
        OMSCHRIJVING = "DUO heeft vrijstelling van de inburgeringsplicht verleend."
        RECHTSGROND = "Wi 4"

        grond: Annotated[str, Veld(LANG, IEDEREEN)]  # vrijstelling data, Bi 9.9(2)

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.status = Status.VRIJGESTELD
            traject.einddatum = self.datum

    class OntheffingVerleend(Gebeurtenis):
        TOPIC = "Inburgeringstraject.OntheffingVerleend"
        OMSCHRIJVING = "DUO heeft ontheffing van de inburgeringsplicht verleend."
        RECHTSGROND = "Wi 5"
        grond: Annotated[str, Veld(GEZONDHEID, REGISSEUR_EN_AUDITOR)]  # medisch | bijzondere_individuele_omstandigheden
        volledig: Annotated[bool, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            if self.volledig:
                traject.status = Status.ONTHEVEN
                traject.einddatum = self.datum
            else:
                traject.gedeeltelijke_ontheffing = self.datum

    class DuoBoeteOpgelegd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.DuoBoeteOpgelegd"
        OMSCHRIJVING = "DUO heeft een boete opgelegd."
        RECHTSGROND = "Wi 24-25"
        artikel: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]  # wi24 | wi25
        bedrag: Annotated[Decimal, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.duo_boetes += 1

    def registreer_termijnverlenging(self, *, datum: date, nieuwe_einddatum: date, grond: str, door: Vastlegging) -> None:
        """DUO extended the termijn (Wi 12); from now on the end date shown is DUO's."""
        huidig = self.termijn_einde
        if huidig is None or nieuwe_einddatum <= huidig:
            raise fouten.TermijnVerlengingError(f"De huidige einddatum is {huidig}.")
        self._vastleggen(self.TermijnVerlengd, datum, door, nieuwe_einddatum=nieuwe_einddatum, grond=grond)

    def registreer_vrijstelling(self, *, datum: date, grond: str, door: Vastlegging) -> None:
        """DUO exempted the person from the plicht (Wi 4): the trajectory ends."""
        self._vastleggen(self.VrijstellingVerleend, datum, door, grond=grond)

    def registreer_ontheffing(self, *, datum: date, grond: str, volledig: bool, door: Vastlegging) -> None:
        """DUO granted an ontheffing (Wi 5); a full one ends the trajectory."""
        self._vastleggen(self.OntheffingVerleend, datum, door, grond=grond, volledig=volledig)

    def registreer_duo_boete(self, *, datum: date, artikel: str, bedrag: Decimal, door: Vastlegging) -> None:
        """A boete DUO imposed for PVT/MAP (Wi 24, EUR 340) or the leerroute (Wi 25, at most EUR 1,000)."""
        if (artikel == "wi24" and bedrag != DUO_BOETE_WI24) or (
            artikel == "wi25" and not Decimal("0") < bedrag <= DUO_BOETE_WI25_MAXIMUM
        ):
            raise fouten.DuoBoeteBedragError(f"EUR {bedrag} onder {artikel}.")
        self._vastleggen(self.DuoBoeteOpgelegd, datum, door, artikel=artikel, bedrag=bedrag.quantize(Decimal("0.01")))
