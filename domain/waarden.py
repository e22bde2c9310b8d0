"""Value types of the inburgering domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Gemeente(StrEnum):
    """De vier Drechtstedengemeenten waarvoor SDD werkt, met hun CBS-code."""

    DORDRECHT = "0505"
    HENDRIK_IDO_AMBACHT = "0531"
    PAPENDRECHT = "0590"
    ZWIJNDRECHT = "0642"


class Doelgroep(StrEnum):
    """De doelgroep: asielstatushouder (Wi 13(1)) of gezins- of overige migrant (Wi 19)."""

    ASIELSTATUSHOUDER = "asielstatushouder"
    GEZINS_OVERIGE_MIGRANT = "gezins_overige_migrant"


class Verblijfsvergunning(StrEnum):
    """De soorten verblijfsvergunning die de doelgroep bepalen (Wi 13(1), Wi 19)."""

    ASIEL_BEPAALDE_TIJD = "asiel_bepaalde_tijd"
    ASIEL_ONBEPAALDE_TIJD = "asiel_onbepaalde_tijd"
    EU_LANGDURIG_INTERNATIONALE_BESCHERMING = "eu_langdurig_internationale_bescherming"
    REGULIER_BEPAALDE_TIJD = "regulier_bepaalde_tijd"


class Aanleiding(StrEnum):
    """Waarom SDD het traject opende: een TVS-profiel van het COA of een kennisgeving van DUO."""

    TVS_PROFIEL = "tvs_profiel"
    DUO_KENNISGEVING = "duo_kennisgeving"


class Leerroute(StrEnum):
    """De drie leerroutes (Wi 7, 8 en 9)."""

    B1 = "b1"
    ONDERWIJSROUTE = "onderwijsroute"
    Z_ROUTE = "z_route"


class RedenRoutewijziging(StrEnum):
    """Waarom het college een andere leerroute vaststelt (Wi 17(2), Bi 5.4)."""

    VOORTGANG_LAGER_DAN_VERWACHT = "voortgang_lager_dan_verwacht"
    VOORTGANG_HOGER_DAN_VERWACHT = "voortgang_hoger_dan_verwacht"
    BIJZONDER_GEVAL = "bijzonder_geval"
    NIET_VRIJSTELLENDE_OPLEIDING = "niet_vrijstellende_opleiding"


class Boeteartikel(StrEnum):
    """De artikelen waarop het college een boete oplegt (Wi 22, Wi 23)."""

    WI_22 = "wi22"
    WI_23 = "wi23"


class Boetegrond(StrEnum):
    """De gedraging waarvoor het college een boete oplegt."""

    BREDE_INTAKE_NIET_MEEGEWERKT = "brede_intake_niet_meegewerkt"
    VOORTGANGSGESPREK_GEMIST = "voortgangsgesprek_gemist"
    ONDERSTEUNING_NIET_MEEGEWERKT = "ondersteuning_niet_meegewerkt"
    PVT_MAP_INTENSITEIT_NIET_NAGEKOMEN = "pvt_map_intensiteit_niet_nagekomen"
    LEERROUTE_INTENSITEIT_NIET_NAGEKOMEN = "leerroute_intensiteit_niet_nagekomen"


class Verwijtbaarheid(StrEnum):
    """De mate van verwijtbaarheid die elke boete moet noemen (Awb 5:41, Bi 7.1(4))."""

    OPZET = "opzet"
    GROVE_SCHULD = "grove_schuld"
    GEEN_OPZET_OF_GROVE_SCHULD = "geen_opzet_of_grove_schuld"
    VERMINDERD_VERWIJTBAAR = "verminderd_verwijtbaar"
    NIET_VERWIJTBAAR = "niet_verwijtbaar"


class UitkomstBezwaar(StrEnum):
    """Hoe een bezwaar afloopt (Awb 7:11, 6:6)."""

    ONGEGROND = "ongegrond"
    GEGROND = "gegrond"
    DEELS_GEGROND = "deels_gegrond"
    NIET_ONTVANKELIJK = "niet_ontvankelijk"


class Rol(StrEnum):
    """Wie in het systeem mag handelen, en wat hij mag zien."""

    REGISSEUR = "regisseur"
    HANDHAVER = "handhaver"
    DUO = "duo"
    AUDITOR = "auditor"
    BEHEERDER = "beheerder"


@dataclass(frozen=True)
class Vastlegging:
    """The context of a command: who acts and the moment the fact is recorded."""

    gebruiker: str
    rol: Rol
    gemeenten: frozenset[Gemeente]
    correlatie_id: str
    tijdstip: datetime
    vandaag: date
    toelichting: str | None = None
    applicatie: str | None = None
    trace_id: str | None = None

    def mag_werken_voor(self, gemeente: Gemeente) -> bool:
        return mag_werken_voor(self.rol, self.gemeenten, gemeente)


def mag_werken_voor(rol: Rol, gemeenten: frozenset[Gemeente], gemeente: Gemeente) -> bool:
    """Regisseurs and handhavers work for the gemeenten of their token; DUO and auditors see every gemeente."""
    if rol in (Rol.REGISSEUR, Rol.HANDHAVER):
        return gemeente in gemeenten
    return rol in (Rol.DUO, Rol.AUDITOR)
