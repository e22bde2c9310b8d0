"""Ondersteuning: financieel ontzorgen, maatschappelijke begeleiding, tolkvoorziening (Wi 13, PW 56a)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

from domain import fouten
from domain.persoonsgegevens import KORT
from domain.traject.basis import Gebeurtenis, niet_voor
from domain.traject.toestand import Toestand
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, Veld
from domain.waarden import Vastlegging, Verblijfsvergunning

if TYPE_CHECKING:
    from domain.traject.aggregaat import Inburgeringstraject

VASTE_LASTEN = ("huur", "gas", "water", "stroom", "zorgverzekering")  # PW 56a, policy document §3.7


class OndersteuningDeel(Toestand):
    """Support the college gives alongside the leerroute."""

    class FinancieelOntzorgenGestart(Gebeurtenis):
        """`datum` is the day the right to bijstand arose; ontzorgen runs six months from it (PW 56a)."""

        TOPIC = "Inburgeringstraject.FinancieelOntzorgenGestart"
        OMSCHRIJVING = "Het financieel ontzorgen is begonnen: het college betaalt de vaste lasten."
        RECHTSGROND = "Participatiewet 56a"

        vaste_lasten: Annotated[list[str], Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.ontzorgen_start = self.datum

    class MaatschappelijkeBegeleidingGestart(Gebeurtenis):
        TOPIC = "Inburgeringstraject.MaatschappelijkeBegeleidingGestart"
        OMSCHRIJVING = "De maatschappelijke begeleiding is begonnen."
        RECHTSGROND = "Wi 13(3)"
        uitvoerder: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.begeleiding_start = self.datum

    class TolkvoorzieningToegekend(Gebeurtenis):
        TOPIC = "Inburgeringstraject.TolkvoorzieningToegekend"
        OMSCHRIJVING = "Een tolkvoorziening is toegekend."
        RECHTSGROND = "Wi 13; Awb 5:49"

        taal: Annotated[str, Veld(KORT, IEDEREEN)]
        doel: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.tolkvoorzieningen += 1

    def start_financieel_ontzorgen(self, *, datum: date, vaste_lasten: list[str], door: Vastlegging) -> None:
        """A bijstandsgerechtigde with an asylum permit for a fixed period: the college pays the fixed costs
        for six months. A family member in the asielstatushouders group with a regular permit is not one."""
        self._vereis_statushouder("Financieel ontzorgen")
        self._eenmalig(self.ontzorgen_start)
        if self.verblijfsvergunning is not Verblijfsvergunning.ASIEL_BEPAALDE_TIJD:
            bekend = self.verblijfsvergunning.value if self.verblijfsvergunning else "nog niet bekend (geen kennisgeving van DUO)"
            raise fouten.OntzorgenBuitenPw56aError(f"Verblijfsvergunning volgens DUO: {bekend}.")
        if onbekend := sorted(set(vaste_lasten) - set(VASTE_LASTEN)):
            raise fouten.OntzorgenBuitenPw56aError(f"Geen vaste last in de zin van PW 56a: {', '.join(onbekend)}.")
        self._vastleggen(self.FinancieelOntzorgenGestart, datum, door, vaste_lasten=sorted(set(vaste_lasten)))

    def start_maatschappelijke_begeleiding(self, *, datum: date, uitvoerder: str, door: Vastlegging) -> None:
        """Begeleiding for the art. 13 group, from the BRP registration in the housing gemeente (Wi 13(3))."""
        self._vereis_statushouder("Maatschappelijke begeleiding")
        self._eenmalig(self.begeleiding_start)
        if self.brp_inschrijvingsdatum is None:
            raise fouten.BegeleidingVoorInschrijvingError("Registreer eerst de huisvesting en BRP-inschrijving.")
        try:
            niet_voor(datum, self.brp_inschrijvingsdatum, "de BRP-inschrijving")
        except fouten.DatumVoorVorigeStapError as fout:
            raise fouten.BegeleidingVoorInschrijvingError(fout.detail) from None
        self._vastleggen(self.MaatschappelijkeBegeleidingGestart, datum, door, uitvoerder=uitvoerder)

    def ken_tolkvoorziening_toe(self, *, datum: date, taal: str, doel: str, door: Vastlegging) -> None:
        """An interpreter for a conversation or procedure (also Awb 5:49 for a zienswijze)."""
        self._vastleggen(self.TolkvoorzieningToegekend, datum, door, taal=taal, doel=doel)
