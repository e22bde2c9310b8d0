"""Purpose binding: which recorded fields a role may read (digest decision 6, section 5.1).

The history itself is complete for every reader; what is left out are field values that the reader's
task does not need. Each field says who may read it, next to the field (domain/velden.py); this module
only reads those declarations, and a reader not named gets nothing (default deny).
"""

from __future__ import annotations

from functools import cache

from domain.metadata import Metadata
from domain.velden import NIEMAND, velden
from domain.waarden import Rol


@cache  # read for every fact of every history: the declarations do not change while running
def bijzonder(soort: type) -> frozenset[str]:
    """The special-category fields (AVG art. 9) of facts of this kind."""
    return frozenset(naam for naam, veld in velden(soort).items() if veld.bijzonder)


@cache
def afgeschermd_voor(rol: Rol, soort: type) -> frozenset[str]:
    """The fields of facts of this kind that `rol` does not get to read."""
    return frozenset(naam for naam, veld in velden(soort).items() if rol not in veld.lezers)


def soort_afgeschermd_voor(rol: Rol, soort: type) -> bool:
    """Whether even the kind of fact is outside the role's purpose: that an exemption from the
    leerbaarheidstoets was granted tells of an impairment (Wi 14(6)), whatever its fields say. Each kind
    names who may see it (`SOORT_LEZERS`, next to its fields); a kind that names no one is seen by no one."""
    return rol not in getattr(soort, "SOORT_LEZERS", NIEMAND)


def toelichting_afgeschermd_voor(rol: Rol) -> bool:
    """Whether the toelichting every fact may carry (its metadata) is outside the role's purpose."""
    return rol not in velden(Metadata)["toelichting"].lezers


AFGESCHERMD_TOPIC = "Inburgeringstraject.Afgeschermd"
