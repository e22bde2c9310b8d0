"""Errors as application/problem+json (RFC 9457), mapped in this one place."""

from __future__ import annotations

import logging
import re
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.invoerfouten import reden
from api.openapi import API_VERSIE, BASISPAD
from api.serverlog import sjabloon
from domain.abonnement import AbonnementNietGevondenError, AbonnementVerouderdError
from domain.application import BuitenMandaatError, TrajectNietGevondenError, VersieVerouderdError
from adapters.keten import IntegriteitsalarmError
from adapters.sleutelkluis import SleutelVernietigdError
from adapters.sqlverbinding import VERBINDINGSFOUTEN
from domain.fouten import HandhavingszaakNietGevondenError, RegelOvertredenError
from domain.opdracht import IdempotencyKeyHergebruiktError

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "https://api.sdd-inburgering.nl/problemen/"
PROBLEEMCODE = "probleemcode"  # the key in the request's state under which the answer's problem is named
OPNIEUW_NA = "5"  # seconds, in Retry-After of a 503: about how long a pool waits before it tries again
log = logging.getLogger("inburgering.api")
ROUTERINGSFOUTEN = {
    404: ("niet-gevonden", "Niet gevonden.", "Op dit pad is niets; de paden staan in de API-documentatie."),
    405: ("methode-niet-toegestaan", "Methode niet toegestaan.", "Dit pad kent deze methode niet; Allow noemt de methoden die het kent."),
}


class ProbleemError(Exception):
    """An HTTP problem raised by the API layer itself (authentication, headers)."""

    def __init__(self, status: int, code: str, titel: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.code, self.titel, self.detail, self.headers = status, code, titel, detail, headers


def probleem(
    request: Request, status: int, code: str, titel: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    setattr(request.state, PROBLEEMCODE, code)  # what the metrics count a command's failure as (api/metrics.py)
    inhoud = {"type": TYPE_PREFIX + code, "title": titel, "status": status, "detail": detail}
    inhoud |= {"instance": request.url.path, "code": code} | extra
    return JSONResponse(inhoud, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def onbeschikbaar(request: Request, detail: str) -> JSONResponse:
    """503: a store cannot be reached now; the client may try again after Retry-After."""
    return probleem(request, 503, "tijdelijk-niet-beschikbaar", "Tijdelijk niet beschikbaar.", detail, {"Retry-After": OPNIEUW_NA})


def _veldnaam(locatie: tuple[Any, ...], body: Any) -> str:
    # Drop the "body"/"header" prefix and the tag pydantic adds for a discriminated union: the value of the
    # body's discriminator (`aanleiding`, `grond`), which is no field of the body.
    delen = list(locatie[1:])
    if len(delen) > 1 and isinstance(body, dict) and delen[0] not in body and delen[0] in {v for v in body.values() if isinstance(v, str)}:
        delen = delen[1:]
    return ".".join(str(deel) for deel in delen) or str(locatie[0])


def _ongeldige_invoer(request: Request, fout: RequestValidationError) -> JSONResponse:
    # Query, path, header and body errors all arrive here; `code` stays pydantic's type, which clients may match on.
    velden = [{"name": _veldnaam(e["loc"], fout.body), "code": e["type"], "reason": reden(e)} for e in fout.errors()]
    return probleem(
        request,
        400,
        "ongeldige-invoer",
        "Een of meer velden zijn ongeldig.",
        f"{len(velden)} ongeldig(e) veld(en).",
        invalidParams=velden,
    )


def _toegestane_methoden(request: Request) -> str:
    # From the OpenAPI document: it lists every operation, also of routers that FastAPI keeps nested.
    # The most literal matching path names the resource: /trajecten/_zoek, not /trajecten/{trajectId}.
    pad = request.url.path.removeprefix(BASISPAD)
    passend = [
        (sjabloon.count("{"), item)
        for sjabloon, item in request.app.openapi()["paths"].items()
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", sjabloon), pad)
    ]
    minste = min((aantal for aantal, _ in passend), default=0)
    return ", ".join(sorted({m.upper() for aantal, item in passend if aantal == minste for m in item}))


def registreer(app: FastAPI) -> None:
    """Map every error the API can raise to one problem response."""

    @app.exception_handler(RequestValidationError)
    def ongeldig(request: Request, fout: RequestValidationError) -> JSONResponse:
        return _ongeldige_invoer(request, fout)

    @app.exception_handler(HTTPException)
    def http(request: Request, fout: HTTPException) -> JSONResponse:
        # Raised by the framework for a path or method it does not serve, with an English phrase as detail.
        code, titel, detail = ROUTERINGSFOUTEN.get(fout.status_code, ("http-fout", "HTTP-fout.", "Het verzoek kan niet worden verwerkt."))
        headers = dict(fout.headers or {})
        if fout.status_code == 405:
            headers["Allow"] = _toegestane_methoden(request)  # one path may be served by routes in several routers
        return probleem(request, fout.status_code, code, titel, detail, headers)

    @app.exception_handler(ProbleemError)
    def api_probleem(request: Request, fout: ProbleemError) -> JSONResponse:
        return probleem(request, fout.status, fout.code, fout.titel, fout.detail, fout.headers)

    @app.exception_handler(RegelOvertredenError)
    def regel(request: Request, fout: RegelOvertredenError) -> JSONResponse:
        return probleem(request, 409, fout.code, fout.titel, fout.detail, grondslag=fout.grondslag)

    @app.exception_handler(TrajectNietGevondenError)
    def niet_gevonden(request: Request, _: TrajectNietGevondenError) -> JSONResponse:
        return probleem(request, 404, "traject-niet-gevonden", "Traject niet gevonden.", "Er is geen traject met dit id dat u mag zien.")

    @app.exception_handler(HandhavingszaakNietGevondenError)
    def zaak_niet_gevonden(request: Request, fout: HandhavingszaakNietGevondenError) -> JSONResponse:
        return probleem(request, 404, "handhavingszaak-niet-gevonden", "Handhavingszaak niet gevonden.", str(fout))

    @app.exception_handler(BuitenMandaatError)
    def buiten_mandaat(request: Request, fout: BuitenMandaatError) -> JSONResponse:
        return probleem(request, 403, "buiten-mandaat", "Buiten uw mandaat.", str(fout))

    @app.exception_handler(VersieVerouderdError)
    def verouderd(request: Request, fout: VersieVerouderdError) -> JSONResponse:
        return probleem(
            request, 412, "versie-verouderd", "Het traject is intussen gewijzigd.", str(fout), {"ETag": f'"{fout.huidig}"'}
        )

    @app.exception_handler(AbonnementNietGevondenError)
    def abonnement_niet_gevonden(request: Request, _: AbonnementNietGevondenError) -> JSONResponse:
        return probleem(request, 404, "abonnement-niet-gevonden", "Abonnement niet gevonden.", "U hebt geen abonnement met dit id.")

    @app.exception_handler(AbonnementVerouderdError)
    def abonnement_verouderd(request: Request, fout: AbonnementVerouderdError) -> JSONResponse:
        return probleem(request, 412, "versie-verouderd", "Het abonnement is intussen gewijzigd.", str(fout), {"ETag": f'"{fout.huidig}"'})

    @app.exception_handler(IdempotencyKeyHergebruiktError)
    def hergebruikt(request: Request, fout: IdempotencyKeyHergebruiktError) -> JSONResponse:
        return probleem(request, 409, "idempotency-key-hergebruikt", "Idempotency-Key al gebruikt.", str(fout))

    @app.exception_handler(SleutelVernietigdError)
    def vernietigd(request: Request, _: SleutelVernietigdError) -> JSONResponse:
        return probleem(request, 409, "persoonsgegevens-verwijderd", "De persoonsgegevens zijn verwijderd.",
                        "Van deze persoon zijn de persoonsgegevens verwijderd; er kan niets meer aan worden toegevoegd.",
                        grondslag="Bi 9.9")

    @app.exception_handler(IntegrityError)
    def gelijktijdig(request: Request, _: IntegrityError) -> JSONResponse:
        detail = "Een ander verzoek wijzigde hetzelfde traject tegelijk; haal het opnieuw op en probeer nogmaals."
        return probleem(request, 409, "gelijktijdige-wijziging", "Gelijktijdige wijziging.", detail)

    @app.exception_handler(IntegriteitsalarmError)
    def integriteitsalarm(request: Request, _: IntegriteitsalarmError) -> JSONResponse:
        # Not the client's fault, and not to be retried: an operator must look at the store (the alarm is
        # logged as critical and GET /integriteit names the version). The client learns no more than that.
        detail = ("De opgeslagen geschiedenis van dit traject is niet door deze applicatie ondertekend; er is niets vastgelegd. "
                  "Beheer is gealarmeerd.")
        return probleem(request, 500, "integriteitsalarm", "Integriteitsalarm.", detail)

    def onbereikbaar(request: Request, fout: Exception) -> JSONResponse:
        # One line, no traceback: while the database is gone every request ends here.
        log.warning("geen databaseverbinding bij %s %s: %s: %s", request.method, sjabloon(request.scope), type(fout).__name__, fout)
        return onbeschikbaar(request, "De database is niet bereikbaar; probeer het over enkele seconden opnieuw.")

    for fout in VERBINDINGSFOUTEN:
        app.add_exception_handler(fout, onbereikbaar)

    @app.exception_handler(Exception)
    def onverwacht(request: Request, fout: Exception) -> JSONResponse:
        # Answered outside the middleware that sets the API's headers (Starlette's ServerErrorMiddleware): set
        # here, so that whoever calls about it can quote the correlation id the log line carries.
        log.error("onverwachte fout bij %s %s", request.method, sjabloon(request.scope), exc_info=fout)
        correlatie_id = getattr(request.state, "correlatie_id", None)
        koppen = {"API-Version": API_VERSIE}
        if correlatie_id is not None:
            koppen["X-Correlation-ID"] = correlatie_id
        if (trace := getattr(request.state, "trace", None)) is not None:
            koppen["traceparent"] = trace.traceparent
        detail = "Er ging iets mis; de fout is gelogd" + (f" onder correlatie-id {correlatie_id}." if correlatie_id else ".")
        return probleem(request, 500, "interne-fout", "Interne fout.", detail, koppen)
