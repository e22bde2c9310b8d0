"""A deploy of a read-model change, for the tests: the server or the CLI with one read model's version
raised by one, as the code of such a change has it (its rows computed alike, so a replay can compare).

    python -m tests.leesmodelversie <leesmodel> uvicorn <uvicorn's arguments>
    python -m tests.leesmodelversie <leesmodel> cli <adapters.cli's arguments>

Runs in one process (uvicorn without --workers > 1): what is raised here is what the app reads at start.
"""

from __future__ import annotations

import runpy
import sys

from adapters import leesmodellen

PROGRAMMA = {"uvicorn": "uvicorn", "cli": "adapters.cli"}


def verhoog(naam: str) -> int:
    """Raise the version of `naam` in this process's code; returns the new version."""
    tabellen, versie, schema = leesmodellen.LEESMODEL_TABELLEN[naam]
    leesmodellen.LEESMODEL_TABELLEN[naam] = (tabellen, versie + 1, schema)
    return versie + 1


if __name__ == "__main__":
    naam, programma, *argumenten = sys.argv[1:]
    verhoog(naam)
    sys.argv = [programma, *argumenten]
    runpy.run_module(PROGRAMMA[programma], run_name="__main__", alter_sys=True)
