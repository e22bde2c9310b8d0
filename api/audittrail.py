"""The audit trail of a trajectory in the shape auditors know from the ZGW APIs, from its events alone.

Each fact is replayed in order; `wijzigingen` is what the fact changed in the trajectory as the reader
may see it (purpose binding applies to before and after alike). Derived deadlines and the version
number change with every fact or every day and are left out of the comparison.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from api.gebeurtenistypen import type_voor
from api.schemas import AuditregelPublic, Wijzigingen
from api.weergave import traject_public
from domain.doelbinding import AFGESCHERMD_TOPIC, soort_afgeschermd_voor, toelichting_afgeschermd_voor
from domain.persoonsgegevens import is_verwijderd
from domain.traject import Inburgeringstraject
from domain.waarden import Rol

BRON = "sdd-inburgering"
NIET_VERGELEKEN = {"versie", "deadlines", "afgeschermd"}


def regel_id(traject_id: UUID, versie: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"urn:sdd:inburgering:gebeurtenis:{traject_id}:{versie}")


def weergave(topic: str) -> str:
    """'Inburgeringstraject.PipVastgesteld' -> 'Pip vastgesteld'."""
    woorden = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", topic.rsplit(".", 1)[-1])
    return " ".join([woorden[0], *(w.lower() for w in woorden[1:])]) if woorden else topic


def audittrail(feiten: list[Aggregate.Event], rol: Rol, basis: str) -> list[AuditregelPublic]:
    """`basis` is the API's absolute root (https://host/api/v1), so that the URLs are whole, as in ZGW."""
    traject: Any = None
    vorige: dict[str, Any] = {}
    regels = []
    for feit in feiten:
        traject = feit.mutate(traject)
        nu = _toestand(traject, feit, rol)
        veranderd = sorted(k for k in nu.keys() | vorige.keys() if nu.get(k) != vorige.get(k))
        regels.append(_regel(feit, traject, rol, basis, Wijzigingen(
            oud={k: vorige.get(k) for k in veranderd} if vorige else None, nieuw={k: nu.get(k) for k in veranderd}
        )))
        vorige = nu
    return regels


def _toestand(traject: Inburgeringstraject, feit: Aggregate.Event, rol: Rol) -> dict[str, Any]:
    publiek = traject_public(traject, feit.datum, rol)  # type: ignore[attr-defined]
    return publiek.model_dump(mode="json", by_alias=True, exclude=NIET_VERGELEKEN)


def _regel(feit: Aggregate.Event, traject: Inburgeringstraject, rol: Rol, basis: str, wijzigingen: Wijzigingen) -> AuditregelPublic:
    metadata = feit.metadata  # type: ignore[attr-defined]
    afgeschermd = soort_afgeschermd_voor(rol, type(feit))
    topic = AFGESCHERMD_TOPIC if afgeschermd else get_topic(type(feit))
    hoofd = f"{basis}/trajecten/{traject.id}"
    zaak = getattr(feit, "zaaknummer", None)
    if isinstance(feit, Inburgeringstraject.OvertredingGeconstateerd):
        zaak = feit.originator_version  # the rapport opens the zaak that bears its version
    toelichting = None if toelichting_afgeschermd_voor(rol) else metadata.toelichting
    return AuditregelPublic(
        uuid=regel_id(traject.id, feit.originator_version),
        bron=BRON,
        applicatie_id=metadata.applicatie,
        applicatie_weergave=metadata.applicatie,
        gebruikers_id=metadata.gebruiker,
        gebruikers_weergave=f"{metadata.gebruiker} ({metadata.rol})",
        actie="create" if feit.originator_version == 1 else "update" if isinstance(feit, Inburgeringstraject.FeitGecorrigeerd) else "partial_update",
        actie_weergave=weergave(topic),
        resultaat=201,  # only a command that succeeded records a fact
        hoofd_object=hoofd,
        resource="handhavingszaak" if zaak else "traject",
        resource_url=f"{hoofd}/handhavingszaken/{zaak}" if zaak else hoofd,
        resource_weergave=weergave(topic),
        toelichting=None if toelichting is None or is_verwijderd(toelichting) else toelichting,
        aanmaakdatum=feit.timestamp,
        wijzigingen=wijzigingen,
        gebeurtenistype=type_voor(type(feit), rol),
        datum=feit.datum,  # type: ignore[attr-defined]
        versie=feit.originator_version,
        rechtsgrond="afgeschermd" if afgeschermd else type(feit).RECHTSGROND,  # type: ignore[attr-defined]  # every fact of a trajectory has one (tests/test_topics.py)
        namens_college=metadata.gemeente,
        trace_id=metadata.trace_id,
        correlatie_id=metadata.correlatie_id,
    )
