"""Commands for each step of a handhavingszaak (domain/traject/handhaving.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.commandos.basis import Commando
from domain.traject import Inburgeringstraject
from domain.waarden import Boeteartikel, Boetegrond, UitkomstBezwaar, Verwijtbaarheid


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
