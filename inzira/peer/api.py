"""A peer's HTTP API: the ledger API over the peer's runtime, plus what peers and operators need.

- ``GET /v1/peer/status``: the peer's position, role, refusals and agreement (public);
- ``GET /v1/peer/snapshots[/{height}]``: its snapshots, for members' peers only (a signed request);
- ``/health``: 200 with the peer's facts, 503 once it stopped taking traffic;
- every other route answers 503 too while the peer has a problem (it failed, or it disagrees with a quorum
  of peers), so no client acts on a ledger its own peer no longer trusts.

Why it stopped is an exception's text (paths, keys' ids, internal state): it is told to a current member, by
that member's signed request or by its API token (on a peer, the peer's own operator's); anyone else reads a
fixed word for its kind (``Peer.problem_word``), enough for a probe or a load balancer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, BinaryIO

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from prometheus_client import Gauge
from starlette.datastructures import Headers
from starlette.responses import Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from inzira.api.app import create_app
from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.numbers import INT64_MAX, digits
from inzira.api.problems import Problem, problem_response
from inzira.api.responses import json_response
from inzira.api.tokens import TokenBook
from inzira.ledger.codes import Code
from inzira.peer.lease_keeper import wall_clock_ms
from inzira.peer.peer_auth import check_request
from inzira.peer.status import health_facts, peer_status

if TYPE_CHECKING:
    from inzira.peer.service import Peer

STATUS_PATH = "/v1/peer/status"
ALWAYS_OPEN = {STATUS_PATH, "/metrics"}
Height = digits(1, INT64_MAX)
SNAPSHOT_CHUNK_BYTES = 1024 * 1024
WHO_IS_TOLD = "a member's API token or signed request is told why"


def told_why(peer: "Peer", tokens: TokenBook, method: str, path: str, headers: Mapping[str, str]) -> bool:
    """Whether the asker may read why the peer stopped: a current member, by its API token or its signed request
    (a wrong token or signature is not refused here: it is told what anyone is)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and tokens.member_for(token.strip()) in peer.node.state.members:
        return True
    member, _ = check_request(headers, peer.node.chain_id, peer.node.state.member_keys(), method, path, wall_clock_ms())
    return member is not None


def peer_router(peer: "Peer") -> APIRouter:
    router = APIRouter(prefix="/v1/peer", tags=["peer"])

    @router.get("/status", summary="This peer: height, hashes, role, refused blocks, agreement with others "
                                   "(why it stopped: to a member's token or signed request)")
    def status(request: Request, ctx: ApiContext = Depends(api_context)) -> Response:
        told = bool(peer.problem()) and told_why(peer, ctx.tokens, request.method, request.url.path,
                                                 request.headers)
        return json_response(peer_status(peer, told))

    def signed_by_member(request: Request) -> None:
        member, why = check_request(request.headers, peer.node.chain_id, peer.node.state.member_keys(), request.method,
                                    request.url.path, wall_clock_ms())
        if member is None:
            raise Problem(401, ApiCode.UNAUTHENTICATED, why)

    @router.get("/snapshots", summary="Heights of the snapshots this peer keeps (signed request of a member)")
    def snapshot_heights(request: Request) -> Response:
        signed_by_member(request)
        return json_response({"heights": peer.snapshot_files.heights()})

    @router.get("/snapshots/{height}", summary="One snapshot (signed request of a member)",
                response_class=Response)
    def snapshot(height: Annotated[Height, Path()], request: Request) -> Response:
        signed_by_member(request)
        file = peer.snapshot_files.open(height)
        if file is None:
            raise Problem(404, Code.NOT_FOUND, f"no snapshot of height {height} here; see /v1/peer/snapshots")
        # Streamed from the open file: read whole, each download held up to 1 GiB, and a member asking many
        # times at once ran the peer out of memory.
        size = os.fstat(file.fileno()).st_size
        return StreamingResponse(_chunks(file), media_type="application/octet-stream",
                                 headers={"Content-Length": str(size)})

    return router


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    with file:
        while chunk := file.read(SNAPSHOT_CHUNK_BYTES):
            yield chunk


class PeerGate:
    """ASGI middleware: /health from the peer's own facts, and 503 everywhere once the peer has a problem."""

    def __init__(self, app: ASGIApp, peer: "Peer", tokens: TokenBook) -> None:
        self.app = app
        self.peer = peer
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        problem = self.peer.problem()
        told = bool(problem) and told_why(self.peer, self.tokens, scope["method"], path, Headers(scope=scope))
        detail = problem if told else f"this peer takes no traffic: {self.peer.problem_word()} ({WHO_IS_TOLD})"
        if path == "/health":
            facts = health_facts(self.peer, told)
            if problem:
                response = problem_response(Problem(503, ApiCode.UNAVAILABLE, detail, **facts), path)
            else:
                response = json_response({"status": "ok" if self.peer.ready else "catching_up", **facts})
            await response(scope, receive, send)
            return
        if problem and path not in ALWAYS_OPEN:
            await problem_response(Problem(503, ApiCode.UNAVAILABLE, detail), path)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def build_app(peer: "Peer") -> FastAPI:
    app = create_app(peer.runtime, routers=[peer_router(peer)])
    app.add_middleware(PeerGate, peer=peer, tokens=app.state.api.tokens)
    registry = app.state.api.metrics.registry
    gauges = {
        "inzira_peer_blocks_rejected": ("Blocks-stream entries this peer refused", lambda: peer.ledger.rejected_total),
        "inzira_peer_diverged": ("1 when this peer disagrees with a quorum of peers",
                                 lambda: 1 if peer.agreement.diverged else 0),
        "inzira_peer_cutter": ("1 while this peer holds the block-cutter lease",
                               lambda: 1 if peer.holding_lease() else 0),
        "inzira_peer_blocks_seq": ("The last blocks-stream entry this peer judged", lambda: peer.ledger.processed_seq),
        "inzira_peer_inflight": ("Transactions submitted here and not yet in a stored block",
                                 lambda: len(peer.inflight)),
    }
    for name, (text, read) in gauges.items():
        Gauge(name, text, registry=registry).set_function(read)
    return app
