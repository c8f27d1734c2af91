"""About the network and this server: the genesis (public), health and Prometheus metrics.

``/metrics`` tells volumes, verdict codes and timings, which are the members' business: it answers the
operator's metrics token (``ApiSettings.metrics_token``, sent as a bearer token) when one is set, and
otherwise only clients on loopback (a Prometheus on the same host; behind a reverse proxy the client is the
one the proxy names, when the server trusts it: ``inzira.api.server``).
"""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from starlette.responses import Response

from inzira.api.auth import bearer
from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.models import Health
from inzira.api.problems import Problem
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.ledger import genesis as genesis_mod
from inzira.ledger.codes import Code

router = APIRouter(tags=["meta"])


@router.head("/v1/genesis", include_in_schema=False)  # as GET, without the body (link checkers, probes)
@router.get("/v1/genesis", summary="The network's genesis document (public: every member holds the same copy)",
            response_class=Response,
            responses={200: {"description": "genesis.json; its canonical hash is the chain id",
                             "content": {"application/json": {}}}})
def genesis(ctx: ApiContext = Depends(api_context)) -> Response:
    return Response(genesis_mod.dumps(ctx.node.genesis), media_type="application/json",
                    headers={"X-Inzira-Chain-Id": ctx.runtime.chain_id.hex()})


# What anyone but a member reads in place of a failed node's reason: that reason is an exception's text (paths,
# SQL errors), for the operator's eyes; the status (503, 2003) says enough for a probe or a load balancer.
FAILED_WITHHELD = "node_failed"


def _member_asking(credentials: HTTPAuthorizationCredentials | None, ctx: ApiContext) -> bool:
    """A bearer token of a current member (a wrong token is not refused here: /health answers everyone)."""
    member = ctx.tokens.member_for(credentials.credentials) if credentials is not None else None
    return member is not None and member in ctx.node.state.members


@router.head("/health", include_in_schema=False)
@router.get("/health", summary="Height and chain id; 503 once the node has stopped on a failure (why: to members)",
            response_class=Response, responses={**ok_doc(Health, "The node is taking traffic"),
                                                **problem_docs(503)})
def health(credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
           ctx: ApiContext = Depends(api_context)) -> Response:
    node = ctx.node
    failed = node.failed
    facts = {"height": node.height, "chain_id": ctx.runtime.chain_id.hex(), "network": node.genesis.network,
             "failed": failed}
    if failed and _member_asking(credentials, ctx):
        raise Problem(503, ApiCode.UNAVAILABLE, f"the node stopped: {failed}", **facts)
    if failed:
        raise Problem(503, ApiCode.UNAVAILABLE, "the node stopped (a member's API token is told why)",
                      **(facts | {"failed": FAILED_WITHHELD}))
    return json_response({"status": "ok", **facts})


def _on_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics", summary="Prometheus metrics (the operator's metrics token, or loopback clients)",
            response_class=Response,
            responses={200: {"description": "Prometheus text format", "content": {"text/plain": {}}},
                       **problem_docs(401, 403)})
def metrics(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
            ctx: ApiContext = Depends(api_context)) -> Response:
    expected = ctx.settings.metrics_token
    if expected:
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Problem(401, ApiCode.UNAUTHENTICATED, "send Authorization: Bearer <metrics token>",
                          headers={"WWW-Authenticate": 'Bearer realm="inzira-metrics"'})
    elif not _on_loopback(request):
        raise Problem(403, Code.PERMISSION, "metrics answer clients on this host only (or set a metrics token)")
    return Response(ctx.metrics.render(), media_type=ctx.metrics.content_type)
