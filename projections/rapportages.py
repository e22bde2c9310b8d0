"""Management reports per gemeente and year, counted from the trajectenlijst documents.

Definitions (what counts in which year):
- instroom: trajectories by the year they started;
- leerroutemix: the current leerroute of trajectories whose PIP is dated in the year;
- SPUK: per component the persons whose PIP (maatschappelijke begeleiding: its start) falls in the
  year: leerroutes = every PIP of an asielstatushouder (the college offers the course, Wi 16), MAP
  and PVT = in the PIP's offer, tolkvoorziening = at least one tolk; times the amounts of §4.1.2;
- handhaving: handhavingszaken by the year of the conduct, per article and step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.beleid import SPUK_BEDRAGEN, SPUK_BRON, SPUK_RAMING_2022, VERWACHTE_LEERROUTEMIX

DOELGROEPEN = ("asielstatushouder", "gezins_overige_migrant")
LEERROUTES = ("b1", "onderwijsroute", "z_route")
Document = dict[str, Any]


def _jaar(datum: str | None) -> int | None:
    return int(datum[:4]) if datum else None


def instroom(documenten: Iterable[Document], jaar: int) -> dict[str, Any]:
    telling = Counter(d["doelgroep"] for d in documenten if _jaar(d["startdatum"]) == jaar)
    return {"jaar": jaar, "perDoelgroep": {g: telling[g] for g in DOELGROEPEN}, "totaal": sum(telling.values())}


def leerroutemix(documenten: Iterable[Document], jaar: int) -> dict[str, Any]:
    per_groep: dict[str, Counter[str]] = {g: Counter() for g in DOELGROEPEN}
    for d in documenten:
        if _jaar(d["pipDagtekening"]) == jaar and d["leerroute"]:
            per_groep[d["doelgroep"]][d["leerroute"]] += 1
    uitkomst = {}
    for groep, telling in per_groep.items():
        totaal = sum(telling.values())
        routes = []
        for route in LEERROUTES:
            laag, hoog = VERWACHTE_LEERROUTEMIX[groep][route]
            procent = round(Decimal(100 * telling[route]) / totaal, 1) if totaal else None
            routes.append({
                "leerroute": route, "aantal": telling[route], "percentage": str(procent) if procent is not None else None,
                "verwachtMinimum": laag, "verwachtMaximum": hoog,
                "binnenVerwachting": procent is not None and laag <= procent <= hoog,
            })
        uitkomst[groep] = {"totaal": totaal, "routes": routes}
    return {"jaar": jaar, "perDoelgroep": uitkomst}


def _telt_mee(d: Document, component: str, jaar: int) -> bool:
    if component == "maatschappelijke_begeleiding":
        return _jaar(d["begeleidingStart"]) == jaar
    if _jaar(d["pipDagtekening"]) != jaar:
        return False
    return {
        "leerroutes": d["doelgroep"] == "asielstatushouder",
        "map": "map" in d["aanbod"],
        "pvt": "pvt" in d["aanbod"],
        "tolkvoorziening": d["tolkvoorzieningen"] > 0,
    }[component]


def spuk(documenten: Iterable[Document], jaar: int, gemeente: str) -> dict[str, Any]:
    lijst = list(documenten)
    componenten, totaal = [], Decimal("0")
    for component, bedragen in SPUK_BEDRAGEN.items():
        volumes = [sum(1 for d in lijst if d["doelgroep"] == groep and _telt_mee(d, component, jaar)) for groep in DOELGROEPEN]
        realisatie = sum((bedrag * volume for bedrag, volume in zip(bedragen, volumes, strict=True)), Decimal("0"))
        totaal += realisatie
        componenten.append({
            "component": component,
            "volumeAsielstatushouders": volumes[0],
            "volumeGezinsOverigeMigranten": volumes[1],
            "bedragPerPersoonAsielstatushouder": str(bedragen[0]),
            "bedragPerPersoonGezinsOverigeMigrant": str(bedragen[1]),
            "realisatie": str(realisatie),
        })
    return {
        "jaar": jaar, "gemeente": gemeente, "componenten": componenten, "realisatieTotaal": str(totaal),
        "raming2022": str(SPUK_RAMING_2022[gemeente]), "bron": SPUK_BRON,
    }


def handhaving(documenten: Iterable[Document], jaar: int) -> dict[str, Any]:
    per_artikel: dict[str, dict[str, Any]] = {}
    for d in documenten:
        for zaak in d["handhavingszaken"]:
            if zaak["jaar"] != jaar:
                continue
            cijfers = per_artikel.setdefault(zaak["artikel"], {"perStap": Counter(), "opgelegdBedrag": Decimal("0"), "bezwaren": 0})
            cijfers["perStap"][zaak["stap"]] += 1
            cijfers["opgelegdBedrag"] += Decimal(zaak["bedrag"] or "0")
            cijfers["bezwaren"] += zaak["bezwaar"]
    return {
        "jaar": jaar,
        "perArtikel": {
            artikel: {"perStap": dict(sorted(c["perStap"].items())), "opgelegdBedrag": str(c["opgelegdBedrag"]), "bezwaren": c["bezwaren"]}
            for artikel, c in sorted(per_artikel.items())
        },
    }
