"""Merchants at onboarding and wallet holders at wallet creation are screened against the sanctions list."""

from __future__ import annotations

from tests.qr_pay.helpers import Qr, created, problem


def test_a_listed_merchant_is_refused_before_anything_reaches_the_ledger(qr: Qr) -> None:
    body = {"name": "Examplia Phantom Trading", "city": "Kigali", "mcc": "5812", "location": "KN 4 Ave"}
    refused = problem(qr.ubumwe.post("/v1/qr/merchants", json=body), 403, 3160)
    assert "ZZe.001" in refused["detail"] and "merchant" in refused["detail"]
    assert qr.merchant("Jean Baptiste Nkurunziza")["merchant_id"]  # an ordinary name passes


def test_a_listed_name_in_the_merchants_other_language_is_refused(qr: Qr) -> None:
    """Only the main name was screened: a listed name written alone in the visitor's language (tag 64) passed."""
    body = {"name": "Kigali Crafts", "city": "Kigali", "mcc": "5812", "location": "KN 4 Ave",
            "alternate": {"language": "ru", "name": "Сергей Примеров", "city": "Кигали"}}
    refused = problem(qr.ubumwe.post("/v1/qr/merchants", json=body), 403, 3160)
    assert "ZZi.003" in refused["detail"] and "another language" in refused["detail"]
    body["alternate"] = {"language": "rw", "name": "Ubukorikori Nyamirambo", "city": "Kigali"}
    assert created(qr.ubumwe.post("/v1/qr/merchants", json=body))["merchant_id"]


def test_a_listed_wallet_holder_is_refused(qr: Qr) -> None:
    refused = problem(qr.silkpay.post("/v1/qr/wallets", json={"currency": "CNY", "holder": "Sergey Primerov"}),
                      403, 3160)
    assert "ZZi.003" in refused["detail"] and "wallet holder" in refused["detail"]
    for holder in ("Sergey Primakov", "Li Wei"):
        assert created(qr.silkpay.post("/v1/qr/wallets", json={"currency": "CNY", "holder": holder}))["wallet_id"]
    assert created(qr.silkpay.post("/v1/qr/wallets", json={"currency": "CNY"}))["wallet_id"]  # no holder named
