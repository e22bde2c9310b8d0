"""A command is a call of one of the trajectory's methods, written down: refused where it is made when it
could not be carried out as written, and carried out as the method itself would be."""

from __future__ import annotations

from datetime import date

import pytest

from domain.commandos import Commando, Start
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente
from tests.builders import door, een_bsn


def test_a_command_missing_an_argument_of_its_method_is_refused_where_it_is_made() -> None:
    with pytest.raises(TypeError, match="datum"):
        Commando(Inburgeringstraject.registreer_diploma)


def test_a_command_with_an_argument_its_method_does_not_take_is_refused_naming_it() -> None:
    with pytest.raises(TypeError, match="uren"):
        Commando(Inburgeringstraject.registreer_diploma, datum=date(2025, 6, 1), uren=3)


def test_who_records_is_added_by_the_use_case_and_never_carried_by_the_command() -> None:
    with pytest.raises(TypeError, match="door"):
        Commando(Inburgeringstraject.registreer_diploma, datum=date(2025, 6, 1), door=door())


def test_a_command_calls_a_method_of_the_trajectory_and_nothing_else() -> None:
    def registreer_diploma(self: object, *, datum: date, door: object) -> None: ...

    with pytest.raises(TypeError, match="geen methode van het traject"):
        Commando(registreer_diploma, datum=date(2025, 6, 1))
    with pytest.raises(TypeError, match="start geen traject"):
        Start(Inburgeringstraject.registreer_diploma, datum=date(2025, 6, 1))


def test_a_command_is_a_value_that_cannot_be_changed_after_it_was_made() -> None:
    commando = Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 1, 7), regisseur="r1")
    assert commando == Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 1, 7), regisseur="r1")
    assert commando != Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 1, 7), regisseur="r2")
    with pytest.raises(AttributeError):
        commando.methode = Inburgeringstraject.registreer_diploma  # type: ignore[misc]
    with pytest.raises(TypeError):
        commando.argumenten["regisseur"] = "r2"  # type: ignore[index]


def test_a_start_and_a_command_are_carried_out_as_their_methods_with_the_method_defaults() -> None:
    start = Start(Inburgeringstraject.start_na_tvs_profiel, datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn())
    assert (start.gemeente, start.bsn) == (Gemeente.DORDRECHT, start.argumenten["bsn"])
    traject = start.starten(door(date(2025, 1, 6)))
    assert traject.gemeente is Gemeente.DORDRECHT and traject.startdatum == date(2025, 1, 6)

    Commando(Inburgeringstraject.wijs_regisseur_toe, datum=date(2025, 1, 7), regisseur="r1").uitvoeren(traject, door())
    [feit] = traject.collect_events()[-1:]
    assert isinstance(feit, Inburgeringstraject.RegisseurToegewezen) and feit.regisseur == "r1"
