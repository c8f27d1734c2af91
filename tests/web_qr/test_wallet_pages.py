"""The visitor's wallet over HTTP: balance with its RWF equivalent, top-ups, the history and the receipt."""

from __future__ import annotations

import html
import re

import httpx
import pytest

from tests.web_qr.helpers import assert_verified, notice_code, text_of


@pytest.fixture
def wallet(signed_in) -> httpx.Client:
    return signed_in("wallet")


def test_balance_in_cny_with_the_rwf_equivalent(wallet: httpx.Client, api) -> None:
    page = wallet.get("/qr/wallet")
    assert page.status_code == 200
    balance = api.wallet()
    assert text_of(page.text, "data-balance") == balance["balance"] and balance["currency"] == "CNY"
    rwf = text_of(page.text, "data-balance-rwf")
    expected = balance["balance_minor"] * 20130 // 10_000  # 201.30 RWF per CNY, minor units of CNY
    assert rwf.startswith(f"≈ {expected:,} RWF") and "201.30 RWF per CNY" in rwf
    assert 'href="/qr/wallet/pay"' in page.text


def open_top_up(wallet: httpx.Client, amount: str) -> tuple[str, str]:
    """Ask for a top-up on the wallet page: (the top-up page's path, the card form's target at the acquirer)."""
    response = wallet.post("/qr/wallet/topups", data={"amount": amount})
    assert response.status_code == 303, response.text
    page_path = response.headers["location"]
    assert re.fullmatch(r"/qr/wallet/topups/top_[0-9a-f]+", page_path)
    page = wallet.get(page_path)
    assert page.status_code == 200 and 'data-topup-status="awaiting_card"' in page.text
    action = re.search(r'<form class="stack card-form" method="post" action="([^"]+)"', page.text)
    assert action is not None, page.text
    return page_path, html.unescape(action.group(1))


def pay_on_the_card_form(action: str, number: str) -> str:
    """Post the card form to the acquirer as the browser does; where the acquirer sends the browser back."""
    answer = httpx.post(action, data={"card_number": number, "expiry": "12/39", "cvc": "123", "name": "Li Wei"})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def test_top_up_by_card_shows_in_the_balance_and_history(wallet: httpx.Client, api) -> None:
    before = api.wallet()["balance_minor"]
    page_path, action = open_top_up(wallet, "150.50")
    card_page = wallet.get(page_path)
    acquirer = re.match(r"https?://[^/]+", action)
    assert acquirer is not None and f"form-action 'self' {acquirer.group(0)}" in card_page.headers[
        "content-security-policy"]  # the card form may post to the acquirer, and only there
    assert "data-test-cards" in card_page.text and api.wallet()["balance_minor"] == before  # nothing moved yet
    back = pay_on_the_card_form(action, "4242 4242 4242 4242")
    assert back.endswith(page_path)  # the acquirer sends the visitor back to the top-up's page
    done = wallet.get(page_path)
    assert "Topped up 150.50 CNY from your Visa card ending 4242" in text_of(done.text, "data-topped-up")
    assert api.wallet()["balance_minor"] == before + 15_050
    home = wallet.get(f"/qr/wallet?topped_up={page_path.rsplit('/', 1)[1]}")
    assert "Topped up 150.50 CNY" in home.text
    first = re.search(r'<li class="history-topup" data-entry="topup"[^>]*>(.*?)</li>', home.text, re.S)
    assert first is not None and "+150.50 CNY" in first.group(1) and 'href="/tx/' in first.group(1)


def test_a_declined_card_is_shown_and_moves_nothing(wallet: httpx.Client, api) -> None:
    before = api.wallet()["balance_minor"]
    page_path, action = open_top_up(wallet, "75.00")
    pay_on_the_card_form(action, "4000 0000 0000 9995")
    page = wallet.get(page_path)
    outcome = text_of(page.text, 'data-topup-outcome="declined"')
    assert outcome.startswith("Your card was declined: the card has insufficient funds. Nothing was charged")
    assert api.wallet()["balance_minor"] == before


@pytest.mark.parametrize(("form", "status", "code"), [({"amount": "1.234"}, 400, 400),
                                                     ({"amount": "ten"}, 400, 400),
                                                     ({"amount": "99999999"}, 400, 3100)])
def test_top_up_refusals(wallet: httpx.Client, form: dict[str, str], status: int, code: int) -> None:
    response = wallet.post("/qr/wallet/topups", data=form)
    assert response.status_code == status and notice_code(response.text) == code
    assert "<details class=\"panel\" id=\"top-up\" open>" in response.text


def test_history_lists_payments_with_receipts_and_refunds(wallet: httpx.Client, api) -> None:
    paid = api.pay(api.merchant()["static_qr"]["payload"], 6_000)
    refund_path = f"/v1/qr/merchants/{api.customers.merchant_id}/payments/{paid['payment_id']}/refunds"
    refund = api.call("pos", "POST", refund_path, 201, json={"amount_minor": 1_000})
    page = wallet.get("/qr/wallet")
    entries = re.findall(r'data-entry="(\w+)" data-ref="(\w+)"', page.text)
    assert entries[:2] == [("refund", refund["refund_id"]), ("payment", paid["payment_id"])]
    assert f'href="/qr/wallet/payments/{paid["payment_id"]}"' in page.text
    assert f"Refund from {api.customers.merchant_name}" in page.text
    older = wallet.get("/qr/wallet", params={"before": 2})
    assert older.status_code == 200 and re.findall(r'data-entry="(\w+)"', older.text) == ["topup"]


def test_receipt_page_with_proof(wallet: httpx.Client, anonymous: httpx.Client, api) -> None:
    paid = api.pay(api.merchant()["static_qr"]["payload"], 4_400)
    page = wallet.get(f"/qr/wallet/payments/{paid['payment_id']}")
    assert page.status_code == 200 and f'data-paid="{paid["payment_id"]}"' in page.text
    assert text_of(page.text, 'data-field="price"') == "4,400 RWF"
    assert text_of(page.text, 'data-field="wallet_amount"') == paid["wallet_amount"]
    assert f'href="/tx/{paid["tx_id"]}"' in page.text
    receipt = wallet.get(f"/qr/wallet/payments/{paid['payment_id']}/receipt.json")
    assert receipt.status_code == 200 and receipt.json()["tx_id"] == paid["tx_id"]
    assert anonymous.post("/explorer/verify-receipt", content=receipt.content).json()["valid"]
    assert wallet.get("/qr/wallet/payments/pay_0000000000000000f").status_code == 404


def test_verify_on_the_receipt_works_without_javascript(wallet: httpx.Client, signed_in, api) -> None:
    """Verify is a form post: the server fetches the payment's ledger receipt with the session's token, checks it
    against the genesis alone and answers with the receipt page and the verdict, as the script does in place."""
    paid = api.pay(api.merchant()["static_qr"]["payload"], 2_200)
    path = f"/qr/wallet/payments/{paid['payment_id']}"
    assert f'<form class="actions" method="post" action="{path}/verify">' in wallet.get(path).text
    checked = wallet.post(f"{path}/verify")
    assert_verified(checked, paid["tx_id"])
    assert f'data-paid="{paid["payment_id"]}"' in checked.text
    other = signed_in("wallet", token=api.new_wallet()["wallet_token"]).post(f"{path}/verify")
    assert other.status_code == 404 and "✓ valid" not in other.text
    foreign = wallet.post(f"{path}/verify", headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and "✓ valid" not in foreign.text
    with httpx.Client(base_url=str(wallet.base_url), timeout=10.0) as nobody:
        signed_out = nobody.post(f"{path}/verify")
    assert signed_out.status_code == 303 and "/qr/wallet/sign-in" in signed_out.headers["location"]
