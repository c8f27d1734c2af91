"""Receipts in the explorer: download one, and verify any receipt against the network's genesis.

On a member's own deployment (``access``) every address needs the member's session, and a receipt downloads
only when the API would give it to that member. Verification is stateless, exactly as offline: the receipt is
checked against the genesis only (orderer signature, Merkle proof, transaction signatures), never against this
node's database.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from inzira.api.numbers import parse_digits
from inzira.api.problems import Problem, problem_response
from inzira.api.receipt_input import MalformedReceipt, verify_posted_receipt, verify_receipt_bytes
from inzira.ledger.codes import Code
from inzira.ledger.genesis import Genesis
from inzira.ledger.receipt import ReceiptError, receipt_json
from inzira.ledger.records import Member
from inzira.web.explorer_access import Gate, MemberAccess, public
from inzira.web.explorer_data import Runtime, Viewer, parse_tx_id, site_context, visible_tx
from inzira.web.forms import NO_STORE
from inzira.web.rendering import render, time_kigali, time_utc

RECEIPT_BYTES_MAX = 256 * 1024  # a receipt is a few KiB; its Merkle path holds at most 64 hashes
FORM_BYTES_MAX = RECEIPT_BYTES_MAX + 16 * 1024  # room for the multipart framing around it
VERIFY_PATH = "/explorer/verify-receipt"


class TooLarge(ValueError):
    """A request body over ``RECEIPT_BYTES_MAX``."""


class LengthRequired(ValueError):
    """A form posted without Content-Length: its size cannot be bounded before parsing."""


def _sentence(summary: dict[str, Any]) -> str:
    code = summary["code"]
    verdict = "committed" if code == 0 else f"rejected with code {code} ({summary['description']})"
    signers = ", ".join(summary["signers"]) or "nobody"
    return (f"Transaction {summary['tx_id'][:16]}… was {verdict} in block {summary['height']} at "
            f"{time_utc(summary['timestamp_ms'])} ({time_kigali(summary['timestamp_ms'])}) on {summary['network']}, "
            f"signed by {signers}.")


def _outcome(summary: dict[str, Any]) -> dict[str, Any]:
    return {"valid": True, "summary": summary, "text": _sentence(summary)}


def check_receipt(data: bytes, genesis: Genesis, members: list[Member] | None = None) -> dict[str, Any]:
    """``{"valid": True, "summary": ..., "text": ...}`` or ``{"valid": False, "reason": ..., "malformed": ...}``
    (``malformed``: the bytes are not a receipt at all). It checks signatures: call it off the event loop."""
    try:
        return _outcome(verify_receipt_bytes(data, genesis, members))
    except ReceiptError as exc:
        return {"valid": False, "reason": str(exc), "malformed": isinstance(exc, MalformedReceipt)}


async def _body(request: Request) -> bytes:
    declared = parse_digits(request.headers.get("content-length", ""))
    if declared is not None and declared > RECEIPT_BYTES_MAX:
        raise TooLarge
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > RECEIPT_BYTES_MAX:
            raise TooLarge
    return bytes(data)


async def _form_receipt(request: Request) -> bytes:
    """The pasted text, or else the uploaded file, of the /verify form."""
    # Browsers always declare a form's length; checking it first bounds what the form parser reads.
    declared = parse_digits(request.headers.get("content-length", ""))
    if declared is None:
        raise LengthRequired
    if declared > FORM_BYTES_MAX:
        raise TooLarge
    form = await request.form(max_files=1, max_fields=4, max_part_size=RECEIPT_BYTES_MAX)
    text = form.get("receipt")
    if isinstance(text, str) and text.strip():
        return text.encode()
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        data = await upload.read(RECEIPT_BYTES_MAX + 1)
        if len(data) > RECEIPT_BYTES_MAX:
            raise TooLarge
        return data
    return b""


def receipts_router(runtime: Runtime, public_accounts: bool, access: MemberAccess | None = None) -> APIRouter:
    router = APIRouter()
    node = runtime.node
    gate: Gate = access.page if access is not None else public

    def not_found(request: Request, viewer: Viewer | None, what: str) -> Response:
        context = site_context(node, public_accounts, viewer) | {"what": what}
        return render(request, "not_found.html", context, 404)

    @router.get("/tx/{tx_id}/receipt.json", include_in_schema=False)
    def receipt_download(request: Request, tx_id: str) -> Response:
        if isinstance(viewer := gate(request), Response):
            return viewer
        tx_bytes = parse_tx_id(tx_id)
        visible = tx_bytes is not None and visible_tx(node, tx_bytes, viewer) is not None
        receipt = node.receipt(tx_bytes) if visible and tx_bytes is not None else None
        if receipt is None:
            return not_found(request, viewer, f"transaction {tx_id}")
        headers = {"Content-Disposition": f'attachment; filename="inzira-receipt-{tx_id[:16]}.json"'}
        if viewer is not None:
            headers |= NO_STORE
        return Response(receipt_json(receipt), media_type="application/json", headers=headers)

    @router.post(VERIFY_PATH, tags=["explorer"])
    async def verify_receipt_json(request: Request) -> Response:
        """Verify a receipt (the JSON body) against this network's genesis, as offline verification does."""
        if access is not None and isinstance(refused := access.data(request), Response):
            return refused
        try:
            data = await _body(request)
            summary = await verify_posted_receipt(data, node.genesis, list(node.state.members.values()))
        except TooLarge:
            too_large = Problem(413, Code.TOO_LARGE, f"request body is larger than {RECEIPT_BYTES_MAX} bytes")
            return problem_response(too_large, VERIFY_PATH)
        except Problem as exc:  # not a receipt: the API's own 400 (this router may be mounted without its handlers)
            return problem_response(exc, VERIFY_PATH)
        except ReceiptError as exc:
            return JSONResponse({"valid": False, "reason": str(exc)})
        return JSONResponse(_outcome(summary))

    def verify_view(request: Request, viewer: Viewer | None, outcome: dict[str, Any] | None, text: str = "",
                    status_code: int = 200) -> Response:
        context = site_context(node, public_accounts, viewer) | {"verify_path": VERIFY_PATH, "outcome": outcome,
                                                                 "text": text}
        return render(request, "verify.html", context, status_code)

    @router.get("/verify", include_in_schema=False)
    def verify_page(request: Request) -> Response:
        if isinstance(viewer := gate(request), Response):
            return viewer
        return verify_view(request, viewer, None)

    @router.post("/verify", include_in_schema=False)
    async def verify_form(request: Request) -> Response:
        """The same check for a pasted or uploaded receipt, without JavaScript."""
        if isinstance(viewer := gate(request), Response):
            return viewer
        try:
            data = await _form_receipt(request)
        except TooLarge:
            return verify_view(request, viewer, {"valid": False, "reason": f"receipt larger than {RECEIPT_BYTES_MAX} "
                                                 "bytes"}, status_code=413)
        except LengthRequired:
            return verify_view(request, viewer, {"valid": False, "reason": "the form must declare its Content-Length"},
                               status_code=411)
        if not data.strip():
            return verify_view(request, viewer, {"valid": False, "reason": "paste a receipt or choose a file"},
                               status_code=400)
        outcome = await run_in_threadpool(check_receipt, data, node.genesis, list(node.state.members.values()))
        return verify_view(request, viewer, outcome, data.decode("utf-8", "replace"),
                           400 if outcome.get("malformed") else 200)

    return router
