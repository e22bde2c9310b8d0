"""Bearer JWT authentication and role checks.

The dependencies are `async def`: verifying a token is CPU work only, and a sync dependency would cost a
thread hop per request (FastAPI runs each in the threadpool)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from adapters.tokens import Sleutelbron, VasteSleutels

from api.problems import ProbleemError
from api.schemas import tekst
from domain.application import Actor
from domain.waarden import Gemeente, Rol

GEMEENTE_GEBONDEN = {Rol.REGISSEUR, Rol.HANDHAVER}
TOELICHTING_KOP = "X-Audit-Toelichting"
TOELICHTING = TypeAdapter(tekst(1000))  # one line of UTF-8 text, as documented (api/openapi.py)
LEZERS = (Rol.REGISSEUR, Rol.HANDHAVER, Rol.DUO, Rol.AUDITOR)

def _niet_ingelogd(detail: str) -> ProbleemError:
    return ProbleemError(401, "niet-geauthenticeerd", "Niet geauthenticeerd.", detail, {"WWW-Authenticate": "Bearer"})


ALGORITMEN = ["ES256", "RS256", "PS256", "EdDSA"]


@dataclass(frozen=True)
class Aangemelde:
    """Who a valid token names: what every request of it needs, read from its claims once."""

    gebruiker: str
    rol: Rol
    gemeenten: frozenset[Gemeente]
    applicatie: str | None


@dataclass
class _Geldig:
    """A token whose signature and claims held against one key set, with what it expires at."""

    claims: Mapping[str, Any]
    verloopt: int | float
    aangemelde: Aangemelde | None = None  # read on the first request that signs in with it


class Tokencontrole:
    """Checks bearer tokens against the identity provider's keys.

    A client sends the same token with every request while it is valid, and checking its signature and claims
    cost more than all the rest of authorization; so a token that passed is kept per token and key set (a bounded
    number; when full, all are forgotten at once): once the IdP's set changes, each token is checked against the
    new one, and one signed with a removed key stops working. A kept token is held to its expiry on every request,
    as joserfc holds it (expired once `exp` <= now in whole seconds), so it stops working the moment it expires;
    its other claims (issuer, audience, subject, not before, issued at) cannot stop holding as time goes on. A token
    that fails is not kept."""

    def __init__(self, sleutels: KeySet | Sleutelbron, issuer: str, audience: str, maximum: int = 4096) -> None:
        self.bron: Sleutelbron = VasteSleutels(sleutels) if isinstance(sleutels, KeySet) else sleutels
        self.issuer, self.audience = issuer, audience
        self._maximum = maximum
        self._geldig: dict[tuple[str, int], _Geldig] = {}  # shared by the request threads: one dict operation at a time

    def haalt_op(self, token: str) -> bool:
        """Whether checking this token would fetch the IdP's keys first (blocking I/O, so not on the event loop)."""
        return self.bron.moet_ophalen(_kid(token))

    def claims(self, token: str, *, ophalen: bool = True) -> Mapping[str, Any]:
        """The token's claims once its signature and claims hold; `ophalen=False`: never fetch the IdP's keys."""
        return self._controleer(token, ophalen).claims

    def aangemelde(self, token: str, *, ophalen: bool = True) -> Aangemelde:
        """Who the token names, once its signature and claims hold; a 401 when it names no role or gemeente we know."""
        geldig = self._controleer(token, ophalen)
        if geldig.aangemelde is None:
            geldig.aangemelde = _aangemelde(geldig.claims)
        return geldig.aangemelde

    def _controleer(self, token: str, ophalen: bool) -> _Geldig:
        try:
            self.bron.sleutels(ophalen=ophalen)  # fetched anew once expired: another version
            sleutel = (token, self.bron.versie)
            if (bekend := self._geldig.get(sleutel)) is not None and bekend.verloopt > int(time.time()):
                return bekend
            if not any(k.kid == (kid := _kid(token)) for k in self.bron.sleutels(ophalen=False)):
                self.bron.ververs_voor(kid, ophalen=ophalen)  # the IdP may have added a key (rate-limited)
                sleutel = (token, self.bron.versie)
            claims = jwt.decode(token, self.bron.sleutels(ophalen=False), algorithms=ALGORITMEN).claims
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(claims)
        except (JoseError, ValueError) as fout:
            raise _niet_ingelogd("Het token is ongeldig of verlopen.") from fout
        if len(self._geldig) >= self._maximum:
            self._geldig.clear()
        self._geldig[sleutel] = geldig = _Geldig(MappingProxyType(claims), claims["exp"])
        return geldig


@lru_cache(maxsize=4096)  # asked twice per request (may it fetch, which key): a client sends one token many times
def _kid(token: str) -> str | None:
    """The kid a token names, read before its signature is checked: only to pick (or fetch) a key."""
    try:
        kid = jws.extract_compact(token.encode()).headers().get("kid")
    except (JoseError, ValueError):
        return None  # not a JWS at all: decoding refuses it next
    return kid if isinstance(kid, str) else None


def _toelichting(request: Request) -> str | None:
    """X-Audit-Toelichting as the UTF-8 text a client sends; read here, not as a parameter: it is part of who acts and why."""
    ruw = request.headers.get(TOELICHTING_KOP)
    if ruw is None:
        return None
    try:
        # Starlette decodes header values as latin-1, byte for byte: their bytes back, then read as UTF-8.
        toelichting = ruw.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError as fout:
        raise RequestValidationError([{
            "type": "codering", "loc": ("header", TOELICHTING_KOP), "input": None,
            "msg": f"Geen geldige UTF-8: byte {fout.start + 1} kan niet worden gelezen; stuur de tekst als UTF-8.",
        }]) from None
    try:
        return TOELICHTING.validate_python(toelichting)
    except ValidationError as fout:
        raise RequestValidationError([e | {"loc": ("header", TOELICHTING_KOP)} for e in fout.errors()]) from None


def _aangemelde(claims: Mapping[str, Any]) -> Aangemelde:
    try:
        rol = Rol(claims.get("rol") or "")  # none: ValueError, as for an unknown one
        gemeenten = frozenset(Gemeente(code) for code in claims.get("gemeenten") or [])
    except (ValueError, TypeError) as fout:
        raise _niet_ingelogd("Het token noemt een onbekende rol of gemeente.") from fout
    if rol in GEMEENTE_GEBONDEN and not gemeenten:
        raise _niet_ingelogd(f"Een {rol.value} hoort aan een of meer gemeenten gebonden te zijn.")
    return Aangemelde(str(claims["sub"]), rol, gemeenten, str(claims.get("azp") or claims.get("client_id") or "") or None)


def _actor(wie: Aangemelde, correlatie_id: str, request: Request) -> Actor:
    toelichting = _toelichting(request)
    trace = getattr(request.state, "trace", None)
    return Actor(
        gebruiker=wie.gebruiker, rol=wie.rol, gemeenten=wie.gemeenten, correlatie_id=correlatie_id,
        toelichting=toelichting.strip() if toelichting else None, applicatie=wie.applicatie,
        trace_id=trace.trace_id if trace else None,
    )


class Aanmelding(HTTPBearer):
    """The bearer token checked and the actor it names, admitted when its role is one of `rollen`: the security
    scheme and the role check in one dependency, as FastAPI spends about 50 µs per dependency per request. The
    same object names the roles in the document (`rollen_van`, api/openapi.py), so the two agree."""

    def __init__(self, rollen: tuple[Rol, ...]) -> None:
        # One scheme for every role set: each declares the same bearer scheme in the document.
        super().__init__(auto_error=False, bearerFormat="JWT", description="JWT van de SDD identity provider", scheme_name="HTTPBearer")
        self.rollen = rollen

    async def __call__(self, request: Request) -> Actor:  # type: ignore[override]  # the actor, not the credentials
        actor = await _aangemeld(request, await super().__call__(request))
        if actor.rol not in self.rollen:
            raise ProbleemError(403, "geen-toegang", "Geen toegang.", f"De rol {actor.rol.value} mag dit niet.")
        return actor


async def _aangemeld(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _niet_ingelogd("Stuur een bearer token mee in de Authorization-header.")
    tokens: Tokencontrole = request.app.state.tokens
    if tokens.haalt_op(credentials.credentials):
        wie = await run_in_threadpool(tokens.aangemelde, credentials.credentials)
    else:
        wie = tokens.aangemelde(credentials.credentials, ophalen=False)
    request.state.actor = _actor(wie, request.state.correlatie_id, request)  # also for the audit log (api/logboek.py)
    return request.state.actor


def rollen(*toegestaan: Rol) -> Aanmelding:
    return Aanmelding(toegestaan)


def rollen_van(dependant: Dependant) -> tuple[Rol, ...] | None:
    """The roles a route's dependencies admit; None: no sign-in at all."""
    for afhankelijk in dependant.dependencies:
        if isinstance(afhankelijk.call, Aanmelding):
            return afhankelijk.call.rollen
        if (gevonden := rollen_van(afhankelijk)) is not None:
            return gevonden
    return None


Ingelogd = Annotated[Actor, Depends(rollen(*Rol))]  # any role: what is documentation, not data
Lezer = Annotated[Actor, Depends(rollen(*LEZERS))]
Regisseur = Annotated[Actor, Depends(rollen(Rol.REGISSEUR))]
Handhaver = Annotated[Actor, Depends(rollen(Rol.HANDHAVER))]
Auditor = Annotated[Actor, Depends(rollen(Rol.AUDITOR))]
