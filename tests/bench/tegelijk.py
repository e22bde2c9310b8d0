"""`make bench-ab BASIS=<commit>`: are this checkout's commands and lists faster than another commit's? Both at once.

`make bench` compares the API with a ceiling interleaved in time, but two runs of it, one per commit, are
minutes apart, and on this machine its speed moves by a third within minutes: a change of 10 % drowns in
that. Here the other commit is checked out beside this one (a git worktree, removed afterwards) and both
servers run at the same time, each on a store of its own, under the same load: in each round 8 clients
start trajectories on each server simultaneously, then record a kennisgeving on each of them, then read the
case list and the worklist (100 rows a page, the answers unparsed). Whatever the machine does, it does to
both; the ratio of their throughputs per round is the figure (above 1: this checkout is faster).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Column, Table

from adapters.tokens import maak_ontwikkeltoken
from tests.bench import plafond
from tests.bench.commands import Opslag, omgeving
from tests.bench.schrijven import KENNISGEVING, TRAJECTEN, Bsns, grow_history
from tests.bench.verkeer import ROOT, Meting, Server, Verzoek, hammer, uvicorn_server
from tests.builders import tvs_start

LIJSTEN = ("/api/v1/trajecten?limiet=100", "/api/v1/signaleringen?limiet=100")  # read by each side after its commands


@contextmanager
def checkout(commit: str) -> Iterator[Path]:
    """The commit in a worktree of its own beside this one, with this checkout's virtualenv; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="inburgering-ab-") as tmp:
        pad = Path(tmp) / "basis"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(pad), commit], cwd=ROOT, check=True)
        try:
            (pad / ".venv").symlink_to(ROOT / ".venv")
            yield pad
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(pad)], cwd=ROOT, check=False)


@dataclass
class Kant:
    """One of the two: its checkout, its server and sign-in, and its throughput per round."""

    naam: str
    server: Server
    kop: dict[str, str]
    per_seconde: dict[str, list[float]] = field(default_factory=dict)  # per measure, per round


def tegelijk(kanten: list[Kant], verzoeken: dict[str, list[Verzoek]], clients: int, *, antwoorden: bool = True) -> dict[str, tuple[Meting, list[Any]]]:
    """Each side's requests from its own clients, all sides at the same time: per side its timing and answers."""
    uit: dict[str, tuple[Meting, list[Any]]] = {}
    fouten: list[BaseException] = []

    def last(kant: Kant) -> None:
        try:
            uit[kant.naam] = hammer(kant.server.base, kant.kop, verzoeken[kant.naam], clients, antwoorden=antwoorden)
        except BaseException as fout:  # raised below, once every side stopped
            fouten.append(fout)

    draden = [threading.Thread(target=last, args=(kant,)) for kant in kanten]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join()
    if fouten:
        raise fouten[0]
    return uit


def main(
    basis: Annotated[str, typer.Option(help="The commit to compare this checkout with (a hash, a branch, HEAD~3).")] = "HEAD",
    rondes: Annotated[int, typer.Option(min=1, max=20, help="Rounds; each gives one ratio per command.")] = 5,
    per_ronde: Annotated[int, typer.Option(min=16, max=5_000, help="Starts (and as many kennisgevingen) per side per round.")] = 400,
    clients: Annotated[int, typer.Option(min=1, max=32, help="Clients per side.")] = 8,
    basis_uvicorn: Annotated[str, typer.Option(help="uvicorn's options for BASIS's server only, e.g. '--loop asyncio --http h11' "
                                                    "(with BASIS=HEAD: this code without uvloop and httptools).")] = "",
) -> None:
    """Commands and list pages per second of this checkout against BASIS, both served at the same time (PostgreSQL)."""
    console = Console(width=None if os.isatty(1) else 150)
    bsns = Bsns(2_000_000)
    with ExitStack() as stack:
        kanten = []
        for naam, map_ in (("basis", stack.enter_context(checkout(basis))), ("deze", ROOT)):
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"inburgering-ab-{naam}-")))
            omg = stack.enter_context(omgeving(Opslag.postgres, tmp))
            kop = {"Authorization": "Bearer " + maak_ontwikkeltoken(omg.instellingen, rol="regisseur", gemeenten=list(plafond.GEMEENTEN),
                                                                    gebruiker="bench-ab")}
            env = {k: v for k, v in omg.api_env.items() if k != "PYTHONPATH"}  # each imports the code of its own checkout
            opties = basis_uvicorn.split() if naam == "basis" else []
            server = stack.enter_context(uvicorn_server("api.main:create_app", env, tmp / "api.log", cwd=map_, opties=opties))
            grow_history(server.base, kop, bsns)  # warms every command path up
            kanten.append(Kant(naam, server, kop))
        with console.status(f"{rondes} rounds of {per_ronde} starts, kennisgevingen and reads of each list per side, {clients} clients each"):
            for _ in range(rondes):
                starts = tegelijk(kanten, {k.naam: [Verzoek(TRAJECTEN, tvs_start(bsns.volgende()), 201) for _ in range(per_ronde)]
                                           for k in kanten}, clients)
                kennis = tegelijk(kanten, {k.naam: [Verzoek(f"{TRAJECTEN}/{t['trajectId']}/kennisgevingen", KENNISGEVING, 201)
                                                    for t in starts[k.naam][1]] for k in kanten}, clients)
                lijsten = {pad: tegelijk(kanten, {k.naam: [Verzoek(pad)] * per_ronde for k in kanten}, clients, antwoorden=False)
                           for pad in LIJSTEN}
                for kant in kanten:
                    for meting, uitkomst in (("start", starts), ("kennisgeving", kennis), *lijsten.items()):
                        kant.per_seconde.setdefault(meting, []).append(uitkomst[kant.naam][0].per_seconde)
    basis_kant, deze = kanten
    t = Table("measure", Column(f"basis ({basis}), req/s", justify="right"), Column("this checkout, req/s", justify="right"),
              Column("ratio per round", justify="right"), Column("median", justify="right"),
              title=f"This checkout against {basis}, both at the same time, PostgreSQL, {clients} clients each")
    for meting, b in basis_kant.per_seconde.items():
        d = deze.per_seconde[meting]
        verhoudingen = [nu / eerder for eerder, nu in zip(b, d, strict=True)]
        t.add_row(meting, " ".join(f"{x:.0f}" for x in b), " ".join(f"{x:.0f}" for x in d),
                  " ".join(f"{x:.2f}" for x in verhoudingen), f"{statistics.median(verhoudingen):.3f}")
    console.print(t)


if __name__ == "__main__":
    typer.run(main)
