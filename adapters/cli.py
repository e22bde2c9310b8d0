"""Command line: development tokens, migration, projections, replay, verification and the daily retention job."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from adapters import bootstrap
from adapters.bootstrap import bouw_applicatie, bouw_leesmodelopslag, controlepunten_van
from adapters.clock import SysteemKlok
from adapters.demo import vullen as demovullen
from adapters.demo.plan import Demoplan, maak_plan
from adapters.demo.stappen import Procesfase
from adapters.integriteit import Integriteitsstaat, VerzegelenGeweigerdError, controleer_export, controleer_volledig, verzegel_na_onderzoek
from adapters.leesmodellen import SqlLeesmodelopslag
from adapters.logopmaak import configureer
from adapters.logboek import Dataverwerking, Logboek, Verzoek
from adapters.replay import vergelijk_met_replay
from adapters.sleutelkluis import Sleutelkluis
from adapters.startcontrole import start_instellingen
from adapters.tokens import maak_ontwikkeltoken
from domain import fouten
from domain.application import Actor, Inburgering
from domain.commandos import Commando
from domain.persoonsgegevens import GrondVerwijdering
from domain.traject import Inburgeringstraject
from domain.verwerkingsactiviteiten import BEWAREN_EN_VERNIETIGEN
from domain.waarden import Gemeente, Rol
from projections.projector import Projector
from projections.versies import Versiebouwer

log = logging.getLogger("inburgering.projecties")
cli = typer.Typer(help="Inburgering: beheer vanaf de command line.", no_args_is_help=True)
VOORBEELDEN = [("regisseur", ["0505"]), ("regisseur", ["0642"]), ("handhaver", ["0505", "0642"]), ("duo", []), ("auditor", [])]


@cli.command()
def token(
    rol: Annotated[str, typer.Option(help="regisseur, handhaver, duo, auditor of beheerder")] = "regisseur",
    gemeente: Annotated[list[str] | None, typer.Option(help="CBS-code; herhaal voor meer gemeenten")] = None,
    gebruiker: Annotated[str | None, typer.Option(help="De gebruikers-id (sub)")] = None,
) -> None:
    """Print alleen een ontwikkeltoken op standaarduitvoer."""
    codes = [code for deel in gemeente or [] for code in deel.split(",") if code]
    print(maak_ontwikkeltoken(start_instellingen(), rol=rol, gemeenten=codes, gebruiker=gebruiker))


@cli.command()
def tokens(
    poort: Annotated[int, typer.Option(help="De poort waarop make run de API start (PORT)")] = 8000,
) -> None:
    """Toon kant-en-klare ontwikkeltokens voor elke rol (8 uur geldig, alleen lokaal) en waar de API draait."""
    instellingen = start_instellingen()
    api = f"http://127.0.0.1:{poort}/api/v1"  # as `make run` serves it (api/openapi.py: BASISPAD)
    console = Console(stderr=True, soft_wrap=True)  # tokens unbroken, so they can be copied
    console.rule("Ontwikkeltokens (8 uur geldig, alleen voor lokaal gebruik)")
    for rol, gemeenten in VOORBEELDEN:
        console.print(f"[bold]{rol}[/bold] {','.join(gemeenten) or '(alle gemeenten, alleen lezen)'}")
        console.print(maak_ontwikkeltoken(instellingen, rol=rol, gemeenten=gemeenten), highlight=False)
    console.print("Nog een token: [bold]make token ROL=regisseur GEMEENTE=0505[/bold]")
    console.print(f'Gebruik: curl -H "Authorization: Bearer $TOKEN" {api}/health', highlight=False)
    console.print(f"Documentatie (Swagger UI, \"Authorize\" met een token hierboven): {api}/docs", highlight=False)
    console.rule()


@cli.command()
def migreer() -> None:
    """Maak schema en tabellen aan (eenmalig, vóór de API-workers starten)."""
    bootstrap.migreer(start_instellingen())
    Console(stderr=True).print("[green]Migratie klaar.[/green]")


@contextmanager
def _omgeving() -> Iterator[tuple[Inburgering, SqlLeesmodelopslag]]:
    instellingen = start_instellingen()
    app = bouw_applicatie(instellingen, SysteemKlok())
    opslag = bouw_leesmodelopslag(instellingen)
    try:
        yield app, opslag
    finally:
        opslag.close()
        app.close()


# Worker processes that compute a large rebuild's rows (projections/projector.py): one core is left to this process,
# which reads the events and writes the rows, with the database beside it. On two cores one worker made a rebuild
# about 8 % faster than none, and two were no faster than one (README, Benchmarks).
REKENPROCESSEN = max(1, (os.cpu_count() or 2) - 1)


@contextmanager
def _projector() -> Iterator[Projector]:
    with _omgeving() as (app, opslag):
        yield Projector(app, opslag, rekenprocessen=REKENPROCESSEN)


@cli.command()
def herbouw(
    leesmodel: Annotated[str | None, typer.Option(help="Alleen dit leesmodel (trajectenlijst of signaleringen)")] = None,
) -> None:
    """Bouw een of alle leesmodellen opnieuw op vanaf de eerste gebeurtenis, op hun plaats. Exitcode 1 wanneer een
    leesmodel stopt bij een gebeurtenis die het niet kan verwerken (de positie en de fout worden genoemd), of in
    gebruik is in een andere versie dan die van deze code (dan blijft het staan)."""
    with _projector() as projector, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True)
    ) as voortgang:
        taken: dict[str, TaskID] = {}

        def meld(naam: str, positie: int, kop: int) -> None:
            if naam not in taken:  # one bar per read model (setdefault would add a task on every call)
                taken[naam] = voortgang.add_task(naam, total=kop)
            voortgang.update(taken[naam], completed=positie, total=kop)

        gelezen = projector.herbouw(leesmodel, meld)
        storingen = {n: s for n, s in projector.opslag.storingen().items() if leesmodel in (None, n)}
        eigen, versies = projector.opslag.eigen_leesmodellen(), projector.opslag.versies()
        andere = {n: versies.get(n) for n in ([leesmodel] if leesmodel else projector.projecties) if n not in eigen}
    console = Console(stderr=True, highlight=False)
    for naam, versie in andere.items():  # rebuilt in place it would be rows of this code in another version's tables
        console.print(f"{naam} niet herbouwd: in gebruik is versie {versie}, deze code heeft versie "
                      f"{projector.opslag.codeversie(naam)}; een nieuwere versie wordt ernaast opgebouwd door de API "
                      "(ingebed) of `make projecties`.", markup=False, soft_wrap=True)
    if storingen:
        console.print(f"[red]Niet af:[/red] {gelezen} gebeurtenissen verwerkt; gestopt bij een gebeurtenis die niet te verwerken is.")
        for naam, storing in storingen.items():
            console.print(f"{naam}: gestopt bij de gebeurtenis op positie {storing.positie}: {storing.fout}", markup=False)
        raise typer.Exit(1)
    if andere:
        raise typer.Exit(1)
    console.print(f"[green]Herbouwd:[/green] {gelezen} gebeurtenissen verwerkt.")


@cli.command()
def projecteer(
    eenmalig: Annotated[bool, typer.Option(help="Eén keer bijwerken en stoppen")] = False,
    interval: Annotated[float, typer.Option(help="Seconden tussen twee rondes")] = 0.5,
) -> None:
    """Houd de leesmodellen bij als eigen proces (INBURGERING_PROJECTIES=extern in de API)."""
    configureer()  # a long-running process: JSON lines (or text) as the API's, redacted the same way
    with _projector() as projector:
        versiebouwer = Versiebouwer(projector)  # a newer version of a read model, built beside the one in use
        if not eenmalig:
            versiebouwer.start()
        try:
            while True:
                if gelezen := projector.bij():
                    log.info("%d gebeurtenissen verwerkt", gelezen)
                if eenmalig:
                    return
                time.sleep(interval)
        finally:
            versiebouwer.close()


@cli.command()
def vergeet() -> None:
    """Verwijder de persoonsgegevens van elk afgesloten traject waarvan de bewaartermijn is verstreken
    (Bi 9.9): de sleutels worden vernietigd, de feiten blijven. Bedoeld als dagelijkse taak."""
    console = Console(stderr=True)
    with _omgeving() as (app, opslag), Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as voortgang:
        taak = voortgang.add_task("bewaartermijnen", total=None)
        logboek = bootstrap.bouw_logboek(start_instellingen(), app, {"service.name": "inburgering-vergeet"})
        try:
            verwijderd, kandidaten, mislukt = verwijder_na_bewaartermijn(
                app, opslag, logboek, lambda klaar, totaal: voortgang.update(taak, completed=klaar, total=totaal)
            )
        finally:
            logboek.close()
    console.print(f"[green]Klaar:[/green] bij {verwijderd} van {kandidaten} afgesloten trajecten persoonsgegevens verwijderd.")
    if mislukt:
        console.print(f"[red]Mislukt bij {len(mislukt)}:[/red]", *mislukt, sep="\n", markup=False)
        raise typer.Exit(1)


def verwijder_na_bewaartermijn(
    app: Inburgering,
    opslag: SqlLeesmodelopslag,
    logboek: Logboek | None = None,
    voortgang: Callable[[int, int], None] = lambda *_: None,
) -> tuple[int, int, list[str]]:
    """The retention job: (removed, candidates, failures). Every closed trajectory is a candidate; the
    domain decides whether its time has come. Each removal, or failed attempt, is in the access log
    under one trace for the run, as any request's would be."""
    trace_id = secrets.token_hex(16)
    systeem = Actor(
        gebruiker="systeem:bewaartermijnen",  # the scheduled job, on behalf of the four colleges
        rol=Rol.REGISSEUR,
        gemeenten=frozenset(Gemeente),
        correlatie_id=f"bewaartermijnen-{uuid.uuid4()}",
        trace_id=trace_id,
    )
    projector = Projector(app, opslag)
    projector.bij()  # the list of closed trajectories must be current
    kandidaten = opslag.afgesloten_trajecten()
    verwijderd, mislukt = 0, []
    for nummer, traject_id in enumerate(kandidaten, 1):
        begin, status = datetime.now(UTC), 201
        try:
            app.voer_uit(UUID(traject_id), Commando(Inburgeringstraject.verwijder_persoonsgegevens, grond=GrondVerwijdering.BEWAARTERMIJN_VERSTREKEN), systeem)
            verwijderd += 1
        except (fouten.BewaartermijnLooptNogError, fouten.AlVastgelegdError, fouten.PersoonsgegevensVerwijderdError):
            status = 0  # not yet, or already done: nothing was processed beyond a look at the dates
        except Exception as fout:  # one trajectory's failure must not keep the others' data
            mislukt.append(f"{traject_id}: {type(fout).__name__}: {fout}")
            status = 500
        if logboek is not None and status:
            verzoek = Verzoek(
                trace_id=trace_id, operation_id=secrets.token_hex(8), aanroeper_id=None, naam="vergeet",
                start=begin.isoformat(), eind=datetime.now(UTC).isoformat(), http_status=status, actie="VERGEET",
                object=f"/api/v1/trajecten/{traject_id}", gebruiker=systeem.gebruiker, rol=systeem.rol.value,
                gemeenten=sorted(g.value for g in systeem.gemeenten), oorsprong="adapters.cli vergeet",
            )
            logboek.leg_vast(verzoek, [Dataverwerking(secrets.token_hex(8), str(UUID(traject_id)), BEWAREN_EN_VERNIETIGEN)])
        voortgang(nummer, len(kandidaten))
    projector.bij()
    return verwijderd, len(kandidaten), mislukt


@cli.command()
def replay() -> None:
    """Bouw alle leesmodellen opnieuw op uit de gebeurtenissen in een kladopslag en vergelijk ze met de
    live leesmodellen. Exitcode 0: gelijk; 1: verschillend; 2: het log bleef bewegen, probeer het opnieuw;
    3: een leesmodel (replay of live) staat stil bij een gebeurtenis die het niet kan verwerken."""
    console = Console(stderr=True)
    with _omgeving() as (app, opslag), Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as voortgang:
        taken: dict[str, TaskID] = {}

        def meld(naam: str, positie: int, kop: int) -> None:
            if naam not in taken:  # one bar per read model, also when it is reported on again
                taken[naam] = voortgang.add_task(f"replay {naam}", total=kop)
            voortgang.update(taken[naam], completed=positie, total=kop)

        verschil = vergelijk_met_replay(app, opslag, start_instellingen(), meld, rekenprocessen=REKENPROCESSEN)
    uit = Console(soft_wrap=True, highlight=False, markup=False)  # the diff as it is: no wrapping, no markup
    if verschil.verschilt:
        uit.print("Verschil tussen de live leesmodellen en de replay (live -> replay):")
        uit.print(verschil.tekst())
        raise typer.Exit(1)
    if verschil.gestoord:
        uit.print(verschil.tekst())
        console.print("[red]Een leesmodel staat stil[/red] bij een gebeurtenis die het niet kan verwerken (zie de positie hierboven).")
        raise typer.Exit(3)
    if verschil.niet_vergeleken:
        uit.print(verschil.tekst())
        console.print("[yellow]Het log bleef bewegen:[/yellow] niet alles kon op dezelfde positie worden vergeleken. Probeer het opnieuw.")
        raise typer.Exit(2)
    posities = ", ".join(f"{naam} t/m positie {positie}" for naam, positie in verschil.posities.items())
    uit.print(f"Gelijk: de leesmodellen opnieuw opgebouwd uit de gebeurtenissen zijn gelijk aan de live leesmodellen ({posities}).")


@cli.command()
def verifieer() -> None:
    """Controleer elke opgeslagen gebeurtenis tegen haar hashketen en de ondertekende controlepunten.
    Exitcode 1 met elke afwijking (traject en versie) wanneer iets is gewijzigd, verwijderd, verwisseld of ingevoegd."""
    with _omgeving() as (app, _):
        # Recorded, so that GET /integriteit says when everything was last checked and goes on naming what this found.
        rapport = controleer_volledig(app.recorder, controlepunten_van(app), Integriteitsstaat(app.recorder), app.klok.nu())
    console = Console(highlight=False, soft_wrap=True)  # one line per finding, whole ids: for grep and for the file
    if rapport.in_orde:
        console.print(f"[green]In orde:[/green] {rapport.gebeurtenissen} gebeurtenissen in {rapport.aggregaten} ketens.")
        return
    console.print(f"[red]{len(rapport.bevindingen)} afwijking(en)[/red] in {rapport.gebeurtenissen} gebeurtenissen:")
    for b in rapport.bevindingen:
        console.print(f"{b.aggregaat_id} versie {b.versie if b.versie is not None else '-'}: {b.soort}: {b.uitleg}", markup=False)
    raise typer.Exit(1)


@cli.command()
def verzegel(
    aggregaat: Annotated[UUID, typer.Argument(help="Het id uit de bevinding van make verify")],
    versie: Annotated[int, typer.Option(help="De versie tot en met waar u de gebeurtenissen hebt onderzocht: de kop")],
    door: Annotated[str, typer.Option(help="Wie het onderzoek deed en verantwoordelijk is (komt in het auditlog)")],
) -> None:
    """Aanvaard na onderzoek de niet-gedekte gebeurtenissen van één traject als door de applicatie vastgelegd
    (na een crash van vóór issue 11, of van vóór de hashketen), zodat er weer op kan worden voortgebouwd. Alleen bij
    een ongeschonden keten; in het auditlog vastgelegd."""
    with _omgeving() as (app, _):
        begin, status, trace_id = datetime.now(UTC), 200, secrets.token_hex(16)
        try:
            verzegel_na_onderzoek(app.recorder, controlepunten_van(app), aggregaat, versie)
        except VerzegelenGeweigerdError as fout:
            status = 409
            Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]Geweigerd:[/red] {fout}")
        logboek = bootstrap.bouw_logboek(start_instellingen(), app, {"service.name": "inburgering-verzegel"})
        try:
            logboek.leg_vast(Verzoek(
                trace_id=trace_id, operation_id=secrets.token_hex(8), aanroeper_id=None, naam="verzegel",
                start=begin.isoformat(), eind=datetime.now(UTC).isoformat(), http_status=status, actie="VERZEGEL",
                object=f"{aggregaat}@{versie}", gebruiker=door, rol="beheerder", gemeenten=[], oorsprong="adapters.cli verzegel",
            ), [])
        finally:
            logboek.close()
    if status != 200:
        raise typer.Exit(1)
    Console(highlight=False).print(f"Verzegeld: {aggregaat} tot en met versie {versie} (auditlog, trace {trace_id}).")


@cli.command()
def demo(
    seed: Annotated[int, typer.Option(help="Dezelfde seed (en peildatum) geeft dezelfde feiten")] = 2019,
    peildatum: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="De dag tot waar de demo loopt; standaard vandaag")] = None,
    opnieuw: Annotated[bool, typer.Option(help="Wis eerst de ingebedde opslag (SQLite onder INBURGERING_DATA_MAP)")] = False,
) -> None:
    """Vul een lege opslag met een demoregio: 168 trajecten volgens de volumes uit het beleidsplan, in elke fase,
    vastgelegd via de eigen commando's van de applicatie. Weigert productie en een opslag met gegevens."""
    instellingen, console = start_instellingen(), Console(stderr=True, highlight=False)
    vandaag = SysteemKlok().vandaag()
    dag = peildatum.date() if peildatum else vandaag
    try:
        if dag > vandaag:
            raise demovullen.DemoGeweigerdError(f"De peildatum {dag.isoformat()} ligt na vandaag: feiten in de toekomst bestaan niet.")
        if opnieuw:
            for pad in demovullen.wis_ingebedde_opslag(instellingen):
                console.print(f"gewist: {pad}")
        plan = maak_plan(seed, dag)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console) as balk:
            taken: list[TaskID] = []

            def meld(klaar: int) -> None:  # the bar appears with the first command, after the store was found empty
                if not taken:
                    taken.append(balk.add_task("commando's", total=len(plan.stappen)))
                balk.update(taken[0], completed=klaar)

            gevuld = demovullen.vul(instellingen, plan, meld)
    except demovullen.DemoGeweigerdError as fout:
        console.print(f"[red]Geweigerd:[/red] {fout}")
        raise typer.Exit(1) from None
    _toon_demo(console, plan, gevuld)


def _toon_demo(console: Console, plan: Demoplan, gevuld: demovullen.Gevuld) -> None:
    tabel = Table("gemeente", "asielstatushouders", "gezins- en overige migranten", title=f"Demoregio (seed {plan.seed}, peildatum {plan.peildatum})")
    for gemeente in Gemeente:
        eigen = [t for t in plan.trajecten if t.gemeente == gemeente.value]
        tabel.add_row(f"{gemeente.value} {gemeente.name.replace('_', '-').title()}", str(sum(t.asielstatushouder for t in eigen)),
                      str(sum(not t.asielstatushouder for t in eigen)))
    console.print(tabel)
    fasen = Counter(t.fase for t in plan.trajecten)
    console.print("Fasen: " + ", ".join(f"{fase.name.lower().replace('_', '-')} {fasen[fase]}" for fase in Procesfase))
    soorten = Counter(s.methode.__name__ for s in plan.stappen)
    gemist = sum(1 for s in plan.stappen if s.argumenten.get("gevoerd") is False)
    console.print(f"{gevuld.commandos} commando's, {gevuld.gebeurtenissen} gebeurtenissen in {gevuld.seconden:.1f} s; "
                  f"{soorten['wijzig_leerroute']} routewijzigingen, {gemist} gemiste gesprekken, "
                  f"{soorten['constateer_overtreding']} handhavingszaken, {soorten['stel_plicht_voldaan_vast']} afgerond.")
    console.print("Probeer, na [bold]make run[/bold]:")
    console = Console(stderr=True, soft_wrap=True, highlight=False)  # commands unbroken, so they can be copied
    console.print("  R=$(make -s token ROL=regisseur GEMEENTE=0505)")
    for pad in ("signaleringen", "trajecten?status=lopend", f"rapportages/spuk?gemeente=0505&jaar={plan.peildatum.year - 1}",
                f"rapportages/handhaving?gemeente=0505&jaar={plan.peildatum.year - 1}"):
        console.print(f'  curl -H "Authorization: Bearer $R" "http://127.0.0.1:8000/api/v1/{pad}"', markup=False)


@cli.command("controleer-export")
def controleer_export_bestand(
    bestand: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Een export van GET /trajecten/{id}/export")],
    publieke_sleutel: Annotated[str, typer.Option(help="De publieke sleutel van SDD (base64), langs een andere weg verkregen dan de export")],
) -> None:
    """Controleer een geëxporteerd traject offline, zonder database: exitcode 1 bij een afwijking."""
    # The key inside the export only says who signed; trusting it would let a forger sign their own.
    bevindingen = controleer_export(json.loads(bestand.read_text()), base64.b64decode(publieke_sleutel))
    console = Console(highlight=False)
    for bevinding in bevindingen:
        console.print(f"[red]{bevinding.soort}[/red] versie {bevinding.versie}: {bevinding.uitleg}")
    if bevindingen:
        raise typer.Exit(1)
    console.print("[green]In orde.[/green]")


sleutels = typer.Typer(help="De hoofdsleutel die de datasleutels verpakt (README: 'Runbook: rotating the master key').",
                       no_args_is_help=True)
cli.add_typer(sleutels, name="sleutels")


@sleutels.command("roteer")
def sleutels_roteer(
    per_keer: Annotated[int, typer.Option(min=1, help="Datasleutels per transactie")] = 500,
    pauze: Annotated[float, typer.Option(min=0, help="Seconden rust tussen twee delen, om de database onder last te sparen")] = 0.0,
) -> None:
    """Verpak elke datasleutel (en de geheimen van de abonnementen) opnieuw onder INBURGERING_HOOFDSLEUTEL, terwijl
    de API doorwerkt. Afgebroken? Start hem opnieuw: hij gaat verder waar hij was. Vernietigde sleutels blijven vernietigd."""
    uit = Console(stderr=True, highlight=False)
    with _omgeving() as (app, _):
        kluis = app.sleutels
        assert isinstance(kluis, Sleutelkluis)
        uit.print(f"Hoofdsleutel {kluis.hoofdsleutel_id}: {kluis.te_roteren()} datasleutel(s) te herverpakken.")

        def meld(herverpakt: int, over: int) -> None:
            uit.print(f"herverpakt: {herverpakt}, nog te gaan: {over}")
            time.sleep(pauze)

        herverpakt, vernietigd = kluis.roteer(per_keer, meld=meld)
        abonnementen = bootstrap.bouw_abonnementen(start_instellingen(), app)
        geheimen = abonnementen.roteer()
        over = kluis.te_roteren()
    uit.print(f"Klaar: {herverpakt} datasleutel(s) herverpakt, {vernietigd} intussen vernietigd (zo gebleven), "
              f"{geheimen} abonnementsgeheim(en) herverpakt; nog onder een andere hoofdsleutel: {over}.")
    if over:
        raise typer.Exit(1)  # made meanwhile by a process that still ran with the old master key: run again


@sleutels.command("status")
def sleutels_status() -> None:
    """Toon hoeveel datasleutels elke hoofdsleutel verpakt (vingerafdrukken; '?' is van vóór die kolom)."""
    with _omgeving() as (app, _):
        kluis = app.sleutels
        assert isinstance(kluis, Sleutelkluis)
        telling = kluis.per_hoofdsleutel()
        huidig = kluis.hoofdsleutel_id
    for vingerafdruk, aantal in sorted(telling.items()):
        print(f"{vingerafdruk}\t{aantal}" + ("\t(huidige)" if vingerafdruk == huidig else ""))
    if set(telling) - {huidig}:
        raise typer.Exit(1)  # not yet safe to drop INBURGERING_VORIGE_HOOFDSLEUTELS


if __name__ == "__main__":
    cli()
