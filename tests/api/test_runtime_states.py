"""The API over a runtime that is busy, stopped, slow or failing: each answer is a coded problem.

The runtime here is a stand-in that keeps the ``LedgerRuntime`` protocol (a real node for reads, a
``submit`` that does what the test needs), as a distributed runtime will.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.routes.meta import FAILED_WITHHELD
from inzira.api.server import serve_in_thread
from inzira.api.settings import ApiSettings
from inzira.demo.setup import create_demo_network, load_api_keys
from tests.hosted import member_keys as load_member_keys
from inzira.ledger.tx import OpenAccount
from inzira.node.node import Node, NodeError
from inzira.node.signer import MemberSigner
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket
from tests.api.conftest import HTTP_TIMEOUT_S, now_ms
from tests.api.helpers import post_tx, problem


@dataclass
class StandInRuntime:
    node: Node
    api_tokens: dict[str, str]
    chain_id: bytes
    behaviour: str = "hang"
    futures: list[Ticket] = field(default_factory=list)
    calls: int = 0

    def submit(self, raw: bytes) -> Ticket:
        self.calls += 1
        if self.behaviour == "busy":
            raise Busy("mempool full")
        if self.behaviour == "stopped":
            raise Stopped("the orderer is not running")
        future = Ticket()
        if self.behaviour == "fail":
            future.set_exception(NodeError("block 7: disk full"))
        self.futures.append(future)
        return future


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StandInRuntime, httpx.Client, bytes]]:
    data_dir = tmp_path_factory.mktemp("stand-in")
    create_demo_network(data_dir, now_ms() - 1_000)
    node = Node(data_dir)
    tokens = load_api_keys(data_dir)
    api_tokens = {token: member for member, token in tokens.items()} | {"ghost-token": "ghost"}
    runtime = StandInRuntime(node, api_tokens, node.chain_id)
    raw = MemberSigner(node.chain_id, "mobimo", load_member_keys(data_dir)["mobimo"]).sign(
        OpenAccount("mobimo:eur", "EUR"))
    try:
        served, port = serve_in_thread(create_app(runtime, settings=ApiSettings(submit_timeout_ms=300)))
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=HTTP_TIMEOUT_S,
                              headers={"Authorization": f"Bearer {tokens['mobimo']}"}) as http:
                yield runtime, http, raw
        finally:
            served.stop()
    finally:
        node.close()


def test_busy_is_503_with_retry_after(stand_in):
    runtime, http, raw = stand_in
    runtime.behaviour = "busy"
    response = post_tx(http, raw)
    problem(response, 503, 2005)
    assert response.headers["retry-after"] == "1"


def test_stopped_is_503(stand_in):
    runtime, http, raw = stand_in
    runtime.behaviour = "stopped"
    problem(post_tx(http, raw), 503, 2003)


def test_node_failure_while_waiting_is_503(stand_in):
    runtime, http, raw = stand_in
    runtime.behaviour = "fail"
    problem(post_tx(http, raw), 503, 2003)


def test_no_verdict_in_time_is_504_with_a_location_to_poll(stand_in):
    runtime, http, raw = stand_in
    runtime.behaviour = "hang"
    response = post_tx(http, raw)
    body = problem(response, 504, 2004)
    assert response.headers["location"] == f"/v1/transactions/{body['tx_id']}"
    # Giving up waiting must leave the runtime's future alone: the orderer still resolves it.
    assert not runtime.futures[-1].cancelled()
    runtime.futures[-1].set_result(Outcome(bytes.fromhex(body["tx_id"]), 0, -1, 1, 0))


def test_batch_reports_each_state(stand_in):
    runtime, http, raw = stand_in
    runtime.behaviour = "hang"
    answer = http.post("/v1/transactions/batch", json={"txs": [base64.b64encode(raw).decode()]}).json()
    assert [(r["status"], r["code"]) for r in answer["results"]] == [(504, 2004)]
    assert not runtime.futures[-1].cancelled()
    runtime.behaviour = "busy"
    calls = runtime.calls
    answer = http.post("/v1/transactions/batch", json={"txs": [base64.b64encode(raw).decode()] * 3}).json()
    assert [(r["status"], r["code"]) for r in answer["results"]] == [(503, 2005)] * 3
    assert runtime.calls == calls + 1  # once busy, the rest are refused without waiting on the mempool each


def test_health_is_503_once_the_node_failed(stand_in):
    runtime, http, _raw = stand_in
    runtime.node.failed = "block 9: disk full"
    try:
        body = problem(http.get("/health"), 503, 2003)
        assert body["failed"] == "block 9: disk full"
    finally:
        runtime.node.failed = None


def test_health_tells_why_the_node_failed_to_members_only(stand_in):
    """The reason is an exception's text (file paths, SQL errors): anyone reaching the port read it. Everyone
    still gets the 503 and a stable short code; a member's token (not a forged one, not a former member's)
    gets the reason."""
    runtime, http, _raw = stand_in
    runtime.node.failed = "block 9: disk I/O error at /srv/inzira/data/blocks.sqlite"
    try:
        with httpx.Client(base_url=http.base_url, timeout=HTTP_TIMEOUT_S) as anonymous:
            answers = [anonymous.get("/health"), anonymous.head("/health"),
                       http.get("/health", headers={"Authorization": "Bearer not-a-token"}),
                       http.get("/health", headers={"Authorization": "Bearer ghost-token"})]
        assert answers[1].status_code == 503 and answers[1].content == b""
        for answer in answers[:1] + answers[2:]:
            body = problem(answer, 503, 2003)
            assert body["failed"] == FAILED_WITHHELD and "/srv" not in answer.text and "disk" not in answer.text
        assert problem(http.get("/health"), 503, 2003)["failed"] == runtime.node.failed
    finally:
        runtime.node.failed = None


def test_a_token_of_someone_no_longer_a_member_is_403(stand_in):
    _runtime, http, _raw = stand_in
    problem(http.get("/v1/blocks", headers={"Authorization": "Bearer ghost-token"}), 403, 4300)
