"""Commands for the uitvoering (domain/traject/uitvoering.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.commandos.basis import Commando
from domain.traject import Fase, Inburgeringstraject, MapThema, Uursoort


@dataclass(frozen=True)
class RegistreerCursusuren(Commando):
    METHODE = Inburgeringstraject.registreer_cursusuren
    datum: date
    soort: Uursoort
    uren: int
    fase: Fase


@dataclass(frozen=True)
class RegistreerVoortgangsgesprek(Commando):
    METHODE = Inburgeringstraject.registreer_voortgangsgesprek
    datum: date
    gevoerd: bool
    verslag: str
    geldige_reden: bool = False


@dataclass(frozen=True)
class OndertekenParticipatieverklaring(Commando):
    METHODE = Inburgeringstraject.onderteken_participatieverklaring
    datum: date


@dataclass(frozen=True)
class RondMapThemaAf(Commando):
    METHODE = Inburgeringstraject.rond_map_thema_af
    datum: date
    thema: MapThema


@dataclass(frozen=True)
class VoerMapEindgesprek(Commando):
    METHODE = Inburgeringstraject.voer_map_eindgesprek
    datum: date
    verslag: str


@dataclass(frozen=True)
class RegistreerExamenresultaat(Commando):
    METHODE = Inburgeringstraject.registreer_examenresultaat
    datum: date
    onderdeel: str
    behaald: bool
    niveau: str | None = None


@dataclass(frozen=True)
class RegistreerDiploma(Commando):
    METHODE = Inburgeringstraject.registreer_diploma
    datum: date


@dataclass(frozen=True)
class VoerZRouteEindgesprek(Commando):
    METHODE = Inburgeringstraject.voer_z_route_eindgesprek
    datum: date
    verslag: str


@dataclass(frozen=True)
class RegistreerCertificaat(Commando):
    METHODE = Inburgeringstraject.registreer_certificaat
    datum: date


@dataclass(frozen=True)
class StelPlichtVoldaanVast(Commando):
    METHODE = Inburgeringstraject.stel_plicht_voldaan_vast
    datum: date


@dataclass(frozen=True)
class DraagWarmOverAanVervolgtraject(Commando):
    METHODE = Inburgeringstraject.draag_warm_over_aan_vervolgtraject
    datum: date
    ontvanger: str
    toelichting: str
