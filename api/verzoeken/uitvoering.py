"""Request bodies for the uitvoering: hours, gesprekken, PVT, MAP, exams (domain/traject/uitvoering.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from api.schemas import CommandoSchema, Datum, DatumCreate, Keuze, KorteTekst, Tekst
from domain import commandos
from domain.traject import Fase, MapThema, Uursoort


class CursusurenCreate(CommandoSchema):
    """Gevolgde uren tot en met de datum, tijdens de brede intake of in de uitvoering (Bi 5.3(5))."""

    COMMANDO = commandos.RegistreerCursusuren
    datum: Datum
    soort: Keuze[Uursoort]
    uren: int = Field(ge=1, le=2000)
    fase: Keuze[Fase]


class VoortgangsgesprekCreate(CommandoSchema):
    """Een voortgangsgesprek is gevoerd of gemist; het verslag wordt altijd bewaard."""

    datum: Datum
    status: Literal["gevoerd", "gemist"]
    geldige_reden: bool = Field(default=False, description="Alleen bij gemist: was er een geldige reden?")
    verslag: Tekst

    def commando(self, **uit_het_pad: Any) -> commandos.Commando:
        return commandos.RegistreerVoortgangsgesprek(
            datum=self.datum, gevoerd=self.status == "gevoerd", geldige_reden=self.geldige_reden, verslag=self.verslag
        )


class ParticipatieverklaringCreate(CommandoSchema):
    """De participatieverklaring is ondertekend, na ten minste 12 uur PVT (Bi 3.1)."""

    COMMANDO = commandos.OndertekenParticipatieverklaring
    datum: Datum


class MapThemaCreate(CommandoSchema):
    """Een van de acht thema's van de MAP is afgerond (Bi 3.2)."""

    COMMANDO = commandos.RondMapThemaAf
    datum: Datum
    thema: Keuze[MapThema]


class EindgesprekCreate(CommandoSchema):
    datum: Datum
    verslag: Tekst


class MapEindgesprekCreate(EindgesprekCreate):
    """Het eindgesprek MAP met het college, na alle acht thema's."""

    COMMANDO = commandos.VoerMapEindgesprek


class ZRouteEindgesprekCreate(EindgesprekCreate):
    """Het eindgesprek van de Z-route met het college (Bi 3.14)."""

    COMMANDO = commandos.VoerZRouteEindgesprek


class ExamenresultaatCreate(CommandoSchema):
    """Een examenuitslag zoals DUO die meldt."""

    COMMANDO = commandos.RegistreerExamenresultaat
    datum: Datum
    onderdeel: Literal["lezen", "luisteren", "schrijven", "spreken", "knm"]
    behaald: bool
    niveau: Literal["A1", "A2", "B1", "B2"] | None = None


class DiplomaCreate(DatumCreate):
    """Het inburgeringsdiploma (B1-route, onderwijsroute) zoals DUO het meldt."""

    COMMANDO = commandos.RegistreerDiploma


class CertificaatCreate(DatumCreate):
    """Het inburgeringscertificaat van de Z-route zoals DUO het meldt."""

    COMMANDO = commandos.RegistreerCertificaat


class AfrondingCreate(DatumCreate):
    """De inburgeringsplicht is voldaan (Wi 6); het traject is afgerond."""

    COMMANDO = commandos.StelPlichtVoldaanVast


class VervolgoverdrachtCreate(CommandoSchema):
    """Na afronding: de warme overdracht naar werk, opleiding of wijkteam."""

    COMMANDO = commandos.DraagWarmOverAanVervolgtraject
    datum: Datum
    ontvanger: KorteTekst
    toelichting: Tekst
