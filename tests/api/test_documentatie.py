"""The documentation pages as a frontend developer meets them: served by the app itself, with no CDN, and
"Try it out" on POST /trajecten in a real headless chromium against a real server, as `make run` serves it."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey
from playwright.sync_api import ConsoleMessage, Locator, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from adapters.settings import Settings
from adapters.tokens import maak_ontwikkeltoken
from api.documentatie import BRONNEN, REDOC, SWAGGER_UI
from api.main import create_app
from api.verzoeken.start import VOORBEELDEN
from tests.conftest import Kopregels
from tests.serverproces import Serverproces, cli

# Generous bounds for what a busy 2-core machine does slowly: start chromium, parse 1.5 MB of Swagger UI and
# render 74 operations, and answer one command. Each wait ends as soon as what it waits for is there.
BROWSER_WACHT_MS = 120_000
# As the machine notes start Debian's chromium: without the background-networking flags it keeps trying to
# reach Google's hosts, which a closed network refuses.
CHROMIUM_VLAGGEN = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCHERMAFDRUK_KOPIE = Path("/tmp/inburgering-docs.png")  # outlives pytest's tmp dirs, to look at after a run


def test_the_docs_pages_load_their_assets_from_the_app_under_a_strict_policy(sqlite_instellingen: Settings) -> None:
    with TestClient(create_app(sqlite_instellingen)) as http:
        for pagina, bestand in [(SWAGGER_UI, "swagger-ui-bundle.js"), (REDOC, "redoc.standalone.js")]:
            antwoord = http.get(pagina)
            assert antwoord.status_code == 200
            assert f'src="{BRONNEN}/{bestand}"' in antwoord.text
            assert "https://" not in antwoord.text  # no CDN, no web font
            beleid = antwoord.headers["content-security-policy"]
            assert "default-src 'none'" in beleid and "unsafe-eval" not in beleid
            assert re.search(r"script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')*;", beleid), beleid
            asset = http.get(f"{BRONNEN}/{bestand}")
            assert asset.status_code == 200 and len(asset.content) > 100_000


def test_production_serves_no_docs(sqlite_instellingen: Settings) -> None:
    idp = ECKey.generate_key("P-256", parameters={"kid": "idp"}).as_dict(private=False)
    productie = sqlite_instellingen.model_copy(update={
        "omgeving": "productie", "jwks": json.dumps({"keys": [idp]}), "cloudevents_bron": "urn:nld:oin:00000001234567890000:systeem:x"})
    paden = {getattr(route, "path", None) for route in create_app(productie).routes}
    assert not paden & {SWAGGER_UI, REDOC, BRONNEN}


def test_every_start_example_in_the_document_is_accepted(api: TestClient, als: Kopregels) -> None:
    """Swagger UI fills "Try it out" with these; each must start a trajectory as it stands."""
    document = api.get("/api/v1/openapi.json").json()
    voorbeelden = document["paths"]["/trajecten"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert list(voorbeelden) == list(VOORBEELDEN)
    for voorbeeld in voorbeelden.values():
        body = voorbeeld["value"]
        antwoord = api.post("/api/v1/trajecten", json=body, headers=als("regisseur", body["gemeente"]))
        assert antwoord.status_code == 201, antwoord.text


@pytest.fixture
def pagina(chromium: Path, tmp_path: Path) -> Iterator[Page]:
    with sync_playwright() as playwright:
        yield from _chromium_pagina(playwright, chromium, tmp_path)


def _chromium_pagina(playwright: Playwright, chromium: Path, tmp_path: Path) -> Iterator[Page]:
    # A fresh profile per test: nothing cached or remembered from another run.
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "chromium-profiel", executable_path=chromium, headless=True, args=CHROMIUM_VLAGGEN,
        viewport={"width": 1280, "height": 1600})
    context.set_default_timeout(BROWSER_WACHT_MS)
    try:
        yield context.pages[0] if context.pages else context.new_page()
    finally:
        context.close()


def test_swagger_ui_lists_every_operation_and_tries_out_a_start_offline(
    sqlite_instellingen: Settings, pagina: Page, tmp_path: Path
) -> None:
    with Serverproces(sqlite_instellingen) as server:
        poort = urlsplit(server.basis).port
        banier = cli(sqlite_instellingen, "tokens", "--poort", str(poort))
        assert banier.returncode == 0, banier.stderr
        # The page is opened by the address `make run` prints, so a wrong port or path there fails here.
        [docs] = re.findall(r"http://\S+/docs\b", banier.stderr)
        assert docs == f"{server.basis}{SWAGGER_UI}"

        verzoeken: list[str] = []
        pagina.on("request", lambda verzoek: verzoeken.append(verzoek.url))
        meldingen: list[str] = []
        pagina.on("console", lambda melding: meldingen.append(_tekst(melding)))
        pagina.on("pageerror", lambda fout: meldingen.append(f"pageerror: {fout}"))
        pagina.goto(docs)

        start = pagina.locator("#operations-trajecten-start-traject")
        _wacht_tot_zichtbaar(start, "Swagger UI heeft het document opgehaald en POST /trajecten getoond", meldingen, verzoeken)
        document = httpx2.get(f"{server.basis}/api/v1/openapi.json", timeout=30).json()
        verwacht = {f"operations-{operatie['tags'][0]}-{operatie['operationId']}"
                    for item in document["paths"].values() for operatie in item.values()}
        getoond = set(pagina.locator(".opblock[id^='operations-']").evaluate_all("blokken => blokken.map(b => b.id)"))
        assert getoond == verwacht

        schermafdruk = tmp_path / "docs.png"
        pagina.screenshot(path=schermafdruk)
        shutil.copyfile(schermafdruk, SCHERMAFDRUK_KOPIE)
        print(f"schermafdruk van de docs-pagina: {schermafdruk} (kopie: {SCHERMAFDRUK_KOPIE})")

        # "Authorize" with a development token, as a developer pastes one from the banner.
        token = maak_ontwikkeltoken(sqlite_instellingen, rol="regisseur", gemeenten=["0505"])
        pagina.locator(".auth-wrapper .btn.authorize").click()
        dialoog = pagina.locator(".modal-ux")
        dialoog.locator("input[aria-label='auth-bearer-value']").fill(token)
        dialoog.locator(".auth-btn-wrapper .btn.authorize").click()
        dialoog.locator(".btn-done").click()

        start.locator(".opblock-summary-control").click()
        start.locator(".try-out__btn").click()
        invoer = start.locator("textarea.body-param__text")
        assert json.loads(invoer.input_value()) == VOORBEELDEN["tvs_profiel"]["value"]
        start.locator(".btn.execute").click()
        status = start.locator(".live-responses-table tr.response .response-col_status")
        _wacht_tot_zichtbaar(status, "het antwoord op POST /api/v1/trajecten onder 'Execute'", meldingen, verzoeken)
        assert status.inner_text().strip() == "201", start.locator(".live-responses-table").inner_text()

        # The try-out really recorded the trajectory, for the user of the token.
        gevonden = httpx2.post(f"{server.basis}/api/v1/trajecten/_zoek", json={"bsn": "111222333"},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert [t["gemeente"] for t in gevonden.json()["trajecten"]] == ["0505"]

    vreemd = [url for url in verzoeken if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"]
    assert not vreemd, f"de pagina vroeg buiten deze host: {vreemd}"
    assert any(url.endswith(f"{BRONNEN}/swagger-ui-bundle.js") for url in verzoeken)
    assert not [m for m in meldingen if "Content Security Policy" in m or m.startswith(("error", "pageerror"))], meldingen


def _wacht_tot_zichtbaar(element: Locator, waarop: str, meldingen: list[str], verzoeken: list[str]) -> None:
    try:
        element.wait_for(state="visible", timeout=BROWSER_WACHT_MS)
    except PlaywrightTimeoutError:
        pytest.fail(f"na {BROWSER_WACHT_MS / 1000:g} s nog niet zichtbaar: {waarop}.\n"
                    f"Console van de pagina: {meldingen}\nVerzoeken van de pagina: {verzoeken}")


def _tekst(melding: ConsoleMessage) -> str:
    return f"{melding.type}: {melding.text}"
