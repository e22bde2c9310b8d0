"""Small builders for test data: valid BSNs, recording contexts, request bodies."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from uuid import UUID, uuid4

from domain.persoonsgegevens import Registratie
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Leerroute, Rol, Vastlegging, Verblijfsvergunning


class Personen:
    """The person register in memory, for the domain's own tests."""

    def __init__(self) -> None:
        self._ids: dict[str, UUID] = {}

    def zoek(self, bsn: str) -> UUID | None:
        return self._ids.get(bsn)

    def registreer(self, bsn: str, *, zoek_eerst: bool = True) -> Registratie:
        nieuw = bsn not in self._ids
        return Registratie(self._ids.setdefault(bsn, uuid4()), nieuw)

    def vergeet(self, persoon_id: UUID) -> None:
        self._ids = {bsn: p for bsn, p in self._ids.items() if p != persoon_id}


def bsn_met_controlecijfer(cijfers: list[int]) -> str:
    """The BSN that 8 digits make with the elfproef's check digit, or "" when none exists."""
    controle = sum(c * w for c, w in zip(cijfers, range(9, 1, -1), strict=True)) % 11
    return "".join(map(str, cijfers)) + str(controle) if controle < 10 and any(cijfers) else ""


def een_bsn() -> str:
    """A random BSN that passes the elfproef."""
    while not (bsn := bsn_met_controlecijfer([random.randint(0, 9) for _ in range(8)])):
        pass
    return bsn


def door(
    vandaag: date = date(2026, 6, 1), rol: Rol = Rol.REGISSEUR, gemeenten: frozenset[Gemeente] | None = None,
    gebruiker: str = "regisseur-test",
) -> Vastlegging:
    """A regisseur of Dordrecht and Zwijndrecht recording on `vandaag`."""
    return Vastlegging(
        gebruiker=gebruiker,
        rol=rol,
        gemeenten=gemeenten or frozenset({Gemeente.DORDRECHT, Gemeente.ZWIJNDRECHT}),
        correlatie_id="test",
        tijdstip=datetime.combine(vandaag, time(10), tzinfo=UTC),
        vandaag=vandaag,
    )


def statushouder_met_pip(
    dagtekening: date = date(2025, 3, 1), leerroute: Leerroute = Leerroute.B1
) -> Inburgeringstraject:
    """A statushouder in Dordrecht whose PIP was set on `dagtekening`."""
    traject = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2024, 11, 1), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )
    traject.registreer_kennisgeving(
        datum=date(2024, 12, 2), verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD,
        referent_verblijfsvergunning=None, door=door(),
    )
    traject.registreer_huisvesting(datum=date(2024, 12, 9), gemeente=Gemeente.DORDRECHT, huisvestingsdatum=None, door=door())
    traject.houd_brede_intake(datum=date(2025, 1, 15), onderwerpen={"opleiding": "mbo"}, gezondheid={}, leerbaarheidstoets_advies=None, door=door())
    _stel_pip_vast(traject, dagtekening, leerroute)
    return traject


def gezinsmigrant_met_pip(dagtekening: date = date(2025, 3, 1)) -> Inburgeringstraject:
    """A gezinsmigrant in Zwijndrecht whose PIP was set on `dagtekening`."""
    traject = Inburgeringstraject.start_na_kennisgeving(
        datum=date(2024, 12, 2), gemeente=Gemeente.ZWIJNDRECHT, bsn=een_bsn(),
        verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door(),
    )
    traject.houd_brede_intake(datum=date(2025, 1, 15), onderwerpen={}, gezondheid={}, leerbaarheidstoets_advies=None, door=door())
    _stel_pip_vast(traject, dagtekening, Leerroute.B1, leerroute_uren_per_week=None)
    return traject


def _stel_pip_vast(
    traject: Inburgeringstraject, dagtekening: date, leerroute: Leerroute, leerroute_uren_per_week: int | None = 12
) -> None:
    traject.stel_pip_vast(
        dagtekening=dagtekening, leerroute=leerroute, leerroute_uren_per_week=leerroute_uren_per_week,
        pvt_uren=12, map_uren=None if leerroute is Leerroute.ONDERWIJSROUTE else 40,
        aantal_voortgangsgesprekken=4, ondersteuning="maatschappelijke begeleiding", aanbod=frozenset(), door=door(),
    )


def tvs_start(bsn: str, gemeente: str = "0505", datum: str = "2025-01-06") -> dict[str, object]:
    return {"aanleiding": "tvs_profiel", "datum": datum, "gemeente": gemeente, "bsn": bsn, "huishoudgrootte": 3}


def kennisgeving_start(bsn: str, gemeente: str = "0642", datum: str = "2025-02-03") -> dict[str, object]:
    return {
        "aanleiding": "duo_kennisgeving", "datum": datum, "gemeente": gemeente, "bsn": bsn,
        "verblijfsvergunning": "regulier_bepaalde_tijd",
    }
