"""Text a member writes and another party reads (the visitor reads a merchant's location and name in another
language, and a refund's reason; the screener reads a wallet holder's name) carries no control or format
character: a bidi override shows "Deli" reversed, an escape sequence rewrites a terminal, and a zero-width
space joins two words so that the screener no longer sees a listed name."""

from __future__ import annotations

from typing import Any

from tests.qr_pay.helpers import Qr, created, ok, problem

TRICKS = ("Deli\u202eileD", "KG 7\x00Ave", "Ki\x1b[2Jgali", "Deli\u200bShop", "Deli\u2066x", "Deli\nShop")
BASE = {"name": "Kigali Deli", "city": "Kigali", "mcc": "5812", "location": "KG 7 Ave"}


def _onboard(qr: Qr, **fields: Any) -> Any:
    return qr.ubumwe.post("/v1/qr/merchants", json={**BASE, **fields})


def test_a_merchants_shown_text_carries_no_control_or_format_character(qr: Qr) -> None:
    for trick in TRICKS:
        for fields in ({"location": trick}, {"alternate": {"language": "rw", "name": trick[:25]}},
                       {"alternate": {"language": "rw", "name": "Deli", "city": trick[:15]}}):
            body = problem(_onboard(qr, **fields), 400, 3100)
            assert "control or format character" in body["detail"], body
    # Other scripts and accents are what tag 64 is for: they pass, and the visitor reads them as written.
    merchant = created(_onboard(qr, location="Rue de l'Église, Kigali",
                                alternate={"language": "zh", "name": "基加利熟食店", "city": "基加利"}))
    visitor = qr.visitor(qr.wallet("CNY"))
    scan = ok(visitor.post("/v1/qr/decode", json={"payload": merchant["static_qr"]["payload"]}))
    assert scan["merchant"]["alternate"] == {"language": "zh", "name": "基加利熟食店", "city": "基加利"}
    assert scan["merchant"]["location"] == "Rue de l'Église, Kigali"


def test_a_holder_name_cannot_hide_a_listed_name_from_the_screener(qr: Qr) -> None:
    for holder in ("Sergey\u200bPrimerov", "Sergey\u2060Primerov", "Sergey\u202ePrimerov"):
        body = problem(qr.silkpay.post("/v1/qr/wallets", json={"currency": "CNY", "holder": holder}), 400, 3100)
        assert "control or format character" in body["detail"], body
    problem(qr.silkpay.post("/v1/qr/wallets", json={"currency": "CNY", "holder": "Sergey Primerov"}), 403, 3160)
    assert created(qr.silkpay.post("/v1/qr/wallets", json={"currency": "CNY", "holder": "李伟"}))["wallet_id"]


def test_a_refunds_reason_carries_no_control_or_format_character(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    payment = qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 1_000)
    path = f"/v1/qr/merchants/{merchant['merchant_id']}/payments/{payment['payment_id']}/refunds"
    for trick in TRICKS:
        body = problem(qr.ubumwe.post(path, json={"amount_minor": 100, "reason": trick}), 400, 3100)
        assert "control or format character" in body["detail"], body
    seen = ok(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}/payments/{payment['payment_id']}"))
    assert seen["refunds"] == [] and seen["refunded_minor"] == 0
    assert created(qr.ubumwe.post(path, json={"amount_minor": 100, "reason": "Commande annulée"}))["reason"] \
        == "Commande annulée"
