"""Visitor wallets: issued in a foreign currency, topped up through the issuer on chain, balance reconciled."""

from __future__ import annotations

from inzira.qr.api.answers import HistoryOut, TopUpOut, WalletBalance, WalletCreated
from tests.qr_pay.helpers import Qr, ok, problem


def test_create_and_top_up_a_cny_wallet(qr: Qr) -> None:
    float_before = qr.balance("silkpay:cny")
    wallet = qr.wallet("CNY")
    WalletCreated.model_validate(wallet)
    assert wallet["account"] == f"silkpay:w-{wallet['wallet_id']}" and wallet["wallet_token"].startswith("qrw_")
    topup = qr.top_up(wallet, 50_000)
    TopUpOut.model_validate(topup)
    assert topup["status"] == "completed" and topup["height"] > 0
    assert qr.balance(wallet["account"]) == 50_000
    assert qr.balance("silkpay:cny") == float_before - 50_000  # the issuer's float funded it
    page = qr.visitor(wallet)
    balance = ok(page.get(f"/v1/qr/wallets/{wallet['wallet_id']}"))
    WalletBalance.model_validate(balance)
    assert balance["balance_minor"] == balance["store_balance_minor"] == 50_000 and balance["reconciled"]
    history = ok(page.get(f"/v1/qr/wallets/{wallet['wallet_id']}/history"))
    HistoryOut.model_validate(history)
    [entry] = history["entries"]
    assert (entry["kind"], entry["amount_minor"], entry["balance_after_minor"]) == ("topup", 50_000, 50_000)
    assert entry["tx_id"] == topup["tx_id"]


def test_usd_wallet_and_history_pages(qr: Qr) -> None:
    wallet = qr.wallet("USD")
    for amount in (1_000, 2_000, 3_000):
        qr.top_up(wallet, amount)
    page = qr.visitor(wallet)
    first = ok(page.get(f"/v1/qr/wallets/{wallet['wallet_id']}/history", params={"limit": 2}))
    assert [e["amount_minor"] for e in first["entries"]] == [3_000, 2_000] and first["next_before"]
    rest = ok(page.get(f"/v1/qr/wallets/{wallet['wallet_id']}/history", params={"before": first["next_before"]}))
    assert [e["amount_minor"] for e in rest["entries"]] == [1_000] and rest["next_before"] is None
    assert qr.balance(wallet["account"]) == 6_000


def test_wallet_refusals(qr: Qr) -> None:
    problem(qr.silkpay.post("/v1/qr/wallets", json={"currency": "EUR"}), 400, 3157)
    problem(qr.silkpay.post("/v1/qr/wallets", json={"currency": "RWF"}), 400, 3157)
    mobimo = qr.client(qr.tokens["mobimo"])
    problem(mobimo.post("/v1/qr/wallets", json={"currency": "CNY"}), 403, 4300)  # not a configured issuer here
    wallet, other = qr.wallet(), qr.wallet()
    path = f"/v1/qr/wallets/{wallet['wallet_id']}"
    problem(qr.visitor(other).get(path), 404, 3252)
    problem(mobimo.get(path), 404, 3252)
    problem(qr.client(wallet["wallet_token"] + "x").get(path), 401, 3040)
    problem(qr.visitor(wallet).post("/v1/qr/wallets", json={"currency": "CNY"}), 403, 4300)
    problem(qr.silkpay.post(f"{path}/topups", json={"amount_minor": 10**12}), 400, 3100)
