"""Commands: what a user asks of a trajectory, in the imperative. The aggregate decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from domain.traject import Inburgeringstraject
from domain.waarden import (
    Boeteartikel,
    Boetegrond,
    Gemeente,
    Leerroute,
    RedenRoutewijziging,
    Vastlegging,
    Verblijfsvergunning,
    Verwijtbaarheid,
)


class Commando(Protocol):
    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> Any: ...


@dataclass(frozen=True)
class StartNaTvsProfiel:
    datum: date
    gemeente: Gemeente
    bsn: str
    huishoudgrootte: int | None = None
    land_van_herkomst: str | None = None
    taal: str | None = None

    def starten(self, door: Vastlegging) -> Inburgeringstraject:
        return Inburgeringstraject.start_na_tvs_profiel(
            datum=self.datum,
            gemeente=self.gemeente,
            bsn=self.bsn,
            huishoudgrootte=self.huishoudgrootte,
            land_van_herkomst=self.land_van_herkomst,
            taal=self.taal,
            door=door,
        )


@dataclass(frozen=True)
class StartNaKennisgeving:
    datum: date
    gemeente: Gemeente
    bsn: str
    verblijfsvergunning: Verblijfsvergunning
    referent_verblijfsvergunning: Verblijfsvergunning | None = None

    def starten(self, door: Vastlegging) -> Inburgeringstraject:
        return Inburgeringstraject.start_na_kennisgeving(
            datum=self.datum,
            gemeente=self.gemeente,
            bsn=self.bsn,
            verblijfsvergunning=self.verblijfsvergunning,
            referent_verblijfsvergunning=self.referent_verblijfsvergunning,
            door=door,
        )


StartCommando = StartNaTvsProfiel | StartNaKennisgeving


@dataclass(frozen=True)
class RegistreerKennisgeving:
    datum: date
    verblijfsvergunning: Verblijfsvergunning
    referent_verblijfsvergunning: Verblijfsvergunning | None = None

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> None:
        traject.registreer_kennisgeving(
            datum=self.datum,
            verblijfsvergunning=self.verblijfsvergunning,
            referent_verblijfsvergunning=self.referent_verblijfsvergunning,
            door=door,
        )


@dataclass(frozen=True)
class RegistreerHuisvesting:
    datum: date
    gemeente: Gemeente
    huisvestingsdatum: date | None = None

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> None:
        traject.registreer_huisvesting(
            datum=self.datum, gemeente=self.gemeente, huisvestingsdatum=self.huisvestingsdatum, door=door
        )


@dataclass(frozen=True)
class HoudBredeIntake:
    datum: date
    onderwerpen: dict[str, str]
    gezondheid: dict[str, str]
    leerbaarheidstoets_advies: Leerroute | None = None

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> None:
        traject.houd_brede_intake(
            datum=self.datum,
            onderwerpen=self.onderwerpen,
            gezondheid=self.gezondheid,
            leerbaarheidstoets_advies=self.leerbaarheidstoets_advies,
            door=door,
        )


@dataclass(frozen=True)
class StelPipVast:
    dagtekening: date
    leerroute: Leerroute
    pvt_uren: int
    aantal_voortgangsgesprekken: int
    ondersteuning: str
    leerroute_uren_per_week: int | None = None
    map_uren: int | None = None

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> None:
        traject.stel_pip_vast(
            dagtekening=self.dagtekening,
            leerroute=self.leerroute,
            leerroute_uren_per_week=self.leerroute_uren_per_week,
            pvt_uren=self.pvt_uren,
            map_uren=self.map_uren,
            aantal_voortgangsgesprekken=self.aantal_voortgangsgesprekken,
            ondersteuning=self.ondersteuning,
            door=door,
        )


@dataclass(frozen=True)
class WijzigLeerroute:
    datum: date
    naar: Leerroute
    reden: RedenRoutewijziging
    toelichting: str

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> None:
        traject.wijzig_leerroute(
            datum=self.datum, naar=self.naar, reden=self.reden, toelichting=self.toelichting, door=door
        )


@dataclass(frozen=True)
class RegistreerVoortgangsgesprek:
    datum: date
    gevoerd: bool
    verslag: str
    geldige_reden: bool = False

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> None:
        traject.registreer_voortgangsgesprek(
            datum=self.datum, gevoerd=self.gevoerd, geldige_reden=self.geldige_reden, verslag=self.verslag, door=door
        )


@dataclass(frozen=True)
class LegBoeteOp:
    datum: date
    artikel: Boeteartikel
    grond: Boetegrond
    verwijtbaarheid: Verwijtbaarheid | None
    motivering: str
    uitzonderlijk_geval_motivering: str | None = None

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> None:
        traject.leg_boete_op(
            datum=self.datum,
            artikel=self.artikel,
            grond=self.grond,
            verwijtbaarheid=self.verwijtbaarheid,
            motivering=self.motivering,
            uitzonderlijk_geval_motivering=self.uitzonderlijk_geval_motivering,
            door=door,
        )
