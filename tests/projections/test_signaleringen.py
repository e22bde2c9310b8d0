"""The worklist rows a trajectory yields, straight from the aggregate."""

from datetime import date

from domain.traject import Inburgeringstraject
from projections.signaleringen import Signaleringen
from projections.trajectenlijst import Trajectenlijst
from tests.builders import door, gezinsmigrant_met_pip
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
