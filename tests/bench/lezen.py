"""Reads at N trajectories: the list and the worklist with filters, one trajectory, the reports, integrity.

Every measure runs with the same number of concurrent readers and is interleaved, round by round, with
one trajectory's GET and with the ceiling's indexed SELECT of 100 rows, so a busy moment of the machine
hits them alike. A list's p50 is set against both: the Target compares it with a single trajectory. The
warm-up checks each answer's content; the timed rounds check its status and leave its JSON unparsed, as a
load generator does: the readers run on the server's two cores.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import cycle, islice

from tests.bench.plafond import GEMEENTEN
from tests.bench.verkeer import Meting, Verzoek, client, expect, hammer

API = "/api/v1"
PAGINA = "limiet=100"
# (name, path): the filters an operator uses on the two main screens.
LIJSTEN = [
    ("GET /trajecten", f"{API}/trajecten?{PAGINA}"),
    ("GET /trajecten ?regisseur", f"{API}/trajecten?{PAGINA}&regisseur=regisseur-0505-1"),
    ("GET /trajecten ?status&deadline", f"{API}/trajecten?{PAGINA}&status=lopend&deadlineBinnenDagen=30"),
    ("GET /trajecten ?gemeente", f"{API}/trajecten?{PAGINA}&gemeente=0642"),
    ("GET /signaleringen", f"{API}/signaleringen?{PAGINA}"),
    ("GET /signaleringen ?regisseur", f"{API}/signaleringen?{PAGINA}&regisseur=regisseur-0505-1"),
    ("GET /signaleringen ?status", f"{API}/signaleringen?{PAGINA}&status=verlopen"),
    ("GET /signaleringen ?gemeente", f"{API}/signaleringen?{PAGINA}&gemeente=0642"),
]
RAPPORTEN = [(f"GET /rapportages/{naam}", f"{API}/rapportages/{naam}?gemeente=0505&jaar=2024")
             for naam in ("spuk", "instroom", "leerroutemix", "handhaving")]
EEN = "GET /trajecten/{id}"
PLAFOND = "ceiling SELECT 100 rows"


@dataclass(frozen=True)
class Lezingen:
    lijsten: dict[str, Meting]  # the lists, one trajectory (EEN) and the ceiling (PLAFOND)
    rapporten: dict[str, Meting]
    integriteit: list[tuple[float, int | None]]  # GET /integriteit one after the other: seconds, events it read
    rijen: dict[str, int]  # rows on the first page of each list, to show that the filters select something


def traject_ids(base: str, headers: dict[str, str]) -> list[str]:
    """A page of trajectory ids: the single-trajectory GETs cycle through them (warm in the API's cache)."""
    with client(base, headers) as http:
        return [t["trajectId"] for t in expect(http.get(f"{API}/trajecten?{PAGINA}"), 200)["trajecten"]]


def lees(api: str, plafond: str, lezer: dict[str, str], auditor: dict[str, str], *, lezers: int, lezingen: int,
         rondes: int, integriteit: int) -> Lezingen:
    ids = traject_ids(api, lezer)
    per_ronde = max(lezers, lezingen // rondes)
    een = [Verzoek(f"{API}/trajecten/{i}") for i in ids]
    plafond_verzoeken = [Verzoek(f"/rijen?gemeente={g}") for g in GEMEENTEN]
    reeksen: list[tuple[str, str, Sequence[Verzoek]]] = [(EEN, api, een), (PLAFOND, plafond, plafond_verzoeken)]
    reeksen += [(naam, api, [Verzoek(pad)]) for naam, pad in LIJSTEN]
    rijen = {}
    for naam, base, verzoeken in reeksen:  # warm-up: every path once per reader, untimed
        _, antwoorden = hammer(base, lezer, _herhaal(verzoeken, lezers), lezers)
        rijen[naam] = _aantal_rijen(antwoorden[0])
    lijsten = {naam: Meting() for naam, _, _ in reeksen}
    for _ in range(rondes):
        for naam, base, verzoeken in reeksen:
            lijsten[naam].voeg_toe(hammer(base, lezer, _herhaal(verzoeken, per_ronde), lezers, antwoorden=False)[0])
    rapporten = {naam: Meting() for naam, _ in RAPPORTEN}
    per_rapport = max(lezers, per_ronde // 4)  # a report reads a whole gemeente today: fewer of them
    for naam, pad in RAPPORTEN:
        hammer(api, lezer, [Verzoek(pad)] * lezers, lezers)  # warm-up
        rapporten[naam].voeg_toe(hammer(api, lezer, [Verzoek(pad)] * per_rapport, lezers, antwoorden=False)[0])
    return Lezingen(lijsten, rapporten, controleer_integriteit(api, auditor, integriteit), rijen)


def controleer_integriteit(api: str, auditor: dict[str, str], keren: int) -> list[tuple[float, int | None]]:
    """GET /integriteit, alone, `keren` times in a row: seconds and the events it read (a check that goes
    on from its last position reads everything once, then only what is new)."""
    uitkomsten = []
    with client(api, auditor, timeout=1800) as http:
        for _ in range(keren):
            begin = time.perf_counter()
            antwoord = expect(http.get(f"{API}/integriteit"), 200)
            uitkomsten.append((time.perf_counter() - begin, antwoord.get("gebeurtenissen")))
            if not antwoord.get("inOrde", antwoord.get("in_orde", True)):
                raise RuntimeError(f"GET /integriteit meldt afwijkingen: {str(antwoord)[:500]}")
    return uitkomsten


def _herhaal(verzoeken: Sequence[Verzoek], aantal: int) -> list[Verzoek]:
    return list(islice(cycle(verzoeken), aantal))


def _aantal_rijen(antwoord: dict[str, object]) -> int:
    for sleutel in ("trajecten", "signaleringen", "rijen"):
        if isinstance(waarde := antwoord.get(sleutel), list):
            return len(waarde)
    return 1
