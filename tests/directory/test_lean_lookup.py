"""The directory look-up is a lean route (on every remittance's path): its OpenAPI entry is the one FastAPI
makes for the declaration it replaces (``msisdn: str = Path(max_length=64, ...)`` with the bearer dependency),
and it refuses as that declaration did: the caller checked before the number, the same problem+json codes,
details and headers."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Path
from fastapi.routing import iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials
from starlette.responses import Response

from inzira.api.auth import bearer
from inzira.api.openapi import install_openapi
from inzira.directory.api import PREFIX, _problems
from inzira.directory.wire import MSISDN_CHARS_MAX
from inzira.qr.api.lean import LeanRoute
from tests.directory.conftest import Directory

LOOKUP = "/v1/directory/parties/MSISDN/{msisdn}"
REALM = 'Bearer realm="inzira-directory"'
TOO_LONG = "9" * (MSISDN_CHARS_MAX + 1)
LENGTH_DETAIL = f"invalid request: path.msisdn: String should have at most {MSISDN_CHARS_MAX} characters"


def _declared(doc: str) -> dict[str, Any]:
    """The OpenAPI entry FastAPI makes for the look-up declared with its parameters."""
    router = APIRouter(prefix=PREFIX, tags=["directory"])

    async def lookup(msisdn: str = Path(max_length=MSISDN_CHARS_MAX, description="E.164, e.g. +250788123456"),
                     credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Response:
        return Response()

    lookup.__doc__ = doc
    router.add_api_route("/parties/MSISDN/{msisdn}", lookup, methods=["GET"], summary="Which FSP serves this number",
                         response_class=Response,
                         responses={200: {"description": "{msisdn, fsp_id}"}, **_problems(400, 401, 403, 404, 429)})
    app = FastAPI()
    app.include_router(router)
    install_openapi(app, "")
    return app.openapi()


def test_the_lookups_openapi_entry_is_its_declarations(directory: Directory) -> None:
    contexts = iter_route_contexts(directory.served.app.router.routes)  # type: ignore[attr-defined]
    assert isinstance(next(c for c in contexts if c.path_format == LOOKUP).original_route, LeanRoute)
    with directory.http() as anonymous:
        served = anonymous.get("/openapi.json").json()
    declared = _declared(served["paths"][LOOKUP]["get"]["description"])
    assert served["paths"][LOOKUP]["get"] == declared["paths"][LOOKUP]["get"]
    assert served["components"]["securitySchemes"]["HTTPBearer"] == \
        declared["components"]["securitySchemes"]["HTTPBearer"]


def _refused(answer: httpx.Response, status: int, code: int, detail: str, realm: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    doc = answer.json()
    assert (doc["status"], doc["code"], doc["detail"]) == (status, code, detail), doc
    assert answer.headers.get("www-authenticate") == realm


def test_the_lookup_refuses_as_its_declaration_did(directory: Directory) -> None:
    path = LOOKUP.format(msisdn="+250788123456")
    with directory.http() as anonymous:
        for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"},
                        {"Authorization": "Bearer nope"}):
            _refused(anonymous.get(path, headers=headers), 401, 3040, "send Authorization: Bearer <token>", REALM)
        # The caller is checked before the number, as FastAPI solves the dependency first.
        _refused(anonymous.get(LOOKUP.format(msisdn=TOO_LONG)), 401, 3040, "send Authorization: Bearer <token>",
                 REALM)
    with directory.http("mobimo") as receiving:
        _refused(receiving.get(path), 403, 4300, "only a sending FSP looks numbers up in the directory")
        _refused(receiving.get(LOOKUP.format(msisdn=TOO_LONG)), 400, 3100, LENGTH_DETAIL)
    with directory.http("eurosend") as sending:
        too_long = sending.get(LOOKUP.format(msisdn=TOO_LONG))
        _refused(too_long, 400, 3100, LENGTH_DETAIL)
        assert too_long.json()["errors"] == [{"location": "path.msisdn", "message": LENGTH_DETAIL.split(": ")[-1]}]
        _refused(sending.get(LOOKUP.format(msisdn="abc")), 400, 3100,
                 "'abc' is not a phone number: (1) The string supplied did not seem to be a phone number.")
        _refused(sending.get(LOOKUP.format(msisdn="%2B250788000001")), 404, 3204,
                 "no FSP in the directory serves +250788000001")
        _refused(sending.get(path, headers={"Authorization": "bearer " + directory.tokens["eurosend"]}),
                 404, 3204, "no FSP in the directory serves +250788123456")
