"""Legal dates computed from recorded facts (digest, product decisions 1 and 2).

Every date here is the last day on which something is still on time, and that day itself counts.
"Within ten weeks after X" gives X + 10 weeks. For the inburgeringstermijn the digest prescribes
start + 3 years (section 6); we show that date. Counting a period of three years from and including
its first day would end one day earlier; DUO's own end date, once DUO sets one, replaces ours
(Bi 9.3(3)). Which reading DUO uses for the first end date is for SDD's jurist to confirm.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from domain.waarden import Doelgroep

PIP_TERMIJN = timedelta(weeks=10)  # Bi 5.3(1)
INBURGERINGSTERMIJN_MAANDEN = 36  # Wi 11(1)
ROUTEWIJZIGING_VENSTER_MAANDEN = 18  # Bi 5.4(1)


def plus_maanden(dag: date, maanden: int) -> date:
    """The same day `maanden` months later; the last day of the month when it has no such day."""
    jaar, maand = divmod(dag.month - 1 + maanden, 12)
    jaar += dag.year
    maand += 1
    return date(jaar, maand, min(dag.day, calendar.monthrange(jaar, maand)[1]))


def pip_uiterste_datum(
    doelgroep: Doelgroep, kennisgeving: date | None, brp_inschrijving: date | None
) -> date | None:
    """Ten weeks after DUO's kennisgeving or, for an asylum-permit holder not yet registered in
    the housing gemeente on that day, ten weeks after that registration (Bi 5.3(1)).

    None while the clock has not started: no kennisgeving yet, or a statushouder not yet registered.
    """
    if kennisgeving is None:
        return None
    if doelgroep is Doelgroep.GEZINS_OVERIGE_MIGRANT:
        return kennisgeving + PIP_TERMIJN
    if brp_inschrijving is None:
        return None
    return max(kennisgeving, brp_inschrijving) + PIP_TERMIJN


def termijn_start(pip_dagtekening: date) -> date:
    """The inburgeringstermijn starts the day after the PIP's dagtekening (Wi 11(2))."""
    return pip_dagtekening + timedelta(days=1)


def termijn_einde(start: date) -> date:
    """Three years from the start of the termijn (Wi 11(1))."""
    return plus_maanden(start, INBURGERINGSTERMIJN_MAANDEN)


def routewijziging_uiterste_datum(start: date) -> date:
    """The last day the college may set another leerroute: 18 months into the termijn (Bi 5.4(1))."""
    return plus_maanden(start, ROUTEWIJZIGING_VENSTER_MAANDEN)
