"""Routes whose work blocks (the store, the read models) hand it to a worker thread in one hop.

FastAPI runs a sync route in its threadpool and then validates the route's answer in the threadpool again,
and each sync dependency in a hop of its own: a list read hopped three times. The route stays a plain
`def` (its work blocks); this makes it an async route that runs that `def` in a worker thread, once."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
R = TypeVar("R")


def in_een_werkdraad(route: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Under the router's decorator: `@router.get(...)` above, `@in_een_werkdraad` below. FastAPI reads the
    parameters from the route itself (functools.wraps), and calls the wrapper as an async route."""

    @functools.wraps(route)
    async def in_de_werkdraad(*args: P.args, **kwargs: P.kwargs) -> R:
        return await run_in_threadpool(route, *args, **kwargs)

    return in_de_werkdraad
