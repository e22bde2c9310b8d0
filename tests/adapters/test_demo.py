"""make demo: the policy document's volumes, every phase, a worklist and reports with figures, the same facts
for the same seed, and never on top of a store that holds facts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from stdnum.nl import bsn as elfproef

from adapters.bootstrap import bouw_applicatie
from adapters.clock import VasteKlok
from adapters.demo.plan import VOLUMES, maak_plan
from adapters.demo.stappen import Procesfase
from adapters.demo.vullen import DemoGeweigerdError, vul
from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.main import create_app
from domain.waarden import Gemeente

SEED = 2019
ALLE = [g.value for g in Gemeente]


def test_the_plan_has_the_policy_documents_volumes_per_gemeente_and_doelgroep() -> None:
    plan = maak_plan(SEED, date(2026, 6, 1))

    telling = Counter((t.gemeente, t.asielstatushouder) for t in plan.trajecten)

    assert {g.value: (telling[(g.value, True)], telling[(g.value, False)]) for g in Gemeente} == {
        "0505": (44, 48), "0531": (12, 6), "0590": (12, 7), "0642": (17, 22)}
    assert len(plan.trajecten) == sum(a + g for a, g in VOLUMES.values()) == 168


@pytest.mark.parametrize("seed", range(12))
def test_every_phase_from_tvs_profiel_to_afronding_has_trajectories_whatever_the_seed(seed: int) -> None:
    plan = maak_plan(seed, date(2026, 6, 1))

    assert {t.fase for t in plan.trajecten} == set(Procesfase)
    soorten = Counter(s.methode.__name__ for s in plan.stappen)
    assert soorten["wijzig_leerroute"] >= 2 and soorten["constateer_overtreding"] >= 2
    assert any(s.argumenten.get("gevoerd") is False for s in plan.stappen)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another() -> None:
    def inhoud(seed: int) -> list[tuple[Any, ...]]:
        return [(s.dag, s.traject, s.actor, s.methode, dict(s.argumenten)) for s in maak_plan(seed, date(2026, 6, 1)).stappen]

    assert inhoud(SEED) == inhoud(SEED)
    assert inhoud(SEED) != inhoud(SEED + 1)


def test_every_person_has_a_bsn_of_their_own_that_passes_the_elfproef() -> None:
    bsns = [s.argumenten["bsn"] for s in maak_plan(SEED, date(2026, 6, 1)).stappen if "bsn" in s.argumenten]

    assert len(bsns) == len(set(bsns)) == 168
    assert all(elfproef.is_valid(b) for b in bsns)


def _alles(client: TestClient, url: str, naam: str, kop: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while url:
        antwoord = client.get(url, headers=kop)
        assert antwoord.status_code == 200, antwoord.text
        items += antwoord.json()[naam]
        url = antwoord.links.get("next", {}).get("url", "")
    return items


def test_a_filled_store_shows_the_region_in_the_lists_the_worklist_and_every_report(instellingen: Settings, klok: VasteKlok) -> None:
    # Given the demo for the day the API's clock stands on, carried out through the use cases
    plan = maak_plan(SEED, klok.vandaag())
    gevuld = vul(instellingen, plan)
    print(f"demo: {gevuld.commandos} commands, {gevuld.gebeurtenissen} events in {gevuld.seconden:.1f} s")

    with TestClient(create_app(instellingen, klok)) as api:
        regisseur = {"Authorization": "Bearer " + maak_ontwikkeltoken(instellingen, rol="regisseur", gemeenten=ALLE)}
        # Then the list holds every trajectory, per gemeente and doelgroep as in the policy document
        trajecten = _alles(api, "/api/v1/trajecten?limiet=200", "trajecten", regisseur)
        telling = Counter((t["gemeente"], t["doelgroep"] == "asielstatushouder") for t in trajecten)
        assert {g: (telling[(g.value, True)], telling[(g.value, False)]) for g in Gemeente} == VOLUMES
        assert {t["status"] for t in trajecten} == {"lopend", "afgerond"}
        # and the worklist has deadlines on time, due soon and overdue today
        werklijst = _alles(api, "/api/v1/signaleringen?limiet=200", "signaleringen", regisseur)
        assert {s["status"] for s in werklijst} == {"op_tijd", "binnenkort", "verlopen"}
        # and each report has figures for last year in Dordrecht
        jaar = klok.vandaag().year - 1
        rapport = {naam: api.get(f"/api/v1/rapportages/{naam}?gemeente=0505&jaar={jaar}", headers=regisseur).json()
                   for naam in ("instroom", "leerroutemix", "spuk", "handhaving")}
        assert rapport["instroom"]["totaal"] > 0
        assert all(rapport["leerroutemix"]["perDoelgroep"][groep]["totaal"] > 0 for groep in ("asielstatushouder", "gezins_overige_migrant"))
        assert float(rapport["spuk"]["realisatieTotaal"]) > 0
        assert sum(sum(a["perStap"].values()) for a in rapport["handhaving"]["perArtikel"].values()) > 0
    # And a second run on the filled store is refused, and records nothing
    with pytest.raises(DemoGeweigerdError, match="al gebeurtenissen"):
        vul(instellingen, plan)
    app = bouw_applicatie(instellingen, klok)
    try:
        assert app.recorder.max_notification_id() == gevuld.gebeurtenissen
    finally:
        app.close()


def _feiten(instellingen: Settings, klok: VasteKlok) -> list[list[tuple[str, Any, Any]]]:
    """Per trajectory, in the plan's order, each recorded fact's kind, date and moment of recording."""
    gevuld = vul(instellingen, maak_plan(SEED, date(2022, 9, 1)))  # early in 2022: every trajectory starts, few get far
    app = bouw_applicatie(instellingen, klok)
    try:
        return [[(type(f).__name__, getattr(f, "datum", None), f.timestamp) for f in app.events.get(traject_id)]
                for traject_id in gevuld.traject_ids]
    finally:
        app.close()


def test_the_same_seed_records_the_same_facts_on_the_same_days(sqlite_instellingen: Settings, klok: VasteKlok) -> None:
    ander = sqlite_instellingen.model_copy(update={
        veld: pad.with_name("ander-" + pad.name) for veld, pad in sqlite_instellingen if veld.startswith("sqlite_")})

    eerste, tweede = _feiten(sqlite_instellingen, klok), _feiten(ander, klok)

    assert len(eerste) == 168 and sum(map(len, eerste)) > 400
    assert eerste == tweede


def test_production_is_refused_before_anything_is_opened(sqlite_instellingen: Settings) -> None:
    productie = sqlite_instellingen.model_copy(update={"omgeving": "productie"})
    with pytest.raises(DemoGeweigerdError, match="productie"):
        vul(productie, maak_plan(SEED, date(2026, 6, 1)))
    assert not productie.sqlite_pad.exists()

