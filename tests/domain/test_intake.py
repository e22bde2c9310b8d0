"""From COA and DUO to the brede intake: oproepen, intake in afwezigheid, statushouder-only steps."""

from datetime import date

import pytest

from domain import fouten
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Leerroute, Verblijfsvergunning
from tests.builders import door, een_bsn


def statushouder() -> Inburgeringstraject:
    return Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )


def gezinsmigrant() -> Inburgeringstraject:
    return Inburgeringstraject.start_na_kennisgeving(
        datum=date(2025, 1, 6), gemeente=Gemeente.ZWIJNDRECHT, bsn=een_bsn(),
        verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door(),
    )


def oproep(traject: Inburgeringstraject, datum: date, uiterlijk: date, waarschuwing: bool = True) -> None:
    traject.verzend_intake_oproep(datum=datum, uiterlijk=uiterlijk, schriftelijke_waarschuwing=waarschuwing, door=door())


def drie_oproepen(traject: Inburgeringstraject) -> None:
    oproep(traject, date(2025, 2, 1), date(2025, 2, 14), waarschuwing=False)
    oproep(traject, date(2025, 2, 15), date(2025, 2, 28))
    oproep(traject, date(2025, 3, 1), date(2025, 3, 14))


def test_a_repeated_oproep_needs_a_written_warning() -> None:
    traject = gezinsmigrant()
    oproep(traject, date(2025, 2, 1), date(2025, 2, 14), waarschuwing=False)
    with pytest.raises(fouten.BredeIntakeOproepError):
        oproep(traject, date(2025, 2, 15), date(2025, 2, 28), waarschuwing=False)


def test_a_repeated_oproep_waits_until_the_previous_term_has_passed() -> None:
    traject = gezinsmigrant()
    oproep(traject, date(2025, 2, 1), date(2025, 2, 14), waarschuwing=False)
    with pytest.raises(fouten.BredeIntakeOproepError):
        oproep(traject, date(2025, 2, 14), date(2025, 2, 28))
    oproep(traject, date(2025, 2, 15), date(2025, 2, 28))
    assert [o.volgnummer for o in traject.oproepen] == [1, 2]


def test_there_are_at_most_three_oproepen() -> None:
    traject = gezinsmigrant()
    drie_oproepen(traject)
    with pytest.raises(fouten.BredeIntakeOproepError):
        oproep(traject, date(2025, 3, 15), date(2025, 3, 28))


def test_intake_in_afwezigheid_only_after_the_third_term_has_passed() -> None:
    traject = gezinsmigrant()
    oproep(traject, date(2025, 2, 1), date(2025, 2, 14), waarschuwing=False)
    oproep(traject, date(2025, 2, 15), date(2025, 2, 28))
    with pytest.raises(fouten.IntakeInAfwezigheidTeVroegError):
        traject.voltooi_intake_in_afwezigheid(datum=date(2025, 3, 20), verslag="x", door=door())
    oproep(traject, date(2025, 3, 1), date(2025, 3, 14))
    with pytest.raises(fouten.IntakeInAfwezigheidTeVroegError):
        traject.voltooi_intake_in_afwezigheid(datum=date(2025, 3, 14), verslag="x", door=door())
    traject.voltooi_intake_in_afwezigheid(datum=date(2025, 3, 15), verslag="Niet verschenen.", door=door())
    assert (traject.brede_intake_datum, traject.intake_in_afwezigheid) == (date(2025, 3, 15), True)


def test_no_oproep_after_the_intake() -> None:
    traject = gezinsmigrant()
    traject.houd_brede_intake(datum=date(2025, 2, 1), onderwerpen={}, gezondheid={}, leerbaarheidstoets_advies=None, door=door())
    with pytest.raises(fouten.BredeIntakeAlGehoudenError):
        oproep(traject, date(2025, 2, 2), date(2025, 2, 14), waarschuwing=False)


def test_coa_overdracht_kennismaking_and_welkomstprogramma_are_for_statushouders_only() -> None:
    traject = gezinsmigrant()
    with pytest.raises(fouten.AlleenAsielstatushoudersError):
        traject.registreer_coa_warme_overdracht(datum=date(2025, 1, 10), verslag="x", tolk_aanwezig=True, door=door())
    with pytest.raises(fouten.AlleenAsielstatushoudersError):
        traject.registreer_kennismakingsgesprek(datum=date(2025, 1, 10), verslag="x", door=door())
    with pytest.raises(fouten.AlleenAsielstatushoudersError):
        traject.start_welkomstprogramma(datum=date(2025, 2, 10), door=door())


def test_welkomstprogramma_runs_between_intake_and_pip() -> None:
    traject = statushouder()
    with pytest.raises(fouten.WelkomstprogrammaBuitenPeriodeError):
        traject.start_welkomstprogramma(datum=date(2025, 1, 20), door=door())
    traject.houd_brede_intake(datum=date(2025, 2, 1), onderwerpen={}, gezondheid={}, leerbaarheidstoets_advies=None, door=door())
    with pytest.raises(fouten.DatumVoorVorigeStapError):
        traject.start_welkomstprogramma(datum=date(2025, 1, 31), door=door())
    traject.start_welkomstprogramma(datum=date(2025, 2, 1), door=door())
    assert traject.welkomstprogramma == date(2025, 2, 1)


def test_the_leerbaarheidstoets_is_taken_or_exempted_once() -> None:
    traject = statushouder()
    traject.registreer_leerbaarheidstoets(datum=date(2025, 1, 20), haalbaar_niveau="A2", advies_leerroute=Leerroute.Z_ROUTE, door=door())
    assert traject.leerroute_advies is Leerroute.Z_ROUTE
    with pytest.raises(fouten.AlVastgelegdError):
        traject.verleen_leerbaarheidstoets_ontheffing(datum=date(2025, 1, 21), grond="visuele_beperking", door=door())


def test_coa_overdracht_is_recorded_once() -> None:
    traject = statushouder()
    traject.registreer_coa_warme_overdracht(datum=date(2025, 1, 10), verslag="3-gesprek", tolk_aanwezig=True, door=door())
    with pytest.raises(fouten.AlVastgelegdError):
        traject.registreer_coa_warme_overdracht(datum=date(2025, 1, 11), verslag="x", tolk_aanwezig=False, door=door())
