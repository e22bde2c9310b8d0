"""Uitvoering to afronding: hours, PVT, MAP, exams, diploma or certificaat, and what closing means."""

from datetime import date

import pytest

from domain import fouten
from domain.traject import Inburgeringstraject, MapThema, Status, Uursoort
from domain.waarden import Leerroute, RedenRoutewijziging
from tests.builders import door, gezinsmigrant_met_pip, statushouder_met_pip


def uren(traject: Inburgeringstraject, soort: Uursoort, aantal: int, datum: date = date(2025, 5, 1), fase: str = "uitvoering") -> None:
    traject.registreer_cursusuren(datum=datum, soort=soort, uren=aantal, fase=fase, door=door())


def map_afgerond(traject: Inburgeringstraject) -> None:
    for thema in MapThema:
        traject.rond_map_thema_af(datum=date(2025, 10, 1), thema=thema, door=door())
    traject.voer_map_eindgesprek(datum=date(2025, 10, 2), verslag="Klaar voor werk.", door=door())


def pvt_afgerond(traject: Inburgeringstraject) -> None:
    uren(traject, Uursoort.PVT, 12)
    traject.onderteken_participatieverklaring(datum=date(2025, 6, 1), door=door())


def test_hours_count_in_the_brede_intake_or_from_the_pip() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    uren(traject, Uursoort.NT2, 20, date(2025, 3, 1), fase="brede_intake")
    with pytest.raises(fouten.CursusurenBuitenFaseError):
        uren(traject, Uursoort.NT2, 20, date(2025, 3, 2), fase="brede_intake")
    with pytest.raises(fouten.DatumVoorVorigeStapError):
        uren(traject, Uursoort.NT2, 20, date(2025, 2, 28))
    uren(traject, Uursoort.NT2, 30, date(2025, 3, 1))
    assert traject.uren.van("nt2") == 50


def test_the_participatieverklaring_is_signed_after_twelve_hours_pvt() -> None:
    traject = gezinsmigrant_met_pip()
    uren(traject, Uursoort.PVT, 11)
    with pytest.raises(fouten.PvtUrenOnvoldoendeError):
        traject.onderteken_participatieverklaring(datum=date(2025, 6, 1), door=door())
    uren(traject, Uursoort.PVT, 1)
    traject.onderteken_participatieverklaring(datum=date(2025, 6, 1), door=door())
    assert traject.participatieverklaring == date(2025, 6, 1)


def test_the_map_eindgesprek_follows_all_eight_themes() -> None:
    traject = gezinsmigrant_met_pip()
    for thema in list(MapThema)[:-1]:
        traject.rond_map_thema_af(datum=date(2025, 10, 1), thema=thema, door=door())
    with pytest.raises(fouten.MapNietAfgerondError, match="werkcultuur"):
        traject.voer_map_eindgesprek(datum=date(2025, 10, 2), verslag="x", door=door())
    traject.rond_map_thema_af(datum=date(2025, 10, 1), thema=MapThema.WERKCULTUUR, door=door())
    traject.voer_map_eindgesprek(datum=date(2025, 10, 2), verslag="x", door=door())


def test_the_onderwijsroute_has_no_map_module() -> None:
    traject = statushouder_met_pip(leerroute=Leerroute.ONDERWIJSROUTE)
    with pytest.raises(fouten.MapNietAfgerondError):
        traject.rond_map_thema_af(datum=date(2025, 10, 1), thema=MapThema.WERK_VINDEN, door=door())


def test_a_diploma_closes_the_b1_route_and_a_certificaat_the_z_route() -> None:
    z_route = statushouder_met_pip(leerroute=Leerroute.Z_ROUTE)
    with pytest.raises(fouten.VerkeerdeLeerrouteError):
        z_route.registreer_diploma(datum=date(2026, 1, 5), door=door())
    with pytest.raises(fouten.VerkeerdeLeerrouteError):
        z_route.registreer_certificaat(datum=date(2026, 1, 5), door=door())  # not before the eindgesprek
    b1 = statushouder_met_pip()
    with pytest.raises(fouten.VerkeerdeLeerrouteError):
        b1.voer_z_route_eindgesprek(datum=date(2026, 1, 5), verslag="x", door=door())


def test_the_z_route_eindgesprek_needs_800_hours_les_and_for_statushouders_800_participatie() -> None:
    traject = statushouder_met_pip(leerroute=Leerroute.Z_ROUTE)
    uren(traject, Uursoort.NT2, 700)
    uren(traject, Uursoort.KNM, 100)
    uren(traject, Uursoort.PARTICIPATIE, 748)
    uren(traject, Uursoort.PVT, 12)
    uren(traject, Uursoort.MAP, 39)
    with pytest.raises(fouten.ZRouteUrenOnvoldoendeError):
        traject.voer_z_route_eindgesprek(datum=date(2026, 1, 5), verslag="x", door=door())
    uren(traject, Uursoort.MAP, 1)  # PVT and MAP hours count towards participatie (Bi 3.14(5))
    traject.voer_z_route_eindgesprek(datum=date(2026, 1, 5), verslag="x", door=door())
    traject.registreer_certificaat(datum=date(2026, 2, 1), door=door())
    assert traject.certificaat == date(2026, 2, 1)


def test_a_gezinsmigrant_z_route_needs_no_participation_hours() -> None:
    traject = gezinsmigrant_met_pip()
    traject.wijzig_leerroute(datum=date(2025, 6, 1), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT, toelichting="x", door=door())
    uren(traject, Uursoort.NT2, 800)
    traject.voer_z_route_eindgesprek(datum=date(2026, 1, 5), verslag="x", door=door())
    assert traject.z_route_eindgesprek == date(2026, 1, 5)


def test_afronding_needs_pvt_map_and_a_diploma() -> None:
    traject = statushouder_met_pip()
    with pytest.raises(fouten.PlichtNietVoldaanError, match="participatieverklaring, MAP-eindgesprek, diploma of certificaat"):
        traject.stel_plicht_voldaan_vast(datum=date(2026, 3, 1), door=door())
    pvt_afgerond(traject)
    map_afgerond(traject)
    traject.registreer_diploma(datum=date(2026, 2, 1), door=door())
    traject.stel_plicht_voldaan_vast(datum=date(2026, 3, 1), door=door())
    assert (traject.status, traject.einddatum) == (Status.AFGEROND, date(2026, 3, 1))


def test_the_onderwijsroute_is_voldaan_without_map() -> None:
    traject = statushouder_met_pip(leerroute=Leerroute.ONDERWIJSROUTE)
    pvt_afgerond(traject)
    traject.registreer_diploma(datum=date(2026, 2, 1), door=door())
    traject.stel_plicht_voldaan_vast(datum=date(2026, 3, 1), door=door())
    assert traject.status is Status.AFGEROND


def test_a_closed_trajectory_takes_only_the_warme_overdracht_and_corrections() -> None:
    traject = statushouder_met_pip(leerroute=Leerroute.ONDERWIJSROUTE)
    with pytest.raises(fouten.PlichtNietVoldaanError):
        traject.draag_warm_over_aan_vervolgtraject(datum=date(2026, 3, 2), ontvanger="Da Vinci College", toelichting="mbo", door=door())
    pvt_afgerond(traject)
    traject.registreer_diploma(datum=date(2026, 2, 1), door=door())
    traject.stel_plicht_voldaan_vast(datum=date(2026, 3, 1), door=door())
    with pytest.raises(fouten.TrajectAfgeslotenError):
        traject.registreer_voortgangsgesprek(datum=date(2026, 3, 2), gevoerd=True, geldige_reden=False, verslag="x", door=door())
    traject.draag_warm_over_aan_vervolgtraject(datum=date(2026, 3, 2), ontvanger="Da Vinci College", toelichting="mbo", door=door())
    assert traject.warme_overdracht_vervolg == date(2026, 3, 2)
