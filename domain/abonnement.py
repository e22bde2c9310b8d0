"""Subscriptions: which facts a follower wants pushed to its receiver, and how a receiver that keeps failing
is backed off and suspended (issue 14). What a subscriber may receive is the feed's purpose binding: the role
and gemeenten of the subscriber, kept with the subscription."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from domain.application import Actor, BuitenMandaatError
from domain.waarden import Gemeente, Rol, mag_werken_voor


class Bezorgwijze(StrEnum):
    """Hoe een feit reist (CloudEvents HTTP-binding): één gebeurtenis als JSON-document (gestructureerd), één
    gebeurtenis met haar attributen als `ce-`-kopregels (binair), of de feiten van één leesronde als JSON-array (batch)."""

    GESTRUCTUREERD = "gestructureerd"
    BINAIR = "binair"
    BATCH = "batch"


class Abonnementstatus(StrEnum):
    """Of de bezorging loopt (actief) of stilstaat (geschorst)."""

    ACTIEF = "actief"
    GESCHORST = "geschorst"  # the receiver failed too often; resumed on request, from its position


class AbonnementNietGevondenError(Exception):
    """No subscription with this id belongs to the caller."""


class AbonnementVerouderdError(Exception):
    """The change was built on an older version of the subscription's settings (If-Match)."""

    def __init__(self, huidig: int) -> None:
        super().__init__(f"De instellingen van het abonnement zijn intussen gewijzigd; de huidige versie is {huidig}.")
        self.huidig = huidig


@dataclass(frozen=True)
class Terugval:
    """Exponential backoff between failed deliveries, with a ceiling, and suspension after a bound."""

    eerste: timedelta = timedelta(seconds=1)
    hoogstens: timedelta = timedelta(minutes=5)
    schorsen_na: int = 10

    def volgende_poging(self, nu: datetime, pogingen: int) -> datetime:
        """When to try again after `pogingen` failures in a row (1 or more)."""
        return nu + min(self.hoogstens, self.eerste * 2 ** min(pogingen - 1, 30))

    def schorsen(self, pogingen: int) -> bool:
        return pogingen >= self.schorsen_na


@dataclass(frozen=True)
class Abonnement:
    """A subscription as the subscriber set it, and where its delivery stands."""

    id: UUID
    eigenaar: str  # the token subject that made it: only they see and change it
    rol: Rol
    gemeenten: frozenset[Gemeente]  # the subscriber's mandate, as for the feed
    callback: str
    gebeurtenistypen: frozenset[str] | None  # None: every type the role may see
    gemeentefilter: frozenset[Gemeente] | None  # None: every gemeente of the mandate
    bezorgwijze: Bezorgwijze
    versie: int
    status: Abonnementstatus
    positie: int  # the log position delivered up to (a receiver has had every matching fact up to here)
    mislukte_pogingen: int
    laatste_succes: datetime | None
    laatste_fout: str | None
    laatste_fout_op: datetime | None
    volgende_poging: datetime | None
    aangemaakt: datetime
    gewijzigd: datetime
    met_autorisatie: bool  # whether deliveries send the receiver's Authorization value (kept secret, elsewhere)

    def past(self, gebeurtenistype: str, gemeente: str | None) -> bool:
        """Whether a fact (as its type is shown to the subscriber's role) passes the subscriber's filters."""
        if self.gebeurtenistypen is not None and gebeurtenistype not in self.gebeurtenistypen:
            return False
        return self.gemeentefilter is None or (gemeente is not None and Gemeente(gemeente) in self.gemeentefilter)

    def is_aan_de_beurt(self, nu: datetime) -> bool:
        return self.status is Abonnementstatus.ACTIEF and (self.volgende_poging is None or self.volgende_poging <= nu)


def binnen_mandaat(actor: Actor, gemeentefilter: frozenset[Gemeente] | None) -> None:
    """A subscriber filters within what it may read; a gemeente outside its mandate is refused, not ignored."""
    if buiten := sorted(g.value for g in gemeentefilter or () if not mag_werken_voor(actor.rol, actor.gemeenten, g)):
        raise BuitenMandaatError(f"U mag niet volgen wat voor gemeente {', '.join(buiten)} is vastgelegd.")


def nieuw_abonnement(actor: Actor, callback: str, gebeurtenistypen: frozenset[str] | None, gemeentefilter: frozenset[Gemeente] | None,
                     bezorgwijze: Bezorgwijze, positie: int, nu: datetime, met_autorisatie: bool) -> Abonnement:
    """A subscription of the actor, bound to the actor's role and gemeenten, delivering what follows `positie`."""
    binnen_mandaat(actor, gemeentefilter)
    return Abonnement(
        id=uuid4(), eigenaar=actor.gebruiker, rol=actor.rol, gemeenten=actor.gemeenten, callback=callback,
        gebeurtenistypen=gebeurtenistypen, gemeentefilter=gemeentefilter, bezorgwijze=bezorgwijze, versie=1,
        status=Abonnementstatus.ACTIEF, positie=positie, mislukte_pogingen=0, laatste_succes=None, laatste_fout=None,
        laatste_fout_op=None, volgende_poging=None, aangemaakt=nu, gewijzigd=nu, met_autorisatie=met_autorisatie,
    )
