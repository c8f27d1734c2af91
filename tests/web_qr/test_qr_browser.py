"""The QR pages in a real browser (Debian's chromium driven by Playwright), as issue 4 asks to see them:
the merchant makes a dynamic QR; the visitor's wallet page reads that QR from a screenshot of the POS screen
(decoded in the browser by jsQR) and pays; the POS page, open all along, shows PAID without a reload; a
partial refund made on the POS page appears in the wallet's history; a second payment of the bill is refused
as already paid. And the wallet's top-up: the card form posts to the card acquirer (the simulator), which sends
the visitor back to the outcome: topped up, declined, or timed out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request

from inzira.sim.card import Behaviour, RunningCardSim
from tests.browser import chromium, new_context

WAIT_MS = 10_000
PAID_WAIT_MS = 10_000  # from Confirm to PAID on the POS screen: a block and an event, well under a second here
PHONE = {"width": 390, "height": 844}
POS_SCREEN = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def contexts(browser: Browser, base_url: str) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    """The merchant's POS screen and the visitor's phone: two browsers' worth of cookies."""
    pos = new_context(browser, base_url, WAIT_MS, viewport=POS_SCREEN)
    phone = new_context(browser, base_url, WAIT_MS, viewport=PHONE, is_mobile=True, has_touch=True,
                        accept_downloads=True)
    try:
        yield pos, phone
    finally:
        pos.close()
        phone.close()


@dataclass
class Scene:
    pos: Page
    phone: Page
    screenshot: bytes
    scan_request: Request
    first_status: str
    confirm_fields: dict[str, str]
    payment_id: str


def sign_in(page: Page, kind: str, name: str) -> None:
    page.goto(f"/qr/{kind}/sign-in")
    page.get_by_role("button", name=f"Sign in as {name}").click()
    page.wait_for_url(f"**/qr/{kind}")


def upload_screenshot(phone: Page, png: bytes) -> Request:
    """Choose the screenshot on the Pay page; the browser reads it and posts its text. The request posted."""
    phone.goto("/qr/wallet/pay")
    phone.locator('[data-scanner="ready"]').wait_for()
    with phone.expect_request(lambda r: r.url.endswith("/qr/wallet/pay/scan") and r.method == "POST") as posted:
        phone.get_by_label("A photo or screenshot of the QR code").set_input_files(
            {"name": "pos-screen.png", "mimeType": "image/png", "buffer": png})
    phone.wait_for_load_state()
    return posted.value


@pytest.fixture(scope="module")
def scene(contexts: tuple[BrowserContext, BrowserContext], customers) -> Scene:
    """The whole payment, step by step as people do it; the tests below check what each side saw."""
    pos, phone = contexts[0].new_page(), contexts[1].new_page()
    sign_in(pos, "pos", customers.merchant_name)
    pos.get_by_label("Amount").fill("15000")
    pos.get_by_role("button", name="Show the QR code").click()
    pos.wait_for_url(re.compile(r".*/qr/pos/bills/bill_[0-9a-f]+$"))
    pos.wait_for_function("document.querySelector('img.pos-qr').naturalWidth > 0")
    pos.locator("[data-live-status].on").wait_for()  # the live stream is open
    pos.evaluate("window.notReloaded = true")
    first_status = pos.locator("[data-bill-status]").get_attribute("data-bill-status") or ""
    screenshot = pos.screenshot()

    sign_in(phone, "wallet", customers.wallet_holder)
    scan_request = upload_screenshot(phone, screenshot)
    phone.locator("[data-quote]").wait_for()
    fields = {name: phone.locator(f'[data-field="{name}"]').inner_text()
              for name in ("price", "wallet_amount", "rate", "margin", "bill")}
    fields["merchant"] = phone.locator("[data-merchant-name]").inner_text()
    fields["source"] = phone.locator("[data-source]").inner_text()
    phone.get_by_role("button", name=re.compile(r"^Confirm and pay")).click()
    phone.wait_for_url(re.compile(r".*/qr/wallet/payments/pay_[0-9a-f]+$"))
    payment_id = phone.url.rsplit("/", 1)[1]
    pos.locator('[data-bill-status="paid"]').wait_for(timeout=PAID_WAIT_MS)
    return Scene(pos, phone, screenshot, scan_request, first_status, fields, payment_id)


def test_visitor_pays_a_screenshot_of_the_pos_and_the_pos_shows_paid_live(scene: Scene, customers) -> None:
    assert scene.screenshot.startswith(b"\x89PNG") and scene.first_status == "open"
    # jsQR read the screenshot in the browser: the page posted the text, not the picture.
    assert scene.scan_request.headers["content-type"] == "application/x-www-form-urlencoded"
    posted = scene.scan_request.post_data or ""
    assert "source=image" in posted and "payload=000201" in posted and "file_name=pos-screen.png" in posted
    assert scene.confirm_fields["source"] == "QR code read in your browser from pos-screen.png."
    assert scene.confirm_fields["merchant"] == customers.merchant_name
    assert scene.confirm_fields["price"] == "15,000 RWF"
    assert re.fullmatch(r"7\d\.\d\d CNY", scene.confirm_fields["wallet_amount"])
    assert re.match(r"1 CNY = 198\.\d+ RWF", scene.confirm_fields["rate"])
    assert scene.confirm_fields["margin"].startswith("1.5000% = ")

    pos = scene.pos
    assert pos.evaluate("window.notReloaded === true")  # PAID came over the live stream, not a reload
    assert "PAID" in pos.locator(".paid-word").inner_text()
    assert pos.locator("[data-paid-amount]").inner_text() == "15,000 RWF"
    assert pos.locator("[data-paid-wallet-amount]").inner_text() == scene.confirm_fields["wallet_amount"]
    assert pos.locator("[data-live-status]").inner_text() == "paid"

    phone = scene.phone
    assert phone.locator("[data-paid]").inner_text() == f"✓ Paid 15,000 RWF to {customers.merchant_name}"
    proof = phone.locator("[data-receipt]")
    with phone.expect_download() as download:
        proof.get_by_role("link", name="Download receipt (JSON)").click()
    saved = json.loads(open(download.value.path()).read())
    proof.get_by_role("button", name="Verify").click()
    verdict = proof.locator(".verify-result .verdict")
    verdict.wait_for()
    assert verdict.inner_text() == "✓ valid"
    assert f"Transaction {saved['tx_id'][:16]}… was committed in block" in proof.locator(".verify-result").inner_text()


def test_a_partial_refund_on_the_pos_appears_in_the_wallet(scene: Scene, customers) -> None:
    pos = scene.pos
    pos.get_by_role("link", name="Payment and refunds").click()
    pos.wait_for_url(f"**/qr/pos/payments/{scene.payment_id}")
    pos.get_by_label("Amount to refund").fill("5000")
    pos.get_by_label("Reason").fill("one dish was not served")
    pos.get_by_role("button", name="Refund").click()
    pos.locator("[data-refunded]").wait_for()
    assert pos.locator("[data-refunded]").inner_text().startswith("Refunded 5,000 RWF")
    assert pos.locator('[data-field="refundable"]').inner_text() == "10,000 RWF"

    over = pos.get_by_label("Amount to refund")
    over.fill("10001")
    pos.get_by_role("button", name="Refund").click()
    assert "At most 10,000 RWF can still be refunded" in pos.locator('[data-notice="3156"]').inner_text()

    phone = scene.phone
    phone.goto("/qr/wallet")
    refund = phone.locator('[data-entry="refund"]').first
    assert f"Refund from {customers.merchant_name}" in refund.inner_text()
    assert re.search(r"\+2\d\.\d\d CNY", refund.inner_text())  # 5,000 RWF back at today's rate, less the spread
    assert "5,000 RWF" in refund.inner_text()


def test_paying_the_same_bill_again_says_it_is_already_paid(scene: Scene) -> None:
    phone = scene.phone
    upload_screenshot(phone, scene.screenshot)
    notice = phone.locator('[data-notice="3154"]')
    notice.wait_for()
    assert "This bill is already paid" in notice.inner_text()
    assert phone.locator("[data-quote]").count() == 0


def test_without_the_decoder_the_picture_is_read_by_the_server(contexts, demo, api, customers,
                                                              monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(demo.qr_pages.site.decoder, "path", tmp_path / "no-node-modules" / "jsQR.js")
    bill = api.bill(6_600)
    phone = contexts[1].new_page()
    try:
        sign_in(phone, "wallet", customers.wallet_holder)
        phone.goto("/qr/wallet/pay")
        assert "camera scanner is unavailable" in phone.locator("[data-scanner-unavailable]").inner_text()
        with phone.expect_request(lambda r: r.url.endswith("/qr/wallet/pay/scan")) as posted:
            phone.get_by_label("A photo or screenshot of the QR code").set_input_files(
                {"name": "bill.png", "mimeType": "image/png", "buffer": api.bill_png(bill["bill_id"])})
        assert posted.value.headers["content-type"].startswith("multipart/form-data")
        phone.locator("[data-quote]").wait_for()
        assert phone.locator("[data-source]").inner_text() == "QR code read by the server from bill.png."
        assert phone.locator('[data-field="price"]').inner_text() == "6,600 RWF"
    finally:
        phone.close()


def open_top_up(phone: Page, amount: str) -> None:
    phone.goto("/qr/wallet")
    phone.locator("#top-up summary").click()
    phone.get_by_label("Amount").fill(amount)
    phone.get_by_role("button", name="Continue to card payment").click()
    phone.wait_for_url(re.compile(r".*/qr/wallet/topups/top_[0-9a-f]+$"))


def pay_on_the_card_form(phone: Page, number: str) -> Request:
    """Fill the card form as a visitor does and send it; the request the browser posted."""
    phone.get_by_label("Card number").fill(number)
    phone.get_by_label("Expiry (MM/YY)").fill("12/39")
    phone.get_by_label("Security code").fill("123")
    phone.get_by_label("Name on the card").fill("Li Wei")
    with phone.expect_request(lambda r: r.method == "POST" and "/pay/cs_" in r.url) as posted:
        phone.get_by_role("button", name=re.compile(r"^Pay .* by card$")).click()
    phone.wait_for_load_state()
    return posted.value


@pytest.fixture
def acquirer(demo) -> Iterator[RunningCardSim]:
    """silkpay's card acquirer (the demo's simulator), its behaviour put back afterwards."""
    sim = demo.cards.sims["silkpay"]
    yield sim
    sim.admin.set_behaviour(Behaviour())


def test_a_visitor_tops_up_through_the_card_form(contexts, customers, api, base_url, acquirer) -> None:
    phone = contexts[1].new_page()
    sent_here: list[str] = []
    phone.on("request", lambda r: sent_here.append(r.post_data or "") if r.url.startswith(base_url) else None)
    try:
        sign_in(phone, "wallet", customers.wallet_holder)
        before = api.wallet()["balance_minor"]
        open_top_up(phone, "320.00")
        assert "4242 4242 4242 4242 approved" in phone.locator("[data-test-cards]").inner_text()
        posted = pay_on_the_card_form(phone, "4242 4242 4242 4242")
        assert posted.url.startswith(acquirer.base_url) and "card_number=4242" in (posted.post_data or "")
        done = phone.locator("[data-topped-up]")
        done.wait_for()
        assert done.inner_text() == "✓ Topped up 320.00 CNY from your Visa card ending 4242."
        assert api.wallet()["balance_minor"] == before + 32_000
        assert not any("card_number" in data or "4242" in data for data in sent_here)  # the card went to the acquirer
        phone.get_by_role("link", name="Back to the wallet").click()
        phone.wait_for_url("**/qr/wallet?topped_up=*")
        assert "+320.00 CNY" in phone.locator('[data-entry="topup"]').first.inner_text()
    finally:
        phone.close()


def test_a_declined_card_and_a_timeout_are_shown_and_move_nothing(contexts, customers, api, acquirer) -> None:
    acquirer.admin.set_behaviour(Behaviour(auth_timeout_ms=1_000))
    phone = contexts[1].new_page()
    try:
        sign_in(phone, "wallet", customers.wallet_holder)
        before = api.wallet()["balance_minor"]
        open_top_up(phone, "45.00")
        pay_on_the_card_form(phone, "4000 0000 0000 0002")
        declined = phone.locator('[data-topup-outcome="declined"]')
        declined.wait_for()
        assert declined.inner_text().startswith("Your card was declined: the card's bank declined it. Nothing was "
                                                "charged, and your wallet is as it was.")
        open_top_up(phone, "46.00")
        pay_on_the_card_form(phone, "4000 0000 0000 0408")
        phone.locator("[data-topup-waiting]").wait_for()  # the page reloads itself until the acquirer decides
        timed_out = phone.locator('[data-topup-outcome="timed_out"]')
        timed_out.wait_for()
        assert "The card payment timed out: the card's bank did not answer in time." in timed_out.inner_text()
        assert api.wallet()["balance_minor"] == before
    finally:
        phone.close()
