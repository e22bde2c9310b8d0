"""From aggregates and events to response bodies."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from pydantic.alias_generators import to_camel

from api.schemas import ActorPublic, BoetePublic, DeadlinePublic, GebeurtenisPublic, TrajectPublic
from domain.traject import Inburgeringstraject

BASISVELDEN = {"originator_id", "originator_version", "originator_topic", "timestamp", "datum", "metadata"}


def traject_public(traject: Inburgeringstraject, vandaag: date) -> TrajectPublic:
    return TrajectPublic(
        traject_id=traject.id,
        versie=traject.version,
        aanleiding=traject.aanleiding.value,
        doelgroep=traject.doelgroep,
        gemeente=traject.gemeente,
        bsn=traject.bsn,
        startdatum=traject.startdatum,
        kennisgevingsdatum=traject.kennisgevingsdatum,
        brp_inschrijvingsdatum=traject.brp_inschrijvingsdatum,
        huisvestingsdatum=traject.huisvestingsdatum,
        brede_intake_datum=traject.brede_intake_datum,
        leerbaarheidstoets_advies=traject.leerroute_advies,
        pip_dagtekening=traject.pip_dagtekening,
        leerroute=traject.leerroute,
        aantal_routewijzigingen=traject.routewijzigingen,
        aantal_voortgangsgesprekken_gepland=traject.aantal_voortgangsgesprekken,
        aantal_voortgangsgesprekken_gevoerd=sum(1 for g in traject.gesprekken if g.gevoerd),
        aantal_voortgangsgesprekken_gemist=sum(1 for g in traject.gesprekken if not g.gevoerd),
        termijn_start=traject.termijn_start,
        termijn_einde=traject.termijn_einde,
        pip_uiterste_datum=traject.pip_uiterste_datum,
        routewijziging_uiterste_datum=traject.routewijziging_uiterste_datum,
        deadlines=[DeadlinePublic.model_validate(d, from_attributes=True) for d in traject.deadlines(vandaag)],
        boetes=[BoetePublic.model_validate(b, from_attributes=True) for b in traject.boetes],
    )


def gebeurtenis_public(event: Aggregate.Event) -> GebeurtenisPublic:
    metadata = event.metadata  # type: ignore[attr-defined]
    gegevens = {to_camel(k): _json(v) for k, v in vars(event).items() if k not in BASISVELDEN}
    return GebeurtenisPublic(
        type=get_topic(type(event)),
        versie=event.originator_version,
        datum=event.datum,  # type: ignore[attr-defined]
        vastgelegd_op=event.timestamp,
        actor=ActorPublic(gebruiker=metadata.gebruiker, rol=metadata.rol, gemeente=metadata.gemeente),
        correlatie_id=metadata.correlatie_id,
        gegevens=gegevens,
    )


def _json(waarde: Any) -> Any:
    if isinstance(waarde, dict):
        return {to_camel(k): _json(v) for k, v in waarde.items()}
    if isinstance(waarde, date):
        return waarde.isoformat()
    if hasattr(waarde, "as_tuple"):  # Decimal: as a string, like every amount in this API
        return str(waarde)
    return waarde
