"""A quote takes the answer of the customer's look-up just before it, once: one remittance is one look-up in
the directory operator's audit log, and any other quote still asks the operator."""

from __future__ import annotations

from tests.remit_flow.conftest import Flow


def _audited(flow: Flow, number: str) -> int:
    return len(flow.operator.store.audit_page(100, member="eurosend", msisdn=number))


def test_a_quote_after_its_look_up_asks_the_directory_once(flow: Flow) -> None:
    number = flow.wallet()
    with flow.client("eurosend") as client:
        client.lookup(number)
        assert _audited(flow, number) == 1
        client.quote(number, "SEND", 10_000, "EUR")
        assert _audited(flow, number) == 1  # the look-up's answer, taken by its quote
        client.quote(number, "SEND", 10_000, "EUR")
        assert _audited(flow, number) == 2  # taken once only: a second quote asks again
        client.lookup(number)
        client.lookup(number)
        assert _audited(flow, number) == 4  # a look-up always asks
