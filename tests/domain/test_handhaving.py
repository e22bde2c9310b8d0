"""The Awb procedure for a boete: rapport, voornemen, zienswijze, besluit, bezwaar; amounts and caps."""

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest
from eventsourcing.persistence import StoredEvent

from adapters.clock import VasteKlok
from domain import fouten
from domain.application import Inburgering
from domain.traject import Fase, Inburgeringstraject, Uursoort
from domain.waarden import Boeteartikel, Boetegrond, Gemeente, Leerroute, Rol, Verblijfsvergunning, Verwijtbaarheid
from tests.builders import Personen, door, een_bsn, gezinsmigrant_met_pip, statushouder_met_pip

RAPPORTEUR = door(rol=Rol.HANDHAVER, gebruiker="handhaver-rapport")
BESLUITNEMER = door(rol=Rol.HANDHAVER, gebruiker="handhaver-besluit")
BEZWAARBEHANDELAAR = door(rol=Rol.HANDHAVER, gebruiker="jurist-bezwaar")
MOTIVERING = "Aanhoudend gebrek aan bereidheid: drie keer niet verschenen."


def gemist(traject: Inburgeringstraject, datum: date, geldige_reden: bool = False) -> None:
    traject.registreer_voortgangsgesprek(datum=datum, gevoerd=False, geldige_reden=geldige_reden, verslag="Niet gekomen.", door=door())


def overtreding(traject: Inburgeringstraject, datum: date, grond: Boetegrond = Boetegrond.VOORTGANGSGESPREK_GEMIST,
                artikel: Boeteartikel = Boeteartikel.WI_23, rapportdatum: date | None = None) -> int:
    return traject.constateer_overtreding(
        datum=datum, artikel=artikel, grond=grond, rapportdatum=rapportdatum or datum + timedelta(days=1),
        rapport="Niet verschenen op het voortgangsgesprek.", door=RAPPORTEUR,
    )


def tot_besluit(traject: Inburgeringstraject, zaak: int, datum: date) -> None:
    """Voornemen on `datum`, two weeks for a zienswijze, which passes unused."""
    traject.verzend_boetevoornemen(zaaknummer=zaak, datum=datum, zienswijzetermijn=datum + timedelta(days=14), door=RAPPORTEUR)
    traject.stel_zienswijzetermijn_verstreken_vast(zaaknummer=zaak, datum=datum + timedelta(days=15), door=RAPPORTEUR)


def boete(traject: Inburgeringstraject, zaak: int, datum: date, verwijtbaarheid: Verwijtbaarheid | None = Verwijtbaarheid.OPZET,
          motivering: str | None = MOTIVERING) -> Decimal:
    return traject.leg_boete_op(
        zaaknummer=zaak, datum=datum, verwijtbaarheid=verwijtbaarheid, motivering="Verwijtbaar niet verschenen.",
        uitzonderlijk_geval_motivering=motivering, door=BESLUITNEMER,
    )


def beboet(traject: Inburgeringstraject, gesprek: date, verwijtbaarheid: Verwijtbaarheid = Verwijtbaarheid.OPZET) -> Decimal:
    """The whole procedure for one missed gesprek, the boete on the day after the zienswijzetermijn."""
    gemist(traject, gesprek)
    zaak = overtreding(traject, gesprek)
    tot_besluit(traject, zaak, gesprek + timedelta(days=2))
    return boete(traject, zaak, gesprek + timedelta(days=18), verwijtbaarheid, None)


# -- the procedure -------------------------------------------------------------------------------


def test_a_boete_follows_rapport_voornemen_and_zienswijze() -> None:
    traject = statushouder_met_pip()
    gemist(traject, date(2025, 5, 1))
    zaak = overtreding(traject, date(2025, 5, 1))
    with pytest.raises(fouten.AwbVolgordeError):
        boete(traject, zaak, date(2025, 5, 10))
    traject.verzend_boetevoornemen(zaaknummer=zaak, datum=date(2025, 5, 5), zienswijzetermijn=date(2025, 5, 19), door=RAPPORTEUR)
    with pytest.raises(fouten.AwbVolgordeError):
        boete(traject, zaak, date(2025, 5, 10))
    traject.ontvang_zienswijze(zaaknummer=zaak, datum=date(2025, 5, 12), mondeling=True, samenvatting="Was ziek.", door=RAPPORTEUR)
    assert boete(traject, zaak, date(2025, 5, 20), Verwijtbaarheid.GROVE_SCHULD) == Decimal("37.50")
    assert traject.zaken[zaak].stap == "besloten"


def test_the_zienswijzetermijn_must_have_passed_before_it_is_declared_passed() -> None:
    traject = statushouder_met_pip()
    gemist(traject, date(2025, 5, 1))
    zaak = overtreding(traject, date(2025, 5, 1))
    traject.verzend_boetevoornemen(zaaknummer=zaak, datum=date(2025, 5, 5), zienswijzetermijn=date(2025, 5, 19), door=RAPPORTEUR)
    with pytest.raises(fouten.AwbVolgordeError):
        traject.stel_zienswijzetermijn_verstreken_vast(zaaknummer=zaak, datum=date(2025, 5, 19), door=RAPPORTEUR)
    traject.stel_zienswijzetermijn_verstreken_vast(zaaknummer=zaak, datum=date(2025, 5, 20), door=RAPPORTEUR)


def test_the_boete_is_decided_within_13_weeks_of_the_rapport() -> None:
    traject = statushouder_met_pip()
    gemist(traject, date(2025, 5, 1))
    zaak = overtreding(traject, date(2025, 5, 1), rapportdatum=date(2025, 5, 2))
    tot_besluit(traject, zaak, date(2025, 5, 5))
    with pytest.raises(fouten.BeslistermijnVerstrekenError):
        boete(traject, zaak, date(2025, 8, 2))
    boete(traject, zaak, date(2025, 8, 1))  # rapport + 13 weeks


def test_whoever_wrote_the_rapport_does_not_impose_the_boete() -> None:
    traject = statushouder_met_pip()
    gemist(traject, date(2025, 5, 1))
    zaak = overtreding(traject, date(2025, 5, 1))
    tot_besluit(traject, zaak, date(2025, 5, 5))
    with pytest.raises(fouten.VierOgenError):
        traject.leg_boete_op(zaaknummer=zaak, datum=date(2025, 5, 25), verwijtbaarheid=Verwijtbaarheid.OPZET,
                             motivering="x", uitzonderlijk_geval_motivering=MOTIVERING, door=RAPPORTEUR)


def test_no_boete_when_bijstand_was_lowered_for_the_same_conduct() -> None:
    traject = statushouder_met_pip()
    gemist(traject, date(2025, 5, 1))
    zaak = overtreding(traject, date(2025, 5, 1))
    traject.registreer_bijstandsverlaging(zaaknummer=zaak, datum=date(2025, 5, 3), door=RAPPORTEUR)
    tot_besluit(traject, zaak, date(2025, 5, 5))
    with pytest.raises(fouten.BijstandAlVerlaagdError):
        boete(traject, zaak, date(2025, 5, 25))
    traject.zie_af_van_boete(zaaknummer=zaak, datum=date(2025, 5, 25), reden="Una via: bijstand verlaagd.", door=BESLUITNEMER)
    assert traject.zaken[zaak].stap == "afgezien"


def test_no_boete_without_a_judgment_of_culpability() -> None:
    traject = statushouder_met_pip()
    gemist(traject, date(2025, 5, 1))
    zaak = overtreding(traject, date(2025, 5, 1))
    tot_besluit(traject, zaak, date(2025, 5, 5))
    with pytest.raises(fouten.VerwijtbaarheidOntbreektError):
        boete(traject, zaak, date(2025, 5, 25), verwijtbaarheid=None)
    with pytest.raises(fouten.NietVerwijtbaarError):
        boete(traject, zaak, date(2025, 5, 25), verwijtbaarheid=Verwijtbaarheid.NIET_VERWIJTBAAR)
    with pytest.raises(fouten.UitzonderlijkGevalNietGemotiveerdError):
        boete(traject, zaak, date(2025, 5, 25), motivering=" ")
    assert traject.boetes == []


# -- what can be fined ---------------------------------------------------------------------------


def test_a_gezinsmigrant_is_not_fined_for_course_effort_but_is_for_a_missed_gesprek() -> None:
    traject = gezinsmigrant_met_pip()
    with pytest.raises(fouten.GeenBoeteOpLeerrouteVoorGezinsmigrantError):
        overtreding(traject, date(2025, 5, 1), grond=Boetegrond.LEERROUTE_INTENSITEIT_NIET_NAGEKOMEN)
    assert beboet(traject, date(2025, 5, 1), Verwijtbaarheid.GEEN_OPZET_OF_GROVE_SCHULD) == Decimal("25.00")


def test_a_gesprek_missed_with_a_valid_reason_or_already_in_a_zaak_is_not_fined_again() -> None:
    traject = gezinsmigrant_met_pip()
    gemist(traject, date(2025, 5, 1), geldige_reden=True)
    with pytest.raises(fouten.GeenGemistGesprekError):
        overtreding(traject, date(2025, 5, 1))
    gemist(traject, date(2025, 5, 8))
    overtreding(traject, date(2025, 5, 8))
    with pytest.raises(fouten.DezelfdeGedragingError):
        overtreding(traject, date(2025, 5, 9))


def test_afzien_follows_the_rapport_and_keeps_the_history_consistent() -> None:
    traject = gezinsmigrant_met_pip()
    gemist(traject, date(2025, 5, 8))
    zaak = overtreding(traject, date(2025, 5, 8), rapportdatum=date(2025, 5, 12))
    with pytest.raises(fouten.DatumVoorVorigeStapError):
        traject.zie_af_van_boete(zaaknummer=zaak, datum=date(2025, 5, 10), reden="x", door=BESLUITNEMER)
    traject.zie_af_van_boete(zaaknummer=zaak, datum=date(2025, 5, 12), reden="x", door=BESLUITNEMER)
    assert traject.samenhang() == []


def test_a_gesprek_whose_zaak_ended_in_afzien_was_dealt_with() -> None:
    traject = gezinsmigrant_met_pip()
    gemist(traject, date(2025, 5, 8))
    zaak = overtreding(traject, date(2025, 5, 8))
    traject.zie_af_van_boete(zaaknummer=zaak, datum=date(2025, 5, 12), reden="Eerste keer.", door=BESLUITNEMER)
    with pytest.raises(fouten.DezelfdeGedragingError):
        overtreding(traject, date(2025, 5, 20))
    gemist(traject, date(2025, 6, 5))  # a new gesprek missed is new conduct
    assert traject.zaken[overtreding(traject, date(2025, 6, 5))].gemist_gesprek_versie == traject.version - 1


def test_wi22_follows_a_missed_repeated_oproep_with_warning() -> None:
    traject = Inburgeringstraject.start_na_kennisgeving(
        datum=date(2025, 1, 6), gemeente=Gemeente.ZWIJNDRECHT, bsn=een_bsn(),
        verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door(),
    )
    traject.verzend_intake_oproep(datum=date(2025, 2, 1), uiterlijk=date(2025, 2, 14), schriftelijke_waarschuwing=False, door=door())
    with pytest.raises(fouten.Wi22TeVroegError):
        overtreding(traject, date(2025, 2, 15), Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT, Boeteartikel.WI_22)
    traject.verzend_intake_oproep(datum=date(2025, 2, 15), uiterlijk=date(2025, 2, 28), schriftelijke_waarschuwing=True, door=door())
    with pytest.raises(fouten.Wi22TeVroegError):
        overtreding(traject, date(2025, 2, 28), Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT, Boeteartikel.WI_22)
    zaak = overtreding(traject, date(2025, 3, 1), Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT, Boeteartikel.WI_22)
    tot_besluit(traject, zaak, date(2025, 3, 3))
    assert boete(traject, zaak, date(2025, 3, 20), Verwijtbaarheid.VERMINDERD_VERWIJTBAAR, None) == Decimal("250.00")
    with pytest.raises(fouten.DezelfdeGedragingError):  # the same conduct, already decided on 2025-03-20
        overtreding(traject, date(2025, 3, 20), Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT, Boeteartikel.WI_22)
    # The beschikking set a new term; missing that one too is new conduct (Wi 22(2)-(3)).
    nieuw = overtreding(traject, date(2025, 4, 21), Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT, Boeteartikel.WI_22)
    with pytest.raises(fouten.DezelfdeGedragingError):  # while that zaak runs, no third
        overtreding(traject, date(2025, 4, 22), Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT, Boeteartikel.WI_22)
    assert traject.zaken[nieuw].stap == "geconstateerd"


def test_a_conduct_must_fall_under_the_article() -> None:
    traject = statushouder_met_pip()
    with pytest.raises(fouten.BoetegrondPastNietBijArtikelError):
        overtreding(traject, date(2025, 5, 1), Boetegrond.VOORTGANGSGESPREK_GEMIST, Boeteartikel.WI_22)


# -- amounts -------------------------------------------------------------------------------------


def test_wi23_doubles_on_conduct_within_twelve_months_after_an_earlier_boete_became_final() -> None:
    def met_eerste_boete() -> Inburgeringstraject:
        traject = gezinsmigrant_met_pip(date(2025, 3, 1))
        assert beboet(traject, date(2025, 3, 5)) == Decimal("50.00")  # boete 2025-03-23, final after 2025-05-04
        return traject

    assert beboet(met_eerste_boete(), date(2025, 5, 4)) == Decimal("50.00")  # still open to bezwaar that day
    assert beboet(met_eerste_boete(), date(2025, 5, 5)) == Decimal("100.00")
    assert beboet(met_eerste_boete(), date(2026, 5, 4)) == Decimal("100.00")  # twelve months later, included
    assert beboet(met_eerste_boete(), date(2026, 5, 5)) == Decimal("50.00")


def test_a_boete_under_bezwaar_is_not_final_until_decided() -> None:
    traject = gezinsmigrant_met_pip(date(2025, 3, 1))
    beboet(traject, date(2025, 3, 5))
    eerste = max(traject.zaken)
    traject.ontvang_bezwaar(zaaknummer=eerste, datum=date(2025, 4, 1), door=BEZWAARBEHANDELAAR)
    assert beboet(traject, date(2025, 5, 5)) == Decimal("50.00")  # the first may still be annulled
    traject.beslis_op_bezwaar(zaaknummer=eerste, datum=date(2025, 5, 26), uitkomst="ongegrond", nieuw_bedrag=None, motivering="x", door=BEZWAARBEHANDELAAR)
    assert beboet(traject, date(2025, 5, 27)) == Decimal("100.00")


def test_only_earlier_conduct_makes_a_repeat() -> None:
    # Two gesprekken missed; the later conduct is fined first. The earlier conduct is then no repeat
    # of the later one: a repeat is conduct after an earlier fined conduct (Bi 7.1(3)).
    traject = gezinsmigrant_met_pip(date(2025, 3, 1))
    gemist(traject, date(2025, 4, 1))
    gemist(traject, date(2025, 5, 1))
    eerste = overtreding(traject, date(2025, 4, 1))
    tweede = overtreding(traject, date(2025, 5, 1))
    assert traject.zaken[tweede].gemist_gesprek_versie == traject.zaken[eerste].gemist_gesprek_versie + 1
    tot_besluit(traject, tweede, date(2025, 5, 3))
    tot_besluit(traject, eerste, date(2025, 5, 3))
    assert boete(traject, tweede, date(2025, 5, 20), motivering=None) == Decimal("50.00")  # nothing fined before
    assert boete(traject, eerste, date(2025, 5, 21), motivering=None) == Decimal("50.00")


def test_an_annulled_boete_is_no_repeat() -> None:
    traject = gezinsmigrant_met_pip(date(2025, 3, 1))
    beboet(traject, date(2025, 4, 1))
    zaak = max(traject.zaken)
    traject.ontvang_bezwaar(zaaknummer=zaak, datum=date(2025, 4, 25), door=BEZWAARBEHANDELAAR)
    traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 5, 1), uitkomst="gegrond", nieuw_bedrag=None, motivering="x", door=BEZWAARBEHANDELAAR)
    assert beboet(traject, date(2025, 6, 1)) == Decimal("50.00")


def test_the_wi22_boete_counts_towards_the_2400_cap() -> None:
    traject = Inburgeringstraject.start_na_kennisgeving(
        datum=date(2025, 1, 6), gemeente=Gemeente.ZWIJNDRECHT, bsn=een_bsn(),
        verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door(),
    )
    traject.verzend_intake_oproep(datum=date(2025, 1, 7), uiterlijk=date(2025, 1, 14), schriftelijke_waarschuwing=False, door=door())
    traject.verzend_intake_oproep(datum=date(2025, 1, 15), uiterlijk=date(2025, 1, 22), schriftelijke_waarschuwing=True, door=door())
    zaak = overtreding(traject, date(2025, 1, 23), Boetegrond.BREDE_INTAKE_NIET_MEEGEWERKT, Boeteartikel.WI_22)
    tot_besluit(traject, zaak, date(2025, 1, 25))
    assert boete(traject, zaak, date(2025, 2, 10), motivering=None) == Decimal("250.00")
    traject.houd_brede_intake(datum=date(2025, 2, 12), onderwerpen={}, gezondheid={}, leerbaarheidstoets_advies=None, door=door())
    traject.stel_pip_vast(
        dagtekening=date(2025, 3, 1), leerroute=Leerroute.B1, leerroute_uren_per_week=None, pvt_uren=12, map_uren=40,
        aantal_voortgangsgesprekken=4, ondersteuning="x", aanbod=frozenset(), door=door(),
    )
    bedragen = [beboet(traject, date(2025, 4, 1) + timedelta(days=61 * n)) for n in range(6)]
    assert sum(bedragen) + Decimal("250.00") == Decimal("2400.00")
    assert bedragen[-1] == Decimal("600.00")  # 800 by the doubling, 600 left under the cap
    with pytest.raises(fouten.BoetemaximumBereiktError):
        beboet(traject, date(2025, 9, 1))


def test_wi23_stops_at_800_and_all_boetes_at_2400_per_termijn() -> None:
    traject = gezinsmigrant_met_pip(date(2025, 3, 1))
    # Each conduct 61 days after the one before: after the earlier boete became final (60 days).
    bedragen = [beboet(traject, date(2025, 4, 1) + timedelta(days=61 * n)) for n in range(7)]
    assert bedragen == [Decimal(b) for b in ("50.00", "100.00", "200.00", "400.00", "800.00", "800.00", "50.00")]
    with pytest.raises(fouten.BoetemaximumBereiktError):
        beboet(traject, date(2025, 9, 1))


# -- bezwaar -------------------------------------------------------------------------------------


def beboete_zaak() -> tuple[Inburgeringstraject, int]:
    traject = gezinsmigrant_met_pip()
    beboet(traject, date(2025, 5, 1))  # boetebesluit on 2025-05-19
    return traject, max(traject.zaken)


def test_a_bezwaar_within_six_weeks_after_bekendmaking_is_on_time() -> None:
    traject, zaak = beboete_zaak()
    traject.ontvang_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 30), door=BEZWAARBEHANDELAAR)
    assert traject.zaken[zaak].bezwaar_tijdig is True
    te_laat, zaak_te_laat = beboete_zaak()
    te_laat.ontvang_bezwaar(zaaknummer=zaak_te_laat, datum=date(2025, 7, 1), door=BEZWAARBEHANDELAAR)
    assert te_laat.zaken[zaak_te_laat].bezwaar_tijdig is False


def test_a_well_founded_bezwaar_annuls_the_boete_and_is_decided_by_someone_else() -> None:
    traject, zaak = beboete_zaak()
    with pytest.raises(fouten.AwbVolgordeError):
        traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="gegrond", nieuw_bedrag=None, motivering="x", door=BEZWAARBEHANDELAAR)
    traject.ontvang_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 1), door=BEZWAARBEHANDELAAR)
    with pytest.raises(fouten.VierOgenError):
        traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="gegrond", nieuw_bedrag=None, motivering="x", door=BESLUITNEMER)
    traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="gegrond", nieuw_bedrag=None, motivering="Was ziek.", door=BEZWAARBEHANDELAAR)
    assert traject.boetes[0].bedrag == Decimal("0.00")


def test_a_partly_founded_bezwaar_lowers_the_amount() -> None:
    traject, zaak = beboete_zaak()
    traject.ontvang_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 1), door=BEZWAARBEHANDELAAR)
    with pytest.raises(fouten.AwbVolgordeError):
        traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="deels_gegrond", nieuw_bedrag=Decimal("60"), motivering="x", door=BEZWAARBEHANDELAAR)
    for niet_lager in (traject.boetes[0].bedrag, Decimal("0.00")):  # the same amount is ongegrond, nothing is gegrond
        with pytest.raises(fouten.AwbVolgordeError, match="boven 0 en onder"):
            traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="deels_gegrond", nieuw_bedrag=niet_lager, motivering="x", door=BEZWAARBEHANDELAAR)
    traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="deels_gegrond", nieuw_bedrag=Decimal("25"), motivering="x", door=BEZWAARBEHANDELAAR)
    assert traject.boetes[0].bedrag == Decimal("25.00")


def test_an_open_zaak_runs_to_its_end_after_the_trajectory_closed() -> None:
    traject, zaak = beboete_zaak()
    traject.registreer_vrijstelling(datum=date(2025, 5, 25), grond="diploma", door=door())
    traject.ontvang_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 1), door=BEZWAARBEHANDELAAR)
    traject.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="ongegrond", nieuw_bedrag=None, motivering="x", door=BEZWAARBEHANDELAAR)
    assert traject.zaken[zaak].beslissing_op_bezwaar == "ongegrond"
    with pytest.raises(fouten.TrajectAfgeslotenError):  # but no new zaak
        gemist(traject, date(2025, 6, 11))


def test_the_procedure_deadlines_are_listed_per_zaak() -> None:
    traject, zaak = beboete_zaak()
    soorten = {(d.soort, d.uiterlijk, d.status) for d in traject.deadlines(date(2025, 6, 1)) if d.zaaknummer == zaak}
    assert ("boete-beslistermijn", date(2025, 8, 1), "voldaan") in soorten  # rapport 2025-05-02 + 13 weeks
    assert ("zienswijzetermijn", date(2025, 5, 17), "voldaan") in soorten
    assert ("bezwaartermijn", date(2025, 6, 30), "open") in soorten


def test_an_unknown_zaak_is_not_found() -> None:
    traject = statushouder_met_pip()
    with pytest.raises(fouten.HandhavingszaakNietGevondenError):
        traject.ontvang_bezwaar(zaaknummer=99, datum=date(2025, 6, 1), door=BEZWAARBEHANDELAAR)


def test_a_version_1_boete_read_through_the_mapper_becomes_a_zaak_of_its_own() -> None:
    # Version 1 (foundation issue) had no zaaknummer; two such boetes must not collapse into one zaak.
    app = Inburgering(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, klok=VasteKlok(door().tijdstip), personen=Personen())
    traject = gezinsmigrant_met_pip(date(2025, 3, 1))
    beboet(traject, date(2025, 4, 1))
    beboet(traject, date(2025, 5, 1))
    events = traject.collect_events()
    opgeslagen = []
    for event in events:
        stored = app.mapper.to_stored_event(event)
        if isinstance(event, Inburgeringstraject.BoeteOpgelegd):
            state = app.mapper.transcoder.decode(stored.state)
            assert state.pop("class_version") == 2
            state["gemist_gesprek_versie"] = traject.zaken[state.pop("zaaknummer")].gemist_gesprek_versie
            stored = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, app.mapper.transcoder.encode(state))
        opgeslagen.append(stored)
    gelezen = [app.mapper.to_domain_event(s) for s in opgeslagen]
    boetes = [e for e in gelezen if isinstance(e, Inburgeringstraject.BoeteOpgelegd)]
    assert [b.zaaknummer for b in boetes] == [b.originator_version for b in boetes]
    herbouwd = None
    for event in gelezen:
        herbouwd = event.mutate(herbouwd)
    assert [b.bedrag for b in herbouwd.boetes] == [Decimal("50.00"), Decimal("50.00")]
    assert len(herbouwd.zaken) == 4  # two zaken opened by a rapport, two that the v1 boetes opened


def test_a_copy_of_a_trajectory_shares_its_recorded_facts_and_nothing_it_changes() -> None:
    """A command works on a deep copy of the cached trajectory: the facts, which never change, are shared
    rather than copied; what a command changes (a zaak, the hours, the list of gesprekken) is its own."""
    traject, zaak = beboete_zaak()
    traject.ontvang_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 1), door=BEZWAARBEHANDELAAR)
    versie, feiten, gesprekken = traject.version, dict(traject.feiten), list(traject.gesprekken)
    kopie = copy.deepcopy(traject)
    assert all(kopie.feiten[v] is feit for v, feit in traject.feiten.items())
    assert kopie.boetes[0] is traject.boetes[0]

    kopie.beslis_op_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 10), uitkomst="gegrond", motivering="x", door=BEZWAARBEHANDELAAR)
    gemist(kopie, date(2025, 6, 12))
    assert (kopie.boetes[0].bedrag, len(kopie.gesprekken)) == (Decimal("0.00"), len(gesprekken) + 1)
    assert (traject.version, traject.feiten, traject.gesprekken) == (versie, feiten, gesprekken)
    assert traject.zaken[zaak].beslissing_op_bezwaar is None and traject.boetes[0].bedrag > 0


def test_a_copy_of_a_trajectory_shares_only_what_cannot_change_in_place() -> None:
    """The copy a command changes shares a value with the cached trajectory only when nothing can change that
    value in place (it is hashable: str, date, enum, frozenset, a fact); every dict, list, set and mutable
    record is the copy's own, with the same content."""
    traject, zaak = beboete_zaak()
    traject.ontvang_bezwaar(zaaknummer=zaak, datum=date(2025, 6, 1), door=BEZWAARBEHANDELAAR)
    traject.registreer_cursusuren(datum=date(2025, 6, 2), soort=Uursoort.NT2, uren=40, fase=Fase.UITVOERING, door=door())
    kopie = copy.deepcopy(traject)
    for naam, waarde in vars(traject).items():
        gekopieerd = getattr(kopie, naam)
        assert gekopieerd == waarde, naam
        if gekopieerd is waarde:
            hash(waarde)  # shared: must be immutable (a dict, list, set or mutable dataclass is unhashable)
    assert kopie.zaken[zaak] is not traject.zaken[zaak]

    uren = traject.uren.van(Uursoort.NT2.value)
    kopie.registreer_cursusuren(datum=date(2025, 6, 3), soort=Uursoort.NT2, uren=10, fase=Fase.UITVOERING, door=door())
    assert (kopie.uren.van(Uursoort.NT2.value), traject.uren.van(Uursoort.NT2.value)) == (uren + 10, uren)
