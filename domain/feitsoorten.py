"""Every kind of fact the log holds, from the aggregates that record them: what declarations are checked over."""

from __future__ import annotations

from eventsourcing.domain import CanMutateAggregate

from domain.opdracht import Opdracht
from domain.persoon import Persoonsregistratie
from domain.traject import Inburgeringstraject

AGGREGATEN = (Inburgeringstraject, Persoonsregistratie, Opdracht)

# The library gives each aggregate an `Event` base of its own; it is never recorded.
FEITSOORTEN: tuple[type[CanMutateAggregate], ...] = tuple(
    klasse
    for aggregaat in AGGREGATEN
    for naam, klasse in vars(aggregaat).items()
    if isinstance(klasse, type) and issubclass(klasse, CanMutateAggregate) and naam != "Event"
)
TRAJECTFEITEN = tuple(soort for soort in FEITSOORTEN if issubclass(soort, Inburgeringstraject.Event))
