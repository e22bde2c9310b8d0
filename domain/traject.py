"""The Inburgeringstraject aggregate: one per person per inburgeringsplicht.

Public methods check the rules and trigger an event; an event's `apply` only changes state,
because it runs again on every replay. Topics are explicit and stable: they are the schema of
the stored history, so never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate

from domain import fouten, termijnen
from domain.beleid import beleid_op
from domain.waarden import (
    Aanleiding,
    Boeteartikel,
    Boetegrond,
    Doelgroep,
    Gemeente,
    Leerroute,
    Metadata,
    RedenRoutewijziging,
    Vastlegging,
    Verblijfsvergunning,
    Verwijtbaarheid,
)

ASIELVERGUNNINGEN = frozenset(
    {
        Verblijfsvergunning.ASIEL_BEPAALDE_TIJD,
        Verblijfsvergunning.ASIEL_ONBEPAALDE_TIJD,
        Verblijfsvergunning.EU_LANGDURIG_INTERNATIONALE_BESCHERMING,
    }
)
GRONDEN_PER_ARTIKEL = {
    Boeteartikel.WI_22: {Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT},
    Boeteartikel.WI_23: set(Boetegrond) - {Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT},
}


def doelgroep_volgens_vergunning(
    eigen: Verblijfsvergunning, referent: Verblijfsvergunning | None
) -> Doelgroep:
    """Own asylum permit, or joining a holder of one, makes an asielstatushouder (Wi 13(1))."""
    if eigen in ASIELVERGUNNINGEN or referent in ASIELVERGUNNINGEN:
        return Doelgroep.ASIELSTATUSHOUDER
    return Doelgroep.GEZINS_OVERIGE_MIGRANT


@dataclass(frozen=True)
class Gesprek:
    """A voortgangsgesprek as the trajectory remembers it."""

    versie: int
    datum: date
    gevoerd: bool
    geldige_reden: bool


@dataclass(frozen=True)
class Boete:
    """A boete opgelegd by the college."""

    versie: int
    datum: date
    artikel: Boeteartikel
    grond: Boetegrond
    bedrag: Decimal


@dataclass(frozen=True)
class Deadline:
    """A date the law or policy sets, and whether it was met."""

    soort: str
    uiterlijk: date
    grondslag: str
    status: str  # open | verlopen | voldaan | te_laat_voldaan | verstreken


def _status(uiterlijk: date, voldaan_op: date | None, vandaag: date) -> str:
    if voldaan_op is not None:
        return "voldaan" if voldaan_op <= uiterlijk else "te_laat_voldaan"
    return "open" if vandaag <= uiterlijk else "verlopen"


class Inburgeringstraject(Aggregate):
    """The trajectory of one inburgeraar under one inburgeringsplicht."""

    TOPIC = "Inburgeringstraject"

    class Created(Aggregate.Created):
        """The trajectory was opened (stored as `Inburgeringstraject.Gestart`)."""

        TOPIC = "Inburgeringstraject.Gestart"
        datum: date
        metadata: Metadata
        aanleiding: str
        doelgroep: str
        gemeente: str
        bsn: str

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.aanleiding = Aanleiding(self.aanleiding)
            traject.doelgroep = Doelgroep(self.doelgroep)
            traject.gemeente = Gemeente(self.gemeente)
            traject.bsn = self.bsn
            traject.startdatum = self.datum

    class Gebeurtenis(Aggregate.Event):
        """Base of every later fact: the date it took effect and who recorded it."""

        TOPIC = "Inburgeringstraject.Gebeurtenis"
        datum: date
        metadata: Metadata

    class TvsProfielOntvangen(Gebeurtenis):
        TOPIC = "Inburgeringstraject.TvsProfielOntvangen"
        huishoudgrootte: int | None
        land_van_herkomst: str | None
        taal: str | None

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.tvs_profiel_ontvangen = self.datum

    class InburgeringsplichtVastgesteld(Gebeurtenis):
        TOPIC = "Inburgeringstraject.InburgeringsplichtVastgesteld"
        verblijfsvergunning: str
        referent_verblijfsvergunning: str | None

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.kennisgevingsdatum = self.datum

    class HuisvestingGeregistreerd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.HuisvestingGeregistreerd"
        gemeente: str
        huisvestingsdatum: date | None

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.brp_inschrijvingsdatum = self.datum
            traject.huisvestingsdatum = self.huisvestingsdatum or self.datum

    class BredeIntakeGehouden(Gebeurtenis):
        TOPIC = "Inburgeringstraject.BredeIntakeGehouden"
        onderwerpen: dict[str, str]
        gezondheid: dict[str, str]  # special-category data (AVG art. 9), kept apart on purpose
        leerbaarheidstoets_advies: str | None

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.brede_intake_datum = self.datum
            traject.leerroute_advies = (
                Leerroute(self.leerbaarheidstoets_advies) if self.leerbaarheidstoets_advies else None
            )

    class PipVastgesteld(Gebeurtenis):
        """The PIP beschikking; `datum` is its dagtekening."""

        TOPIC = "Inburgeringstraject.PipVastgesteld"
        leerroute: str
        leerroute_uren_per_week: int | None
        pvt_uren: int
        map_uren: int | None
        aantal_voortgangsgesprekken: int
        ondersteuning: str

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.pip_dagtekening = self.datum
            traject.leerroute = Leerroute(self.leerroute)
            traject.aantal_voortgangsgesprekken = self.aantal_voortgangsgesprekken

    class LeerrouteGewijzigd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.LeerrouteGewijzigd"
        van: str
        naar: str
        reden: str
        toelichting: str

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.leerroute = Leerroute(self.naar)
            traject.routewijzigingen += 1

    class VoortgangsgesprekGevoerd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.VoortgangsgesprekGevoerd"
        verslag: str

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.gesprekken.append(Gesprek(self.originator_version, self.datum, True, False))

    class VoortgangsgesprekGemist(Gebeurtenis):
        TOPIC = "Inburgeringstraject.VoortgangsgesprekGemist"
        geldige_reden: bool
        verslag: str

        def apply(self, traject: Inburgeringstraject) -> None:
            gesprek = Gesprek(self.originator_version, self.datum, False, self.geldige_reden)
            traject.gesprekken.append(gesprek)

    class BoeteOpgelegd(Gebeurtenis):
        TOPIC = "Inburgeringstraject.BoeteOpgelegd"
        artikel: str
        grond: str
        bedrag: Decimal
        verwijtbaarheid: str
        motivering: str
        uitzonderlijk_geval_motivering: str | None
        gemist_gesprek_versie: int | None

        def apply(self, traject: Inburgeringstraject) -> None:
            artikel, grond = Boeteartikel(self.artikel), Boetegrond(self.grond)
            boete = Boete(self.originator_version, self.datum, artikel, grond, self.bedrag)
            traject.boetes.append(boete)
            if self.gemist_gesprek_versie is not None:
                traject.beboete_gesprekken.add(self.gemist_gesprek_versie)

    def __init__(self) -> None:
        # Filled in by Gestart.apply; declared here so that every trajectory has the same shape.
        self.aanleiding: Aanleiding
        self.doelgroep: Doelgroep
        self.gemeente: Gemeente
        self.bsn: str
        self.startdatum: date
        self.tvs_profiel_ontvangen: date | None = None
        self.kennisgevingsdatum: date | None = None
        self.brp_inschrijvingsdatum: date | None = None
        self.huisvestingsdatum: date | None = None
        self.brede_intake_datum: date | None = None
        self.leerroute_advies: Leerroute | None = None
        self.pip_dagtekening: date | None = None
        self.leerroute: Leerroute | None = None
        self.aantal_voortgangsgesprekken = 0
        self.routewijzigingen = 0
        self.gesprekken: list[Gesprek] = []
        self.boetes: list[Boete] = []
        self.beboete_gesprekken: set[int] = set()

    # -- start -------------------------------------------------------------------------------

    @classmethod
    def start_na_tvs_profiel(
        cls,
        *,
        datum: date,
        gemeente: Gemeente,
        bsn: str,
        huishoudgrootte: int | None,
        land_van_herkomst: str | None,
        taal: str | None,
        door: Vastlegging,
    ) -> Inburgeringstraject:
        """COA's TVS-profiel of an asielstatushouder gekoppeld to one of our gemeenten."""
        _niet_in_de_toekomst(datum, door)
        traject = cls._start(Aanleiding.TVS_PROFIEL, Doelgroep.ASIELSTATUSHOUDER, gemeente, bsn, datum, door)
        traject._vastleggen(
            cls.TvsProfielOntvangen,
            datum,
            door,
            huishoudgrootte=huishoudgrootte,
            land_van_herkomst=land_van_herkomst,
            taal=taal,
        )
        return traject

    @classmethod
    def start_na_kennisgeving(
        cls,
        *,
        datum: date,
        gemeente: Gemeente,
        bsn: str,
        verblijfsvergunning: Verblijfsvergunning,
        referent_verblijfsvergunning: Verblijfsvergunning | None,
        door: Vastlegging,
    ) -> Inburgeringstraject:
        """DUO's kennisgeving of the inburgeringsplicht; the permit decides the doelgroep."""
        _niet_in_de_toekomst(datum, door)
        doelgroep = doelgroep_volgens_vergunning(verblijfsvergunning, referent_verblijfsvergunning)
        traject = cls._start(Aanleiding.DUO_KENNISGEVING, doelgroep, gemeente, bsn, datum, door)
        traject.registreer_kennisgeving(
            datum=datum,
            verblijfsvergunning=verblijfsvergunning,
            referent_verblijfsvergunning=referent_verblijfsvergunning,
            door=door,
        )
        return traject

    @classmethod
    def _start(
        cls,
        aanleiding: Aanleiding,
        doelgroep: Doelgroep,
        gemeente: Gemeente,
        bsn: str,
        datum: date,
        door: Vastlegging,
    ) -> Inburgeringstraject:
        return cls._create(
            cls.Created,
            id=uuid4(),  # random, never derived from the BSN
            timestamp=door.tijdstip,
            datum=datum,
            metadata=door.metadata(namens=gemeente),
            aanleiding=aanleiding.value,
            doelgroep=doelgroep.value,
            gemeente=gemeente.value,
            bsn=bsn,
        )

    # -- commands ----------------------------------------------------------------------------

    def registreer_kennisgeving(
        self,
        *,
        datum: date,
        verblijfsvergunning: Verblijfsvergunning,
        referent_verblijfsvergunning: Verblijfsvergunning | None,
        door: Vastlegging,
    ) -> None:
        """DUO's kennisgeving that the person is inburgeringsplichtig."""
        _niet_in_de_toekomst(datum, door)
        if self.kennisgevingsdatum is not None:
            raise fouten.InburgeringsplichtAlVastgesteldError(
                f"De kennisgeving van {self.kennisgevingsdatum.isoformat()} is al vastgelegd."
            )
        volgens_vergunning = doelgroep_volgens_vergunning(verblijfsvergunning, referent_verblijfsvergunning)
        if volgens_vergunning is not self.doelgroep:
            raise fouten.DoelgroepTegenstrijdigError(
                f"De vergunning maakt de persoon {volgens_vergunning.value}, "
                f"het traject is voor {self.doelgroep.value}."
            )
        self._vastleggen(
            self.InburgeringsplichtVastgesteld,
            datum,
            door,
            verblijfsvergunning=verblijfsvergunning.value,
            referent_verblijfsvergunning=referent_verblijfsvergunning.value if referent_verblijfsvergunning else None,
        )

    def registreer_huisvesting(
        self, *, datum: date, gemeente: Gemeente, huisvestingsdatum: date | None, door: Vastlegging
    ) -> None:
        """BRP-inschrijving (`datum`) in the gemeente where the person is housed."""
        _niet_in_de_toekomst(datum, door)
        if self.brp_inschrijvingsdatum is not None:
            raise fouten.HuisvestingAlGeregistreerdError(
                f"Ingeschreven op {self.brp_inschrijvingsdatum.isoformat()}."
            )
        if gemeente is not self.gemeente:
            raise fouten.HuisvestingAndereGemeenteError(
                f"Het traject hoort bij gemeente {self.gemeente.value}, de huisvesting ligt in {gemeente.value}."
            )
        if huisvestingsdatum is not None and huisvestingsdatum > datum:
            raise fouten.DatumVoorVorigeStapError(
                "De BRP-inschrijving kan niet voor de huisvesting liggen."
            )
        self._vastleggen(
            self.HuisvestingGeregistreerd, datum, door, gemeente=gemeente.value, huisvestingsdatum=huisvestingsdatum
        )

    def houd_brede_intake(
        self,
        *,
        datum: date,
        onderwerpen: dict[str, str],
        gezondheid: dict[str, str],
        leerbaarheidstoets_advies: Leerroute | None,
        door: Vastlegging,
    ) -> None:
        """The brede intake was held (Wi 14)."""
        _niet_in_de_toekomst(datum, door)
        if self.brede_intake_datum is not None:
            raise fouten.BredeIntakeAlGehoudenError(f"Gehouden op {self.brede_intake_datum.isoformat()}.")
        _niet_voor(datum, self.startdatum, "de start van het traject")
        self._vastleggen(
            self.BredeIntakeGehouden,
            datum,
            door,
            onderwerpen=dict(onderwerpen),
            gezondheid=dict(gezondheid),
            leerbaarheidstoets_advies=leerbaarheidstoets_advies.value if leerbaarheidstoets_advies else None,
        )

    def stel_pip_vast(
        self,
        *,
        dagtekening: date,
        leerroute: Leerroute,
        leerroute_uren_per_week: int | None,
        pvt_uren: int,
        map_uren: int | None,
        aantal_voortgangsgesprekken: int,
        ondersteuning: str,
        door: Vastlegging,
    ) -> None:
        """The college sets the PIP; its dagtekening starts the inburgeringstermijn (Wi 11, Wi 15)."""
        _niet_in_de_toekomst(dagtekening, door)
        if self.pip_dagtekening is not None:
            raise fouten.PipAlVastgesteldError(f"Vastgesteld op {self.pip_dagtekening.isoformat()}.")
        if self.brede_intake_datum is None:
            raise fouten.BredeIntakeOntbreektError("Houd eerst de brede intake.")
        if self.kennisgevingsdatum is None:
            raise fouten.InburgeringsplichtOnbekendError("Leg eerst de kennisgeving van DUO vast.")
        _niet_voor(dagtekening, self.brede_intake_datum, "de brede intake")
        if leerroute_uren_per_week is not None and self.doelgroep is Doelgroep.GEZINS_OVERIGE_MIGRANT:
            raise fouten.LeerrouteIntensiteitNietVoorGezinsmigrantError(
                "Laat de intensiteit van de leerroute weg voor een gezins- of overige migrant."
            )
        if map_uren is not None and leerroute is Leerroute.ONDERWIJSROUTE:
            raise fouten.GeenMapInOnderwijsrouteError("Laat de MAP-uren weg in de onderwijsroute.")
        self._vastleggen(
            self.PipVastgesteld,
            dagtekening,
            door,
            leerroute=leerroute.value,
            leerroute_uren_per_week=leerroute_uren_per_week,
            pvt_uren=pvt_uren,
            map_uren=map_uren,
            aantal_voortgangsgesprekken=aantal_voortgangsgesprekken,
            ondersteuning=ondersteuning,
        )

    def wijzig_leerroute(
        self, *, datum: date, naar: Leerroute, reden: RedenRoutewijziging, toelichting: str, door: Vastlegging
    ) -> None:
        """The college sets another leerroute (Wi 17(2), Bi 5.4)."""
        _niet_in_de_toekomst(datum, door)
        van, dagtekening = self._vereis_pip(datum)
        if naar is van:
            raise fouten.LeerrouteOngewijzigdError(f"De leerroute is al {van.value}.")
        uiterste = termijnen.routewijziging_uiterste_datum(termijnen.termijn_start(dagtekening))
        uitzondering = (van, naar) == (Leerroute.ONDERWIJSROUTE, Leerroute.B1) or reden in (
            RedenRoutewijziging.BIJZONDER_GEVAL,
            RedenRoutewijziging.NIET_VRIJSTELLENDE_OPLEIDING,
        )
        if datum > uiterste and not uitzondering:
            raise fouten.RoutewijzigingNaVensterError(
                f"De laatste dag voor een routewijziging was {uiterste.isoformat()}."
            )
        maximum = beleid_op(datum).max_routewijzigingen
        if self.routewijzigingen >= maximum:
            raise fouten.MaximumRoutewijzigingenError(
                f"Dit traject had al {self.routewijzigingen} routewijziging(en); het beleid staat er {maximum} toe."
            )
        self._vastleggen(
            self.LeerrouteGewijzigd,
            datum,
            door,
            van=van.value,
            naar=naar.value,
            reden=reden.value,
            toelichting=toelichting,
        )

    def registreer_voortgangsgesprek(
        self, *, datum: date, gevoerd: bool, geldige_reden: bool, verslag: str, door: Vastlegging
    ) -> None:
        """A voortgangsgesprek took place or was missed; the verslag is kept either way (Bi 5.3(4))."""
        _niet_in_de_toekomst(datum, door)
        self._vereis_pip(datum)
        if gevoerd:
            self._vastleggen(self.VoortgangsgesprekGevoerd, datum, door, verslag=verslag)
        else:
            self._vastleggen(
                self.VoortgangsgesprekGemist, datum, door, geldige_reden=geldige_reden, verslag=verslag
            )

    def leg_boete_op(
        self,
        *,
        datum: date,
        artikel: Boeteartikel,
        grond: Boetegrond,
        verwijtbaarheid: Verwijtbaarheid | None,
        motivering: str,
        uitzonderlijk_geval_motivering: str | None,
        door: Vastlegging,
    ) -> Decimal:
        """The college fines under Wi 22 or Wi 23; returns the amount the policy sets."""
        _niet_in_de_toekomst(datum, door)
        if grond not in GRONDEN_PER_ARTIKEL[artikel]:
            raise fouten.BoetegrondPastNietBijArtikelError(f"{grond.value} valt niet onder {artikel.value}.")
        if verwijtbaarheid is None:
            raise fouten.VerwijtbaarheidOntbreektError("Leg vast in welke mate de overtreding verwijtbaar is.")
        if verwijtbaarheid is Verwijtbaarheid.NIET_VERWIJTBAAR:
            raise fouten.NietVerwijtbaarError("De overtreding is niet verwijtbaar geoordeeld.")
        if (
            grond is Boetegrond.LEERROUTE_INTENSITEIT_NIET_NAGEKOMEN
            and self.doelgroep is Doelgroep.GEZINS_OVERIGE_MIGRANT
        ):
            raise fouten.GeenBoeteOpLeerrouteVoorGezinsmigrantError(
                "Het college stelt de intensiteit van hun leerroute niet vast en handhaaft er niet op."
            )
        if self.doelgroep is Doelgroep.ASIELSTATUSHOUDER and not (uitzonderlijk_geval_motivering or "").strip():
            raise fouten.UitzonderlijkGevalNietGemotiveerdError(
                "Motiveer waarom een boete hier toch passend is (aanhoudend gebrek aan bereidheid)."
            )
        if artikel is Boeteartikel.WI_23:
            self._vereis_pip(datum)
        gesprek = self._onbeboet_gemist_gesprek() if grond is Boetegrond.VOORTGANGSGESPREK_GEMIST else None
        bedrag = self._boetebedrag(datum, artikel, verwijtbaarheid)
        self._vastleggen(
            self.BoeteOpgelegd,
            datum,
            door,
            artikel=artikel.value,
            grond=grond.value,
            bedrag=bedrag,
            verwijtbaarheid=verwijtbaarheid.value,
            motivering=motivering,
            uitzonderlijk_geval_motivering=uitzonderlijk_geval_motivering,
            gemist_gesprek_versie=gesprek.versie if gesprek else None,
        )
        return bedrag

    # -- derived state -----------------------------------------------------------------------

    @property
    def pip_uiterste_datum(self) -> date | None:
        return termijnen.pip_uiterste_datum(self.doelgroep, self.kennisgevingsdatum, self.brp_inschrijvingsdatum)

    @property
    def termijn_start(self) -> date | None:
        return termijnen.termijn_start(self.pip_dagtekening) if self.pip_dagtekening else None

    @property
    def termijn_einde(self) -> date | None:
        return termijnen.termijn_einde(self.termijn_start) if self.termijn_start else None

    @property
    def routewijziging_uiterste_datum(self) -> date | None:
        start = self.termijn_start
        return termijnen.routewijziging_uiterste_datum(start) if start else None

    @property
    def intake_signaaldatum(self) -> date | None:
        """SDD's target: brede intake within 10 weeks of huisvesting (a signal, not a legal term)."""
        if self.huisvestingsdatum is None:
            return None
        weken = beleid_op(self.huisvestingsdatum).intake_signaal_weken
        return self.huisvestingsdatum + timedelta(weeks=weken)

    def deadlines(self, vandaag: date) -> list[Deadline]:
        """The dates that matter now, each with its source and its state on `vandaag`."""
        items = [
            ("pip-vaststelling", self.pip_uiterste_datum, self.pip_dagtekening, "Bi 5.3(1)"),
            ("brede-intake-signaal", self.intake_signaaldatum, self.brede_intake_datum, "SDD beleid §3.1"),
            ("routewijziging-venster", self.routewijziging_uiterste_datum, None, "Wi 17(2), Bi 5.4(1)"),
            ("inburgeringstermijn-einde", self.termijn_einde, None, "Wi 11(1)"),
        ]
        return [
            Deadline(soort, uiterlijk, grondslag, _status(uiterlijk, voldaan_op, vandaag))
            for soort, uiterlijk, voldaan_op, grondslag in items
            if uiterlijk is not None
        ]

    # -- helpers -----------------------------------------------------------------------------

    def _vastleggen(self, soort: type[Gebeurtenis], datum: date, door: Vastlegging, **gegevens: Any) -> None:
        self.trigger_event(
            soort, timestamp=door.tijdstip, datum=datum, metadata=door.metadata(namens=self.gemeente), **gegevens
        )

    def _vereis_pip(self, datum: date) -> tuple[Leerroute, date]:
        """The current leerroute and the PIP's dagtekening, for a step that needs a PIP."""
        if self.pip_dagtekening is None or self.leerroute is None:
            raise fouten.PipOntbreektError("Stel eerst het PIP vast.")
        _niet_voor(datum, self.pip_dagtekening, "de dagtekening van het PIP")
        return self.leerroute, self.pip_dagtekening

    def _onbeboet_gemist_gesprek(self) -> Gesprek:
        for gesprek in self.gesprekken:
            zonder_reden = not gesprek.gevoerd and not gesprek.geldige_reden
            if zonder_reden and gesprek.versie not in self.beboete_gesprekken:
                return gesprek
        raise fouten.GeenGemistGesprekError("Leg eerst het gemiste gesprek vast.")

    def _boetebedrag(self, datum: date, artikel: Boeteartikel, verwijtbaarheid: Verwijtbaarheid) -> Decimal:
        beleid = beleid_op(datum)
        if artikel is Boeteartikel.WI_22:
            bedrag = beleid.boete_wi22  # a fixed amount (Bi 7.1(1))
        else:
            sinds = termijnen.plus_maanden(datum, -beleid.boete_wi23_recidive_maanden)
            eerdere = sum(1 for b in self.boetes if b.artikel is Boeteartikel.WI_23 and b.datum > sinds)
            basis = min(beleid.boete_wi23_basis * 2**eerdere, beleid.boete_wi23_maximum)  # Bi 7.1(2)-(3)
            bedrag = basis * beleid.verwijtbaarheid_percentage[verwijtbaarheid] / 100  # Bi 7.1(4)
        al_opgelegd = sum((b.bedrag for b in self._boetes_in_termijn()), Decimal("0"))
        ruimte = beleid.boetes_maximum_per_termijn - al_opgelegd  # Bi 7.1(5)
        if ruimte <= 0:
            raise fouten.BoetemaximumBereiktError(f"Al opgelegd in deze termijn: EUR {al_opgelegd}.")
        return min(bedrag, ruimte).quantize(Decimal("0.01"))

    def _boetes_in_termijn(self) -> list[Boete]:
        start = self.termijn_start
        return [b for b in self.boetes if start is None or b.datum >= start or b.artikel is Boeteartikel.WI_22]


Gebeurtenis = Inburgeringstraject.Gebeurtenis


def _niet_in_de_toekomst(datum: date, door: Vastlegging) -> None:
    if datum > door.vandaag:
        raise fouten.DatumInDeToekomstError(f"{datum.isoformat()} ligt na vandaag ({door.vandaag.isoformat()}).")


def _niet_voor(datum: date, eerder: date, stap: str) -> None:
    if datum < eerder:
        raise fouten.DatumVoorVorigeStapError(f"{datum.isoformat()} ligt voor {stap} ({eerder.isoformat()}).")


