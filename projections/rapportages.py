"""Management reports per gemeente and year, added up from what each trajectory contributes (`bijdragen`).

Definitions (what counts in which year):
- instroom: trajectories by the year they started;
- leerroutemix: the current leerroute of trajectories whose PIP is dated in the year;
- SPUK: per component the persons whose PIP (maatschappelijke begeleiding: its start) falls in the
  year: leerroutes = every PIP of an asielstatushouder (the college offers the course, Wi 16), MAP
  and PVT = in the PIP's offer, tolkvoorziening = at least one tolk; times the amounts of §4.1.2;
- handhaving: handhavingszaken by the year of the conduct, per article and step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.beleid import SPUK_BEDRAGEN, SPUK_BRON, SPUK_RAMING_2022, VERWACHTE_LEERROUTEMIX

DOELGROEPEN = ("asielstatushouder", "gezins_overige_migrant")
LEERROUTES = ("b1", "onderwijsroute", "z_route")
Document = dict[str, Any]


@dataclass(frozen=True)
class Bijdrage:
    """What one trajectory adds to one figure of one year's reports of its gemeente, kept with its row of the
    trajectenlijst. The read model keeps them added up per gemeente and year as they are written
    (adapters/leesmodellen.py), so a report reads neither a trajectory nor a contribution."""

    traject_id: str
    gemeente: str
    jaar: int
    maat: str  # instroom, leerroutemix, spuk, handhaving, bezwaar
    sleutel: str  # what is counted, e.g. "asielstatushouder" or "map|gezins_overige_migrant"
    aantal: int
    centen: int  # an amount in euro cents, summed exactly


Cijfers = Mapping[tuple[str, str], tuple[int, int]]  # (maat, sleutel) -> (aantal, centen), for one gemeente and year


def _jaar(datum: str | None) -> int | None:
    return int(datum[:4]) if datum else None


def _telt_mee(d: Document, component: str) -> int | None:
    """The year in which this trajectory counts for a SPUK component, or None."""
    if component == "maatschappelijke_begeleiding":
        return _jaar(d["begeleidingStart"])
    telt = {
        "leerroutes": d["doelgroep"] == "asielstatushouder",
        "map": "map" in d["aanbod"],
        "pvt": "pvt" in d["aanbod"],
        "tolkvoorziening": d["tolkvoorzieningen"] > 0,
    }[component]
    return _jaar(d["pipDagtekening"]) if telt else None


def bijdragen(d: Document) -> list[Bijdrage]:
    """The definitions at the top of this module, for one trajectory (its trajectenlijst document)."""
    telling: dict[tuple[int, str, str], tuple[int, int]] = {}

    def tel(jaar: int | None, maat: str, sleutel: str, aantal: int = 1, centen: int = 0) -> None:
        if jaar is not None:
            eerder = telling.get((jaar, maat, sleutel), (0, 0))
            telling[(jaar, maat, sleutel)] = (eerder[0] + aantal, eerder[1] + centen)

    tel(_jaar(d["startdatum"]), "instroom", d["doelgroep"])
    if d["leerroute"]:
        tel(_jaar(d["pipDagtekening"]), "leerroutemix", f"{d['doelgroep']}|{d['leerroute']}")
    for component in SPUK_BEDRAGEN:
        tel(_telt_mee(d, component), "spuk", f"{component}|{d['doelgroep']}")
    for zaak in d["handhavingszaken"]:
        tel(zaak["jaar"], "handhaving", f"{zaak['artikel']}|{zaak['stap']}", 1, int(Decimal(zaak["bedrag"] or "0") * 100))
        if zaak["bezwaar"]:
            tel(zaak["jaar"], "bezwaar", zaak["artikel"])
    return [Bijdrage(d["trajectId"], d["gemeente"], jaar, maat, sleutel, aantal, centen)
            for (jaar, maat, sleutel), (aantal, centen) in sorted(telling.items())]


def _aantal(cijfers: Cijfers, maat: str, sleutel: str) -> int:
    return cijfers.get((maat, sleutel), (0, 0))[0]


def instroom(cijfers: Cijfers, jaar: int) -> dict[str, Any]:
    per_groep = {g: _aantal(cijfers, "instroom", g) for g in DOELGROEPEN}
    return {"jaar": jaar, "perDoelgroep": per_groep, "totaal": sum(per_groep.values())}


def leerroutemix(cijfers: Cijfers, jaar: int) -> dict[str, Any]:
    uitkomst = {}
    for groep in DOELGROEPEN:
        telling = {route: _aantal(cijfers, "leerroutemix", f"{groep}|{route}") for route in LEERROUTES}
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


def spuk(cijfers: Cijfers, jaar: int, gemeente: str) -> dict[str, Any]:
    componenten, totaal = [], Decimal("0")
    for component, bedragen in SPUK_BEDRAGEN.items():
        volumes = [_aantal(cijfers, "spuk", f"{component}|{groep}") for groep in DOELGROEPEN]
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


def handhaving(cijfers: Cijfers, jaar: int) -> dict[str, Any]:
    per_artikel: dict[str, dict[str, Any]] = {}
    for (maat, sleutel), (aantal, centen) in sorted(cijfers.items()):
        if maat != "handhaving":
            continue
        artikel, stap = sleutel.split("|")
        cijfers_artikel = per_artikel.setdefault(artikel, {"perStap": {}, "centen": 0})
        cijfers_artikel["perStap"][stap] = aantal
        cijfers_artikel["centen"] += centen
    return {
        "jaar": jaar,
        "perArtikel": {
            artikel: {"perStap": dict(sorted(c["perStap"].items())), "opgelegdBedrag": str(Decimal(c["centen"]).scaleb(-2)),
                      "bezwaren": _aantal(cijfers, "bezwaar", artikel)}
            for artikel, c in sorted(per_artikel.items())
        },
    }
