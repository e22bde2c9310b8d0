"""Every field of every fact is declared once, at the field: its type, personal data or not, and who may read it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import pytest

from domain import doelbinding
from domain.feitsoorten import FEITSOORTEN, TRAJECTFEITEN
from domain.metadata import Metadata
from domain.persoonsgegevens import GEZONDHEID, KORT, VERWIJDERD
from domain.traject import Gebeurtenis, Inburgeringstraject
from domain.velden import (
    IEDEREEN,
    NIET_PERSOONLIJK,
    REGISSEUR_EN_AUDITOR,
    ZONDER_DUO,
    OngedeclareerdVeldError,
    Veld,
    persoonsvelden,
    velden,
    zonder,
)
from domain.waarden import Rol
from tests.builders import door, statushouder_met_pip


class TaalcafeBezocht(Gebeurtenis):
    """A new fact as a maintainer might add it: a free-text field and no declaration."""

    locatie: str


class DubbelVerklaard(Gebeurtenis):
    opmerking: Annotated[str, Veld(KORT, IEDEREEN), Veld(NIET_PERSOONLIJK, IEDEREEN)]


class GesprekMetGezondheid(Gebeurtenis):
    verslag: Annotated[str, Veld(KORT, ZONDER_DUO)]
    gezondheid: Annotated[str | None, Veld(GEZONDHEID, REGISSEUR_EN_AUDITOR)]
    uren: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]


@pytest.mark.parametrize("soort", FEITSOORTEN, ids=lambda s: s.__qualname__)
def test_every_field_of_every_fact_has_exactly_one_declaration(soort: type) -> None:
    declaraties = velden(soort)  # raises OngedeclareerdVeldError, naming the fact and the field
    assert {"originator_id", "originator_version", "timestamp"} <= set(declaraties)


def test_a_field_without_a_declaration_is_named_and_its_fact_cannot_be_read_or_stored_as_personal_data() -> None:
    with pytest.raises(OngedeclareerdVeldError, match=r"TaalcafeBezocht\.locatie heeft geen verklaring"):
        velden(TaalcafeBezocht)
    with pytest.raises(OngedeclareerdVeldError, match=r"TaalcafeBezocht\.locatie"):
        persoonsvelden(TaalcafeBezocht)  # what the store's encryption asks before it writes a fact
    with pytest.raises(OngedeclareerdVeldError, match=r"TaalcafeBezocht\.locatie"):
        doelbinding.afgeschermd_voor(Rol.DUO, TaalcafeBezocht)  # what the history asks before it shows one


def test_two_declarations_on_one_field_are_refused_too() -> None:
    with pytest.raises(OngedeclareerdVeldError, match=r"DubbelVerklaard\.opmerking heeft 2 verklaringen"):
        velden(DubbelVerklaard)


def test_the_declarations_decide_encryption_purpose_binding_and_special_categories() -> None:
    assert persoonsvelden(GesprekMetGezondheid) == {"verslag": KORT, "gezondheid": GEZONDHEID, "metadata.toelichting": KORT}
    assert doelbinding.afgeschermd_voor(Rol.DUO, GesprekMetGezondheid) == {"verslag", "gezondheid"}
    assert doelbinding.afgeschermd_voor(Rol.HANDHAVER, GesprekMetGezondheid) == {"gezondheid"}
    assert doelbinding.afgeschermd_voor(Rol.REGISSEUR, GesprekMetGezondheid) == set()
    assert doelbinding.bijzonder(GesprekMetGezondheid) == {"gezondheid"}


def test_a_reader_not_named_gets_nothing() -> None:
    # The beheerder keeps the application running; no declaration names it, so no fact's field reaches it.
    assert doelbinding.afgeschermd_voor(Rol.BEHEERDER, GesprekMetGezondheid) >= {"datum", "metadata", "verslag", "uren"}
    assert doelbinding.soort_afgeschermd_voor(Rol.BEHEERDER, GesprekMetGezondheid)
    assert doelbinding.toelichting_afgeschermd_voor(Rol.BEHEERDER) and doelbinding.toelichting_afgeschermd_voor(Rol.DUO)
    assert not doelbinding.toelichting_afgeschermd_voor(Rol.AUDITOR)


def test_forgetting_removes_what_the_declarations_call_personal_and_keeps_the_rest() -> None:
    traject = statushouder_met_pip()
    gesprek = GesprekMetGezondheid(originator_id=traject.id, originator_version=99, timestamp=traject.modified_on, datum=date(2025, 6, 2),
                      metadata=Metadata.van(door(), traject.gemeente), verslag="Goed gesprek", gezondheid="rugklachten", uren=3)
    kort = zonder(gesprek, {KORT})
    assert (kort.verslag, kort.gezondheid, kort.uren) == (VERWIJDERD, "rugklachten", 3)
    assert gesprek.verslag == "Goed gesprek"  # the fact as recorded is untouched


def test_special_category_data_are_read_by_the_regisseur_and_the_auditor_only() -> None:
    for soort in FEITSOORTEN:
        for naam, veld in velden(soort).items():
            if veld.bijzonder:
                assert veld.lezers <= REGISSEUR_EN_AUDITOR, f"{soort.__qualname__}.{naam}"


def test_every_kind_of_trajectory_fact_says_who_may_see_that_it_exists() -> None:
    verborgen = {soort.__qualname__ for soort in TRAJECTFEITEN if soort.SOORT_LEZERS != IEDEREEN}  # type: ignore[attr-defined]
    assert verborgen == {"Inburgeringstraject.LeerbaarheidstoetsOntheffingVerleend"}
    assert all(doelbinding.soort_afgeschermd_voor(Rol.DUO, s) == (s.__qualname__ in verborgen) for s in TRAJECTFEITEN)


def test_a_correction_carries_each_corrected_value_under_the_declaration_of_the_field_it_corrects() -> None:
    correctie = velden(Inburgeringstraject.FeitGecorrigeerd)["correcties"]
    for soort in TRAJECTFEITEN:
        for naam in getattr(soort, "CORRIGEERBAAR", {}):
            veld = velden(soort)[naam]
            verklaard = correctie.sleutels.get(naam, Veld(NIET_PERSOONLIJK, correctie.lezers))
            assert (verklaard.persoonsgegeven, verklaard.lezers) == (veld.persoonsgegeven, veld.lezers), f"{soort.__qualname__}.{naam}"
