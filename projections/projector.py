"""The projection machinery: follow the event log and keep every read model exactly once up to date.

Each read model has its own position (tracking) that its store writes in the same transaction as
its rows, and only if the position is still the one this batch started from. So a batch is applied
once, a restart resumes where the last committed batch ended, and two processes that project at the
same time cannot both apply a batch: the loser rolls back and continues from the winner's position.

An event that a read model cannot take (any error while computing or writing its rows) must not stop
every reader: the read model stops just before it, the store records a `Storing` (the event's position,
since when, and what kind of error), and readers keep getting the last committed state with its lag.
Every later round tries that event again, so a cause that is fixed heals on its own; the other read
models go on. A stop is recorded and logged when it begins or its error changes, not on every round:
with the projections inside the API a round runs on every list read. An error that says the database
is unreachable or busy (the store's `voorbijgaand`) is not about the event: it goes to the caller.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification, StoredEvent

from domain.application import Inburgering, pas_toe
from domain.traject import Inburgeringstraject
from projections.signaleringen import SignaleringRij, Signaleringen
from projections.trajectenlijst import Trajectenlijst, TrajectRij

TRAJECTEN_PER_BATCH = 500  # of a rebuild: read whole, computed once, written together
STARTS_VENSTER = 20_000  # positions of the log a rebuild searches for starts at once (each is read once)
BATCH = 2000  # notifications per read of the log, and per transaction that writes the read models
REKENPROCESSEN_VANAF = 50_000  # positions of the log from which a rebuild computes rows in worker processes
log = logging.getLogger("inburgering.projecties")
T = TypeVar("T")


class PositieVerouderdError(Exception):
    """Another process advanced this read model first; its batch stands, ours is rolled back."""


class AndereVersieError(PositieVerouderdError):
    """The read model's tables in use are of another version than this code's (swapped meanwhile): this
    process does not write them."""


class OpbouwVerlorenError(Exception):
    """Another process took over the lease to build a read model's new version (this one stalled)."""


@dataclass(frozen=True)
class Storing:
    """Where a read model stopped: the event it could not take, since when, and the error as the store
    describes it (`foutmelding`: no data from the event)."""

    positie: int
    tijdstip: datetime
    fout: str


@dataclass(frozen=True)
class Opbouw:
    """A read model's new version, built beside the one in use: how far it got, and since when."""

    versie: int
    positie: int
    kop: int
    sinds: datetime
    verlopen: bool  # its builder stopped renewing its lease; the next process of this version takes over


@dataclass(frozen=True)
class Stand:
    """A read model's position against the head of the log, and why it stopped, if it did; the version in
    use and, during an upgrade, the one being built beside it."""

    positie: int
    kop: int
    storing: Storing | None
    versie: int | None = None
    opbouw: Opbouw | None = None

    @property
    def achterstand(self) -> int:
        return max(0, self.kop - self.positie)


class Leesmodelopslag(Protocol):
    """Where the read models live (SQLite or PostgreSQL); each write also moves the position and clears
    a storing it got past."""

    def positie(self, naam: str) -> int: ...
    def posities(self) -> dict[str, int]: ...
    def posities_en_kop(self, kop: Callable[[], int]) -> tuple[dict[str, int], int]: ...  # `kop`: the head, where not read along
    def samen(self) -> AbstractContextManager[None]: ...  # the writes within in one transaction
    # `nieuw`: rows of trajectories that have none yet; a row that is there after all fails the write as a whole
    def schrijf_trajecten(self, van: int, tot: int, rijen: dict[str, TrajectRij], *, nieuw: bool = False) -> None: ...
    def schrijf_signaleringen(self, van: int, tot: int, rijen: dict[str, list[SignaleringRij]], *, nieuw: bool = False) -> None: ...
    def wis(self, naam: str) -> None: ...
    def versies(self) -> dict[str, int]: ...  # per read model the version in use
    def codeversie(self, naam: str) -> int: ...
    def eigen_leesmodellen(self) -> frozenset[str]: ...  # those whose version in use is this code's: only those are written
    def neem_opbouw(self, naam: str, eigenaar: str, seconden: float, kop: int, sinds: datetime) -> bool: ...
    def verleng_opbouw(self, naam: str, eigenaar: str, seconden: float, positie: int, kop: int) -> bool: ...
    def opbouwopslag(self, naam: str) -> Leesmodelopslag: ...  # this code's version of `naam`, beside, made empty
    def wissel(self, naam: str, eigenaar: str) -> bool: ...  # swap the version built beside in, atomically
    def opbouw(self) -> dict[str, Opbouw]: ...
    def tel_opnieuw(self, naam: str) -> None: ...  # the planner's statistics, after a rebuild
    def meld_storing(self, naam: str, positie: int, tijdstip: datetime, fout: str) -> None: ...
    def storingen(self) -> dict[str, Storing]: ...
    def foutmelding(self, fout: Exception) -> str: ...  # what a Storing may say of an error
    def voorbijgaand(self, fout: Exception) -> bool: ...  # the database unreachable or busy, not the event


@runtime_checkable
class Stromen(Protocol):
    """A recorder that reads the events of many aggregates at once, and finds where aggregates begin
    (adapters/keten.py)."""

    def select_events_van_elk(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]: ...
    def select_eerste_events(self, topic_begin: str, na: int, tot: int) -> list[tuple[int, UUID]]: ...


class Projectie(Protocol):
    naam: str

    def bereken(self, traject: Inburgeringstraject) -> Any: ...
    def bewaar(self, opslag: Leesmodelopslag, van: int, tot: int, rijen: dict[str, Any], *, nieuw: bool = False) -> None: ...


class TrajectenlijstProjectie(Trajectenlijst):
    def bereken(self, traject: Inburgeringstraject) -> TrajectRij:
        return self.rij(traject)

    def bewaar(self, opslag: Leesmodelopslag, van: int, tot: int, rijen: dict[str, Any], *, nieuw: bool = False) -> None:
        opslag.schrijf_trajecten(van, tot, rijen, nieuw=nieuw)


class SignaleringenProjectie(Signaleringen):
    def bereken(self, traject: Inburgeringstraject) -> list[SignaleringRij]:
        return self.rijen(traject)

    def bewaar(self, opslag: Leesmodelopslag, van: int, tot: int, rijen: dict[str, Any], *, nieuw: bool = False) -> None:
        opslag.schrijf_signaleringen(van, tot, rijen, nieuw=nieuw)


LEESMODELLEN: tuple[type[Projectie], ...] = (TrajectenlijstProjectie, SignaleringenProjectie)
Voortgang = Callable[[str, int, int], None]  # (read model, position, head)
LEASE = 60.0  # seconds a builder of a new version holds its lease without renewing it (it renews at every part)


class Projector:
    """Brings read models up to the head of the event log, in this process."""

    def __init__(self, app: Inburgering, opslag: Leesmodelopslag, cache_grootte: int = 10_000, *, rekenprocessen: int = 0) -> None:
        """`rekenprocessen`: worker processes that compute a large rebuild's rows (`_per_traject`); with 0 they are
        computed in this process, as in the API (its cores serve requests)."""
        self.app, self.opslag = app, opslag
        self.rekenprocessen = rekenprocessen
        self.mapper = app.projectiemapper  # personal fields stay encrypted: no read model shows them
        self.projecties: dict[str, Projectie] = {klasse.naam: klasse() for klasse in LEESMODELLEN}
        self._slot = threading.Lock()  # one catch-up at a time in this process; other processes: see above
        self._trajecten: OrderedDict[UUID, Inburgeringstraject] = OrderedDict()  # the latest state seen, shared
        self._cache_grootte = cache_grootte
        self._gestopt: dict[str, tuple[int, str]] = {}  # per read model where it last stopped, and why
        self._bouwers: dict[str, Projector] = {}  # per read model the builder of its new version, between rounds

    def kop(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def achterstand(self) -> dict[str, tuple[int, int]]:
        """Per read model: (its position, the head of the log)."""
        return {naam: (stand.positie, stand.kop) for naam, stand in self.stand().items()}

    def stand(self) -> dict[str, Stand]:
        kop, storingen, versies, opbouw = self.kop(), self.opslag.storingen(), self.opslag.versies(), self.opslag.opbouw()
        return {naam: Stand(self.opslag.positie(naam), kop, storingen.get(naam), versies.get(naam), opbouw.get(naam))
                for naam in self.projecties}

    def achterstand_van(self, naam: str) -> int:
        """How many positions of the log this read model has not processed yet."""
        return max(0, self.kop() - self.opslag.positie(naam))

    def bij(self, naam: str | None = None, voortgang: Voortgang | None = None) -> int:
        """Process what is new; returns how many notifications were read."""
        return self._breng_bij(self._namen(naam), voortgang)[0]

    def bij_en_achterstand(self, naam: str) -> int:
        """Bring every read model up to the head of the log as it stands now, then how far `naam` is behind:
        a list read in the embedded mode (read-your-writes). Events committed after the read began are left to
        the next read: under a steady stream of commands a read no longer chases the head. When they were up
        to date already, that check answers it (two queries in all)."""
        posities, kop = self.opslag.posities_en_kop(self.kop)
        if all(posities.get(n, 0) >= kop for n in self.projecties):
            return 0  # the usual case: one query where the read models lie beside the event table
        eigen = self._namen(None)
        _, al_bij = self._breng_bij(eigen, None, tot=kop) if eigen else (0, False)
        return 0 if al_bij and naam in eigen else self.achterstand_van(naam)

    def _breng_bij(self, namen: list[str], voortgang: Voortgang | None, tot: int | None = None) -> tuple[int, bool]:
        """Up to position `tot` (by default the head, wherever it goes meanwhile): (notifications read, whether
        all were there already)."""
        if self._bij_op(namen, tot):
            return 0, True  # the usual case, and no waiting on the lock behind another thread's catch-up
        with self._slot:
            if self._bij_op(namen, tot):
                return 0, True  # another thread brought them there while this one waited
            return self._verwerk_nieuw(namen, voortgang, tot), False

    def _bij_op(self, namen: list[str], tot: int | None) -> bool:
        posities, doel = self.opslag.posities(), self.kop() if tot is None else tot
        return all(posities.get(n, 0) >= doel for n in namen)

    def herbouw(self, naam: str | None = None, voortgang: Voortgang | None = None) -> int:
        """Empty the read model(s) and project again from the first event: trajectory by trajectory up to
        the head of the log as it stood, then what came after in log order."""
        with self._slot:
            namen = self._namen(naam)
            if not namen:
                return 0
            self._wis(namen)
            gelezen = self._per_traject(namen, voortgang)
            if gelezen is None:  # which event, and which read model: the log-order path finds out and records the stop
                self._wis(namen)
                gelezen = 0
            gelezen += self._verwerk_nieuw(namen, voortgang)
            for n in namen:
                self.opslag.tel_opnieuw(n)
            return gelezen

    def _wis(self, namen: list[str]) -> None:
        for n in namen:
            self.opslag.wis(n)
            self._gestopt.pop(n, None)
        self._trajecten.clear()  # they stand at the end of the log; the rebuild starts at its beginning

    def _per_traject(self, namen: list[str], voortgang: Voortgang | None) -> int | None:
        """Every trajectory started up to the head, read whole and computed once, TRAJECTEN_PER_BATCH at a
        time; then the position moves to the head. In log order a trajectory whose events lie far apart
        fell out of any cache of bounded size and was read back from the store again and again. Each row is
        a function of its trajectory's state, so a state past the head (a command during the rebuild) is
        what the log-order pass after it computes again; rows written before the position moves are of a
        read model that stands at 0, which is where a runner in another process would start too."""
        kop = self.kop()
        # While one part is computed, a thread reads the next from the store and another writes the rows of the
        # one before: the rebuild waited on the database for about a third of its time. With worker processes as
        # many parts are computed at once as there are processes; their rows are written in log order.
        geschreven: Future[None] | None = None
        with (vooruit_gelezen(self._trajectdelen(kop)) as delen, self._rekenaar(kop) as (rekenaar, vooruit),
              ThreadPoolExecutor(1, "herbouw-schrijver") as schrijver):
            lopend: deque[tuple[int, Future[dict[str, dict[str, Any]]]]] = deque()

            def schrijf_oudste() -> bool:
                """The oldest part computed to the writer, and its progress; False when it or the part before failed."""
                nonlocal geschreven
                if (geschreven := self._schrijf_berekend(namen, lopend[0][1], geschreven, schrijver)) is None:
                    return False
                self._gevorderd(namen, lopend.popleft()[0], kop, voortgang)
                return True

            for positie, stromen in delen:
                try:
                    lopend.append((positie, rekenaar.submit(reken_rijen, self.mapper, self.projecties, namen, stromen)))
                except BrokenExecutor:
                    self._rekenproces_gestopt()
                    return None
                while len(lopend) > vooruit:
                    if not schrijf_oudste():
                        return None
            while lopend:
                if not schrijf_oudste():
                    return None
            if geschreven is not None and self._mislukt(geschreven):
                return None
        for naam in namen:
            self.projecties[naam].bewaar(self.opslag, 0, kop, {})
            if voortgang:
                voortgang(naam, kop, kop)
        return len(namen) * kop

    def _schrijf_berekend(self, namen: list[str], berekend: Future[dict[str, dict[str, Any]]], geschreven: Future[None] | None,
                          schrijver: Executor) -> Future[None] | None:
        """A part's rows to the writer, once they are computed and the part before it is written; None when either
        failed."""
        if self._mislukt(berekend) or (geschreven is not None and self._mislukt(geschreven)):
            return None
        return schrijver.submit(self._schrijf_per_traject, namen, berekend.result())

    @staticmethod
    def _gevorderd(namen: list[str], positie: int, kop: int, voortgang: Voortgang | None) -> None:
        """Progress, outside the handling of a part's errors: an error of `voortgang` (a build's lease lost) is the caller's."""
        for naam in namen:
            if voortgang:
                voortgang(naam, positie, kop)

    def _mislukt(self, werk: Future[Any]) -> bool:
        """Whether computing or writing rows failed: an event a read model cannot take (the caller then finds out
        which, in log order), unless the error says the database is unreachable or busy: then it is raised."""
        try:
            werk.result()
            return False
        except BrokenExecutor:
            self._rekenproces_gestopt()
            return True
        except Exception as fout:
            if self.opslag.voorbijgaand(fout):
                raise
            return True

    @staticmethod
    def _rekenproces_gestopt() -> None:
        """A worker process died (killed, out of memory): not the event's fault, and nothing of its part was
        written. The rebuild goes on in log order, in this process."""
        log.warning("een rekenproces van de herbouw stopte; de herbouw gaat verder in logvolgorde, in dit proces")

    @contextmanager
    def _rekenaar(self, kop: int) -> Iterator[tuple[Executor, int]]:
        """Where a rebuild's rows are computed, and how many parts may be computed ahead of the writer. Worker
        processes pay off from a large log on (each starts an interpreter). They start fresh ("spawn"): a fork
        would inherit this process's threads and connections mid-use. Each gets the mapper that decrypts
        nothing, without the key store (adapters/versleuteling.py)."""
        if self.rekenprocessen < 1 or kop < REKENPROCESSEN_VANAF:
            yield _HierEnNu(), 0
            return
        processen = ProcessPoolExecutor(self.rekenprocessen, multiprocessing.get_context("spawn"))
        try:
            yield processen, self.rekenprocessen
        finally:
            processen.shutdown(wait=True, cancel_futures=True)

    def _trajectdelen(self, kop: int) -> Iterator[tuple[int, Mapping[UUID, Sequence[StoredEvent]]]]:
        """The stored events of every trajectory started up to `kop`, TRAJECTEN_PER_BATCH trajectories at a
        time, each part with the position in the log up to which its starts were found."""
        recorder = self.app.recorder
        if not isinstance(recorder, Stromen):
            raise TypeError(f"{type(recorder).__name__} leest geen stromen van veel aggregaten tegelijk")
        positie, starts = 0, list[tuple[int, UUID]]()
        # Every first event whose topic is the trajectory's, of whatever type: a trajectory this version cannot
        # read is found here too, and then the log-order path records where the read model stops.
        while positie < kop:
            van, positie = positie, min(positie + STARTS_VENSTER, kop)
            starts += recorder.select_eerste_events(Inburgeringstraject.FEITEN, van, positie)
            while len(starts) >= TRAJECTEN_PER_BATCH or (starts and positie == kop):
                deel, starts = starts[:TRAJECTEN_PER_BATCH], starts[TRAJECTEN_PER_BATCH:]
                yield deel[-1][0] if starts else positie, recorder.select_events_van_elk([id_ for _, id_ in deel])

    def _schrijf_per_traject(self, namen: list[str], rijen: dict[str, dict[str, Any]]) -> None:
        with self.opslag.samen():
            for naam in namen:
                # Rows only, the position stays at 0; rows of trajectories that have none: each is in one part, and the
                # read model was emptied before the first (a row there all the same, of another process's rebuild,
                # fails the part, and then the rebuild goes on in log order).
                self.projecties[naam].bewaar(self.opslag, 0, 0, rijen[naam], nieuw=True)

    def _namen(self, naam: str | None) -> list[str]:
        """The read models asked for that this process writes: those whose version in use is this code's. Of
        another version (a newer one built beside it, or an older process after the swap) it only reads."""
        if naam is not None and naam not in self.projecties:
            raise KeyError(f"onbekend leesmodel {naam!r}; kies uit {', '.join(self.projecties)}")
        eigen = self.opslag.eigen_leesmodellen()
        return [n for n in ([naam] if naam else self.projecties) if n in eigen]

    def bouw_nieuwe_versies(self, eigenaar: str, voortgang: Voortgang | None = None) -> list[str]:
        """Build this code's version of every read model whose version in use is an older one beside it, one
        process at a time (a lease in the store), from the first event as `herbouw` does, while the old one
        keeps serving; then swap it in. Returns the read models swapped in. A process whose code is older than
        the version in use, or that finds another building this version, does nothing."""
        gewisseld = []
        for naam in self.projecties:
            if naam in self.opslag.eigen_leesmodellen():
                continue

            def verleng(n: str, positie: int, kop: int, naam: str = naam) -> None:
                if not self.opslag.verleng_opbouw(naam, eigenaar, LEASE, positie, kop):
                    raise OpbouwVerlorenError(f"een ander proces bouwt {naam} nu")
                if voortgang:
                    voortgang(n, positie, kop)

            # A build not swapped in yet (an error, a stop at an event, the swap's lock) goes on where it got
            # to while this process keeps the lease: a part written at position 0 is projected again in log order.
            bouwer = self._bouwers.get(naam)
            if bouwer is None or not self.opslag.verleng_opbouw(naam, eigenaar, LEASE, bouwer.opslag.positie(naam), self.kop()):
                self._bouwers.pop(naam, None)
                if not self.opslag.neem_opbouw(naam, eigenaar, LEASE, self.kop(), self.app.klok.nu()):
                    continue
                log.info("leesmodel %s: versie %d wordt opgebouwd", naam, self.opslag.codeversie(naam))
                bouwer = self._bouwers[naam] = Projector(self.app, self.opslag.opbouwopslag(naam), self._cache_grootte,
                                                         rekenprocessen=self.rekenprocessen)
                bouwer.herbouw(naam, verleng)
            bouwer.bij(naam, verleng)  # what was recorded during the rebuild; the rest after the swap
            if self.opslag.wissel(naam, eigenaar):
                del self._bouwers[naam]
                self._gestopt.pop(naam, None)
                log.info("leesmodel %s: versie %d in gebruik", naam, self.opslag.codeversie(naam))
                gewisseld.append(naam)
        return gewisseld

    def nog_te_bouwen(self) -> list[str]:
        """The read models whose version in use is older than this code's (or that have none yet)."""
        versies = self.opslag.versies()
        return [n for n in self.projecties if versies.get(n, 0) < self.opslag.codeversie(n)]

    def _samen(self, namen: list[str], voortgang: Voortgang | None, tot: int | None = None) -> tuple[int, bool]:
        """While the read models stand at one position and none stopped, the common case: each batch is read
        once, each trajectory it touches is brought up to date once, and each read model's rows are computed
        from that last state; the batch is written in one transaction. Returns the notifications read, and
        whether it reached the head; at anything else (an event a read model cannot take, another process
        ahead) it leaves the rest to `_bij`, read model by read model."""
        posities = self.opslag.posities()
        if len({posities.get(n, 0) for n in namen}) != 1 or any(n in self._gestopt for n in namen):
            return 0, False
        gelezen, positie = 0, posities.get(namen[0], 0)
        kop = self.kop() if voortgang else 0
        while notificaties := self.app.recorder.select_notifications(start=positie, limit=BATCH, stop=tot, inclusive_of_start=False):
            laatste = notificaties[-1].id
            try:
                bijgewerkt = self._bijgewerkt(notificaties)
                with self.opslag.samen():  # one commit for the batch, whichever read models take it
                    for naam in namen:
                        projectie = self.projecties[naam]
                        projectie.bewaar(self.opslag, positie, laatste, {str(t.id): projectie.bereken(t) for t in bijgewerkt})
            except PositieVerouderdError:
                return gelezen, False
            except Exception as fout:
                if self.opslag.voorbijgaand(fout):
                    raise
                return gelezen, False  # which event, and which read model: `_bij` finds out and records the stop
            gelezen, positie = gelezen + len(notificaties) * len(namen), laatste
            for naam in namen:
                if voortgang:
                    voortgang(naam, positie, max(kop, positie))
        return gelezen, True

    def _verwerk_nieuw(self, namen: list[str], voortgang: Voortgang | None, tot: int | None = None) -> int:
        """`_samen`, and where it could not go on, each read model on its own; up to position `tot` when given."""
        gelezen, aan_de_kop = self._samen(namen, voortgang, tot)
        return gelezen if aan_de_kop else gelezen + sum(self._bij(n, voortgang, tot) for n in namen)

    def _bijgewerkt(self, notificaties: Sequence[Notification]) -> list[Inburgeringstraject]:
        """The trajectories these notifications touch, each as it stands after the last of them."""
        bijgewerkt: dict[UUID, Inburgeringstraject] = {}
        for notificatie in notificaties:
            if notificatie.topic.startswith(Inburgeringstraject.FEITEN):  # other aggregates share the log
                traject = self._na(self.mapper.to_domain_event(notificatie))
                bijgewerkt[traject.id] = traject
        return list(bijgewerkt.values())

    def _bij(self, naam: str, voortgang: Voortgang | None, tot: int | None = None) -> int:
        gelezen, positie = 0, self.opslag.positie(naam)
        kop = self.kop() if voortgang else 0
        while notificaties := self.app.recorder.select_notifications(start=positie, limit=BATCH, stop=tot, inclusive_of_start=False):
            try:
                verwerkt = self._probeer(naam, positie, notificaties)
            except AndereVersieError:
                break  # swapped meanwhile: another version's processes write it now
            except PositieVerouderdError:
                nu = self.opslag.positie(naam)
                if nu == positie:  # refused as stale, yet it stands where the batch began: the store refuses the move
                    log.error("leesmodel %s: de positie blijft op %d staan, de opslag weigert haar te verzetten", naam, positie)
                    break  # else this thread would try again without end; readers see the lag
                positie = nu  # another process did this batch
                continue
            if verwerkt:
                gelezen, positie = gelezen + verwerkt, notificaties[verwerkt - 1].id
                if voortgang:
                    voortgang(naam, positie, max(kop, positie))
            if verwerkt < len(notificaties):
                break  # stopped before the event after `positie`; its Storing says why
        return gelezen

    def _probeer(self, naam: str, van: int, notificaties: Sequence[Notification]) -> int:
        """Process a batch; returns how many notifications it processed, fewer when one failed (then recorded)."""
        gestopt = self._gestopt.get(naam)
        if gestopt is None or gestopt[0] != notificaties[0].id:  # else: straight to the event that failed last time
            try:
                self._verwerk(naam, van, notificaties)
                return len(notificaties)
            except PositieVerouderdError:
                raise
            except Exception as fout:
                if self.opslag.voorbijgaand(fout):
                    raise
                # which event? Each in a transaction of its own, below
        for verwerkt, notificatie in enumerate(notificaties):
            try:
                self._verwerk(naam, van, [notificatie])
            except PositieVerouderdError:
                raise
            except Exception as fout:
                if self.opslag.voorbijgaand(fout):
                    raise
                self._meld(naam, notificatie.id, fout)
                return verwerkt
            van = notificatie.id
            self._gestopt.pop(naam, None)
        return len(notificaties)  # the batch failed as a whole, not on one event: go on

    def _meld(self, naam: str, positie: int, fout: Exception) -> None:
        """Record and log a stop when it is new to this process; write it only when the store does not
        hold it already (another process, or this one before a restart), so its time says since when."""
        storing = (positie, self.opslag.foutmelding(fout))
        if self._gestopt.get(naam) == storing:
            return
        bekend = self.opslag.storingen().get(naam)
        if bekend is None or (bekend.positie, bekend.fout) != storing:
            self.opslag.meld_storing(naam, positie, self.app.klok.nu(), storing[1])
        self._gestopt[naam] = storing  # only once it is recorded: a failed write is tried again next round
        log.error("leesmodel %s gestopt bij positie %d: %s", naam, *storing)

    def _verwerk(self, naam: str, van: int, notificaties: Sequence[Notification]) -> None:
        projectie, rijen = self.projecties[naam], dict[str, Any]()
        for notificatie in notificaties:
            if notificatie.topic.startswith(Inburgeringstraject.FEITEN):  # other aggregates share the log
                traject = self._na(self.mapper.to_domain_event(notificatie))
                rijen[str(traject.id)] = projectie.bereken(traject)
        projectie.bewaar(self.opslag, van, notificaties[-1].id, rijen)

    def _na(self, event: Any) -> Inburgeringstraject:
        """The trajectory as it was right after `event`, kept in memory to avoid replaying it every time."""
        versie = event.originator_version
        traject = self._trajecten.pop(event.originator_id, None)
        if versie == 1:
            traject = event.mutate(None)  # its first event: nothing to read
        elif traject is not None and traject.version == versie - 1:
            event.mutate(traject)
        elif traject is None or traject.version != versie:
            traject = self._uit_de_opslag(event.originator_id, versie)
        self._trajecten[event.originator_id] = traject
        if len(self._trajecten) > self._cache_grootte:
            self._trajecten.popitem(last=False)
        return traject

    def _uit_de_opslag(self, traject_id: UUID, versie: int) -> Inburgeringstraject:
        """Replayed from its events up to `versie`, read as the read models read them."""
        gelezen = (self.mapper.to_domain_event(e) for e in self.app.recorder.select_events(traject_id, lte=versie))
        traject = pas_toe(None, gelezen)
        if traject is None or traject.version != versie:
            raise LookupError(f"traject {traject_id} heeft geen versie {versie}")
        return cast(Inburgeringstraject, traject)


def reken_rijen(mapper: Mapper[UUID], projecties: Mapping[str, Projectie], namen: Sequence[str],
                stromen: Mapping[UUID, Sequence[StoredEvent]]) -> dict[str, dict[str, Any]]:
    """Per read model the rows of these trajectories, each replayed whole from its stored events; in this process
    or in a rebuild's worker process, which gets all it needs as these arguments."""
    rijen: dict[str, dict[str, Any]] = {naam: {} for naam in namen}
    for opgeslagen in stromen.values():
        traject = cast(Inburgeringstraject, pas_toe(None, (mapper.to_domain_event(e) for e in opgeslagen)))
        for naam in namen:
            rijen[naam][str(traject.id)] = projecties[naam].bereken(traject)
    return rijen


class _HierEnNu(Executor):
    """Computes in the caller's thread, at once: a rebuild too small for worker processes, or without them."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        uitkomst: Future[T] = Future()
        try:
            uitkomst.set_result(fn(*args, **kwargs))
        except Exception as fout:  # noqa: BLE001 - raised by result(), as a pool's future would
            uitkomst.set_exception(fout)
        return uitkomst


_KLAAR = object()


@contextmanager
def vooruit_gelezen(delen: Iterator[T], diepte: int = 1) -> Iterator[Iterator[T]]:
    """The items of `delen`, produced by a thread of their own up to `diepte` ahead of the reader, so that
    reading the store overlaps with the work on what was read. An error in the producer is raised in the
    reader, at the item where it occurred; a reader that stops early stops the producer."""
    wachtrij: queue.Queue[Any] = queue.Queue(maxsize=diepte)
    gestopt = threading.Event()

    def lever(item: Any) -> bool:
        while not gestopt.is_set():
            try:
                wachtrij.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produceer() -> None:
        try:
            for deel in delen:
                if not lever((deel, None)):
                    return
            lever((_KLAAR, None))
        except BaseException as fout:  # noqa: BLE001 - handed to the reader, which raises it
            lever((_KLAAR, fout))

    def lees() -> Iterator[T]:
        while True:
            deel, fout = wachtrij.get()
            if fout is not None:
                raise fout
            if deel is _KLAAR:
                return
            yield deel

    producent = threading.Thread(target=produceer, name="vooruit-gelezen", daemon=True)
    producent.start()
    try:
        yield lees()
    finally:
        gestopt.set()
        producent.join()
