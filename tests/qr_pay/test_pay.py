"""Paying a merchant's QR: static with an entered amount, dynamic once; one atomic transfer with the FX
quote, the merchant reference as memo, and a receipt that verifies offline."""

from __future__ import annotations

import base64
import struct

from inzira.ledger.receipt import verify_receipt
from inzira.ledger.tx import Transfer, decode_body, decode_signed
from inzira.qr.api.answers import PaymentOut, QuoteOut, ScanOut
from tests.qr_pay.helpers import Qr, created, ok, problem


def test_static_qr_with_the_amount_the_visitor_enters(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 100_000)
    payload = merchant["static_qr"]["payload"]
    scan = ok(qr.visitor(wallet).post("/v1/qr/decode", json={"payload": payload}, params={"details": "true"}))
    ScanOut.model_validate(scan)
    assert scan["kind"] == "static" and scan["amount_required"] and scan["profile"] == "strict"
    assert scan["merchant"]["merchant_id"] == merchant["merchant_id"] and scan["emv"]["merchant_name"]
    assert "emv" not in ok(qr.visitor(wallet).post("/v1/qr/decode", json={"payload": payload}))
    problem(qr.quote(wallet, payload), 400, 3153)  # a static QR needs the amount
    quote = created(qr.quote(wallet, payload, 12_000))
    QuoteOut.model_validate(quote)
    assert quote["amount_minor"] == 12_000 and quote["wallet_currency"] == "CNY"
    assert quote["margin_percent"] == "1.5000" and quote["fx_margin_minor"] > 0
    assert quote["expires_at_ms"] - quote["created_at_ms"] == 60_000
    before = {a: qr.balance(a) for a in (wallet["account"], merchant["account"], "imari-fx:cny", "imari-fx:rwf")}
    payment = created(qr.pay(wallet, quote["quote_id"]))
    PaymentOut.model_validate(payment)
    assert payment["status"] == "completed" and payment["memo"] == merchant["merchant_id"]
    paid = quote["wallet_amount_minor"]
    assert qr.balance(wallet["account"]) == before[wallet["account"]] - paid
    assert qr.balance("imari-fx:cny") == before["imari-fx:cny"] + paid
    assert qr.balance("imari-fx:rwf") == before["imari-fx:rwf"] - 12_000
    assert qr.balance(merchant["account"]) == before[merchant["account"]] + 12_000


def test_dynamic_qr_is_one_atomic_transfer_signed_by_the_issuer_with_the_quote(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("USD", 50_000)
    bill = qr.bill(merchant, 30_000, bill_number="TABLE-4")
    scan = ok(qr.visitor(wallet).post("/v1/qr/decode", json={"payload": bill["payload"]}))
    assert scan["kind"] == "dynamic" and scan["amount_minor"] == 30_000 and scan["bill"]["status"] == "open"
    payment = qr.quote_and_pay(wallet, bill["payload"])
    assert payment["bill_number"] == "TABLE-4" and payment["memo"] == f"{merchant['merchant_id']}/TABLE-4"
    receipt = ok(qr.visitor(wallet).get(payment["receipt_url"]))
    summary = verify_receipt(receipt, qr.genesis)  # offline: nothing but the genesis
    assert summary["code"] == 0 and summary["signers"] == ["silkpay"] and summary["tx_id"] == payment["tx_id"]
    body = decode_body(decode_signed(base64.b64decode(receipt["tx"])).body)
    op = body.op
    assert isinstance(op, Transfer) and op.expires_at_ms == 0 and len(op.quotes) == 1
    assert [(leg.debit, leg.credit, leg.currency) for leg in op.legs] == [
        (wallet["account"], "imari-fx:usd", "USD"), ("imari-fx:rwf", merchant["account"], "RWF")]
    assert op.legs[1].amount_minor == 30_000 and op.legs[0].amount_minor == payment["wallet_amount_minor"]
    status = ok(qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}/bills/{bill['bill_id']}"))
    assert status["status"] == "paid" and status["payment"]["payment_id"] == payment["payment_id"]


def test_paying_the_same_quote_again_answers_the_same_payment(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 100_000)
    quote = created(qr.quote(wallet, merchant["static_qr"]["payload"], 5_000))
    first = created(qr.pay(wallet, quote["quote_id"]))
    second = created(qr.pay(wallet, quote["quote_id"]))
    assert first["payment_id"] == second["payment_id"]
    assert qr.balance(merchant["account"]) == 5_000  # paid once
    problem(qr.pay(qr.wallet(), quote["quote_id"]), 404, 3253)  # another wallet cannot use it


def test_decode_image_upload(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet()
    bill = qr.bill(merchant, 9_900)
    png = qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}/bills/{bill['bill_id']}/qr.png").content
    scan = ok(qr.visitor(wallet).post("/v1/qr/decode/image", content=png, headers={"Content-Type": "image/png"}))
    assert scan["payloads"] == [bill["payload"]] and scan["bill"]["bill_id"] == bill["bill_id"]
    for damaged in (b"not an image", png[:24], png[:33] + struct.pack(">I", 16) + png[37:]):
        problem(qr.visitor(wallet).post("/v1/qr/decode/image", content=damaged,
                                        headers={"Content-Type": "image/png"}), 400, 3150)
    problem(qr.visitor(wallet).post("/v1/qr/decode/image", content=png, headers={"Content-Type": "text/plain"}),
            415, 3000)
