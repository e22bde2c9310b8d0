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


# -- the BRP-inschrijving signal: no statushouder waits unseen for housing ----------------------

BRP_GRONDSLAG = "SDD beleid (huisvesting na koppeling), Bi 5.3(1)"


def brp_deadlines(traject: Inburgeringstraject, vandaag: date) -> list[tuple[str, date, str, str]]:
    return [(d.soort, d.uiterlijk, d.grondslag, d.status) for d in traject.deadlines(vandaag) if d.soort.startswith("brp-inschrijving")]


def test_a_statushouder_not_yet_registered_is_signalled_twelve_weeks_after_the_tvs_profiel() -> None:
    # Given COA's TVS-profiel of 2025-01-06 and no BRP-inschrijving: no PIP date runs yet
    traject = statushouder()
    assert traject.pip_uiterste_datum is None
    # Then the inschrijving is expected by 2025-03-31 (policy: 12 weeks after the koppeling), open that day, overdue the next
    assert brp_deadlines(traject, date(2025, 3, 31)) == [("brp-inschrijving-na-tvs-profiel", date(2025, 3, 31), BRP_GRONDSLAG, "open")]
    assert brp_deadlines(traject, date(2025, 4, 1)) == [("brp-inschrijving-na-tvs-profiel", date(2025, 3, 31), BRP_GRONDSLAG, "verlopen")]
    assert ("brp-inschrijving-na-tvs-profiel", date(2025, 3, 31), BRP_GRONDSLAG, None) in traject.open_termijnen()


def test_a_statushouder_known_from_duos_kennisgeving_is_signalled_from_the_kennisgeving() -> None:
    # Given a nareiziger: DUO's kennisgeving of 2025-01-06 with the referent's asylum permit, no TVS-profiel
    traject = Inburgeringstraject.start_na_kennisgeving(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(), verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD,
        referent_verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD, door=door(),
    )
    # Then the signal runs from the kennisgeving and names it
    assert brp_deadlines(traject, date(2025, 2, 1)) == [("brp-inschrijving-na-kennisgeving", date(2025, 3, 31), BRP_GRONDSLAG, "open")]


def test_the_registration_meets_the_signal_and_the_pip_date_takes_over() -> None:
    # Given a statushouder whose signal fell due on 2025-03-31
    traject = statushouder()
    traject.registreer_kennisgeving(datum=date(2025, 1, 20), verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD, door=door())
    # When the BRP-inschrijving is recorded a week late
    traject.registreer_huisvesting(datum=date(2025, 4, 7), gemeente=Gemeente.DORDRECHT, door=door())
    # Then the signal is met (late, as the history shows) and no longer open; the PIP is due 10 weeks after the inschrijving
    assert brp_deadlines(traject, date(2025, 4, 8)) == [("brp-inschrijving-na-tvs-profiel", date(2025, 3, 31), BRP_GRONDSLAG, "te_laat_voldaan")]
    assert [(soort, uiterlijk) for soort, uiterlijk, _, _ in traject.open_termijnen() if soort.startswith(("brp", "pip"))] == [
        ("pip-vaststelling", date(2025, 6, 16))
    ]


def test_a_gezinsmigrant_gets_no_brp_signal_as_the_kennisgeving_starts_the_pip_date() -> None:
    # Given a gezinsmigrant without a recorded BRP-inschrijving
    traject = gezinsmigrant()
    # Then the PIP date runs and nothing about the inschrijving is expected
    assert traject.pip_uiterste_datum == date(2025, 3, 17)
    assert brp_deadlines(traject, date(2025, 6, 1)) == []
