"""The start check of every process: all settings at once, one message naming each that is missing or invalid.
`python -m adapters.startcontrole [command ...]` checks once and then runs the command (the image's CMD)."""

from __future__ import annotations

import os
import sys
from typing import Any

from pydantic import ValidationError

from adapters.settings import Settings, omgevingsnaam, productie_eis

STARTFOUT = 3  # uvicorn's exit code for a start that would fail the same way again: its workers are not restarted


class ProductieInstellingError(RuntimeError):
    """The settings are incomplete or invalid: production was started without what it needs, or with a
    development key. The message names every such setting."""


def productiebezwaren(instellingen: Settings, behalve: frozenset[str] = frozenset()) -> dict[str, str]:
    """What production still needs, by setting (or group of settings): read from the `Productie` marks at the
    fields, so that a new field declares its own requirement. Empty outside production. `behalve`: fields
    already found invalid, and their groups."""
    if not instellingen.is_productie:
        return {}
    bezwaren: dict[str, str] = {}
    groepen: dict[str, list[str]] = {}
    voldaan: set[str] = set()
    velden = type(instellingen).model_fields
    for veld, info in velden.items():
        eis = productie_eis(info)
        if eis is None:
            continue
        waarde = getattr(instellingen, veld)
        gezet = waarde is not None and waarde != info.default  # a default is a local file or a placeholder
        if eis.groep is not None:
            groepen.setdefault(eis.groep, []).append(veld)
            if gezet or veld in behalve:
                voldaan.add(eis.groep)
        elif veld in behalve:
            continue
        elif not gezet:
            stand = "ontbreekt" if info.default is None else f"staat nog op de ontwikkelwaarde {info.default}"
            bezwaren[omgevingsnaam(veld)] = f"{stand}; verplicht in productie. Hoort te bevatten: {info.description}"
        elif eis.niet_gelijk_aan is not None and waarde == getattr(instellingen, eis.niet_gelijk_aan):
            bezwaren[omgevingsnaam(veld)] = (f"is gelijk aan {omgevingsnaam(eis.niet_gelijk_aan)}; in productie apart "
                                             f"daarvan. Hoort te bevatten: {info.description}")
    for groep, groep_velden in groepen.items():
        if groep not in voldaan:
            uitleg = "; ".join(f"{omgevingsnaam(v)}: {velden[v].description}" for v in groep_velden)
            bezwaren[" of ".join(map(omgevingsnaam, groep_velden))] = f"ontbreekt ({groep}); één ervan is verplicht in productie. {uitleg}"
    return bezwaren


def bericht(bezwaren: dict[str, str], omgeving: str) -> str:
    """The one message an operator gets: every setting that is missing or invalid, with what it should hold."""
    regels = [f"Inburgering start niet: {len(bezwaren)} instelling(en) ontbreken of zijn ongeldig "
              f"({omgevingsnaam('omgeving')}={omgeving}):"]
    regels += [f"- {naam}: {uitleg}" for naam, uitleg in bezwaren.items()]
    regels.append('Zet ze in de omgeving van elk proces en start opnieuw (README.md, "Settings").')
    return "\n".join(regels)


def controleer(instellingen: Settings) -> None:
    """Raise one ProductieInstellingError naming everything production still needs; nothing outside production.
    Every guard before a development fallback (a generated key, the SQLite file) goes through this one check."""
    if bezwaren := productiebezwaren(instellingen):
        raise ProductieInstellingError(bericht(bezwaren, instellingen.omgeving))


def alleen_in_ontwikkeling(instellingen: Settings, wat: str) -> None:
    """Before a development fallback (a generated key, our own token key): in production the one check names all
    that is missing, and should nothing be (a setting that satisfies a group in another way), it is still refused."""
    controleer(instellingen)
    if instellingen.is_productie:
        raise ProductieInstellingError(f"{wat} bestaat niet in productie.")


def laad(**waarden: Any) -> Settings:
    """Settings from the environment, checked as a whole: every invalid setting and, in production, every missing
    one together in one ProductieInstellingError, not one per start."""
    ongeldig: dict[str, str] = {}
    try:
        instellingen = Settings(**waarden)
    except ValidationError as fout:
        for f in fout.errors():
            ongeldig.setdefault(str(f["loc"][0]) if f["loc"] else "", f["msg"].removeprefix("Value error, "))
        # The others are still checked, each invalid one at its default.
        vervangen = {veld: Settings.model_fields[veld].default for veld in ongeldig if veld in Settings.model_fields}
        try:
            instellingen = Settings(**(waarden | vervangen))
        except ValidationError:
            instellingen = Settings.model_construct()
    bezwaren = {
        omgevingsnaam(veld): f"ongeldig: {fout}." + (f" Hoort te bevatten: {Settings.model_fields[veld].description}"
                                                     if veld in Settings.model_fields else "")
        for veld, fout in ongeldig.items()
    } | productiebezwaren(instellingen, behalve=frozenset(ongeldig))
    if bezwaren:
        raise ProductieInstellingError(bericht(bezwaren, instellingen.omgeving))
    return instellingen


def start_instellingen() -> Settings:
    """For every entry point (the API's factory, the CLI, the dispatcher): the settings, or the one message on
    stderr and exit code 3, without a traceback."""
    try:
        return laad()
    except ProductieInstellingError as fout:
        print(fout, file=sys.stderr)
        raise SystemExit(STARTFOUT) from None


if __name__ == "__main__":
    # Once, before a command that forks: uvicorn's workers would each print the message, and its parent exits 0
    # when they fail to start.
    start_instellingen()
    if opdracht := sys.argv[1:]:
        os.execvp(opdracht[0], opdracht)
