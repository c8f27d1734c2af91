"""Blocks: every member sees every header; a block's transactions show in full only to those they concern."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.blockinfo import tx_line_view
from inzira.api.context import ApiContext, api_context
from inzira.api.models import BlockDetail, BlockPage
from inzira.api.numbers import INT64_MAX, digits
from inzira.api.problems import Problem
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.settings import BLOCK_TXS_PAGE_MAX, BLOCKS_PAGE_MAX
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code
from inzira.node.views import header_view

router = APIRouter(prefix="/v1", tags=["blocks"])

Height = digits(1, INT64_MAX)
BlocksLimit = digits(1, BLOCKS_PAGE_MAX)
TxIndex = digits(0, INT64_MAX)
TxsLimit = digits(1, BLOCK_TXS_PAGE_MAX)


@router.get("/blocks", summary="Blocks, latest first", response_class=Response,
            responses={**ok_doc(BlockPage, "A page of block summaries"), **problem_docs(400, 401)})
def list_blocks(before: Annotated[Height | None, Query(description="Only blocks below this height")] = None,
                limit: BlocksLimit = 20,
                caller: Caller = Depends(require_caller), ctx: ApiContext = Depends(api_context)) -> Response:
    node = ctx.node
    rows = node.store.blocks_summary(before or node.height + 1, limit)
    blocks = [{"height": h, "hash": digest.hex(), "timestamp_ms": ts, "tx_count": n} for h, digest, ts, n in rows]
    next_before = rows[-1][0] if rows and rows[-1][0] > 1 else None
    return json_response({"blocks": blocks, "next_before": next_before})


@router.get("/blocks/{height}", summary="A block's signed header and its transactions", response_class=Response,
            responses={**ok_doc(BlockDetail, "The block"), **problem_docs(400, 401, 404)})
def get_block(height: Annotated[Height, Path()],
              txs_from: Annotated[TxIndex, Query(description="First transaction index listed")] = 0,
              txs_limit: TxsLimit = 500,
              caller: Caller = Depends(require_caller), ctx: ApiContext = Depends(api_context)) -> Response:
    info = ctx.blocks.get(height)
    if info is None:
        raise Problem(404, Code.NOT_FOUND, f"no block {height} (the chain is at {ctx.node.height})")
    lines = info.txs[txs_from : txs_from + txs_limit]
    following = txs_from + txs_limit
    return json_response({
        "header": header_view(info.header, info.hash),
        "signature": info.signature.hex(),
        "txs": [tx_line_view(line, caller) for line in lines],
        "txs_from": txs_from,
        "txs_next": following if following < len(info.txs) else None,
    })
