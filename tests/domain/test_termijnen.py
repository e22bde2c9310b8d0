"""Legal dates (digest decisions 1 and 2), with their boundaries."""

from datetime import date

from domain import termijnen
from domain.waarden import Doelgroep


def test_pip_is_due_ten_weeks_after_the_kennisgeving_for_a_gezinsmigrant() -> None:
    assert termijnen.pip_uiterste_datum(Doelgroep.GEZINS_OVERIGE_MIGRANT, date(2025, 2, 3), None) == date(2025, 4, 14)


def test_pip_clock_waits_for_brp_registration_of_a_statushouder() -> None:
    assert termijnen.pip_uiterste_datum(Doelgroep.ASIELSTATUSHOUDER, date(2025, 2, 3), None) is None


def test_pip_is_due_ten_weeks_after_a_later_brp_registration() -> None:
    # Not yet registered on the day of the kennisgeving: the registration starts the clock (Bi 5.3(1)).
    uiterste = termijnen.pip_uiterste_datum(Doelgroep.ASIELSTATUSHOUDER, date(2025, 2, 3), date(2025, 3, 3))
    assert uiterste == date(2025, 5, 12)


def test_pip_is_due_ten_weeks_after_the_kennisgeving_when_already_registered() -> None:
    uiterste = termijnen.pip_uiterste_datum(Doelgroep.ASIELSTATUSHOUDER, date(2025, 2, 3), date(2025, 1, 10))
    assert uiterste == date(2025, 4, 14)


def test_no_pip_clock_without_a_kennisgeving() -> None:
    assert termijnen.pip_uiterste_datum(Doelgroep.GEZINS_OVERIGE_MIGRANT, None, date(2025, 1, 10)) is None


def test_termijn_starts_the_day_after_the_dagtekening_and_runs_three_years() -> None:
    start = termijnen.termijn_start(date(2025, 3, 31))
    assert start == date(2025, 4, 1)
    assert termijnen.termijn_einde(start) == date(2028, 4, 1)


def test_termijn_that_starts_on_a_leap_day_ends_on_the_last_day_of_february() -> None:
    assert termijnen.termijn_einde(date(2024, 2, 29)) == date(2027, 2, 28)


def test_route_change_window_is_eighteen_months_from_the_start() -> None:
    assert termijnen.routewijziging_uiterste_datum(date(2025, 3, 2)) == date(2026, 9, 2)
    assert termijnen.routewijziging_uiterste_datum(date(2025, 8, 31)) == date(2027, 2, 28)


def test_months_can_be_counted_back() -> None:
    assert termijnen.plus_maanden(date(2026, 3, 31), -12) == date(2025, 3, 31)
    assert termijnen.plus_maanden(date(2026, 1, 15), -1) == date(2025, 12, 15)
