"""A remittance's reservation keeps within the ledger's quote grace (quote_hold_after_max_ms): sent at its
quote's last moment with the longest expiry a customer may ask, it commits; under a ledger whose grace is
shorter than the asked expiry, the service asks for no more than the ledger holds, and it still commits."""

from __future__ import annotations

import uuid

import msgspec

from inzira.ledger.tx import Transfer, decode_body, decode_quote, decode_signed
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import WAIT_MS


def _held_past_quote_ms(flow: Flow, view: dict) -> int:
    """How long after its FX quote's end the ledger holds the transfer's reservation."""
    pending_id = bytes.fromhex(view["pending_id"])
    op = decode_body(decode_signed(flow.net.node.tx(pending_id).raw).body).op
    assert type(op) is Transfer and len(op.quotes) == 1
    return flow.net.node.pending(pending_id).expires_at_ms - decode_quote(op.quotes[0].body).expires_at_ms


def test_a_transfer_sent_as_its_quote_ends_with_the_longest_expiry_commits(flow: Flow) -> None:
    number = flow.wallet("mobimo", "Aline", "Mukamana")
    longest_ms = flow.service.settings.transfer_ttl_ms_max
    assert longest_ms <= flow.net.node.state.policy.quote_hold_after_max_ms  # the defaults agree
    with flow.client("eurosend") as client:
        quote = client.quote(number, "SEND", 5_000, "EUR")
        flow.clock.offset_ms = quote["expires_at_ms"] - quote["created_at_ms"] - 3_000  # 3 s of quote left
        try:
            view = client.send(str(uuid.uuid4()), quote["quote_id"], "cust-hold-1", "Marie Dupont",
                               "Aline Mukamana", wait_ms=WAIT_MS, expires_in_ms=longest_ms)
        finally:
            flow.clock.offset_ms = 0
    assert view["state"] == "COMMITTED", view
    assert 0 < _held_past_quote_ms(flow, view) <= flow.net.node.state.policy.quote_hold_after_max_ms
    flow.net.node.state.check_invariants()


def test_under_a_shorter_ledger_grace_the_service_asks_no_more_than_the_ledger_holds(flow: Flow) -> None:
    number = flow.wallet("ubumwe", "Eric", "Habimana")
    state = flow.net.node.state
    policy = state.policy
    state.policy = msgspec.structs.replace(policy, quote_hold_after_max_ms=5_000)  # a network's own genesis
    try:
        with flow.client("eurosend") as client:
            quote = client.quote(number, "SEND", 5_000, "EUR")
            view = client.send(str(uuid.uuid4()), quote["quote_id"], "cust-hold-2", "Marie Dupont",
                               "Eric Habimana", wait_ms=WAIT_MS, expires_in_ms=600_000)
        assert view["state"] == "COMMITTED", view
        assert _held_past_quote_ms(flow, view) == 5_000
    finally:
        state.policy = policy
    state.check_invariants()
