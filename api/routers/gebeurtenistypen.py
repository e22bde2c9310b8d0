"""The event catalogue: every kind of fact, its meaning, legal basis and the schema of its data per reader."""

# No `from __future__ import annotations`: FastAPI reads the parameter types at runtime.
from typing import Annotated

from fastapi import APIRouter, Path

from api.auth import Ingelogd
from api.gebeurtenistypen import AFGESCHERMD, AFGESCHERMD_TYPE, SOORTEN, GebeurtenistypenPublic, GebeurtenistypePublic, catalogus
from api.problems import ProbleemError
from api.routers.werkdraad import in_een_werkdraad

router = APIRouter(prefix="/gebeurtenistypen", tags=["gebeurtenistypen"])


@router.get("")
@in_een_werkdraad
def lijst_gebeurtenistypen(actor: Ingelogd) -> GebeurtenistypenPublic:
    """Elk soort feit dat een traject kan vastleggen: het CloudEvents-type, het topic in het log, wat het betekent,
    de rechtsgrond, de versie van zijn vorm en per rol het JSON Schema van de gegevens die die rol krijgt."""
    return catalogus()


@router.get("/{type}")
@in_een_werkdraad
def lees_gebeurtenistype(
    actor: Ingelogd,
    type_: Annotated[str, Path(alias="type", max_length=200, pattern=r"^[a-z0-9][a-z0-9.-]*$",
                               description="Het CloudEvents-type, zoals nl.wet-inburgering.traject.pip-vastgesteld.")],
) -> GebeurtenistypePublic:
    """Eén soort feit; de `dataschema` van een CloudEvent wijst naar de schemas hierin (`#/schemas/{rol}`)."""
    if type_ == AFGESCHERMD_TYPE:
        return AFGESCHERMD
    if type_ not in SOORTEN:
        raise ProbleemError(404, "niet-gevonden", "Niet gevonden.", f"Er is geen gebeurtenistype {type_}.")
    return next(t for t in catalogus().gebeurtenistypen if t.type == type_)
