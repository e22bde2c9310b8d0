"""The Inburgeringstraject aggregate, composed of one part per phase of the process."""

from domain.traject.aggregaat import Inburgeringstraject
from domain.traject.basis import Boete, Deadline, Gebeurtenis, Gesprek, Handhavingszaak, Status, ZaakStap
from domain.traject.intake import doelgroep_volgens_vergunning
from domain.traject.pip import Aanbod
from domain.traject.uitvoering import Fase, MapThema, Uursoort

__all__ = [
    "Aanbod", "Boete", "Deadline", "Fase", "Gebeurtenis", "Gesprek", "Handhavingszaak", "Inburgeringstraject",
    "MapThema", "Status", "Uursoort", "ZaakStap", "doelgroep_volgens_vergunning",
]
