"""Top-ups by card against the real card acquirer simulator on loopback: the QR server opens a payment
session, the card form is posted to the simulator, the simulator calls back (signed) and the service asks it
before any money moves. Approve, decline, timeout, duplicate, late, lost, replayed and forged callbacks, a
callback about another wallet's payment, and a credit the ledger refuses (the card payment is refunded)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator
from typing import Any

import pytest

from inzira.demo.setup import demo_keyring
from inzira.ledger.tx import SetFrozen
from inzira.qr.api.answers import TopUpOut
from inzira.sim.card import SIGNATURE_HEADER, Behaviour, RunningCardSim, signature
from tests.qr_pay.conftest import CARD_CALL_TIMEOUT_MS
from tests.qr_pay.helpers import Qr, ok, pay_by_card, problem

WAIT_S = 15.0
DECLINED_CARD = "4000000000000002"
TIMEOUT_CARD = "4000000000000408"
NOTIFICATIONS = "/v1/qr/card-notifications"
CONCURRENT_CHECKS = 8


@pytest.fixture
def sim(qr: Qr) -> Iterator[RunningCardSim]:
    """silkpay's acquirer, its behaviour put back after the test."""
    running = qr.card_sim()
    yield running
    running.admin.set_behaviour(Behaviour())


def topup_path(wallet: dict[str, Any], topup_id: str) -> str:
    return f"/v1/qr/wallets/{wallet['wallet_id']}/topups/{topup_id}"


def wait_for(qr: Qr, wallet: dict[str, Any], topup_id: str, *statuses: str) -> dict[str, Any]:
    """The top-up once it reaches one of ``statuses`` (moved on by callbacks only: this reads, never checks)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        topup = ok(qr.visitor(wallet).get(topup_path(wallet, topup_id)))
        if topup["status"] in statuses:
            return topup
        if time.monotonic() > deadline:
            raise AssertionError(f"top-up {topup_id} is still {topup['status']}, not {statuses}")
        time.sleep(0.02)


def deliveries(sim: RunningCardSim, reference: str, answered: int = 200) -> list[Any]:
    return [c for c in sim.admin.callbacks(200) if json.loads(c.body)["data"]["reference"] == reference
            and c.status_code == answered]


def wait_for_deliveries(sim: RunningCardSim, reference: str, count: int) -> list[Any]:
    deadline = time.monotonic() + WAIT_S
    while len(found := deliveries(sim, reference)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(found)} callbacks about {reference} answered 200, not {count}")
        time.sleep(0.02)
    return found


def history_refs(qr: Qr, wallet: dict[str, Any]) -> list[str]:
    history = ok(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}/history"))
    return [e["ref_id"] for e in history["entries"]]


def callback(qr: Qr, body: dict[str, Any], secret: str, at_ms: int | None = None, issuer: str = "silkpay") -> Any:
    raw = json.dumps(body).encode()
    stamp = at_ms if at_ms is not None else time.time_ns() // 1_000_000
    return qr.client().post(f"{NOTIFICATIONS}/{issuer}", content=raw,
                            headers={SIGNATURE_HEADER: signature(secret, raw, stamp),
                                     "Content-Type": "application/json"})


def claim(topup: dict[str, Any], session_id: str, status: str = "authorized") -> dict[str, Any]:
    """A callback body as the acquirer sends it, saying what the sender likes."""
    return {"id": "evt_forged", "type": f"payment.{status}", "created_at_ms": 0,
            "data": {"session_id": session_id, "reference": topup["topup_id"], "payment_id": "cp_" + "0" * 24,
                     "status": status, "reason": None, "amount_minor": topup["amount_minor"],
                     "currency": topup["currency"]}}


def session_of(sim: RunningCardSim, topup: dict[str, Any]) -> str:
    return topup["card_form_url"].rsplit("/", 1)[1]


def test_approved_card_credits_the_wallet_once_the_callback_is_confirmed(qr: Qr, sim: RunningCardSim) -> None:
    wallet = qr.wallet("CNY")
    float_before = qr.balance("silkpay:cny")
    opened = qr.open_top_up(wallet, 1_234_56)
    TopUpOut.model_validate(opened)
    assert opened["status"] == "awaiting_card" and opened["card_form_url"].startswith(sim.base_url)
    pay_by_card(opened["card_form_url"], "5555 5555 5555 4444")
    done = wait_for(qr, wallet, opened["topup_id"], "completed")  # the callback, confirmed by a query
    assert done["card"] == {"brand": "mastercard", "last4": "4444"} and done["payment_id"].startswith("cp_")
    assert done["code"] == 0 and done["height"] > 0 and done["tx_id"]
    assert qr.balance(wallet["account"]) == 1_234_56 and qr.balance("silkpay:cny") == float_before - 1_234_56
    assert history_refs(qr, wallet) == [opened["topup_id"]]
    assert sim.admin.session(session_of(sim, opened)).status == "authorized"


def test_declined_card_moves_nothing_and_says_why(qr: Qr, sim: RunningCardSim) -> None:
    wallet = qr.wallet("USD")
    float_before = qr.balance("silkpay:usd")
    opened = qr.open_top_up(wallet, 50_00)
    pay_by_card(opened["card_form_url"], DECLINED_CARD)
    declined = wait_for(qr, wallet, opened["topup_id"], "declined")
    assert declined["reason"] == "card_declined" and declined["tx_id"] is None
    assert ok(qr.check(wallet, opened["topup_id"]))["status"] == "declined"  # asking again changes nothing
    sim.admin.set_behaviour(Behaviour(forced="decline", decline_reason="insufficient_funds"))
    forced = qr.open_top_up(wallet, 50_00)
    pay_by_card(forced["card_form_url"], "4242424242424242")  # a good card, refused by the injected failure
    assert wait_for(qr, wallet, forced["topup_id"], "declined")["reason"] == "insufficient_funds"
    assert qr.balance(wallet["account"]) == 0 and qr.balance("silkpay:usd") == float_before
    assert history_refs(qr, wallet) == []


def test_card_timeout_is_pending_then_timed_out_and_moves_nothing(qr: Qr, sim: RunningCardSim) -> None:
    sim.admin.set_behaviour(Behaviour(auth_timeout_ms=3_000))  # long enough to see it pending, even on a busy machine
    wallet = qr.wallet("CNY")
    opened = qr.open_top_up(wallet, 80_00)
    pay_by_card(opened["card_form_url"], TIMEOUT_CARD)
    assert ok(qr.check(wallet, opened["topup_id"]))["status"] == "pending"
    timed_out = wait_for(qr, wallet, opened["topup_id"], "timed_out")  # the acquirer's callback says so
    assert timed_out["reason"] == "issuer_timeout" and timed_out["card"]["last4"] == "0408"
    assert qr.balance(wallet["account"]) == 0 and history_refs(qr, wallet) == []


def test_duplicate_callbacks_credit_once(qr: Qr, sim: RunningCardSim) -> None:
    sim.admin.set_behaviour(Behaviour(callback_copies=3))
    wallet = qr.wallet("CNY")
    float_before = qr.balance("silkpay:cny")
    opened = qr.open_top_up(wallet, 300_00)
    pay_by_card(opened["card_form_url"], "4242424242424242")
    copies = wait_for_deliveries(sim, opened["topup_id"], 3)  # all three answered 200
    assert len({c.event_id for c in copies}) == 1
    assert ok(qr.check(wallet, opened["topup_id"]))["status"] == "completed"
    assert qr.balance(wallet["account"]) == 300_00 and qr.balance("silkpay:cny") == float_before - 300_00
    assert history_refs(qr, wallet) == [opened["topup_id"]]


def test_concurrent_checks_and_callbacks_credit_once(qr: Qr, sim: RunningCardSim) -> None:
    sim.admin.set_behaviour(Behaviour(callback_copies=2))
    wallet = qr.wallet("USD")
    opened = qr.open_top_up(wallet, 25_00)
    pay_by_card(opened["card_form_url"], "4242424242424242")
    with ThreadPoolExecutor(CONCURRENT_CHECKS) as pool:
        answers = list(pool.map(lambda _: qr.check(wallet, opened["topup_id"]), range(CONCURRENT_CHECKS)))
    # Whichever of them (or of the callbacks) credits it, each waits for the credit's verdict.
    assert [(a.status_code, a.json()["status"]) for a in answers] == [(200, "completed")] * CONCURRENT_CHECKS
    wait_for_deliveries(sim, opened["topup_id"], 2)
    assert qr.balance(wallet["account"]) == 25_00 and history_refs(qr, wallet) == [opened["topup_id"]]


def test_late_and_lost_callbacks_the_check_confirms_and_the_late_one_changes_nothing(
        qr: Qr, sim: RunningCardSim) -> None:
    wallet = qr.wallet("CNY")
    sim.admin.set_behaviour(Behaviour(callbacks_off=True))
    lost = qr.open_top_up(wallet, 10_00)
    pay_by_card(lost["card_form_url"], "4242424242424242")
    assert ok(qr.visitor(wallet).get(topup_path(wallet, lost["topup_id"])))["status"] == "awaiting_card"
    assert ok(qr.check(wallet, lost["topup_id"]))["status"] == "completed"  # the visitor came back: asked

    sim.admin.set_behaviour(Behaviour(callback_delay_ms=300))
    late = qr.open_top_up(wallet, 20_00)
    pay_by_card(late["card_form_url"], "4242424242424242")
    assert ok(qr.check(wallet, late["topup_id"]))["status"] == "completed"
    wait_for_deliveries(sim, late["topup_id"], 1)  # the late callback came, and was answered 200
    assert qr.balance(wallet["account"]) == 30_00
    assert history_refs(qr, wallet) == [late["topup_id"], lost["topup_id"]]


def test_replayed_callback_changes_nothing_and_an_old_one_is_refused(qr: Qr, sim: RunningCardSim) -> None:
    wallet = qr.wallet("CNY")
    opened = qr.open_top_up(wallet, 40_00)
    pay_by_card(opened["card_form_url"], "4242424242424242")
    [sent] = wait_for_deliveries(sim, opened["topup_id"], 1)
    replay = qr.client().post(f"{NOTIFICATIONS}/silkpay", content=sent.body.encode(),
                              headers={SIGNATURE_HEADER: sent.signature, "Content-Type": "application/json"})
    assert ok(replay) == {"received": True, "topup_id": opened["topup_id"], "status": "completed"}
    secret = sim.config.webhook_secret
    an_hour_ago = time.time_ns() // 1_000_000 - 3_600_000
    problem(callback(qr, json.loads(sent.body), secret, at_ms=an_hour_ago), 401, 3105)
    assert qr.balance(wallet["account"]) == 40_00 and history_refs(qr, wallet) == [opened["topup_id"]]


def test_forged_callbacks_move_nothing(qr: Qr, sim: RunningCardSim) -> None:
    wallet = qr.wallet("CNY")
    opened = qr.open_top_up(wallet, 500_00)  # never paid
    session_id = session_of(sim, opened)
    body = claim(opened, session_id)
    problem(callback(qr, body, "whsec_" + "x" * 30), 401, 3105)  # not the issuer's secret
    raw = json.dumps(body).encode()
    unsigned = qr.client().post(f"{NOTIFICATIONS}/silkpay", content=raw)
    problem(unsigned, 401, 3105)
    tampered = qr.client().post(f"{NOTIFICATIONS}/silkpay", content=raw.replace(b"500", b"900"), headers={
        SIGNATURE_HEADER: signature(sim.config.webhook_secret, raw, time.time_ns() // 1_000_000)})
    problem(tampered, 401, 3105)
    # Even signed with the real secret (as if it leaked), a claim is only a reason to ask the acquirer.
    answered = ok(callback(qr, body, sim.config.webhook_secret))
    assert answered["status"] == "awaiting_card"
    assert qr.balance(wallet["account"]) == 0 and history_refs(qr, wallet) == []
    problem(callback(qr, body, sim.config.webhook_secret, issuer="mobimo"), 404, 3255)  # no acquirer of its own


def test_a_callback_about_another_wallets_payment_credits_nobody_else(qr: Qr, sim: RunningCardSim) -> None:
    payer, other = qr.wallet("CNY"), qr.wallet("CNY")
    paid = qr.open_top_up(payer, 60_00)
    pay_by_card(paid["card_form_url"], "4242424242424242")
    wait_for(qr, payer, paid["topup_id"], "completed")
    waiting = qr.open_top_up(other, 60_00)
    secret = sim.config.webhook_secret
    # The paid session named under the other wallet's top-up: not that top-up's session.
    problem(callback(qr, claim(waiting, session_of(sim, paid)), secret), 404, 3255)
    # The other top-up's own session: the acquirer says it is still open.
    assert ok(callback(qr, claim(waiting, session_of(sim, waiting)), secret))["status"] == "awaiting_card"
    # And the paid one, again: credited already, nothing more.
    assert ok(callback(qr, claim(paid, session_of(sim, paid)), secret))["status"] == "completed"
    assert qr.balance(other["account"]) == 0 and history_refs(qr, other) == []
    assert qr.balance(payer["account"]) == 60_00 and history_refs(qr, payer) == [paid["topup_id"]]
    problem(qr.visitor(other).get(topup_path(other, paid["topup_id"])), 404, 3255)  # not its top-up to see


def test_a_credit_the_ledger_refuses_is_refunded_to_the_card(qr: Qr, sim: RunningCardSim) -> None:
    wallet = qr.wallet("CNY")
    float_before = qr.balance("silkpay:cny")
    opened = qr.open_top_up(wallet, 70_00)
    runtime = qr.server.runtime
    assert runtime is not None
    regulator = demo_keyring(qr.server.data_dir).port(runtime, "cbr")  # the test acts as the central bank
    assert regulator.execute(SetFrozen(wallet["account"], True)).code == 0  # the regulator freezes it
    try:
        pay_by_card(opened["card_form_url"], "4242424242424242")
        refunded = wait_for(qr, wallet, opened["topup_id"], "refunded")
    finally:
        assert regulator.execute(SetFrozen(wallet["account"], False)).code == 0
    assert refunded["code"] == 5400 and "the card payment was refunded" in refunded["reason"]
    assert sim.admin.session(session_of(sim, opened)).status == "refunded"
    assert qr.balance(wallet["account"]) == 0 and qr.balance("silkpay:cny") == float_before
    assert ok(qr.check(wallet, opened["topup_id"]))["status"] == "refunded"


def test_a_slow_acquirer_moves_nothing(qr: Qr, sim: RunningCardSim) -> None:
    wallet = qr.wallet("CNY")
    opened = qr.open_top_up(wallet, 90_00)
    sim.admin.set_behaviour(Behaviour(callbacks_off=True))  # before paying: no callback can credit it first
    pay_by_card(opened["card_form_url"], "4242424242424242")
    sim.admin.set_behaviour(Behaviour(api_delay_ms=2 * CARD_CALL_TIMEOUT_MS, callbacks_off=True))
    unanswered = problem(qr.check(wallet, opened["topup_id"]), 503, 2003)  # asked, no answer in time
    assert unanswered["topup_id"] == opened["topup_id"]
    assert qr.balance(wallet["account"]) == 0
    refused = problem(qr.visitor(wallet).post(f"/v1/qr/wallets/{wallet['wallet_id']}/topups",
                                              json={"amount_minor": 10_00}), 503, 2003)
    assert ok(qr.visitor(wallet).get(topup_path(wallet, refused["topup_id"])))["status"] == "failed"
    sim.admin.set_behaviour(Behaviour())
    assert ok(qr.check(wallet, opened["topup_id"]))["status"] == "completed"  # the acquirer answers again
    assert qr.balance(wallet["account"]) == 90_00


def test_limits_per_top_up_and_per_day(qr: Qr) -> None:
    wallet = qr.wallet("CNY")
    limits = qr.server.settings
    path = f"/v1/qr/wallets/{wallet['wallet_id']}/topups"
    problem(qr.visitor(wallet).post(path, json={"amount_minor": limits.topup_minor_max + 1}), 400, 3100)
    qr.open_top_up(wallet, limits.topup_minor_max)
    qr.open_top_up(wallet, limits.topup_day_minor_max - limits.topup_minor_max)  # open forms count too
    over = problem(qr.visitor(wallet).post(path, json={"amount_minor": 1}), 422, 4240)
    assert over["limit_minor"] == limits.topup_day_minor_max and over["used_minor"] == limits.topup_day_minor_max
    problem(qr.visitor(wallet).post(path, json={"amount_minor": 1, "return_url": "javascript:alert(1)"}), 400, 3100)
    problem(qr.client(qr.tokens["mobimo"]).post(path, json={"amount_minor": 1}), 404, 3252)  # not its wallet
