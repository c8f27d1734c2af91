"""Every app's API documentation pages, Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served by the app
itself: their scripts and stylesheet come from npm (``swagger-ui-dist`` and ``redoc``, pinned in
``package-lock.json``, installed by ``make``) and are served from ``node_modules`` under ``/docs/assets/``.
Nothing is fetched from a CDN or any other host (no favicon, no web fonts): the pages share their origin
with the session-cookie pages (/remit, /qr, /funding), so a script from elsewhere would run with those
sessions.

An app is made with ``FastAPI(..., docs_url=None, redoc_url=None)`` (FastAPI's own pages load from a CDN) and
then ``install_api_docs(app)``. When ``node_modules`` is missing, both pages answer 404 with a page that
says how to install the packages; the OpenAPI document itself is still served.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from starlette.responses import FileResponse, HTMLResponse, Response

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"  # an editable install: the checkout's
SWAGGER_INIT_FILE = Path(__file__).with_name("swagger_init.js")
DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS_PATH = "/docs/assets"
NOSNIFF = {"X-Content-Type-Options": "nosniff"}
ASSET_HEADERS = {**NOSNIFF, "Cache-Control": "public, max-age=3600"}
# Scripts only from this origin, none inline (Swagger UI's start is swagger_init.js). Styles may be inline:
# both UIs set style attributes and ReDoc writes its CSS into <style> elements at run time. ReDoc's search
# index runs in a worker made from a blob: URL by its own bundle. Swagger UI's icons are data: images.
DOCS_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    **NOSNIFF,
    "Referrer-Policy": "same-origin",
}

JS = "text/javascript; charset=utf-8"
# The files the pages name, by the name they have under ASSETS_PATH: (where in node_modules, content type).
VENDOR_FILES = {
    "swagger-ui-bundle.js": ("swagger-ui-dist/swagger-ui-bundle.js", JS),
    "swagger-ui.css": ("swagger-ui-dist/swagger-ui.css", "text/css; charset=utf-8"),
    "favicon.png": ("swagger-ui-dist/favicon-32x32.png", "image/png"),
    "redoc.standalone.js": ("redoc/bundles/redoc.standalone.js", JS),
}
SWAGGER_INIT = "swagger-init.js"  # the project's own file, always there


@dataclass
class DocsAssets:
    """Where the packages are (tests point it at an empty folder to see the pages without them)."""
    node_modules: Path = NODE_MODULES

    def vendor_file(self, name: str) -> Path:
        return self.node_modules / VENDOR_FILES[name][0]

    @property
    def available(self) -> bool:
        """Checked at each request: installing node_modules while the server runs brings the pages back."""
        return all(self.vendor_file(name).is_file() for name in VENDOR_FILES)


def _swagger_ui_html(title: str, openapi_url: str, assets_url: str) -> HTMLResponse:
    title, openapi_url, assets_url = (html.escape(text) for text in (title, openapi_url, assets_url))
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Swagger UI</title>
<link rel="stylesheet" href="{assets_url}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets_url}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets_url}/swagger-ui-bundle.js"></script>
<script src="{assets_url}/{SWAGGER_INIT}"></script>
</body>
</html>
"""
    return HTMLResponse(page, headers=DOCS_SECURITY_HEADERS)


def _not_installed_html(title: str, openapi_url: str) -> HTMLResponse:
    title, openapi_url = html.escape(title), html.escape(openapi_url)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title} - documentation not installed</title></head>
<body>
<h1>The API documentation pages are not installed</h1>
<p>Swagger UI and ReDoc are npm packages that this server serves from <code>node_modules</code>, and that
folder is missing or incomplete. Install them in the checkout with <code>make install</code> (it runs
<code>npm ci</code>); the pages work as soon as the files are there, without a restart.</p>
<p>The OpenAPI document itself is served: <a href="{openapi_url}">{openapi_url}</a>.</p>
</body>
</html>
"""
    return HTMLResponse(page, status_code=404, headers=DOCS_SECURITY_HEADERS)


def install_api_docs(app: FastAPI, assets: DocsAssets | None = None) -> None:
    """Add ``/docs``, ``/redoc`` and their files to ``app`` (made with ``docs_url=None, redoc_url=None``);
    ``app.state.api_docs`` keeps ``assets``."""
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("make the app with docs_url=None, redoc_url=None: FastAPI's own pages load from a CDN")
    if app.openapi_url is None:
        raise ValueError("the API documentation pages need the app's OpenAPI document (openapi_url)")
    app.state.api_docs = assets = assets or DocsAssets()
    openapi_path = app.openapi_url

    def root(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/")

    async def swagger_ui(request: Request) -> Response:
        if not assets.available:
            return _not_installed_html(app.title, root(request) + openapi_path)
        return _swagger_ui_html(app.title, root(request) + openapi_path, root(request) + ASSETS_PATH)

    async def redoc(request: Request) -> Response:
        if not assets.available:
            return _not_installed_html(app.title, root(request) + openapi_path)
        page = get_redoc_html(openapi_url=html.escape(root(request) + openapi_path),
                              title=html.escape(f"{app.title} - ReDoc"),
                              redoc_js_url=f"{root(request)}{ASSETS_PATH}/redoc.standalone.js",
                              redoc_favicon_url=f"{root(request)}{ASSETS_PATH}/favicon.png", with_google_fonts=False)
        return HTMLResponse(page.body, headers=DOCS_SECURITY_HEADERS)

    async def asset(name: str) -> Response:
        if name == SWAGGER_INIT:
            return FileResponse(SWAGGER_INIT_FILE, media_type=JS, headers=ASSET_HEADERS)
        if name not in VENDOR_FILES:
            return Response("no such file\n", 404, media_type="text/plain", headers=NOSNIFF)
        path = assets.vendor_file(name)
        if not path.is_file():
            return Response(f"{name} is not installed: run `make install` (npm ci)\n", 404,
                            media_type="text/plain", headers=NOSNIFF)
        return FileResponse(path, media_type=VENDOR_FILES[name][1], headers=ASSET_HEADERS)

    get = ["GET", "HEAD"]  # public pages: HEAD as GET for link checkers (the server drops the body)
    app.add_api_route(DOCS_PATH, swagger_ui, methods=get, include_in_schema=False)
    app.add_api_route(REDOC_PATH, redoc, methods=get, include_in_schema=False)
    app.add_api_route(ASSETS_PATH + "/{name}", asset, methods=get, include_in_schema=False)
