"""Field-level encryption of personal data in stored events (crypto-shredding, digest 5.4).

The fields a fact declares personal (domain/persoonsgegevens.py) are stored as an envelope: the
value's JSON, encrypted with AES-GCM under the data key of the event's aggregate (its holder) and the
field's retention class. Everything else stays as the library stores it, readable for replay, reports
and audits. Reading a field whose key was destroyed gives VERWIJDERD instead of the value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, Transcoder, Transcoding
from eventsourcing.utils import resolve_topic

from adapters.keten import splits
from adapters.sleutelkluis import Sleutelkluis, SleutelVernietigdError
from domain.persoonsgegevens import VERWIJDERD, Bewaarklasse, is_verwijderd
from domain.velden import persoonsvelden, vervang_op_pad

ENVELOP = "_versleuteld"  # marks a stored value as ciphertext; never a key of any field of ours


class VeldversleutelendeMapper(Mapper[UUID]):
    """With `ontsleutelen=False` (for the projections) a personal field is read as its envelope, exactly as
    stored: a read model that shows none of them needs no key, and it never holds one in plain text."""

    def __init__(self, transcoder: Transcoder, kluis: Sleutelkluis | None, *, ontsleutelen: bool = True) -> None:
        super().__init__(transcoder=transcoder)
        if kluis is None and ontsleutelen:
            raise ValueError("een mapper die ontsleutelt heeft een sleutelkluis nodig")
        self._sleutelkluis = kluis
        self.ontsleutelen = ontsleutelen

    @property
    def kluis(self) -> Sleutelkluis:
        if self._sleutelkluis is None:
            raise TypeError("deze mapper leest alleen, zonder sleutels: hij versleutelt en ontsleutelt niets")
        return self._sleutelkluis

    def __reduce__(self) -> tuple[Any, ...]:
        """Only a mapper that decrypts nothing goes to another process (a rebuild's worker processes,
        projections/projector.py), and without its key store: there it only reads. Its transcoder is made again
        from its transcodings, as a JSON decoder does not pickle."""
        if self.ontsleutelen or not isinstance(self.transcoder, JSONTranscoder) or self.compressor or self.cipher:
            raise TypeError("alleen een mapper die niets ontsleutelt gaat naar een ander proces")
        return _alleen_lezend, (tuple(self.transcoder.names.values()),)

    @contextmanager
    def binnen_een_opslag(self, domain_events: Sequence[DomainEventProtocol[UUID]]) -> Iterator[None]:
        """For one save: every key its personal fields need, fetched (or made) together beforehand."""
        nodig: set[tuple[UUID, Bewaarklasse]] = set()
        nieuw: set[UUID] = set()  # aggregates this save begins: their keys do not exist yet
        for event in domain_events:
            toestand = dict(vars(event))  # a copy: vervang_op_pad only visits its fields here
            houder = _houder(type(event), toestand)
            if houder == event.originator_id and event.originator_version == 1:
                nieuw.add(houder)
            for pad, klasse in persoonsvelden(type(event)).items():
                vervang_op_pad(toestand, pad, functools.partial(_noteer, nodig, houder, klasse))
        with self.kluis.binnen_een_opslag(nodig, nieuw):
            yield

    def voor_het_lezen(self, stored_events: Sequence[StoredEvent]) -> None:
        """Before these events are decrypted one by one: their aggregates' keys, fetched together."""
        if self.ontsleutelen and any(persoonsvelden(resolve_topic(e.topic)) for e in stored_events):
            self.kluis.laad_voor({cast(UUID, e.originator_id) for e in stored_events})

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        velden = persoonsvelden(type(domain_event))
        if not velden:
            return super().to_stored_event(domain_event)
        toestand = dict(vars(domain_event))
        houder = _houder(type(domain_event), toestand)
        plek = (toestand["originator_id"], toestand["originator_version"])
        for pad, klasse in velden.items():
            vervang_op_pad(toestand, pad, functools.partial(self._versleutel, houder, plek, pad, klasse))
        kopie = object.__new__(type(domain_event))
        object.__setattr__(kopie, "__dict__", toestand)
        return super().to_stored_event(cast(DomainEventProtocol[UUID], kopie))

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        state, _ = splits(stored_event.state)  # the chain hash is the store's, not the fact's (adapters/keten.py)
        stored_event = StoredEvent(stored_event.originator_id, stored_event.originator_version, stored_event.topic, state)
        event = super().to_domain_event(stored_event)
        velden = persoonsvelden(type(event))
        if velden and self.ontsleutelen:
            toestand = vars(event)
            for pad in velden:
                vervang_op_pad(toestand, pad, functools.partial(self._ontsleutel, stored_event, pad))
        return event

    # -- one field ---------------------------------------------------------------------------

    def _versleutel(self, houder: UUID, plek: tuple[UUID, int], pad: str, klasse: Bewaarklasse, waarde: Any) -> Any:
        if waarde is None:
            return None  # nothing to protect, and "not given" stays visible as such
        if is_verwijderd(waarde):
            raise SleutelVernietigdError(f"{pad} van {houder} is verwijderd en kan niet opnieuw worden vastgelegd")
        return {ENVELOP: self.kluis.versleutel(houder, klasse, self.transcoder.encode(waarde), _context(*plek, pad))}

    def _ontsleutel(self, stored_event: StoredEvent, pad: str, waarde: Any) -> Any:
        if not (isinstance(waarde, dict) and set(waarde) == {ENVELOP}):
            return waarde  # None, or a value recorded before fields were encrypted (development stores only)
        plek = cast(UUID, stored_event.originator_id), stored_event.originator_version
        platte_tekst = self.kluis.ontsleutel(waarde[ENVELOP], _context(*plek, pad))
        return VERWIJDERD if platte_tekst is None else self.transcoder.decode(platte_tekst)


def _alleen_lezend(transcodings: tuple[Transcoding, ...]) -> VeldversleutelendeMapper:
    """The mapper `__reduce__` describes, made again in the process it went to."""
    transcoder = JSONTranscoder()
    for transcoding in transcodings:
        transcoder.register(transcoding)
    return VeldversleutelendeMapper(transcoder, None, ontsleutelen=False)


def _noteer(nodig: set[tuple[UUID, Bewaarklasse]], houder: UUID, klasse: Bewaarklasse, waarde: object) -> object:
    """Note that a save needs this holder's key of this class when the field has a value; the value stays as it is."""
    if waarde is not None:
        nodig.add((houder, klasse))
    return waarde


def _houder(soort: type, toestand: dict[str, Any]) -> UUID:
    """Whose key: the aggregate's own, or the one a fact names (an Opdracht's fields go with its trajectory)."""
    veld = getattr(soort, "SLEUTELHOUDER", None)
    return cast(UUID, toestand[veld] if veld else toestand["originator_id"])


def _context(originator_id: UUID, versie: int, pad: str) -> bytes:
    """Bound into each ciphertext: moved to another event or field, it no longer decrypts."""
    return f"{originator_id}|{versie}|{pad}".encode()

