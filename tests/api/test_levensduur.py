"""The app's life in its process: what start-up built is left out of full garbage collections while it runs,
and nothing of that stays behind once it stops."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from adapters.clock import VasteKlok
from adapters.settings import Settings
from api.main import create_app


def test_what_start_up_built_is_frozen_while_the_app_runs_and_released_when_it_stops(instellingen: Settings, klok: VasteKlok) -> None:
    drempels = gc.get_threshold()
    with TestClient(create_app(instellingen, klok)) as api:
        assert gc.get_freeze_count() > 10_000  # modules, schemas, routes, the stores
        assert gc.get_threshold()[0] > drempels[0]  # a request's garbage dies young, uncollected
        assert api.get("/api/v1/health").status_code == 200
    assert (gc.get_freeze_count(), gc.get_threshold()) == (0, drempels)
