"""`make bench-kosten`: where a command's CPU goes, layer by layer, against the bare ceiling's whole request.

`make bench` measures throughput through uvicorn; this says which layer a command's CPU is spent in, so that
work on the ratio goes where the time is. In one process, on a store of its own, one request at a time, the
CPU (time.process_time: every thread of the process) per command of:

- the domain and the store: the application service called directly (`Inburgering.start_traject`,
  `voer_uit`), with the command the route would build;
- the whole app: the same commands as HTTP requests through the ASGI app, but without a server or socket
  (middleware, routing, dependencies, validation, the thread hop, the answer, the access log);
- the ceiling: the bare app's POST /inserts (tests/bench/plafond.py) the same way.

The app minus the domain and store is the HTTP layer; the server (uvicorn, with uvloop and httptools) comes on
top of both apps alike. Rounds are interleaved and the least CPU per command of any round is reported: it is the most
repeatable figure on a machine whose speed moves.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from pydantic import TypeAdapter
from rich.console import Console
from rich.table import Column, Table

from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from api.verzoeken import intake, start
from domain.application import Actor, Inburgering
from domain.waarden import Gemeente, Rol
from tests.bench import laden, plafond
from tests.bench.commands import Opslag, maak_plafondtabellen, omgeving
from tests.bench.schrijven import KENNISGEVING
from tests.builders import tvs_start

ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[[dict[str, Any]], Awaitable[None]]], Awaitable[None]]
TRAJECTEN = "/api/v1/trajecten"
START = TypeAdapter(start.TrajectCreate)
PLAFOND_OMGEVING = ("BENCH_DATABASE_URL", "BENCH_SCHEMA", "BENCH_SQLITE_PAD")


class InProces:
    """An ASGI app served without a server: its lifespan run, then one request at a time."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app: ASGIApp = app
        self.headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")] + [
            (k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.state: dict[str, Any] = {}
        self._berichten: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._taak: asyncio.Task[None] | None = None

    async def __aenter__(self) -> InProces:
        gestart = asyncio.Event()

        async def verzend(bericht: dict[str, Any]) -> None:
            if bericht["type"].startswith("lifespan.startup"):
                if bericht["type"] == "lifespan.startup.failed":
                    raise RuntimeError(bericht.get("message"))
                gestart.set()

        await self._berichten.put({"type": "lifespan.startup"})
        self._taak = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state},
                                                  self._berichten.get, verzend))
        await asyncio.wait_for(gestart.wait(), timeout=60)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._berichten.put({"type": "lifespan.shutdown"})
        if self._taak is not None:
            await asyncio.wait_for(self._taak, timeout=60)

    async def post(self, pad: str, body: dict[str, Any], status: int = 201) -> Any:
        inhoud = json.dumps(body).encode()
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
                 "path": pad, "raw_path": pad.encode(), "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
                 "server": ("127.0.0.1", 8000), "headers": self.headers + [(b"content-length", str(len(inhoud)).encode())],
                 "state": dict(self.state)}  # a copy per request, as uvicorn makes
        ontvangen, antwoord = False, {"delen": []}

        async def ontvang() -> dict[str, Any]:
            nonlocal ontvangen
            if ontvangen:
                await asyncio.Event().wait()  # the client does not leave: wait until the answer is sent
            ontvangen = True
            return {"type": "http.request", "body": inhoud, "more_body": False}

        async def verzend(bericht: dict[str, Any]) -> None:
            if bericht["type"] == "http.response.start":
                antwoord["status"] = bericht["status"]
            elif bericht["type"] == "http.response.body":
                antwoord["delen"].append(bericht.get("body", b""))

        await self.app(scope, ontvang, verzend)
        tekst = b"".join(antwoord["delen"])
        if antwoord.get("status") != status:
            raise RuntimeError(f"POST {pad} -> {antwoord.get('status')}: {tekst[:500]!r}")
        return json.loads(tekst)


@dataclass
class Kosten:
    """CPU ms per command of each round, per measure."""

    rondes: dict[str, list[float]] = field(default_factory=dict)

    def meet(self, naam: str, aantal: int, werk: Callable[[], None]) -> None:
        begin = time.process_time()
        werk()
        self.rondes.setdefault(naam, []).append((time.process_time() - begin) * 1000 / aantal)

    async def meet_async(self, naam: str, aantal: int, werk: Callable[[], Awaitable[None]]) -> None:
        begin = time.process_time()
        await werk()
        self.rondes.setdefault(naam, []).append((time.process_time() - begin) * 1000 / aantal)

    def minst(self, naam: str) -> float:
        return min(self.rondes[naam])


async def meet(soort: Opslag, aantal: int, rondes: int) -> tuple[str, Kosten]:
    kosten = Kosten()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="inburgering-kosten-")))
        omg = stack.enter_context(omgeving(soort, tmp))
        maak_plafondtabellen(omg, 100)
        for sleutel in PLAFOND_OMGEVING:  # read by bare_app(): this store's, not the one measured before it
            os.environ.pop(sleutel, None)
        os.environ.update({k: v for k, v in omg.plafond_env.items() if k in PLAFOND_OMGEVING})
        token = maak_ontwikkeltoken(omg.instellingen, rol="regisseur", gemeenten=list(plafond.GEMEENTEN), gebruiker="bench-kosten")
        api = InProces(create_app(omg.instellingen), {"Authorization": f"Bearer {token}"})
        bare = InProces(plafond.bare_app(), {})
        async with api, bare:
            service: Inburgering = api.app.state.inburgering  # type: ignore[attr-defined]
            actor = Actor(gebruiker="bench-kosten", rol=Rol.REGISSEUR, gemeenten=frozenset(Gemeente), correlatie_id="bench-kosten")
            nummers = iter(range(10**9))

            def bsn() -> str:
                return laden.bsn(1_000_000 + next(nummers))

            def starts_direct(ids: list[UUID]) -> None:
                for _ in range(aantal):
                    ids.append(service.start_traject(START.validate_python(tvs_start(bsn())).commando(), actor).traject.id)

            def kennisgevingen_direct(ids: list[UUID]) -> None:
                for traject_id in ids:
                    service.voer_uit(traject_id, intake.KennisgevingCreate.model_validate(KENNISGEVING).commando(), actor)

            async def starts_http(ids: list[str]) -> None:
                for _ in range(aantal):
                    ids.append((await api.post(TRAJECTEN, tvs_start(bsn())))["trajectId"])

            async def kennisgevingen_http(ids: list[str]) -> None:
                for traject_id in ids:
                    await api.post(f"{TRAJECTEN}/{traject_id}/kennisgevingen", KENNISGEVING)

            async def inserts() -> None:
                for _ in range(aantal):
                    await bare.post("/inserts", KENNISGEVING)

            for ronde in range(rondes + 1):  # the first round warms every path up and is not counted
                meting = kosten if ronde else Kosten()
                direct: list[UUID] = []
                meting.meet("start: domain and store", aantal, lambda: starts_direct(direct))
                meting.meet("kennisgeving: domain and store", aantal, lambda: kennisgevingen_direct(direct))
                via_http: list[str] = []
                await meting.meet_async("start: the whole app", aantal, lambda: starts_http(via_http))
                await meting.meet_async("kennisgeving: the whole app", aantal, lambda: kennisgevingen_http(via_http))
                await meting.meet_async("ceiling: the whole app (one INSERT)", aantal, inserts)
        return omg.naam, kosten


def tabel(naam: str, kosten: Kosten, aantal: int, rondes: int) -> Table:
    t = Table("measure", Column("CPU per command", justify="right"), Column("of the whole app", justify="right"),
              Column("x the ceiling's request", justify="right"),
              title=f"A command's CPU by layer, {naam}, in-process, one request at a time ({aantal} per round, least of {rondes} rounds)")
    plafond_ms = kosten.minst("ceiling: the whole app (one INSERT)")
    for commando in ("start", "kennisgeving"):
        geheel, domein = kosten.minst(f"{commando}: the whole app"), kosten.minst(f"{commando}: domain and store")
        for label, ms in ((f"{commando}: the whole app", geheel), (f"{commando}: domain and store", domein),
                          (f"{commando}: the HTTP layer (the difference)", geheel - domein)):
            t.add_row(label, f"{ms:.2f} ms", f"{ms / geheel:.0%}", f"{ms / plafond_ms:.1f}x")
    t.add_row("ceiling: the whole app (one INSERT)", f"{plafond_ms:.2f} ms", "", "1.0x")
    return t


def main(
    opslag: Annotated[Opslag, typer.Option(help="The store(s) to measure, one after the other.")] = Opslag.beide,
    aantal: Annotated[int, typer.Option(min=10, max=10_000, help="Commands of each kind per round.")] = 300,
    rondes: Annotated[int, typer.Option(min=1, max=20, help="Rounds, after one that warms up.")] = 3,
) -> None:
    """A command's CPU by layer: domain and store, the whole app in-process, and the bare ceiling's request."""
    console = Console(width=None if os.isatty(1) else 150)
    for soort in [Opslag.postgres, Opslag.sqlite] if opslag is Opslag.beide else [opslag]:
        naam, kosten = asyncio.run(meet(soort, aantal, rondes))
        console.print(tabel(naam, kosten, aantal, rondes))


if __name__ == "__main__":
    typer.run(main)
