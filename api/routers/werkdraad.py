"""Routes whose work blocks (the store, the read models) hand it to a worker thread in one hop.

FastAPI runs a sync route in its threadpool and then validates the route's answer in the threadpool again,
and each sync dependency in a hop of its own: a list read hopped three times. The route stays a plain
`def` (its work blocks); this makes it an async route that runs that `def` in a worker thread, once.

A command (`als_commando`) waits for one of `Settings.commandos_tegelijk` turns first, without a thread. Commands
commit one at a time anyway (the events table's lock), and one interpreter runs one thread at a time: with a
thread per waiting command, eight clients made eight threads hand the interpreter and the connections back and
forth, which cost 5-11 % of a start's throughput (README: Benchmarks). Reads keep the shared threadpool, so a queue of
commands never holds up a read, a health check or a sign-in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar

P = ParamSpec("P")
R = TypeVar("R")

# Per event loop, as anyio keeps its own threadpool's limit: set by the app's lifespan (`begrens_commandos`).
_COMMANDOS: RunVar[CapacityLimiter] = RunVar("inburgering_commandos")


def begrens_commandos(tegelijk: int) -> CapacityLimiter:
    """At most this many commands at once in this event loop; called from the app's lifespan, in that loop. The
    turns are returned for `beurten_bezet`, which may read them from any thread (the metrics' scrape)."""
    beurten = CapacityLimiter(tegelijk)
    _COMMANDOS.set(beurten)
    return beurten


def beurten_bezet(beurten: CapacityLimiter) -> tuple[int, int]:
    """(commands carried out now, commands waiting for a turn)."""
    stand = beurten.statistics()
    return stand.borrowed_tokens, stand.tasks_waiting


def in_een_werkdraad(route: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Under the router's decorator: `@router.get(...)` above, `@in_een_werkdraad` below. FastAPI reads the
    parameters from the route itself (functools.wraps), and calls the wrapper as an async route."""
    return _in_een_werkdraad(route, None)


def als_commando(route: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """As `in_een_werkdraad`, for a route that records facts: it waits for a turn first (`begrens_commandos`)."""
    return _in_een_werkdraad(route, _COMMANDOS)


def _in_een_werkdraad(route: Callable[P, R], beurten: RunVar[CapacityLimiter] | None) -> Callable[P, Coroutine[Any, Any, R]]:
    @functools.wraps(route)
    async def in_de_werkdraad(*args: P.args, **kwargs: P.kwargs) -> R:
        # None: anyio's shared threadpool, as starlette's run_in_threadpool (also before the lifespan set a limit).
        begrenzer = beurten.get(None) if beurten is not None else None
        return await to_thread.run_sync(functools.partial(route, *args, **kwargs), limiter=begrenzer)

    return in_de_werkdraad
