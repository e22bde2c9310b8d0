"""Routes whose work blocks (the store, the read models) hand it to a worker thread in one hop.

FastAPI runs a sync route in its threadpool and then validates the route's answer in the threadpool again,
and each sync dependency in a hop of its own: a list read hopped three times. The route stays a plain
`def` (its work blocks); this makes it an async route that runs that `def` in a worker thread, once.

A command (`als_commando`) runs in a pool of its own of `Settings.commandos_tegelijk` threads (`Commandobeurten`);
the next waits for its turn in the pool's queue, without a thread. Commands commit one at a time anyway (the
events table's lock), and one interpreter runs one thread at a time: with a thread per waiting command, eight
clients made eight threads hand the interpreter and the connections back and forth, which cost 5-11 % of a
start's throughput (README: Benchmarks). The pool is the executor asyncio hands work to: anyio's way to a thread
(a capacity limiter, cancel scopes, its own worker threads) cost about 8 % of a start's CPU on the server. Reads
keep anyio's shared threadpool, so a queue of commands never holds up a read, a health check or a sign-in.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from anyio import to_thread

P = ParamSpec("P")
R = TypeVar("R")


class Commandobeurten:
    """At most `tegelijk` commands carried out at once, each in a thread of this pool; the others wait in its queue.
    Used from one event loop: its count of commands is kept there, so no lock is taken on a command's path."""

    def __init__(self, tegelijk: int) -> None:
        self._pool = ThreadPoolExecutor(tegelijk, thread_name_prefix="commando")
        self._tegelijk = tegelijk
        self._ingediend = 0  # handed to the pool and not yet ended: changed in the loop only, read from any thread

    async def voer_uit(self, werk: Callable[[], R]) -> R:
        """The work's outcome, from a thread of the pool, with the caller's context (its log fields). As anyio's
        `run_sync`: cancelled while it waits its turn, it never runs; cancelled once under way, it is not abandoned
        (a command commits or not as a whole): its end is awaited, then the cancellation goes on."""
        toekomst = self._pool.submit(contextvars.copy_context().run, werk)
        uitkomst = asyncio.wrap_future(toekomst)
        self._ingediend += 1
        try:
            return await asyncio.shield(uitkomst)
        except asyncio.CancelledError:
            if not toekomst.cancel():
                await _tot_het_einde(uitkomst)
            raise
        finally:
            self._ingediend -= 1

    def bezet(self) -> tuple[int, int]:
        """(commands carried out now, commands waiting for a turn): the pool runs them in turn, first come first."""
        ingediend = self._ingediend
        return min(ingediend, self._tegelijk), max(ingediend - self._tegelijk, 0)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


async def _tot_het_einde(uitkomst: asyncio.Future[Any]) -> None:
    while not uitkomst.done():
        try:
            await asyncio.shield(uitkomst)
        except asyncio.CancelledError:
            continue  # cancelled again: still not abandoned
        except Exception:
            return  # its own error: the caller was cancelled, and that is what it hears


# Per event loop, as anyio keeps its threadpool per loop: registered by the app's lifespan (`begrens_commandos`).
_BEURTEN: WeakKeyDictionary[asyncio.AbstractEventLoop, Commandobeurten] = WeakKeyDictionary()


def begrens_commandos(tegelijk: int) -> Commandobeurten:
    """At most this many commands at once in this event loop; called from the app's lifespan, in that loop, which
    closes them (`laat_commandos_los`) when it stops."""
    beurten = _BEURTEN[asyncio.get_running_loop()] = Commandobeurten(tegelijk)
    return beurten


def laat_commandos_los(beurten: Commandobeurten) -> None:
    """The commands' pool closed, once those under way have ended; a command after it runs in anyio's threadpool."""
    for lus, geregistreerd in list(_BEURTEN.items()):
        if geregistreerd is beurten:
            del _BEURTEN[lus]
    beurten.close()


def als_commando(route: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """As `in_een_werkdraad`, for a route that records facts: in the app's pool of commands (`Commandobeurten`)."""

    @functools.wraps(route)
    async def als_commando_uitgevoerd(*args: P.args, **kwargs: P.kwargs) -> R:
        werk = functools.partial(route, *args, **kwargs)
        if (beurten := _BEURTEN.get(asyncio.get_running_loop())) is None:
            return await to_thread.run_sync(werk)  # no lifespan (an app not started): anyio's threadpool
        return await beurten.voer_uit(werk)

    return als_commando_uitgevoerd


def in_een_werkdraad(route: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Under the router's decorator: `@router.get(...)` above, `@in_een_werkdraad` below. FastAPI reads the
    parameters from the route itself (functools.wraps), and calls the wrapper as an async route."""

    @functools.wraps(route)
    async def in_de_werkdraad(*args: P.args, **kwargs: P.kwargs) -> R:
        return await to_thread.run_sync(functools.partial(route, *args, **kwargs))  # as starlette's run_in_threadpool

    return in_de_werkdraad
