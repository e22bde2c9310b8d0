"""The Inburgeringstraject aggregate: every rule of this slice, with its boundary dates."""

from datetime import date, timedelta

import pytest

from domain import fouten
from domain.traject import Inburgeringstraject, doelgroep_volgens_vergunning
from domain.waarden import (
    Doelgroep,
    Gemeente,
    Leerroute,
    RedenRoutewijziging,
    Verblijfsvergunning,
)
from tests.builders import door, een_bsn, gezinsmigrant_met_pip, statushouder_met_pip


def tvs_traject() -> Inburgeringstraject:
    return Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=2, land_van_herkomst="Syrië", taal="Arabisch", door=door(),
    )


def kennisgeving(traject: Inburgeringstraject, datum: date = date(2025, 1, 20)) -> None:
    traject.registreer_kennisgeving(
        datum=datum, verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door()
    )


def intake(traject: Inburgeringstraject, datum: date = date(2025, 2, 10)) -> None:
    traject.houd_brede_intake(
        datum=datum, onderwerpen={"taalniveau": "A1"}, gezondheid={"mentaleGezondheid": "..."},
        leerbaarheidstoets_advies=Leerroute.B1, door=door(),
    )


def pip(traject: Inburgeringstraject, dagtekening: date = date(2025, 3, 1), **anders: object) -> None:
    waarden: dict[str, object] = dict(
        dagtekening=dagtekening, leerroute=Leerroute.B1, leerroute_uren_per_week=None, pvt_uren=12, map_uren=40,
        aantal_voortgangsgesprekken=4, ondersteuning="begeleiding", aanbod=frozenset(), door=door(),
    )
    traject.stel_pip_vast(**(waarden | anders))  # type: ignore[arg-type]


def gemist(traject: Inburgeringstraject, datum: date = date(2025, 5, 1), geldige_reden: bool = False) -> None:
    traject.registreer_voortgangsgesprek(datum=datum, gevoerd=False, geldige_reden=geldige_reden, verslag="Niet gekomen.", door=door())


# -- start and doelgroep -------------------------------------------------------------------------


def test_a_tvs_profiel_starts_a_statushouder_trajectory_with_a_random_id() -> None:
    eerste, tweede = tvs_traject(), tvs_traject()
    assert eerste.doelgroep is Doelgroep.ASIELSTATUSHOUDER
    assert [type(e).__name__ for e in eerste.collect_events()] == ["Created", "TvsProfielOntvangen"]
    assert eerste.id != tweede.id and eerste.id.version == 4


def test_a_family_member_of_an_asylum_permit_holder_is_a_statushouder() -> None:
    # Digest decision 3: Wi 13(1)(b), whatever the own (regular) permit.
    assert doelgroep_volgens_vergunning(
        Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, Verblijfsvergunning.ASIEL_ONBEPAALDE_TIJD
    ) is Doelgroep.ASIELSTATUSHOUDER
    assert doelgroep_volgens_vergunning(Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, None) is Doelgroep.GEZINS_OVERIGE_MIGRANT


def test_a_kennisgeving_that_contradicts_the_doelgroep_is_refused() -> None:
    traject = tvs_traject()
    with pytest.raises(fouten.DoelgroepTegenstrijdigError):
        traject.registreer_kennisgeving(
            datum=date(2025, 1, 20), verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD,
            referent_verblijfsvergunning=None, door=door(),
        )


def test_a_second_kennisgeving_is_refused() -> None:
    traject = tvs_traject()
    kennisgeving(traject)
    with pytest.raises(fouten.InburgeringsplichtAlVastgesteldError):
        kennisgeving(traject, date(2025, 1, 21))


def test_a_fact_may_take_effect_today_but_not_tomorrow() -> None:
    traject = tvs_traject()
    vandaag = door().vandaag
    with pytest.raises(fouten.DatumInDeToekomstError):
        kennisgeving(traject, vandaag + timedelta(days=1))
    kennisgeving(traject, vandaag)
    assert traject.kennisgevingsdatum == vandaag


# -- huisvesting and brede intake ----------------------------------------------------------------


def test_huisvesting_in_another_gemeente_is_refused() -> None:
    traject = tvs_traject()
    with pytest.raises(fouten.HuisvestingAndereGemeenteError):
        traject.registreer_huisvesting(datum=date(2025, 2, 1), gemeente=Gemeente.PAPENDRECHT, huisvestingsdatum=None, door=door())


def test_huisvesting_starts_the_pip_clock_and_the_intake_signal() -> None:
    traject = tvs_traject()
    kennisgeving(traject, date(2025, 1, 20))
    traject.registreer_huisvesting(
        datum=date(2025, 2, 3), gemeente=Gemeente.DORDRECHT, huisvestingsdatum=date(2025, 1, 31), door=door()
    )
    assert traject.pip_uiterste_datum == date(2025, 4, 14)
    assert traject.intake_signaaldatum == date(2025, 4, 11)
    with pytest.raises(fouten.HuisvestingAlGeregistreerdError):
        traject.registreer_huisvesting(datum=date(2025, 2, 4), gemeente=Gemeente.DORDRECHT, huisvestingsdatum=None, door=door())


def test_the_brede_intake_is_held_once() -> None:
    traject = tvs_traject()
    intake(traject)
    with pytest.raises(fouten.BredeIntakeAlGehoudenError):
        intake(traject, date(2025, 2, 11))


def test_the_brede_intake_cannot_precede_the_start() -> None:
    traject = tvs_traject()
    with pytest.raises(fouten.DatumVoorVorigeStapError):
        intake(traject, date(2025, 1, 5))


# -- PIP -----------------------------------------------------------------------------------------


def test_no_pip_before_a_brede_intake() -> None:
    traject = tvs_traject()
    kennisgeving(traject)
    with pytest.raises(fouten.BredeIntakeOntbreektError):
        pip(traject)


def test_no_pip_without_duo_kennisgeving() -> None:
    traject = tvs_traject()
    intake(traject)
    with pytest.raises(fouten.InburgeringsplichtOnbekendError):
        pip(traject)


def test_pip_dagtekening_before_the_intake_is_refused() -> None:
    traject = tvs_traject()
    kennisgeving(traject)
    intake(traject, date(2025, 2, 10))
    with pytest.raises(fouten.DatumVoorVorigeStapError):
        pip(traject, date(2025, 2, 9))
    pip(traject, date(2025, 2, 10))
    assert traject.termijn_start == date(2025, 2, 11)


def test_pip_sets_the_termijn_and_the_route_change_window() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    assert (traject.termijn_start, traject.termijn_einde) == (date(2025, 3, 2), date(2028, 3, 2))
    assert traject.routewijziging_uiterste_datum == date(2026, 9, 2)


def test_a_second_pip_vaststelling_is_refused() -> None:
    traject = statushouder_met_pip()
    with pytest.raises(fouten.PipAlVastgesteldError):
        pip(traject, date(2025, 4, 1))


def test_leerroute_intensity_is_set_for_statushouders_only() -> None:
    traject = Inburgeringstraject.start_na_kennisgeving(
        datum=date(2025, 1, 6), gemeente=Gemeente.ZWIJNDRECHT, bsn=een_bsn(),
        verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door(),
    )
    intake(traject)
    with pytest.raises(fouten.LeerrouteIntensiteitNietVoorGezinsmigrantError):
        pip(traject, leerroute_uren_per_week=10)


def test_the_onderwijsroute_has_no_map() -> None:
    traject = tvs_traject()
    kennisgeving(traject)
    intake(traject)
    with pytest.raises(fouten.GeenMapInOnderwijsrouteError):
        pip(traject, leerroute=Leerroute.ONDERWIJSROUTE, map_uren=40)


# -- route change --------------------------------------------------------------------------------


def test_no_route_change_before_a_pip() -> None:
    traject = tvs_traject()
    with pytest.raises(fouten.PipOntbreektError):
        traject.wijzig_leerroute(datum=date(2025, 3, 1), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT, toelichting="x", door=door())


def test_route_change_on_the_last_day_of_the_window_is_allowed() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    traject.wijzig_leerroute(datum=date(2026, 9, 2), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT, toelichting="x", door=door(date(2026, 9, 2)))
    assert traject.leerroute is Leerroute.Z_ROUTE


def test_route_change_the_day_after_the_window_is_refused() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    with pytest.raises(fouten.RoutewijzigingNaVensterError):
        traject.wijzig_leerroute(datum=date(2026, 9, 3), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT, toelichting="x", door=door(date(2026, 9, 3)))


def test_onderwijsroute_to_b1_is_allowed_after_the_window() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1), Leerroute.ONDERWIJSROUTE)
    traject.wijzig_leerroute(datum=date(2027, 1, 4), naar=Leerroute.B1, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT, toelichting="x", door=door(date(2027, 1, 4)))
    assert traject.leerroute is Leerroute.B1


def test_a_recorded_bijzonder_geval_allows_a_change_after_the_window() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    traject.wijzig_leerroute(datum=date(2027, 1, 4), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.BIJZONDER_GEVAL, toelichting="ernstige ziekte", door=door(date(2027, 1, 4)))
    assert traject.routewijzigingen == 1


def test_a_second_route_change_is_refused_under_the_default_policy() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    traject.wijzig_leerroute(datum=date(2025, 9, 1), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT, toelichting="x", door=door())
    with pytest.raises(fouten.MaximumRoutewijzigingenError):
        traject.wijzig_leerroute(datum=date(2025, 10, 1), naar=Leerroute.B1, reden=RedenRoutewijziging.VOORTGANG_HOGER_DAN_VERWACHT, toelichting="x", door=door())


def test_changing_to_the_same_route_is_refused() -> None:
    traject = statushouder_met_pip()
    with pytest.raises(fouten.LeerrouteOngewijzigdError):
        traject.wijzig_leerroute(datum=date(2025, 9, 1), naar=Leerroute.B1, reden=RedenRoutewijziging.BIJZONDER_GEVAL, toelichting="x", door=door())


# -- voortgangsgesprekken ------------------------------------------------------------------------


def test_no_voortgangsgesprek_before_the_pip() -> None:
    traject = tvs_traject()
    with pytest.raises(fouten.PipOntbreektError):
        gemist(traject)


def test_a_missed_gesprek_keeps_its_verslag() -> None:
    traject = statushouder_met_pip()
    gemist(traject, geldige_reden=True)
    [laatste] = traject.collect_events()[-1:]
    assert isinstance(laatste, Inburgeringstraject.VoortgangsgesprekGemist)
    assert (laatste.verslag, laatste.geldige_reden) == ("Niet gekomen.", True)


# -- replay --------------------------------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_same_state() -> None:
    traject = gezinsmigrant_met_pip()
    gemist(traject)
    events = traject.collect_events()
    herbouwd = None
    for event in events:
        herbouwd = event.mutate(herbouwd)
    assert isinstance(herbouwd, Inburgeringstraject)
    assert vars(herbouwd) == vars(traject)
