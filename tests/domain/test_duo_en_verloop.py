"""DUO decisions as received, moves between gemeenten and out of the region, and corrections."""

from datetime import date
from decimal import Decimal

import pytest

from domain import fouten
from domain.traject import Inburgeringstraject, Status
from domain.waarden import Gemeente, Verblijfsvergunning
from tests.builders import door, een_bsn, gezinsmigrant_met_pip, statushouder_met_pip


def test_duo_extends_the_termijn_and_its_end_date_is_shown() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    with pytest.raises(fouten.TermijnVerlengingError):
        traject.registreer_termijnverlenging(datum=date(2026, 1, 5), nieuwe_einddatum=date(2028, 3, 2), grond="x", door=door())
    traject.registreer_termijnverlenging(datum=date(2026, 1, 5), nieuwe_einddatum=date(2028, 9, 2), grond="aanzienlijke inspanningen", door=door())
    assert traject.termijn_einde == date(2028, 9, 2)
    assert traject.termijn_start == date(2025, 3, 2)


def test_a_vrijstelling_or_a_full_ontheffing_closes_the_trajectory_a_partial_one_does_not() -> None:
    vrij = gezinsmigrant_met_pip()
    vrij.registreer_vrijstelling(datum=date(2025, 6, 1), grond="diploma", door=door())
    assert vrij.status is Status.VRIJGESTELD
    deels = gezinsmigrant_met_pip()
    deels.registreer_ontheffing(datum=date(2025, 6, 1), grond="medisch", volledig=False, door=door())
    assert deels.status is Status.LOPEND
    deels.registreer_ontheffing(datum=date(2025, 7, 1), grond="medisch", volledig=True, door=door())
    assert deels.status is Status.ONTHEVEN
    with pytest.raises(fouten.TrajectAfgeslotenError):
        deels.registreer_vrijstelling(datum=date(2025, 8, 1), grond="x", door=door())


def test_duo_boete_amounts_follow_the_besluit() -> None:
    traject = gezinsmigrant_met_pip()
    with pytest.raises(fouten.DuoBoeteBedragError):
        traject.registreer_duo_boete(datum=date(2026, 1, 5), artikel="wi24", bedrag=Decimal("300"), door=door())
    with pytest.raises(fouten.DuoBoeteBedragError):
        traject.registreer_duo_boete(datum=date(2026, 1, 5), artikel="wi25", bedrag=Decimal("1000.01"), door=door())
    traject.registreer_duo_boete(datum=date(2026, 1, 5), artikel="wi24", bedrag=Decimal("340"), door=door())
    traject.registreer_duo_boete(datum=date(2026, 1, 5), artikel="wi25", bedrag=Decimal("1000"), door=door())
    assert traject.duo_boetes == 2


def test_a_move_within_the_region_takes_the_trajectory_along_and_asks_for_a_new_pip() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    with pytest.raises(fouten.VerhuizingError):
        traject.verhuis_binnen_regio(datum=date(2025, 9, 1), naar=Gemeente.DORDRECHT, door=door())
    traject.verhuis_binnen_regio(datum=date(2025, 9, 1), naar=Gemeente.PAPENDRECHT, door=door())
    assert traject.gemeente is Gemeente.PAPENDRECHT
    [pip] = [d for d in traject.deadlines(date(2025, 9, 2)) if d.soort == "pip-na-verhuizing"]
    assert (pip.uiterlijk, pip.status, pip.grondslag) == (date(2025, 11, 10), "open", "Bi 5.3(3)")
    assert traject.termijn_start == date(2025, 3, 2)  # the termijn does not restart
    traject.registreer_voortgangsgesprek(datum=date(2025, 9, 15), gevoerd=True, geldige_reden=False, verslag="x", door=door())
    [laatste] = traject.collect_events()[-1:]
    assert laatste.metadata.gemeente == "0590"  # recorded on behalf of the new college


def test_a_move_out_of_the_region_closes_the_trajectory() -> None:
    traject = statushouder_met_pip()
    with pytest.raises(fouten.VerhuizingError):
        traject.verhuis_buiten_regio(datum=date(2025, 9, 1), nieuwe_gemeente="0642", toelichting="x", door=door())
    traject.verhuis_buiten_regio(datum=date(2025, 9, 1), nieuwe_gemeente="0363", toelichting="Naar Amsterdam", door=door())
    assert (traject.status, traject.einddatum) == (Status.OVERGEDRAGEN, date(2025, 9, 1))


def test_a_correction_replaces_a_value_and_rebuilds_the_state() -> None:
    traject = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )
    traject.registreer_kennisgeving(datum=date(2025, 1, 20), verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door())
    traject.registreer_huisvesting(datum=date(2025, 2, 3), gemeente=Gemeente.DORDRECHT, huisvestingsdatum=None, door=door())
    assert traject.pip_uiterste_datum == date(2025, 4, 14)
    traject.corrigeer(datum=date(2025, 3, 1), versie=4, correcties={"datum": "2025-02-17"}, toelichting="Tikfout", door=door())
    assert traject.pip_uiterste_datum == date(2025, 4, 28)
    assert traject.correcties == 1
    events = traject.collect_events()
    herbouwd = None
    for event in events:
        herbouwd = event.mutate(herbouwd)
    assert vars(herbouwd) == vars(traject)


def test_only_a_recorded_fact_in_an_open_field_can_be_corrected() -> None:
    traject = gezinsmigrant_met_pip()
    for versie, correcties in ((99, {"datum": "2025-01-01"}), (3, {"leerroute": "z_route"}), (3, {"datum": "geen datum"}), (3, {})):
        with pytest.raises(fouten.CorrectieOngeldigError):
            traject.corrigeer(datum=date(2025, 6, 1), versie=versie, correcties=correcties, toelichting="x", door=door())
    with pytest.raises(fouten.DatumInDeToekomstError):
        traject.corrigeer(datum=date(2025, 6, 1), versie=3, correcties={"datum": "2027-01-01"}, toelichting="x", door=door())


def test_a_closed_trajectory_can_still_be_corrected() -> None:
    traject = gezinsmigrant_met_pip()
    traject.registreer_vrijstelling(datum=date(2025, 6, 1), grond="diploma", door=door())
    traject.corrigeer(datum=date(2025, 6, 2), versie=traject.version, correcties={"datum": "2025-05-30"}, toelichting="x", door=door())
    assert traject.einddatum == date(2025, 5, 30)
