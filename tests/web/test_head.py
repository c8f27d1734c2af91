"""HEAD on the public GET pages (browsers, link checkers and uptime probes send it): the GET's status and
headers, no body. FastAPI's routes answered 405."""

from __future__ import annotations

import httpx
import pytest

from inzira.web.explorer import explorer_router
from inzira.web.live import EVENTS_PATH
from tests.web.server import explorer_app

SAME_HEADERS = ("content-type", "content-length", "location", "cache-control", "content-disposition")


def explorer_pages(demo) -> list[str]:
    return ["/", "/blocks", "/blocks?limit=5", "/blocks/1", "/blocks/999999", f"/tx/{demo.transfer_id}",
            f"/tx/{demo.transfer_id}/receipt.json", "/tx/nothing", "/accounts", "/accounts/eurosend:eur",
            "/search?q=1", "/search?q=nothing", "/verify", "/static/explorer.css"]


def assert_head_is_get(client: httpx.Client, path: str) -> None:
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code and got.status_code != 405, (path, head.status_code)
    assert head.content == b"", path
    for name in SAME_HEADERS:
        assert head.headers.get(name) == got.headers.get(name), (path, name)


def test_head_answers_like_get_on_every_explorer_page(demo, client):
    for path in explorer_pages(demo):
        assert_head_is_get(client, path)


def routes(router) -> list:
    """Every route under ``router``: FastAPI 0.165 keeps an included router whole (``original_router``)."""
    found = []
    for route in router.routes:
        included = getattr(route, "original_router", None)
        found += routes(included) if included is not None else [route]
    return found


def test_every_get_route_of_the_explorer_takes_head_but_the_stream(demo):
    """A page added later gets HEAD too; the block stream does not (a HEAD would hold one of its places)."""
    gets = [route for route in routes(explorer_router(demo.net)) if "GET" in getattr(route, "methods", ())]
    assert len(gets) > 8 and EVENTS_PATH in [route.path for route in gets]
    for route in gets:
        assert ("HEAD" in route.methods) is (route.path != EVENTS_PATH), route.path


@pytest.mark.parametrize("public_accounts", [False])
def test_head_on_a_page_hidden_from_the_public_is_the_same_404(demo, public_accounts):
    from tests.web.server import running_server

    with running_server(explorer_app(demo.net, public_accounts)) as url, httpx.Client(base_url=url) as http:
        assert_head_is_get(http, "/accounts")
