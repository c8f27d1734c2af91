"""The FSPIOP callbacks that answer the gateway's own requests as a payer: PUT /parties, /quotes, /transfers
and their ``/error`` forms. Mounted with the rest of the gateway's FSPIOP API (at ``/fspiop`` in the demo).

A callback is checked before it can settle anything: its versioned content type, Date and FSPIOP-Source, an
FSPIOP-Destination naming this gateway, the FSPIOP-Signature when the sender's key is configured, and the body
against Mojaloop's API definition. A refused callback gets 400 with ``errorInformation``; an accepted one 200.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from inzira.interop.mojaloop import jws, schemas
from inzira.interop.mojaloop.payer import Payer

_CONTENT_TYPE_RE = re.compile(
    r"^application/vnd\.interoperability\.(?P<resource>[a-zA-Z]+)\+json\s*;\s*version=1\.[01]\s*$")


def _problem(code: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"errorInformation": {"errorCode": code, "errorDescription": description}},
                        status_code=status, media_type="application/json")


def check_headers(headers: Mapping[str, str], resource: str, fsp_id: str) -> JSONResponse | None:
    content_type = headers.get("content-type", "")
    match = _CONTENT_TYPE_RE.match(content_type)
    if match is None or match["resource"] != resource:
        return _problem("3101", f"Malformed syntax - content-type must be application/vnd.interoperability."
                                f"{resource}+json;version=1.1 (or 1.0)")
    date = headers.get("date")
    if not date:
        return _problem("3102", "Missing mandatory element - date HTTP header")
    try:
        parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return _problem("3101", "Malformed syntax - date HTTP header")
    if not headers.get("fspiop-source"):
        return _problem("3102", "Missing mandatory element - fspiop-source HTTP header")
    destination = headers.get("fspiop-destination")
    if destination and destination != fsp_id:
        return _problem("3100", f"Generic validation error - fspiop-destination is not {fsp_id}")
    return None


def payer_router(payer: Payer, peer_keys: Mapping[str, jws.RSAKey] | None = None,
                 definitions: schemas.Definitions | None = None) -> APIRouter:
    """``peer_keys``: FSP id -> public key; a callback from an FSP with a key must carry a valid signature."""
    keys = dict(peer_keys or {})
    router = APIRouter()

    async def handle(request: Request, resource: str, key: str, error: bool) -> Response:
        headers = {name.lower(): value for name, value in request.headers.items()}
        refused = check_headers(headers, resource, payer.config.fsp_id)
        if refused is not None:
            return refused
        raw = await request.body()
        source_key = keys.get(headers["fspiop-source"])
        if source_key is not None:
            try:
                jws.verify(source_key, "PUT", str(request.url.path), headers, raw)
            except jws.JwsError as exc:
                return _problem(exc.code, f"Invalid signature - {exc}")
        spec = definitions or schemas.definitions()
        path = "/" + resource + "/" + key + ("/error" if error else "")
        body, violation = spec.check_request("PUT", path, raw)
        if violation is not None:
            return _problem(violation.code, violation.description)
        payer.deliver(resource, key, body, error)
        return Response(status_code=200)

    @router.put("/parties/{id_type}/{id_value}/error", include_in_schema=False)
    async def party_error(id_type: str, id_value: str, request: Request) -> Response:
        return await handle(request, "parties", f"{id_type}/{id_value}", True)

    @router.put("/parties/{id_type}/{id_value}", include_in_schema=False)
    async def party(id_type: str, id_value: str, request: Request) -> Response:
        return await handle(request, "parties", f"{id_type}/{id_value}", False)

    @router.put("/quotes/{quote_id}/error", include_in_schema=False)
    async def quote_error(quote_id: str, request: Request) -> Response:
        return await handle(request, "quotes", quote_id, True)

    @router.put("/quotes/{quote_id}", include_in_schema=False)
    async def quote(quote_id: str, request: Request) -> Response:
        return await handle(request, "quotes", quote_id, False)

    @router.put("/transfers/{transfer_id}/error", include_in_schema=False)
    async def transfer_error(transfer_id: str, request: Request) -> Response:
        return await handle(request, "transfers", transfer_id, True)

    @router.put("/transfers/{transfer_id}", include_in_schema=False)
    async def transfer(transfer_id: str, request: Request) -> Response:
        return await handle(request, "transfers", transfer_id, False)

    return router
