"""Moves, overdracht and corrections: how a trajectory's record itself changes."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from domain import fouten
from domain.persoonsgegevens import KORT, LANG, VERWIJDERD, Bewaarklasse, GrondVerwijdering, bewaartermijn_einde
from domain.traject.basis import Gebeurtenis, Status, geldige_feitdatum, niet_voor, waarde
from domain.traject.handhaving import HandhavingDeel
from domain.traject.toestand import Toestand
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, Veld, zonder
from domain.waarden import Gemeente, Vastlegging

if TYPE_CHECKING:
    from domain.traject.aggregaat import Inburgeringstraject


class VerloopDeel(Toestand):
    """A trajectory moves with the person; a recorded fact is corrected, never edited."""

    class VerhuisdBinnenRegio(Gebeurtenis):
        """The person moved to another of the four gemeenten; the trajectory and its history move along."""

        TOPIC = "Inburgeringstraject.VerhuisdBinnenRegio"
        OMSCHRIJVING = "De persoon is verhuisd naar een andere gemeente van de regio Drechtsteden."
        RECHTSGROND = "Wi 1 (gemeente van huisvesting)"
        van: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        naar: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.gemeente = Gemeente(self.naar)
            traject.verhuisd_op = self.datum

    class VerhuisdBuitenRegio(Gebeurtenis):
        """The person moved out of the Drechtsteden: overdracht to the new gemeente, trajectory closed."""

        TOPIC = "Inburgeringstraject.VerhuisdBuitenRegio"
        OMSCHRIJVING = "De persoon is verhuisd buiten de regio; het traject is overgedragen."
        RECHTSGROND = "Wi 1; Bi 9.7 (overdracht)"

        nieuwe_gemeente: Annotated[str, Veld(LANG, IEDEREEN)]  # woonplaats, Bi 9.9(2)
        toelichting: Annotated[str, Veld(KORT, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.status = Status.OVERGEDRAGEN
            traject.einddatum = self.datum

    class RegisseurToegewezen(Gebeurtenis):
        TOPIC = "Inburgeringstraject.RegisseurToegewezen"
        OMSCHRIJVING = "Een regisseur is aan het traject toegewezen."
        RECHTSGROND = "Gemeentewet 160 (mandaat); beleid SDD"
        regisseur: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            traject.regisseur = self.regisseur

    class FeitGecorrigeerd(Gebeurtenis):
        """A recorded fact (`versie`) was wrong; `correcties` holds the right values. History stays as it was."""

        TOPIC = "Inburgeringstraject.FeitGecorrigeerd"
        OMSCHRIJVING = "Een eerder vastgelegd feit bleek onjuist en is gecorrigeerd; het oorspronkelijke feit blijft bewaard."
        RECHTSGROND = "AVG art. 16 (rectificatie)"

        NA_AFSLUITING: ClassVar[bool] = True
        versie: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
        correcties: Annotated[dict[str, Any], Veld(NIET_PERSOONLIJK, IEDEREEN, sleutels={"verslag": Veld(KORT, IEDEREEN)})]
        toelichting: Annotated[str, Veld(KORT, IEDEREEN)]

        def apply(self, traject) -> None:
            # Not kept among the facts: it replaces one, and the state is rebuilt from the corrected
            # facts. What a fact decided when it was recorded (a boete's amount, whether a bezwaar
            # was on time) is part of that fact and stays; such facts are not open to correction.
            traject.feiten[self.versie] = dataclasses.replace(traject.feiten[self.versie], **self.correcties)
            traject.correcties += 1
            traject.herbereken()

    class PersoonsgegevensVerwijderd(Gebeurtenis):
        """The data keys of these classes were destroyed (crypto-shredding): in every fact of this
        trajectory their fields are unreadable from now on, in every copy of the store. The facts
        themselves stay, with their dates, amounts and leerroute (Bi 9.9, digest 5.4)."""

        TOPIC = "Inburgeringstraject.PersoonsgegevensVerwijderd"
        OMSCHRIJVING = "Persoonsgegevens van het traject zijn verwijderd: de sleutels van de genoemde bewaarklassen zijn vernietigd."
        RECHTSGROND = "Bi 9.9, AVG art. 5(1)(e)"
        NA_AFSLUITING: ClassVar[bool] = True
        CORRIGEERBAAR: ClassVar[dict[str, type]] = {}
        klassen: Annotated[list[str], Veld(NIET_PERSOONLIJK, IEDEREEN)]
        grond: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]

        def pas_toe(self, traject: Inburgeringstraject) -> None:
            if traject.status is Status.LOPEND:  # only on death: the plicht ends with it (Bi 9.9(1))
                traject.status = Status.OVERLEDEN
                traject.einddatum = self.datum
            traject.verwijderd |= {Bewaarklasse(klasse) for klasse in self.klassen}
            traject.wis_verwijderde_gegevens()

    def verhuis_binnen_regio(self, *, datum: date, naar: Gemeente, door: Vastlegging) -> None:
        if naar is self.gemeente:
            raise fouten.VerhuizingError(f"Het traject hoort al bij {naar.value}.")
        self._vastleggen(self.VerhuisdBinnenRegio, datum, door, van=self.gemeente.value, naar=naar.value)

    def verhuis_buiten_regio(self, *, datum: date, nieuwe_gemeente: str, toelichting: str, door: Vastlegging) -> None:
        if nieuwe_gemeente in {g.value for g in Gemeente}:
            raise fouten.VerhuizingError("Een verhuizing binnen de Drechtsteden is een verhuizing binnen de regio.")
        self._vastleggen(self.VerhuisdBuitenRegio, datum, door, nieuwe_gemeente=nieuwe_gemeente, toelichting=toelichting)

    def wijs_regisseur_toe(self, *, datum: date, regisseur: str, door: Vastlegging) -> None:
        """Another regisseur takes over the case."""
        if regisseur == self.regisseur:
            raise fouten.AlVastgelegdError(f"{regisseur} is al de regisseur.")
        self._vastleggen(self.RegisseurToegewezen, datum, door, regisseur=regisseur)

    def verwijder_persoonsgegevens(
        self, *, grond: GrondVerwijdering, overlijdensdatum: date | None = None, door: Vastlegging
    ) -> list[Bewaarklasse]:
        """Record that the keys of every class whose time is up are to be destroyed: after the
        retention period of Bi 9.9, counted from the end of the plicht, or all of them on death.
        Returns those classes; the application destroys their keys once this fact is saved."""
        open_ = [klasse for klasse in Bewaarklasse if klasse not in self.verwijderd]
        if grond is GrondVerwijdering.OVERLIJDEN:
            if overlijdensdatum is None:
                raise fouten.OverlijdensdatumOntbreektError("Bij overlijden is de overlijdensdatum verplicht.")
            datum = overlijdensdatum
            niet_voor(datum, self.startdatum, "de start van het traject")
            if later := [f for f in self.feiten.values() if f.datum > datum and not isinstance(f, self.PersoonsgegevensVerwijderd)]:
                laatste = max(later, key=lambda f: f.datum)
                raise fouten.NaOverlijdenError(
                    f"Feit {laatste.originator_version} ({type(laatste).__name__}) ligt op {laatste.datum.isoformat()}, "
                    f"na de overlijdensdatum {datum.isoformat()}; corrigeer eerst dat feit of de datum."
                )
            klassen = open_
        else:
            datum = door.vandaag
            if self.einddatum is None:
                raise fouten.BewaartermijnLooptNogError("De inburgeringsplicht loopt nog; de bewaartermijn is niet begonnen.")
            klassen = [klasse for klasse in open_ if bewaartermijn_einde(klasse, self.einddatum) <= datum]
            if not klassen and open_:
                eerste = min(bewaartermijn_einde(klasse, self.einddatum) for klasse in open_)
                raise fouten.BewaartermijnLooptNogError(f"De eerste bewaartermijn verstrijkt op {eerste.isoformat()}.")
        if not klassen:
            raise fouten.AlVastgelegdError("Alle persoonsgegevens van dit traject zijn al verwijderd.")
        self._vastleggen(
            self.PersoonsgegevensVerwijderd, datum, door, klassen=[k.value for k in klassen], grond=grond.value
        )
        return klassen

    def wis_verwijderde_gegevens(self) -> None:
        """Take the removed classes out of the kept facts too, so that no copy in memory outlives its key."""
        if Bewaarklasse.LANG in self.verwijderd:
            self.bsn = VERWIJDERD
        for versie, feit in list(self.feiten.items()):
            self.feiten[versie] = zonder(feit, self.verwijderd)

    def corrigeer(self, *, datum: date, versie: int, correcties: dict[str, Any], toelichting: str, door: Vastlegging) -> None:
        """Correct fields of a recorded fact, in the fields that fact allows (AVG art. 16)."""
        feit = self.feiten.get(versie)
        if feit is None or not correcties:
            raise fouten.CorrectieOngeldigError(f"Feit {versie} bestaat niet of kan niet worden gecorrigeerd.")
        if feit.metadata.rol != door.rol.value:
            raise fouten.CorrectieNietToegestaanError(f"Feit {versie} is vastgelegd door een {feit.metadata.rol}.")
        toegestaan = type(feit).CORRIGEERBAAR
        if not toegestaan:
            raise fouten.CorrectieNietToegestaanError(f"Feit {versie} ({type(feit).__name__}) is een besluit of oordeel.")
        try:
            nieuw = {veld: waarde(toegestaan[veld], ruw) for veld, ruw in correcties.items()}
        except (KeyError, ValueError) as fout:
            velden = ", ".join(sorted(toegestaan))
            raise fouten.CorrectieOngeldigError(f"Corrigeerbaar in dit feit: {velden} ({fout}).") from None
        for gecorrigeerd in nieuw.values():
            if isinstance(gecorrigeerd, date):
                geldige_feitdatum(gecorrigeerd, door)
        if isinstance(feit, HandhavingDeel.OvertredingGeconstateerd) and self.zaken[versie].boete is not None:
            raise fouten.CorrectieNietToegestaanError(f"Over de gedraging van zaak {versie} is al een boete opgelegd.")
        proef = copy.deepcopy(self)  # the corrected history must still hold together
        proef.feiten[versie] = dataclasses.replace(feit, **nieuw)
        proef.herbereken()
        # Only what the correction breaks counts: a history recorded under older rules may not be perfect.
        al_zo = set(self.samenhang())
        if schendingen := [s for s in proef.samenhang() if s not in al_zo]:
            raise fouten.CorrectieTegenstrijdigError("; ".join(schendingen))
        self._vastleggen(self.FeitGecorrigeerd, datum, door, versie=versie, correcties=nieuw, toelichting=toelichting)
