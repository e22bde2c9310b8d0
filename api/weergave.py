"""From aggregates and events to response bodies."""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from typing import Any

from eventsourcing.domain import Aggregate
from pydantic import BaseModel
from pydantic.alias_generators import to_camel as _to_camel

from api.gebeurtenistypen import BASISVELDEN, ITEMS, GebeurtenisBasis, type_voor
from api.schemas import (
    ActorPublic,
    BoetePublic,
    DeadlinePublic,
    HandhavingszaakPublic,
    TrajectPublic,
)
from domain.doelbinding import afgeschermd_voor, bijzonder, soort_afgeschermd_voor
from domain.persoonsgegevens import is_verwijderd
from domain.traject import Aanbod, Handhavingszaak, Inburgeringstraject, MapThema
from domain.velden import Lezers, OngedeclareerdVeldError, persoonsvelden, velden
from domain.waarden import Rol

# Field names (and a dict field's keys), converted for every fact of every history; bounded, as keys come from requests.
to_camel = lru_cache(maxsize=4096)(_to_camel)


@cache  # per view and role: the declarations do not change while running
def afgeschermd_in(weergave: type[BaseModel], rol: Rol) -> frozenset[str]:
    """The fields of a view on a trajectory that `rol` may not read, by each field's `Lezers` declaration;
    raises OngedeclareerdVeldError, naming the field, for one that declares none or two."""
    afgeschermd = set()
    for naam, veld in weergave.model_fields.items():
        lezers = [m.rollen for m in veld.metadata if isinstance(m, Lezers)]
        if len(lezers) != 1:
            raise OngedeclareerdVeldError(weergave, naam, len(lezers), f"{naam}: Iedereen[<type>]` of ZonderDuo, RegisseurEnAuditor "
                                          "(api/schemas.py)")
        if rol not in lezers[0]:
            afgeschermd.add(naam)
    return frozenset(afgeschermd)


def traject_public(traject: Inburgeringstraject, vandaag: date, rol: Rol) -> TrajectPublic:
    """The state as `rol` may read it (domain/doelbinding.py); left-out fields are named."""
    publiek = TrajectPublic(
        traject_id=traject.id,
        versie=traject.version,
        status=traject.status.value,
        einddatum=traject.einddatum,
        aanleiding=traject.aanleiding.value,
        doelgroep=traject.doelgroep,
        gemeente=traject.gemeente,
        regisseur=traject.regisseur,
        bsn=None if is_verwijderd(traject.bsn) else traject.bsn,
        startdatum=traject.startdatum,
        coa_warme_overdracht=traject.coa_warme_overdracht,
        kennisgevingsdatum=traject.kennisgevingsdatum,
        brp_inschrijvingsdatum=traject.brp_inschrijvingsdatum,
        huisvestingsdatum=traject.huisvestingsdatum,
        aantal_intake_oproepen=len(traject.oproepen),
        kennismakingsgesprek=traject.kennismakingsgesprek,
        leerbaarheidstoets=traject.leerbaarheidstoets,
        brede_intake_datum=traject.brede_intake_datum,
        intake_in_afwezigheid=traject.intake_in_afwezigheid,
        leerbaarheidstoets_advies=traject.leerroute_advies,
        welkomstprogramma=traject.welkomstprogramma,
        pip_dagtekening=traject.pip_dagtekening,
        pip_aanbod=sorted(Aanbod(a) for a in traject.pip_aanbod),
        leerroute=traject.leerroute,
        afgeschaald_naar_a2=traject.afgeschaald_naar_a2,
        aantal_routewijzigingen=traject.routewijzigingen,
        uren=dict(sorted(traject.uren.per_soort.items())),
        aantal_voortgangsgesprekken_gepland=traject.aantal_voortgangsgesprekken,
        aantal_voortgangsgesprekken_gevoerd=sum(1 for g in traject.gesprekken if g.gevoerd),
        aantal_voortgangsgesprekken_gemist=sum(1 for g in traject.gesprekken if not g.gevoerd),
        participatieverklaring=traject.participatieverklaring,
        map_themas=sorted(MapThema(t) for t in traject.map_themas),
        map_eindgesprek=traject.map_eindgesprek,
        behaalde_examenonderdelen=sorted(traject.behaalde_onderdelen),
        diploma=traject.diploma,
        z_route_eindgesprek=traject.z_route_eindgesprek,
        certificaat=traject.certificaat,
        financieel_ontzorgen_start=traject.ontzorgen_start,
        financieel_ontzorgen_einde=traject.ontzorgen_einde,
        maatschappelijke_begeleiding_start=traject.begeleiding_start,
        maatschappelijke_begeleiding_einde=traject.begeleiding_einde,
        aantal_tolkvoorzieningen=traject.tolkvoorzieningen,
        termijn_start=traject.termijn_start,
        termijn_einde=traject.termijn_einde,
        termijn_einde_door_duo=traject.duo_termijn_einde is not None,
        pip_uiterste_datum=traject.pip_uiterste_datum,
        routewijziging_uiterste_datum=traject.routewijziging_uiterste_datum,
        aantal_duo_boetes=traject.duo_boetes,
        aantal_correcties=traject.correcties,
        deadlines=[DeadlinePublic.model_validate(d, from_attributes=True) for d in traject.deadlines(vandaag)],
        handhavingszaken=[zaak_public(z) for z in traject.zaken.values()],
        boetes=[BoetePublic.model_validate(b, from_attributes=True) for b in traject.boetes],
    )
    afgeschermd = afgeschermd_in(TrajectPublic, rol)
    verwijderd = ["bsn"] if is_verwijderd(traject.bsn) else []
    return publiek.model_copy(
        update={veld: None for veld in [*afgeschermd, *verwijderd]}
        | {
            "afgeschermd": sorted(to_camel(veld) for veld in afgeschermd),
            "verwijderd": sorted(to_camel(veld) for veld in verwijderd),
            "verwijderde_bewaarklassen": sorted(traject.verwijderd),
        }
    )


def zaak_public(zaak: Handhavingszaak) -> HandhavingszaakPublic:
    return HandhavingszaakPublic.model_validate(zaak, from_attributes=True)


def gebeurtenis_public(event: Aggregate.Event, rol: Rol) -> GebeurtenisBasis:
    """A recorded fact as `rol` may read it: fields outside its purpose are left out and named."""
    metadata = event.metadata  # type: ignore[attr-defined]
    soort = type(event)
    afgeschermd = afgeschermd_voor(rol, soort)
    gegevens = {naam: getattr(event, naam) for naam in velden(soort) if naam not in BASISVELDEN}  # declared fields only
    if soort_afgeschermd_voor(rol, soort):
        afgeschermd = frozenset(gegevens) | {"type"}
    verwijderd = [
        pad for pad in persoonsvelden(soort)
        if pad.partition(".")[0] not in afgeschermd and is_verwijderd(_op_pad(gegevens, pad))
    ]
    type_ = type_voor(soort, rol)
    return ITEMS[type_](
        type=type_,
        versie=event.originator_version,
        datum=event.datum,  # type: ignore[attr-defined]
        vastgelegd_op=event.timestamp,
        actor=ActorPublic(gebruiker=metadata.gebruiker, rol=metadata.rol, gemeente=metadata.gemeente),
        correlatie_id=metadata.correlatie_id,
        gegevens={to_camel(k): _json(v) for k, v in gegevens.items() if k not in afgeschermd},
        afgeschermd=sorted([to_camel(k) for k in gegevens if k in afgeschermd] + (["type"] if "type" in afgeschermd else [])),
        bijzondere_persoonsgegevens=sorted(to_camel(k) for k in gegevens if k in bijzonder(soort) and k not in afgeschermd),
        verwijderd=sorted(".".join(to_camel(deel) for deel in pad.split(".")) for pad in verwijderd),
    )


def _op_pad(velden: dict[str, Any], pad: str) -> Any:
    veld, _, sleutel = pad.partition(".")
    waarde = velden.get(veld)
    return waarde.get(sleutel) if sleutel and isinstance(waarde, dict) else (None if sleutel else waarde)


def _json(waarde: Any) -> Any:
    if is_verwijderd(waarde):
        return None
    if isinstance(waarde, dict):
        return {to_camel(k): _json(v) for k, v in waarde.items()}
    if isinstance(waarde, date):
        return waarde.isoformat()
    if hasattr(waarde, "as_tuple"):  # Decimal: as a string, like every amount in this API
        return str(waarde)
    if isinstance(waarde, list):
        return [_json(w) for w in waarde]
    return waarde
