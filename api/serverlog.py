"""The server's request log: one line per request, written by the app (logger "inburgering.toegang"), naming
the matched route template, never the path or the query as sent: a BSN sent by mistake in either is refused,
but it was in the URL. uvicorn's own access log, which names the raw URL, is off in api/serverlog.json
(`--log-config`, used by Makefile `run` and the Dockerfile), which also gives every line its format, its
request's trace id and its redaction (adapters/logopmaak.py)."""

from __future__ import annotations

import logging
import time

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.openapi import BASISPAD

log = logging.getLogger("inburgering.toegang")
GEEN_ROUTE = "(geen route)"  # an unmatched path may be anything a client typed


def sjabloon(scope: Scope) -> str:
    """The route template of the request (`/api/v1/trajecten/{trajectId}`), or GEEN_ROUTE."""
    route, pad = scope.get("route"), scope["path"]
    if isinstance(route, BaseRoute):
        vorm, regex = getattr(route, "path_format", None), getattr(route, "path_regex", None)
        if vorm is None or regex is None:
            return GEEN_ROUTE
        if regex.match(pad):
            return str(vorm)
        # Every router is included under BASISPAD (api/main.py); its routes' own paths leave that out.
        return BASISPAD + vorm if pad.startswith(BASISPAD) and regex.match(pad.removeprefix(BASISPAD)) else GEEN_ROUTE
    if "endpoint" in scope and not scope.get("path_params"):
        return str(pad)  # a fixed path served beside the routers (the document, the docs): nothing a client chose
    return GEEN_ROUTE


class Verzoeklog:
    """Outermost middleware: method, route template, status and duration of every request, also of one that
    fails (500) or that a middleware answers before routing (no route)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begin = time.perf_counter()
        status, gelogd = 500, False  # 500: what the server answers when the app fails before answering

        def schrijf() -> None:
            nonlocal gelogd
            gelogd = True
            duur = (time.perf_counter() - begin) * 1000
            log.info('"%s %s" %d %.1f ms', scope["method"], sjabloon(scope), status, duur)

        async def zend(bericht: Message) -> None:
            nonlocal status
            if bericht["type"] == "http.response.start":
                status = bericht["status"]
            await send(bericht)
            if bericht["type"] == "http.response.body" and not bericht.get("more_body", False) and not gelogd:
                schrijf()

        try:
            await self.app(scope, receive, zend)
        finally:
            if not gelogd:
                schrijf()
