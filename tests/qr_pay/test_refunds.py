"""Refunds: full or partial, never more than was paid in total, back to the wallet in its currency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from inzira.ledger.receipt import verify_receipt
from inzira.qr.api.answers import RefundOut
from tests.qr_pay.helpers import Qr, created, ok, problem


def _refund(qr: Qr, merchant: dict, payment_id: str, **body: object):  # type: ignore[no-untyped-def]
    return qr.pos(merchant).post(f"/v1/qr/merchants/{merchant['merchant_id']}/payments/{payment_id}/refunds",
                                 json=body)


def test_full_refund_goes_back_to_the_wallet_at_a_fresh_quote(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 100_000)
    payment = qr.quote_and_pay(wallet, qr.bill(merchant, 20_000)["payload"])
    wallet_before = qr.balance(wallet["account"])
    refund = created(_refund(qr, merchant, payment["payment_id"], reason="returned goods"))
    RefundOut.model_validate(refund)
    assert refund["amount_minor"] == 20_000 and refund["status"] == "completed"
    assert refund["wallet_currency"] == "CNY" and 0 < refund["wallet_amount_minor"] <= payment["wallet_amount_minor"]
    assert qr.balance(merchant["account"]) == 0
    assert qr.balance(wallet["account"]) == wallet_before + refund["wallet_amount_minor"]
    history = ok(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}/history"))["entries"]
    assert [e["kind"] for e in history] == ["refund", "payment", "topup"]
    assert history[0]["amount_minor"] == refund["wallet_amount_minor"] and history[0]["price_minor"] == 20_000
    seen = ok(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}/payments/{payment['payment_id']}"))
    assert seen["refunded_minor"] == 20_000 and seen["refunds"][0]["refund_id"] == refund["refund_id"]
    tx = qr.node.tx(bytes.fromhex(refund["tx_id"]))
    assert tx is not None and tx.result.code == 0
    assert verify_receipt(qr.node.receipt(tx.tx_id) or {}, qr.genesis)["signers"] == ["ubumwe"]


def test_partial_refunds_never_exceed_what_was_paid(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("USD", 100_000)
    payment = qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 10_000)
    first = created(_refund(qr, merchant, payment["payment_id"], amount_minor=3_000))
    assert first["amount_minor"] == 3_000
    over = problem(_refund(qr, merchant, payment["payment_id"], amount_minor=7_001), 409, 3156)
    assert over["refundable_minor"] == 7_000
    rest = created(_refund(qr, merchant, payment["payment_id"]))  # no amount: all that is left
    assert rest["amount_minor"] == 7_000
    problem(_refund(qr, merchant, payment["payment_id"], amount_minor=1), 409, 3156)
    assert qr.balance(merchant["account"]) == 0


def test_concurrent_refunds_cannot_take_more_than_was_paid(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 100_000)
    payment = qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 9_000)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: _refund(qr, merchant, payment["payment_id"], amount_minor=4_000), range(4)))
    assert sorted(a.status_code for a in answers) == [201, 201, 409, 409]
    assert qr.balance(merchant["account"]) == 1_000


def test_refund_refusals(qr: Qr) -> None:
    merchant, other, wallet = qr.merchant(), qr.merchant("Other"), qr.wallet("CNY", 50_000)
    payment = qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 1_000)
    problem(_refund(qr, other, payment["payment_id"]), 404, 3254)  # not the other merchant's payment
    problem(_refund(qr, merchant, "pay_0000000000000000"), 404, 3254)
    problem(qr.visitor(wallet).post(f"/v1/qr/merchants/{merchant['merchant_id']}/payments/"
                                    f"{payment['payment_id']}/refunds", json={}), 404, 3250)
