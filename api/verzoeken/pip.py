"""Request bodies for the PIP and the leerroute (domain/traject/pip.py)."""

from __future__ import annotations

from pydantic import Field

from api.schemas import CommandoSchema, Datum, IsoDatum, Keuze, Tekst
from domain.traject import Aanbod, Inburgeringstraject
from domain.waarden import Leerroute, RedenRoutewijziging


class PipInhoud(CommandoSchema):
    leerroute_uren_per_week: int | None = Field(default=None, ge=1, le=40, description="Alleen asielstatushouders.")
    pvt_uren: int = Field(ge=12, le=200, description="Intensiteit PVT, ten minste 12 uur (Bi 3.1).")
    map_uren: int | None = Field(default=None, ge=1, le=1000, description="Intensiteit MAP; niet in de onderwijsroute.")
    aantal_voortgangsgesprekken: int = Field(ge=1, le=50)
    ondersteuning: Tekst
    aanbod: Keuze[frozenset[Keuze[Aanbod]]] = Field(default=frozenset(), description="Het aanbod uit tabel 1 van het beleidsplan.")


class PipVaststellingCreate(PipInhoud):
    """Het PIP is vastgesteld (Wi 15); de inburgeringstermijn start de dag na de dagtekening."""

    VOORBEELD = {
        "dagtekening": "2025-04-10",
        "leerroute": "b1",
        "leerrouteUrenPerWeek": 16,
        "pvtUren": 12,
        "mapUren": 40,
        "aantalVoortgangsgesprekken": 4,
        "ondersteuning": "Maatschappelijke begeleiding door Vluchtelingenwerk",
        "aanbod": ["financieel_ontzorgen", "maatschappelijke_begeleiding", "leerroute_aanbod", "pvt", "map"],
    }

    METHODE = Inburgeringstraject.stel_pip_vast
    dagtekening: IsoDatum = Field(description="Dagtekening van de PIP-beschikking; de termijn start de dag erna.")
    leerroute: Keuze[Leerroute]


class PipWijzigingCreate(PipInhoud):
    """Het college wijzigt de afspraken in het PIP; de termijn verschuift niet (Wi 11(3))."""

    VOORBEELD = {
        "datum": "2025-05-01",
        "leerrouteUrenPerWeek": 16,
        "pvtUren": 12,
        "mapUren": 40,
        "aantalVoortgangsgesprekken": 6,
        "ondersteuning": "Maatschappelijke begeleiding en een taalmaatje",
        "aanbod": ["financieel_ontzorgen", "maatschappelijke_begeleiding", "leerroute_aanbod", "pvt", "map"],
        "reden": "Meer voortgangsgesprekken om de voortgang te volgen.",
    }

    METHODE = Inburgeringstraject.wijzig_pip
    datum: Datum
    reden: Tekst


class LeerrouteWijzigingCreate(CommandoSchema):
    """Het college stelt een andere leerroute vast (Wi 17(2))."""

    VOORBEELD = {
        "datum": "2025-10-01",
        "naar": "z_route",
        "reden": "voortgang_lager_dan_verwacht",
        "toelichting": "Na zes maanden B1-route nauwelijks voortgang in lezen en schrijven.",
    }

    METHODE = Inburgeringstraject.wijzig_leerroute
    datum: Datum
    naar: Keuze[Leerroute]
    reden: Keuze[RedenRoutewijziging]
    toelichting: Tekst


class AfschalingCreate(CommandoSchema):
    """De B1-route wordt (deels) op A2 voortgezet na 600 uur NT2 en aangetoonde inspanning (Bi 5.5)."""

    VOORBEELD = {
        "datum": "2026-04-15",
        "motivering": "600 uur NT2 gevolgd, aanwezigheid boven 90%, examen B1 twee keer niet gehaald.",
    }

    METHODE = Inburgeringstraject.schaal_af_naar_a2
    datum: Datum
    motivering: Tekst
