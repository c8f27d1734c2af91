"""About the network and this server: the genesis (public), health and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.models import Health
from inzira.api.problems import Problem
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.ledger import genesis as genesis_mod

router = APIRouter(tags=["meta"])


@router.get("/v1/genesis", summary="The network's genesis document (public: every member holds the same copy)",
            response_class=Response,
            responses={200: {"description": "genesis.json; its canonical hash is the chain id",
                             "content": {"application/json": {}}}})
def genesis(ctx: ApiContext = Depends(api_context)) -> Response:
    return Response(genesis_mod.dumps(ctx.node.genesis), media_type="application/json",
                    headers={"X-Inzira-Chain-Id": ctx.runtime.chain_id.hex()})


@router.get("/health", summary="Height and chain id; 503 once the node has stopped on a failure",
            response_class=Response, responses={**ok_doc(Health, "The node is taking traffic"),
                                                **problem_docs(503)})
def health(ctx: ApiContext = Depends(api_context)) -> Response:
    node = ctx.node
    facts = {"height": node.height, "chain_id": ctx.runtime.chain_id.hex(), "network": node.genesis.network,
             "failed": node.failed}
    if node.failed:
        raise Problem(503, ApiCode.UNAVAILABLE, f"the node stopped: {node.failed}", **facts)
    return json_response({"status": "ok", **facts})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"description": "Prometheus text format", "content": {"text/plain": {}}}})
def metrics(ctx: ApiContext = Depends(api_context)) -> Response:
    return Response(ctx.metrics.render(), media_type=ctx.metrics.content_type)
