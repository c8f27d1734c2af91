"""Payout confirmation by the operator's callback (MTN's X-Callback-Url), and callbacks nobody may forge.

The flow's service gives the operator a callback URL per payout (``connect_payout_callbacks``): a payout the
operator finishes is committed on its callback, without asking the operator for the status (without a
callback URL, it asks); a POST to a
callback URL whose token was not made for that payout, or whose body is about another payout, changes
nothing.
"""

from __future__ import annotations

import time

import httpx

from inzira.money import format_decimal
from inzira.remit.payout import reference_id_from
from inzira.remit.payout_callbacks import callback_token
from inzira.sim.momo import Behaviour, ForcedOutcome
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import WAIT_MS, problem, send_body

POLL_S = 0.05
SEEN_TIMEOUT_S = 10.0


def _quote(http: httpx.Client, number: str, amount_minor: int = 20_000) -> dict:
    response = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                    "currency": "EUR", "amount_minor": amount_minor})
    assert response.status_code == 201, response.text
    return response.json()


def _paid_detail(flow: Flow, number: str) -> str:
    """Send to ``number`` and wait: the detail of the committed transfer's PAYOUT_SUCCESSFUL step."""
    with flow.http("eurosend") as http:
        quote = _quote(http, number)
        response = http.post("/v1/remit/transfers", json=send_body(quote["quote_id"]), params={"wait_ms": WAIT_MS})
    assert response.status_code == 201, response.text
    view = response.json()
    assert view["state"] == "COMMITTED" and view["payout"]["status"] == "SUCCESSFUL", view
    paid = [s["detail"] for s in view["timeline"] if s["step"] == "PAYOUT_SUCCESSFUL"]
    assert len(paid) == 1, view["timeline"]
    return paid[0]


def test_payout_is_committed_on_the_operators_callback_without_polling(flow: Flow) -> None:
    number = flow.wallet()
    sim = flow.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(latency_ms=150))  # the operator pays after a while, then calls back
    try:
        assert _paid_detail(flow, number).endswith("the operator called back")
    finally:
        sim.admin.set_behaviour(Behaviour())


def test_without_a_callback_url_the_payout_is_polled(flow: Flow) -> None:
    number = flow.wallet()
    callbacks = flow.service.agents["mobimo"].payout_flow.callbacks
    base_url, callbacks.base_url = callbacks.base_url, None  # a deployment that set none
    try:
        assert _paid_detail(flow, number).endswith("the operator answered")
    finally:
        callbacks.base_url = base_url


def _awaited_payout(flow: Flow, http: httpx.Client, number: str) -> tuple[str, str]:
    """Send to a wallet whose payout stays pending at the operator; (transfer id, payout reference id)."""
    quote = _quote(http, number)
    body = send_body(quote["quote_id"], expires_in_ms=3_000)
    response = http.post("/v1/remit/transfers", json=body)
    assert response.status_code == 201, response.text
    pending_id = bytes.fromhex(response.json()["pending_id"])
    deadline = time.monotonic() + SEEN_TIMEOUT_S
    while flow.service.payouts.get(pending_id) is None:  # the receiving FSP has asked the operator to pay
        assert time.monotonic() < deadline, "the payout never started"
        time.sleep(POLL_S)
    return body["transfer_id"], reference_id_from(pending_id)


def test_forged_callbacks_are_refused_and_change_nothing(flow: Flow) -> None:
    number = flow.wallet()
    sim = flow.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "pending"),)))  # never pays
    agent = flow.service.agents["mobimo"]
    try:
        with flow.http("eurosend") as http, httpx.Client(base_url=flow.base_url) as anyone:
            transfer_id, reference_id = _awaited_payout(flow, http, number)
            paid = {"amount": "1", "currency": "RWF", "externalId": "x", "status": "SUCCESSFUL",
                    "payee": {"partyIdType": "MSISDN", "partyId": number[1:]}, "financialTransactionId": "1"}
            # A guessed token, and a token made for another payout: refused, whatever the payout.
            guessed = f"/v1/remit/payouts/mobimo/callbacks/{reference_id}/{'0' * 64}"
            problem(anyone.post(guessed, json=paid), 403, 4300)
            other = reference_id_from(b"another payout")
            borrowed = f"/v1/remit/payouts/mobimo/callbacks/{reference_id}/{callback_token(agent.secret, other)}"
            problem(anyone.post(borrowed, json=paid), 403, 4300)
            # The genuine URL (as the operator holds it) with a body about another amount: refused.
            genuine = agent.payout_flow.callbacks.url(reference_id)
            assert genuine is not None and genuine.startswith(flow.base_url)
            problem(anyone.post(genuine.removeprefix(flow.base_url), json=paid), 400, 3100)
            problem(anyone.post(genuine.removeprefix(flow.base_url), content=b"not json"), 400, 3100)
            # Its amount and currency, but another external id, or a party of another type: refused as well.
            payout = agent.payout_flow.callbacks.awaited(reference_id)
            assert payout is not None
            as_asked = {**paid, "amount": format_decimal(payout.amount_minor, payout.currency, grouping=False),
                        "currency": payout.currency, "externalId": payout.quote_id}
            for lie in ({"externalId": "another-payout"}, {"payee": {"partyIdType": "EMAIL", "partyId": number[1:]}}):
                problem(anyone.post(genuine.removeprefix(flow.base_url), json={**as_asked, **lie}), 400, 3100)
            # Nothing was paid, so nothing commits: the transfer expires and the money goes back.
            ended = http.get(f"/v1/remit/transfers/{transfer_id}", params={"wait_ms": WAIT_MS}).json()
    finally:
        sim.admin.set_behaviour(Behaviour())
    assert ended["state"] == "ABORTED" and ended["code"] == 3303, ended
