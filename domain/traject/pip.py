"""The PIP, the leerroute and its changes (Wi 15, Wi 17, Bi 5.3-5.5, policy document table 1)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from domain import fouten, termijnen
from domain.beleid import beleid_op
from domain.persoonsgegevens import KORT
from domain.traject.basis import Gebeurtenis, niet_voor
from domain.traject.toestand import Toestand
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, Veld
from domain.waarden import Doelgroep, Leerroute, RedenRoutewijziging, Vastlegging

if TYPE_CHECKING:
    from domain.traject.aggregaat import Inburgeringstraject

AFSCHALEN_MINIMUM_NT2_UREN = 600  # Bi 5.5(1)


class Aanbod(StrEnum):
    """Wat een PIP kan aanbieden (beleidsplan, tabel 1)."""

    ALFABETISERING = "alfabetisering"
    LEERROUTE_AANBOD = "leerroute_aanbod"  # the college offers the course (Wi 16)
    FINANCIEEL_ONTZORGEN = "financieel_ontzorgen"
    MAATSCHAPPELIJKE_BEGELEIDING = "maatschappelijke_begeleiding"
    PARTICIPATIE_COMPONENTEN = "participatie_componenten"
    PVT = "pvt"
    MAP = "map"


ALLEEN_ASIELSTATUSHOUDERS = frozenset(
    {
        Aanbod.ALFABETISERING,
        Aanbod.LEERROUTE_AANBOD,
        Aanbod.FINANCIEEL_ONTZORGEN,
        Aanbod.MAATSCHAPPELIJKE_BEGELEIDING,
        Aanbod.PARTICIPATIE_COMPONENTEN,
    }
)


def mag_na_venster(van: Leerroute, naar: Leerroute, reden: RedenRoutewijziging) -> bool:
    """The changes Bi 5.4 allows after the 18-month window."""
    return (van, naar) == (Leerroute.ONDERWIJSROUTE, Leerroute.B1) or reden in (
        RedenRoutewijziging.BIJZONDER_GEVAL,
        RedenRoutewijziging.NIET_VRIJSTELLENDE_OPLEIDING,
    )


class PipDeel(Toestand):
    """Commands and facts of the PIP and the leerroute."""

    class PipVastgesteld(Gebeurtenis):
        """The PIP beschikking; `datum` is its dagtekening."""

        TOPIC = "Inburgeringstraject.PipVastgesteld"
        OMSCHRIJVING = "Het persoonlijk plan inburgering en participatie (PIP) is vastgesteld."
        RECHTSGROND = "Wi 15, Bi 5.3"

        class_version = 2
        leerroute: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        leerroute_uren_per_week: Annotated[int | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        pvt_uren: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        map_uren: Annotated[int | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        aantal_voortgangsgesprekken: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        ondersteuning: Annotated[str, Veld(KORT, IEDEREEN)]
        aanbod: Annotated[list[str], Veld(NIET_PERSOONLIJK, IEDEREEN)]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["aanbod"] = []  # version 1 (foundation issue) did not record the offer

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.pip_dagtekening = self.datum
            traject.leerroute = Leerroute(self.leerroute)
            traject.aantal_voortgangsgesprekken = self.aantal_voortgangsgesprekken
            traject.pip_aanbod = frozenset(self.aanbod)

    class PipGewijzigd(Gebeurtenis):
        """The college amends the PIP; the termijn does not move (Wi 11(3))."""

        TOPIC = "Inburgeringstraject.PipGewijzigd"
        OMSCHRIJVING = "Het PIP is gewijzigd, met de reden."
        RECHTSGROND = "Wi 15, Bi 5.3"

        VEREIST_PIP: ClassVar[bool] = True
        aantal_voortgangsgesprekken: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        leerroute_uren_per_week: Annotated[int | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        pvt_uren: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        map_uren: Annotated[int | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        ondersteuning: Annotated[str, Veld(KORT, IEDEREEN)]
        aanbod: Annotated[list[str], Veld(NIET_PERSOONLIJK, IEDEREEN)]
        reden: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.aantal_voortgangsgesprekken = self.aantal_voortgangsgesprekken
            traject.pip_aanbod = frozenset(self.aanbod)
            traject.pip_gewijzigd = self.datum

    class LeerrouteGewijzigd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.LeerrouteGewijzigd"
        OMSCHRIJVING = "De leerroute in het PIP is gewijzigd."
        RECHTSGROND = "Wi 15, Bi 5.4"

        VEREIST_PIP: ClassVar[bool] = True
        class_version = 2
        van: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        naar: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        reden: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        toelichting: Annotated[str, Veld(KORT, IEDEREEN)]
        meegenomen_uren: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]  # NT2/KNM hours that count in the new route (Bi 5.4(4))

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["meegenomen_uren"] = 0

        def samenhang(self, traject: Inburgeringstraject, versie: int) -> list[str]:
            schendingen = super().samenhang(traject, versie)
            venster = traject.routewijziging_uiterste_datum
            van, naar, reden = Leerroute(self.van), Leerroute(self.naar), RedenRoutewijziging(self.reden)
            if venster and self.datum > venster and not mag_na_venster(van, naar, reden):
                schendingen.append(f"routewijziging (versie {versie}) na het venster tot {venster.isoformat()}")
            return schendingen

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.leerroute = Leerroute(self.naar)
            traject.routewijzigingen += 1

    class AfschalingNaarA2Besloten(Gebeurtenis):
        TOPIC = "Inburgeringstraject.AfschalingNaarA2Besloten"
        OMSCHRIJVING = "Het college heeft besloten de B1-route af te schalen naar A2 (Bi 5.5)."
        RECHTSGROND = "Bi 5.5"

        VEREIST_PIP: ClassVar[bool] = True
        nt2_uren: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        motivering: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.afgeschaald_naar_a2 = self.datum

    def stel_pip_vast(
        self, *, dagtekening: date, leerroute: Leerroute, leerroute_uren_per_week: int | None = None, pvt_uren: int,
        map_uren: int | None = None, aantal_voortgangsgesprekken: int, ondersteuning: str, aanbod: frozenset[Aanbod] = frozenset(),
        door: Vastlegging,
    ) -> None:
        """The college sets the PIP; its dagtekening starts the inburgeringstermijn (Wi 11, Wi 15)."""
        if self.pip_dagtekening is not None:
            raise fouten.PipAlVastgesteldError(f"Vastgesteld op {self.pip_dagtekening.isoformat()}.")
        if self.brede_intake_datum is None:
            raise fouten.BredeIntakeOntbreektError("Houd eerst de brede intake.")
        if self.kennisgevingsdatum is None:
            raise fouten.InburgeringsplichtOnbekendError("Leg eerst de kennisgeving van DUO vast.")
        niet_voor(dagtekening, self.brede_intake_datum, "de brede intake")
        self._controleer_pip_inhoud(leerroute, leerroute_uren_per_week, map_uren, aanbod)
        self._vastleggen(
            self.PipVastgesteld, dagtekening, door,
            leerroute=leerroute.value, leerroute_uren_per_week=leerroute_uren_per_week, pvt_uren=pvt_uren,
            map_uren=map_uren, aantal_voortgangsgesprekken=aantal_voortgangsgesprekken, ondersteuning=ondersteuning,
            aanbod=sorted(a.value for a in aanbod),
        )

    def wijzig_pip(
        self, *, datum: date, leerroute_uren_per_week: int | None = None, pvt_uren: int, map_uren: int | None = None,
        aantal_voortgangsgesprekken: int, ondersteuning: str, aanbod: frozenset[Aanbod] = frozenset(), reden: str, door: Vastlegging,
    ) -> None:
        """The college amends the PIP's agreements; the leerroute changes by its own command."""
        leerroute, _ = self._vereis_pip(datum)
        self._controleer_pip_inhoud(leerroute, leerroute_uren_per_week, map_uren, aanbod)
        self._vastleggen(
            self.PipGewijzigd, datum, door,
            aantal_voortgangsgesprekken=aantal_voortgangsgesprekken, leerroute_uren_per_week=leerroute_uren_per_week,
            pvt_uren=pvt_uren, map_uren=map_uren, ondersteuning=ondersteuning,
            aanbod=sorted(a.value for a in aanbod), reden=reden,
        )

    def wijzig_leerroute(
        self, *, datum: date, naar: Leerroute, reden: RedenRoutewijziging, toelichting: str, door: Vastlegging
    ) -> None:
        """The college sets another leerroute (Wi 17(2), Bi 5.4)."""
        van, dagtekening = self._vereis_pip(datum)
        if naar is van:
            raise fouten.LeerrouteOngewijzigdError(f"De leerroute is al {van.value}.")
        uiterste = termijnen.routewijziging_uiterste_datum(termijnen.termijn_start(dagtekening))
        if datum > uiterste and not mag_na_venster(van, naar, reden):
            raise fouten.RoutewijzigingNaVensterError(f"De laatste dag voor een routewijziging was {uiterste.isoformat()}.")
        maximum = beleid_op(datum).max_routewijzigingen
        if self.routewijzigingen >= maximum:
            raise fouten.MaximumRoutewijzigingenError(
                f"Dit traject had al {self.routewijzigingen} routewijziging(en); het beleid staat er {maximum} toe."
            )
        # Bi 5.4(4): to the B1-route the NT2/KNM hours count for the intensity; to the Z-route they
        # are deducted from its 800 hours. Onderwijsroute exam results carry over by themselves.
        meegenomen = self.uren.van("nt2", "alfabetisering", "knm") if naar in (Leerroute.B1, Leerroute.Z_ROUTE) else 0
        self._vastleggen(
            self.LeerrouteGewijzigd, datum, door,
            van=van.value, naar=naar.value, reden=reden.value, toelichting=toelichting, meegenomen_uren=meegenomen,
        )

    def schaal_af_naar_a2(self, *, datum: date, motivering: str, door: Vastlegging) -> None:
        """B1-route at A2 after 600 hours NT2 and shown effort; the college amends the PIP (Wi 17(3), Bi 5.5)."""
        leerroute, _ = self._vereis_pip(datum)
        nt2 = self.uren.van("nt2", "alfabetisering")
        if leerroute is not Leerroute.B1 or self.afgeschaald_naar_a2 is not None:
            raise fouten.AfschalenNietMogelijkError(f"Het traject volgt de {leerroute.value} (al afgeschaald: {self.afgeschaald_naar_a2}).")
        if nt2 < AFSCHALEN_MINIMUM_NT2_UREN:
            raise fouten.AfschalenNietMogelijkError(f"{nt2} uur NT2 geregistreerd; er zijn er {AFSCHALEN_MINIMUM_NT2_UREN} nodig.")
        if not motivering.strip():
            raise fouten.AfschalenNietMogelijkError("Motiveer de aangetoonde inspanning.")
        self._vastleggen(self.AfschalingNaarA2Besloten, datum, door, nt2_uren=nt2, motivering=motivering)

    def _controleer_pip_inhoud(
        self, leerroute: Leerroute, leerroute_uren_per_week: int | None, map_uren: int | None, aanbod: frozenset[Aanbod]
    ) -> None:
        if self.doelgroep is Doelgroep.GEZINS_OVERIGE_MIGRANT:
            if leerroute_uren_per_week is not None:
                raise fouten.LeerrouteIntensiteitNietVoorGezinsmigrantError(
                    "Laat de intensiteit van de leerroute weg voor een gezins- of overige migrant."
                )
            if verboden := sorted(a.value for a in aanbod & ALLEEN_ASIELSTATUSHOUDERS):
                raise fouten.AanbodAlleenAsielstatushoudersError(f"Niet voor deze doelgroep: {', '.join(verboden)}.")
        if leerroute is Leerroute.ONDERWIJSROUTE and (map_uren is not None or Aanbod.MAP in aanbod):
            raise fouten.GeenMapInOnderwijsrouteError("Laat de MAP weg in de onderwijsroute.")


__all__ = ["PipDeel", "Aanbod", "ALLEEN_ASIELSTATUSHOUDERS", "mag_na_venster"]
