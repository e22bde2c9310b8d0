"""The register of processing activities (AVG art. 30) that the access log refers to.

Each entry has a stable, versioned id: an access-log record names the activity under which personal
data were processed (Logboek Dataverwerkingen, `dpl.core.processing_activity_id`). A new version is a
new entry; an old record keeps pointing at the version it was made under.
"""

from __future__ import annotations

from dataclasses import dataclass

REGISTER = "https://register.sdd-inburgering.nl/verwerkingsactiviteiten"


@dataclass(frozen=True)
class Verwerkingsactiviteit:
    code: str
    naam: str
    grondslag: str
    versie: int = 1

    @property
    def uri(self) -> str:
        return f"{REGISTER}/{self.code}/v{self.versie}"


TRAJECTREGIE = Verwerkingsactiviteit("trajectregie", "Regie op het inburgeringstraject", "Wi 6, Wi 13-18")
BREDE_INTAKE_EN_PIP = Verwerkingsactiviteit("brede-intake-en-pip", "Brede intake afnemen en PIP vaststellen", "Wi 14-16, Wi 37(2)")
HANDHAVING = Verwerkingsactiviteit("handhaving", "Handhaving: rapport, voornemen, boete en bezwaar", "Wi 22-23, Awb titel 5.4, 7")
VERSTREKKING_DUO = Verwerkingsactiviteit("verstrekking-duo", "Gegevensverstrekking aan DUO", "Wi 33-34, Bi 9.2-9.6")
VERANTWOORDING = Verwerkingsactiviteit("verantwoording", "Controle en verantwoording (accountant, ENSIA)", "Gemeentewet 213, BIO")
BEWAREN_EN_VERNIETIGEN = Verwerkingsactiviteit("bewaren-en-vernietigen", "Bewaren en vernietigen van persoonsgegevens", "Bi 9.9")

ACTIVITEITEN = (TRAJECTREGIE, BREDE_INTAKE_EN_PIP, HANDHAVING, VERSTREKKING_DUO, VERANTWOORDING, BEWAREN_EN_VERNIETIGEN)
