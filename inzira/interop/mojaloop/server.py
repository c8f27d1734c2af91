"""The FSPIOP API, mounted at ``/fspiop``: headers and body checked at once, then 202 and the work.

A request whose headers or body cannot be processed is answered at once with 400 (406 for a version this
FSP lacks) and ``errorInformation``; anything else gets 202 Accepted (200 for PATCH and callbacks) and its
answer later, as a callback to the hub. ``GET /quotes/{ID}`` and ``GET /transfers/{ID}`` answer 200: the
golden-path collections of Mojaloop's Testing Toolkit expect it of a DFSP, and the callback follows as for a
202. Callbacks addressed to this FSP as a payer (``PUT /parties``, ``/quotes``, ``/transfers``) go to the
payer side, when one is attached, which first says whether their source may answer what it asked.
A transfer id the payer side issued is its own (issued_ids.py): a ``POST /transfers`` under it is refused at
once (3106, nothing stored), and every callback about it goes to the payer side. So is a ``POST /transfers``
whose ``payerFsp`` is not its ``FSPIOP-Source`` (3100, as Mojaloop's switch refuses it): the hub debits the
FSP the body names, the gateway would book the payment as the sender's. A ``POST /transfers`` under the id of
another FSP's transfer is refused at once too (3106): its error callback would make the hub abort that transfer.

Who may say what: only the hub (``GatewaySettings.hub_fsp_id``) sends ``PATCH /transfers/{ID}`` and
``PUT /transfers/{ID}/error`` about a transfer this FSP is the payee of; from anyone else they are refused
with 3100 and change nothing. Bodies are read up to ``fields.BODY_BYTES_MAX``: beyond it, 413 with 3104.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from joserfc.jwk import RSAKey
from starlette.types import Receive, Scope, Send

from inzira.interop.mojaloop import jws
from inzira.interop.mojaloop import requests as checks
from inzira.interop.mojaloop.errors import ErrorCode, FspiopError
from inzira.interop.mojaloop.fields import BODY_BYTES_MAX, parse_body
from inzira.interop.mojaloop.gateway import Gateway
from inzira.interop.mojaloop.schemas import Definitions
from inzira.interop.mojaloop.headers import Inbound, check_request
from inzira.interop.mojaloop.store import ABORTED

PREFIX = "/fspiop"
ERROR_MEDIA_TYPE = "application/json"
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# (method, resource path, raw body) -> None, or FspiopError (see ``schema_check``)
BodyCheck = Callable[[str, str, bytes], None]
# (method, path, headers, raw body) -> None, or FspiopError 3105 (see ``signature_check``)
SignatureCheck = Callable[[str, str, Mapping[str, str], bytes], None]
log = logging.getLogger(__name__)


class PayerCallbacks(Protocol):
    """The payer side: answers to the requests this FSP sent."""

    def admits(self, resource: str, ids: tuple[str, ...], body: dict[str, Any], error: bool,
               inbound: Inbound) -> FspiopError | None: ...

    async def on_callback(self, resource: str, ids: tuple[str, ...], body: dict[str, Any], error: bool,
                          inbound: Inbound) -> None: ...

    def owns(self, transfer_id: str) -> bool:
        """Whether ``transfer_id`` is one the payer side issued."""


def fspiop_router(gateway: Gateway, *, payer: PayerCallbacks | None = None, check_body: BodyCheck | None = None,
                  check_signature: SignatureCheck | None = None) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)
    fsp_id = gateway.fsp_id
    hub_fsp_id = gateway.settings.hub_fsp_id

    def from_hub(inbound: Inbound, what: str) -> None:
        if inbound.source != hub_fsp_id:
            raise FspiopError(ErrorCode.VALIDATION, f"fspiop-source header: only the hub ({hub_fsp_id[:32]}) "
                              f"sends {what}")

    async def accept(request: Request, resource: str, *, body_check: Callable[[dict[str, Any]], None] | None = None,
                     callback: bool = False) -> tuple[Inbound, dict[str, Any], bytes]:
        inbound = check_request(request.headers, resource, fsp_id, callback=callback,
                                with_body=request.method in BODY_METHODS)
        raw = await _bounded_body(request)
        if check_body is not None:
            check_body(request.method, request.url.path.removeprefix(PREFIX), raw)
        body: dict[str, Any] = {}
        if body_check is not None:
            body = parse_body(raw)
            body_check(body)
        if check_signature is not None and raw:
            check_signature(request.method, request.url.path, request.headers, raw)
        return inbound, body, raw

    def start(work: Coroutine[Any, Any, None], status: int = 202) -> Response:
        if not gateway.admit():
            work.close()
            return _error(FspiopError(ErrorCode.SERVICE_UNAVAILABLE, "too many requests in progress: retry later"))
        return _ThenRun(status, lambda: gateway.run(work))

    @router.get("/parties/{id_type}/{id_value}")
    @router.get("/parties/{id_type}/{id_value}/{sub_id}")
    async def get_party(request: Request, id_type: str, id_value: str, sub_id: str = "") -> Response:
        try:
            inbound, _, _ = await accept(request, "parties")
            checks.party_path(id_type, id_value, sub_id)
        except FspiopError as error:
            return _error(error)
        return start(gateway.payee.get_party(inbound, id_type, id_value, sub_id))

    @router.post("/quotes")
    async def post_quote(request: Request) -> Response:
        try:
            inbound, body, _ = await accept(request, "quotes", body_check=checks.post_quote)
        except FspiopError as error:
            return _error(error)
        return start(gateway.payee.post_quote(inbound, body))

    @router.get("/quotes/{quote_id}")
    async def get_quote(request: Request, quote_id: str) -> Response:
        try:
            inbound, _, _ = await accept(request, "quotes")
            checks.uuid_path("ID", quote_id)
        except FspiopError as error:
            return _error(error)
        return start(gateway.payee.get_quote(inbound, quote_id), 200)

    @router.post("/transfers")
    async def post_transfer(request: Request) -> Response:
        try:
            inbound, body, _ = await accept(request, "transfers", body_check=checks.post_transfer)
            if body["payerFsp"] != inbound.source:  # the hub debits payerFsp: it must be who sends
                raise FspiopError(ErrorCode.VALIDATION, f"/payerFsp {body['payerFsp']} is not the fspiop-source "
                                  f"header {inbound.source}")
            if payer is not None and payer.owns(body["transferId"]):
                raise FspiopError(ErrorCode.MODIFIED_REQUEST, f"transferId {body['transferId']} is one this FSP "
                                  "issued for a transfer of its own")
            known = gateway.store.transfer(body["transferId"])
            if known is not None and known.payer_fsp != inbound.source:  # a callback about it would end it at the hub
                raise FspiopError(ErrorCode.MODIFIED_REQUEST, f"transferId {body['transferId']} is another FSP's")
        except FspiopError as error:
            return _error(error)
        return start(gateway.transfers.post_transfer(inbound, body))

    @router.get("/transfers/{transfer_id}")
    async def get_transfer(request: Request, transfer_id: str) -> Response:
        try:
            inbound, _, _ = await accept(request, "transfers")
            checks.uuid_path("ID", transfer_id)
        except FspiopError as error:
            return _error(error)
        return start(gateway.transfers.get_transfer(inbound, transfer_id), 200)

    @router.patch("/transfers/{transfer_id}")
    async def patch_transfer(request: Request, transfer_id: str) -> Response:
        try:
            inbound, body, _ = await accept(request, "transfers", body_check=checks.patch_transfer,
                                            callback=True)
            checks.uuid_path("ID", transfer_id)
            from_hub(inbound, "PATCH /transfers")
        except FspiopError as error:
            return _error(error)
        state = body["transferState"]
        return start(gateway.transfers.hub_outcome(transfer_id, state, f"PATCH {state}"), 200)

    async def callback(request: Request, resource: str, ids: tuple[str, ...], error: bool) -> Response:
        check = checks.error_callback if error else _any_object
        try:
            if resource == "parties":  # the path first: its ids are echoed into what the gateway sends
                checks.party_path(ids[0], ids[1])
            else:
                checks.uuid_path("ID", ids[0])
            inbound, body, _ = await accept(request, resource, body_check=check, callback=True)
            payee_transfer = resource == "transfers" and error and not (payer is not None and payer.owns(ids[0])) \
                and gateway.store.transfer(ids[0]) is not None
            if payee_transfer:
                from_hub(inbound, "PUT /transfers/{ID}/error about a transfer to Inzira")
            elif payer is not None:
                refused = payer.admits(resource, ids, body, error, inbound)
                if refused is not None:
                    raise refused
        except FspiopError as refused:
            return _error(refused)
        if payee_transfer:
            detail = f"{body['errorInformation']['errorCode']} {body['errorInformation']['errorDescription']}"
            return start(gateway.transfers.hub_outcome(ids[0], ABORTED, detail[:128]), 200)
        if payer is None:
            log.info("a %s callback for %s arrived, but no payer side is attached", resource, "/".join(ids))
            return Response(status_code=200)
        return start(payer.on_callback(resource, ids, body, error, inbound), 200)

    @router.put("/parties/{id_type}/{id_value}")
    async def put_party(request: Request, id_type: str, id_value: str) -> Response:
        return await callback(request, "parties", (id_type, id_value), False)

    @router.put("/parties/{id_type}/{id_value}/error")
    async def put_party_error(request: Request, id_type: str, id_value: str) -> Response:
        return await callback(request, "parties", (id_type, id_value), True)

    @router.put("/quotes/{quote_id}")
    async def put_quote(request: Request, quote_id: str) -> Response:
        return await callback(request, "quotes", (quote_id,), False)

    @router.put("/quotes/{quote_id}/error")
    async def put_quote_error(request: Request, quote_id: str) -> Response:
        return await callback(request, "quotes", (quote_id,), True)

    @router.put("/transfers/{transfer_id}")
    async def put_transfer(request: Request, transfer_id: str) -> Response:
        return await callback(request, "transfers", (transfer_id,), False)

    @router.put("/transfers/{transfer_id}/error")
    async def put_transfer_error(request: Request, transfer_id: str) -> Response:
        return await callback(request, "transfers", (transfer_id,), True)

    @router.api_route("/{rest:path}", methods=ALL_METHODS)
    async def unknown(rest: str) -> Response:
        return _error(FspiopError(ErrorCode.UNKNOWN_URI, f"{PREFIX}/{rest[:64]} is no FSPIOP resource here"))

    return router


def schema_check(definitions: Definitions) -> BodyCheck:
    """Check a body against Mojaloop's own FSPIOP definitions (api-snippets), as its switch does."""

    def check(method: str, path: str, raw: bytes) -> None:
        _, violation = definitions.check_request(method, path, raw)
        if violation is not None:
            raise FspiopError(ErrorCode(int(violation.code)), violation.detail)

    return check


def signature_check(peer_keys: Mapping[str, RSAKey], *, signed_only: bool = True) -> SignatureCheck:
    """Verify FSPIOP-Signature on what a peer whose public key is configured sends. With ``signed_only`` (the
    default once any key is configured), a source without a configured key is refused (3105): otherwise
    anyone could drop the signature and claim to be an unlisted peer, the hub included."""

    def check(method: str, path: str, headers: Mapping[str, str], raw: bytes) -> None:
        source = headers.get("fspiop-source", "")
        key = peer_keys.get(source)
        if key is None:
            if signed_only:
                raise FspiopError(ErrorCode.INVALID_SIGNATURE, f"no key is configured for {source[:32]!r}: "
                                  "its messages cannot be verified")
            return
        try:
            jws.verify(key, method, path, headers, raw)
        except jws.JwsError as exc:
            raise FspiopError(ErrorCode.INVALID_SIGNATURE, str(exc)[:96]) from None

    return check


class _ThenRun(Response):
    """An empty answer that starts the work once it is sent: a peer never gets the callback before the 202."""

    def __init__(self, status: int, then: Callable[[], None]) -> None:
        super().__init__(status_code=status)
        self._then = then

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:  # also when the peer hung up: the request was accepted, its answer goes to the hub
            self._then()


async def _bounded_body(request: Request) -> bytes:
    """The body, read no further than ``BODY_BYTES_MAX`` (a declared or actual excess is 413, 3104)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and (len(declared) > 18 or int(declared) > BODY_BYTES_MAX):
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_BYTES_MAX:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> FspiopError:
    return FspiopError(ErrorCode.TOO_LARGE_PAYLOAD, f"/body is larger than {BODY_BYTES_MAX} bytes")


def too_large_answer(path: str, limit_bytes: int) -> tuple[bytes, bytes]:
    """The 413 of an app's body-size middleware for FSPIOP paths: ``errorInformation`` 3104, as a peer reads it."""
    error = FspiopError(ErrorCode.TOO_LARGE_PAYLOAD, f"/body is larger than {limit_bytes} bytes")
    return ERROR_MEDIA_TYPE.encode(), json.dumps(error.body(), separators=(",", ":")).encode()


def _any_object(body: dict[str, Any]) -> None:
    """A callback's body is checked by the payer side, which knows what it asked for."""


def _error(error: FspiopError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.http_status, media_type=ERROR_MEDIA_TYPE)
