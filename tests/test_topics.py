"""Event topics are the schema of the stored history: renaming one must fail here first."""

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic

from domain.opdracht import Opdracht
from domain.persoon import Persoonsregistratie
from domain.traject import Inburgeringstraject

GEPINDE_TOPICS = {
    "Inburgeringstraject.Gestart",
    "Inburgeringstraject.Gebeurtenis",
    "Inburgeringstraject.TvsProfielOntvangen",
    "Inburgeringstraject.InburgeringsplichtVastgesteld",
    "Inburgeringstraject.HuisvestingGeregistreerd",
    "Inburgeringstraject.BredeIntakeGehouden",
    "Inburgeringstraject.PipVastgesteld",
    "Inburgeringstraject.LeerrouteGewijzigd",
    "Inburgeringstraject.VoortgangsgesprekGevoerd",
    "Inburgeringstraject.VoortgangsgesprekGemist",
    "Inburgeringstraject.BoeteOpgelegd",
    "Persoonsregistratie.Aangemaakt",
    "Persoonsregistratie.TrajectGekoppeld",
    "Opdracht.Verwerkt",
}


def test_every_event_class_keeps_its_pinned_topic() -> None:
    topics = {
        get_topic(klasse)
        for aggregaat in (Inburgeringstraject, Persoonsregistratie, Opdracht)
        for naam, klasse in vars(aggregaat).items()
        if isinstance(klasse, type) and issubclass(klasse, CanMutateAggregate) and naam != "Event"
    }
    assert topics == GEPINDE_TOPICS
