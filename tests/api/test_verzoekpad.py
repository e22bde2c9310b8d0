"""The request path's plumbing (issue 12): a command hops to a worker thread once, for its blocking work;
every dependency before it runs on the event loop, and the access log is queued without a hop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from tests.builders import een_bsn, tvs_start
from tests.conftest import Kopregels


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every function the app hands to a worker thread, in order (counted, then run as ever)."""
    gezien: list[str] = []
    echt = anyio.to_thread.run_sync

    async def geteld(functie: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        gezien.append(getattr(functie, "__qualname__", None) or repr(functie))
        return await echt(functie, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", geteld)
    return gezien


def test_a_command_hops_threads_once(api: TestClient, als: Kopregels, hops: list[str]) -> None:
    regisseur = als("regisseur", "0505")
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur | {"Idempotency-Key": "een-start"})
    assert start.status_code == 201, start.text
    assert len(hops) == 1, hops  # a start too: as a sync route it hopped a second time to validate its answer
    hops.clear()
    antwoord = api.post(f"{start.headers['Location']}/kennisgevingen", json={"datum": "2025-01-20", "verblijfsvergunning": "asiel_bepaalde_tijd"},
                        headers=regisseur | {"If-Match": start.headers["ETag"], "Idempotency-Key": "een-sleutel"})
    assert antwoord.status_code == 201, antwoord.text
    assert antwoord.headers["API-Version"] and antwoord.headers["X-Correlation-ID"] and antwoord.headers["traceparent"]
    assert len(hops) == 1, hops
