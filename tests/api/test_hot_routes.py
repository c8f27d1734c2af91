"""The table of hot routes (inzira.api.hot_routes) on a real server: a hot route is taken from the table only
where no other route of the app may match its requests, so the route answering a request is always the one
FastAPI's router would choose; everything else goes to the router as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from fastapi import APIRouter, FastAPI, Request, WebSocket
from fastapi.routing import APIRoute
from starlette.routing import Match
from fastapi.staticfiles import StaticFiles
from starlette.responses import JSONResponse, Response

from inzira.api.hot_routes import HotRoute, HotRoutes
from inzira.api.problems import Problem, install_problem_handlers
from inzira.api.server import serve_in_thread
from inzira.ledger.codes import Code
from inzira.qr.api.lean import LeanRoute
from tests.hot_routes import both_ways


def _says(name: str):  # type: ignore[no-untyped-def]
    async def endpoint(request: Request) -> Response:
        return JSONResponse({"by": name, "params": request.path_params, "route": request.scope["route"].path})
    endpoint.__name__ = name
    return endpoint


def _hot(router: APIRouter, path: str, name: str, method: str = "GET") -> None:
    router.add_api_route(path, _says(name), methods=[method], route_class_override=HotRoute)


def _app(*routers: APIRouter) -> tuple[FastAPI, HotRoutes]:
    app = FastAPI()
    hot = HotRoutes.install(app.router)
    for router in routers:
        app.include_router(router)
    install_problem_handlers(app)
    return app, hot


@contextmanager
def _served(app: FastAPI) -> Iterator[httpx.Client]:
    served, _ = serve_in_thread(app)
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            yield http
    finally:
        served.stop()


def test_a_hot_route_no_other_route_matches_is_taken_from_the_table() -> None:
    router = APIRouter(prefix="/v1/pay")
    _hot(router, "/parties/{number}", "lookup")
    _hot(router, "/quotes", "quote", "POST")
    router.add_api_route("/quotes/{quote_id}", _says("get_quote"), methods=["GET"])
    router.add_api_route("/quotes", _says("list_quotes"), methods=["GET"])  # the same path, another method
    app, hot = _app(router)
    assert hot.hot_paths() == {("GET", "/v1/pay/parties/{number}"), ("POST", "/v1/pay/quotes")}
    found = hot.find("GET", "/v1/pay/parties/+250788")
    assert found is not None and found[1] == {"number": "+250788"}
    assert hot.find("GET", "/v1/pay/quotes") is None and hot.find("PUT", "/v1/pay/quotes") is None
    assert hot.find("GET", "/v1/pay/parties/a/b") is None and hot.find("GET", "/v1/pay/parties/") is None
    with _served(app) as http:
        assert http.get("/v1/pay/parties/+250788").json() == {
            "by": "lookup", "params": {"number": "+250788"}, "route": "/v1/pay/parties/{number}"}
        assert http.post("/v1/pay/quotes").json()["by"] == "quote"
        assert http.get("/v1/pay/quotes").json()["by"] == "list_quotes"


def test_a_route_that_may_match_a_hot_route_s_requests_leaves_it_to_the_router_whatever_the_order() -> None:
    before = APIRouter()
    before.add_api_route("/v1/pay/parties/{kind}/{number}", _says("generic"), methods=["GET"])
    hot_router = APIRouter()
    _hot(hot_router, "/v1/pay/parties/MSISDN/{number}", "lookup")
    _hot(hot_router, "/v1/pay/items/{item_id:int}", "item")
    _hot(hot_router, "/v1/pay/fixed", "fixed")
    after = APIRouter()
    after.add_api_route("/v1/pay/items/latest", _says("latest"), methods=["GET"])  # not an int: no overlap
    after.add_api_route("/v1/pay/{anything}", _says("catch_all"), methods=["GET", "POST"])
    app, hot = _app(before, hot_router, after)
    assert hot.hot_paths() == {("GET", "/v1/pay/items/{item_id}")}
    with _served(app) as http:
        assert http.get("/v1/pay/parties/MSISDN/+250788").json()["by"] == "generic"  # the router's choice
        assert http.get("/v1/pay/fixed").json()["by"] == "fixed"
        assert http.get("/v1/pay/items/7").json() == {"by": "item", "params": {"item_id": 7},
                                                      "route": "/v1/pay/items/{item_id:int}"}
        assert http.get("/v1/pay/items/latest").json()["by"] == "latest"


def test_a_mount_over_a_hot_path_or_a_route_for_every_method_leaves_it_to_the_router(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "x").write_text("static")
    router = APIRouter()
    _hot(router, "/static/x", "shadowed")
    _hot(router, "/v1/any", "any", "POST")
    _hot(router, "/v1/ws", "ws")
    app, hot = _app(router)
    app.mount("/static", StaticFiles(directory=tmp_path))

    async def any_method(request: Request) -> Response:
        return JSONResponse({"by": "starlette"})
    app.add_route("/v1/any", any_method)  # a plain route: methods None, i.e. GET and HEAD

    @app.websocket("/v1/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.close()

    assert hot.hot_paths() == {("POST", "/v1/any"), ("GET", "/v1/ws")}  # a websocket answers no http request
    with _served(app) as http:
        assert http.get("/static/x").json()["by"] == "shadowed"  # the router's choice: the route came first
        assert http.post("/v1/any").json()["by"] == "any"
        assert http.get("/v1/ws").json()["by"] == "ws"


def test_a_route_class_that_matches_by_more_than_its_path_leaves_every_hot_route_to_the_router() -> None:
    class AnyPathRoute(APIRoute):
        def matches(self, scope):  # type: ignore[no-untyped-def]
            return (Match.FULL, {"endpoint": self.endpoint, "route": self}) if scope["type"] == "http" \
                else (Match.NONE, {})

    router = APIRouter()
    router.add_api_route("/v1/any", _says("any"), methods=["GET"], route_class_override=AnyPathRoute)
    _hot(router, "/v1/pay/{number}", "lookup")
    app, hot = _app(router)
    assert hot.hot_paths() == set()
    with _served(app) as http:
        assert http.get("/v1/pay/7").json()["by"] == "any"  # the router's choice


def test_a_route_added_after_the_first_request_is_taken_into_account() -> None:
    router = APIRouter()
    _hot(router, "/v1/pay/{number}", "lookup")
    app, hot = _app(router)
    assert hot.hot_paths() == {("GET", "/v1/pay/{number}")}
    late = APIRouter()
    late.add_api_route("/v1/pay/special", _says("special"), methods=["GET"])
    app.include_router(late)
    assert hot.hot_paths() == set()


def test_hostile_requests_on_hot_paths_get_the_router_s_answers() -> None:
    router = APIRouter(prefix="/v1/pay")

    async def strict(request: Request) -> Response:
        if request.path_params["number"] == "bad":
            raise Problem(400, Code.VALIDATION, "a bad number")
        return JSONResponse({"number": request.path_params["number"]})
    router.add_api_route("/parties/{number}", strict, methods=["GET"], route_class_override=HotRoute)
    router.add_api_route("/parties/{number}", _says("unlist"), methods=["DELETE"])

    async def lean(request: Request) -> Response:  # called as it is from the table
        number, size = request.path_params["number"], len(await request.body())
        if number == "bad":
            raise Problem(403, Code.PERMISSION, "not yours")
        if number == "boom":
            raise RuntimeError("an unexpected failure")
        return JSONResponse({"number": number, "body": size}, 201)
    router.add_api_route("/lean/{number}", lean, methods=["POST"], route_class_override=LeanRoute)
    app, hot = _app(router)
    assert app.router.middleware_stack is hot
    cases = [("GET", "/v1/pay/parties/bad"), ("GET", "/v1/pay/parties/ok"), ("POST", "/v1/pay/parties/ok"),
             ("GET", "/v1/pay/parties/ok/"), ("GET", "/v1/pay/parties/a%2Fb"), ("GET", "/v1/pay/parties/"),
             ("GET", "/v1/pay/parties/ok%0A"), ("HEAD", "/v1/pay/parties/ok"), ("GET", "/V1/pay/parties/ok"),
             ("DELETE", "/v1/pay/parties/ok"), ("GET", "/v1/pay/parties/%00"), ("POST", "/v1/pay/lean/ok"),
             ("POST", "/v1/pay/lean/bad"), ("POST", "/v1/pay/lean/boom"), ("GET", "/v1/pay/lean/ok")]
    with _served(app) as http:
        def answers() -> list[tuple[int, str, str, bytes]]:
            found = []
            for method, path in cases:
                response = http.request(method, path, content=b"abc", headers={"Connection": "close"},
                                        follow_redirects=False)
                found.append((response.status_code, response.headers.get("content-type", ""),
                              response.headers.get("allow", "") + response.headers.get("location", ""),
                              response.content))
            return found
        with_table, router_alone = both_ways(app, hot, answers)
    assert with_table == router_alone
    assert with_table[0][:2] == (400, "application/problem+json") and with_table[2][0] == 405
    assert [row[0] for row in with_table[-4:]] == [201, 403, 500, 405] and with_table[-4][3] == b'{"number":"ok","body":3}'
    assert hot.hot_paths() == {("GET", "/v1/pay/parties/{number}"), ("POST", "/v1/pay/lean/{number}")}
