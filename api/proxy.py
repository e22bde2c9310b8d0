"""Behind a reverse proxy: the public scheme, host and client, from the proxies the operator trusts only."""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any, cast

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

# A host as a URL may name it (RFC 3986): a DNS name or IPv4 address, or an IPv6 address in brackets; a port.
HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                  r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
# One `key=value` of a Forwarded element (RFC 7239 section 4): the value a token or a quoted string.
PAAR = re.compile(r'\s*([A-Za-z]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s;,"]+))\s*')
Netwerk = ipaddress.IPv4Network | ipaddress.IPv6Network


class VertrouwdeProxies:
    """A request from a trusted proxy gets the scheme, host and client the proxy names: from `Forwarded` when it
    is sent, else from `X-Forwarded-Host` (here) and `X-Forwarded-Proto`/`-For` (uvicorn's own middleware, so
    that it behaves as uvicorn's `--proxy-headers` does). From any other address the headers are ignored, so a
    client cannot choose the host the API's links name; so is a value that is not a host, scheme or address."""

    def __init__(self, app: ASGIApp, proxies: list[str]) -> None:
        self.app = app
        self.proxies: tuple[Netwerk, ...] = tuple(ipaddress.ip_network(p) for p in proxies)
        # uvicorn types the ASGI interface more narrowly than Starlette; the protocol is the same.
        self.x_forwarded = cast(ASGIApp, ProxyHeadersMiddleware(cast(Any, app), trusted_hosts=[str(p) for p in self.proxies]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] not in ("http", "websocket") or not self.vertrouwd(client[0] if client else None):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)  # the server's own scope stays as it came
        koppen: dict[bytes, bytes] = {}
        for naam, waarde in scope["headers"]:  # repeated headers form one list (RFC 9110 5.3)
            koppen[naam] = koppen[naam] + b"," + waarde if naam in koppen else waarde
        if b"forwarded" in koppen:
            self._neem_forwarded_over(scope, koppen[b"forwarded"].decode("latin-1"))
            await self.app(scope, receive, send)
            return
        if HOST.fullmatch(host := koppen.get(b"x-forwarded-host", b"").decode("latin-1").strip()):
            _zet_host(scope, host)
        await self.x_forwarded(scope, receive, send)

    def vertrouwd(self, adres: str | None) -> bool:
        return _vertrouwd(adres, self.proxies)

    def _neem_forwarded_over(self, scope: Scope, forwarded: str) -> None:
        """Each proxy appends an element: walking back from ours, the first one not made for a trusted proxy
        describes the request as the client sent it (as uvicorn reads X-Forwarded-For)."""
        elementen = [e for deel in forwarded.split(",") if (e := _element(deel)) is not None]
        if len(elementen) != forwarded.count(",") + 1:
            return  # malformed: none of it
        for element in reversed(elementen):
            adres = _adres(element.get("for", ""))
            if not self.vertrouwd(adres):
                break
        if (proto := element.get("proto", "").lower()) in ("http", "https"):
            scope["scheme"] = proto if scope["type"] == "http" else proto.replace("http", "ws")
        if HOST.fullmatch(element.get("host", "")):
            _zet_host(scope, element["host"])
        if adres:
            scope["client"] = (adres, 0)


@functools.lru_cache(maxsize=1024)  # behind a proxy, every request asks of the same few addresses
def _vertrouwd(adres: str | None, proxies: tuple[Netwerk, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(adres or "")
    except ValueError:  # no address at all ("unknown", a hidden name, a unix socket)
        return False
    return any(ip in netwerk for netwerk in proxies)


def _element(tekst: str) -> dict[str, str] | None:
    """`for=192.0.2.60;proto=https;host=example.com` as a dict, or None when it is not that."""
    paren: dict[str, str] = {}
    for deel in tekst.split(";"):
        if not (paar := PAAR.fullmatch(deel)):
            return None
        paren[paar[1].lower()] = paar[2].replace("\\", "") if paar[2] is not None else paar[3]
    return paren


def _adres(node: str) -> str | None:
    """The IP address of a `for=` node (`192.0.2.60`, `192.0.2.60:4711`, `[2001:db8::1]:4711`); None for
    `unknown` or an obfuscated name."""
    kandidaat = node[1:node.find("]")] if node.startswith("[") else node.rsplit(":", 1)[0] if node.count(":") == 1 else node
    try:
        return str(ipaddress.ip_address(kandidaat))
    except ValueError:
        return None


def _zet_host(scope: Scope, host: str) -> None:
    scope["headers"] = [(n, w) for n, w in scope["headers"] if n != b"host"] + [(b"host", host.encode("latin-1"))]
