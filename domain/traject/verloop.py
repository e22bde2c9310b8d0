"""Moves, overdracht and corrections: how a trajectory's record itself changes."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date
from typing import Any, ClassVar

from domain import fouten
from domain.traject.basis import Gebeurtenis, Status, geldige_feitdatum, waarde
from domain.waarden import Gemeente, Vastlegging


class VerloopDeel:
    """A trajectory moves with the person; a recorded fact is corrected, never edited."""

    class VerhuisdBinnenRegio(Gebeurtenis):
        """The person moved to another of the four gemeenten; the trajectory and its history move along."""

        TOPIC = "Inburgeringstraject.VerhuisdBinnenRegio"
        van: str
        naar: str

        def pas_toe(self, traject) -> None:
            traject.gemeente = Gemeente(self.naar)
            traject.verhuisd_op = self.datum

    class VerhuisdBuitenRegio(Gebeurtenis):
        """The person moved out of the Drechtsteden: overdracht to the new gemeente, trajectory closed."""

        TOPIC = "Inburgeringstraject.VerhuisdBuitenRegio"
        nieuwe_gemeente: str
        toelichting: str

        def pas_toe(self, traject) -> None:
            traject.status = Status.OVERGEDRAGEN
            traject.einddatum = self.datum

    class RegisseurToegewezen(Gebeurtenis):
        TOPIC = "Inburgeringstraject.RegisseurToegewezen"
        regisseur: str

        def pas_toe(self, traject) -> None:
            traject.regisseur = self.regisseur

    class FeitGecorrigeerd(Gebeurtenis):
        """A recorded fact (`versie`) was wrong; `correcties` holds the right values. History stays as it was."""

        TOPIC = "Inburgeringstraject.FeitGecorrigeerd"
        NA_AFSLUITING: ClassVar[bool] = True
        versie: int
        correcties: dict[str, Any]
        toelichting: str

        def apply(self, traject) -> None:
            # Not kept among the facts: it replaces one, and the state is rebuilt from the corrected
            # facts. What a fact decided when it was recorded (a boete's amount, whether a bezwaar
            # was on time) is part of that fact and stays; such facts are not open to correction.
            traject.feiten[self.versie] = dataclasses.replace(traject.feiten[self.versie], **self.correcties)
            traject.correcties += 1
            traject.herbereken()

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
        if isinstance(feit, self.OvertredingGeconstateerd) and self.zaken[versie].boete is not None:
            raise fouten.CorrectieNietToegestaanError(f"Over de gedraging van zaak {versie} is al een boete opgelegd.")
        proef = copy.deepcopy(self)  # the corrected history must still hold together
        proef.feiten[versie] = dataclasses.replace(feit, **nieuw)
        proef.herbereken()
        # Only what the correction breaks counts: a history recorded under older rules may not be perfect.
        al_zo = set(self.samenhang())
        if schendingen := [s for s in proef.samenhang() if s not in al_zo]:
            raise fouten.CorrectieTegenstrijdigError("; ".join(schendingen))
        self._vastleggen(self.FeitGecorrigeerd, datum, door, versie=versie, correcties=nieuw, toelichting=toelichting)
