"""Submitting signed transactions (one, or a batch) and reading one back with its verdict."""

from __future__ import annotations

import time
from typing import Any

import msgspec
from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.models import HEX_ID_PATTERN, BatchRequest, BatchResult, SubmitResult, TxDetail
from inzira.api.problems import Problem
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.submit import (
    Started,
    batch_item,
    decode_base64,
    original,
    settle,
    start,
    start_many,
    tx_path,
    verdict_of,
    wait_for_verdicts,
)
from inzira.api.visibility import Caller, may_see, tx_facts
from inzira.ledger.codes import Code
from inzira.node.node import Node
from inzira.node.views import result_view, tx_view
from inzira.ordering.outcome import Outcome

router = APIRouter(prefix="/v1", tags=["transactions"])


class _TxEnvelope(msgspec.Struct, forbid_unknown_fields=True):
    tx: str


_SUBMIT_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    "application/json": {"schema": {"type": "object", "required": ["tx"], "properties": {
        "tx": {"type": "string", "format": "byte", "description": "the signed transaction, base64"}}}},
}}}


async def _read_tx(request: Request) -> bytes:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    body = await request.body()
    if media_type == "application/octet-stream":
        return body
    if media_type == "application/json":
        try:
            envelope = msgspec.json.decode(body, type=_TxEnvelope)
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError) as exc:  # last: not UTF-8
            raise Problem(400, Code.VALIDATION, f"invalid JSON body: {exc}") from None
        return decode_base64(envelope.tx, "tx")
    raise Problem(415, ApiCode.CLIENT, 'send application/octet-stream (the signed bytes) or application/json '
                  '{"tx": "<base64>"}')


def _record(ctx: ApiContext, result: dict[str, Any] | Problem) -> None:
    code = result.code if isinstance(result, Problem) else result["code"]
    if code != ApiCode.TIMEOUT:
        ctx.metrics.verdict(code)


@router.post("/transactions", summary="Submit a signed transaction and wait for its durable verdict",
             openapi_extra=_SUBMIT_BODY, response_class=Response,
             responses={**ok_doc(SubmitResult, "Committed: the block holding it is durable"),
                        **problem_docs(400, 401, 403, 409, 413, 415, 422, 503, 504)})
async def submit_tx(request: Request, caller: Caller = Depends(require_caller),
                    ctx: ApiContext = Depends(api_context)) -> Response:
    raw = await _read_tx(request)
    started_s = time.perf_counter()
    started = await run_in_threadpool(start, ctx, caller, raw)
    if isinstance(started, Problem):
        _record(ctx, started)
        raise started
    await wait_for_verdicts([started.future], ctx.settings.submit_timeout_ms / 1000)
    outcome = verdict_of(started)
    if isinstance(outcome, Problem):
        _record(ctx, outcome)
        raise outcome
    if outcome.code == Code.DUPLICATE:
        outcome = await run_in_threadpool(original, ctx.node, outcome)
    result = settle(outcome, started.tx_id)
    ctx.metrics.submit_seconds.labels(endpoint="single").observe(time.perf_counter() - started_s)
    _record(ctx, result)
    if isinstance(result, Problem):
        raise result
    return json_response(result)


def _originals(node: Node, verdicts: list[Outcome | Problem]) -> list[Outcome | Problem]:
    """Duplicates answered with their original's place: reads the store, so runs in a worker thread."""
    return [original(node, v) if isinstance(v, Outcome) and v.code == Code.DUPLICATE else v for v in verdicts]


@router.post("/transactions/batch", summary="Submit up to 1,000 signed transactions, then wait for every verdict",
             response_class=Response,
             responses={**ok_doc(BatchResult, "One entry per transaction, in order"),
                        **problem_docs(400, 401, 413)})
async def submit_batch(batch: BatchRequest, caller: Caller = Depends(require_caller),
                       ctx: ApiContext = Depends(api_context)) -> Response:
    started_s = time.perf_counter()
    decoded: list[bytes | Problem] = []
    for i, text in enumerate(batch.txs):
        try:
            decoded.append(decode_base64(text, f"txs[{i}]"))
        except Problem as problem:
            decoded.append(problem)
    raws = [d for d in decoded if isinstance(d, bytes)]
    submitted = iter(await run_in_threadpool(start_many, ctx, caller, raws))
    started = [next(submitted) if isinstance(d, bytes) else d for d in decoded]
    await wait_for_verdicts([s.future for s in started if isinstance(s, Started)],
                            ctx.settings.submit_timeout_ms / 1000)
    verdicts = [item if isinstance(item, Problem) else verdict_of(item) for item in started]
    if any(isinstance(v, Outcome) and v.code == Code.DUPLICATE for v in verdicts):
        verdicts = await run_in_threadpool(_originals, ctx.node, verdicts)
    items = []
    for item, verdict in zip(started, verdicts):
        result = settle(verdict, item.tx_id) if isinstance(verdict, Outcome) and isinstance(item, Started) else verdict
        _record(ctx, result)
        items.append(batch_item(result))
    ctx.metrics.submit_seconds.labels(endpoint="batch").observe(time.perf_counter() - started_s)
    committed = sum(1 for item in items if item["status"] == 200)
    return json_response({"results": items, "committed": committed, "rejected": len(items) - committed})


@router.get("/transactions/{tx_id}", summary="A transaction, decoded, with its verdict and place in the chain",
            response_class=Response,
            responses={**ok_doc(TxDetail, "The transaction"), **problem_docs(400, 401, 404)})
def get_tx(tx_id: str = Path(pattern=HEX_ID_PATTERN, description="hex, 64 digits"),
           caller: Caller = Depends(require_caller), ctx: ApiContext = Depends(api_context)) -> Response:
    node = ctx.node
    stored = node.tx(bytes.fromhex(tx_id))
    key_owner = node.state.key_owner
    if stored is None or not may_see(caller, tx_facts(stored.raw, key_owner, node.pending).involvement):
        raise Problem(404, ApiCode.TX_NOT_FOUND, f"no transaction {tx_id.lower()} visible to {caller.member}")
    return json_response({
        "tx_id": stored.tx_id.hex(),
        "height": stored.height,
        "index": stored.index,
        "timestamp_ms": stored.timestamp_ms,
        "tx": tx_view(stored.raw, key_owner),
        "result": result_view(stored.result),
        "receipt_url": f"{tx_path(stored.tx_id)}/receipt",
    })
