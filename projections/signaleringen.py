"""Signaleringen: the worklist of every open legal or policy deadline of the running trajectories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from domain.traject import Inburgeringstraject
from projections.trajectenlijst import betrokkene


@dataclass(frozen=True)
class SignaleringRij:
    traject_id: str
    soort: str
    zaaknummer: int  # 0 when the deadline belongs to no handhavingszaak
    gemeente: str
    regisseur: str | None
    uiterlijk: str
    grondslag: str
    betrokkene: str | None  # for the access log only (projections/trajectenlijst.py)


def status_op(uiterlijk: date, peildatum: date, binnenkort_dagen: int) -> Literal["op_tijd", "binnenkort", "verlopen"]:
    """op_tijd, binnenkort (within `binnenkort_dagen`, the day itself included) or verlopen (after the day)."""
    if uiterlijk < peildatum:
        return "verlopen"
    return "binnenkort" if uiterlijk <= peildatum + timedelta(days=binnenkort_dagen) else "op_tijd"


class Signaleringen:
    """The read model behind GET /signaleringen: every open term (Inburgeringstraject.open_termijnen)."""

    naam = "signaleringen"

    def rijen(self, traject: Inburgeringstraject) -> list[SignaleringRij]:
        open_ = traject.open_termijnen()
        if not open_:
            return []
        traject_id, gemeente, wie = str(traject.id), traject.gemeente.value, betrokkene(traject)  # once, not per term
        return [
            SignaleringRij(
                traject_id=traject_id,
                soort=soort,
                zaaknummer=zaak or 0,
                gemeente=gemeente,
                regisseur=traject.regisseur,
                uiterlijk=uiterlijk.isoformat(),
                grondslag=grondslag,
                betrokkene=wie,
            )
            for soort, uiterlijk, grondslag, zaak in open_
        ]
