"""Transport hardening: security headers, the body size limit and UTF-8, before a request reaches a route.

A plain ASGI middleware, so that its refusals (413, and 400/415 for a JSON body that is not UTF-8) are
problem+json like every other error and no route ever sees a body it should not. The encoding is checked
here because the framework parses JSON before any dependency runs, and Python's json guesses UTF-16 and
UTF-32. The content type is checked after routing (`alleen_json`), so that a method a path does not have
stays 405.
"""

from __future__ import annotations

import codecs
import email.message
import functools
import json

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.openapi import API_VERSIE
from api.problems import PROBLEM_JSON, TYPE_PREFIX, ProbleemError

# ADR /core/transport/security-headers, with default-src 'none' and no-referrer as defence in depth.
BEVEILIGINGSKOPPEN = {
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
MET_INHOUD = {"POST", "PUT", "PATCH"}


def is_json(content_type: str) -> bool:
    soort = content_type.split(";")[0].strip().lower()
    return soort == "application/json" or (soort.startswith("application/") and soort.endswith("+json"))


def alleen_json(request: Request) -> None:
    """A request body is JSON; anything else is said with 415 before the body is read as data."""
    route = request.scope.get("route")
    heeft_inhoud = isinstance(route, APIRoute) and route.body_field is not None
    if heeft_inhoud and not is_json(request.headers.get("content-type", "")):
        raise ProbleemError(415, "content-type-niet-ondersteund", "Alleen JSON.", "Stuur de inhoud als application/json.")


class Poortwachter:
    def __init__(self, app: ASGIApp, max_verzoek_bytes: int) -> None:
        self.app = app
        self.max_verzoek_bytes = max_verzoek_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._met_koppen(scope, send)
        if scope["method"] not in MET_INHOUD:
            await self.app(scope, receive, send)
            return
        kop = Headers(scope=scope)
        lengte = kop.get("content-length", "")
        if lengte.isdigit() and int(lengte) > self.max_verzoek_bytes:
            await self._te_groot(scope, send)
            return
        # Read the whole body under the limit first (a declared length can lie), then hand it on.
        delen, gelezen, meer = [], 0, True
        while meer:
            bericht = await receive()
            if bericht["type"] == "http.disconnect":
                return
            deel = bericht.get("body", b"")
            gelezen += len(deel)
            if gelezen > self.max_verzoek_bytes:
                await self._te_groot(scope, send)
                return
            delen.append(deel)
            meer = bericht.get("more_body", False)
        lichaam = b"".join(delen)
        if fout := _niet_utf8(kop.get("content-type", ""), lichaam):
            await _probleem(scope, send, *fout)
            return
        afgeleverd = False

        async def opnieuw() -> Message:
            nonlocal afgeleverd
            if not afgeleverd:
                afgeleverd = True
                return {"type": "http.request", "body": lichaam, "more_body": False}
            return await receive()

        await self.app(scope, opnieuw, send)

    async def _te_groot(self, scope: Scope, send: Send) -> None:
        await _probleem(scope, send, 413, "verzoek-te-groot", "Verzoek te groot.",
                        f"De inhoud mag ten hoogste {self.max_verzoek_bytes} bytes zijn.")

    @staticmethod
    def _met_koppen(scope: Scope, send: Send) -> Send:
        koppen = BEVEILIGINGSKOPPEN  # a response's own header stays (the docs pages set their CSP, api/documentatie.py)

        async def verzend(bericht: Message) -> None:
            if bericht["type"] == "http.response.start":
                aanwezig = {naam.lower() for naam, _ in bericht.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in koppen.items() if k.encode() not in aanwezig]
                bericht["headers"] = list(bericht.get("headers", [])) + extra
            await send(bericht)

        return verzend


def _niet_utf8(content_type: str, lichaam: bytes) -> tuple[int, str, str, str] | None:
    """JSON on the wire is UTF-8 (RFC 8259 8.1): another declared charset is 415; bytes that are not UTF-8,
    or that json would take for UTF-16/32 (a byte order mark, NUL bytes), are 400, never decoded by a guess."""
    if not is_json(content_type):
        return None
    if (tekenset := _tekenset(content_type)) not in (None, "utf-8", "utf8"):
        return 415, "tekenset-niet-ondersteund", "Alleen UTF-8.", f"Stuur JSON in UTF-8, niet in {tekenset}."
    try:
        lichaam.decode("utf-8")
    except UnicodeDecodeError as fout:
        return 400, "ongeldige-codering", "Geen UTF-8.", f"Byte {fout.start + 1} van de inhoud is geen geldige UTF-8."
    if lichaam.startswith(codecs.BOM_UTF8) or b"\x00" in lichaam:
        return 400, "ongeldige-codering", "Geen UTF-8.", "Stuur JSON in UTF-8 zonder byte order mark en zonder NUL-bytes."
    return None


@functools.lru_cache(maxsize=256)  # clients send one or two spellings; parsing one costs more than the rest of the check
def _tekenset(content_type: str) -> str | None:
    soort = email.message.Message()
    soort["content-type"] = content_type
    return soort.get_content_charset()


async def _probleem(scope: Scope, send: Send, status: int, code: str, titel: str, detail: str) -> None:
    inhoud = json.dumps({
        "type": TYPE_PREFIX + code, "title": titel, "status": status, "detail": detail, "instance": scope["path"], "code": code,
    }).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(inhoud)).encode()),
            (b"api-version", API_VERSIE.encode()),
        ],
    })
    await send({"type": "http.response.body", "body": inhoud})
