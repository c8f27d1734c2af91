"""The merchant's statement: daily totals that add up, every payment with a proof that verifies offline."""

from __future__ import annotations

from inzira.ledger.receipt import verify_receipt
from inzira.qr.api.answers import StatementOut
from tests.qr_pay.helpers import Qr, ok, problem


def test_statement_totals_and_proofs(qr: Qr) -> None:
    merchant, cny, usd = qr.merchant(), qr.wallet("CNY", 200_000), qr.wallet("USD", 50_000)
    prices = [1_000, 2_000, 3_500]
    payments = [qr.quote_and_pay(cny, merchant["static_qr"]["payload"], prices[0]),
                qr.quote_and_pay(usd, qr.bill(merchant, prices[1])["payload"]),
                qr.quote_and_pay(cny, qr.bill(merchant, prices[2])["payload"])]
    pos = qr.pos(merchant)
    base = f"/v1/qr/merchants/{merchant['merchant_id']}"
    pos.post(f"{base}/payments/{payments[2]['payment_id']}/refunds", json={"amount_minor": 500}).raise_for_status()
    statement = ok(pos.get(f"{base}/statement", params={"proofs": "true"}))
    StatementOut.model_validate(statement)
    [day] = statement["days"]
    assert (day["payments"], day["paid_minor"], day["refunds"], day["refunded_minor"]) == (3, 6_500, 1, 500)
    assert day["net_minor"] == 6_000 == statement["totals"]["net_minor"] == qr.balance(merchant["account"])
    assert [p["payment_id"] for p in statement["payments"]] == [p["payment_id"] for p in payments]
    assert statement["payments"][2]["refunds"][0]["amount_minor"] == 500
    for line in statement["payments"]:
        summary = verify_receipt(line["receipt"], qr.genesis)
        assert summary["code"] == 0 and summary["tx_id"] == line["tx_id"]
    page = ok(pos.get(f"{base}/statement", params={"limit": 2}))
    assert len(page["payments"]) == 2 and page["next_cursor"] and "receipt" not in page["payments"][0]
    rest = ok(pos.get(f"{base}/statement", params={"limit": 2, "cursor": page["next_cursor"]}))
    assert [p["payment_id"] for p in rest["payments"]] == [payments[2]["payment_id"]] and rest["next_cursor"] is None
    receipt = ok(pos.get(f"{base}/payments/{payments[0]['payment_id']}/receipt"))
    assert verify_receipt(receipt, qr.genesis)["tx_id"] == payments[0]["tx_id"]


def test_statement_bounds(qr: Qr) -> None:
    merchant = qr.merchant()
    base = f"/v1/qr/merchants/{merchant['merchant_id']}/statement"
    empty = ok(qr.ubumwe.get(base, params={"from": "2026-01-01", "to": "2026-01-31"}))
    assert empty["days"] == [] and empty["payments"] == [] and empty["totals"]["paid_minor"] == 0
    problem(qr.ubumwe.get(base, params={"from": "2026-01-01", "to": "2026-12-31"}), 400, 3100)
    problem(qr.ubumwe.get(base, params={"from": "2026-02-01", "to": "2026-01-01"}), 400, 3100)
    problem(qr.ubumwe.get(base, params={"proofs": "true", "limit": 500}), 400, 3100)
    problem(qr.ubumwe.get(base, params={"cursor": "nonsense"}), 400, 3100)
