"""Money is conserved per currency, every wallet's books agree with the chain, and the OpenAPI document
describes every QR endpoint (checked whenever it runs: the invariants hold at every block)."""

from __future__ import annotations

from inzira.ledger.receipt import verify_receipt
from inzira.qr.records import SUBMITTED
from tests.qr_pay.helpers import Qr, ok


def test_money_conserved_and_books_reconciled(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 30_000)
    qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 3_000)
    state = qr.node.state
    state.check_invariants()  # per currency, all balances sum to zero; no account beyond its limit
    totals: dict[str, int] = {}
    for account in state.accounts.values():
        totals[account.currency] = totals.get(account.currency, 0) + account.balance_minor
    assert set(totals.values()) == {0}, totals
    reader = qr.server.service.reader  # type: ignore[union-attr]
    for wallet_id, account_id in reader.all("SELECT id, account FROM wallets", ()):
        assert qr.balance(account_id) == reader.wallet_balance_minor(wallet_id), wallet_id
        assert ok(qr.silkpay.get(f"/v1/qr/wallets/{wallet_id}"))["reconciled"]
    for table in ("payments", "refunds", "topups"):
        assert reader.all(f"SELECT id FROM {table} WHERE status = ?", (SUBMITTED,)) == []
    paid = dict(reader.all("SELECT merchant_id, sum(amount_minor) FROM payments WHERE status = 'completed' "
                           "GROUP BY merchant_id", ()))
    refunded = dict(reader.all("SELECT merchant_id, sum(amount_minor) FROM refunds WHERE status = 'completed' "
                               "GROUP BY merchant_id", ()))
    for merchant_id, account_id in reader.all("SELECT id, account FROM merchants", ()):
        assert qr.balance(account_id) == paid.get(merchant_id, 0) - refunded.get(merchant_id, 0), merchant_id


def test_every_payment_and_refund_proof_verifies_offline(qr: Qr) -> None:
    reader = qr.server.service.reader  # type: ignore[union-attr]
    proven = 0
    for table in ("payments", "refunds"):
        for (tx_id,) in reader.all(f"SELECT tx_id FROM {table} WHERE status = 'completed'", ()):
            receipt = qr.node.receipt(tx_id)
            assert receipt is not None
            summary = verify_receipt(receipt, qr.genesis)  # the genesis alone: no node, no network
            assert summary["code"] == 0 and summary["tx_id"] == tx_id.hex()
            proven += 1
    assert proven > 0


def test_openapi_documents_the_qr_api(qr: Qr) -> None:
    schema = ok(qr.client().get("/openapi.json"))
    paths = schema["paths"]
    for path, method in (("/v1/qr/merchants", "post"), ("/v1/qr/merchants/{merchant_id}/bills", "post"),
                         ("/v1/qr/decode", "post"), ("/v1/qr/wallets/{wallet_id}/quotes", "post"),
                         ("/v1/qr/wallets/{wallet_id}/payments", "post"),
                         ("/v1/qr/merchants/{merchant_id}/payments/{payment_id}/refunds", "post"),
                         ("/v1/qr/merchants/{merchant_id}/statement", "get"),
                         ("/v1/qr/merchants/{merchant_id}/bills/{bill_id}/events", "get"),
                         ("/v1/qr/wallets/{wallet_id}/topups", "post"),
                         ("/v1/qr/wallets/{wallet_id}/topups/{topup_id}", "get")):
        operation = paths[path][method]
        assert operation["summary"] and operation["security"] == [{"HTTPBearer": []}], path
        problems = [r for s, r in operation["responses"].items() if s.startswith(("4", "5"))]
        assert problems and all("application/problem+json" in r["content"] for r in problems), path
        if method == "post" and "refunds" not in path:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            assert schema.get("properties") or schema.get("$ref"), path
        names = {p["name"] for p in operation.get("parameters", [])}
        assert {part[1:-1] for part in path.split("/") if part.startswith("{")} <= names, path
    callback = paths["/v1/qr/card-notifications/{issuer}"]["post"]
    assert callback["security"] == [] and "Card-Signature" in callback["summary"]  # signed, no token
