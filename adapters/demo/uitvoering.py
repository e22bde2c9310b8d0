"""The demo course after the PIP: hours, PVT, MAP, voortgangsgesprekken (some missed, a few leading to a
handhavingszaak), a route change now and then, exams or the Z-route's eindgesprek, and the afronding."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from adapters.demo.stappen import Procesfase, ZaakVanGedraging
from domain.termijnen import INBURGERINGSTERMIJN_MAANDEN, plus_maanden
from domain.traject import Inburgeringstraject as T
from domain.traject.uitvoering import Fase, MapThema, Uursoort
from domain.waarden import Boeteartikel, Boetegrond, Gemeente, Leerroute, RedenRoutewijziging, Rol, UitkomstBezwaar, Verwijtbaarheid

if TYPE_CHECKING:
    from adapters.demo.verloop import Verloop


def handhaver(gemeente: Gemeente, taak: str) -> str:
    """Per gemeente one handhaver writes the rapport, another decides, a third decides on bezwaar (four eyes)."""
    return f"handhaver-{gemeente.value}-{taak}"

UITVOERING = Procesfase.UITVOERING
ROUTEWIJZIGING_KANS = 0.15  # of the B1-route: progress lower than expected, on to the Z-route
GEMIST_KANS = 0.15
HANDHAVING_KANS = 0.5  # of a gesprek missed without a valid reason; always when it is recent (RECENT_GEMIST)
RECENT_GEMIST = timedelta(days=120)  # so that some zaken are still running on the peildatum, at different steps
Z_ROUTE_UREN = 800  # Bi 3.14: lessons, and for asielstatushouders participation too


def plan(v: Verloop, pip: date, route: Leerroute) -> None:
    einde = plus_maanden(pip, INBURGERINGSTERMIJN_MAANDEN)
    if route is Leerroute.B1 and v.rng.random() < ROUTEWIJZIGING_KANS:
        wijziging = v.dag(pip, 180, 420)  # inside the window of 18 months (Bi 5.4)
        v.doe(wijziging, T.wijzig_leerroute, UITVOERING, naar=Leerroute.Z_ROUTE, reden=RedenRoutewijziging.VOORTGANG_LAGER_DAN_VERWACHT,
              toelichting="Na drie voortgangsgesprekken blijft de voortgang achter; de Z-route past beter.")
        route = Leerroute.Z_ROUTE
    klaar = [_pvt(v, pip)]
    if route is not Leerroute.ONDERWIJSROUTE:
        klaar.append(_map(v, pip))
    resultaat = _z_route(v, pip, einde) if route is Leerroute.Z_ROUTE else _examens(v, pip)
    afronding = v.dag(max(klaar + [resultaat]), 7, 30) if resultaat is not None else None
    _gesprekken(v, pip, min(afronding or einde, einde))
    if afronding and v.doe(afronding, T.stel_plicht_voldaan_vast, Procesfase.AFRONDING) and v.rng.random() < 0.4:
        v.doe(v.dag(afronding, 14, 60), T.draag_warm_over_aan_vervolgtraject, ontvanger="Da Vinci College",
              toelichting="Doorstroom naar een mbo-opleiding.")


def _pvt(v: Verloop, pip: date) -> date:
    uren = v.dag(pip, 15, 45)
    v.doe(uren, T.registreer_cursusuren, UITVOERING, soort=Uursoort.PVT, uren=12, fase=Fase.UITVOERING)
    verklaring = v.dag(uren, 7, 21)
    v.doe(verklaring, T.onderteken_participatieverklaring, UITVOERING)
    return verklaring


def _map(v: Verloop, pip: date) -> date:
    dag = v.dag(pip, 60, 120)
    for thema in MapThema:
        v.doe(dag, T.rond_map_thema_af, UITVOERING, thema=thema)
        dag = v.dag(dag, 25, 50)
    v.doe(dag, T.voer_map_eindgesprek, UITVOERING, verslag="Alle acht thema's besproken; richting zorg en techniek.")
    return dag


def _examens(v: Verloop, pip: date) -> date:
    """B1-route and onderwijsroute: NT2 lessons each quarter, then the exams and DUO's diploma."""
    examens = v.dag(pip, 18 * 30, 28 * 30)
    kwartaal = v.dag(pip, 80, 100)
    while kwartaal < examens:
        v.doe(kwartaal, T.registreer_cursusuren, UITVOERING, soort=Uursoort.NT2, uren=v.rng.randint(120, 200), fase=Fase.UITVOERING)
        kwartaal += timedelta(days=91)
    dag = examens
    for onderdeel in ("lezen", "luisteren", "schrijven", "spreken", "knm"):
        if v.rng.random() < 0.15:  # not passed the first time
            v.doe(dag, T.registreer_examenresultaat, Procesfase.EXAMENS, onderdeel=onderdeel, niveau="B1", behaald=False)
            dag = v.dag(dag, 45, 90)
        v.doe(dag, T.registreer_examenresultaat, Procesfase.EXAMENS, onderdeel=onderdeel, niveau="B1", behaald=True)
        dag = v.dag(dag, 3, 14)
    diploma = v.dag(dag, 20, 40)
    v.doe(diploma, T.registreer_diploma, Procesfase.EXAMENS)
    return diploma


def _z_route(v: Verloop, pip: date, einde: date) -> date | None:
    """Lessons and (asielstatushouders) participation each quarter up to 800 hours each, then the
    eindgesprek with the college and DUO's certificaat; None when the hours fall short within the termijn."""
    lessen, participatie = 0, 0 if v.asiel else Z_ROUTE_UREN
    kwartaal = v.dag(pip, 80, 100)
    while (lessen < Z_ROUTE_UREN or participatie < Z_ROUTE_UREN) and kwartaal < einde:
        uren = v.rng.randint(90, 130)
        v.doe(kwartaal, T.registreer_cursusuren, UITVOERING, soort=Uursoort.NT2, uren=uren, fase=Fase.UITVOERING)
        lessen += uren
        if participatie < Z_ROUTE_UREN:
            uren = v.rng.randint(90, 130)
            v.doe(kwartaal, T.registreer_cursusuren, UITVOERING, soort=Uursoort.PARTICIPATIE, uren=uren, fase=Fase.UITVOERING)
            participatie += uren
        kwartaal += timedelta(days=91)
    if kwartaal >= einde:
        return None
    eindgesprek = v.dag(kwartaal, 7, 30)
    v.doe(eindgesprek, T.voer_z_route_eindgesprek, Procesfase.EXAMENS, verslag="Uren behaald; zelfredzaam in de eigen wijk.")
    certificaat = v.dag(eindgesprek, 14, 40)
    v.doe(certificaat, T.registreer_certificaat, Procesfase.EXAMENS)
    return certificaat


def _gesprekken(v: Verloop, pip: date, tot: date) -> None:
    """The PIP's four voortgangsgesprekken, due evenly over the termijn (Bi 5.3(4)), held somewhat before."""
    for volgnummer in range(1, 5):
        dag = plus_maanden(pip + timedelta(days=1), INBURGERINGSTERMIJN_MAANDEN * volgnummer // 4) - timedelta(days=v.rng.randint(0, 21))
        if dag >= tot:
            return
        if v.rng.random() >= GEMIST_KANS:
            v.doe(dag, T.registreer_voortgangsgesprek, UITVOERING, gevoerd=True, verslag="Voortgang besproken; doelen bijgesteld.")
            continue
        geldig = v.rng.random() < 0.4
        verslag = "Afgemeld wegens ziekte; nieuwe afspraak gemaakt." if geldig else "Niet verschenen, niet afgemeld."
        if v.doe(dag, T.registreer_voortgangsgesprek, UITVOERING, gevoerd=False, geldige_reden=geldig, verslag=verslag) \
                and not geldig and (v.peildatum - dag < RECENT_GEMIST or v.rng.random() < HANDHAVING_KANS):
            _handhavingszaak(v, dag)


def _handhavingszaak(v: Verloop, gedraging: date) -> None:
    """The Awb order for a boete under Wi 23, taken as far as the days before the peildatum allow."""
    rapport, besluit, bezwaar = (v.actor(handhaver(v.gemeente, taak), Rol.HANDHAVER) for taak in ("rapport", "besluit", "bezwaar"))
    zaak = ZaakVanGedraging(gedraging)
    rapportdatum = v.dag(gedraging, 3, 14)
    if not v.doe(rapportdatum, T.constateer_overtreding, door=rapport, datum=gedraging, artikel=Boeteartikel.WI_23,
                 grond=Boetegrond.VOORTGANGSGESPREK_GEMIST, rapportdatum=rapportdatum, rapport="Voortgangsgesprek gemist zonder geldige reden."):
        return
    voornemen = v.dag(rapportdatum, 3, 10)
    termijn = voornemen + timedelta(days=14)
    if not v.doe(voornemen, T.verzend_boetevoornemen, door=rapport, zaaknummer=zaak, zienswijzetermijn=termijn):
        return
    if v.rng.random() < 0.4:
        zienswijze = v.dag(voornemen, 5, 13)
        gehoord = v.doe(zienswijze, T.ontvang_zienswijze, door=rapport, zaaknummer=zaak, mondeling=v.rng.random() < 0.5,
                        samenvatting="Vergeten door een dienst op het werk.")
    else:
        zienswijze = v.dag(termijn, 1, 5)
        gehoord = v.doe(zienswijze, T.stel_zienswijzetermijn_verstreken_vast, door=rapport, zaaknummer=zaak)
    if not gehoord:
        return
    dag = v.dag(zienswijze, 5, 25)
    if v.rng.random() < 0.2:
        v.doe(dag, T.zie_af_van_boete, door=besluit, zaaknummer=zaak, reden="Eerste keer; de zienswijze overtuigt.")
        return
    if not v.doe(dag, T.leg_boete_op, door=besluit, zaaknummer=zaak, verwijtbaarheid=v.rng.choice(list(Verwijtbaarheid)[:4]),
                 motivering="Niet verschenen en niet afgemeld ondanks herinnering.",
                 uitzonderlijk_geval_motivering="Aanhoudend gebrek aan bereidheid na eerdere gesprekken." if v.asiel else None):
        return
    if v.rng.random() < 0.3:
        ontvangen = v.dag(dag, 10, 40)
        if v.doe(ontvangen, T.ontvang_bezwaar, door=rapport, zaaknummer=zaak):
            v.doe(v.dag(ontvangen, 20, 60), T.beslis_op_bezwaar, door=bezwaar, zaaknummer=zaak,
                  uitkomst=UitkomstBezwaar.ONGEGROND, nieuw_bedrag=None, motivering="De boete blijft in stand.")

