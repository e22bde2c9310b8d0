"""Uitvoering: hours, voortgangsgesprekken, PVT, MAP, exams and afronding (Wi 6-9, Bi 3.1-3.16)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, ClassVar

from domain import fouten
from domain.persoonsgegevens import KORT
from domain.traject.basis import Gebeurtenis, Gesprek, Status, niet_voor
from domain.traject.toestand import Toestand
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, Veld
from domain.waarden import Doelgroep, Leerroute, Vastlegging

if TYPE_CHECKING:
    from domain.traject.aggregaat import Inburgeringstraject

PVT_MINIMUM_UREN = 12  # Bi 3.1(2)
Z_ROUTE_LESUREN = 800  # Bi 3.14(2)
Z_ROUTE_PARTICIPATIEUREN = 800  # Bi 3.14(2), asielstatushouders only; PVT and MAP hours count (Bi 3.14(5))


class Uursoort(StrEnum):
    """Het soort gevolgde uren: NT2, alfabetisering, KNM, PVT of MAP."""

    NT2 = "nt2"
    ALFABETISERING = "alfabetisering"
    KNM = "knm"
    PVT = "pvt"
    MAP = "map"
    PARTICIPATIE = "participatie"


class Fase(StrEnum):
    """Wanneer de uren werden gevolgd: tijdens de brede intake of na vaststelling van het PIP (Bi 5.3(5))."""

    BREDE_INTAKE = "brede_intake"
    UITVOERING = "uitvoering"


class MapThema(StrEnum):
    """De acht thema's van de module arbeidsmarkt en participatie (Bi 3.2)."""

    BEROEPENORIENTATIE = "beroepenorientatie"
    WERKNEMERSCOMPETENTIES = "werknemerscompetenties"
    REALISTISCH_BEROEPSBEELD = "realistisch_beroepsbeeld"
    BEROEPSKANSEN = "beroepskansen"
    BEROEPSCOMPETENTIES_VERWERVEN = "beroepscompetenties_verwerven"
    NETWERK_OPBOUWEN = "netwerk_opbouwen"
    WERK_VINDEN = "werk_vinden"
    WERKCULTUUR = "werkcultuur"


class UitvoeringDeel(Toestand):
    """Commands and facts from the PIP to afronding."""

    class CursusurenGeregistreerd(Gebeurtenis):
        """Hours followed up to `datum`; `fase` says whether they fell in the brede intake or after the PIP."""

        TOPIC = "Inburgeringstraject.CursusurenGeregistreerd"
        OMSCHRIJVING = "Gevolgde cursusuren zijn geregistreerd."
        RECHTSGROND = "Wi 16, Bi 5.3(5)"
        CORRIGEERBAAR: ClassVar[dict[str, type]] = {"datum": date, "uren": int}
        soort: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        uren: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        fase: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]  # brede_intake | uitvoering

        def vereist_pip(self) -> bool:
            return self.fase == Fase.UITVOERING

        def samenhang(self, traject: Inburgeringstraject, versie: int) -> list[str]:
            schendingen = super().samenhang(traject, versie)
            if self.uren < 1:
                schendingen.append(f"{type(self).__name__} (versie {versie}) zonder uren")
            in_de_intake = traject.startdatum <= self.datum and (traject.pip_dagtekening is None or self.datum <= traject.pip_dagtekening)
            if self.fase == Fase.BREDE_INTAKE and not in_de_intake:
                schendingen.append(f"{type(self).__name__} (versie {versie}) buiten de brede intake")
            return schendingen

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.uren.per_soort[self.soort] = traject.uren.per_soort.get(self.soort, 0) + self.uren

    class VoortgangsgesprekGevoerd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.VoortgangsgesprekGevoerd"
        OMSCHRIJVING = "Een voortgangsgesprek is gevoerd."
        RECHTSGROND = "Wi 16, Bi 5.3(4)"

        VEREIST_PIP: ClassVar[bool] = True
        CORRIGEERBAAR: ClassVar[dict[str, type]] = {"datum": date, "verslag": str}
        verslag: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.gesprekken.append(Gesprek(self.originator_version, self.datum, True, False))

    class VoortgangsgesprekGemist(Gebeurtenis):
        TOPIC = "Inburgeringstraject.VoortgangsgesprekGemist"
        OMSCHRIJVING = "De persoon is niet op een voortgangsgesprek verschenen, met of zonder geldige reden."
        RECHTSGROND = "Wi 16, Bi 5.3(4), Wi 23"

        VEREIST_PIP: ClassVar[bool] = True
        CORRIGEERBAAR: ClassVar[dict[str, type]] = {"datum": date, "verslag": str, "geldige_reden": bool}
        geldige_reden: Annotated[bool, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        verslag: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.gesprekken.append(Gesprek(self.originator_version, self.datum, False, self.geldige_reden))

    class ParticipatieverklaringOndertekend(Gebeurtenis):
        TOPIC = "Inburgeringstraject.ParticipatieverklaringOndertekend"
        OMSCHRIJVING = "De participatieverklaring is ondertekend; het PVT is afgerond."
        RECHTSGROND = "Wi 6, Bi 3.1"
        pvt_uren: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.participatieverklaring = self.datum

    class MapThemaAfgerond(Gebeurtenis):
        TOPIC = "Inburgeringstraject.MapThemaAfgerond"
        OMSCHRIJVING = "Een thema van de module arbeidsmarkt en participatie (MAP) is afgerond."
        RECHTSGROND = "Wi 6, Bi 3.2"
        VEREIST_PIP: ClassVar[bool] = True
        thema: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.map_themas = traject.map_themas | {self.thema}

    class MapEindgesprekGevoerd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.MapEindgesprekGevoerd"
        OMSCHRIJVING = "Het eindgesprek van de MAP met het college is gevoerd."
        RECHTSGROND = "Wi 6, Bi 3.2"

        VEREIST_PIP: ClassVar[bool] = True
        verslag: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.map_eindgesprek = self.datum

    class ExamenresultaatOntvangen(Gebeurtenis):
        """An exam result as DUO reports it (Bi 9.2(5))."""

        TOPIC = "Inburgeringstraject.ExamenresultaatOntvangen"
        OMSCHRIJVING = "DUO heeft een examenresultaat gemeld."
        RECHTSGROND = "Wi 6, Bi 9.2(5) (gegevens DUO)"
        VEREIST_PIP: ClassVar[bool] = True
        onderdeel: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]  # lezen | luisteren | schrijven | spreken | knm
        niveau: Annotated[str | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        behaald: Annotated[bool, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            if self.behaald:
                traject.behaalde_onderdelen = traject.behaalde_onderdelen | {self.onderdeel}

    class DiplomaOntvangen(Gebeurtenis):
        TOPIC = "Inburgeringstraject.DiplomaOntvangen"
        OMSCHRIJVING = "DUO heeft het inburgeringsdiploma gemeld."
        RECHTSGROND = "Wi 6(2)"
        VEREIST_PIP: ClassVar[bool] = True

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.diploma = self.datum

    class ZRouteEindgesprekGevoerd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.ZRouteEindgesprekGevoerd"
        OMSCHRIJVING = "Het eindgesprek van de Z-route met het college is gevoerd (Bi 3.14)."
        RECHTSGROND = "Wi 6(2), Bi 3.14"

        VEREIST_PIP: ClassVar[bool] = True
        verslag: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.z_route_eindgesprek = self.datum

    class CertificaatOntvangen(Gebeurtenis):
        TOPIC = "Inburgeringstraject.CertificaatOntvangen"
        OMSCHRIJVING = "DUO heeft het inburgeringscertificaat van de Z-route gemeld."
        RECHTSGROND = "Wi 6(2), Bi 3.16"
        VEREIST_PIP: ClassVar[bool] = True

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.certificaat = self.datum

    class InburgeringsplichtVoldaan(Gebeurtenis):
        TOPIC = "Inburgeringstraject.InburgeringsplichtVoldaan"
        OMSCHRIJVING = "De persoon heeft aan de inburgeringsplicht voldaan."
        RECHTSGROND = "Wi 6"
        VEREIST_PIP: ClassVar[bool] = True

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.status = Status.AFGEROND
            traject.einddatum = self.datum

    class WarmeOverdrachtVervolgtrajectGehouden(Gebeurtenis):
        TOPIC = "Inburgeringstraject.WarmeOverdrachtVervolgtrajectGehouden"
        OMSCHRIJVING = "De persoon is warm overgedragen naar een vervolgtraject."
        RECHTSGROND = "beleid SDD (warme overdracht naar vervolg)"

        NA_AFSLUITING: ClassVar[bool] = True
        ontvanger: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        toelichting: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.warme_overdracht_vervolg = self.datum

    def registreer_cursusuren(self, *, datum: date, soort: Uursoort, uren: int, fase: Fase, door: Vastlegging) -> None:
        """Hours count during the brede intake or from the PIP on; not in between (Bi 5.3(5))."""
        soort, fase = Uursoort(soort), Fase(fase)
        if uren < 1:
            raise ValueError("Uren zijn een positief aantal.")
        if fase is Fase.BREDE_INTAKE:
            niet_voor(datum, self.startdatum, "de start van het traject")
            if self.pip_dagtekening is not None and datum > self.pip_dagtekening:
                raise fouten.CursusurenBuitenFaseError("Na het PIP horen uren bij de uitvoering.")
        else:
            self._vereis_pip(datum)
        self._vastleggen(self.CursusurenGeregistreerd, datum, door, soort=soort.value, uren=uren, fase=fase.value)

    def registreer_voortgangsgesprek(self, *, datum: date, gevoerd: bool, geldige_reden: bool = False, verslag: str, door: Vastlegging) -> None:
        """A voortgangsgesprek took place or was missed; the verslag is kept either way (Bi 5.3(4))."""
        self._vereis_pip(datum)
        if gevoerd:
            self._vastleggen(self.VoortgangsgesprekGevoerd, datum, door, verslag=verslag)
        else:
            self._vastleggen(self.VoortgangsgesprekGemist, datum, door, geldige_reden=geldige_reden, verslag=verslag)

    def onderteken_participatieverklaring(self, *, datum: date, door: Vastlegging) -> None:
        """Signed after at least 12 hours PVT (Bi 3.1)."""
        self._eenmalig(self.participatieverklaring)
        uren = self.uren.van("pvt")
        if uren < PVT_MINIMUM_UREN:
            raise fouten.PvtUrenOnvoldoendeError(f"{uren} uur PVT geregistreerd.")
        self._vastleggen(self.ParticipatieverklaringOndertekend, datum, door, pvt_uren=uren)

    def rond_map_thema_af(self, *, datum: date, thema: MapThema, door: Vastlegging) -> None:
        """One of the eight MAP themes is done."""
        self._vereis_map(datum)
        if thema.value in self.map_themas:
            raise fouten.AlVastgelegdError(f"Thema {thema.value} is al afgerond.")
        self._vastleggen(self.MapThemaAfgerond, datum, door, thema=thema.value)

    def voer_map_eindgesprek(self, *, datum: date, verslag: str, door: Vastlegging) -> None:
        """The college's MAP eindgesprek, after all eight themes (Bi 3.2)."""
        self._vereis_map(datum)
        self._eenmalig(self.map_eindgesprek)
        if ontbrekend := sorted(t.value for t in MapThema if t.value not in self.map_themas):
            raise fouten.MapNietAfgerondError(f"Nog niet afgerond: {', '.join(ontbrekend)}.")
        self._vastleggen(self.MapEindgesprekGevoerd, datum, door, verslag=verslag)

    def registreer_examenresultaat(self, *, datum: date, onderdeel: str, niveau: str | None = None, behaald: bool, door: Vastlegging) -> None:
        """DUO reports an exam result."""
        self._vereis_pip(datum)
        self._vastleggen(self.ExamenresultaatOntvangen, datum, door, onderdeel=onderdeel, niveau=niveau, behaald=behaald)

    def registreer_diploma(self, *, datum: date, door: Vastlegging) -> None:
        """The inburgeringsdiploma (B1-route, onderwijsroute) as DUO reports it (Wi 6(2))."""
        leerroute, _ = self._vereis_pip(datum)
        self._eenmalig(self.diploma)
        if leerroute is Leerroute.Z_ROUTE:
            raise fouten.VerkeerdeLeerrouteError("De Z-route eindigt met een certificaat, niet met een diploma.")
        self._vastleggen(self.DiplomaOntvangen, datum, door)

    def voer_z_route_eindgesprek(self, *, datum: date, verslag: str, door: Vastlegging) -> None:
        """The college's Z-route eindgesprek after the hours of Bi 3.14."""
        leerroute, _ = self._vereis_pip(datum)
        self._eenmalig(self.z_route_eindgesprek)
        if leerroute is not Leerroute.Z_ROUTE:
            raise fouten.VerkeerdeLeerrouteError(f"Het traject volgt de {leerroute.value}.")
        lesuren = self.uren.van("nt2", "alfabetisering", "knm")
        participatie = self.uren.van("participatie", "pvt", "map")
        if lesuren < Z_ROUTE_LESUREN or (
            self.doelgroep is Doelgroep.ASIELSTATUSHOUDER and participatie < Z_ROUTE_PARTICIPATIEUREN
        ):
            raise fouten.ZRouteUrenOnvoldoendeError(f"{lesuren} uur les en {participatie} uur participatie.")
        self._vastleggen(self.ZRouteEindgesprekGevoerd, datum, door, verslag=verslag)

    def registreer_certificaat(self, *, datum: date, door: Vastlegging) -> None:
        """The inburgeringscertificaat of the Z-route, after its eindgesprek (Wi 6(2), Bi 3.16)."""
        leerroute, _ = self._vereis_pip(datum)
        self._eenmalig(self.certificaat)
        if leerroute is not Leerroute.Z_ROUTE or self.z_route_eindgesprek is None:
            raise fouten.VerkeerdeLeerrouteError("Een certificaat volgt op het eindgesprek van de Z-route.")
        self._vastleggen(self.CertificaatOntvangen, datum, door)

    def stel_plicht_voldaan_vast(self, *, datum: date, door: Vastlegging) -> None:
        """PVT, MAP (not in the onderwijsroute) and a diploma or certificaat make the plicht voldaan (Wi 6)."""
        leerroute, _ = self._vereis_pip(datum)
        ontbreekt = [
            naam
            for naam, klaar in (
                ("participatieverklaring", self.participatieverklaring is not None),
                ("MAP-eindgesprek", leerroute is Leerroute.ONDERWIJSROUTE or self.map_eindgesprek is not None),
                ("diploma of certificaat", (self.certificaat if leerroute is Leerroute.Z_ROUTE else self.diploma) is not None),
            )
            if not klaar
        ]
        if ontbreekt:
            raise fouten.PlichtNietVoldaanError(f"Ontbreekt: {', '.join(ontbreekt)}.")
        self._vastleggen(self.InburgeringsplichtVoldaan, datum, door)

    def draag_warm_over_aan_vervolgtraject(self, *, datum: date, ontvanger: str, toelichting: str, door: Vastlegging) -> None:
        """After afronding, the warme overdracht to work, education or the wijkteam."""
        if self.status is not Status.AFGEROND:
            raise fouten.PlichtNietVoldaanError("De warme overdracht volgt op de afronding.")
        self._eenmalig(self.warme_overdracht_vervolg)
        self._vastleggen(self.WarmeOverdrachtVervolgtrajectGehouden, datum, door, ontvanger=ontvanger, toelichting=toelichting)

    def _vereis_map(self, datum: date) -> None:
        leerroute, _ = self._vereis_pip(datum)
        if leerroute is Leerroute.ONDERWIJSROUTE:
            raise fouten.MapNietAfgerondError("In de onderwijsroute geldt de MAP niet.")
