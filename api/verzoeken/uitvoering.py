"""Request bodies for the uitvoering: hours, gesprekken, PVT, MAP, exams (domain/traject/uitvoering.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from api.schemas import CommandoSchema, Datum, DatumCreate, Keuze, KorteTekst, Tekst
from domain.traject import Fase, Inburgeringstraject, MapThema, Uursoort


class CursusurenCreate(CommandoSchema):
    """Gevolgde uren tot en met de datum, tijdens de brede intake of in de uitvoering (Bi 5.3(5))."""

    VOORBEELD = {"datum": "2025-03-31", "soort": "nt2", "uren": 40, "fase": "brede_intake"}

    METHODE = Inburgeringstraject.registreer_cursusuren
    datum: Datum
    soort: Keuze[Uursoort]
    uren: int = Field(ge=1, le=2000)
    fase: Keuze[Fase]


class VoortgangsgesprekCreate(CommandoSchema):
    """Een voortgangsgesprek is gevoerd of gemist; het verslag wordt altijd bewaard."""

    VOORBEELD = {"datum": "2025-06-02", "status": "gevoerd", "verslag": "Goede voortgang; NT2 op schema."}

    datum: Datum
    status: Literal["gevoerd", "gemist"]
    geldige_reden: bool = Field(default=False, description="Alleen bij gemist: was er een geldige reden?")
    verslag: Tekst

    METHODE = Inburgeringstraject.registreer_voortgangsgesprek

    def argumenten(self) -> dict[str, Any]:
        argumenten = super().argumenten()
        return argumenten | {"gevoerd": argumenten.pop("status") == "gevoerd"}


class ParticipatieverklaringCreate(CommandoSchema):
    """De participatieverklaring is ondertekend, na ten minste 12 uur PVT (Bi 3.1)."""

    VOORBEELD = {"datum": "2025-10-01"}

    METHODE = Inburgeringstraject.onderteken_participatieverklaring
    datum: Datum


class MapThemaCreate(CommandoSchema):
    """Een van de acht thema's van de MAP is afgerond (Bi 3.2)."""

    VOORBEELD = {"datum": "2025-11-03", "thema": "beroepenorientatie"}

    METHODE = Inburgeringstraject.rond_map_thema_af
    datum: Datum
    thema: Keuze[MapThema]


class EindgesprekCreate(CommandoSchema):
    datum: Datum
    verslag: Tekst


class MapEindgesprekCreate(EindgesprekCreate):
    """Het eindgesprek MAP met het college, na alle acht thema's."""

    VOORBEELD = {"datum": "2025-11-10", "verslag": "Alle acht thema's afgerond; richting horeca."}

    METHODE = Inburgeringstraject.voer_map_eindgesprek


class ZRouteEindgesprekCreate(EindgesprekCreate):
    """Het eindgesprek van de Z-route met het college (Bi 3.14)."""

    VOORBEELD = {"datum": "2026-03-02", "verslag": "Doelen van de Z-route bereikt; zelfredzaam in de wijk."}

    METHODE = Inburgeringstraject.voer_z_route_eindgesprek


class ExamenresultaatCreate(CommandoSchema):
    """Een examenuitslag zoals DUO die meldt."""

    VOORBEELD = {"datum": "2026-03-02", "onderdeel": "lezen", "behaald": True, "niveau": "B1"}

    METHODE = Inburgeringstraject.registreer_examenresultaat
    datum: Datum
    onderdeel: Literal["lezen", "luisteren", "schrijven", "spreken", "knm"]
    behaald: bool
    niveau: Literal["A1", "A2", "B1", "B2"] | None = None


class DiplomaCreate(DatumCreate):
    """Het inburgeringsdiploma (B1-route, onderwijsroute) zoals DUO het meldt."""

    VOORBEELD = {"datum": "2026-04-01"}

    METHODE = Inburgeringstraject.registreer_diploma


class CertificaatCreate(DatumCreate):
    """Het inburgeringscertificaat van de Z-route zoals DUO het meldt."""

    VOORBEELD = {"datum": "2026-04-01"}

    METHODE = Inburgeringstraject.registreer_certificaat


class AfrondingCreate(DatumCreate):
    """De inburgeringsplicht is voldaan (Wi 6); het traject is afgerond."""

    VOORBEELD = {"datum": "2026-04-15"}

    METHODE = Inburgeringstraject.stel_plicht_voldaan_vast


class VervolgoverdrachtCreate(CommandoSchema):
    """Na afronding: de warme overdracht naar werk, opleiding of wijkteam."""

    VOORBEELD = {
        "datum": "2026-04-20",
        "ontvanger": "Werkgeversservicepunt Drechtsteden",
        "toelichting": "Richting werk in de horeca.",
    }

    METHODE = Inburgeringstraject.draag_warm_over_aan_vervolgtraject
    datum: Datum
    ontvanger: KorteTekst
    toelichting: Tekst
