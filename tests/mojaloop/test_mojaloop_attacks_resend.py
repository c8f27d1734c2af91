"""A resend is the same request by its content, not by its bytes: a hub or proxy may forward a body formatted
otherwise (Mojaloop's switch parses each body and serializes it again), and its JWS check accepts the body
serialized compactly. Were a formatting change a "modified request", the gateway would send the hub
``PUT /transfers/{ID}/error`` 3106 about a transfer it is paying, and the hub would abort that transfer.

A real demo and the recording hub of payee_env.
"""

from __future__ import annotations

import json

from tests.mojaloop.payee_env import bench, quote_body, transfer_body  # noqa: F401 (fixture)


def _spaced(body: dict) -> bytes:
    return json.dumps(body, indent=2).encode()


def test_a_quote_resent_with_other_whitespace_gets_the_same_quote(bench):
    quote = quote_body(amount="800")
    assert bench.send("POST", "/quotes", "quotes", json.dumps(quote, separators=(",", ":")).encode()).status_code == 202
    first = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    assert bench.send("POST", "/quotes", "quotes", _spaced(quote)).status_code == 202
    again = bench.hub.take_either(f"/quotes/{quote['quoteId']}", f"/quotes/{quote['quoteId']}/error")
    assert again.path == f"/quotes/{quote['quoteId']}" and again.body == first


def test_a_transfer_resent_with_other_whitespace_is_a_resend_not_a_modified_request(bench):
    quote = quote_body(amount="850")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    transfer = transfer_body(quote, bench.hub.take(f"/quotes/{quote['quoteId']}").body)
    raw = json.dumps(transfer, separators=(",", ":")).encode()
    assert bench.send("POST", "/transfers", "transfers", raw).status_code == 202
    path = f"/transfers/{transfer['transferId']}"
    committed = bench.hub.take(path).body
    assert committed["transferState"] == "COMMITTED"
    assert bench.send("POST", "/transfers", "transfers", _spaced(transfer)).status_code == 202
    again = bench.hub.take_either(path, f"{path}/error")
    assert again.path == path and again.body == committed
    changed = json.dumps({**transfer, "expiration": "2099-01-01T00:00:00.000Z"}).encode()
    assert bench.send("POST", "/transfers", "transfers", changed).status_code == 202  # content that differs
    assert bench.hub.take(f"{path}/error").body["errorInformation"]["errorCode"] == "3106"
