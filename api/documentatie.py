"""The API's documentation pages, in development only: Swagger UI at `/api/v1/docs` and ReDoc at `/api/v1/redoc`.

Their scripts and styles come from the fastapi-offline package and are served by this app, so the pages work
on a closed network that reaches no CDN. Each page carries its own Content-Security-Policy: everything from
this origin, and the one inline script that starts Swagger UI by its hash; the Poortwachter (api/beveiliging.py)
keeps a header a response already has.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.openapi import BASISPAD

SWAGGER_UI = f"{BASISPAD}/docs"
REDOC = f"{BASISPAD}/redoc"
BRONNEN = f"{BASISPAD}/docs-bronnen"  # swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon.png
PAKKETBRONNEN = files("fastapi_offline") / "static"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def inhoudsbeleid(html: str) -> str:
    """The page's CSP: scripts from here or the page's own inline scripts (by hash), styles from here and inline
    (Swagger UI and ReDoc set style attributes and style elements at run time), images from here and data: URLs
    (Swagger UI's icons), requests only to this API."""
    bronnen = ["'self'"] + [
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(html)
    ]
    return (
        f"default-src 'none'; script-src {' '.join(bronnen)}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'"
    )


def _pagina(antwoord: HTMLResponse) -> tuple[str, dict[str, str]]:
    html = bytes(antwoord.body).decode()
    return html, {"Content-Security-Policy": inhoudsbeleid(html)}


def voeg_documentatie_toe(app: FastAPI) -> None:
    """Serve both pages and their assets on `app`; the pages load the document from `app.openapi_url`."""
    assert app.openapi_url is not None
    app.mount(BRONNEN, StaticFiles(directory=str(PAKKETBRONNEN)), name="documentatiebronnen")
    swagger_html, swagger_koppen = _pagina(get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{BRONNEN}/swagger-ui-bundle.js",
        swagger_css_url=f"{BRONNEN}/swagger-ui.css",
        swagger_favicon_url=f"{BRONNEN}/favicon.png",
        oauth2_redirect_url=None,  # bearer tokens are pasted in "Authorize"; there is no OAuth2 flow to return from
    ))
    redoc_html, redoc_koppen = _pagina(get_redoc_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{BRONNEN}/redoc.standalone.js",
        redoc_favicon_url=f"{BRONNEN}/favicon.png",
        with_google_fonts=False,  # a font from Google is a request to a CDN too
    ))

    @app.get(SWAGGER_UI, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_html, headers=swagger_koppen)

    @app.get(REDOC, include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return HTMLResponse(redoc_html, headers=redoc_koppen)
