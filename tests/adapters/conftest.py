"""Fixtures for the adapter tests: the application and the read models on the store under test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.bootstrap import bouw_applicatie, bouw_leesmodelopslag
from adapters.clock import VasteKlok
from adapters.leesmodellen import SqlLeesmodelopslag
from adapters.settings import Settings
from domain.application import Inburgering


@pytest.fixture
def app(instellingen: Settings, klok: VasteKlok) -> Iterator[Inburgering]:
    """The application as the composition root builds it (encrypting, chaining) on the store under test."""
    applicatie = bouw_applicatie(instellingen, klok)
    yield applicatie
    applicatie.close()


@pytest.fixture
def opslag(instellingen: Settings) -> Iterator[SqlLeesmodelopslag]:
    leesmodellen = bouw_leesmodelopslag(instellingen)
    yield leesmodellen
    leesmodellen.close()
