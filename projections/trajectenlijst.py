"""Trajectenlijst: one row per trajectory, for lists, filters and the management reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from domain.traject import Inburgeringstraject
from projections.rapportages import Bijdrage, bijdragen


@dataclass(frozen=True)
class TrajectRij:
    """What a list shows of a trajectory: `document` is one item of GET /trajecten as the API writes it."""

    traject_id: str
    gemeente: str
    doelgroep: str
    leerroute: str | None
    status: str
    regisseur: str | None
    startdatum: str
    eerstvolgende_deadline: str | None
    document: dict[str, Any]
    betrokkene: str | None  # for the access log only, never shown: see `betrokkene`
    bijdragen: tuple[Bijdrage, ...]  # what it adds to the reports (projections/rapportages.py)


class Trajectenlijst:
    """The read model behind GET /trajecten and /rapportages. No BSN: a list does not need it."""

    naam = "trajectenlijst"

    def rij(self, traject: Inburgeringstraject) -> TrajectRij:
        open_ = sorted((uiterlijk, soort) for soort, uiterlijk, _, _ in traject.open_termijnen())
        eerstvolgende = {"soort": open_[0][1], "uiterlijk": open_[0][0].isoformat()} if open_ else None
        leerroute = traject.leerroute.value if traject.leerroute else None
        document = {
            "trajectId": str(traject.id),
            "versie": traject.version,
            "gemeente": traject.gemeente.value,
            "doelgroep": traject.doelgroep.value,
            "leerroute": leerroute,
            "status": traject.status.value,
            "regisseur": traject.regisseur,
            "startdatum": traject.startdatum.isoformat(),
            "pipDagtekening": _iso(traject.pip_dagtekening),
            "termijnEinde": _iso(traject.termijn_einde),
            "eerstvolgendeDeadline": eerstvolgende,
        }
        # What the reports count besides: what was offered and used, and how handhaving went.
        rapport = document | {
            "aanbod": sorted(traject.pip_aanbod),
            "begeleidingStart": _iso(traject.begeleiding_start),
            "tolkvoorzieningen": traject.tolkvoorzieningen,
            "handhavingszaken": [
                {
                    "artikel": zaak.artikel.value,
                    "stap": zaak.stap,
                    "jaar": zaak.overtredingsdatum.year,
                    "bedrag": str(zaak.boete.bedrag) if zaak.boete else None,
                    "bezwaar": zaak.bezwaar_ontvangen is not None,
                }
                for zaak in traject.zaken.values()
            ],
        }
        return TrajectRij(
            traject_id=str(traject.id),
            gemeente=traject.gemeente.value,
            doelgroep=traject.doelgroep.value,
            leerroute=leerroute,
            status=traject.status.value,
            regisseur=traject.regisseur,
            startdatum=traject.startdatum.isoformat(),
            eerstvolgende_deadline=eerstvolgende["uiterlijk"] if eerstvolgende else None,
            document=document,
            betrokkene=betrokkene(traject),
            bijdragen=tuple(bijdragen(rapport)),
        )


def betrokkene(traject: Inburgeringstraject) -> str | None:
    """Who the access log names when a list shows this trajectory: the BSN exactly as the store holds it,
    encrypted under the trajectory's long-term key (adapters/versleuteling.py), so a list page needs no key
    work per row and forgetting the person makes the reference unreadable. Only an envelope is kept: a
    projector that was given plain values (the domain's own tests) keeps nothing, and the log looks it up."""
    return json.dumps(traject.bsn, sort_keys=True) if isinstance(traject.bsn, dict) else None


def _iso(waarde: Any) -> str | None:
    return waarde.isoformat() if waarde is not None else None
