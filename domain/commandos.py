"""Commands: what a user asks of a trajectory, in the imperative. The aggregate decides.

Each command refers to the aggregate method that carries it out (go-to-definition and a rename follow
it); its fields are that method's keyword arguments, so a command is the method call written down
(tests/domain/test_commandos.py holds both to that).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from collections.abc import Callable
from typing import Any, ClassVar

from domain.persoonsgegevens import GrondVerwijdering
from domain.traject import Aanbod, Fase, Inburgeringstraject, MapThema, Uursoort
from domain.waarden import (
    Boeteartikel,
    Boetegrond,
    Gemeente,
    Leerroute,
    RedenRoutewijziging,
    UitkomstBezwaar,
    Vastlegging,
    Verblijfsvergunning,
    Verwijtbaarheid,
)


@dataclass(frozen=True)
class Commando:
    """A command on an existing trajectory."""

    METHODE: ClassVar[Callable[..., Any]]  # the aggregate's method, read from the class: not bound to the command

    def uitvoeren(self, traject: Inburgeringstraject, door: Vastlegging) -> Any:
        argumenten = {veld.name: getattr(self, veld.name) for veld in fields(self)}
        return type(self).METHODE(traject, **argumenten, door=door)


@dataclass(frozen=True)
class StartNaTvsProfiel:
    datum: date
    gemeente: Gemeente
    bsn: str
    huishoudgrootte: int | None = None
    land_van_herkomst: str | None = None
    taal: str | None = None

    def starten(self, door: Vastlegging) -> Inburgeringstraject:
        return Inburgeringstraject.start_na_tvs_profiel(**vars(self), door=door)


@dataclass(frozen=True)
class StartNaKennisgeving:
    datum: date
    gemeente: Gemeente
    bsn: str
    verblijfsvergunning: Verblijfsvergunning
    referent_verblijfsvergunning: Verblijfsvergunning | None = None

    def starten(self, door: Vastlegging) -> Inburgeringstraject:
        return Inburgeringstraject.start_na_kennisgeving(**vars(self), door=door)


StartCommando = StartNaTvsProfiel | StartNaKennisgeving


# -- start and intake --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistreerCoaWarmeOverdracht(Commando):
    METHODE = Inburgeringstraject.registreer_coa_warme_overdracht
    datum: date
    verslag: str
    tolk_aanwezig: bool = False


@dataclass(frozen=True)
class RegistreerKennisgeving(Commando):
    METHODE = Inburgeringstraject.registreer_kennisgeving
    datum: date
    verblijfsvergunning: Verblijfsvergunning
    referent_verblijfsvergunning: Verblijfsvergunning | None = None


@dataclass(frozen=True)
class RegistreerHuisvesting(Commando):
    METHODE = Inburgeringstraject.registreer_huisvesting
    datum: date
    gemeente: Gemeente
    huisvestingsdatum: date | None = None


@dataclass(frozen=True)
class VerzendIntakeOproep(Commando):
    METHODE = Inburgeringstraject.verzend_intake_oproep
    datum: date
    uiterlijk: date
    schriftelijke_waarschuwing: bool = False


@dataclass(frozen=True)
class RegistreerKennismakingsgesprek(Commando):
    METHODE = Inburgeringstraject.registreer_kennismakingsgesprek
    datum: date
    verslag: str


@dataclass(frozen=True)
class RegistreerLeerbaarheidstoets(Commando):
    METHODE = Inburgeringstraject.registreer_leerbaarheidstoets
    datum: date
    haalbaar_niveau: str
    advies_leerroute: Leerroute


@dataclass(frozen=True)
class VerleenLeerbaarheidstoetsOntheffing(Commando):
    METHODE = Inburgeringstraject.verleen_leerbaarheidstoets_ontheffing
    datum: date
    grond: str


@dataclass(frozen=True)
class HoudBredeIntake(Commando):
    METHODE = Inburgeringstraject.houd_brede_intake
    datum: date
    onderwerpen: dict[str, str]
    gezondheid: dict[str, str] = field(default_factory=dict)
    leerbaarheidstoets_advies: Leerroute | None = None


@dataclass(frozen=True)
class VoltooiIntakeInAfwezigheid(Commando):
    METHODE = Inburgeringstraject.voltooi_intake_in_afwezigheid
    datum: date
    verslag: str


@dataclass(frozen=True)
class StartWelkomstprogramma(Commando):
    METHODE = Inburgeringstraject.start_welkomstprogramma
    datum: date


# -- PIP and leerroute -------------------------------------------------------------------------


@dataclass(frozen=True)
class StelPipVast(Commando):
    METHODE = Inburgeringstraject.stel_pip_vast
    dagtekening: date
    leerroute: Leerroute
    pvt_uren: int
    aantal_voortgangsgesprekken: int
    ondersteuning: str
    leerroute_uren_per_week: int | None = None
    map_uren: int | None = None
    aanbod: frozenset[Aanbod] = frozenset()


@dataclass(frozen=True)
class WijzigPip(Commando):
    METHODE = Inburgeringstraject.wijzig_pip
    datum: date
    pvt_uren: int
    aantal_voortgangsgesprekken: int
    ondersteuning: str
    reden: str
    leerroute_uren_per_week: int | None = None
    map_uren: int | None = None
    aanbod: frozenset[Aanbod] = frozenset()


@dataclass(frozen=True)
class WijzigLeerroute(Commando):
    METHODE = Inburgeringstraject.wijzig_leerroute
    datum: date
    naar: Leerroute
    reden: RedenRoutewijziging
    toelichting: str


@dataclass(frozen=True)
class SchaalAfNaarA2(Commando):
    METHODE = Inburgeringstraject.schaal_af_naar_a2
    datum: date
    motivering: str


# -- uitvoering --------------------------------------------------------------------------------


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


# -- ondersteuning -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StartFinancieelOntzorgen(Commando):
    METHODE = Inburgeringstraject.start_financieel_ontzorgen
    datum: date
    vaste_lasten: list[str]


@dataclass(frozen=True)
class StartMaatschappelijkeBegeleiding(Commando):
    METHODE = Inburgeringstraject.start_maatschappelijke_begeleiding
    datum: date
    uitvoerder: str


@dataclass(frozen=True)
class KenTolkvoorzieningToe(Commando):
    METHODE = Inburgeringstraject.ken_tolkvoorziening_toe
    datum: date
    taal: str
    doel: str


# -- handhaving --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConstateerOvertreding(Commando):
    METHODE = Inburgeringstraject.constateer_overtreding
    datum: date
    artikel: Boeteartikel
    grond: Boetegrond
    rapportdatum: date
    rapport: str


@dataclass(frozen=True)
class ZaakCommando(Commando):
    """A step in one handhavingszaak."""

    zaaknummer: int


@dataclass(frozen=True)
class VerzendBoetevoornemen(ZaakCommando):
    METHODE = Inburgeringstraject.verzend_boetevoornemen
    datum: date
    zienswijzetermijn: date


@dataclass(frozen=True)
class OntvangZienswijze(ZaakCommando):
    METHODE = Inburgeringstraject.ontvang_zienswijze
    datum: date
    mondeling: bool
    samenvatting: str


@dataclass(frozen=True)
class StelZienswijzetermijnVerstrekenVast(ZaakCommando):
    METHODE = Inburgeringstraject.stel_zienswijzetermijn_verstreken_vast
    datum: date


@dataclass(frozen=True)
class RegistreerBijstandsverlaging(ZaakCommando):
    METHODE = Inburgeringstraject.registreer_bijstandsverlaging
    datum: date


@dataclass(frozen=True)
class LegBoeteOp(ZaakCommando):
    METHODE = Inburgeringstraject.leg_boete_op
    datum: date
    verwijtbaarheid: Verwijtbaarheid | None
    motivering: str
    uitzonderlijk_geval_motivering: str | None = None


@dataclass(frozen=True)
class ZieAfVanBoete(ZaakCommando):
    METHODE = Inburgeringstraject.zie_af_van_boete
    datum: date
    reden: str


@dataclass(frozen=True)
class OntvangBezwaar(ZaakCommando):
    METHODE = Inburgeringstraject.ontvang_bezwaar
    datum: date


@dataclass(frozen=True)
class BeslisOpBezwaar(ZaakCommando):
    METHODE = Inburgeringstraject.beslis_op_bezwaar
    datum: date
    uitkomst: UitkomstBezwaar
    motivering: str
    nieuw_bedrag: Decimal | None = None


# -- DUO, verloop, correctie -------------------------------------------------------------------


@dataclass(frozen=True)
class RegistreerTermijnverlenging(Commando):
    METHODE = Inburgeringstraject.registreer_termijnverlenging
    datum: date
    nieuwe_einddatum: date
    grond: str


@dataclass(frozen=True)
class RegistreerVrijstelling(Commando):
    METHODE = Inburgeringstraject.registreer_vrijstelling
    datum: date
    grond: str


@dataclass(frozen=True)
class RegistreerOntheffing(Commando):
    METHODE = Inburgeringstraject.registreer_ontheffing
    datum: date
    grond: str
    volledig: bool


@dataclass(frozen=True)
class RegistreerDuoBoete(Commando):
    METHODE = Inburgeringstraject.registreer_duo_boete
    datum: date
    artikel: str
    bedrag: Decimal


@dataclass(frozen=True)
class VerhuisBinnenRegio(Commando):
    METHODE = Inburgeringstraject.verhuis_binnen_regio
    datum: date
    naar: Gemeente


@dataclass(frozen=True)
class VerhuisBuitenRegio(Commando):
    METHODE = Inburgeringstraject.verhuis_buiten_regio
    datum: date
    nieuwe_gemeente: str
    toelichting: str


@dataclass(frozen=True)
class WijsRegisseurToe(Commando):
    METHODE = Inburgeringstraject.wijs_regisseur_toe
    datum: date
    regisseur: str


@dataclass(frozen=True)
class Corrigeer(Commando):
    METHODE = Inburgeringstraject.corrigeer
    datum: date
    versie: int
    correcties: dict[str, Any]
    toelichting: str


@dataclass(frozen=True)
class VerwijderPersoonsgegevens(Commando):
    METHODE = Inburgeringstraject.verwijder_persoonsgegevens
    grond: GrondVerwijdering
    overlijdensdatum: date | None = None
