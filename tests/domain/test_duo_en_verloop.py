"""DUO decisions as received, moves between gemeenten and out of the region, and corrections."""

from datetime import date
from decimal import Decimal
from typing import Annotated

import pytest

from domain import fouten
from domain.metadata import Metadata
from domain.traject import Fase, Gebeurtenis, Inburgeringstraject, Status, Uursoort
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, Veld
from domain.waarden import Boeteartikel, Boetegrond, Gemeente, Leerroute, RedenRoutewijziging, Rol, Verblijfsvergunning, Verwijtbaarheid
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


# -- a correction must leave a history that the commands would have accepted -----------------------

HANDHAVER = door(rol=Rol.HANDHAVER, gebruiker="handhaver-rapport")
BESLUITNEMER = door(rol=Rol.HANDHAVER, gebruiker="handhaver-besluit")


def met_gemist_gesprek_in_een_zaak() -> tuple[Inburgeringstraject, int, int]:
    """A gezinsmigrant (PIP 2025-03-01) who missed a gesprek on 2025-05-08 without a reason; a zaak is open."""
    traject = gezinsmigrant_met_pip()
    traject.registreer_voortgangsgesprek(datum=date(2025, 5, 8), gevoerd=False, geldige_reden=False, verslag="x", door=door())
    gesprek = traject.version
    zaak = traject.constateer_overtreding(
        datum=date(2025, 5, 8), artikel=Boeteartikel.WI_23, grond=Boetegrond.VOORTGANGSGESPREK_GEMIST,
        rapportdatum=date(2025, 5, 9), rapport="Niet verschenen.", door=HANDHAVER,
    )
    return traject, gesprek, zaak


def test_a_correction_that_puts_the_brede_intake_after_the_pip_is_refused() -> None:
    traject = gezinsmigrant_met_pip()  # 3 brede intake 2025-01-15, 4 PIP 2025-03-01
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="PIP voor de brede intake"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=3, correcties={"datum": "2025-03-02"}, toelichting="x", door=door())
    traject.corrigeer(datum=date(2025, 6, 1), versie=3, correcties={"datum": "2025-03-01"}, toelichting="x", door=door())
    assert traject.brede_intake_datum == date(2025, 3, 1)


def test_a_correction_that_moves_the_pip_after_a_voortgangsgesprek_is_refused() -> None:
    traject = gezinsmigrant_met_pip()
    traject.registreer_voortgangsgesprek(datum=date(2025, 4, 1), gevoerd=True, geldige_reden=False, verslag="x", door=door())
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="VoortgangsgesprekGevoerd"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=4, correcties={"datum": "2025-04-02"}, toelichting="x", door=door())
    assert (traject.pip_dagtekening, traject.version, traject.correcties) == (date(2025, 3, 1), 5, 0)


def test_a_missed_gesprek_with_an_open_zaak_cannot_be_corrected_into_an_excused_one() -> None:
    traject, gesprek, zaak = met_gemist_gesprek_in_een_zaak()
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match=f"zaak {zaak}"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=gesprek, correcties={"geldige_reden": True}, toelichting="x", door=door())
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="rapport voor de gedraging"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=zaak, correcties={"datum": "2025-05-10"}, toelichting="x", door=HANDHAVER)
    traject.zie_af_van_boete(zaaknummer=zaak, datum=date(2025, 5, 12), reden="Had een geldige reden.", door=BESLUITNEMER)
    traject.corrigeer(datum=date(2025, 6, 1), versie=gesprek, correcties={"geldige_reden": True}, toelichting="x", door=door())
    assert traject.gesprekken[-1].geldige_reden


def test_a_decision_is_not_corrected_and_a_fact_is_corrected_by_the_role_that_recorded_it() -> None:
    traject, _, zaak = met_gemist_gesprek_in_een_zaak()
    with pytest.raises(fouten.CorrectieNietToegestaanError, match="handhaver"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=zaak, correcties={"datum": "2025-05-07"}, toelichting="x", door=door())
    traject.zie_af_van_boete(zaaknummer=zaak, datum=date(2025, 5, 12), reden="Eerste keer.", door=BESLUITNEMER)
    with pytest.raises(fouten.CorrectieNietToegestaanError, match="besluit"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=traject.version, correcties={"datum": "2025-05-13"}, toelichting="x", door=HANDHAVER)


class BijeenkomstBezocht(Gebeurtenis):
    """A fact a maintainer might add that happens to have `uren` and `fase`: the rules of cursusuren are not its rules."""

    uren: Annotated[int, Veld(NIET_PERSOONLIJK, IEDEREEN)]
    fase: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]


def test_a_rule_between_facts_belongs_to_its_own_fact_and_no_other_with_a_field_of_the_same_name() -> None:
    traject = statushouder_met_pip()
    vreemd = BijeenkomstBezocht(originator_id=traject.id, originator_version=traject.version + 1, timestamp=traject.modified_on,
                                datum=date(2020, 1, 1), metadata=Metadata.van(door(), traject.gemeente), uren=0, fase="brede_intake")
    traject.feiten[vreemd.originator_version] = vreemd
    assert traject.samenhang() == []


def test_corrected_hours_stay_positive_and_a_corrected_date_stays_under_the_law() -> None:
    traject = gezinsmigrant_met_pip()
    traject.registreer_cursusuren(datum=date(2025, 4, 1), soort=Uursoort.NT2, uren=40, fase=Fase.UITVOERING, door=door())
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="zonder uren"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=traject.version, correcties={"uren": 0}, toelichting="x", door=door())
    with pytest.raises(fouten.VoorInwerkingtredingError):
        traject.corrigeer(datum=date(2025, 6, 1), versie=3, correcties={"datum": "2021-12-31"}, toelichting="x", door=door())
    traject.corrigeer(datum=date(2025, 6, 1), versie=traject.version, correcties={"uren": 1}, toelichting="x", door=door())
    assert traject.uren.van("nt2") == 1


def test_a_pip_correction_that_would_put_a_route_change_outside_its_window_is_refused() -> None:
    traject = gezinsmigrant_met_pip(date(2025, 3, 1))  # window to 2026-09-02
    traject.wijzig_leerroute(datum=date(2026, 9, 2), naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT,
                             toelichting="x", door=door(vandaag=date(2026, 9, 2)))
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="na het venster"):
        traject.corrigeer(datum=date(2026, 9, 3), versie=4, correcties={"datum": "2025-02-28"}, toelichting="x", door=door(vandaag=date(2026, 9, 3)))


def test_the_law_applies_from_2022() -> None:
    with pytest.raises(fouten.VoorInwerkingtredingError):
        Inburgeringstraject.start_na_tvs_profiel(
            datum=date(2021, 12, 31), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
            huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
        )
    traject = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2022, 1, 1), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )
    assert traject.startdatum == date(2022, 1, 1)


def test_after_a_move_an_inherited_pip_is_reviewed_within_ten_weeks() -> None:
    traject = statushouder_met_pip(date(2025, 3, 1))
    traject.verhuis_binnen_regio(datum=date(2025, 9, 1), naar=Gemeente.PAPENDRECHT, door=door())
    traject.wijzig_pip(
        datum=date(2025, 10, 1), leerroute_uren_per_week=12, pvt_uren=12, map_uren=40, aantal_voortgangsgesprekken=4,
        ondersteuning="x", aanbod=frozenset(), reden="Nieuwe gemeente", door=door(),
    )
    [pip] = [d for d in traject.deadlines(date(2025, 10, 2)) if d.soort == "pip-na-verhuizing"]
    assert (pip.uiterlijk, pip.status) == (date(2025, 11, 10), "voldaan")


def test_a_move_before_the_pip_leaves_only_the_ordinary_pip_date() -> None:
    traject = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(),
        huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )
    traject.verhuis_binnen_regio(datum=date(2025, 2, 1), naar=Gemeente.PAPENDRECHT, door=door())
    soorten = {d.soort for d in traject.deadlines(date(2025, 2, 2))}
    assert "pip-na-verhuizing" not in soorten


def test_corrections_keep_the_zienswijzetermijn_the_intake_hours_and_the_oproep_terms() -> None:
    traject, gesprek, zaak = met_gemist_gesprek_in_een_zaak()  # rapport 2025-05-09
    traject.verzend_boetevoornemen(zaaknummer=zaak, datum=date(2025, 5, 12), zienswijzetermijn=date(2025, 5, 26), door=HANDHAVER)
    voornemen = traject.version
    traject.stel_zienswijzetermijn_verstreken_vast(zaaknummer=zaak, datum=date(2025, 5, 27), door=HANDHAVER)
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="verstreken binnen de termijn"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=traject.version, correcties={"datum": "2025-05-26"}, toelichting="x", door=HANDHAVER)
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="eindigt niet na het voornemen"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=voornemen, correcties={"datum": "2025-05-26"}, toelichting="x", door=HANDHAVER)

    intake = gezinsmigrant_met_pip()  # PIP 2025-03-01
    intake.registreer_cursusuren(datum=date(2025, 2, 1), soort=Uursoort.NT2, uren=20, fase=Fase.BREDE_INTAKE, door=door())
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="buiten de brede intake"):
        intake.corrigeer(datum=date(2025, 6, 1), versie=intake.version, correcties={"datum": "2025-03-02"}, toelichting="x", door=door())

    opgeroepen = Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(), huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )
    opgeroepen.verzend_intake_oproep(datum=date(2025, 1, 7), uiterlijk=date(2025, 1, 14), schriftelijke_waarschuwing=False, door=door())
    with pytest.raises(fouten.CorrectieTegenstrijdigError, match="termijn die voor de verzending eindigt"):
        opgeroepen.corrigeer(datum=date(2025, 6, 1), versie=opgeroepen.version, correcties={"datum": "2025-01-15"}, toelichting="x", door=door())


def test_the_conduct_of_a_fined_zaak_is_not_corrected_but_an_annulled_boete_frees_the_gesprek() -> None:
    traject, gesprek, zaak = met_gemist_gesprek_in_een_zaak()
    traject.verzend_boetevoornemen(zaaknummer=zaak, datum=date(2025, 5, 12), zienswijzetermijn=date(2025, 5, 26), door=HANDHAVER)
    traject.stel_zienswijzetermijn_verstreken_vast(zaaknummer=zaak, datum=date(2025, 5, 27), door=HANDHAVER)
    traject.leg_boete_op(zaaknummer=zaak, datum=date(2025, 5, 28), verwijtbaarheid=Verwijtbaarheid.OPZET, motivering="x",
                         uitzonderlijk_geval_motivering=None, door=BESLUITNEMER)
    with pytest.raises(fouten.CorrectieNietToegestaanError, match="boete"):
        traject.corrigeer(datum=date(2025, 6, 1), versie=zaak, correcties={"datum": "2025-05-07"}, toelichting="x", door=HANDHAVER)
    with pytest.raises(fouten.CorrectieTegenstrijdigError):
        traject.corrigeer(datum=date(2025, 6, 1), versie=gesprek, correcties={"geldige_reden": True}, toelichting="x", door=door())
    jurist = door(rol=Rol.HANDHAVER, gebruiker="jurist-bezwaar")
    traject.ontvang_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 2), door=jurist)
    traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="gegrond", nieuw_bedrag=None, motivering="Was ziek.", door=jurist)
    traject.corrigeer(datum=date(2025, 6, 11), versie=gesprek, correcties={"geldige_reden": True}, toelichting="Ziek gemeld", door=door())
    assert traject.gesprekken[-1].geldige_reden
