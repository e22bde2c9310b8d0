"""Purpose binding: which recorded fields a role may read (digest decision 6, section 5.1).

The history itself is complete for every reader; what is left out are field values that the
reader's task does not need. DUO gets progress, attendance, leerroute, PVT/MAP, boetes and
gespreksverslagen (Bi 9.2-9.6), never health or what the brede intake found. A handhaver needs no
health data. The regisseur of the gemeente and the auditor see everything; special-category fields
are marked as such so that an auditor can see where they are.
"""

from __future__ import annotations

from domain.waarden import Rol


def bijzonder(soort: type) -> frozenset[str]:
    """The special-category fields (AVG art. 9) of facts of this kind."""
    return getattr(soort, "BIJZONDER", frozenset())


def afgeschermd_voor(rol: Rol, soort: type) -> frozenset[str]:
    """The fields of facts of this kind that `rol` does not get to read."""
    if rol is Rol.DUO:
        return bijzonder(soort) | getattr(soort, "INTAKEDETAILS", frozenset())
    if rol in (Rol.HANDHAVER, Rol.BEHEERDER):
        return bijzonder(soort)
    return frozenset()
