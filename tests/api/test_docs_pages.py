"""Every app's API documentation pages (/docs, /redoc) over real HTTP: they name files of the app's own origin
only, those files are served from node_modules with their content types, and without node_modules the pages
say how to install them."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from inzira.api.server import serve_in_thread
from inzira.fx.app import fx_app
from inzira.fx.desk import FxDesk
from inzira.fx.rate_source import RateSource
from inzira.node.custody import MemberPort
from inzira.node.signer import wall_clock_ms
from inzira.sim import card, momo
from tests.api.conftest import HTTP_TIMEOUT_S, Ledger

PAGES = ("/docs", "/redoc")
URL_ATTRIBUTES = {"src", "href", "spec-url", "data-openapi-url"}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
APPS = ("ledger", "fx", "momo-sim", "card-sim")


class _Urls(HTMLParser):
    """Every URL-valued attribute of a page, and whether any script has a body of its own (inline)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.inline_script = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [(tag, name, value or "") for name, value in attrs if name in URL_ATTRIBUTES]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True


def page_urls(html: str) -> _Urls:
    parser = _Urls()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def app_urls(ledger: Ledger) -> Iterator[dict[str, str]]:
    """Each of Inzira's FastAPI apps, served on loopback: name -> base URL."""
    desk = FxDesk(MemberPort(ledger.net, "imari-fx", ledger.net.keys["imari-fx"]), RateSource.demo(wall_clock_ms()))
    fx, _port = serve_in_thread(fx_app(desk, {"eurosend": "fx-client-token"}))
    try:
        with momo.serve() as momo_sim, card.serve() as card_sim:
            yield {"ledger": ledger.base_url, "fx": fx.base_url, "momo-sim": momo_sim.base_url,
                   "card-sim": card_sim.base_url}
    finally:
        fx.stop()


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("path", PAGES)
def test_docs_pages_name_only_the_apps_own_files(app_urls: dict[str, str], app: str, path: str) -> None:
    base_url = app_urls[app]
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as http:
        page = http.get(path)
        assert page.status_code == 200, page.text
        found = page_urls(page.text)
        own = urlsplit(base_url).netloc
        absolute = [urlsplit(urljoin(base_url + path, url)) for _, _, url in found.urls]
        elsewhere = [url for (_, _, url), split in zip(found.urls, absolute) if (split.scheme, split.netloc) != (
            "http", own)]
        assert elsewhere == [], "the page names files of another host"
        assert "fonts.googleapis.com" not in page.text and "://" not in page.text
        assert any(tag == "script" for tag, _, _ in found.urls), "the page loads its UI's script"

        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["x-content-type-options"] == "nosniff"
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert not found.inline_script  # the policy would block it: Swagger UI starts from a file

        for (tag, name, url), split in zip(found.urls, absolute):
            served = http.get(split.path)
            assert served.status_code == 200, f"{url}: {served.status_code}"
            if name in ("spec-url", "data-openapi-url"):
                assert served.json()["info"]["title"]
                continue
            expected = CONTENT_TYPES[Path(split.path).suffix]
            assert served.headers["content-type"].startswith(expected), url
            assert served.headers["x-content-type-options"] == "nosniff", url
            assert len(served.content) > 0


def test_the_swagger_ui_page_starts_from_the_projects_script(app_urls: dict[str, str]) -> None:
    with httpx.Client(base_url=app_urls["ledger"], timeout=HTTP_TIMEOUT_S) as http:
        scripts = [url for tag, _, url in page_urls(http.get("/docs").text).urls if tag == "script"]
        assert scripts == ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-init.js"]
        init = http.get(scripts[1]).text
        assert "SwaggerUIBundle(" in init and "validatorUrl: null" in init
        assert http.get("/docs/assets/anything-else.js").status_code == 404
        assert http.get("/docs/oauth2-redirect").status_code == 404  # no OAuth2 flow here: no page with a script


def test_without_node_modules_the_pages_say_how_to_install_them(ledger: Ledger, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger.app.state.api_docs, "node_modules", tmp_path / "missing")
    with httpx.Client(base_url=ledger.base_url, timeout=HTTP_TIMEOUT_S) as http:
        for path in PAGES:
            page = http.get(path)
            assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
            assert "make install" in page.text and "npm ci" in page.text
            found = page_urls(page.text)
            assert [url for _, _, url in found.urls] == ["/openapi.json"]  # no script, no CDN fallback
        missing = http.get("/docs/assets/swagger-ui-bundle.js")
        assert missing.status_code == 404 and "make install" in missing.text
        assert missing.headers["x-content-type-options"] == "nosniff"
        assert http.get("/openapi.json").status_code == 200

    monkeypatch.undo()  # installed again while the server runs: the pages are back without a restart
    with httpx.Client(base_url=ledger.base_url, timeout=HTTP_TIMEOUT_S) as http:
        assert http.get("/docs").status_code == 200 and http.get("/redoc").status_code == 200
