"""The short path of the busiest routes: FastAPI reads the route's signature, this answers the request in fewer steps.

FastAPI's generic request handler solves a route's dependencies and parameters through machinery for every
feature it has (dependency caches, exit stacks, overrides, parameter models, forms, streams, telemetry):
0.3-0.5 ms of the interpreter per command, where the server spends about 4 ms in all and one interpreter is
what limits a command's throughput; for the lists' seven and nine query parameters, 5-14 % of a page's throughput
(README: Benchmarks). The commands and the two lists use few of those features, so their handler
(`Kortpadroute`) does the same work for just those, in FastAPI's order, with FastAPI's own fields:

1. the body, if the route has one, read as FastAPI reads it (JSON when the content type says so; invalid JSON
   is a 400 at once);
2. each dependency (the request's form, then the sign-in and role check) with its parameters validated first:
   a dependency whose parameters fail is not called, and its errors are kept;
3. the path, query and header parameters and the body, every error collected: one 400 names every invalid field;
4. the route, and its answer: a Response as the route made it (a list page), or a value validated and
   serialized by the response field.

What a route declares (its parameters, body, answer and dependencies) stays in its signature: the document,
the checks and this handler read the same declaration. A route that uses a feature this handler does not know
is refused when the app is built, not answered differently; tests/api/test_kortpad.py answers every such
route's requests both ways and compares them.
"""

from __future__ import annotations

import copy
import email.message
import functools
import inspect
import json
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi._compat import ModelField, Undefined, field_annotation_is_sequence, lenient_issubclass
from fastapi.dependencies.models import Dependant
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import get_missing_field_error
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute, request_response
from fastapi.utils import is_body_allowed_for_status_code
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


@dataclass(frozen=True)
class _Afhankelijkheid:
    """A dependency as these routes use it: a coroutine of the request and some headers."""

    aanroep: Callable[..., Awaitable[Any]]
    naam: str | None  # the route's parameter it fills, if any
    request_naam: str | None
    koppen: Sequence[ModelField]


def _is_async(aanroep: Any) -> bool:
    """A coroutine function, or an object whose __call__ is one (FastAPI awaits both, and runs any other in a thread)."""
    return inspect.iscoroutinefunction(aanroep if inspect.isroutine(aanroep) else getattr(aanroep, "__call__", None))


def _niet_ondersteund(route: APIRoute, wat: str) -> TypeError:
    return TypeError(f"{route.path}: a short-path route {wat}; use a plain APIRoute")


def _gewoon(route: APIRoute, velden: Sequence[ModelField]) -> tuple[ModelField, ...]:
    """Parameters `_valideer` reads as FastAPI does: one value under one alias each. FastAPI reads a parameter
    model, a list (a repeated header or query parameter) or a validation alias otherwise, so a route with one is
    refused."""
    for veld in velden:
        soort = veld.field_info.annotation
        if lenient_issubclass(soort, BaseModel) or field_annotation_is_sequence(soort) or veld.field_info.validation_alias not in (None, veld.alias):
            raise _niet_ondersteund(route, f"reads one value per parameter, not {veld.alias!r} as {soort!r}")
    return tuple(velden)


def _afhankelijkheid(route: APIRoute, dependant: Dependant) -> _Afhankelijkheid:
    if (dependant.dependencies or dependant.path_params or dependant.query_params or dependant.cookie_params
            or dependant.body_params or dependant.response_param_name or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name or dependant.http_connection_param_name):
        raise _niet_ondersteund(route, f"depends only on the request and headers, not as {dependant.call!r} does")
    if not _is_async(dependant.call) or dependant.concurrency is not None:
        raise _niet_ondersteund(route, f"awaits its dependencies, not a sync or limited {dependant.call!r}")
    assert dependant.call is not None
    return _Afhankelijkheid(dependant.call, dependant.name, dependant.request_param_name, _gewoon(route, dependant.header_params))


def _valideer(velden: Sequence[ModelField], bron: Mapping[str, Any], plaats: str,
              waarden: dict[str, Any], fouten: list[Any]) -> None:
    """As FastAPI's `request_params_to_args` for plain parameters (`_gewoon`)."""
    for veld in velden:
        waarde = bron.get(veld.alias)
        _valideer_een(veld, Undefined if waarde is None else waarde, (plaats, veld.alias), waarden, fouten)


def _valideer_een(veld: ModelField, waarde: Any, loc: tuple[str, ...], waarden: dict[str, Any], fouten: list[Any]) -> None:
    """As FastAPI's `_validate_value_with_model_field`: the value, or the default, or the error."""
    if waarde is Undefined:
        if veld.field_info.is_required():
            fouten.append(get_missing_field_error(loc=loc))
            return
        waarde = copy.deepcopy(veld.default)
        if not veld.field_info.validate_default:
            waarden[veld.name] = waarde
            return
    gevalideerd, veldfouten = veld.validate(waarde, waarden, loc=loc)
    if veldfouten:
        fouten.extend(veldfouten)
    else:
        waarden[veld.name] = gevalideerd


@functools.lru_cache(maxsize=256)  # clients send one or two spellings; parsing one is most of reading a small body
def _is_json(content_type: str) -> bool:
    """FastAPI's own test of a request's content type (fastapi/routing.py)."""
    bericht = email.message.Message()
    bericht["content-type"] = content_type
    if bericht.get_content_maintype() != "application":
        return False
    subtype = bericht.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


async def _lees_inhoud(request: Request) -> Any:
    """The body as FastAPI hands it to validation: parsed JSON, the bytes when not declared JSON, or Undefined."""
    ruw = await request.body()
    if not ruw:
        return Undefined
    soort = request.headers.get("content-type")
    if not soort or not _is_json(soort):
        return ruw  # the request's form (api/main.py `verzoekvorm`) answers 415
    try:
        return json.loads(ruw)
    except json.JSONDecodeError as fout:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body", fout.pos), "msg": "JSON decode error", "input": {}, "ctx": {"error": fout.msg}}],
            body=fout.doc,
        ) from fout
    except Exception as fout:  # nested too deep for the parser, say: FastAPI's answer
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from fout


class Kortpadroute(APIRoute):
    """The route class of the commands (api/routers/commandoroutes.py, POST /trajecten) and of the two lists
    (api/routers/leesmodellen.py): see the module."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # FastAPI's own handler of this route, for an app whose dependencies are overridden (tests): FastAPI applies them.
        self.door_fastapi = request_response(APIRoute.get_route_handler(self))
        self.app = self._asgi  # FastAPI's wrapper opens two exit stacks per request, for what this handler never uses

    def get_route_handler(self) -> Handler:
        self._afhandeling = _Afhandeling(self)
        return self._afhandeling.afhandelen

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if getattr(self.dependency_overrides_provider, "dependency_overrides", None):
            await self.door_fastapi(scope, receive, send)
            return
        # An exception goes to the app's handlers as from any route (starlette's ExceptionMiddleware, same scope).
        antwoord = await self._afhandeling.afhandelen(Request(scope, receive, send))
        await antwoord(scope, receive, send)


class _Afhandeling:
    def __init__(self, route: APIRoute) -> None:
        d = route.dependant
        if d.cookie_params or d.background_tasks_param_name or d.security_scopes_param_name:
            raise _niet_ondersteund(route, "has no cookie, background task or security scope parameters")
        if not _is_async(d.call) or len(d.body_params) > 1 or route.response_field is None:
            raise _niet_ondersteund(route, "is an async route with at most one body and a response model")
        if (route.body_field is not None and getattr(route.body_field.field_info, "embed", False)) or not isinstance(route.response_class, DefaultPlaceholder):
            raise _niet_ondersteund(route, "has a body not embedded and FastAPI's response class")
        if route.status_code is not None and not is_body_allowed_for_status_code(route.status_code):
            raise _niet_ondersteund(route, "answers with a body")
        assert d.call is not None
        self.route = route
        self.status: int = route.status_code or 200  # FastAPI's response class's own
        self.afhankelijkheden = tuple(_afhankelijkheid(route, sub) for sub in d.dependencies)
        self.aanroep: Callable[..., Awaitable[Any]] = d.call
        self.pad, self.vragen, self.koppen = _gewoon(route, d.path_params), _gewoon(route, d.query_params), _gewoon(route, d.header_params)
        self.inhoud: ModelField | None = route.body_field
        self.antwoord: ModelField = route.response_field
        self.request_naam, self.response_naam = d.request_param_name, d.response_param_name

    async def afhandelen(self, request: Request) -> Response:
        inhoud = Undefined if self.inhoud is None else await _lees_inhoud(request)
        fouten: list[Any] = []
        waarden: dict[str, Any] = {}
        koppen = request.headers
        for afhankelijk in self.afhankelijkheden:
            argumenten: dict[str, Any] = {}
            aantal = len(fouten)
            _valideer(afhankelijk.koppen, koppen, "header", argumenten, fouten)
            if len(fouten) > aantal:
                continue  # as FastAPI: a dependency whose parameters fail is not called
            if afhankelijk.request_naam:
                argumenten[afhankelijk.request_naam] = request
            opgelost = await afhankelijk.aanroep(**argumenten)
            if afhankelijk.naam is not None:
                waarden[afhankelijk.naam] = opgelost
        _valideer(self.pad, request.path_params, "path", waarden, fouten)
        if self.vragen:
            _valideer(self.vragen, request.query_params, "query", waarden, fouten)
        _valideer(self.koppen, koppen, "header", waarden, fouten)
        if self.inhoud is not None:
            _valideer_een(self.inhoud, inhoud, ("body",), waarden, fouten)
        if fouten:
            raise RequestValidationError(fouten, body=None if inhoud is Undefined else inhoud)
        koppen_uit = Response()  # what the route sets (Location, ETag), as FastAPI's sub-response
        del koppen_uit.headers["content-length"]
        koppen_uit.status_code = None  # type: ignore[assignment]  # a route may set one
        if self.request_naam:
            waarden[self.request_naam] = request
        if self.response_naam:
            waarden[self.response_naam] = koppen_uit
        uitkomst = await self.aanroep(**waarden)
        if isinstance(uitkomst, Response):
            return uitkomst  # as FastAPI: a route's own answer goes out as it is (a list page, api/routers/leesmodellen.py)
        waarde, antwoordfouten = self.antwoord.validate(uitkomst, {}, loc=("response",))
        if antwoordfouten:
            raise ResponseValidationError(errors=antwoordfouten, body=uitkomst)
        r = self.route
        antwoord = Response(
            self.antwoord.serialize_json(
                waarde, include=r.response_model_include, exclude=r.response_model_exclude, by_alias=r.response_model_by_alias,
                exclude_unset=r.response_model_exclude_unset, exclude_defaults=r.response_model_exclude_defaults,
                exclude_none=r.response_model_exclude_none),
            status_code=koppen_uit.status_code or self.status, media_type="application/json")
        antwoord.headers.raw.extend(koppen_uit.headers.raw)
        return antwoord
