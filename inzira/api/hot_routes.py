"""The hot routes, answered ahead of the router: the request's method and path looked up in a table.

FastAPI's router tries the app's routes in order, through each included router, and matches the chosen one
twice (to select it, then again to handle it). The remittance routes come after the ledger's and the
providers', so on the remittance path that was ~11 % of the server's interpreter lock (docs/performance.md).
A route made with ``route_class_override=HotRoute`` (every ``LeanRoute`` is one) is found here instead: a
dict for a path without parameters, its path template's own regex otherwise. It is then run as the router
runs it (the same scope keys, the effective route's app: handler, dependencies, exception handlers and
every middleware unchanged); a lean route's endpoint is called as it is (``_request_app``).

Only where the router could not choose another route: a hot route that another route of the app may also
match (a shared method, and a path both templates admit) is left to the router, and so is every request not
in the table (another method, a trailing slash, any other path), a request under a ``root_path``, and any
request when the router has middleware or form limits of its own, or FastAPI's native telemetry is on.
The table is built at the first request and again whenever the app's list of routes changes length.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute, APIRouter, iter_route_contexts
from starlette.convertors import Convertor, FloatConvertor, IntegerConvertor, StringConvertor, UUIDConvertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

# Convertors whose values never hold a "/": a path they match has exactly the template's segments.
_ONE_SEGMENT = (StringConvertor, IntegerConvertor, FloatConvertor, UUIDConvertor)
# Routes matching by their path template's regex alone (and the method, for a route).
_PATH_MATCHES = (APIRoute.matches, Route.matches, Mount.matches)
_PARAM = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
ROUTES_MAX = 10_000  # an app's routes, flattened: beyond, the overlap check (hot x all) is not run


class HotRoute(APIRoute):
    """A route on a payment path: served from the app's table of hot routes (``HotRoutes``) when no other route
    of the app may match its requests, by the router otherwise. Same handler, same OpenAPI entry."""

    takes_request = False  # the endpoint takes the Request and returns the Response (``LeanRoute``)


def _request_app(endpoint: Callable[[Request], Awaitable[Response]]) -> ASGIApp:
    """A lean route's endpoint called as it is. FastAPI's wrapper around it adds exit stacks for dependencies
    (a lean route has none) and the app's exception handlers, which its exception middleware, one layer out,
    calls the same way on the same scope."""
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)
    return app


@dataclass(frozen=True)
class _Hot:
    route: APIRoute  # what the router would put in scope["route"]
    path_format: str
    endpoint: Any
    path_regex: re.Pattern[str]
    param_convertors: dict[str, Convertor[Any]]
    app: ASGIApp  # what the router would run (the effective route's app), or a lean route's endpoint as it is


@dataclass(frozen=True)
class _Template:
    """A path template as segments: a literal, or a compiled segment regex; ``spans_from`` is the index of the
    first segment whose parameter may hold a "/" (matching any number of segments), or None."""

    segments: tuple[str | re.Pattern[str], ...]
    spans_from: int | None


class HotRoutes:
    """Installed as the router's middleware stack (``install``); ``inner`` is what the router ran before."""

    def __init__(self, router: APIRouter, inner: ASGIApp) -> None:
        self.router = router
        self.inner = inner
        self._routes_count = -1
        self._exact: dict[tuple[str, str], _Hot] = {}
        self._templated: dict[str, tuple[_Hot, ...]] = {}

    @classmethod
    def install(cls, router: APIRouter) -> HotRoutes:
        hot = cls(router, router.middleware_stack)
        router.middleware_stack = hot
        return hot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path") and "fastapi.telemetry" not in scope:
            found = self.find(scope["method"], scope["path"])
            if found is not None:
                hot, params = found
                scope.setdefault("router", self.router)  # as the router does
                scope["endpoint"] = hot.endpoint
                scope["path_params"] = {**scope.get("path_params", {}), **params}
                scope["route"] = hot.route
                await hot.app(scope, receive, send)
                return
        await self.inner(scope, receive, send)

    def find(self, method: str, path: str) -> tuple[_Hot, dict[str, Any]] | None:
        """The hot route answering this request, and its path parameters; None: the router decides."""
        if len(self.router.routes) != self._routes_count:
            self._build()
        exact = self._exact.get((method, path))
        if exact is not None:
            return exact, {}
        for hot in self._templated.get(method, ()):
            match = hot.path_regex.match(path)
            if match is not None:
                return hot, {k: hot.param_convertors[k].convert(v) for k, v in match.groupdict().items()}
        return None

    def hot_paths(self) -> set[tuple[str, str]]:
        """(method, path template) of every route answered from the table."""
        if len(self.router.routes) != self._routes_count:
            self._build()
        found = {(method, hot.path_format) for (method, _path), hot in self._exact.items()}
        found |= {(method, hot.path_format) for method, hots in self._templated.items() for hot in hots}
        return found

    def _build(self) -> None:
        self._routes_count = len(self.router.routes)
        self._exact, self._templated = {}, {}
        if self.inner != self.router.app or getattr(self.router, "form_limits", None):
            return  # the router does more than select a route: leave every request to it
        contexts = list(iter_route_contexts(self.router.routes))
        if len(contexts) > ROUTES_MAX:
            return
        shapes = [_shape(c) for c in contexts]
        templated: dict[str, list[_Hot]] = {}
        for i, context in enumerate(contexts):
            if not isinstance(context.original_route, HotRoute) or shapes[i] is None:
                continue
            methods: set[str] = set(context.methods or ())
            if not methods or any(j != i and _may_overlap(methods, shapes[i], context_j, shapes[j])
                                  for j, context_j in enumerate(contexts)):
                continue
            app = context.app
            if context.original_route.takes_request and getattr(context, "max_body_size", None) is None \
                    and inspect.iscoroutinefunction(context.endpoint):
                app = _request_app(context.endpoint)
            hot = _Hot(context.original_route, context.path_format, context.endpoint, context.path_regex,
                       context.param_convertors, app)
            for method in methods:
                if context.param_convertors:
                    templated.setdefault(method, []).append(hot)
                else:
                    self._exact[(method, context.path_format)] = hot
        self._templated = {method: tuple(hots) for method, hots in templated.items()}


def _shape(context: Any) -> _Template | None:
    """The route's path template as segments; None when it has none the check understands (a host route, a
    route class with a ``matches`` of its own): such a route may match anything."""
    if getattr(type(context.original_route), "matches", None) not in _PATH_MATCHES:
        return None  # matches by something else than its path template
    path_format = getattr(context, "path_format", None)
    convertors = getattr(context, "param_convertors", None)
    if not isinstance(path_format, str) or not isinstance(convertors, dict) or not path_format.startswith("/"):
        return None
    segments: list[str | re.Pattern[str]] = []
    spans_from = None
    for index, segment in enumerate(path_format.split("/")):
        names = _PARAM.findall(segment)
        if not names:
            segments.append(segment)
            continue
        if any(name not in convertors for name in names):
            return None
        if spans_from is None and not all(type(convertors[name]) in _ONE_SEGMENT for name in names):
            spans_from = index
        pattern, start = "", 0
        for found in _PARAM.finditer(segment):
            pattern += re.escape(segment[start:found.start()]) + f"(?:{convertors[found.group(1)].regex})"
            start = found.end()
        segments.append(re.compile(pattern + re.escape(segment[start:])))
    return _Template(tuple(segments), spans_from)


def _may_overlap(methods: set[str], hot: _Template | None, other: Any, shape: _Template | None) -> bool:
    """Whether ``other`` may match a request of one of ``methods`` on a path the hot template admits."""
    if isinstance(other.original_route, WebSocketRoute):
        return False  # never answers an http request
    other_methods = getattr(other, "methods", None)
    if other_methods and not methods & set(other_methods):
        return False
    if hot is None or shape is None:
        return True
    ends = [t.spans_from if t.spans_from is not None else len(t.segments) for t in (hot, shape)]
    if hot.spans_from is None and shape.spans_from is None and len(hot.segments) != len(shape.segments):
        return False
    return all(_segments_may_meet(a, b) for a, b in zip(hot.segments[:min(ends)], shape.segments[:min(ends)]))


def _segments_may_meet(a: str | re.Pattern[str], b: str | re.Pattern[str]) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, str):
        return isinstance(b, re.Pattern) and b.fullmatch(a) is not None
    if isinstance(b, str):
        return a.fullmatch(b) is not None
    return True  # two parameterised segments: assume some value meets both
