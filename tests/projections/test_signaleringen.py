"""The worklist rows a trajectory yields, straight from the aggregate."""

from datetime import date

from domain.traject import Inburgeringstraject
from domain.waarden import Gemeente, Verblijfsvergunning
from projections.signaleringen import SignaleringRij, Signaleringen
from projections.trajectenlijst import Trajectenlijst
from tests.builders import door, een_bsn, gezinsmigrant_met_pip
from tests.domain.test_handhaving import beboet


def soorten(traject: Inburgeringstraject) -> set[str]:
    return {rij.soort for rij in Signaleringen().rijen(traject)}


def test_a_closed_trajectory_keeps_signalling_the_terms_of_an_open_zaak_only() -> None:
    traject = gezinsmigrant_met_pip()
    beboet(traject, date(2025, 5, 1))  # boetebesluit 2025-05-19: the bezwaartermijn runs
    assert {"bezwaartermijn", "inburgeringstermijn-einde"} <= soorten(traject)
    traject.registreer_vrijstelling(datum=date(2025, 5, 25), grond="diploma", door=door())
    assert soorten(traject) == {"bezwaartermijn"}
    [rij] = Signaleringen().rijen(traject)
    assert (rij.uiterlijk, rij.zaaknummer) == ("2025-06-30", max(traject.zaken))


def test_the_case_list_names_the_same_next_deadline_as_the_worklist() -> None:
    traject = gezinsmigrant_met_pip()
    beboet(traject, date(2025, 5, 1))
    traject.registreer_vrijstelling(datum=date(2025, 5, 25), grond="diploma", door=door())
    rij = Trajectenlijst().rij(traject)
    assert (rij.eerstvolgende_deadline, rij.document["eerstvolgendeDeadline"]["soort"]) == ("2025-06-30", "bezwaartermijn")


def niet_ingeschreven() -> Inburgeringstraject:
    """A statushouder gekoppeld to Dordrecht by COA's TVS-profiel of 2025-01-06, not yet in the BRP."""
    return Inburgeringstraject.start_na_tvs_profiel(
        datum=date(2025, 1, 6), gemeente=Gemeente.DORDRECHT, bsn=een_bsn(), huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door(),
    )


def test_a_statushouder_without_brp_inschrijving_is_on_the_worklist_and_first_in_the_case_list() -> None:
    # Given a statushouder without a BRP-inschrijving, so without a PIP date
    traject = niet_ingeschreven()
    # Then the worklist holds the expected inschrijving, with the fact it runs from and its basis
    assert Signaleringen().rijen(traject) == [SignaleringRij(
        traject_id=str(traject.id), soort="brp-inschrijving-na-tvs-profiel", zaaknummer=0, gemeente="0505", regisseur="regisseur-test",
        uiterlijk="2025-03-31", grondslag="SDD beleid (huisvesting na koppeling), Bi 5.3(1)", betrokkene=Trajectenlijst().rij(traject).betrokkene,
    )]
    assert Trajectenlijst().rij(traject).eerstvolgende_deadline == "2025-03-31"


def test_the_brp_signal_leaves_the_worklist_once_the_inschrijving_is_recorded() -> None:
    # Given a statushouder on the worklist for the inschrijving
    traject = niet_ingeschreven()
    traject.registreer_kennisgeving(datum=date(2025, 1, 20), verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD, door=door())
    # When the inschrijving is recorded
    traject.registreer_huisvesting(datum=date(2025, 2, 3), gemeente=Gemeente.DORDRECHT, door=door())
    # Then the PIP date and the intake signal take its place
    assert soorten(traject) == {"pip-vaststelling", "brede-intake-signaal"}


def test_the_brp_signal_leaves_the_worklist_when_the_trajectory_ends_without_inschrijving() -> None:
    # Given two statushouders on the worklist for the inschrijving
    verhuisd, vrijgesteld = niet_ingeschreven(), niet_ingeschreven()
    # When one moves out of the region and DUO exempts the other
    verhuisd.verhuis_buiten_regio(datum=date(2025, 3, 1), nieuwe_gemeente="0363", toelichting="Gehuisvest in Amsterdam", door=door())
    vrijgesteld.registreer_vrijstelling(datum=date(2025, 3, 1), grond="diploma", door=door())
    # Then neither is on the worklist any more
    assert (soorten(verhuisd), soorten(vrijgesteld)) == (set(), set())
