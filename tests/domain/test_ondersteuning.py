"""Financieel ontzorgen, maatschappelijke begeleiding and tolkvoorziening."""

from datetime import date

import pytest

from domain import fouten
from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Verblijfsvergunning
from tests.builders import door, een_bsn, gezinsmigrant_met_pip


def gehuisveste_statushouder(vergunning: Verblijfsvergunning | None = Verblijfsvergunning.ASIEL_BEPAALDE_TIJD) -> Inburgeringstraject:
    """Housed in Dordrecht; with DUO's kennisgeving of `vergunning` unless it is None."""
    traject = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )
    if vergunning is not None:
        referent = None if vergunning is Verblijfsvergunning.ASIEL_BEPAALDE_TIJD else Verblijfsvergunning.ASIEL_BEPAALDE_TIJD
        traject.registreer_kennisgeving(datum=date(2025, 1, 20), verblijfsvergunning=vergunning, referent_verblijfsvergunning=referent, door=door())
    traject.registreer_huisvesting(datum=date(2025, 2, 3), gemeente=Gemeente.DORDRECHT, huisvestingsdatum=None, door=door())
    return traject


def test_ontzorgen_runs_six_months_from_the_right_to_bijstand() -> None:
    traject = gehuisveste_statushouder()
    traject.start_financieel_ontzorgen(datum=date(2025, 2, 28), vaste_lasten=["huur", "stroom", "zorgverzekering"], door=door())
    assert traject.ontzorgen_einde == date(2025, 8, 28)
    [deadline] = [d for d in traject.deadlines(date(2025, 8, 28)) if d.soort == "financieel-ontzorgen-einde"]
    assert (deadline.grondslag, deadline.status) == ("PW 56a", "open")
    [deadline] = [d for d in traject.deadlines(date(2025, 8, 29)) if d.soort == "financieel-ontzorgen-einde"]
    assert deadline.status == "verlopen"


def test_ontzorgen_and_begeleiding_are_for_statushouders_only() -> None:
    traject = gezinsmigrant_met_pip()
    with pytest.raises(fouten.AlleenAsielstatushoudersError):
        traject.start_financieel_ontzorgen(datum=date(2025, 3, 1), vaste_lasten=["huur"], door=door())
    with pytest.raises(fouten.AlleenAsielstatushoudersError):
        traject.start_maatschappelijke_begeleiding(datum=date(2025, 3, 1), uitvoerder="Vluchtelingenwerk", door=door())


def test_begeleiding_starts_at_the_brp_registration_and_ends_by_policy_after_15_months() -> None:
    traject = gehuisveste_statushouder()
    with pytest.raises(fouten.BegeleidingVoorInschrijvingError):
        traject.start_maatschappelijke_begeleiding(datum=date(2025, 2, 2), uitvoerder="Vluchtelingenwerk", door=door())
    traject.start_maatschappelijke_begeleiding(datum=date(2025, 2, 3), uitvoerder="Vluchtelingenwerk", door=door())
    assert traject.begeleiding_einde == date(2026, 5, 3)


def test_begeleiding_needs_a_brp_registration() -> None:
    traject = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )
    with pytest.raises(fouten.BegeleidingVoorInschrijvingError):
        traject.start_maatschappelijke_begeleiding(datum=date(2025, 2, 3), uitvoerder="Vluchtelingenwerk", door=door())


@pytest.mark.parametrize(
    "vergunning",
    [None, Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, Verblijfsvergunning.ASIEL_ONBEPAALDE_TIJD],
    ids=["permit not yet known", "family member with a regular permit", "permanent asylum permit"],
)
def test_ontzorgen_needs_an_asylum_permit_for_a_fixed_period(vergunning: Verblijfsvergunning | None) -> None:
    traject = gehuisveste_statushouder(vergunning)
    with pytest.raises(fouten.OntzorgenBuitenPw56aError):
        traject.start_financieel_ontzorgen(datum=date(2025, 2, 28), vaste_lasten=["huur"], door=door())
    assert traject.ontzorgen_start is None


def test_unknown_fixed_costs_are_refused_and_tolken_are_for_everyone() -> None:
    traject = gehuisveste_statushouder()
    with pytest.raises(fouten.OntzorgenBuitenPw56aError):
        traject.start_financieel_ontzorgen(datum=date(2025, 2, 28), vaste_lasten=["huur", "abonnement"], door=door())
    gezin = gezinsmigrant_met_pip()
    gezin.ken_tolkvoorziening_toe(datum=date(2025, 4, 1), taal="Tigrinya", doel="voortgangsgesprek", door=door())
    assert gezin.tolkvoorzieningen == 1
