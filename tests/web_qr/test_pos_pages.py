"""The merchant's POS pages over HTTP: a bill on screen, the counter QR, today's payments, the statement with
proofs, refunds (partial, full, over-refund refused) and the receipt that verifies."""

from __future__ import annotations

import re

import httpx
import pytest

from inzira.qr.images import read_payloads
from tests.web_qr.helpers import assert_verified, notice_code, text_of


@pytest.fixture
def pos(signed_in) -> httpx.Client:
    return signed_in("pos")


def new_bill(pos: httpx.Client, amount: str, **extra: str) -> str:
    response = pos.post("/qr/pos/bills", data={"amount": amount, **extra})
    assert response.status_code == 303, response.text[:500]
    found = re.fullmatch(r"/qr/pos/bills/(bill_[0-9a-f]+)", response.headers["location"])
    assert found is not None
    return found.group(1)


def test_a_bill_is_a_large_dynamic_qr_with_amount_number_and_countdown(pos: httpx.Client, api) -> None:
    bill_id = new_bill(pos, "15,000", bill_number="ROOM-204")
    page = pos.get(f"/qr/pos/bills/{bill_id}")
    assert page.status_code == 200
    assert text_of(page.text, "data-bill-amount") == "15,000 RWF"
    assert text_of(page.text, "data-bill-number") == "ROOM-204"
    assert re.search(r'data-countdown-ms="(8\d\d\d\d\d|9000000)"', page.text)  # 15 minutes, less a moment
    assert f'src="/qr/pos/bills/{bill_id}/qr.svg"' in page.text and 'data-final="false"' in page.text
    image = pos.get(f"/qr/pos/bills/{bill_id}/qr.svg")
    assert image.status_code == 200 and image.headers["content-type"] == "image/svg+xml"
    payload = api.call("pos", "GET", f"/v1/qr/merchants/{api.customers.merchant_id}/bills/{bill_id}")["payload"]
    assert read_payloads(api.bill_png(bill_id)) == [payload] and "5405150005802RW" in payload


@pytest.mark.parametrize(("amount", "code"), [("", 400), ("abc", 400), ("0", 400), ("12.5", 400),
                                              ("99,000,000", 3100)])
def test_a_bill_needs_a_whole_positive_amount_within_limits(pos: httpx.Client, amount: str, code: int) -> None:
    response = pos.post("/qr/pos/bills", data={"amount": amount})
    assert response.status_code == 400 and notice_code(response.text) == code
    assert f'value="{amount}"' in response.text  # what was typed stays in the form


def test_unknown_bills_answer_not_found(pos: httpx.Client) -> None:
    assert pos.get("/qr/pos/bills/bill_0000000000000000f").status_code == 404
    assert pos.get("/qr/pos/bills/..%2Fetc").status_code == 404
    assert pos.get("/qr/pos/bills/bill_0000000000000000f/qr.svg").status_code == 404


def test_counter_qr_is_static(pos: httpx.Client, api) -> None:
    page = pos.get("/qr/pos/counter")
    assert page.status_code == 200 and "enter the amount" in page.text
    payload = api.merchant()["static_qr"]["payload"]
    assert payload in page.text and "010211" in payload[:12]  # point of initiation 11: static
    image = pos.get("/qr/pos/counter/qr.svg")
    assert image.status_code == 200 and image.content.startswith(b"<svg")


def test_paid_bill_shows_paid_and_today_lists_it_with_its_proof(pos: httpx.Client, api) -> None:
    bill_id = new_bill(pos, "8000")
    payload = api.call("pos", "GET", f"/v1/qr/merchants/{api.customers.merchant_id}/bills/{bill_id}")["payload"]
    paid = api.pay(payload)
    page = pos.get(f"/qr/pos/bills/{bill_id}")
    assert 'data-bill-status="paid"' in page.text and "PAID" in page.text and 'data-final="true"' in page.text
    assert text_of(page.text, "data-paid-amount") == "8,000 RWF"
    assert text_of(page.text, "data-paid-wallet-amount") == paid["wallet_amount"]
    home = pos.get("/qr/pos")
    row = re.search(rf'<tr data-payment="{paid["payment_id"]}">(.*?)</tr>', home.text, re.S)
    assert row is not None and f'href="/tx/{paid["tx_id"]}"' in row.group(1) and "8,000 RWF" in row.group(1)


def test_statement_has_daily_totals_and_every_payment_with_its_proof(pos: httpx.Client, api) -> None:
    paid = api.pay(api.merchant()["static_qr"]["payload"], 2_500)
    page = pos.get("/qr/pos/statement")
    assert page.status_code == 200
    statement = api.call("pos", "GET", f"/v1/qr/merchants/{api.customers.merchant_id}/statement")
    day = statement["days"][-1]
    row = re.search(rf'<tr data-day="{day["date"]}">(.*?)</tr>', page.text, re.S)
    assert row is not None and f'{day["net_minor"]:,} RWF' in row.group(1)
    assert f'href="/tx/{paid["tx_id"]}"' in page.text and f'/qr/pos/payments/{paid["payment_id"]}' in page.text
    assert pos.get("/qr/pos/statement", params={"from": "2001-01-01", "to": "2002-01-01"}).status_code == 400


def test_refunds_partial_then_over_then_the_rest(pos: httpx.Client, api) -> None:
    paid = api.pay(api.merchant()["static_qr"]["payload"], 12_000)
    path = f"/qr/pos/payments/{paid['payment_id']}"
    page = pos.get(path)
    assert page.status_code == 200 and text_of(page.text, 'data-field="refundable"') == "12,000 RWF"

    partial = pos.post(f"{path}/refunds", data={"amount": "4000", "reason": "one night less"})
    assert partial.status_code == 303
    shown = pos.get(partial.headers["location"])
    assert "Refunded 4,000 RWF" in shown.text and "one night less" in shown.text

    over = pos.post(f"{path}/refunds", data={"amount": "9000"})
    assert over.status_code == 409 and notice_code(over.text) == 3156
    assert "At most 8,000 RWF can still be refunded" in over.text and 'value="9000"' in over.text

    bad = pos.post(f"{path}/refunds", data={"amount": "lots"})
    assert bad.status_code == 400 and notice_code(bad.text) == 400

    rest = pos.post(f"{path}/refunds", data={})
    assert rest.status_code == 303
    done = pos.get(path)
    assert "data-fully-refunded" in done.text and text_of(done.text, 'data-field="refunded"').startswith("12,000 RWF")
    history = api.call("wallet", "GET", f"/v1/qr/wallets/{api.customers.wallet_id}/history")["entries"]
    assert [e["kind"] for e in history[:2]] == ["refund", "refund"]


def test_receipt_downloads_and_verifies_against_the_genesis(pos: httpx.Client, anonymous: httpx.Client, api) -> None:
    paid = api.pay(api.merchant()["static_qr"]["payload"], 3_000)
    response = pos.get(f"/qr/pos/payments/{paid['payment_id']}/receipt.json")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="inzira-receipt-')
    verdict = anonymous.post("/explorer/verify-receipt", content=response.content).json()
    assert verdict["valid"] and verdict["summary"]["tx_id"] == paid["tx_id"]
    page = pos.get(f"/qr/pos/payments/{paid['payment_id']}")
    assert 'data-verify-receipt' in page.text and 'data-verify-path="/explorer/verify-receipt"' in page.text


def test_verify_on_the_payment_page_works_without_javascript(pos: httpx.Client, signed_in, api) -> None:
    """The merchant's Verify is a form post too: the page again with the receipt's verdict against the genesis;
    nobody but the merchant's session gets it."""
    paid = api.pay(api.merchant()["static_qr"]["payload"], 1_800)
    path = f"/qr/pos/payments/{paid['payment_id']}"
    assert f'<form class="actions" method="post" action="{path}/verify">' in pos.get(path).text
    checked = pos.post(f"{path}/verify")
    assert_verified(checked, paid["tx_id"])
    assert 'action="/qr/pos/payments/' in checked.text and "/refunds" in checked.text  # the whole page
    visitor = signed_in("wallet").post(f"{path}/verify")  # a wallet session is not the merchant's
    assert visitor.status_code == 303 and "/qr/pos/sign-in" in visitor.headers["location"]
    foreign = pos.post(f"{path}/verify", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "✓ valid" not in foreign.text
    assert pos.post("/qr/pos/payments/pay_0000000000000000f/verify").status_code == 404
