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


def test_a_read_hops_threads_once_a_list_with_its_read_model_included(api: TestClient, als: Kopregels, hops: list[str]) -> None:
    """A sync route hopped to validate its answer too, and each sync dependency (the read model's catch-up) hopped
    on its own: a list read hopped three times."""
    regisseur = als("regisseur", "0505")
    start = api.post("/api/v1/trajecten", json=tvs_start(een_bsn()), headers=regisseur)
    assert start.status_code == 201, start.text
    for pad in (start.headers["Location"], f"{start.headers['Location']}/gebeurtenissen", "/api/v1/trajecten",
                "/api/v1/signaleringen", "/api/v1/rapportages/spuk?gemeente=0505&jaar=2025"):
        hops.clear()
        antwoord = api.get(pad, headers=regisseur)
        assert antwoord.status_code == 200, (pad, antwoord.text)
        assert len(hops) == 1, (pad, hops)
    assert antwoord.headers["Leesmodel-Achterstand"] == "0"  # the read model was brought up to date, in that one hop
