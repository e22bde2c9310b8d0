"""The Inburgeringstraject aggregate: one per person per inburgeringsplicht.

The aggregate is composed of one part per phase of the process (intake, PIP, uitvoering,
ondersteuning, handhaving, DUO, verloop), each a module with its events and rules; together they
are one aggregate with one history. Topics are explicit and stable: they are the schema of the
stored history, so never rename one.
"""

from __future__ import annotations

import copy
import functools
from datetime import date, timedelta
from enum import Enum
from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import fouten, termijnen
from domain.beleid import beleid_op
from domain.metadata import Metadata
from domain.persoonsgegevens import LANG
from domain.traject.basis import (
    Deadline,
    Gebeurtenis,
    Handhavingszaak,
    Onveranderlijk,
    Status,
    Uren,
    ZaakStap,
    deadline_status,
    geldige_feitdatum,
    na,
    niet_voor,
)
from domain.traject.duo import DuoDeel
from domain.traject.handhaving import BESLISSING_OP_BEZWAAR, BESLISTERMIJN, BEZWAARTERMIJN, HandhavingDeel
from domain.traject.intake import IntakeDeel, doelgroep_volgens_vergunning
from domain.traject.ondersteuning import OndersteuningDeel
from domain.traject.pip import Aanbod, PipDeel
from domain.traject.uitvoering import UitvoeringDeel
from domain.traject.verloop import VerloopDeel
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, Veld
from domain.waarden import (
    Aanleiding,
    Boeteartikel,
    Doelgroep,
    Gemeente,
    Leerroute,
    Rol,
    Vastlegging,
    Verblijfsvergunning,
)

ONTZORGEN_MAANDEN = 6  # PW 56a
BRP_SIGNAAL_GRONDSLAG = "SDD beleid (huisvesting na koppeling), Bi 5.3(1)"


@functools.cache
def _gedeeld(soort: type) -> bool:
    """Values of this type never change in place, so a copy of a trajectory may share them."""
    return issubclass(soort, (str, int, float, type(None), date, Enum, UUID, frozenset, Onveranderlijk))


class Inburgeringstraject(
    IntakeDeel, PipDeel, UitvoeringDeel, OndersteuningDeel, HandhavingDeel, DuoDeel, VerloopDeel, Aggregate
):
    """The trajectory of one inburgeraar under one inburgeringsplicht."""

    TOPIC = "Inburgeringstraject"
    FEITEN = f"{TOPIC}."  # how the topic of each of its facts begins: they share the log with other aggregates'

    class Created(Aggregate.Created):
        """The trajectory was opened (stored as `Inburgeringstraject.Gestart`)."""

        TOPIC = "Inburgeringstraject.Gestart"
        OMSCHRIJVING = "Het college is het traject van een inburgeraar begonnen, na het TVS-profiel van het COA of de kennisgeving van DUO."
        RECHTSGROND = "Wi 2, Wi 13-14 (regie van het college); Bi 9.1(3)-(4)"
        SOORT_LEZERS: ClassVar[frozenset[Rol]] = IEDEREEN
        datum: Annotated[date, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        metadata: Annotated[Metadata, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        aanleiding: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        doelgroep: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        gemeente: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        bsn: Annotated[str, Veld(LANG, IEDEREEN)]

        def apply(self, traject: Inburgeringstraject) -> None:
            traject.aanleiding = Aanleiding(self.aanleiding)
            traject.doelgroep = Doelgroep(self.doelgroep)
            traject.startgemeente = traject.gemeente = Gemeente(self.gemeente)
            traject.bsn = self.bsn
            traject.startdatum = self.datum
            # The regisseur who opens the case holds it until another is assigned.
            traject.startregisseur = self.metadata.gebruiker if self.metadata.rol == "regisseur" else None
            traject.regisseur = traject.startregisseur

    def __init__(self) -> None:
        # The applied facts, so that a correction can replace one and rebuild. They are event objects,
        # which is why snapshotting stays off: a snapshot would have to hold them as plain data. A
        # history is tens to a few hundred events; replaying it is cheap (make bench).
        self.feiten = {}
        self.correcties = 0
        self.verwijderd = set()
        self._beginstand()

    def __deepcopy__(self, memo: dict[int, Any]) -> Inburgeringstraject:
        """A copy for a command to change (the cache keeps the original): every attribute that can change in
        place is copied deeply; the rest is shared. The library's deep copy rebuilt each date and frozenset
        and walked every fact: about 80 µs for a trajectory just started, and growing with its history."""
        kopie = object.__new__(type(self))
        memo[id(self)] = kopie
        for naam, waarde in vars(self).items():
            soort: type = type(waarde)
            if naam == "feiten":  # facts never change (Onveranderlijk): a dict of its own, with the same facts
                waarde = dict(waarde)
            elif not _gedeeld(soort):
                waarde = copy.deepcopy(waarde, memo)
            kopie.__dict__[naam] = waarde
        return kopie

    def _beginstand(self) -> None:
        """Everything the facts after the start determine, as it is before the first of them."""
        self.status = Status.LOPEND
        self.einddatum = None
        self.tvs_profiel_ontvangen = None
        self.coa_warme_overdracht = None
        self.kennisgevingsdatum = None
        self.verblijfsvergunning = None
        self.brp_inschrijvingsdatum = None
        self.huisvestingsdatum = None
        self.oproepen = []
        self.kennismakingsgesprek = None
        self.leerbaarheidstoets = None
        self.brede_intake_datum = None
        self.intake_in_afwezigheid = False
        self.leerroute_advies = None
        self.welkomstprogramma = None
        self.pip_dagtekening = None
        self.pip_gewijzigd = None
        self.pip_aanbod = frozenset()
        self.leerroute = None
        self.aantal_voortgangsgesprekken = 0
        self.routewijzigingen = 0
        self.afgeschaald_naar_a2 = None
        self.uren = Uren()
        self.gesprekken = []
        self.participatieverklaring = None
        self.map_themas = frozenset()
        self.map_eindgesprek = None
        self.behaalde_onderdelen = frozenset()
        self.diploma = None
        self.z_route_eindgesprek = None
        self.certificaat = None
        self.warme_overdracht_vervolg = None
        self.ontzorgen_start = None
        self.begeleiding_start = None
        self.tolkvoorzieningen = 0
        self.zaken = {}
        self.duo_termijn_einde = None
        self.gedeeltelijke_ontheffing = None
        self.duo_boetes = 0
        self.verhuisd_op = None

    def herbereken(self) -> None:
        """Rebuild the state from the kept facts (after one of them was corrected)."""
        self.gemeente, self.regisseur = self.startgemeente, self.startregisseur
        self._beginstand()
        for versie in sorted(self.feiten):
            self.feiten[versie].pas_toe(self)

    # -- start -------------------------------------------------------------------------------

    @classmethod
    def start_na_tvs_profiel(
        cls, *, datum: date, gemeente: Gemeente, bsn: str, huishoudgrootte: int | None = None,
        land_van_herkomst: str | None = None, taal: str | None = None, door: Vastlegging,
    ) -> Inburgeringstraject:
        """COA's TVS-profiel of an asielstatushouder gekoppeld to one of our gemeenten."""
        traject = cls._start(Aanleiding.TVS_PROFIEL, Doelgroep.ASIELSTATUSHOUDER, gemeente, bsn, datum, door)
        traject._vastleggen(
            cls.TvsProfielOntvangen, datum, door, huishoudgrootte=huishoudgrootte, land_van_herkomst=land_van_herkomst, taal=taal
        )
        return traject

    @classmethod
    def start_na_kennisgeving(
        cls, *, datum: date, gemeente: Gemeente, bsn: str, verblijfsvergunning: Verblijfsvergunning,
        referent_verblijfsvergunning: Verblijfsvergunning | None = None, door: Vastlegging,
    ) -> Inburgeringstraject:
        """DUO's kennisgeving of the inburgeringsplicht; the permit decides the doelgroep."""
        doelgroep = doelgroep_volgens_vergunning(verblijfsvergunning, referent_verblijfsvergunning)
        traject = cls._start(Aanleiding.DUO_KENNISGEVING, doelgroep, gemeente, bsn, datum, door)
        traject.registreer_kennisgeving(
            datum=datum, verblijfsvergunning=verblijfsvergunning,
            referent_verblijfsvergunning=referent_verblijfsvergunning, door=door,
        )
        return traject

    @classmethod
    def _start(
        cls, aanleiding: Aanleiding, doelgroep: Doelgroep, gemeente: Gemeente, bsn: str, datum: date, door: Vastlegging
    ) -> Inburgeringstraject:
        geldige_feitdatum(datum, door)
        return cls._create(
            cls.Created,
            id=uuid4(),  # random, never derived from the BSN
            timestamp=door.tijdstip,
            datum=datum,
            metadata=Metadata.van(door, namens=gemeente),
            aanleiding=aanleiding.value,
            doelgroep=doelgroep.value,
            gemeente=gemeente.value,
            bsn=bsn,
        )

    # -- derived state -----------------------------------------------------------------------

    def zoals_op(self, dag: date) -> Inburgeringstraject | None:
        """The trajectory as it stood in reality on `dag`: only the facts that had taken effect by then,
        as they are known now (corrections included). None before it started. Removed personal data stay
        removed: looking back never brings them back."""
        if dag < self.startdatum:
            return None
        toen = copy.deepcopy(self)
        toen.feiten = {versie: feit for versie, feit in toen.feiten.items() if feit.datum <= dag}
        toen.herbereken()
        return toen

    @property
    def is_afgesloten(self) -> bool:
        return self.status is not Status.LOPEND

    @property
    def pip_uiterste_datum(self) -> date | None:
        return termijnen.pip_uiterste_datum(self.doelgroep, self.kennisgevingsdatum, self.brp_inschrijvingsdatum)

    @property
    def termijn_start(self) -> date | None:
        return termijnen.termijn_start(self.pip_dagtekening) if self.pip_dagtekening else None

    @property
    def termijn_einde(self) -> date | None:
        """DUO's end date once DUO set one (Bi 9.3(3)), else three years from the start."""
        if self.duo_termijn_einde is not None:
            return self.duo_termijn_einde
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
        return self.huisvestingsdatum + timedelta(weeks=beleid_op(self.huisvestingsdatum).intake_signaal_weken)

    @property
    def brp_inschrijving_signaal(self) -> tuple[str, date] | None:
        """An asielstatushouder's BRP-inschrijving as SDD expects it: (soort, uiterlijk), counted from the
        fact the trajectory began with, COA's koppeling (TVS-profiel) or DUO's kennisgeving. Until the
        inschrijving no PIP date runs (Bi 5.3(1)), so without this nothing would keep the person on the
        worklist. A gezinsmigrant's PIP date runs from the kennisgeving alone: no signal."""
        if self.doelgroep is not Doelgroep.ASIELSTATUSHOUDER:
            return None
        bron, begin = ("tvs-profiel", self.tvs_profiel_ontvangen) if self.tvs_profiel_ontvangen else ("kennisgeving", self.kennisgevingsdatum)
        if begin is None:
            return None
        return f"brp-inschrijving-na-{bron}", begin + timedelta(weeks=beleid_op(begin).brp_inschrijving_signaal_weken)

    @property
    def ontzorgen_einde(self) -> date | None:
        return termijnen.plus_maanden(self.ontzorgen_start, ONTZORGEN_MAANDEN) if self.ontzorgen_start else None

    @property
    def begeleiding_einde(self) -> date | None:
        if self.begeleiding_start is None:
            return None
        return termijnen.plus_maanden(self.begeleiding_start, beleid_op(self.begeleiding_start).begeleiding_maanden)

    @property
    def volgend_voortgangsgesprek(self) -> date | None:
        """When the next of the PIP's voortgangsgesprekken is due (Bi 5.3(4)); spread evenly over the termijn."""
        gepland, gehouden = self.aantal_voortgangsgesprekken, len(self.gesprekken)
        if self.termijn_start is None or gehouden >= gepland:
            return None
        maanden = termijnen.INBURGERINGSTERMIJN_MAANDEN * (gehouden + 1) // gepland
        return termijnen.plus_maanden(self.termijn_start, maanden)

    def termijnen(self) -> list[tuple[str, date, date | None, str, int | None]]:
        """Every date the law or policy sets for this trajectory: (soort, uiterlijk, voldaan op, grondslag, zaak)."""
        # After a move the new gemeente reviews a PIP it inherited (Bi 5.3(3)); a PIP set after the move
        # falls under the ordinary PIP date instead.
        verhuizing_pip: date | None = None
        pip_na_verhuizing: date | None = None
        if self.verhuisd_op is not None and self.pip_dagtekening is not None and self.pip_dagtekening < self.verhuisd_op:
            verhuizing_pip = self.verhuisd_op + termijnen.PIP_TERMIJN
            if self.pip_gewijzigd and self.pip_gewijzigd >= self.verhuisd_op:
                pip_na_verhuizing = self.pip_gewijzigd
        routewijziging_gedaan = self._laatste_routewijziging_als_geen_meer_mag()
        items: list[tuple[str, date | None, date | None, str, int | None]] = [
            ("pip-vaststelling", self.pip_uiterste_datum, self.pip_dagtekening, "Bi 5.3(1)", None),
            ("pip-na-verhuizing", verhuizing_pip, pip_na_verhuizing, "Bi 5.3(3)", None),
            ("brede-intake-signaal", self.intake_signaaldatum, self.brede_intake_datum, "SDD beleid §3.1", None),
            ("voortgangsgesprek", self.volgend_voortgangsgesprek, None, "Bi 5.3(4)", None),
            ("routewijziging-venster", self.routewijziging_uiterste_datum, routewijziging_gedaan, "Wi 17(2), Bi 5.4(1)", None),
            ("inburgeringstermijn-einde", self.termijn_einde, self.einddatum, "Wi 11(1), Wi 12", None),
            ("financieel-ontzorgen-einde", self.ontzorgen_einde, None, "PW 56a", None),
            ("maatschappelijke-begeleiding-einde", self.begeleiding_einde, None, "SDD beleid §3.8", None),
        ]
        if (brp := self.brp_inschrijving_signaal) is not None:
            items.insert(0, (*brp, self.brp_inschrijvingsdatum, BRP_SIGNAAL_GRONDSLAG, None))
        for zaak in self.zaken.values():
            besloten = self._datum_van_stap(zaak) if zaak.stap in (ZaakStap.BESLOTEN, ZaakStap.AFGEZIEN) else None
            items.append(("boete-beslistermijn", zaak.rapportdatum + BESLISTERMIJN, besloten, "Awb 5:51", zaak.nummer))
            if zaak.zienswijzetermijn is not None:
                verder = None if zaak.stap == ZaakStap.VOORNEMEN else zaak.zienswijzetermijn
                items.append(("zienswijzetermijn", zaak.zienswijzetermijn, verder, "Awb 5:53", zaak.nummer))
            if zaak.boete is not None and zaak.stap == ZaakStap.BESLOTEN:
                bezwaar_einde = zaak.boete.datum + BEZWAARTERMIJN
                items.append(("bezwaartermijn", bezwaar_einde, zaak.bezwaar_ontvangen, "Awb 6:7", zaak.nummer))
                if zaak.bezwaar_ontvangen is not None:
                    beslist = self._datum_van_stap(zaak) if zaak.beslissing_op_bezwaar else None
                    items.append(("beslissing-op-bezwaar", bezwaar_einde + BESLISSING_OP_BEZWAAR, beslist, "Awb 7:10", zaak.nummer))
        return [(soort, uiterlijk, voldaan, grondslag, zaak) for soort, uiterlijk, voldaan, grondslag, zaak in items if uiterlijk]

    def _laatste_routewijziging_als_geen_meer_mag(self) -> date | None:
        """The window needs no action once the policy's route changes are used up. A change after the
        window that the law allows (onderwijsroute -> B1, bijzonder geval) met it, not late."""
        wijzigingen = [f.datum for f in self.feiten.values() if isinstance(f, self.LeerrouteGewijzigd)]
        if not wijzigingen or self.routewijzigingen < beleid_op(max(wijzigingen)).max_routewijzigingen:
            return None
        venster = self.routewijziging_uiterste_datum
        return min(max(wijzigingen), venster) if venster else max(wijzigingen)

    def open_termijnen(self) -> list[tuple[str, date, str, int | None]]:
        """The dates still to be met: (soort, uiterlijk, grondslag, zaak). Of a closed trajectory only
        those of a handhavingszaak, which runs to its end."""
        gesloten = self.is_afgesloten
        return [
            (soort, uiterlijk, grondslag, zaak)
            for soort, uiterlijk, voldaan, grondslag, zaak in self.termijnen()
            if voldaan is None and not (gesloten and zaak is None)
        ]

    def deadlines(self, vandaag: date) -> list[Deadline]:
        """The dates that matter, each with its source and its state on `vandaag`."""
        return [
            Deadline(soort, uiterlijk, grondslag, deadline_status(uiterlijk, voldaan, vandaag), zaaknummer)
            for soort, uiterlijk, voldaan, grondslag, zaaknummer in self.termijnen()
        ]

    # -- rules that span facts ------------------------------------------------------------------

    def samenhang(self) -> list[str]:
        """The rules between recorded facts that the commands check one at a time.

        A correction changes a fact after others were recorded on top of it, so the corrected
        history is checked against these as a whole. Empty when the history holds together.
        """
        schendingen: list[str] = []

        def volgorde(later: date | None, eerder: date | None, wat: str) -> None:
            schendingen.extend(na(later, eerder, wat))

        if self.brp_inschrijvingsdatum is not None:
            volgorde(self.brp_inschrijvingsdatum, self.huisvestingsdatum, "BRP-inschrijving voor de huisvesting")
        volgorde(self.pip_dagtekening, self.brede_intake_datum, "PIP voor de brede intake")
        volgorde(self.welkomstprogramma, self.brede_intake_datum, "welkomstprogramma voor de brede intake")
        for oproep in self.oproepen:
            if oproep.uiterlijk < oproep.datum:
                schendingen.append(f"oproep {oproep.volgnummer} met een termijn die voor de verzending eindigt")
        for vorige, oproep in zip(self.oproepen, self.oproepen[1:]):
            if oproep.datum <= vorige.uiterlijk:
                schendingen.append(f"oproep {oproep.volgnummer} verzonden binnen de termijn van oproep {vorige.volgnummer}")
        if self.intake_in_afwezigheid and self.oproepen and self.brede_intake_datum and self.brede_intake_datum <= self.oproepen[-1].uiterlijk:
            schendingen.append("intake in afwezigheid binnen de termijn van de laatste oproep")
        for versie, feit in sorted(self.feiten.items()):
            schendingen += feit.samenhang(self, versie)  # each fact's own rules, declared with the fact
        for zaak in self.zaken.values():
            schendingen += self._samenhang_van_zaak(zaak)
        return schendingen

    def _samenhang_van_zaak(self, zaak: Handhavingszaak) -> list[str]:
        schendingen = []
        laatste, wat = zaak.rapportdatum, "het rapport"
        if zaak.rapportdatum < zaak.overtredingsdatum:
            schendingen.append(f"zaak {zaak.nummer}: rapport voor de gedraging")
        for versie, feit in sorted(self.feiten.items()):
            if getattr(feit, "zaaknummer", None) == zaak.nummer and getattr(feit, "AWB_STAP", False):
                if feit.datum < laatste:
                    schendingen.append(f"zaak {zaak.nummer}: {type(feit).__name__} (versie {versie}) voor {wat}")
                laatste, wat = feit.datum, type(feit).__name__
                termijn = zaak.zienswijzetermijn
                if isinstance(feit, self.BoeteVoornemenVerzonden) and feit.zienswijzetermijn <= feit.datum:
                    schendingen.append(f"zaak {zaak.nummer}: zienswijzetermijn eindigt niet na het voornemen")
                if isinstance(feit, self.ZienswijzetermijnVerstreken) and termijn is not None and feit.datum <= termijn:
                    schendingen.append(f"zaak {zaak.nummer}: zienswijzetermijn verstreken binnen de termijn")
        if zaak.boete is not None and zaak.boete.datum > zaak.rapportdatum + BESLISTERMIJN:
            schendingen.append(f"zaak {zaak.nummer}: boete na de beslistermijn")
        if zaak.artikel is Boeteartikel.WI_22 and (len(self.oproepen) < 2 or zaak.overtredingsdatum <= self.oproepen[1].uiterlijk):
            schendingen.append(f"zaak {zaak.nummer}: Wi 22 zonder verstreken herhaalde oproep")
        vervallen = zaak.stap == ZaakStap.AFGEZIEN or (zaak.boete is not None and zaak.boete.bedrag == 0)
        if zaak.gemist_gesprek_versie is not None and not vervallen:
            gesprek = next((g for g in self.gesprekken if g.versie == zaak.gemist_gesprek_versie), None)
            if gesprek is None or gesprek.gevoerd or gesprek.geldige_reden or gesprek.datum > zaak.overtredingsdatum:
                schendingen.append(f"zaak {zaak.nummer}: geen gemist gesprek zonder geldige reden op of voor de gedraging")
        return schendingen

    # -- helpers shared by the parts -----------------------------------------------------------

    def _vastleggen(self, soort: type[Gebeurtenis], datum: date, door: Vastlegging, /, **gegevens: object) -> None:
        geldige_feitdatum(datum, door)
        if self.verwijderd and soort is not self.PersoonsgegevensVerwijderd:
            raise fouten.PersoonsgegevensVerwijderdError(f"Verwijderd: {', '.join(sorted(self.verwijderd))}.")
        if self.is_afgesloten and not soort.NA_AFSLUITING:
            raise fouten.TrajectAfgeslotenError(f"Het traject is {self.status.value} sinds {self.einddatum}.")
        self.trigger_event(
            soort, timestamp=door.tijdstip, datum=datum, metadata=Metadata.van(door, namens=self.gemeente), **gegevens
        )

    def _vereis_pip(self, datum: date) -> tuple[Leerroute, date]:
        """The current leerroute and the PIP's dagtekening, for a step that needs a PIP."""
        if self.pip_dagtekening is None or self.leerroute is None:
            raise fouten.PipOntbreektError("Stel eerst het PIP vast.")
        niet_voor(datum, self.pip_dagtekening, "de dagtekening van het PIP")
        return self.leerroute, self.pip_dagtekening


__all__ = ["Inburgeringstraject", "Aanbod"]
