"""Command line: tokens for development and the one-off migration step."""

from __future__ import annotations

from typing import Annotated

import psycopg
import typer
from psycopg import sql
from rich.console import Console

from adapters.bootstrap import bouw_applicatie
from adapters.clock import SysteemKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken

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
    print(maak_ontwikkeltoken(Settings(), rol=rol, gemeenten=codes, gebruiker=gebruiker))


@cli.command()
def tokens() -> None:
    """Toon kant-en-klare ontwikkeltokens voor elke rol (8 uur geldig, alleen lokaal)."""
    instellingen = Settings()
    console = Console(stderr=True, soft_wrap=True)  # tokens unbroken, so they can be copied
    console.rule("Ontwikkeltokens (8 uur geldig, alleen voor lokaal gebruik)")
    for rol, gemeenten in VOORBEELDEN:
        console.print(f"[bold]{rol}[/bold] {','.join(gemeenten) or '(alle gemeenten, alleen lezen)'}")
        console.print(maak_ontwikkeltoken(instellingen, rol=rol, gemeenten=gemeenten), highlight=False)
    console.print("Nog een token: [bold]make token ROL=regisseur GEMEENTE=0505[/bold]")
    console.print('Gebruik: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/health')
    console.rule()


@cli.command()
def migreer() -> None:
    """Maak schema en tabellen aan (eenmalig, vóór de API-workers starten)."""
    instellingen = Settings(maak_tabellen=True)
    if instellingen.database_url:
        with psycopg.connect(instellingen.database_url, autocommit=True) as verbinding:
            verbinding.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(instellingen.database_schema)))
    bouw_applicatie(instellingen, SysteemKlok()).close()
    Console(stderr=True).print("[green]Migratie klaar.[/green]")


if __name__ == "__main__":
    cli()
