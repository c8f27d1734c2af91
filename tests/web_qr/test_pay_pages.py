"""Paying from the wallet page over HTTP: paste or upload, the disclosure, confirm, and every refusal a
visitor may meet (already paid, expired QR, expired quote, insufficient funds, not an Inzira merchant)."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from inzira.qr.emv import DataObject, MerchantQr, encode, merchant_objects
from tests.web_qr.helpers import PROMPTPAY, hidden, notice_code, quote_shown, text_of

QUOTE_TTL_MS = 1_000
BILL_TTL_MS = 1_000


@pytest.fixture
def wallet(signed_in) -> httpx.Client:
    return signed_in("wallet")


def confirm_page(wallet: httpx.Client, payload: str) -> str:
    response = quote_shown(wallet, wallet.post("/qr/wallet/pay/scan", data={"payload": payload, "source": "paste"}))
    assert response.status_code == 200 and "data-quote=" in response.text, response.text[-2000:]
    return response.text


def confirm(wallet: httpx.Client, page: str) -> str:
    form = {name: hidden(page, name) for name in ("quote_id", "payload", "source", "file_name", "amount")}
    response = wallet.post("/qr/wallet/pay/confirm", data=form)
    assert response.status_code == 303, response.text[-2000:]
    found = re.fullmatch(r"/qr/wallet/payments/(pay_[0-9a-f]+)", response.headers["location"])
    assert found is not None
    return found.group(1)


def test_a_dynamic_qr_shows_both_amounts_margin_and_expiry_then_pays(wallet: httpx.Client, api) -> None:
    bill = api.bill(15_000, bill_number="DINNER-7")
    page = confirm_page(wallet, bill["payload"])
    assert text_of(page, "data-merchant-name") == api.customers.merchant_name
    assert text_of(page, "data-merchant-city").startswith("Kigali")
    assert text_of(page, 'data-field="price"') == "15,000 RWF"
    assert re.fullmatch(r"7\d\.\d\d CNY", text_of(page, 'data-field="wallet_amount"'))
    assert text_of(page, 'data-field="margin_percent"') == "1.5000%"
    assert "mid-market 201.30" in text_of(page, 'data-field="rate"')
    assert text_of(page, 'data-field="bill"') == "DINNER-7"
    assert re.search(r'data-countdown-ms="(5\d\d\d\d|60000)"', page) and 'data-source="paste"' in page
    payment_id = confirm(wallet, page)
    receipt = wallet.get(f"/qr/wallet/payments/{payment_id}")
    assert "✓ Paid 15,000 RWF" in receipt.text
    bill_now = api.call("pos", "GET", f"/v1/qr/merchants/{api.customers.merchant_id}/bills/{bill['bill_id']}")
    assert bill_now["status"] == "paid" and bill_now["payment_id"] == payment_id


def test_confirming_twice_answers_the_same_payment(wallet: httpx.Client, api) -> None:
    page = confirm_page(wallet, api.bill(2_000)["payload"])
    assert confirm(wallet, page) == confirm(wallet, page)


def test_a_counter_qr_asks_for_the_amount(wallet: httpx.Client, api) -> None:
    payload = api.merchant()["static_qr"]["payload"]
    step = wallet.post("/qr/wallet/pay/scan", data={"payload": payload})
    assert step.status_code == 200 and "How much?" in step.text and text_of(step.text, "data-merchant-name")
    form = {name: hidden(step.text, name) for name in ("payload", "source", "file_name")}
    bad = wallet.post("/qr/wallet/pay/quote", data={**form, "amount": "12.5"})
    assert bad.status_code == 400 and "How much?" in bad.text and notice_code(bad.text) == 400
    page = quote_shown(wallet, wallet.post("/qr/wallet/pay/quote", data={**form, "amount": "12,000"}))
    assert page.status_code == 200 and text_of(page.text, 'data-field="price"') == "12,000 RWF"
    assert "data-field=\"bill\"" not in page.text
    assert confirm(wallet, page.text).startswith("pay_")


def test_an_uploaded_picture_is_read_by_the_server(wallet: httpx.Client, api) -> None:
    bill = api.bill(3_300)
    files = {"image": ("bill.png", api.bill_png(bill["bill_id"]), "image/png")}
    page = quote_shown(wallet, wallet.post("/qr/wallet/pay/scan", data={"source": "upload"}, files=files))
    assert page.status_code == 200 and text_of(page.text, 'data-field="price"') == "3,300 RWF"
    assert 'data-source="upload"' in page.text and "read by the server from bill.png" in page.text


def test_pictures_without_a_qr_or_too_large_are_refused(wallet: httpx.Client) -> None:
    not_image = wallet.post("/qr/wallet/pay/scan", files={"image": ("notes.png", b"hello", "image/png")})
    assert not_image.status_code == 400 and notice_code(not_image.text) == 3150
    nothing = wallet.post("/qr/wallet/pay/scan", data={"source": "upload"})
    assert nothing.status_code == 400 and "Choose a picture" in nothing.text
    huge = wallet.post("/qr/wallet/pay/scan", files={"image": ("big.png", b"\0" * (8 * 1024 * 1024 + 1), "image/png")})
    assert huge.status_code == 413 and "too large" in huge.text
    beyond = wallet.post("/qr/wallet/pay/scan", files={"image": ("big.png", b"\0" * (9 * 1024 * 1024), "image/png")})
    assert beyond.status_code == 413


def test_already_paid(wallet: httpx.Client, api) -> None:
    bill = api.bill(5_000)
    api.pay(bill["payload"])
    page = wallet.post("/qr/wallet/pay/scan", data={"payload": bill["payload"]})
    assert page.status_code == 409 and notice_code(page.text) == 3154
    assert "This bill is already paid" in page.text and text_of(page.text, "data-merchant-name")


def test_expired_qr(wallet: httpx.Client, api) -> None:
    bill = api.bill(5_000, expires_in_ms=BILL_TTL_MS)
    time.sleep(BILL_TTL_MS / 1000 + 0.3)
    page = wallet.post("/qr/wallet/pay/scan", data={"payload": bill["payload"]})
    assert page.status_code == 410 and notice_code(page.text) == 3340 and "has expired" in page.text


def test_expired_quote_offers_a_new_one(wallet: httpx.Client, api) -> None:
    bill = api.bill(5_500)
    quote = api.call("wallet", "POST", f"/v1/qr/wallets/{api.customers.wallet_id}/quotes", 201,
                     json={"payload": bill["payload"], "ttl_ms": QUOTE_TTL_MS})
    time.sleep(QUOTE_TTL_MS / 1000 + 0.3)
    page = wallet.post("/qr/wallet/pay/confirm", data={"quote_id": quote["quote_id"], "payload": bill["payload"]})
    assert page.status_code == 410 and notice_code(page.text) == 3302 and "quote expired" in page.text
    assert "Get a new quote" in page.text
    again = quote_shown(wallet, wallet.post("/qr/wallet/pay/quote",
                                            data={"payload": hidden(page.text, "payload"), "amount": ""}))
    assert again.status_code == 200 and "data-quote=" in again.text


def test_insufficient_funds(signed_in, api) -> None:
    other = api.new_wallet(topup_minor=1_00)
    visitor = signed_in("wallet", token=other["wallet_token"])
    page = confirm_page(visitor, api.bill(50_000)["payload"])
    form = {name: hidden(page, name) for name in ("quote_id", "payload", "source", "file_name", "amount")}
    refused = visitor.post("/qr/wallet/pay/confirm", data=form)
    assert refused.status_code == 422 and notice_code(refused.text) == 4001
    assert "Insufficient funds" in refused.text and 'href="/qr/wallet#top-up"' in refused.text


@pytest.mark.parametrize(("payload", "status", "code", "sentence"), [
    (PROMPTPAY, 400, 3151, "Not an Inzira merchant"),
    ("00020101021226270009rw.inzira", 400, 3150, "not a merchant payment QR code"),
    ("hello", 400, 3150, "not a merchant payment QR code"),
])
def test_codes_that_cannot_be_paid(wallet: httpx.Client, payload: str, status: int, code: int,
                                   sentence: str) -> None:
    page = wallet.post("/qr/wallet/pay/scan", data={"payload": payload})
    assert page.status_code == status and notice_code(page.text) == code and sentence in page.text
    assert "nothing was charged" in page.text.lower() or code == 3150


def test_a_qr_adding_a_convenience_fee_says_so_and_charges_nothing(wallet: httpx.Client, customers, api) -> None:
    counter = merchant_objects(MerchantQr(customers.merchant_id, "X", "Kigali", "5812"))  # ..., 52, 53, 58, ...
    payload = encode([*counter[:5], DataObject("55", "02"), DataObject("56", "500"), *counter[5:]])
    before = api.wallet()["balance_minor"]
    page = wallet.post("/qr/wallet/pay/scan", data={"payload": payload, "source": "paste"})
    assert page.status_code == 400 and notice_code(page.text) == 3162
    assert "adds a convenience fee" in page.text and "Nothing was charged" in page.text
    assert api.wallet()["balance_minor"] == before


def test_the_pages_name_members_and_show_times_in_utc_and_cat(wallet: httpx.Client, signed_in, api, demo) -> None:
    """The FX provider and the wallet's issuer by their display names, not their member ids; times as on every
    other page: UTC, then Kigali time."""
    members = demo.runtime.node.state.members
    bill = api.bill(3_300)
    fx = api.call("wallet", "POST", f"/v1/qr/wallets/{api.customers.wallet_id}/quotes", 201,
                  json={"payload": bill["payload"]})["fx_provider"]
    page = confirm_page(wallet, bill["payload"])
    assert f'<span class="muted">kept by {members[fx].name}</span>' in page and f"kept by {fx}" not in page
    issuer = api.wallet()["issuer"]
    home = wallet.get("/qr/wallet").text
    assert f"card acquirer; {members[issuer].name} credits" in home and f"{issuer}'s card" not in home

    payment_id = confirm(wallet, page)
    when = r'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time> <span class="cat">[^<]+ CAT</span>'
    receipt = wallet.get(f"/qr/wallet/payments/{payment_id}").text
    assert re.search(r"<dt>Paid at</dt><dd>" + when + "</dd>", receipt)
    merchant = signed_in("pos").get(f"/qr/pos/payments/{payment_id}").text
    assert re.search(r"<dt>Paid at</dt><dd>" + when + "</dd>", merchant)
    today = signed_in("pos").get("/qr/pos").text
    row = today.split(f'data-payment="{payment_id}"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r"<td>" + when + "</td>", row)


def test_the_quote_has_its_own_page_so_back_and_reload_post_nothing(wallet: httpx.Client, signed_in, api) -> None:
    """The quote step redirects to the quote's page: loading it again shows the same quote, and confirming it
    from there again lands on the first payment. Only the wallet that asked for the quote sees it."""
    bill = api.bill(4_400)
    posted = wallet.post("/qr/wallet/pay/scan", data={"payload": bill["payload"], "source": "paste"})
    first = quote_shown(wallet, posted)
    again = wallet.get(posted.headers["location"])
    assert again.status_code == 200 and hidden(again.text, "quote_id") == hidden(first.text, "quote_id")
    assert text_of(again.text, 'data-field="price"') == "4,400 RWF" and 'data-source="paste"' in again.text
    assert "no-store" in again.headers.get("cache-control", "") or "no-store" in posted.headers["cache-control"]
    paid = confirm(wallet, first.text)
    assert confirm(wallet, wallet.get(posted.headers["location"]).text) == paid
    other = signed_in("wallet", token=api.new_wallet(topup_minor=100_00)["wallet_token"])
    for client, path in ((other, posted.headers["location"]), (wallet, "/qr/wallet/pay/quotes/q_unknown"),
                         (wallet, "/qr/wallet/pay/quotes/" + "x" * 65)):
        refused = client.get(path)
        assert refused.status_code == 404 and "no longer here" in refused.text and "data-quote=" not in refused.text
