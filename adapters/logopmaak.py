"""How the server's log lines look and what they may hold (api/serverlog.json wires it into uvicorn's logging).

- `opmaak()`: one JSON object per line (python-json-logger), or uvicorn's plain text in development; chosen by
  INBURGERING_LOG_FORMAAT, read here from the environment because uvicorn configures logging before the app
  reads its Settings (the field and its default are declared once, in adapters/settings.py).
- `Verzoekcontext`: the request's trace id, span id and correlation id on every line written while it is
  served. The Kopregels middleware sets them in a ContextVar: the request's task and the worker threads it
  hands work to (anyio copies the context) see them; background threads (log writer, projector, dispatcher)
  start with an empty context and write lines without them.
- `Afscherming`: no BSN, token or exception message that may carry input in a line, whatever a caller logs.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import re
import sqlite3
import threading
import traceback
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, get_args

import httpx
import psycopg
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from stdnum.nl import bsn
from uvicorn.logging import DefaultFormatter

from adapters.settings import ROOT, Settings

FORMAAT_VARIABELE = "INBURGERING_LOG_FORMAAT"
LOGCONFIG = ROOT / "api" / "serverlog.json"  # uvicorn's --log-config; configureer() gives it to the other processes
WEGGELATEN = "[melding weggelaten]"
# Messages written by us or by the infrastructure describe the system, not a request's input: a lost
# connection, a lock wait. Any other exception (a validation error quoting its input, a constraint's
# DETAIL naming the row's values) is logged by its type and stack alone. Domain errors describe input.
VEILIGE_FOUTEN: tuple[type[BaseException], ...] = (OSError, psycopg.OperationalError, sqlite3.OperationalError, httpx.TransportError)
EIGEN_PAKKETTEN = {"adapters", "api", "projections"}

_CIJFERS = r"(?<![0-9A-Za-z])(?:[0-9]{9}|[0-9]{4}\.[0-9]{2}\.[0-9]{3})(?![0-9A-Za-z])"
_AFSCHERMINGEN = [
    # Whatever follows: "Bearer ontbreekt" becomes "Bearer [token]", as any word could be a token.
    (re.compile(r"\b((?i:bearer)|Basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [token]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)?"), "[jwt]"),
    (re.compile(r"whsec_[A-Za-z0-9+/=]+"), "whsec_[geheim]"),  # a subscription's signing secret
]


@dataclass(frozen=True)
class Verzoek:
    trace_id: str
    span_id: str
    correlation_id: str


_verzoek: ContextVar[Verzoek | None] = ContextVar("verzoek", default=None)


def zet_verzoek(trace_id: str, span_id: str, correlation_id: str) -> None:
    """For the rest of the request's task. Not reset on the way out: the outer middlewares (the request line,
    the 500 handler) log after the inner ones return, and the task, with its context, ends with the request."""
    _verzoek.set(Verzoek(trace_id, span_id, correlation_id))


def afgeschermd(tekst: str) -> str:
    """The text with every BSN (nine digits that pass the elfproef), bearer token, JWT and secret replaced."""
    for patroon, vervanging in _AFSCHERMINGEN:
        tekst = patroon.sub(vervanging, tekst)
    return re.sub(_CIJFERS, lambda m: "[bsn]" if bsn.is_valid(m.group()) else m.group(), tekst)


def veilige_melding(fout: BaseException) -> str:
    soort = type(fout)
    if isinstance(fout, VEILIGE_FOUTEN) or soort.__module__.split(".")[0] in EIGEN_PAKKETTEN:
        return afgeschermd(str(fout))
    return WEGGELATEN


def foutnaam(soort: type[BaseException]) -> str:
    return soort.__qualname__ if soort.__module__ == "builtins" else f"{soort.__module__}.{soort.__qualname__}"


def veilige_traceback(fout: BaseException) -> str:
    """As Python prints it (the chain, oldest first), each exception's message shown only as `veilige_melding`
    allows; the stack itself (files, lines, source) holds no input."""
    delen: list[str] = []
    gezien: set[int] = set()
    huidige: BaseException | None = fout
    while huidige is not None and id(huidige) not in gezien:
        gezien.add(id(huidige))
        stapel = "".join(traceback.format_tb(huidige.__traceback__))
        delen.append(f"Traceback (most recent call last):\n{stapel}{foutnaam(type(huidige))}: {veilige_melding(huidige)}")
        if huidige.__cause__ is not None:
            delen.append("The above exception was the direct cause of the following exception:")
            huidige = huidige.__cause__
        elif huidige.__context__ is not None and not huidige.__suppress_context__:
            delen.append("During handling of the above exception, another exception occurred:")
            huidige = huidige.__context__
        else:
            huidige = None
    return afgeschermd("\n\n".join(reversed(delen)))


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
_STANDAARD = set(RESERVED_ATTRS) | {"message", "asctime", "taskName"}


class Afscherming(logging.Filter):
    """On every handler: renders the message with its arguments (an exception among them by `veilige_melding`),
    then replaces what looks like a BSN or token in it and in any extra text field."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, BaseException):  # log.error(fout)
            record.msg = veilige_melding(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(veilige_melding(a) if isinstance(a, BaseException) else a for a in record.args)
        try:
            bericht = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: show both, as text
            bericht = f"{record.msg} {record.args!r}"
        record.msg, record.args = afgeschermd(bericht), None
        record.__dict__.pop("color_message", None)  # uvicorn's coloured copy, formatted with the original arguments
        for naam, waarde in list(record.__dict__.items()):
            if naam not in _STANDAARD and isinstance(waarde, str):
                setattr(record, naam, afgeschermd(waarde))
        return True


class Verzoekcontext(logging.Filter):
    """Puts the request's ids on the line; a line written outside a request gets none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (verzoek := _verzoek.get()) is not None:
            record.trace_id, record.span_id, record.correlation_id = verzoek.trace_id, verzoek.span_id, verzoek.correlation_id
        return True


class JsonOpmaak(JsonFormatter):
    """`{"timestamp", "level", "logger", "message", "trace_id", "span_id", "correlation_id"}`; an error adds
    `exc_type` and `traceback` (one string). ASCII only: a lone surrogate in a message is escaped, not an
    encoding error on the stream."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "traceback"},
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )

    def formatException(self, ei: ExcInfo) -> str:
        return veilige_traceback(ei[1]) if ei[1] is not None else ""

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        log_data["timestamp"] = datetime.fromtimestamp(record.created, UTC).isoformat()  # first, for the eye
        super().add_fields(log_data, record, message_dict)
        if record.exc_info and record.exc_info[0] is not None:
            log_data["exc_type"] = foutnaam(record.exc_info[0])


class TekstOpmaak(DefaultFormatter):
    """uvicorn's `INFO:     message`, with the same safe traceback (on lines of its own: this is for people)."""

    def __init__(self) -> None:
        super().__init__("%(levelprefix)s %(message)s", use_colors=None)

    def formatException(self, ei: ExcInfo) -> str:
        return veilige_traceback(ei[1]) if ei[1] is not None else ""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None  # another handler may have rendered it its own way
        return super().format(record)


def gekozen_formaat() -> str:
    """INBURGERING_LOG_FORMAAT, or the field's default; a value the field does not allow gives the default here
    (and Settings refuses it when the app starts)."""
    veld = Settings.model_fields["log_formaat"]
    waarde = os.environ.get(FORMAAT_VARIABELE, veld.default)
    return str(waarde if waarde in get_args(veld.annotation) else veld.default)


def _onafgevangen_in_draad(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return  # as the default hook: a thread that exits
    draad = args.thread.name if args.thread is not None else "?"
    logging.getLogger("inburgering").error("onafgevangen fout in draad %s", draad, exc_info=args.exc_value)


def opmaak() -> logging.Formatter:
    """The formatter api/serverlog.json names: read once, when uvicorn configures logging (in every worker).

    Warnings and a thread's uncaught error would otherwise be printed to stderr past logging, as text with
    their messages: they go through the handlers too, so every line the server writes is one of these."""
    logging.captureWarnings(True)
    threading.excepthook = _onafgevangen_in_draad
    return TekstOpmaak() if gekozen_formaat() == "tekst" else JsonOpmaak()


def configureer() -> None:
    """For a process that runs without uvicorn (the dispatcher, the projector): the server's own log set-up, so
    that its lines are the same JSON (or text), redacted the same way."""
    logging.config.dictConfig(json.loads(LOGCONFIG.read_text()))
