"""Why a peer stopped is an exception's text (here the broken invariant, with the balances it found): anyone who
reaches the peer's port read it on /health, in /v1/peer/status and in the 503 of every other route. Now they
read a fixed word; a member's signed request, or the peer's own API token (its operator), reads the reason,
and ``inzira network status`` (run by the network's operator) still shows it."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from inzira.api.routes.meta import FAILED_WITHHELD
from inzira.api.server import serve_in_thread
from inzira.ledger.encoding import encode
from inzira.ledger.records import Account
from inzira.ledger.tx import Issue
from inzira.network.layout import peer_folder
from inzira.network.nats_cluster import NatsCluster
from inzira.node.reader import DB_FILE
from inzira.peer.api import build_app
from inzira.peer.config import write_run_file
from inzira.peer.peer_auth import sign_request
from tests.network.helpers import MEMBERS, Net, in_process_peer, running_network, wait_until

VICTIM = "eurosend"
ACCOUNT = "eurosend:eur"
REASON = "posted balances sum to 1, not 0"  # what the invariant check says, and no stranger should read
PATHS = ("/health", "/v1/peer/status", f"/v1/accounts/{ACCOUNT}")


def _add_credit(net: Net, member: str, account: str) -> None:
    """One cent from nowhere in ``member``'s own store, as a bad disk or a bad hand would: the next block that
    touches the account breaks conservation on that peer alone, which stops."""
    db = sqlite3.connect(peer_folder(net.local.folder, member) / DB_FILE)
    try:
        key = b"A" + account.encode()
        (value,) = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        record = msgspec.msgpack.decode(value, type=Account)
        changed = msgspec.structs.replace(record, credits_posted=record.credits_posted + 1)
        db.execute("UPDATE state SET value = ? WHERE key = ?", (encode(changed), key))
        db.commit()
    finally:
        db.close()


@pytest.fixture(scope="module")
def failed_peer(tmp_path_factory: pytest.TempPathFactory, nats_cluster: NatsCluster) -> Iterator[tuple[Net, str]]:
    """The victim's peer run by its member as ``inzira remit serve`` does (in this process, its API served on
    loopback and named in its run file), whose API stays up once the peer stopped on the broken invariant; the
    network and the API's URL."""
    with running_network(Path(tmp_path_factory.mktemp("failed")), nats_cluster, MEMBERS) as net:
        net.open_funded(VICTIM, "eur", "EUR", 10_00, "sbk")
        net.wait_agreed(MEMBERS)
        net.local.stop_peer(VICTIM)
        _add_credit(net, VICTIM, ACCOUNT)
        with in_process_peer(net, VICTIM, 2) as peer:
            served, _port = serve_in_thread(build_app(peer))
            write_run_file(peer_folder(net.local.folder, VICTIM), VICTIM, served.base_url)
            try:
                net.submit_ok("sbk", [net.signer("sbk").sign(Issue(ACCOUNT, 1, "EUR"))])
                wait_until("the victim to stop", lambda: peer.node.failed, 60)
                yield net, served.base_url
            finally:
                served.stop()


def _signed(net: Net, member: str, path: str) -> dict[str, str]:
    return sign_request(net.chain_id, member, net.local.member_key(member), "GET", path, int(time.time() * 1000))


def test_strangers_read_a_fixed_word_not_why_the_peer_failed(failed_peer: tuple[Net, str]) -> None:
    net, url = failed_peer
    forged = _signed(net, "cbr", "/health") | {"X-Inzira-Member": "sbk"}  # cbr's signature, claimed as sbk's
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, forged):
        for path in PATHS:
            answer = httpx.get(url + path, headers=headers, timeout=10)
            assert REASON not in answer.text and "invariant" not in answer.text, (path, headers, answer.text)
        health = httpx.get(f"{url}/health", headers=headers, timeout=10)
        assert health.status_code == 503 and health.json()["failed"] == FAILED_WITHHELD
        status = httpx.get(f"{url}/v1/peer/status", headers=headers, timeout=10)
        assert status.status_code == 200 and status.json()["problem"] == FAILED_WITHHELD
        other = httpx.get(f"{url}/v1/accounts/{ACCOUNT}", headers=headers, timeout=10)
        assert other.status_code == 503 and other.json()["code"] == 2003


def test_a_member_and_the_peers_operator_read_why(failed_peer: tuple[Net, str]) -> None:
    net, url = failed_peer
    operator = {"Authorization": f"Bearer {net.local.api_token(VICTIM)}"}
    for path in PATHS:
        for headers in (_signed(net, "cbr", path), operator):
            answer = httpx.get(url + path, headers=headers, timeout=10)
            assert REASON in answer.text, (path, headers, answer.text)
    assert REASON in httpx.get(f"{url}/health", headers=operator, timeout=10).json()["failed"]
    # The network's operator reads it in `inzira network status`, which sends each peer its own token.
    own = net.local.status().own[VICTIM]
    assert own.api_url == url and REASON in own.status["problem"]  # type: ignore[index]
