"""Property-based: random sequences of commands never break an invariant, and replay rebuilds the state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import fouten
from domain.application import Inburgering
from domain.beleid import beleid_op
from domain.traject import Aanbod, Inburgeringstraject, MapThema, Status, Uursoort
from domain.waarden import (
    Boeteartikel,
    Boetegrond,
    Doelgroep,
    Gemeente,
    Leerroute,
    RedenRoutewijziging,
    Rol,
    UitkomstBezwaar,
    Verblijfsvergunning,
    Verwijtbaarheid,
)
from tests.builders import Personen, door

BEGIN = date(2025, 1, 6)
HANDHAVER = door(rol=Rol.HANDHAVER, gebruiker="handhaver-a")
BESLISSER = door(rol=Rol.HANDHAVER, gebruiker="handhaver-b")
JURIST = door(rol=Rol.HANDHAVER, gebruiker="jurist-bezwaar")
Stap = Callable[[Inburgeringstraject, date, Any], object]


def _zaak(t: Inburgeringstraject, keuze: int) -> int:
    return sorted(t.zaken)[-1 - keuze % len(t.zaken)] if t.zaken else 1


STAPPEN: dict[str, Stap] = {
    "kennisgeving": lambda t, d, k: t.registreer_kennisgeving(datum=d, verblijfsvergunning=Verblijfsvergunning.ASIEL_BEPAALDE_TIJD if t.doelgroep is Doelgroep.ASIELSTATUSHOUDER else Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door()),
    "huisvesting": lambda t, d, k: t.registreer_huisvesting(datum=d, gemeente=t.gemeente, huisvestingsdatum=None, door=door()),
    "oproep": lambda t, d, k: t.verzend_intake_oproep(datum=d, uiterlijk=d + timedelta(days=14), schriftelijke_waarschuwing=k % 2 == 0, door=door()),
    "intake": lambda t, d, k: t.houd_brede_intake(datum=d, onderwerpen={}, gezondheid={}, leerbaarheidstoets_advies=None, door=door()),
    "afwezig": lambda t, d, k: t.voltooi_intake_in_afwezigheid(datum=d, verslag="x", door=door()),
    "welkom": lambda t, d, k: t.start_welkomstprogramma(datum=d, door=door()),
    "pip": lambda t, d, k: t.stel_pip_vast(dagtekening=d, leerroute=list(Leerroute)[k % 3], leerroute_uren_per_week=None, pvt_uren=12, map_uren=None, aantal_voortgangsgesprekken=4, ondersteuning="x", aanbod=frozenset(list(Aanbod)[k % 7:k % 7 + 1]) if t.doelgroep is Doelgroep.ASIELSTATUSHOUDER or k % 2 else frozenset(), door=door()),
    "pip-wijziging": lambda t, d, k: t.wijzig_pip(datum=d, leerroute_uren_per_week=None, pvt_uren=12, map_uren=None, aantal_voortgangsgesprekken=k % 9 + 1, ondersteuning="x", aanbod=frozenset(), reden="x", door=door()),
    "route": lambda t, d, k: t.wijzig_leerroute(datum=d, naar=list(Leerroute)[k % 3], reden=list(RedenRoutewijziging)[k % 4], toelichting="x", door=door()),
    "uren": lambda t, d, k: t.registreer_cursusuren(datum=d, soort=list(Uursoort)[k % 6], uren=k % 400 + 1, fase=("uitvoering", "brede_intake")[k % 2], door=door()),
    "gesprek": lambda t, d, k: t.registreer_voortgangsgesprek(datum=d, gevoerd=k % 3 == 0, geldige_reden=k % 5 == 0, verslag="x", door=door()),
    "pvt": lambda t, d, k: t.onderteken_participatieverklaring(datum=d, door=door()),
    "map-thema": lambda t, d, k: t.rond_map_thema_af(datum=d, thema=list(MapThema)[k % 8], door=door()),
    "map-eind": lambda t, d, k: t.voer_map_eindgesprek(datum=d, verslag="x", door=door()),
    "diploma": lambda t, d, k: t.registreer_diploma(datum=d, door=door()),
    "afronding": lambda t, d, k: t.stel_plicht_voldaan_vast(datum=d, door=door()),
    "ontzorgen": lambda t, d, k: t.start_financieel_ontzorgen(datum=d, vaste_lasten=["huur"], door=door()),
    "overtreding": lambda t, d, k: t.constateer_overtreding(datum=d, artikel=Boeteartikel.WI_23 if k % 4 else Boeteartikel.WI_22, grond=list(Boetegrond)[k % 5], rapportdatum=d, rapport="x", door=HANDHAVER),
    "voornemen": lambda t, d, k: t.verzend_boetevoornemen(zaaknummer=_zaak(t, k), datum=d, zienswijzetermijn=d + timedelta(days=7), door=HANDHAVER),
    "zienswijze": lambda t, d, k: t.ontvang_zienswijze(zaaknummer=_zaak(t, k), datum=d, mondeling=False, samenvatting="x", door=HANDHAVER),
    "boete": lambda t, d, k: t.leg_boete_op(zaaknummer=_zaak(t, k), datum=d, verwijtbaarheid=list(Verwijtbaarheid)[k % 5], motivering="x", uitzonderlijk_geval_motivering="x" if k % 2 else None, door=BESLISSER),
    "afzien": lambda t, d, k: t.zie_af_van_boete(zaaknummer=_zaak(t, k), datum=d, reden="x", door=BESLISSER),
    "bezwaar": lambda t, d, k: t.ontvang_bezwaar(zaaknummer=_zaak(t, k), datum=d, door=HANDHAVER),
    "bezwaarbeslissing": lambda t, d, k: t.beslis_op_bezwaar(zaaknummer=_zaak(t, k), datum=d, uitkomst=list(UitkomstBezwaar)[k % 4], nieuw_bedrag=Decimal("1.00"), motivering="x", door=JURIST),
    "verlenging": lambda t, d, k: t.registreer_termijnverlenging(datum=d, nieuwe_einddatum=d + timedelta(days=1200), grond="x", door=door()),
    "verhuizing": lambda t, d, k: t.verhuis_binnen_regio(datum=d, naar=list(Gemeente)[k % 4], door=door()),
    "vrijstelling": lambda t, d, k: t.registreer_vrijstelling(datum=d, grond="x", door=door()),
    "correctie": lambda t, d, k: t.corrigeer(datum=d, versie=k % max(t.version, 1) + 1, correcties={"datum": (d - timedelta(days=k % 30)).isoformat()}, toelichting="x", door=door()),
}

# Most sequences first walk the usual way to a PIP, so that later steps have something to act on;
# the steps that do much, or close the trajectory, are drawn less often.
VAAK = ["uren", "gesprek", "overtreding", "voornemen", "zienswijze", "boete", "map-thema", "route", "pip-wijziging"]
GEWOGEN = sorted(STAPPEN) + VAAK * 3
BEGIN_NAAR_PIP = ["kennisgeving", "huisvesting", "intake", "pip"]
# One draw of "awb" walks the newest zaak from voornemen to boete, each part its own step.
SAMENGESTELD: dict[str, list[tuple[str, int]]] = {"awb": [("voornemen", 0), ("termijn-verstreken", 8), ("boete", 9)]}
STAPPEN["termijn-verstreken"] = lambda t, d, k: t.stel_zienswijzetermijn_verstreken_vast(zaaknummer=_zaak(t, k), datum=d, door=HANDHAVER)
GEWOGEN += ["awb"] * 6

stappen = st.tuples(
    st.lists(st.integers(0, 10_000), min_size=4, max_size=4),
    st.lists(st.tuples(st.sampled_from(GEWOGEN), st.integers(0, 4), st.integers(0, 10_000)), min_size=10, max_size=50),
).map(lambda paar: [(naam, 1, keuze) for naam, keuze in zip(BEGIN_NAAR_PIP, paar[0], strict=True)] + paar[1])


def nieuw_traject(statushouder: bool) -> Inburgeringstraject:
    if statushouder:
        return Inburgeringstraject.start_na_tvs_profiel(
            datum=BEGIN, gemeente=Gemeente.DORDRECHT, bsn="111222333", huishoudgrootte=None, land_van_herkomst=None, taal=None, door=door()
        )
    return Inburgeringstraject.start_na_kennisgeving(
        datum=BEGIN, gemeente=Gemeente.ZWIJNDRECHT, bsn="111222333",
        verblijfsvergunning=Verblijfsvergunning.REGULIER_BEPAALDE_TIJD, referent_verblijfsvergunning=None, door=door(),
    )


def doorloop(statushouder: bool, reeks: list[tuple[str, int, int]]) -> tuple[Inburgeringstraject, list[Any]]:
    """Apply the steps (each some weeks after the last); a refused step changes nothing."""
    traject, events, dag = nieuw_traject(statushouder), [], BEGIN
    events.extend(traject.collect_events())
    for naam, weken, keuze in reeks:
        dag = min(dag + timedelta(weeks=weken), date(2026, 6, 1))
        for deel, dagen_later in SAMENGESTELD.get(naam, [(naam, 0)]):
            voor = traject.version
            try:
                STAPPEN[deel](traject, min(dag + timedelta(days=dagen_later), date(2026, 6, 1)), keuze - 1)
            except (fouten.RegelOvertredenError, fouten.HandhavingszaakNietGevondenError):
                assert traject.version == voor and not traject.pending_events
            events.extend(traject.collect_events())
            controleer_invarianten(traject, events)
    return traject, events


def controleer_invarianten(traject: Inburgeringstraject, events: list[Any]) -> None:
    assert traject.version == len(events) == events[-1].originator_version
    assert traject.routewijzigingen <= beleid_op(BEGIN).max_routewijzigingen
    if traject.pip_dagtekening is not None:
        assert traject.termijn_start == traject.pip_dagtekening + timedelta(days=1)
    else:
        assert traject.leerroute is None and not traject.gesprekken
    for zaak in traject.zaken.values():
        if zaak.boete is not None:  # a well-founded bezwaar annuls the boete: 0.00, and only then
            geannuleerd = zaak.beslissing_op_bezwaar == UitkomstBezwaar.GEGROND
            maximum = Decimal("0") if geannuleerd else Decimal("250") if zaak.artikel is Boeteartikel.WI_22 else Decimal("800")
            assert (Decimal("0") < zaak.boete.bedrag or geannuleerd) and zaak.boete.bedrag <= maximum
    assert sum((b.bedrag for b in traject.boetes), Decimal("0")) <= Decimal("2400")  # Wi 22 and Wi 23 together
    assert traject.samenhang() == []
    if traject.doelgroep is Doelgroep.GEZINS_OVERIGE_MIGRANT:
        assert all(z.grond is not Boetegrond.LEERROUTE_INTENSITEIT_NIET_NAGEKOMEN for z in traject.zaken.values())
        assert traject.welkomstprogramma is None and traject.ontzorgen_start is None
        assert not traject.pip_aanbod & {"financieel_ontzorgen", "maatschappelijke_begeleiding", "alfabetisering"}
    sluiting = next((e.originator_version for e in events if type(e).__name__ in ("InburgeringsplichtVoldaan", "VrijstellingVerleend")), None)
    if sluiting is not None:
        assert traject.status is not Status.LOPEND
        assert all(getattr(type(e), "NA_AFSLUITING", False) for e in events if e.originator_version > sluiting)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statushouder=st.booleans(), reeks=stappen)
def test_random_commands_never_break_an_invariant_and_replay_rebuilds_the_state(statushouder: bool, reeks: list[tuple[str, int, int]]) -> None:
    traject, events = doorloop(statushouder, reeks)
    herbouwd = None
    for event in events:
        herbouwd = event.mutate(herbouwd)
    assert vars(herbouwd) == vars(traject)


class Klok:
    def nu(self):  # type: ignore[no-untyped-def]
        return door().tijdstip

    def vandaag(self) -> date:
        return door().vandaag


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(statushouder=st.booleans(), reeks=stappen)
def test_stored_events_rebuild_the_same_state(statushouder: bool, reeks: list[tuple[str, int, int]]) -> None:
    # Through the application's mapper and JSON transcoding: what is stored is what comes back.
    app = Inburgering(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, klok=Klok(), personen=Personen())
    traject, events = doorloop(statushouder, reeks)
    app.recorder.insert_events([app.mapper.to_stored_event(e) for e in events])
    opgeslagen = app.repository.get(traject.id)
    assert vars(opgeslagen) == vars(traject)
