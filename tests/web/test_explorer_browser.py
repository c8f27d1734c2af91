"""The explorer in a real browser (Debian's chromium driven by Playwright): live blocks, a receipt, Verify."""

from __future__ import annotations

import json
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page

from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from tests.browser import chromium, new_context

WAIT_MS = 10_000
SUBMIT_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = new_context(browser, base_url, WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_live_block_then_transaction_receipt_verifies(demo, page: Page):
    page.goto("/")
    tip = demo.net.node.store.tip().height
    page.locator(f'#latest-blocks tr[data-height="{tip}"]').wait_for()
    page.locator("[data-live-status].on").wait_for()  # the event stream is open
    page.evaluate("window.notReloaded = true")

    raw = demo.net.signer("eurosend").sign(
        Transfer(legs=(Leg("eurosend:eur", "mobimo:eur", 1_234, "EUR"),), memo="seen live"))
    outcome = demo.net.submit(raw).result(SUBMIT_TIMEOUT_S)  # committed by the orderer's own threads
    assert outcome.code == 0

    new_row = page.locator(f'#latest-blocks tr[data-height="{outcome.height}"]')
    new_row.wait_for()
    assert page.evaluate("window.notReloaded === true")
    assert page.locator("#latest-blocks tbody tr").first.get_attribute("data-height") == str(outcome.height)
    assert page.locator("[data-live-height]").first.inner_text() == str(outcome.height)

    new_row.get_by_role("link", name=str(outcome.height)).click()
    page.wait_for_url(f"**/blocks/{outcome.height}")
    page.locator(f'a[href="/tx/{outcome.tx_id.hex()}"]').click()
    page.wait_for_url(f"**/tx/{outcome.tx_id.hex()}")
    assert "12.34 EUR" in page.locator("table.legs").inner_text()

    page.get_by_role("button", name="Verify").click()
    verdict = page.locator(".verify-result .verdict")
    verdict.wait_for()
    assert verdict.inner_text() == "✓ valid"
    assert "was committed in block" in page.locator(".verify-result").inner_text()


def test_pasted_tampered_receipt_is_not_valid(demo, page: Page):
    receipt = demo.net.node.receipt(bytes.fromhex(demo.transfer_id))
    receipt["result"]["code"] = 1
    page.goto("/verify")
    page.get_by_label("Receipt JSON").fill(json.dumps(receipt))
    page.get_by_role("button", name="Verify").click()
    verdict = page.locator(".verify-result .verdict")
    verdict.wait_for()
    assert verdict.inner_text() == "✗ not valid"
    assert "Merkle" in page.locator(".verify-result").inner_text()
    assert page.url.endswith("/verify")  # answered in place by the script, not by a form post
