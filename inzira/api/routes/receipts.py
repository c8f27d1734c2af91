"""Receipts: the self-contained proof that a transaction is in the chain with its verdict, and a public
verifier that checks one against this network's genesis (the same check as ``inzira receipt verify``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.models import HEX_ID_PATTERN, VerifyResult
from inzira.api.problems import Problem
from inzira.api.receipt_input import verify_posted_receipt
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller, may_see, tx_facts
from inzira.ledger.receipt import ReceiptError

router = APIRouter(prefix="/v1", tags=["receipts"])

_RECEIPT_DOC = "A receipt as exported (format inzira-receipt/1): tx, result, block header and signature, proof"
# The body is read as bytes (one strict decoder for this route and the explorer's), so its schema is stated here.
_RECEIPT_BODY = {"required": True, "description": _RECEIPT_DOC,
                 "content": {"application/json": {"schema": {"type": "object"}}}}


@router.get("/transactions/{tx_id}/receipt", summary="The transaction's offline-verifiable receipt",
            response_class=Response,
            responses={200: {"description": _RECEIPT_DOC, "content": {"application/json": {}}},
                       **problem_docs(400, 401, 404)})
def get_receipt(tx_id: str = Path(pattern=HEX_ID_PATTERN, description="hex, 64 digits"),
                caller: Caller = Depends(require_caller), ctx: ApiContext = Depends(api_context)) -> Response:
    node = ctx.node
    tx_id_bytes = bytes.fromhex(tx_id)
    stored = node.tx(tx_id_bytes)
    visible = stored is not None and may_see(caller, tx_facts(stored.raw, node.state.key_owner,
                                                              node.pending).involvement)
    receipt = node.receipt(tx_id_bytes) if visible else None
    if receipt is None:
        raise Problem(404, ApiCode.TX_NOT_FOUND, f"no transaction {tx_id.lower()} visible to {caller.member}")
    return json_response(receipt)


@router.post("/receipts/verify", summary="Verify a receipt against this network's genesis (no token needed)",
             response_class=Response, openapi_extra={"requestBody": _RECEIPT_BODY},
             responses={**ok_doc(VerifyResult, "valid with a summary, or not valid with the reason"),
                        **problem_docs(400, 413)})
async def verify(request: Request, ctx: ApiContext = Depends(api_context)) -> Response:
    """A body that is not a receipt (not strict JSON, not an object, a number no receipt holds): 400 (3100)."""
    node = ctx.node
    try:
        summary = await verify_posted_receipt(await request.body(), node.genesis, list(node.state.members.values()))
    except ReceiptError as exc:
        return json_response({"valid": False, "reason": str(exc)})
    return json_response({"valid": True, **summary})
