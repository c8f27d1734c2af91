"""LedgerHttpClient against the real server: every call, and HttpProblem on every problem answer."""

from __future__ import annotations

import time

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.client import LedgerHttpClient
from inzira.http import HttpProblem
from inzira.api.server import serve_in_thread
from inzira.ledger.records import Leg
from inzira.ledger.tx import PostPending, Transfer


def test_client_round_trip(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=2_000)
    payee = ledger.account("mobimo", "EUR")
    expires_at_ms = ledger.net.node.state.timestamp_ms + 3_600_000
    with ledger.client("eurosend") as client:
        held = client.submit(ledger.sign("eurosend", Transfer((Leg(payer, payee, 500, "EUR"),),
                                                              expires_at_ms=expires_at_ms)))
        pending = client.pending(held["tx_id"])
        assert pending["status"] == "RESERVED" and pending["creator"] == "eurosend"
        assert client.account(payer)["available_minor"] == 1_500
        posted = client.submit(ledger.sign("eurosend", PostPending(bytes.fromhex(held["tx_id"]))))
        assert client.pending(held["tx_id"])["status"] == "COMMITTED"
        assert client.get_tx(posted["tx_id"])["tx"]["op"]["kind"] == "PostPending"
        assert client.verify_receipt(client.receipt(posted["tx_id"]))["valid"] is True

        many = client.submit_many([ledger.sign("eurosend", Transfer((Leg(payer, payee, n, "EUR"),)))
                                   for n in (100, 9_999)])
        assert [(r["status"], r["code"]) for r in many] == [(200, 0), (422, 4001)]
        assert payer in [a["id"] for a in client.accounts(limit=500)["accounts"]]
        assert client.blocks(limit=1)["blocks"][0]["height"] >= posted["height"]
        assert client.block(posted["height"])["header"]["height"] == posted["height"]
        assert client.genesis()["network"] == ledger.net.node.genesis.network
        assert client.health()["status"] == "ok"

        with pytest.raises(HttpProblem) as rejected:
            client.submit(ledger.sign("eurosend", Transfer((Leg(payer, payee, 10**9, "EUR"),))))
        assert (rejected.value.status, rejected.value.code) == (422, 4001)
        assert rejected.value.in_chain and rejected.value.height and rejected.value.tx_id
        with pytest.raises(HttpProblem) as refused:
            client.submit(b"junk")
        assert (refused.value.status, refused.value.code, refused.value.in_chain) == (400, 3101, False)
    with LedgerHttpClient(ledger.base_url, "wrong-token") as stranger, pytest.raises(HttpProblem) as denied:
        stranger.accounts()
    assert (denied.value.status, denied.value.code) == (401, 3040)


def test_serve_in_thread_stops_promptly_even_with_an_open_event_stream(ledger):
    app = create_app(ledger.net)  # its own app: stopping ends the app's event streams for good
    served, port = serve_in_thread(app)
    with served:
        assert served.port == port and httpx.get(f"{served.base_url}/health").status_code == 200
        with ledger.http("cbr") as http, http.stream("GET", f"{served.base_url}/v1/events") as stream:
            started_s = time.monotonic()
            served.stop()
            assert b"".join(stream.iter_raw()).startswith(b"retry:")  # the stream ended, not cut off
            assert time.monotonic() - started_s < 2.0
    assert not served.thread.is_alive() and app.state.api.event_streams == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
