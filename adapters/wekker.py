"""Wakes whoever waits for the event log to grow: a long-poll on the feed, and later the webhook dispatcher.

One per process, so that a waiting request holds neither a database connection nor a thread: it waits on a
future that this module's one thread resolves (`loop.call_soon_threadsafe`, once per event loop per change).
On PostgreSQL the thread LISTENs on the channel every save NOTIFYs (adapters/keten.py); while nobody waits it
sleeps, and takes what was notified off its connection once per interval or when a waiter comes, not once per
commit. On SQLite, where another process may write the file and nothing tells us, it reads the log's head
every 50 ms.

The LISTEN connection is taken from the event store's pool for the thread's whole life: it counts against
INBURGERING_DATABASE_VERBINDINGEN like every other connection, and carries the process's name. When it is lost
the thread logs it, reads the head by polling (through the pool) while it reconnects with backoff, and reads
the head again once it listens again: a waiter never sleeps past its deadline, and no commit goes unnoticed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

log = logging.getLogger("inburgering.wekker")


class Wekker:
    """Tells waiters that the event log grew: one LISTEN connection (PostgreSQL) or one polling thread (SQLite) per process."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        *,
        peilinterval: float = 0.05,
        luisterinterval: float = 0.25,
        herverbinden_na: float = 0.1,
        herverbinden_hoogstens: float = 5.0,
    ) -> None:
        """`peilinterval`: how often the head is read where nothing notifies (SQLite, or while the LISTEN
        connection is lost); `luisterinterval`: how often a listening thread looks whether it is to stop;
        `herverbinden_na` doubling up to `herverbinden_hoogstens`: the waits between reconnection attempts."""
        self._recorder = recorder
        self._peilinterval, self._luisterinterval = peilinterval, luisterinterval
        self._herverbinden_na, self._herverbinden_hoogstens = herverbinden_na, herverbinden_hoogstens
        self._positie = 0
        # Nobody waiting, a commit only marks the position stale; the next waiter reads the head. Under a steady
        # command load without long-polls or subscriptions that is no read per commit (it cost 0.5 ms of a command).
        self._verouderd = False
        self._draadwachters = 0
        self.koppen_gelezen = 0  # how often it read the log's head (for tests and operators)
        self.notificaties_gelezen = 0  # how often the LISTEN thread took the notifications off its connection
        self._slot = threading.Condition()
        # Per event loop, each waiting future and the position it waits to see passed.
        self._wachtenden: dict[asyncio.AbstractEventLoop, dict[asyncio.Future[int], int]] = {}
        self._gestopt = threading.Event()
        self._draad: threading.Thread | None = None
        self.luisterverbinding_pid: int | None = None  # the LISTEN session's backend, as pg_stat_activity shows it

    def start(self) -> None:
        with contextlib.suppress(Exception):  # the thread reads it again, and keeps trying
            self._neem_over(self._lees_kop())
        doel = self._luister if isinstance(self._recorder, PostgresApplicationRecorder) else self._peil
        self._draad = threading.Thread(target=doel, name="wekker", daemon=True)
        self._draad.start()

    def close(self) -> None:
        """Stops the thread and lets every waiter go (with the position as it is)."""
        self._gestopt.set()
        with self._slot:
            self._slot.notify_all()
            wachtenden = {lus: list(futures) for lus, futures in self._wachtenden.items()}
        self._wek(wachtenden)
        if self._draad is not None and self._draad is not threading.current_thread():
            self._draad.join()

    def positie(self) -> int:
        """The highest log position (notification id) known; while nobody waits it may lag the log."""
        return self._positie

    def wacht(self, na: int, seconden: float) -> int:
        """Blocks until positie() > na, or `seconden` passed; returns positie()."""
        with self._slot:
            self._draadwachters += 1
            self._slot.notify_all()  # a listening thread that sleeps while nobody waits listens again
        try:
            with contextlib.suppress(Exception):  # the store is away: wait for a notification or the time, as bounded
                self._ververs_als_verouderd()
            with self._slot:
                self._slot.wait_for(lambda: self._positie > na or self._gestopt.is_set(), timeout=max(0.0, seconden))
                return self._positie
        finally:
            with self._slot:
                self._draadwachters -= 1

    async def wacht_async(self, na: int, seconden: float) -> int:
        """As `wacht`, on the event loop: a future, no thread and no connection."""
        lus = asyncio.get_running_loop()
        toekomst: asyncio.Future[int] = lus.create_future()
        with self._slot:
            if self._positie > na or seconden <= 0 or self._gestopt.is_set():
                return self._positie
            self._wachtenden.setdefault(lus, {})[toekomst] = na
            self._slot.notify_all()  # a listening thread that sleeps while nobody waits listens again
            verouderd = self._verouderd
        try:
            if verouderd:  # commits came while nobody waited: read the head once (a worker thread, not the loop)
                with contextlib.suppress(Exception):  # the store is away: wait for a notification or the time
                    await asyncio.to_thread(self._ververs_als_verouderd)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconden):
                    await toekomst
        finally:
            with self._slot:
                wachtend = self._wachtenden.get(lus, {})
                wachtend.pop(toekomst, None)
                if not wachtend:
                    self._wachtenden.pop(lus, None)
        return self._positie

    # -- the thread ------------------------------------------------------------------------------

    def _iemand_wacht(self) -> bool:
        return self._draadwachters > 0 or any(self._wachtenden.values())

    def _na_een_commit(self, lees: Any) -> None:
        """Read the head (`lees`) for the waiters, or, with none, only remember that it moved."""
        with self._slot:
            if not self._iemand_wacht():
                self._verouderd = True
                return
            self._verouderd = False
        self._neem_over(lees())

    def _ververs_als_verouderd(self) -> None:
        """A waiter arrived after commits nobody read: read the head now (once per such arrival). A commit while this
        reads is read for this waiter, who is registered already."""
        with self._slot:
            if not self._verouderd:
                return
            self._verouderd = False
        try:
            self._neem_over(self._lees_kop())
        except Exception:
            with self._slot:
                self._verouderd = True  # the next waiter tries again; this one waits for a notification or its time
            raise

    def _neem_over(self, positie: int) -> None:
        with self._slot:
            if positie <= self._positie:
                return
            self._positie = positie
            self._slot.notify_all()
            te_wekken = {lus: [f for f, na in wachtend.items() if na < positie] for lus, wachtend in self._wachtenden.items()}
        self._wek(te_wekken)

    def _wek(self, te_wekken: dict[asyncio.AbstractEventLoop, list[asyncio.Future[int]]]) -> None:
        for lus, futures in te_wekken.items():
            if futures:
                with contextlib.suppress(RuntimeError):  # a closed loop: its waiters went with it
                    lus.call_soon_threadsafe(_los_op, futures, self._positie)

    def _lees_kop(self) -> int:
        self.koppen_gelezen += 1
        return self._recorder.max_notification_id() or 0

    def _peil(self) -> None:
        gemeld = False
        while not self._gestopt.wait(self._peilinterval):
            try:
                self._na_een_commit(self._lees_kop)  # nobody waiting: no read, the position is marked stale
                gemeld = False
            except Exception as fout:  # the store is away for a moment: keep trying, say it once
                if not gemeld:
                    log.warning("wekker: de kop van het log is niet te lezen (%s: %s); blijft proberen", type(fout).__name__, fout)
                    gemeld = True

    def _peil_tot(self, einde: float) -> None:
        """While the LISTEN connection is lost: poll, so that no waiter misses a commit meanwhile."""
        while not self._gestopt.is_set() and time.monotonic() < einde:
            with contextlib.suppress(Exception):  # the database may be what is lost; the next attempt will say
                self._neem_over(self._lees_kop())
            self._gestopt.wait(min(self._peilinterval, max(0.0, einde - time.monotonic())))

    def _luister(self) -> None:
        recorder = self._recorder
        assert isinstance(recorder, PostgresApplicationRecorder)
        datastore: Any = recorder.datastore
        luister = SQL("LISTEN {}").format(Identifier(recorder.channel_name))
        wachttijd, verloren = self._herverbinden_na, False
        while not self._gestopt.is_set():
            try:
                with datastore.get_connection() as verbinding:
                    verbinding.execute(luister)
                    # Read after LISTEN: what committed before it is read now, what commits after it is notified.
                    self._neem_over(self._lees_op(verbinding, recorder))
                    if verloren:
                        log.warning("wekker: LISTEN-verbinding hersteld (backend %s)", verbinding.info.backend_pid)
                    self.luisterverbinding_pid = verbinding.info.backend_pid  # once it listens and has said so
                    wachttijd, verloren = self._herverbinden_na, False
                    while not self._gestopt.is_set():
                        genotificeerd = False
                        with self._slot:
                            wacht_iemand = self._iemand_wacht()
                        if wacht_iemand:
                            for _ in verbinding.notifies(timeout=self._luisterinterval, stop_after=1):
                                genotificeerd = True
                        else:
                            # Nobody waits: a commit need not wake this thread (that cost about 0.2 ms of each
                            # command). It sleeps until a waiter comes or the interval passes, then takes what
                            # came meanwhile in one go (which also tells it when the connection is lost).
                            with self._slot:
                                self._slot.wait_for(lambda: self._iemand_wacht() or self._gestopt.is_set(), timeout=self._luisterinterval)
                        for _ in verbinding.notifies(timeout=0):  # the rest of a burst of commits: one read for all
                            genotificeerd = True
                        self.notificaties_gelezen += 1
                        if genotificeerd:
                            self._na_een_commit(lambda: self._lees_op(verbinding, recorder))
                    verbinding.execute("UNLISTEN *")  # back to the pool as any other connection
                    self.luisterverbinding_pid = None
            except Exception as fout:
                self.luisterverbinding_pid = None
                if self._gestopt.is_set():
                    return
                if not verloren:
                    log.warning("wekker: LISTEN-verbinding verloren (%s: %s); peilt en verbindt opnieuw", type(fout).__name__, fout)
                verloren = True
                self._peil_tot(time.monotonic() + wachttijd)
                wachttijd = min(2 * wachttijd, self._herverbinden_hoogstens)

    def _lees_op(self, verbinding: Any, recorder: PostgresApplicationRecorder) -> int:
        self.koppen_gelezen += 1
        rij = verbinding.execute(recorder.max_notification_id_statement).fetchone()
        return int(rij["max"] or 0)


def _los_op(futures: list[asyncio.Future[int]], positie: int) -> None:
    for toekomst in futures:
        if not toekomst.done():
            toekomst.set_result(positie)
