"""The API documentation pages (/docs: Swagger UI, /redoc: ReDoc), served offline.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so on an intranet with no
internet they stay blank. The assets come from the installed `fastapi-offline`
package instead (its `static/` folder: swagger-ui-bundle.js, swagger-ui.css,
redoc.standalone.js, favicon.png), mounted under ASSETS_PATH; every URL the pages
name is on this server.
"""

from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
# Everything from the server itself; ReDoc's inline start-up script and styles, its
# web worker (a blob) and images written as data: URLs.
REDOC_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; font-src 'self' data:"
)
ASSETS_PATH = "/static/apidocs"
# ReDoc as packaged names its logo on cdn.redoc.ly (the sidebar's "API docs by Redocly"):
# served from here with that one URL pointing at the packaged favicon instead.
REDOC_JS_PATH = "/static/redoc.offline.js"
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


def assets_dir() -> Path:
    """The folder of Swagger UI and ReDoc assets that the fastapi-offline package ships."""
    return Path(str(files("fastapi_offline") / "static"))


@functools.lru_cache(maxsize=4)
def redoc_script(logo_url: str) -> bytes:
    """The packaged redoc.standalone.js with its one outside URL, the logo, on here."""
    script = (assets_dir() / "redoc.standalone.js").read_bytes()
    return script.replace(REDOC_LOGO, logo_url.encode())


def install(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets to `app` (made with docs_url=None, redoc_url=None).

    Call before mounting /static: the first mount whose prefix matches answers."""
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_dir()), name="apidocs")
    assert app.openapi_url is not None  # the pages have nothing to show without it

    def _url(request: Request, path: str) -> str:
        # Behind a proxy that serves the app under a prefix (root_path), the assets too.
        return request.scope.get("root_path", "") + path

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=_url(request, app.openapi_url or ""),
            title=f"{app.title} - API",
            swagger_js_url=_url(request, f"{ASSETS_PATH}/swagger-ui-bundle.js"),
            swagger_css_url=_url(request, f"{ASSETS_PATH}/swagger-ui.css"),
            swagger_favicon_url=_url(request, f"{ASSETS_PATH}/favicon.png"),
            oauth2_redirect_url=None,
            # No badge from the public online validator: it would be fetched from there.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        )

    @app.get(REDOC_JS_PATH, include_in_schema=False)
    def redoc_js(request: Request) -> Response:
        script = redoc_script(_url(request, f"{ASSETS_PATH}/favicon.png"))
        return Response(
            script,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get(REDOC_PATH, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=_url(request, app.openapi_url or ""),
            title=f"{app.title} - API",
            redoc_js_url=_url(request, REDOC_JS_PATH),
            redoc_favicon_url=_url(request, f"{ASSETS_PATH}/favicon.png"),
            with_google_fonts=False,
        )
        # The packaged ReDoc still shows its logo from cdn.redoc.ly; on an intranet that
        # request hangs or fails. The page may load nothing from elsewhere.
        page.headers["Content-Security-Policy"] = REDOC_POLICY
        return page
