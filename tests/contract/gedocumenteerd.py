"""What an answer of the app may carry, according to the committed OpenAPI document."""

from __future__ import annotations

import json
from functools import cache
from typing import cast

import httpx2
from fastapi.middleware.cors import CORSMiddleware

from adapters.settings import Settings
from api.main import create_app
from api.openapi import BASISPAD, DOCUMENT

DOCUMENT_JSON = json.loads(DOCUMENT.read_text())


@cache
def blootgestelde_kopregels() -> frozenset[str]:
    """The headers the app sends for a client to read: those its CORS policy exposes (api/main.py), and those of an error."""
    app = create_app(Settings(_env_file=None))  # type: ignore[call-arg]  # not started: only its middleware is read
    cors = next(m for m in app.user_middleware if m.cls is CORSMiddleware)
    blootgesteld = cast(list[str], cors.kwargs["expose_headers"])
    return frozenset({*blootgesteld, "Retry-After", "WWW-Authenticate"})


def controleer_antwoord(methode: str, pad: str, antwoord: httpx2.Response) -> None:
    """The status is declared for the operation, and so is each header a client may read from it."""
    operatie = DOCUMENT_JSON["paths"][pad.removeprefix(BASISPAD)][methode.lower()]
    gedeclareerd = operatie["responses"].get(str(antwoord.status_code))
    assert gedeclareerd is not None, f"{methode.upper()} {pad}: status {antwoord.status_code} staat niet in het document"
    koppen = {k.lower() for k in gedeclareerd.get("headers", {})}
    ontbreekt = sorted(k for k in blootgestelde_kopregels() if k in antwoord.headers and k.lower() not in koppen)
    assert ontbreekt == [], f"{methode.upper()} {pad} {antwoord.status_code}: kopregels niet gedocumenteerd: {ontbreekt}"
