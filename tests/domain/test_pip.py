"""The PIP: the offer per doelgroep, amendments, afschalen and carry-over of hours."""

from datetime import date

import pytest

from domain import fouten
from domain.traject import Aanbod, Inburgeringstraject, Uursoort
from domain.waarden import Gemeente, Leerroute, RedenRoutewijziging
from tests.builders import door, een_bsn, gezinsmigrant_met_pip, statushouder_met_pip


def uren(traject: Inburgeringstraject, soort: Uursoort, aantal: int, datum: date = date(2025, 5, 1)) -> None:
    traject.registreer_cursusuren(datum=datum, soort=soort, uren=aantal, fase="uitvoering", door=door())


def wijzig_pip(traject: Inburgeringstraject, aanbod: frozenset[Aanbod], datum: date = date(2025, 6, 1)) -> None:
    traject.wijzig_pip(
        datum=datum, leerroute_uren_per_week=None, pvt_uren=12, map_uren=40, aantal_voortgangsgesprekken=6,
        ondersteuning="x", aanbod=aanbod, reden="meer gesprekken", door=door(),
    )


def test_a_gezinsmigrant_pip_cannot_offer_what_only_statushouders_get() -> None:
    traject = gezinsmigrant_met_pip()
    for aanbod in (Aanbod.FINANCIEEL_ONTZORGEN, Aanbod.MAATSCHAPPELIJKE_BEGELEIDING, Aanbod.ALFABETISERING, Aanbod.LEERROUTE_AANBOD):
        with pytest.raises(fouten.AanbodAlleenAsielstatushoudersError):
            wijzig_pip(traject, frozenset({aanbod, Aanbod.PVT}))
    wijzig_pip(traject, frozenset({Aanbod.PVT, Aanbod.MAP}))
    assert traject.pip_aanbod == {"pvt", "map"}


def test_a_statushouder_pip_offers_the_whole_table() -> None:
    traject = statushouder_met_pip()
    wijzig_pip(traject, frozenset(Aanbod))
    assert traject.pip_aanbod == {a.value for a in Aanbod}


def test_amending_the_pip_does_not_move_the_termijn() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    wijzig_pip(traject, frozenset(), datum=date(2026, 1, 5))
    assert (traject.termijn_start, traject.termijn_einde) == (date(2025, 3, 2), date(2028, 3, 2))
    assert traject.aantal_voortgangsgesprekken == 6


def test_no_pip_amendment_before_a_pip() -> None:
    traject = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )
    with pytest.raises(fouten.PipOntbreektError):
        wijzig_pip(traject, frozenset())


def test_afschalen_needs_600_hours_nt2() -> None:
    traject = statushouder_met_pip()
    uren(traject, Uursoort.NT2, 500)
    uren(traject, Uursoort.ALFABETISERING, 99)
    with pytest.raises(fouten.AfschalenNietMogelijkError):
        traject.schaal_af_naar_a2(datum=date(2025, 9, 1), motivering="Alle lessen gevolgd.", door=door())
    uren(traject, Uursoort.NT2, 1, date(2025, 8, 31))
    traject.schaal_af_naar_a2(datum=date(2025, 9, 1), motivering="Alle lessen gevolgd.", door=door())
    assert traject.afgeschaald_naar_a2 == date(2025, 9, 1)


def test_afschalen_is_for_the_b1_route_and_needs_a_motivation() -> None:
    traject = statushouder_met_pip(leerroute=Leerroute.Z_ROUTE)
    uren(traject, Uursoort.NT2, 700)
    with pytest.raises(fouten.AfschalenNietMogelijkError):
        traject.schaal_af_naar_a2(datum=date(2025, 9, 1), motivering="x", door=door())
    b1 = statushouder_met_pip()
    uren(b1, Uursoort.NT2, 700)
    with pytest.raises(fouten.AfschalenNietMogelijkError):
        b1.schaal_af_naar_a2(datum=date(2025, 9, 1), motivering="  ", door=door())


def test_a_route_change_carries_the_course_hours_over() -> None:
    traject = statushouder_met_pip()
    uren(traject, Uursoort.NT2, 300)
    uren(traject, Uursoort.KNM, 40)
    uren(traject, Uursoort.PVT, 12)
    traject.wijzig_leerroute(datum=date(2025, 9, 1), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT, toelichting="x", door=door())
    [wijziging] = [e for e in traject.collect_events() if isinstance(e, Inburgeringstraject.LeerrouteGewijzigd)]
    assert wijziging.meegenomen_uren == 340


def test_a_version_1_pip_and_route_change_are_upcast() -> None:
    pip_v1: dict[str, object] = {"leerroute": "b1"}
    Inburgeringstraject.PipVastgesteld.upcast_v1_v2(pip_v1)
    wijziging_v1: dict[str, object] = {"naar": "z_route"}
    Inburgeringstraject.LeerrouteGewijzigd.upcast_v1_v2(wijziging_v1)
    assert (pip_v1["aanbod"], wijziging_v1["meegenomen_uren"]) == ([], 0)


def test_the_route_change_window_asks_nothing_once_the_policy_allows_no_more_changes() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    [venster] = [d for d in traject.deadlines(date(2025, 9, 1)) if d.soort == "routewijziging-venster"]
    assert venster.status == "open"
    traject.wijzig_leerroute(datum=date(2025, 9, 1), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT, toelichting="x", door=door())
    [venster] = [d for d in traject.deadlines(date(2025, 9, 2)) if d.soort == "routewijziging-venster"]
    assert (venster.status, venster.uiterlijk) == ("voldaan", date(2026, 9, 2))


def test_a_lawful_route_change_after_the_window_meets_it() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1), Leerroute.ONDERWIJSROUTE)  # window to 2026-09-02
    traject.wijzig_leerroute(datum=date(2026, 10, 1), naar=Leerroute.B1, reden=RedenRoutewijziging.VOORTGANG_HOGER_DAN_VERWACHT,
                             toelichting="x", door=door(vandaag=date(2026, 10, 1)))
    [venster] = [d for d in traject.deadlines(date(2026, 10, 2)) if d.soort == "routewijziging-venster"]
    assert (venster.status, venster.uiterlijk) == ("voldaan", date(2026, 9, 2))
