"""The remittance server's hot routes (inzira.api.hot_routes): in the composition the server runs (the ledger's
routers, the providers', the remittance service's and the directory operator's), every route on a
remittance's path is taken from the table, no other route of the app may match any of them, and hostile
requests on those paths get exactly the answers FastAPI's router gave before."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts

from inzira.api.hot_routes import HotRoute, HotRoutes
from tests.hot_routes import both_ways
from tests.remit_flow.conftest import Flow

# The 6 requests the server answers for each remittance.
REMITTANCE_PATH = {
    ("GET", "/v1/remit/parties/MSISDN/{msisdn}"),  # the customer: look-up, quote, send
    ("POST", "/v1/remit/quotes"),
    ("POST", "/v1/remit/transfers"),
    ("POST", "/v1/remit/payouts/{fsp}/callbacks/{reference_id}/{token}"),  # the operator's callback
    ("GET", "/v1/directory/parties/MSISDN/{msisdn}"),  # the service's own calls, served in this process
    ("POST", "/fx/v1/fxQuotes"),
}


def test_every_route_on_a_remittance_s_path_is_in_the_table(flow: Flow) -> None:
    table = flow.served.app.router.middleware_stack
    assert isinstance(table, HotRoutes)
    assert table.hot_paths() == REMITTANCE_PATH


def test_no_other_route_of_the_app_matches_a_hot_route_s_method_and_path(flow: Flow) -> None:
    """Independent of the table's own check: each hot template, its parameters filled with every literal segment
    of every route of the app (and a plain value), is matched by no other route for that method."""
    contexts = list(iter_route_contexts(flow.served.app.router.routes))
    literals = {segment for c in contexts for segment in str(getattr(c, "path_format", "")).split("/")
                if segment and "{" not in segment} | {"x1", "+250788123456"}
    checked = 0
    for hot in contexts:
        if not isinstance(hot.original_route, HotRoute):
            continue
        names = re.findall(r"\{(\w+)\}", hot.path_format)
        for value in sorted(literals):
            path = hot.path_format
            for name in names:
                path = path.replace("{" + name + "}", value)
            for method in hot.methods:
                assert hot.path_regex.match(path) is not None
                others = [c.path_format for c in contexts if c is not hot and c.path_regex is not None
                          and c.path_regex.match(path) is not None and (not c.methods or method in c.methods)]
                assert others == [], (method, path, others)
                checked += 1
            if not names:
                break
    assert checked > 100


def test_hostile_requests_on_the_hot_paths_get_the_router_s_answers(flow: Flow) -> None:
    app = flow.served.app
    table = app.router.middleware_stack
    assert isinstance(table, HotRoutes)
    long_number = "+" + "2" * 80
    cases = [
        ("GET", "/v1/remit/parties/MSISDN/+250788000001", None, None),  # no token: 401
        ("GET", f"/v1/remit/parties/MSISDN/{long_number}", "eurosend", None),  # too long: 400
        ("GET", "/v1/remit/parties/MSISDN/+250788000001", "mobimo", None),  # not a sending FSP: 403
        ("GET", "/v1/remit/parties/MSISDN/", "eurosend", None),
        ("GET", "/v1/remit/parties/MSISDN/a%2Fb", "eurosend", None),
        ("GET", "/v1/remit/parties/MSISDN/+250788000001/", "eurosend", None),
        ("HEAD", "/v1/remit/parties/MSISDN/+250788000001", "eurosend", None),
        ("PUT", "/v1/remit/quotes", "eurosend", b"{}"),  # 405 with Allow
        ("POST", "/v1/remit/quotes", "eurosend", b"{not json"),  # 400
        ("POST", "/v1/remit/quotes", "eurosend", b"x" * 2_000_000),  # over the body limit: 413
        ("POST", "/v1/remit/quotes/", "eurosend", b"{}"),
        ("POST", "/v1/remit/transfers", "eurosend", b'{"quote_id": 5}'),
        ("POST", "/v1/remit/transfers", None, b"{}"),
        ("POST", "/v1/remit/payouts/mobimo/callbacks/ref-1/forged", None, b"{}"),  # 403: not the URL's token
        ("POST", "/v1/remit/payouts/mobimo/callbacks/ref-1/forged/extra", None, b"{}"),  # 404
        ("GET", "/v1/remit/payouts/mobimo/callbacks/ref-1/forged", None, None),  # 405
        ("GET", "/fx/v1/fxQuotes", "eurosend", None),
        ("POST", "/fx/v1/fxQuotes", None, b"{}"),  # no FX client token: 401
        ("GET", "/v1/directory/parties/MSISDN/+250788000001", None, None),
        ("GET", f"/v1/directory/parties/MSISDN/{long_number}", "eurosend", None),
        ("DELETE", "/v1/directory/parties/MSISDN/+250788000001", "eurosend", None),
    ]

    def answers() -> list[tuple[str, int, str, str, bytes]]:
        found = []
        for method, path, member, body in cases:
            with flow.http(member) as http:
                response = http.request(method, path, content=body, follow_redirects=False)
            found.append((f"{method} {path[:60]}", response.status_code, response.headers.get("content-type", ""),
                          response.headers.get("allow", "") + response.headers.get("www-authenticate", "")
                          + response.headers.get("location", ""), response.content))
        return found

    with_table, router_alone = both_ways(app, table, answers)
    assert with_table == router_alone
    statuses = [status for _, status, *_ in with_table]
    assert statuses[:3] == [401, 400, 403] and statuses[7:10] == [405, 400, 413] and statuses[13:16] == [403, 404, 405]
    assert all(kind == "application/problem+json" for _, status, kind, *_ in with_table if status in (400, 401, 403))
