"""Who recorded a fact: the part every fact shares, with each field declared like a fact's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from domain.persoonsgegevens import KORT
from domain.velden import IEDEREEN, NIET_PERSOONLIJK, ZONDER_DUO, Veld
from domain.waarden import Gemeente, Vastlegging


@dataclass(frozen=True)
class Metadata:
    """Who recorded a fact, on whose behalf, in which request, and why (the audit trail's toelichting)."""

    gebruiker: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
    rol: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
    gemeente: Annotated[str | None, Veld(NIET_PERSOONLIJK, IEDEREEN)]
    correlatie_id: Annotated[str, Veld(NIET_PERSOONLIJK, IEDEREEN)]
    # X-Audit-Toelichting: free text about the case, so encrypted, and not part of what DUO receives (Bi 9.2-9.6).
    toelichting: Annotated[str | None, Veld(KORT, ZONDER_DUO)] = None
    applicatie: Annotated[str | None, Veld(NIET_PERSOONLIJK, IEDEREEN)] = None  # the client application named in the token
    trace_id: Annotated[str | None, Veld(NIET_PERSOONLIJK, IEDEREEN)] = None  # W3C trace: joins the fact to the access and audit log

    @classmethod
    def van(cls, door: Vastlegging, namens: Gemeente) -> Metadata:
        return cls(door.gebruiker, door.rol.value, namens.value, door.correlatie_id, door.toelichting, door.applicatie, door.trace_id)
