"""The projection machinery: follow the event log and keep every read model exactly once up to date.

Each read model has its own position (tracking) that its store writes in the same transaction as
its rows, and only if the position is still the one this batch started from. So a batch is applied
once, a restart resumes where the last committed batch ended, and two processes that project at the
same time cannot both apply a batch: the loser rolls back and continues from the winner's position.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from domain.application import Inburgering
from domain.traject import Inburgeringstraject
from projections.signaleringen import SignaleringRij, Signaleringen
from projections.trajectenlijst import Trajectenlijst, TrajectRij

TRAJECT_TOPIC = "Inburgeringstraject."
BATCH = 500  # notifications per transaction: larger batches were slower (shared/eventsourcing.md §4)


class PositieVerouderdError(Exception):
    """Another process advanced this read model first; its batch stands, ours is rolled back."""


class Leesmodelopslag(Protocol):
    """Where the read models live (SQLite or PostgreSQL); each write also moves the position."""

    def positie(self, naam: str) -> int: ...
    def schrijf_trajecten(self, van: int, tot: int, rijen: dict[str, TrajectRij]) -> None: ...
    def schrijf_signaleringen(self, van: int, tot: int, rijen: dict[str, list[SignaleringRij]]) -> None: ...
    def wis(self, naam: str) -> None: ...


class Projectie(Protocol):
    naam: str

    def bereken(self, traject: Inburgeringstraject) -> Any: ...
    def bewaar(self, opslag: Leesmodelopslag, van: int, tot: int, rijen: dict[str, Any]) -> None: ...


class TrajectenlijstProjectie(Trajectenlijst):
    def bereken(self, traject: Inburgeringstraject) -> TrajectRij:
        return self.rij(traject)

    def bewaar(self, opslag: Leesmodelopslag, van: int, tot: int, rijen: dict[str, Any]) -> None:
        opslag.schrijf_trajecten(van, tot, rijen)


class SignaleringenProjectie(Signaleringen):
    def bereken(self, traject: Inburgeringstraject) -> list[SignaleringRij]:
        return self.rijen(traject)

    def bewaar(self, opslag: Leesmodelopslag, van: int, tot: int, rijen: dict[str, Any]) -> None:
        opslag.schrijf_signaleringen(van, tot, rijen)


LEESMODELLEN: tuple[type[Projectie], ...] = (TrajectenlijstProjectie, SignaleringenProjectie)  # type: ignore[assignment]
Voortgang = Callable[[str, int, int], None]  # (read model, position, head)


class Projector:
    """Brings read models up to the head of the event log, in this process."""

    def __init__(self, app: Inburgering, opslag: Leesmodelopslag, cache_grootte: int = 10_000) -> None:
        self.app, self.opslag = app, opslag
        self.projecties: dict[str, Projectie] = {klasse.naam: klasse() for klasse in LEESMODELLEN}
        self._slot = threading.Lock()  # one catch-up at a time in this process; other processes: see above
        self._trajecten: dict[str, OrderedDict[UUID, Inburgeringstraject]] = {n: OrderedDict() for n in self.projecties}
        self._cache_grootte = cache_grootte

    def kop(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def achterstand(self) -> dict[str, tuple[int, int]]:
        """Per read model: (its position, the head of the log)."""
        kop = self.kop()
        return {naam: (self.opslag.positie(naam), kop) for naam in self.projecties}

    def bij(self, naam: str | None = None, voortgang: Voortgang | None = None) -> int:
        """Process what is new; returns how many notifications were read."""
        with self._slot:
            return sum(self._bij(n, voortgang) for n in self._namen(naam))

    def herbouw(self, naam: str | None = None, voortgang: Voortgang | None = None) -> int:
        """Empty the read model(s) and project again from the first event."""
        with self._slot:
            for n in self._namen(naam):
                self.opslag.wis(n)
                self._trajecten[n].clear()
            return sum(self._bij(n, voortgang) for n in self._namen(naam))

    def _namen(self, naam: str | None) -> list[str]:
        if naam is not None and naam not in self.projecties:
            raise KeyError(f"onbekend leesmodel {naam!r}; kies uit {', '.join(self.projecties)}")
        return [naam] if naam else list(self.projecties)

    def _bij(self, naam: str, voortgang: Voortgang | None) -> int:
        projectie, gelezen = self.projecties[naam], 0
        positie = self.opslag.positie(naam)
        kop = self.kop() if voortgang else 0
        while notificaties := self.app.recorder.select_notifications(start=positie, limit=BATCH, inclusive_of_start=False):
            rijen: dict[str, Any] = {}
            for notificatie in notificaties:
                if notificatie.topic.startswith(TRAJECT_TOPIC):  # other aggregates share the log
                    traject = self._na(naam, self.app.mapper.to_domain_event(notificatie))
                    rijen[str(traject.id)] = projectie.bereken(traject)
            tot = notificaties[-1].id
            try:
                projectie.bewaar(self.opslag, positie, tot, rijen)
            except PositieVerouderdError:
                positie = self.opslag.positie(naam)  # another process did this batch
                continue
            gelezen, positie = gelezen + len(notificaties), tot
            if voortgang:
                voortgang(naam, positie, max(kop, positie))
        return gelezen

    def _na(self, naam: str, event: Any) -> Inburgeringstraject:
        """The trajectory as it was right after `event`, kept in memory to avoid replaying it every time."""
        cache, versie = self._trajecten[naam], event.originator_version
        traject = cache.pop(event.originator_id, None)
        if traject is not None and traject.version == versie - 1:
            event.mutate(traject)
        elif traject is None or traject.version != versie:
            traject = self.app.repository.get(event.originator_id, version=versie)
        cache[event.originator_id] = traject
        if len(cache) > self._cache_grootte:
            cache.popitem(last=False)
        return traject
