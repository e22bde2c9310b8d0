"""Fixtures: the two stores (SQLite file, PostgreSQL schema per run), a fixed clock, the API."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from pydantic import SecretStr

from adapters.clock import VasteKlok
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app

POSTGRES_URL = os.environ.get("INBURGERING_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
POSTGRES_VERPLICHT = os.environ.get("INBURGERING_TEST_POSTGRES") == "verplicht"
_postgres_overgeslagen: list[str] = []
# Debian's chromium (make browser) for the docs page's test; CI (.ci/run) requires it, locally it may be absent.
CHROMIUM = Path(os.environ.get("INBURGERING_TEST_CHROMIUM", "/usr/bin/chromium"))
BROWSER_VERPLICHT = (os.environ.get("INBURGERING_TEST_BROWSER") == "verplicht"
                     or os.environ.get("CI", "").lower() in ("true", "1"))
_browser_overgeslagen: list[str] = []


@pytest.fixture(scope="session")
def postgres_schemas() -> Iterator[Callable[[], str]]:
    """Makes a fresh schema per test, all dropped after the run, so neither runs nor tests collide."""
    try:
        verbinding = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as fout:
        if POSTGRES_VERPLICHT:
            pytest.fail(f"PostgreSQL-lane is verplicht maar {POSTGRES_URL} is niet bereikbaar: {fout}")
        _postgres_overgeslagen.append(str(fout).strip())
        pytest.skip("PostgreSQL niet bereikbaar")
    run = uuid.uuid4().hex[:8]
    gemaakt: list[str] = []

    def nieuw_schema() -> str:
        schema = f"test_{run}_{len(gemaakt)}"
        verbinding.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        gemaakt.append(schema)
        return schema

    with verbinding:
        yield nieuw_schema
        for schema in gemaakt:
            verbinding.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The browser the docs test drives; a test tool's own browser download fails on a closed network."""
    if CHROMIUM.is_file():
        return CHROMIUM
    reden = f"geen chromium op {CHROMIUM}; installeer hem met `make browser` (apt-get, als root)"
    if BROWSER_VERPLICHT:
        pytest.fail(f"De browsertest is verplicht (CI of INBURGERING_TEST_BROWSER=verplicht), maar er is {reden}.")
    _browser_overgeslagen.append(reden)
    pytest.skip(reden)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _browser_overgeslagen:
        terminalreporter.write_sep("!", "BROWSERTEST OVERGESLAGEN", red=True, bold=True)
        terminalreporter.write_line(f"De documentatiepagina is niet in een browser getest: {_browser_overgeslagen[0]}.", red=True)
        terminalreporter.write_line("CI (.ci/run) installeert chromium en eist de test.", red=True)
    if _postgres_overgeslagen:
        terminalreporter.write_sep("!", "POSTGRESQL-LANE OVERGESLAGEN", red=True, bold=True)
        terminalreporter.write_line(f"Geen PostgreSQL op {POSTGRES_URL}: {_postgres_overgeslagen[0]}", red=True)
        terminalreporter.write_line("Alleen de SQLite-lane is getest. CI (.ci/run) eist beide.", red=True)


@pytest.fixture
def klok() -> VasteKlok:
    return VasteKlok(datetime(2026, 6, 1, 10, 0, tzinfo=UTC))


def _instellingen(tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        omgeving="ontwikkeling",
        data_map=tmp_path,  # every file the test writes stays in its own directory
        bsn_sleutel=SecretStr(secrets.token_hex(16)),  # per test: the same BSN in two tests never collides
        **extra,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def instellingen(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for one store; every test that uses it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return _instellingen(tmp_path, database_url=None)
    schema = request.getfixturevalue("postgres_schemas")()
    return _instellingen(tmp_path, database_url=POSTGRES_URL, database_schema=schema)


@pytest.fixture
def sqlite_instellingen(tmp_path: Path) -> Settings:
    return _instellingen(tmp_path, database_url=None)


@pytest.fixture
def api(instellingen: Settings, klok: VasteKlok) -> Iterator[TestClient]:
    with TestClient(create_app(instellingen, klok), raise_server_exceptions=False) as client:
        yield client


Kopregels = Callable[..., dict[str, str]]


@pytest.fixture
def als(instellingen: Settings) -> Kopregels:
    """Headers for a user: als("regisseur", "0505")."""

    def kopregels(rol: str, *gemeenten: str, **extra: str) -> dict[str, str]:
        token = maak_ontwikkeltoken(instellingen, rol=rol, gemeenten=list(gemeenten), gebruiker=f"{rol}-{'-'.join(gemeenten)}")
        return {"Authorization": f"Bearer {token}"} | extra

    return kopregels


def cli_omgeving(instellingen: Settings) -> dict[str, str | None]:
    """Every setting of the test's Settings as INBURGERING_ variables, so the CLI uses the test's store
    and keys and writes nothing under ./var; None unsets a variable the shell may have set."""
    env: dict[str, str | None] = {}
    for naam, waarde in instellingen:
        if isinstance(waarde, SecretStr):
            waarde = waarde.get_secret_value()
        if isinstance(waarde, bool):
            waarde = "true" if waarde else "false"
        elif isinstance(waarde, (list, dict)):
            waarde = json.dumps(waarde)
        env[f"INBURGERING_{naam.upper()}"] = None if waarde is None else str(waarde)
    return env
