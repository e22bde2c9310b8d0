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


def soort_afgeschermd_voor(rol: Rol, soort: type) -> bool:
    """Whether even the kind of fact is outside the role's purpose: that an exemption from the
    leerbaarheidstoets was granted tells of an impairment (Wi 14(6)), whatever its fields say."""
    return bool(getattr(soort, "SOORT_BIJZONDER", False)) and rol in (Rol.DUO, Rol.HANDHAVER, Rol.BEHEERDER)


def toelichting_afgeschermd_voor(rol: Rol) -> bool:
    """A toelichting is free text about the case: not part of what DUO receives (Bi 9.2-9.6)."""
    return rol is Rol.DUO


AFGESCHERMD_TOPIC = "Inburgeringstraject.Afgeschermd"

# The same binding for the current state of a trajectory (GET /trajecten/{id}): whether the
# leerbaarheidstoets was waived reveals an impairment (Wi 14(6)); the advice is an intake finding.
TOESTAND_BIJZONDER = frozenset({"leerbaarheidstoets"})
TOESTAND_INTAKEDETAILS = frozenset({"leerbaarheidstoets", "leerbaarheidstoets_advies"})


def afgeschermde_toestand(rol: Rol) -> frozenset[str]:
    """The fields of a trajectory's state that `rol` does not get to read."""
    if rol is Rol.DUO:
        return TOESTAND_BIJZONDER | TOESTAND_INTAKEDETAILS
    if rol in (Rol.HANDHAVER, Rol.BEHEERDER):
        return TOESTAND_BIJZONDER
    return frozenset()
