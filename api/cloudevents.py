"""One fact as an NL GOV CloudEvent, the same in the feed and in every push delivery: information-poor (what
happened and where it is, `dataref`), its type as the reader's role may see it."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from api import schemas
from api.gebeurtenistypen import dataschema, type_voor
from domain.waarden import Rol


def gebeurtenis_id(traject_id: UUID, versie: int) -> UUID:
    """Stable per fact: a follower that receives a fact twice (at-least-once) recognises it by this id."""
    return uuid5(NAMESPACE_URL, f"urn:sdd:inburgering:gebeurtenis:{traject_id}:{versie}")


def cloudevent(nummer: int, feit: Any, rol: Rol, bron: str, basis: str) -> schemas.CloudEventPublic:
    """`nummer`: the fact's position in the log; `basis`: the API's absolute base URL (…/api/v1)."""
    soort = type_voor(type(feit), rol)
    return schemas.CloudEventPublic(
        specversion="1.0",
        id=gebeurtenis_id(feit.originator_id, feit.originator_version),
        source=bron,
        type=soort,
        dataschema=dataschema(basis, soort, rol),
        time=feit.timestamp,
        subject=feit.originator_id,
        sequence=f"{nummer:020d}",
        datacontenttype="application/json",
        dataref=f"{basis}/trajecten/{feit.originator_id}/gebeurtenissen/{feit.originator_version}",
        data=schemas.CloudEventData(traject_id=feit.originator_id, versie=feit.originator_version, datum=feit.datum,
                                    gemeente=feit.metadata.gemeente),
    )
